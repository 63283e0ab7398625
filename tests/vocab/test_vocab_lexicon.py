"""Lexicon lookup, mention finding and class words.

Names and classes asserted here are public facts: INN / Chinese approved names (NMPA labels),
brand and code names from the product labels, and the classes in hcc-domain.md section 8.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hcctrials.errors import ValidationError
from hcctrials.vocab import CLASS_TAGS, LexiconError, Therapy, load_lexicon, parse_lexicon


@pytest.fixture(scope="module")
def lex():
    return load_lexicon()


@pytest.mark.parametrize(
    ("name", "therapy_id"),
    [
        ("adebrelimab", "adebrelimab"),
        ("阿得贝利单抗", "adebrelimab"),
        ("SHR-1316", "adebrelimab"),
        ("shr1316", "adebrelimab"),
        ("SHR 1316", "adebrelimab"),
        ("艾瑞利", "adebrelimab"),
        ("Atezolizumab", "atezolizumab"),
        ("阿替利珠单抗", "atezolizumab"),
        ("Tecentriq", "atezolizumab"),
        ("MPDL3280A", "atezolizumab"),
        ("泰圣奇", "atezolizumab"),
        ("rivoceranib", "apatinib"),
        ("甲磺酸阿帕替尼", "apatinib"),
        ("艾坦", "apatinib"),
        ("Drug: Lenvatinib", "lenvatinib"),
        ("乐伐替尼", "lenvatinib"),
        ("Lenvima", "lenvatinib"),
        ("索拉非尼", "sorafenib"),
        ("BAY 43-9006", "sorafenib"),
        ("BAY43-9006", "sorafenib"),
        ("多纳非尼", "donafenib"),
        ("瑞戈非尼", "regorafenib"),
        ("贝伐珠单抗", "bevacizumab"),
        ("达攸同", "bevacizumab-ibi305"),
        ("IBI305", "bevacizumab-ibi305"),
        ("度伐利尤单抗", "durvalumab"),
        ("MEDI4736", "durvalumab"),
        ("替西木单抗", "tremelimumab"),
        ("曲美木单抗", "tremelimumab"),
        ("CP-675,206", "tremelimumab"),
        ("K药", "pembrolizumab"),
        ("MK-3475", "pembrolizumab"),
        ("特瑞普利单抗", "toripalimab"),
        ("JS001", "toripalimab"),
        ("teprotumumab", "teprotumumab"),
        ("C-CAR031", "gpc3-car-t"),
        ("Biological: iNKT cells", "inkt-cells"),
        ("Drug: Human recombinated Interleukin-2", "interleukin-2"),
        ("Procedure: TAE/TACE", "tae-tace"),
        ("T+A", "regimen-atezo-bev"),
        ("T+A方案", "regimen-atezo-bev"),
        ("STRIDE", "regimen-stride"),
        ("双艾", "regimen-camrelizumab-apatinib"),
        ("FOLFOX-HAIC", "regimen-haic-folfox"),
        ("Y-90", "tare"),
        ("钇-90微球", "tare"),
        ("射频消融", "rfa"),
        ("肝移植", "liver-transplant"),
        ("DEB-TACE", "deb-tace"),
        ("ＴＡＣＥ", "tace"),  # full-width letters
        ("槐耳颗粒", "huaier"),
    ],
)
def test_lookup_names_in_both_languages(lex, name, therapy_id):
    therapy = lex.lookup(name)
    assert therapy is not None, name
    assert therapy.id == therapy_id


def test_every_name_of_every_entry_looks_up_to_itself(lex):
    for therapy in lex:
        for name in therapy.names + therapy.abbreviations:
            assert lex.lookup(name) == therapy, (name, therapy.id)


def test_lookup_unknown_and_empty(lex):
    assert lex.lookup("") is None
    assert lex.lookup("   ") is None
    assert lex.lookup("aspirin") is None
    assert lex.lookup("PD-1") is None  # a class word, not a therapy


def test_therapy_fields(lex):
    ade = lex.lookup("adebrelimab")
    assert isinstance(ade, Therapy)
    assert ade.kind == "drug" and ade.target == "PD-L1" and ade.drug_class == "PD-L1 antibody"
    assert ade.chinese[0] == "阿得贝利单抗"
    assert "SHR-1316" in ade.synonyms
    assert {"pdl1", "ici", "immunotherapy"} <= ade.classes
    assert "pd1" not in ade.classes
    assert ade.name("zh") == "阿得贝利单抗" and ade.name("en") == "adebrelimab"


def test_regimen_classes_are_union_of_components(lex):
    ta = lex.get("regimen-atezo-bev")
    assert ta.kind == "regimen" and ta.components == ["atezolizumab", "bevacizumab"]
    assert {"pdl1", "ici", "anti_vegf", "anti_angiogenic", "targeted"} <= ta.classes
    assert [t.id for t in lex.expand(ta)] == ["atezolizumab", "bevacizumab"]
    stride = lex.get("regimen-stride")
    assert {"pdl1", "ctla4", "ici"} <= stride.classes
    haic = lex.get("regimen-haic-folfox")
    assert {"locoregional", "chemotherapy", "transarterial"} <= haic.classes


def test_by_class_and_class_tags(lex):
    pd1 = {t.id for t in lex.by_class("pd1")}
    assert {"pembrolizumab", "camrelizumab", "sintilimab", "tislelizumab", "toripalimab",
            "cadonilimab", "ivonescimab", "regimen-len-pembro"} <= pd1
    assert "atezolizumab" not in pd1
    pdl1 = {t.id for t in lex.by_class("pdl1")}
    assert {"atezolizumab", "durvalumab", "adebrelimab", "envafolimab", "sugemalimab"} <= pdl1
    assert {t.id for t in lex.by_class("tigit")} >= {"tiragolumab", "ociperlimab"}
    assert {"bevacizumab", "ramucirumab", "bevacizumab-ibi305"} <= {t.id for t in lex.by_class("anti_vegf")}
    tki = {t.id for t in lex.by_class("tki")}
    assert {"sorafenib", "lenvatinib", "donafenib", "regorafenib", "cabozantinib", "apatinib"} <= tki
    assert "bevacizumab" not in tki
    assert {"tace", "haic", "tare", "rfa", "mwa", "sbrt"} <= {t.id for t in lex.by_class("locoregional")}
    assert {"gpc3-car-t", "inkt-cells"} <= {t.id for t in lex.by_class("cell_therapy")}
    assert "teprotumumab" not in {t.id for t in lex.by_class("targeted")}
    assert set(CLASS_TAGS) <= set(lex.class_tags())
    with pytest.raises(ValidationError, match="unknown class tag"):
        lex.by_class("pd-1")


# ----------------------------------------------------------------------------- mentions
def test_mentions_seed_000_intervention(lex):
    text = "阿得贝利单抗 1200mg 静脉滴注 (每周1次, Q3W) 联合 阿帕替尼 250mg 口服 (每日1次, QD)"
    found = lex.find_mentions(text)
    assert [(m.therapy.id, m.matched) for m in found] == [("adebrelimab", "阿得贝利单抗"), ("apatinib", "阿帕替尼")]
    for m in found:
        assert text[m.start:m.end] == m.matched
        assert m.language == "zh"


def test_english_mentions_respect_word_boundaries(lex):
    assert lex.find_mentions("preatezolizumabx and atezolizumabs") == []
    assert lex.find_mentions("TACEX, xTACE") == []
    text = "Atezolizumab, bevacizumab; ATEZOLIZUMAB."
    assert [m.therapy.id for m in lex.find_mentions(text)] == ["atezolizumab", "bevacizumab", "atezolizumab"]


def test_separator_insensitive_codes(lex):
    for text in ("SHR-1210", "SHR1210", "SHR 1210", "shr‐1210"):  # last one: Unicode hyphen
        assert [m.therapy.id for m in lex.find_mentions(f"given {text} q2w")] == ["camrelizumab"], text


def test_chinese_longest_match_wins(lex):
    found = lex.find_mentions("口服甲磺酸阿帕替尼片")
    assert [(m.therapy.id, m.matched) for m in found] == [("apatinib", "甲磺酸阿帕替尼")]
    found = lex.find_mentions("行经导管动脉化疗栓塞术后")
    assert [m.therapy.id for m in found] == ["tace"] and found[0].matched == "经导管动脉化疗栓塞术"
    found = lex.find_mentions("阿帕替尼")
    assert len(found) == 1


def test_regimen_names_win_over_components(lex):
    found = lex.find_mentions("Atezolizumab plus bevacizumab (T+A) in IMbrave150")
    assert [m.therapy.id for m in found] == ["regimen-atezo-bev", "regimen-atezo-bev"]
    found = lex.find_mentions("DEB-TACE and HAIC-FOLFOX")
    assert [m.therapy.id for m in found] == ["deb-tace", "regimen-haic-folfox"]


def test_capital_abbreviations_only_in_capitals(lex):
    assert [m.therapy.id for m in lex.find_mentions("prior LT or TIPS")] == ["liver-transplant", "tips"]
    assert lex.find_mentions("tips: let it settle") == []


def test_nickname_k_drug_needs_boundary(lex):
    assert [m.therapy.id for m in lex.find_mentions("K药联合仑伐替尼")] == ["regimen-len-pembro"]
    assert [m.therapy.id for m in lex.find_mentions("既往K药治疗")] == ["pembrolizumab"]
    assert lex.find_mentions("TKI药物") == []


def _ids_with_components(lex, text):
    ids = set()
    for m in lex.find_mentions(text):
        ids.add(m.therapy.id)
        ids.update(t.id for t in lex.expand(m.therapy))
    return ids


def test_seed_texts_name_the_expected_therapies(lex, seeds_dir: Path):
    seed0 = next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8")
    ids0 = {m.therapy.id for m in lex.find_mentions(seed0)}
    assert {"adebrelimab", "apatinib", "atezolizumab"} <= ids0
    seed1 = next(seeds_dir.glob("001_*.txt")).read_text(encoding="utf-8")
    ids1 = _ids_with_components(lex, seed1)
    # the title says 特瑞普利单抗联合瑞戈非尼 (a regimen mention), the English objectives teprotumumab
    assert "regimen-toripalimab-regorafenib" in {m.therapy.id for m in lex.find_mentions(seed1)}
    assert {"toripalimab", "regorafenib", "teprotumumab"} <= ids1
    seed4 = next(seeds_dir.glob("004_*.txt")).read_text(encoding="utf-8")
    ids4 = {m.therapy.id for m in lex.find_mentions(seed4)}
    assert {"tae-tace", "inkt-cells", "interleukin-2"} <= ids4
    seed3 = next(seeds_dir.glob("003_*.txt")).read_text(encoding="utf-8")
    ids3 = _ids_with_components(lex, seed3)
    # the review names these (section headings and trial descriptions)
    assert {"regimen-atezo-bev", "regimen-camrelizumab-apatinib", "regimen-stride", "regimen-len-pembro",
            "tace", "haic", "tiragolumab", "ipilimumab", "pembrolizumab", "sorafenib",
            "hepatectomy"} <= ids3


# ----------------------------------------------------------------------------- class words
@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("PD-1 inhibitor", {"pd1", "ici", "immunotherapy"}),
        ("PD1 inhibitors", {"pd1", "ici"}),
        ("anti-PD-L1", {"pdl1", "ici"}),
        ("anti PD-L1 antibody", {"pdl1", "ici"}),
        ("PD-(L)1 inhibitor", {"pd1", "pdl1", "ici"}),
        ("PD-1(L1) monoclonal antibody", {"pd1", "pdl1", "ici"}),
        ("immune checkpoint inhibitors", {"ici", "immunotherapy"}),
        ("ICI", {"ici"}),
        ("tyrosine kinase inhibitor", {"tki", "targeted", "anti_angiogenic"}),
        ("TKIs", {"tki"}),
        ("anti-VEGF", {"anti_vegf", "anti_angiogenic"}),
        ("CTLA-4 antibody", {"ctla4", "ici"}),
        ("免疫检查点抑制剂", {"ici", "immunotherapy"}),
        ("PD-1抑制剂", {"pd1", "ici"}),
        ("PD-L1免疫治疗", {"pdl1", "ici", "immunotherapy"}),
        ("靶向药物", {"targeted"}),
        ("酪氨酸激酶抑制剂", {"tki", "targeted"}),
        ("抗血管生成药物", {"anti_angiogenic"}),
        ("系统化疗", {"chemotherapy"}),
        ("局部治疗", {"locoregional"}),
    ],
)
def test_class_mentions(lex, text, tags):
    found = lex.find_class_mentions(f"既往接受过{text}治疗 / prior {text} therapy")
    assert found, text
    assert all(tags <= m.classes for m in found), [(m.matched, sorted(m.classes)) for m in found]
    assert all(m.qualified for m in found)


def test_class_mentions_criteria_sentences(lex):
    found = lex.find_class_mentions("既往仅接受过一种含免疫检查点抑制剂方案治疗")
    assert [m.matched for m in found] == ["免疫检查点抑制剂"]
    found = lex.find_class_mentions("1. 既往接受过PD-L1免疫治疗或者阿帕替尼靶向药物治疗;")
    assert [m.matched for m in found] == ["PD-L1免疫治疗", "靶向药物治疗"]
    bare = lex.find_class_mentions("no prior PD-L1; PD-L1 expression >= 1%")
    assert [m.matched for m in bare] == ["PD-L1", "PD-L1"] and not any(m.qualified for m in bare)


def test_class_word_inside_therapy_name_is_not_reported(lex):
    assert lex.find_class_mentions("肝动脉化疗栓塞术") == []
    assert [m.matched for m in lex.find_class_mentions("化疗")] == ["化疗"]


# ----------------------------------------------------------------------------- data rules
def test_bad_lexicon_data_is_named(tmp_path):
    with pytest.raises(LexiconError, match="duplicate id"):
        parse_lexicon([{"id": "a", "english": "a", "kind": "drug"}, {"id": "a", "english": "b", "kind": "drug"}])
    with pytest.raises(LexiconError, match="name is used by both"):
        parse_lexicon([{"id": "a", "english": "x", "kind": "drug"}, {"id": "b", "english": "X", "kind": "drug"}])
    with pytest.raises(LexiconError, match="unknown class tag"):
        parse_lexicon([{"id": "a", "english": "a", "kind": "drug", "classes": ["pd-1"]}])
    with pytest.raises(LexiconError, match="component"):
        parse_lexicon([{"id": "r", "english": "r", "kind": "regimen", "components": ["nope"]}])
    with pytest.raises(LexiconError, match="kind"):
        parse_lexicon([{"id": "a", "english": "a", "kind": "pill"}])
    with pytest.raises(LexiconError, match="unknown field"):
        parse_lexicon([{"id": "a", "english": "a", "kind": "drug", "colour": "red"}])
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="bad.yaml"):
        load_lexicon(bad)
    with pytest.raises(LexiconError, match="cannot read"):
        load_lexicon(tmp_path / "missing.yaml")


def test_load_lexicon_is_cached():
    assert load_lexicon() is load_lexicon()
