"""Dose, route and frequency parsing (English and Chinese).

Expected values are read off the example texts themselves; the seed-000 case is the ChiCTR
record ChiCTR2600122298 (/work/shared/seeds/000_*.txt, "干预措施" line), whose Chinese states
"每周1次" beside "Q3W" for adebrelimab while the English says "once every 3 weeks (Q3W)".
Standard doses quoted in examples: IMbrave150 (atezolizumab 1200 mg + bevacizumab 15 mg/kg Q3W),
HIMALAYA STRIDE (tremelimumab 300 mg once + durvalumab 1500 mg Q4W), REFLECT (lenvatinib 8 mg
< 60 kg or 12 mg >= 60 kg once daily), SHARP (sorafenib 400 mg twice daily).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcctrials.model.trial import Dose
from hcctrials.vocab import load_lexicon
from hcctrials.vocab.dose import normalise_frequency, parse_doses, parse_regimen, schedule_conflicts

SEED0 = "阿得贝利单抗 1200mg 静脉滴注 (每周1次, Q3W) 联合 阿帕替尼 250mg 口服 (每日1次, QD)"
SEED0_EN = (
    "Atezolizumab 1200mg intravenous infusion once every 3 weeks (Q3W) combined with "
    "Apatinib 250mg oral administration once daily (QD)"
)


def _short(d: Dose) -> tuple:
    return (d.amount, d.amount_high, d.unit, d.route, d.frequency)


def test_seed_000_chinese_intervention():
    doses = parse_doses(SEED0)
    assert [_short(d) for d in doses] == [
        (1200.0, None, "mg", "iv", "Q3W"),
        (250.0, None, "mg", "oral", "QD"),
    ]
    assert all(d.text in SEED0 for d in doses)
    assert schedule_conflicts(SEED0) == [("QW", "Q3W")]
    assert schedule_conflicts("1200mg 静脉滴注 (每周1次, Q3W)") == [("QW", "Q3W")]
    assert schedule_conflicts("250mg 口服 (每日1次, QD)") == []


def test_seed_000_english_intervention_has_no_conflict():
    assert [_short(d) for d in parse_doses(SEED0_EN)] == [
        (1200.0, None, "mg", "iv", "Q3W"),
        (250.0, None, "mg", "oral", "QD"),
    ]
    assert schedule_conflicts(SEED0_EN) == []


def test_seed_000_regimen_attaches_doses_to_drugs():
    parts = parse_regimen(SEED0)
    assert [(t.id if t else None, [_short(d) for d in ds]) for t, ds in parts] == [
        ("adebrelimab", [(1200.0, None, "mg", "iv", "Q3W")]),
        ("apatinib", [(250.0, None, "mg", "oral", "QD")]),
    ]
    parts = parse_regimen(SEED0_EN)
    assert [(t.id, ds[0].amount) for t, ds in parts] == [("atezolizumab", 1200.0), ("apatinib", 250.0)]


def test_seed_000_file_intervention_line(seeds_dir: Path):
    text = next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if "1200mg" in ln and "阿帕替尼" in ln)
    assert [_short(d) for d in parse_doses(line)] == [
        (1200.0, None, "mg", "iv", "Q3W"),
        (250.0, None, "mg", "oral", "QD"),
    ]
    assert schedule_conflicts(line) == [("QW", "Q3W")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200 mg IV Q3W", [(1200.0, None, "mg", "iv", "Q3W")]),
        ("bevacizumab 15 mg/kg IV every 3 weeks", [(15.0, None, "mg/kg", "iv", "Q3W")]),
        ("sorafenib 400 mg twice daily", [(400.0, None, "mg", None, "BID")]),
        ("sorafenib 400 mg PO BID", [(400.0, None, "mg", "oral", "BID")]),
        ("capecitabine 1000 mg/m2 BID D1-14 Q3W", [(1000.0, None, "mg/m2", None, "BID")]),
        ("oxaliplatin 85 mg/m² i.v. d1 q2w", [(85.0, None, "mg/m2", "iv", "Q2W")]),
        ("durvalumab 1500 mg every four weeks; tremelimumab 300 mg single dose",
         [(1500.0, None, "mg", None, "Q4W"), (300.0, None, "mg", None, "ONCE")]),
        ("envafolimab 300 mg SC every 4 weeks", [(300.0, None, "mg", "sc", "Q4W")]),
        ("CAR-T 2.5×10^6 cells/kg iv once", [(2.5e6, None, "cells/kg", "iv", "ONCE")]),
        ("1 x 10^9 iNKT cells intravenously", [(1e9, None, "cells", "iv", None)]),
        ("SBRT 30-50 Gy in 5 fractions", [(30.0, 50.0, "Gy", None, None)]),
        ("interleukin-2 2 MIU sc daily", [(2e6, None, "IU", "sc", "QD")]),
        ("thymalfasin 1.6 mg twice a week", [(1.6, None, "mg", None, "BIW")]),
        ("200 µg/kg weekly", [(200.0, None, "µg/kg", None, "QW")]),
        ("5 ug daily", [(5.0, None, "µg", None, "QD")]),
        ("卡瑞利珠单抗 200mg 静滴 每2周1次", [(200.0, None, "mg", "iv", "Q2W")]),
        ("卡瑞利珠单抗 200mg 静脉注射 每两周一次", [(200.0, None, "mg", "iv", "Q2W")]),
        ("信迪利单抗 200mg 静脉输注 每3周1次", [(200.0, None, "mg", "iv", "Q3W")]),
        ("替雷利珠单抗200毫克，静脉滴注，每三周一次", [(200.0, None, "mg", "iv", "Q3W")]),
        ("度伐利尤单抗 1500mg 每4周", [(1500.0, None, "mg", None, "Q4W")]),
        ("仑伐替尼 8mg 口服 每日一次", [(8.0, None, "mg", "oral", "QD")]),
        ("索拉非尼 400mg 口服 每日2次", [(400.0, None, "mg", "oral", "BID")]),
        ("恩沃利单抗 150mg 皮下注射 每周1次", [(150.0, None, "mg", "sc", "QW")]),
        ("奥沙利铂 85mg/m2 肝动脉灌注", [(85.0, None, "mg/m2", "intra_arterial", None)]),
        ("白介素-2 200万IU 皮下注射 隔日1次", [(2e6, None, "IU", "sc", "QOD")]),
        ("阿帕替尼 250mg/d", [(250.0, None, "mg", None, "QD")]),
        ("仑伐替尼 8mg/天 口服", [(8.0, None, "mg", "oral", "QD")]),
        ("每21天为一个周期，第1天静脉滴注奥沙利铂 130 mg/m2", [(130.0, None, "mg/m2", "iv", "Q3W")]),
        ("1,200 mg IV Q3W", [(1200.0, None, "mg", "iv", "Q3W")]),
        ("ＴＡＣＥ后口服阿帕替尼２５０ｍｇ，每日１次", [(250.0, None, "mg", "oral", "QD")]),
    ],
)
def test_parse_doses_cases(text, expected):
    doses = parse_doses(text)
    assert [_short(d) for d in doses] == expected
    assert all(d.text and d.text in text for d in doses)


def test_weight_based_alternatives_share_the_schedule():
    doses = parse_doses("lenvatinib 8 mg (body weight <60 kg) or 12 mg (>=60 kg) orally once daily")
    assert [_short(d) for d in doses] == [(8.0, None, "mg", "oral", "QD"), (12.0, None, "mg", "oral", "QD")]


@pytest.mark.parametrize(
    "text",
    [
        "hemoglobin >= 90 g/L",
        "albumin >= 29g/L",
        "HBV DNA < 500 IU/mL",
        "total bilirubin <= 2 mg/dL",
        "proteinuria < 1 g/24 h",
        "platelets >= 40 × 109/L",
        "age 18-75 years, ECOG 0-1, body weight >= 40 kg",
        "Q3W",
        "",
    ],
)
def test_laboratory_values_and_plain_numbers_are_not_doses(text):
    assert parse_doses(text) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("QD", "QD"), ("once daily", "QD"), ("once a day", "QD"), ("每日1次", "QD"), ("每天一次", "QD"),
        ("BID", "BID"), ("b.i.d.", "BID"), ("twice daily", "BID"), ("每日2次", "BID"), ("每天两次", "BID"),
        ("TID", "TID"), ("three times a day", "TID"), ("每日3次", "TID"),
        ("QW", "QW"), ("once weekly", "QW"), ("weekly", "QW"), ("每周1次", "QW"), ("每周一次", "QW"),
        ("Q2W", "Q2W"), ("every 2 weeks", "Q2W"), ("every two weeks", "Q2W"), ("每2周1次", "Q2W"),
        ("每两周一次", "Q2W"), ("q14d", "Q2W"), ("every 14 days", "Q2W"),
        ("Q3W", "Q3W"), ("every 3 weeks", "Q3W"), ("once every three weeks", "Q3W"), ("每3周1次", "Q3W"),
        ("每三周一次", "Q3W"), ("q21d", "Q3W"), ("每21天1次", "Q3W"), ("21-day cycles", "Q3W"),
        ("Q4W", "Q4W"), ("every 4 weeks", "Q4W"), ("每4周", "Q4W"), ("每隔4周", "Q4W"), ("q28d", "Q4W"),
        ("Q6W", "Q6W"), ("every 6 weeks", "Q6W"),
        ("every other day", "QOD"), ("隔日1次", "QOD"),
        ("single dose", "ONCE"), ("单次给药", "ONCE"),
        ("D1-14", "D1-14"), ("d1-d14", "D1-14"), ("days 1-14", "D1-14"), ("第1-14天", "D1-14"),
        ("D1, 8", "D1,8"), ("第1天", "D1"),
        ("as needed", None), ("", None), ("QWERTY", None),
    ],
)
def test_normalise_frequency(text, code):
    assert normalise_frequency(text) == code


def test_conflicts_only_within_one_dose_and_level():
    assert schedule_conflicts("A 200 mg Q3W 联合 B 10 mg QW") == []
    assert schedule_conflicts("250 mg QD, 21-day cycles") == []
    assert schedule_conflicts("每日1次 BID") == [("QD", "BID")]
    assert schedule_conflicts("every 2 weeks (Q3W)") == [("Q2W", "Q3W")]
    assert schedule_conflicts("no schedule here") == []


def test_parse_regimen_keeps_named_regimens_whole_and_handles_unnamed_parts():
    lex = load_lexicon()
    parts = parse_regimen("T+A: atezolizumab 1200 mg + bevacizumab 15 mg/kg IV Q3W", lexicon=lex)
    assert [(t.id if t else None, [_short(d) for d in ds]) for t, ds in parts] == [
        ("regimen-atezo-bev", []),
        ("atezolizumab", [(1200.0, None, "mg", None, None)]),
        ("bevacizumab", [(15.0, None, "mg/kg", "iv", "Q3W")]),
    ]
    parts = parse_regimen("口服阿帕替尼250mg，每日一次；卡瑞利珠单抗200mg静滴，每2周1次")
    assert [(t.id, [_short(d) for d in ds]) for t, ds in parts] == [
        ("apatinib", [(250.0, None, "mg", "oral", "QD")]),
        ("camrelizumab", [(200.0, None, "mg", "iv", "Q2W")]),
    ]
    parts = parse_regimen("study drug 10 mg QD")
    assert [(t, [_short(d) for d in ds]) for t, ds in parts] == [(None, [(10.0, None, "mg", None, "QD")])]
    assert parse_regimen("") == []


# ----------------------------------------------------------------------------- properties
_dose_alphabet = st.sampled_from(
    list("0123456789 .,-+/×^xXeEqQdDwWmgGyk()（）;；，。")
    + ["mg", "mg/kg", "mg/m2", "µg", "IU", "万IU", "cells", "Gy", "g/L", "每", "周", "日", "天", "次",
       "一", "两", "三", "联合", "静滴", "口服", "Q3W", "QD", "BID", "every", " weeks", "days", "or", "或",
       "10^", "阿帕替尼", "T+A", "\n", "\u00a0", "－", "ｍｇ"]
)
_dose_like = st.lists(_dose_alphabet, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), _dose_like))
def test_parse_doses_never_raises_and_text_is_a_substring(text):
    doses = parse_doses(text)
    for dose in doses:
        assert isinstance(dose, Dose)
        assert dose.text is not None and dose.text in text
        assert dose.amount is None or dose.amount >= 0
    schedule_conflicts(text)
    normalise_frequency(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=200), _dose_like))
def test_parse_regimen_never_raises(text):
    for therapy, doses in parse_regimen(text):
        assert therapy is not None or doses
        assert all(d.text in text for d in doses)
