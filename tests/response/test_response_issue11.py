"""Issue 11 (response engine): each test failed before its fix and cites its source.

Sources: [LL10] Lencioni & Llovet, Semin Liver Dis 2010;30:52-60 (mRECIST); [E09]
Eisenhauer et al., Eur J Cancer 2009;45:228-247 (RECIST 1.1) section 1.5 and Table 3;
[S17] Seymour et al., Lancet Oncol 2017;18:e143-e152 (iRECIST) Table 2; restated in
docs/response.md and /work/shared/docs/response-and-endpoints.md sections 1-3.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.cli.response import example_path
from hcctrials.response import ResponseInputError, ResponseSettings


def ovr(r):
    return r.visits["overall_response"].tolist()


def _cr_series(series):
    """A 30 mm viable liver target gone at three scans four weeks apart."""
    return series(days=(-7, 28, 56, 84), targets={"T1": [40, 40, 40, 40]},
                  organs={"T1": "liver"}, viable={"T1": [30, 0, 0, 0]})


def test_mrecist_zero_at_nadir_zero_is_not_pd(series, run):
    """[LL10] PD is +20% over the nadir of the viable sum with no absolute minimum; 0 mm at a
    nadir of 0 is no increase, so the CR stays CR and is confirmed ([E09] Table 3: CR, CR ->
    CR) with no progression date."""
    r = run(_cr_series(series), "mrecist", confirm=True)
    assert ovr(r) == ["CR", "CR", "CR"]
    subj = r.subjects.iloc[0]
    assert subj["best_overall_response"] == "CR"
    assert subj["first_progression_date"] is None or str(subj["first_progression_date"]) == "NaT"


def test_mrecist_viable_tumour_back_after_cr_is_pd(series, run):
    """A real increase from a nadir of 0 is still PD under [LL10] (no absolute minimum)."""
    df = series(days=(-7, 28, 56), targets={"T1": [40, 40, 40]}, organs={"T1": "liver"},
                viable={"T1": [30, 0, 3]})
    assert ovr(run(df, "mrecist")) == ["CR", "PD"]


def test_mrecist_porta_hepatis_target_under_20mm_rejected(series, run):
    """[LL10]: porta hepatis nodes are malignant only with short axis >= 20 mm, so an 18 mm
    porta hepatis node cannot be a target; 20 mm can. RECIST 1.1 (15 mm) accepts 18 mm."""
    def df(sa):
        return series(days=(-7, 56), targets={"T1": [50, 50], "PH": [sa, sa]},
                      organs={"T1": "liver", "PH": "porta hepatis"}, nodes=["PH"],
                      viable={"T1": [40, 40]})
    with pytest.raises(ResponseInputError, match="porta hepatis") as err:
        run(df(18), "mrecist")
    assert "lesion PH" in str(err.value) and "(value: 18.0)" in str(err.value)
    assert ovr(run(df(20), "mrecist")) == ["SD"]
    assert ovr(run(df(18), "recist11")) == ["SD"]


def _equivocal_at_pr(series):
    """Viable 40 -> 20 (PR) with an atypical 8 mm liver nodule, which grows to 18 mm (+10 mm:
    HCC by interval growth [LL10]) at the next scan."""
    return series(days=(-7, 56, 112), targets={"T1": [50, 30, 30]},
                  organs={"T1": "liver", "NL": "liver"}, viable={"T1": [40, 20, 20]},
                  new={"NL": [None, 8, 18]},
                  extra={"NL": {"typical_vascular_pattern": [None, False, False]}})


def test_backdated_pd_and_bor_agree(series, run):
    """[E09 1.5]: PD is dated at the scan where the equivocal lesion first appeared; that scan
    then reads PD, so BOR (up to the first PD) cannot be the PR seen at the same scan."""
    r = run(_equivocal_at_pr(series), "mrecist")
    subj = r.subjects.iloc[0]
    assert ovr(r) == ["PD", "PD"]
    assert str(subj["first_progression_date"].date()) == "2024-02-26"
    assert subj["best_overall_response"] == "PD"
    assert r.visits["rule"].iloc[0].startswith("PD (back-dated)")
    assert "2024-04-22" in r.visits["rule"].iloc[0]


def test_without_backdating_pd_at_confirming_scan(series, run):
    """The documented alternative: PD dated at the confirming scan, the PR scan stays PR."""
    r = run(_equivocal_at_pr(series), "mrecist", backdate_equivocal_new_lesions=False)
    subj = r.subjects.iloc[0]
    assert ovr(r) == ["PR", "PD"]
    assert subj["best_overall_response"] == "PR"
    assert str(subj["first_progression_date"].date()) == "2024-04-22"


def test_error_values_are_plain(series, run):
    """Errors name the value as the user wrote it (docs/architecture.md convention 4), not a
    NumPy repr such as np.float64(8.0)."""
    df = series(days=(-7, 56), targets={"T1": [8, 8]})
    with pytest.raises(ResponseInputError) as err:
        run(df)
    assert "(value: 8.0)" in str(err.value)
    assert "np." not in str(err.value)


def test_irecist_non_target_reads_icpd_when_it_confirms(series, run):
    """[S17] Table 2: non-target iUPD, then any further non-target increase -> iCPD; the
    non-target category itself reads iCPD at that visit."""
    df = series(days=(-7, 56, 112), targets={"T1": [50, 50, 50]},
                non_targets={"N1": ["present", "unequivocal_progression", "increased"]})
    r = run(df, "irecist")
    assert ovr(r) == ["iUPD", "iCPD"]
    assert r.visits["non_target_response"].tolist() == ["iUPD", "iCPD"]
    assert r.visits["target_response"].tolist() == ["iSD", "iSD"]


def test_irecist_target_reads_icpd_when_it_confirms(series, run):
    """[S17] Table 2: target iUPD, then SOD +5 mm from the iUPD value -> iCPD (target)."""
    df = series(days=(-7, 56, 112), targets={"T1": [50, 60, 65]})
    r = run(df, "irecist")
    assert ovr(r) == ["iUPD", "iCPD"]
    assert r.visits["target_response"].tolist() == ["iUPD", "iCPD"]


# Non-default CLI arguments for every ResponseSettings field (value shown in --json settings).
_CLI_ARGS: dict[str, tuple[list[str], object]] = {
    "confirm": (["--confirm"], True),
    "confirmation_min_days": (["--confirm-days", "35"], 35),
    "max_ne_between_confirmation": (["--max-ne", "2"], 2),
    "accept_sd_between_pr_and_confirmation": (["--accept-sd"], True),
    "sd_min_days": (["--min-sd-weeks", "6"], 42),
    "mrecist_pd_absolute_mm": (["--mrecist-pd-abs-mm", "5"], 5.0),
    "mrecist_atypical_targets": (["--mrecist-atypical-targets", "whole_lesion"], "whole_lesion"),
    "backdate_equivocal_new_lesions": (["--no-backdate-equivocal"], False),
    "reappearance_after_cr_is_pd": (["--no-reappearance-after-cr-pd"], False),
    "continuing_pr": (["--continuing-pr"], True),
    "visit_window_days": (["--visit-window-days", "3"], 3),
    "timepoint_date": (["--timepoint-date", "latest"], "latest"),
    "exclude_after_new_therapy": (["--include-after-new-therapy"], False),
    "irecist_unconfirmed_iupd_is_event": (["--irecist-unconfirmed-iupd-event"], True),
    "irecist_confirmation_min_days": (["--irecist-confirm-min-days", "21"], 21),
    "irecist_confirmation_max_days": (["--irecist-no-confirm-max"], None),
    "imrecist_pd_on_last_scan_is_event": (["--imrecist-last-pd-censor"], False),
    "imrecist_pd_confirmation_min_days": (["--imrecist-confirm-min-days", "35"], 35),
}


def test_every_setting_has_a_cli_option():
    """Every ResponseSettings field is listed above (a new field must get a CLI option)."""
    fields = {f.name for f in dataclasses.fields(ResponseSettings)}
    assert fields == set(_CLI_ARGS)


@pytest.mark.parametrize("name", sorted(_CLI_ARGS))
def test_cli_reaches_setting(name):
    """``hcctrials response`` passes each option to ResponseSettings (shown in --json)."""
    args, expected = _CLI_ARGS[name]
    assert getattr(ResponseSettings(), name) != expected
    res = CliRunner().invoke(app, ["response", str(example_path()), "--json", *args])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["settings"][name] == expected


def test_cli_rejects_unknown_choice(capsys):
    from hcctrials.cli.main import main
    with pytest.raises(SystemExit) as info:
        main(["response", "--example", "--timepoint-date", "middle"])
    assert info.value.code == 2
    assert "--timepoint-date" in capsys.readouterr().err
