"""Issue 11 (vocabulary): dose texts stated only in arm descriptions, and lexicon gaps.

Texts: NCT05482516 legacy XML arm description (IMbrave150 regimen: atezolizumab 1200 mg +
bevacizumab 15 mg/kg IV Q3W); seed 004 arm description (iNKT cells 5×10^8-10^9/m2).
Lexicon facts: rituximab (anti-CD20; 利妥昔单抗, MabThera/美罗华); QL1706 = iparomlimab and
tuvonralimab, one product of an anti-PD-1 and an anti-CTLA-4 antibody (NCI Thesaurus C162774;
Zhao et al., J Hematol Oncol 2023;16:50); LioCyx-M, Lion TCR's mRNA HBV-specific TCR-T cells
(NCT03899415); LY3537982 = olomorasib, a KRAS G12C inhibitor (Eli Lilly).
"""

from __future__ import annotations

import pytest

from hcctrials.vocab import load_lexicon
from hcctrials.vocab.dose import doses_by_therapy, parse_doses

IMBRAVE = ("atezolizumab 1200 mg and bevacizumab 15 mg/kg given intravenously on Day 1 of each "
           "21-day cycle (every 3 weeks [Q3W]) for a maximum of 12 months.")
INKT = ("TAE/TACE combined with autologous iNKT cells infusion will be applied for patients in "
        "experimental group. TAE/TACE will be performed at 0th and 4th week. 5×10\\^8-10\\^9/m2 "
        "iNKT cells will be infused to patients at 1st, 3rd, 5th, 7th, 9th, 11th week after first "
        "TAE/TACE therapy.")


def _short(dose):
    return (dose.amount, dose.amount_high, dose.unit, dose.route, dose.frequency)


def test_and_given_shares_route_and_frequency():
    """The schedule after "... given intravenously ... Q3W" belongs to both doses."""
    assert [_short(d) for d in parse_doses(IMBRAVE)] == [
        (1200.0, None, "mg", "iv", "Q3W"), (15.0, None, "mg/kg", "iv", "Q3W")]


def test_and_without_given_does_not_share():
    """"lenvatinib 8 mg and pembrolizumab 200 mg IV Q3W": lenvatinib is oral daily in practice,
    so without "given" nothing is shared."""
    doses = parse_doses("lenvatinib 8 mg and pembrolizumab 200 mg IV Q3W")
    assert [_short(d) for d in doses] == [(8.0, None, "mg", None, None),
                                          (200.0, None, "mg", "iv", "Q3W")]


@pytest.mark.parametrize(("text", "expected"), [
    ("5×10^8-10^9/m2 iNKT cells", (5e8, 1e9, "cells/m2")),
    ("5×10\\^8-10\\^9/m2 iNKT cells", (5e8, 1e9, "cells/m2")),
    ("5×10^8-1×10^9 iNKT cells/m2", (5e8, 1e9, "cells/m2")),
    ("2×10^6/kg CAR-T cells", (2e6, None, "cells/kg")),
    ("1×10^9 cells/kg", (1e9, None, "cells/kg")),
])
def test_cell_doses(text, expected):
    [dose] = parse_doses(text)
    assert (dose.amount, dose.amount_high, dose.unit) == expected
    assert dose.text in text


def test_doses_by_therapy_imbrave150_arm():
    pairs = [(t.id, _short(d)) for t, d in doses_by_therapy(IMBRAVE)]
    assert pairs == [("atezolizumab", (1200.0, None, "mg", "iv", "Q3W")),
                     ("bevacizumab", (15.0, None, "mg/kg", "iv", "Q3W"))]


def test_doses_by_therapy_cell_dose_names_its_therapy():
    """The dose's own words name iNKT cells; TAE/TACE sentences carry no dose."""
    pairs = [(t.id, d.unit) for t, d in doses_by_therapy(INKT)]
    assert pairs == [("inkt-cells", "cells/m2")]


def test_doses_by_therapy_therapy_after_dose():
    [(therapy, dose)] = doses_by_therapy("200 mg of pembrolizumab every 3 weeks")
    assert (therapy.id, dose.amount, dose.frequency) == ("pembrolizumab", 200.0, "Q3W")


@pytest.mark.parametrize(("name", "therapy_id", "tags"), [
    ("rituximab", "rituximab", {"not_hcc"}),
    ("利妥昔单抗", "rituximab", {"not_hcc"}),
    ("QL1706", "iparomlimab-tuvonralimab", {"pd1", "ctla4", "ici"}),
    ("iparomlimab/tuvonralimab", "iparomlimab-tuvonralimab", {"pd1", "ctla4"}),
    ("LioCyx-M", "liocyx-m", {"cell_therapy"}),
    ("LY3537982", "olomorasib", {"not_hcc"}),
    ("olomorasib", "olomorasib", {"not_hcc"}),
])
def test_lexicon_gaps_filled(name, therapy_id, tags):
    therapy = load_lexicon().lookup(name)
    assert therapy is not None and therapy.id == therapy_id
    assert tags <= therapy.classes


def test_registry_texts_name_the_new_therapies():
    """NCT06954116 (CT.gov CSV) and NCT06961617 name them in outcome and intervention text."""
    lex = load_lexicon()
    text = ("From the first dose of iparomlimab/tuvonralimab administration; QL1706 as "
            "Neoadjuvant Therapy; BIOLOGICAL: LioCyx-M; LY3537982 plus pembrolizumab")
    found = [m.therapy.id for m in lex.find_mentions(text)]
    assert found == ["iparomlimab-tuvonralimab", "iparomlimab-tuvonralimab", "liocyx-m", "olomorasib",
                     "pembrolizumab"]
