"""Data-quality findings of trial records in the reader's language (issue 13).

Every finding a parser makes keeps its English text (``message``, as stored by earlier versions), its
template (a msgid of ``findings.po``) and the template's fields as data (``values``); Chinese readers
get the template's Chinese text with the same data (:func:`hcctrials.i18n.findings.finding_text`).
Checked on the golden records of every source (real ChiCTR pages and listings, CT.gov downloads, the
CDE listing and a trial-finder page), and on findings stored before templates were kept.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hcctrials.i18n import catalog
from hcctrials.i18n.findings import _templates, finding_code_label, finding_field_label, finding_text
from hcctrials.model.trial import Finding

GOLDEN = sorted((Path(__file__).parent).glob("*/golden/*.json"))

#: words that are names in both languages (registries, encodings, the program and its options)
NAMES = {"CDE", "NCT", "ChiCTR", "CT", "gov", "clinicaltrials", "UTF", "Latin", "hcctrials", "vocab",
         "accept", "shrink", "CHILD", "ADULT", "OLDER_ADULT"}


def english_left(text: str, data: list[str]) -> list[str]:
    """English words of *text* once the finding's data (values, ids) are taken out."""
    for value in sorted(data, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", text) if w not in NAMES]


def _golden_findings() -> list[tuple[str, dict]]:
    found = []
    for path in GOLDEN:
        data = json.loads(path.read_text(encoding="utf-8"))
        for record in data if isinstance(data, list) else [data]:
            for f in record.get("findings", []):
                found.append((f"{path.parent.parent.name}/{path.stem}", f))
    return found


FINDINGS = _golden_findings()


def test_golden_records_have_findings_of_several_kinds() -> None:
    assert len({f["code"] for _, f in FINDINGS}) >= 5, sorted({f["code"] for _, f in FINDINGS})


@pytest.mark.parametrize(("record", "finding"), FINDINGS, ids=[f"{r}:{f['code']}" for r, f in FINDINGS])
def test_each_parsed_finding_keeps_its_template_and_data(record: str, finding: dict) -> None:
    f = Finding.model_validate(finding)
    assert f.template, f"{record}: {f.code} {f.field} has no template: {f.message}"
    assert f.template.format(**f.values) == f.message  # the English text is the template with the values
    zh = finding_text(f, "zh")
    assert catalog("zh").get(f.template), f.template
    assert finding_text(f, "en") == f.message
    assert not english_left(zh, list(f.values.values())), (record, zh)
    assert not english_left(finding_code_label(f.code, "zh") + finding_field_label(f.field, "zh"), []), f


def test_every_finding_template_reads_in_chinese() -> None:
    """Each template of findings.po, filled with placeholder data, leaves no English word in Chinese."""
    zh = catalog("zh")
    assert len(_templates()) >= 20
    for template, _pattern in _templates():
        text = re.sub(r"\{\w+(![rs])?\}", "数据", zh[template])
        assert not english_left(text, []), (template, text)


def test_the_chictr_search_row_finding_in_chinese() -> None:
    """ChiCTR2500111173 as a search-results row (tests/sources/chictr/golden/search_row1_ChiCTR2500111173.json)."""
    path = Path(__file__).parent / "chictr" / "golden" / "search_row1_ChiCTR2500111173.json"
    (f,) = [Finding.model_validate(x) for x in json.loads(path.read_text(encoding="utf-8"))["findings"]]
    assert finding_text(f, "zh") == "检索结果列表中的一行（注册号、题目、机构、研究类型、注册日期），不是完整的注册记录"
    assert finding_code_label(f.code, "zh") == "部分记录" and finding_field_label(f.field, "zh") == "整条记录"
    assert finding_code_label(f.code, "en") == "partial_record" and finding_field_label(f.field, "en") == "*"


def test_a_finding_stored_before_templates_reads_by_its_template() -> None:
    """A finding stored by an earlier version (English text only) is read back with the catalog's
    templates: the parts between the template's words are kept as written, drug names included."""
    old = Finding(code="contradictory_schedule", field="interventions[0].doses",
                  message="Lenvatinib: the schedule says both 'once daily' and 'twice daily': "
                          "'8 mg once daily, twice daily'")
    assert old.template is None
    assert finding_text(old, "zh") == ("Lenvatinib：给药方案同时写了 'once daily' 和 'twice daily'："
                                       "'8 mg once daily, twice daily'")
    assert finding_field_label(old.field, "zh") == "干预措施 1 › 剂量"
    mismatch = Finding(code="bilingual_mismatch", field="titles",
                       message="the Chinese titles name 阿得贝利单抗 (adebrelimab) but the English name camrelizumab")
    assert finding_text(mismatch, "zh") == "中文题目写的是 阿得贝利单抗 (adebrelimab)，英文写的却是 camrelizumab"
    stale = Finding(code="stale_status", field="overall_status",
                    message="status 'recruiting' but recruitment ended 2024-12-31 (as of 2025-03-02)")
    assert finding_text(stale, "zh") == "状态为“正在招募”，但招募已于 2024-12-31 结束（截至 2025-03-02）"


def test_a_text_no_template_matches_stays_as_stored() -> None:
    """Nothing is guessed: an English text the catalog does not know is shown as it is."""
    odd = Finding(code="unparsed_value", field="design", message="something no parser writes")
    assert finding_text(odd, "zh") == "something no parser writes"


def test_a_status_code_is_shown_in_words() -> None:
    from hcctrials.i18n import msg

    f = Finding(code="stale_status", field="overall_status",
                message=msg("status '{status}' but recruitment ended {recruitment_end} (as of {as_of})",
                            status="not_yet_recruiting", recruitment_end="2024-12", as_of="2025-03-02"))
    assert f.message == "status 'not_yet_recruiting' but recruitment ended 2024-12 (as of 2025-03-02)"
    assert f.values == {"status": "not_yet_recruiting", "recruitment_end": "2024-12", "as_of": "2025-03-02"}
    assert "尚未招募" in finding_text(f, "zh") and "not_yet" not in finding_text(f, "zh")
