"""`hcctrials score` in Chinese and English (issue 13): with ``--lang zh`` the score names are the
standard Chinese ones (Child-Pugh 分级, 白蛋白-胆红素(ALBI)评分, 终末期肝病模型(MELD) ...), and every
reason, assumption and missing-data text of the scoring core is Chinese; with ``--lang en`` the output
is exactly what it was before (fixtures recorded from the earlier code, see
``tests/response/fixtures/language/record_english_outputs.py``).

What stays as written in Chinese: patient ids, dates, numbers and units, and the variant notations of
the scores (``child_pugh@inr-1.7-2.3``, ``meld_na@optn2016-optn``), which name a published version.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "response" / "fixtures" / "language"))
sys.path.insert(0, str(ROOT / "tests" / "cli"))

from cases import SCORE_CASES, run  # noqa: E402
from test_cli_response_language import english_left  # noqa: E402

RECORDED = json.loads((ROOT / "tests/scores/fixtures/language/english_outputs.json").read_text(encoding="utf-8"))
CATALOGS = ("cli.po", "scores.po", "cli_clinical.po")
#: variant notations (a published version of a score), kept as written
NOTATION = re.compile(r"\b\w+@[\w.+-]+")


@pytest.fixture(autouse=True)
def _at_root() -> None:
    os.chdir(ROOT)


@pytest.mark.parametrize("name", list(SCORE_CASES))
def test_english_output_is_unchanged(name: str) -> None:
    now = run(SCORE_CASES[name], "en")
    before = RECORDED[name]
    assert before["args"] == SCORE_CASES[name]
    assert (now["exit_code"], now["error"]) == (before["exit_code"], before["error"])
    assert now["output"] == before["output"], name


@pytest.mark.parametrize("name", [n for n in SCORE_CASES if "--json" not in SCORE_CASES[n]])
def test_chinese_output_has_no_english_sentence(name: str) -> None:
    zh = run(SCORE_CASES[name], "zh")
    assert zh["exit_code"] == RECORDED[name]["exit_code"], zh
    text = NOTATION.sub(" ", zh["output"] + zh["error"])
    assert re.search(r"[\u4e00-\u9fff]", text), text
    left = english_left(text, CATALOGS)
    assert not left, f"`hcctrials {' '.join(SCORE_CASES[name])} --lang zh` prints English: {left}\n{text}"


def test_score_names_are_the_standard_chinese_terms() -> None:
    zh = run(SCORE_CASES["shenzhen"], "zh")["output"]
    for name in ("Child-Pugh 分级", "白蛋白-胆红素(ALBI)评分", "终末期肝病模型(MELD)", "终末期肝病模型-血钠(MELD-Na)",
                 "巴塞罗那临床肝癌(BCLC)分期", "中国肝癌分期(CNLC)", "米兰标准"):
        assert name in zh, name
    # the BCLC reason of the core (macrovascular invasion, ECOG 1) in words
    assert "进展期：大血管侵犯、ECOG 1" in zh


def test_missing_data_reasons_in_chinese() -> None:
    zh = run(SCORE_CASES["stale sodium, no ECOG"], "zh")["output"]
    assert "最近一次结果（2023-10-01）早于 2024-03-10 前 28 天" in zh
    assert "未记录" in zh
    # the inputs a criterion lacks, named as in the table's "missing" column
    zh = run(SCORE_CASES["shanghai fhir"], "zh")["output"]
    assert "无法判断：缺少结节数目、最大直径（cm）" in " ".join(zh.split())


def test_json_is_the_same_in_both_languages() -> None:
    """``--json`` is for programs: codes and the English texts, whatever the language."""
    for args in (a for a in SCORE_CASES.values() if "--json" in a):
        assert run(args, "zh") == run(args, "en")
