"""Every word of the web app has a Chinese text: the say() messages of hcctrials/web and the
``_("...")`` / ``_in(lang, "...")`` messages of its templates (tests/test_i18n_catalog.py extracts
only Python files, so the templates are extracted here)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from hcctrials.i18n import catalog

WEB = Path(__file__).resolve().parents[2] / "src" / "hcctrials" / "web"
_CALL = re.compile(r"""\b_(?:in)?\(\s*(?:\w+\s*,\s*)?(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
_ANY_CALL = re.compile(r"\b_(?:in)?\(")


def template_messages() -> dict[str, set[str]]:
    """msgid -> the templates that use it."""
    found: dict[str, set[str]] = {}
    for path in sorted((WEB / "templates").glob("*.html")):
        for a, b in _CALL.findall(path.read_text(encoding="utf-8")):
            found.setdefault((a or b).replace('\\"', '"').replace("\\'", "'"), set()).add(path.name)
    return found


def test_templates_call_the_catalog_with_literal_messages_only() -> None:
    for path in sorted((WEB / "templates").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert len(_ANY_CALL.findall(text)) == len(_CALL.findall(text)), \
            f"{path.name}: a _() call whose message is not a string literal cannot be extracted"


def test_every_template_message_has_a_chinese_text() -> None:
    messages = template_messages()
    assert len(messages) > 100
    zh = catalog("zh")
    missing = sorted(m for m in messages if not zh.get(m))
    assert not missing, f"template messages without Chinese in i18n/locale/zh/LC_MESSAGES/web.po: {missing}"


def test_every_web_say_message_has_a_chinese_text() -> None:
    # the web app's own messages and the words for coded values it shows (hcctrials/i18n/labels.py, shared
    # with the command line)
    messages = {m if isinstance(m, str) else m[0] for folder in (WEB, WEB.parent / "i18n")
                for _f, _l, m, _c, _x in extract_from_dir(str(folder), method_map=[("**.py", "python")],
                                                          keywords={"say": None})}
    assert len(messages) > 50
    zh = catalog("zh")
    assert not sorted(m for m in messages if not zh.get(m))


def test_chinese_texts_keep_the_fields() -> None:
    zh = catalog("zh")
    for message in template_messages():
        assert set(re.findall(r"{(\w+)}", message)) == set(re.findall(r"{(\w+)}", zh[message])), message
