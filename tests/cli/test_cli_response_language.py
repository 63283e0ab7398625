"""`hcctrials response` in Chinese and English (issue 13): every option path that prints text (tables,
per-visit responses, the rule of each visit with ``--rules``, data-quality findings, the errors of bad
input) prints no English sentence with ``--lang zh``, and prints with ``--lang en`` exactly what it
printed before the Chinese work (fixtures recorded from the earlier code, see
``tests/response/fixtures/language/record_english_outputs.py``).

The check for English reads two things: the English texts of the catalogs the command uses (any of
them found in a Chinese output is a string left untranslated), and any two English words in a row
(a sentence built outside the catalog).  Identifiers stay as written: subject and lesion ids, finding
codes (``LESION_NOT_RECORDED``), option and column names, citations ([E09], [S17], WG FAQ).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "response" / "fixtures" / "language"))

from cases import RESPONSE_CASES, run  # noqa: E402

RECORDED = json.loads((ROOT / "tests/response/fixtures/language/english_outputs.json").read_text(encoding="utf-8"))
CATALOGS = ("cli.po", "response.po", "report.po")

#: identifiers and citations that are not English prose (two words in a row allowed in Chinese output)
IDENTIFIERS = re.compile(r"WG iRECIST FAQ|WG FAQ|admiralonco MISSING|Q&A|[\w.-]+\.(?:csv|py|md)")


def english_phrases(catalogs: tuple[str, ...]) -> list[str]:
    """English texts of *catalogs* whose Chinese text differs, as fixed phrases (fields cut out)."""
    phrases = set()
    for name in catalogs:
        with (ROOT / "src/hcctrials/i18n/locale/zh/LC_MESSAGES" / name).open("rb") as handle:
            catalog = read_po(handle, locale="zh")
        for message in catalog:
            if not message.id or not message.string or message.id == message.string:
                continue
            for part in re.split(r"\{[^}]*\}", str(message.id)):
                part = part.strip(" ;:,.()[]")
                if (" " in part or len(part) >= 9) and re.search(r"[a-z]{3}", part) and part not in str(message.string):
                    phrases.add(part)
    return sorted(phrases)


def english_left(text: str, catalogs: tuple[str, ...]) -> list[str]:
    """English catalog phrases and runs of two English words found in *text*."""
    flat = " ".join(text.split())
    found = [p for p in english_phrases(catalogs) if p in flat]
    bare = IDENTIFIERS.sub(" ", flat)
    found += re.findall(r"\b[A-Za-z]*[a-z]{2,}[A-Za-z]*(?: +[A-Za-z]*[a-z]{2,}[A-Za-z]*)+\b", bare)
    return found


@pytest.fixture(autouse=True)
def _at_root() -> None:
    os.chdir(ROOT)  # case paths are relative to the repository root


@pytest.mark.parametrize("name", list(RESPONSE_CASES))
def test_english_output_is_unchanged(name: str) -> None:
    now = run(RESPONSE_CASES[name], "en")
    before = RECORDED[name]
    assert before["args"] == RESPONSE_CASES[name]
    assert (now["exit_code"], now["error"]) == (before["exit_code"], before["error"])
    assert now["output"] == before["output"], name


@pytest.mark.parametrize("name", [n for n in RESPONSE_CASES if "--json" not in RESPONSE_CASES[n]])
def test_chinese_output_has_no_english_sentence(name: str) -> None:
    zh = run(RESPONSE_CASES[name], "zh")
    assert zh["exit_code"] == RECORDED[name]["exit_code"], zh
    text = zh["output"] + zh["error"]
    assert re.search(r"[\u4e00-\u9fff]", text), text
    left = english_left(text, CATALOGS)
    assert not left, f"`hcctrials {' '.join(RESPONSE_CASES[name])} --lang zh` prints English: {left}\n{text}"


def test_errors_in_chinese_are_one_line_naming_record_field_and_value() -> None:
    zh = run(["response", "tests/response/fixtures/language/negative_diameter.csv"], "zh")
    assert zh["exit_code"] == 2
    assert zh["output"] == ("错误：记录 受试者 HCC-001，访视 2024-04-29，病灶 T1；字段 diameter_mm：直径为负数（值：-5.0）。"
                            "直径应 ≥ 0 mm\n")


def test_rules_speak_the_clinic_words() -> None:
    zh = run(["response", "--example", "--visits", "--rules"], "zh")["output"]
    assert "HCC-003 2024-05-27: 靶病灶 PR：直径总和 ≤ 基线直径总和的 70%；无非靶病灶；无新病灶 -> PR" in zh
    assert "HCC-004 2024-06-03: 无靶病灶；非靶病灶 非CR/非PD；无新病灶 -> 非CR/非PD" in zh
    assert "决定各时间点疗效的规则：" in zh


def test_detector_finds_english() -> None:
    # the check above can fail: an English rule line is caught
    assert english_left("HCC-001 2024-04-29: target SD: neither PR nor PD", CATALOGS)
    assert not english_left("受试者 HCC-001；LESION_NOT_RECORDED；[WG iRECIST FAQ]", CATALOGS)


def test_json_is_the_same_in_both_languages() -> None:
    """``--json`` is for programs: codes and the English texts, whatever the language."""
    for args in (a for a in RESPONSE_CASES.values() if "--json" in a):
        assert run(args, "zh") == run(args, "en")
