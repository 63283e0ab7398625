"""Reasons of criteria that need review, in the reader's language (issue 13).

The compiler stores its review reasons as English text (``compile.py``, ``precision.py``, the families);
:func:`review_reason_for_reader` says their fixed words in Chinese and keeps the criterion text they quote.
Every shape is read from the source here (each ``NeedsReview(reason=...)`` and each audit's returned
reason), filled with sample values and checked: a new shape without a Chinese text fails, naming it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from hcctrials.criteria.compiler.describe_i18n import REVIEW_SHAPES, review_reason_for_reader
from hcctrials.i18n import catalog

CRITERIA = Path(__file__).resolve().parents[3] / "src/hcctrials/criteria"
SAMPLE = "甲乙"  # a field value: record text, a code or a number (not English, so English left over is the shape's)


def _template(node: ast.expr) -> str | None:
    """The reason's text with each substituted value as SAMPLE (None: not a string built here)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else SAMPLE for v in node.values)  # type: ignore[misc]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template(node.left), _template(node.right)
        return (left if left is not None else SAMPLE) + (right if right is not None else SAMPLE)
    if isinstance(node, ast.Name) and node.id.isupper():
        return None  # a module constant: resolved below
    return None


def _constants(tree: ast.Module) -> dict[str, str]:
    return {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
            and isinstance(n.value.value, str) for t in n.targets if isinstance(t, ast.Name)}


def _shapes() -> list[tuple[str, str]]:
    """(where, reason with sample values) for every review reason written in hcctrials.criteria."""
    found: dict[str, str] = {}
    for path in sorted(CRITERIA.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)

        def text(node: ast.expr) -> str | None:
            if isinstance(node, ast.JoinedStr):
                return "".join(v.value if isinstance(v, ast.Constant) else  # type: ignore[misc]
                               constants.get(getattr(v.value, "id", ""), SAMPLE)  # type: ignore[attr-defined]
                               for v in node.values)
            return _template(node)

        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef) and (fn.name.lstrip("_").startswith("audit") or fn.name == "_doubt") \
                    and fn.returns is not None and "str" in ast.unparse(fn.returns):
                for n in ast.walk(fn):
                    if isinstance(n, ast.Return) and n.value is not None and (t := text(n.value)):
                        found.setdefault(t, f"{path.name}:{n.lineno}")
        for n in ast.walk(tree):
            if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "NeedsReview":
                for kw in n.keywords:
                    if kw.arg == "reason" and (t := text(kw.value)):
                        found.setdefault(t, f"{path.name}:{n.lineno}")
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "append" and \
                    getattr(n.func.value, "id", None) == "reviews" and n.args and (t := text(n.args[0])):
                found.setdefault(t, f"{path.name}:{n.lineno}")
    return sorted((where, reason) for reason, where in found.items())


SHAPES = _shapes()


def _english_left(reason: str, said: str) -> list[str]:
    """Words of the English shape (4+ lower-case letters) still in the Chinese text."""
    words = {w for w in re.findall(r"[A-Za-z]+", reason.replace(SAMPLE, " ")) if w.islower() and len(w) >= 4}
    return sorted(w for w in words if re.search(rf"\b{w}\b", said))


def test_the_shapes_are_found() -> None:
    reasons = [r for _, r in SHAPES]
    assert len(reasons) >= 40
    assert f"no rule recognised in: {SAMPLE}" in reasons and f"text not compiled: {SAMPLE}" in reasons


@pytest.mark.parametrize(("where", "reason"), SHAPES, ids=[w for w, _ in SHAPES])
def test_every_review_reason_shape_is_said_in_chinese(where: str, reason: str) -> None:
    said = review_reason_for_reader(reason, "zh")
    left = _english_left(reason, said)
    assert not left and re.search(r"[\u4e00-\u9fff]", said.replace(SAMPLE, "")), (
        f"{where}: the review reason {reason!r} has no Chinese shape (add it to REVIEW_SHAPES in "
        f"criteria/compiler/describe_i18n.py and its text to criteria_display.po); said: {said!r}")


def test_every_shape_has_a_chinese_text() -> None:
    zh = catalog("zh")
    assert not [s.msgid for s in REVIEW_SHAPES if not zh.get(s.msgid)]


def test_the_quoted_criterion_text_stays_as_written() -> None:
    reason = "text not compiled: no prior TACE within 4 weeks; Child-Pugh B8 allowed"
    assert review_reason_for_reader(reason, "zh") == "未能编译的文字：no prior TACE within 4 weeks; Child-Pugh B8 allowed"
    assert review_reason_for_reader(reason, "en") == reason


def test_a_qualifier_with_the_rule_read_as() -> None:
    reason = "qualifier 'serious' is not part of the rule (read as: any of (history: arrhythmia (active); " \
             "heart failure NYHA class ≥ 3))"
    said = review_reason_for_reader(reason, "zh")
    assert said.startswith("限定词“serious”未纳入规则（读取为：")
    # the rule, when it cannot be rebuilt, stays in the notation; when it can, it is said in Chinese
    assert said.endswith("any of (history: arrhythmia (active); heart failure NYHA class ≥ 3)）")
    rebuilt = review_reason_for_reader(reason, "zh", read_as=lambda rule: "满足其一（…）")
    assert rebuilt == "限定词“serious”未纳入规则（读取为：满足其一（…））"


def test_partly_read_and_joined_reasons() -> None:
    reason = ("no rule recognised in: Adequate organ function; text not compiled: per investigator "
              "(partly read as: ANC ≥ 1.5 10^9/L)")
    said = review_reason_for_reader(reason, "zh")
    assert said == "未识别出规则：Adequate organ function；未能编译的文字：per investigator（已部分读取为：ANC ≥ 1.5 10^9/L）"


def test_a_reason_of_an_unknown_shape_is_kept_as_written() -> None:
    assert review_reason_for_reader("a reason written tomorrow", "zh") == "a reason written tomorrow"
