"""split_criteria: CT.gov eligibility layout -> inclusion/exclusion items."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hcctrials.sources.ctgov.criteria_text import is_section_heading, split_criteria

_MARKER = re.compile(r"^\s*(?:[*\-•·▪◦●]|\d{1,3}[.)]|\(\d{1,3}\)|[a-zA-Z][.)]|\([a-z]\))\s+")


def test_api_v2_layout_with_nested_numbered_items() -> None:
    # Layout as in CT.gov API v2 eligibilityCriteria (e.g. NCT05883644): "* " items, nested "  1. "
    text = ("Inclusion Criteria:\n\n* Confirmed HCC\n* Child-Pugh one of the following:\n\n"
            "  1. Child-Pugh B7 with ECOG 0-1\n  2. Child-Pugh A with ECOG 2\n* Body weight >30 kg\n\n"
            "Exclusion Criteria:\n\n* Prior systemic therapy\n* History of another malignancy except for:\n\n"
            "  1. Basal cell carcinoma\n")
    inclusion, exclusion = split_criteria(text)
    assert inclusion == ["Confirmed HCC",
                         "Child-Pugh one of the following:\n  1. Child-Pugh B7 with ECOG 0-1\n"
                         "  2. Child-Pugh A with ECOG 2",
                         "Body weight >30 kg"]
    assert exclusion == ["Prior systemic therapy",
                         "History of another malignancy except for:\n  1. Basal cell carcinoma"]


def test_legacy_layout_wrapped_lines_and_dash_subitems() -> None:
    # Layout as in legacy XML textblocks (e.g. NCT05482516): "  1. " items wrapped onto
    # deeper-indented lines, "-  " sub-items indented further.
    text = ("        Inclusion Criteria:\n\n          1. Signed Informed Consent\n\n"
            "          2. Histologically confirmed hepatocellular carcinoma, or\n"
            "             gallbladder adenocarcinoma.\n\n"
            "         10. Adequate function:\n\n               -  ANC >= 1.5\n\n"
            "               -  Platelets >= 75\n\n        Exclusion criteria:\n\n"
            "          -  Pregnancy\n")
    inclusion, exclusion = split_criteria(text)
    assert inclusion == ["Signed Informed Consent",
                         "Histologically confirmed hepatocellular carcinoma, or gallbladder adenocarcinoma.",
                         "Adequate function:\n  - ANC >= 1.5\n  - Platelets >= 75"]
    assert exclusion == ["Pregnancy"]


def test_bullets_bullet_dot_and_parenthesis_numbers() -> None:
    inclusion, exclusion = split_criteria(
        "Inclusion Criteria:\n• Age 18-75\n1) ECOG 0-1\n(2) BCLC B or C\nExclusion Criteria: Pregnancy\n- HIV")
    assert inclusion == ["Age 18-75", "ECOG 0-1", "BCLC B or C"]
    assert exclusion == ["Pregnancy", "HIV"]


def test_no_heading_is_all_inclusion_and_subheadings_kept() -> None:
    # Old NCI PDQ layout (HINT NCT01009801 style): sub-headings, no Inclusion/Exclusion heading
    inclusion, exclusion = split_criteria(
        "DISEASE CHARACTERISTICS:\n\n  -  Confirmed HCC\n\nPATIENT CHARACTERISTICS:\n\n  -  ECOG 0-1\n")
    assert inclusion == ["DISEASE CHARACTERISTICS:", "Confirmed HCC", "PATIENT CHARACTERISTICS:", "ECOG 0-1"]
    assert exclusion == []


def test_headings() -> None:
    assert is_section_heading("Inclusion Criteria:") == "inclusion"
    assert is_section_heading("  -  INCLUSION CRITERIA:") == "inclusion"
    assert is_section_heading("Key Exclusion Criteria") == "exclusion"
    assert is_section_heading("Exclusion criteria for Part B:") == "exclusion"
    assert is_section_heading("排除标准：") == "exclusion"
    assert is_section_heading("Inclusion of patients with HCC is planned") is None


_LINE = st.one_of(
    st.sampled_from(["Inclusion Criteria:", "Exclusion Criteria:", "", "   ", "DISEASE CHARACTERISTICS:"]),
    st.builds(lambda indent, marker, words: " " * indent + marker + words,
              st.integers(0, 16), st.sampled_from(["* ", "- ", "-  ", "• ", "1. ", "12) ", "a) ", "(3) ", ""]),
              st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
                      min_size=0, max_size=30)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, max_size=25))
def test_never_loses_a_non_blank_line(lines: list[str]) -> None:
    text = "\n".join(lines)
    inclusion, exclusion = split_criteria(text)
    joined = "\n".join(inclusion + exclusion)
    for line in lines:
        if not line.strip() or is_section_heading(line):
            continue
        content = _MARKER.sub("", line, count=1).strip()
        # every word of the line survives, in order, within the items
        assert " ".join(content.split()) in " ".join(joined.split()), (line, inclusion, exclusion)
