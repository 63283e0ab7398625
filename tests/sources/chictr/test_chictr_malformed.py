"""Malformed ChiCTR inputs give clear ParseErrors; the text parser raises nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcctrials.errors import ParseError
from hcctrials.sources.chictr import ChictrIctrpXmlParser, ChictrTextParser
from hcctrials.sources.chictr.labels import LABELS
from hcctrials.sources.chictr.text import parse_chictr_text
from hcctrials.sources.chictr.items import split_items


def test_page_without_registration_number(tmp_path: Path) -> None:
    path = tmp_path / "no_number.txt"
    path.write_text("注册号:\n\nRegistration number:\n\n注册题目:\n\n阿帕替尼治疗肝细胞癌\n\nPublic title:\n\n"
                    "Apatinib for HCC\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        list(ChictrTextParser().iter_records(path))
    assert info.value.file == str(path)
    assert "注册号 / Registration number" in str(info.value) and "no registration number" in str(info.value)


def test_page_in_neither_language(tmp_path: Path) -> None:
    path = tmp_path / "french.txt"
    path.write_text("Numéro d'enregistrement :\n\nChiCTR2400000001\n\nTitre public :\n\nUne étude\n", encoding="utf-8")
    with pytest.raises(ParseError, match="no ChiCTR labels found") as info:
        list(ChictrTextParser().iter_records(path))
    assert info.value.file == str(path)


def test_truncated_ictrp_xml(shared_dir: Path, tmp_path: Path) -> None:
    whole = (shared_dir / "data/registry/chictr/ChiCTR2000034346_ictrp.xml").read_bytes()
    path = tmp_path / "truncated.xml"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ParseError, match="malformed or truncated ICTRP XML") as info:
        list(ChictrIctrpXmlParser().iter_records(path))
    assert info.value.file == str(path)


def test_ictrp_trial_without_id_is_a_record_failure(tmp_path: Path) -> None:
    path = tmp_path / "noid.xml"
    path.write_text("<trials><Triall><main><public_title>x</public_title></main></Triall></trials>", encoding="utf-8")
    [failure] = list(ChictrIctrpXmlParser().iter_records(path))
    assert failure.locator == "Triall 1" and "trial_id" in str(failure.error)


def test_text_not_utf8_is_decoded_not_rejected(tmp_path: Path) -> None:
    # issue 11: GBK pages are decoded (charset detection); this one then lacks the label table
    path = tmp_path / "gbk.txt"
    path.write_bytes("注册号:\nRegistration number:\nChiCTR2400000001\n".encode("gb18030"))
    with pytest.raises(ParseError, match="no ChiCTR labels found"):
        list(ChictrTextParser().iter_records(path))


_LABEL_TEXTS = [t for label in LABELS for t in (label.zh, label.en) if t]
_block = st.one_of(
    st.sampled_from(_LABEL_TEXTS).map(lambda t: t + ":"),
    st.text(max_size=60),
    st.sampled_from(["ChiCTR2400000001", "2025-13-45 00:00:00", "From 2025-02-30 To x", "最小 Min age 999 years",
                     "-5", "1. a 2. b", "是Yes", "99999999999999999999", "Q3W 每周1次 阿帕替尼 250mg"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_block, max_size=40))
def test_text_parser_raises_only_parse_error(blocks: list[str]) -> None:
    """Arbitrary label/value text either parses or raises ParseError, nothing else."""
    text = "\n\n".join(blocks)
    try:
        trial = parse_chictr_text(text)
    except ParseError:
        return
    assert trial.trial_id.startswith("ChiCTR")


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
                min_size=1, max_size=8))
def test_split_items_round_trip(items: list[str]) -> None:
    """Numbered items written on one line come back as the same items."""
    cleaned = [" ".join(i.split()) for i in items]
    if any(not c or c[0].isdigit() or "." in c or "、" in c or ")" in c or "）" in c for c in cleaned):
        return
    text = " ".join(f"{n}.{c}" for n, c in enumerate(cleaned, start=1))
    assert split_items(text) == cleaned


@pytest.mark.parametrize(("text", "expected"), [
    ("1.Age 18-75. 2.ECOG 0-1; platelets >= 1.5 x 10^9/L 3.Signed consent",
     ["Age 18-75.", "ECOG 0-1; platelets >= 1.5 x 10^9/L", "Signed consent"]),
    ("（1）年龄≥18岁；（2）ECOG 0-1；（3）签署知情同意", ["年龄≥18岁；", "ECOG 0-1；", "签署知情同意"]),
    ("1、经病理确诊；\n2、Child-Pugh A级（5-6分）；", ["经病理确诊；", "Child-Pugh A级（5-6分）；"]),
    ("1 经组织学证实 a. B部分\n2 必须有可测量病灶（参见第8.8节）", ["经组织学证实 a. B部分", "必须有可测量病灶（参见第8.8节）"]),
    ("grade B (with a score of 7). 7.The general", ["grade B (with a score of 7). 7.The general"]),
    ("Age over 18\nSigned consent", ["Age over 18", "Signed consent"]),
    ("13. first\n14. second", ["first", "second"]),
    ("", []),
])
def test_split_items_examples(text: str, expected: list[str]) -> None:
    assert split_items(text) == expected
