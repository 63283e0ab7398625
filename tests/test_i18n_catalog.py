"""The message catalog: every message the code says through hcctrials.i18n.say exists in Chinese.

Messages are extracted from the package with Babel, as ``pybabel extract -k say -k msg`` would
(``msg`` builds the structured criterion reasons of issue 10), so a
new user-facing string without a Chinese text fails here (issue 13: no string left untranslated).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from hcctrials.i18n import catalog, resolve_language, say
from hcctrials.errors import InputError

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hcctrials"


def _messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", "python")], keywords={"say": None, "msg": None}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_chinese_text() -> None:
    messages = _messages()
    assert len(messages) >= 40
    zh = catalog("zh")
    missing = sorted(m for m in messages if not zh.get(m))
    assert not missing, f"messages without a Chinese text in i18n/locale/zh/LC_MESSAGES/hcctrials.po: {missing}"


def test_chinese_texts_keep_the_fields() -> None:
    for message, text in catalog("zh").items():
        assert set(re.findall(r"{(\w+)}", message)) == set(re.findall(r"{(\w+)}", text)), message


def test_say_formats_after_translating() -> None:
    assert say("possibly eligible: {review} criteria need review, {data} need data", "zh", review=3, data=2) == \
        "可能符合：3 条标准需人工审核，2 条需补充数据"
    assert say("possibly eligible: {review} criteria need review, {data} need data", "en", review=3, data=2) == \
        "possibly eligible: 3 criteria need review, 2 need data"


def test_language_from_option_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HCCTRIALS_LANG", "zh")
    assert resolve_language(None) == "zh"
    assert resolve_language("en") == "en"
    with pytest.raises(InputError):
        resolve_language("fr")
