"""Time-to-event derivation on small literal patient timelines.

Rules: spec response-and-endpoints.md section 5 (AVAL = ADT - start + 1; PFS = PD or
death, censor at last adequate assessment, day 1 without any; TTP censors death; DoR from
the first response; OS censored at last known alive), FDA 2018 sensitivity rules (new
therapy, two or more missed assessments), iRECIST PD dating (spec 3 and 6.1: the iUPD that
starts the block ending in iCPD), imRECIST negated PD (spec 4).  Every expected date below
is worked out by hand from the timeline in the comment.
"""

from __future__ import annotations

import pandas as pd
import pytest

from hcctrials.endpoints.derive import TteSettings, derive_tte
from hcctrials.endpoints.events import DOR, OS, PFS, PFS_MISSED, PFS_NACT, TTP
from hcctrials.errors import ValidationError

FD = "2025-01-01"


def _subjects(**cols: list) -> pd.DataFrame:
    base = {"subject_id": ["A", "B", "C", "D", "E"], "first_dose_date": [FD] * 5,
            "death_date": [None, "2025-06-01", None, "2025-09-30", None],
            "last_known_alive_date": ["2025-09-01", None, "2025-02-01", None, "2025-12-01"],
            "new_therapy_date": [None, None, None, "2025-05-01", None]}
    base.update(cols)
    return pd.DataFrame(base)


VISITS = pd.DataFrame([
    # A: PR, PR, PD -> PFS/TTP event at 2025-06-18 (day 169)
    ("A", "2024-12-28", None), ("A", "2025-02-26", "PR"), ("A", "2025-04-23", "PR"),
    ("A", "2025-06-18", "PD"),
    # B: SD, SD, dies 2025-06-01 without PD -> PFS event (death, day 152); TTP censored 04-23
    ("B", "2025-02-26", "SD"), ("B", "2025-04-23", "SD"),
    # C: no post-baseline assessment -> censored at day 1
    # D: SD 02-26, SD 04-23, new therapy 05-01, PD 06-18, death 09-30
    ("D", "2025-02-26", "SD"), ("D", "2025-04-23", "SD"), ("D", "2025-06-18", "PD"),
    # E: SD 02-26, then NE, then scans missed, PD 2025-08-20 (175 days after the last
    # adequate assessment: > 2 x 56 + 7 = 119 -> PFSMISS censors at 2025-02-26)
    ("E", "2025-02-26", "SD"), ("E", "2025-04-23", "NE"), ("E", "2025-08-20", "PD"),
], columns=["subject_id", "visit_date", "overall_response"])

RESPONSES = pd.DataFrame({"subject_id": ["A", "B", "C", "D", "E"],
                          "first_response_date": ["2025-02-26", None, None, None, None],
                          "best_overall_response_confirmed": ["PR", "SD", None, "SD", "SD"]})


def _row(adtte: pd.DataFrame, sid: str, param: str) -> tuple:
    r = adtte[(adtte["subject_id"] == sid) & (adtte["PARAMCD"] == param)]
    assert len(r) == 1, (sid, param)
    r = r.iloc[0]
    return (str(r["ADT"].date()), int(r["AVAL"]), int(r["CNSR"]), r["SRCNAME"])


@pytest.fixture()
def adtte() -> pd.DataFrame:
    return derive_tte(_subjects(), VISITS, responses=RESPONSES,
                      endpoints=(PFS, TTP, DOR, OS, PFS_NACT, PFS_MISSED))


def test_pfs(adtte: pd.DataFrame) -> None:
    assert _row(adtte, "A", "PFS") == ("2025-06-18", 169, 0, "pd_event")
    assert _row(adtte, "B", "PFS") == ("2025-06-01", 152, 0, "death_event")
    assert _row(adtte, "C", "PFS") == ("2025-01-01", 1, 2, "rand_censor")
    assert _row(adtte, "D", "PFS") == ("2025-06-18", 169, 0, "pd_event")
    assert _row(adtte, "E", "PFS") == ("2025-08-20", 232, 0, "pd_event")


def test_ttp_censors_death_without_progression(adtte: pd.DataFrame) -> None:
    assert _row(adtte, "B", "TTP") == ("2025-04-23", 113, 1, "lasta_censor")
    b = adtte[(adtte["subject_id"] == "B") & (adtte["PARAMCD"] == "TTP")].iloc[0]
    assert b["EVNTDESC"].startswith("Death without progression")


def test_dor_responders_only_from_first_response(adtte: pd.DataFrame) -> None:
    dor = adtte[adtte["PARAMCD"] == "DOR"]
    assert list(dor["subject_id"]) == ["A"]
    # 2025-02-26 to 2025-06-18: 112 days + 1
    assert _row(adtte, "A", "DOR") == ("2025-06-18", 113, 0, "pd_event")


def test_os(adtte: pd.DataFrame) -> None:
    assert _row(adtte, "A", "OS") == ("2025-09-01", 244, 1, "lastalive_censor")
    assert _row(adtte, "B", "OS") == ("2025-06-01", 152, 0, "death_event")
    # C: last contact 2025-02-01 -> day 32
    assert _row(adtte, "C", "OS") == ("2025-02-01", 32, 1, "lastalive_censor")


def test_new_therapy_sensitivity(adtte: pd.DataFrame) -> None:
    """D started new therapy on 2025-05-01: censored at the last adequate assessment
    on or before it (2025-04-23, day 113); the later PD and death are not events."""
    assert _row(adtte, "D", "PFSNACT") == ("2025-04-23", 113, 3, "nact_censor")
    assert _row(adtte, "A", "PFSNACT") == ("2025-06-18", 169, 0, "pd_event")


def test_missed_assessments_sensitivity(adtte: pd.DataFrame) -> None:
    assert _row(adtte, "E", "PFSMISS") == ("2025-02-26", 57, 4, "missed_censor")
    # A: PD 56 days after the previous adequate assessment: still an event
    assert _row(adtte, "A", "PFSMISS") == ("2025-06-18", 169, 0, "pd_event")


def test_data_cutoff_hides_later_events() -> None:
    out = derive_tte(_subjects(), VISITS, endpoints=(PFS, OS), data_cutoff=pd.Timestamp("2025-05-01").date())
    assert _row(out, "A", "PFS") == ("2025-04-23", 113, 1, "lasta_censor")
    assert _row(out, "B", "OS") == ("2025-05-01", 121, 1, "lastalive_censor")


def test_irecist_pd_dated_at_iupd_starting_confirmed_block() -> None:
    """Spec 6.1: SD, iUPD, PR, iUPD, iCPD -> the PD date is the second iUPD."""
    v = pd.DataFrame({"subject_id": ["A"] * 5,
                      "visit_date": ["2025-02-26", "2025-04-23", "2025-06-18", "2025-08-13",
                                     "2025-09-10"],
                      "overall_response": ["iSD", "iUPD", "iPR", "iUPD", "iCPD"]})
    s = _subjects().iloc[[0]]
    out = derive_tte(s, v, endpoints=(PFS,))
    assert _row(out, "A", "PFS") == ("2025-08-13", 225, 0, "pd_event")


def test_irecist_unconfirmed_iupd_is_censored_by_default() -> None:
    v = pd.DataFrame({"subject_id": ["A"] * 2, "visit_date": ["2025-02-26", "2025-04-23"],
                      "overall_response": ["iSD", "iUPD"]})
    s = _subjects().iloc[[0]]
    assert _row(derive_tte(s, v, endpoints=(PFS,)), "A", "PFS")[2] == 1
    ev = derive_tte(s, v, endpoints=(PFS,), settings=TteSettings(unconfirmed_iupd="event"))
    assert _row(ev, "A", "PFS") == ("2025-04-23", 113, 0, "pd_event")


def test_imrecist_negated_pd_is_not_an_event() -> None:
    """Spec 4 / seed 000: a PD followed by SD or response (>= 4 weeks later) is no event."""
    v = pd.DataFrame({"subject_id": ["A"] * 4,
                      "visit_date": ["2025-02-26", "2025-04-23", "2025-06-18", "2025-08-13"],
                      "overall_response": ["SD", "PD", "SD", "PD"]})
    s = _subjects().iloc[[0]]
    out = derive_tte(s, v, endpoints=(PFS,), settings=TteSettings(pd_rule="pd_not_negated"))
    assert _row(out, "A", "PFS") == ("2025-08-13", 225, 0, "pd_event")
    last = derive_tte(s, v, endpoints=(PFS,), settings=TteSettings(
        pd_rule="pd_not_negated", last_scan_pd_as_event=False))
    # the unconfirmed last-scan PD is not an event; that scan is the last adequate one
    assert _row(last, "A", "PFS") == ("2025-08-13", 225, 1, "lasta_censor")


@pytest.mark.parametrize("change,match", [
    ({"death_date": ["2024-12-01", None, None, None, None]}, "subject A.*death dated before"),
    ({"death_date": [None, "2025-03-01", None, None, None]}, "subject B.*death date is before"),
    ({"new_therapy_date": [None, None, "2024-11-01", None, None]}, "subject C.*new anti-cancer"),
    ({"last_known_alive_date": [None, "2025-07-01", None, None, None]}, "subject B.*after the death"),
    ({"first_dose_date": ["2025-03-01", FD, FD, FD, FD]}, "subject A.*before the first dose"),
])
def test_bad_input_names_the_subject(change: dict, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        derive_tte(_subjects(**change), VISITS, responses=RESPONSES)


def test_subject_missing_from_subject_table() -> None:
    v = pd.concat([VISITS, pd.DataFrame([("Z", "2025-02-26", "SD")], columns=VISITS.columns)])
    with pytest.raises(ValidationError, match="subject Z.*not in the subject table"):
        derive_tte(_subjects(), v)


def test_unknown_response_label() -> None:
    v = VISITS.copy()
    v.loc[1, "overall_response"] = "Partial"
    with pytest.raises(ValidationError, match="unknown overall response"):
        derive_tte(_subjects(), v)


def test_definitions_print_in_both_languages() -> None:
    assert "death from any cause" in PFS.describe()
    assert "死亡" in PFS.describe(lang="zh")
    assert "not an event" in TTP.describe()
