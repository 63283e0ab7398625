"""Derive time-to-event records (ADaM ADTTE shape) from a study's dated data.

Input is the per-visit overall response table (``subject_id, visit_date,
overall_response``), so the derivation does not depend on how responses were derived,
plus one row per subject with ``first_dose_date`` and, where known,
``randomisation_date``, ``death_date``, ``last_known_alive_date`` and ``new_therapy_date``.

Two analysis sets, as in admiral's ``derive_param_tte`` (``start_date = TRTSDT`` for the
safety set, ``start_date = RANDDT`` for the intention-to-treat set; ICH E9 5.2.1: the ITT
set is every randomised subject, analysed as randomised):

* ``start_from="first_dose"`` (default, the one-arm and safety analyses): treated subjects
  only, times from the first dose (TRTSDT);
* ``start_from="randomisation"`` (ITT): every randomised subject, treated or not, times from
  the randomisation date (RANDDT).  A randomised subject never treated and never assessed
  is censored at randomisation (``rand_censor``, AVAL 1) for PFS/TTP and at the last date
  known alive (at least the randomisation date) for OS; deaths count as events.  The rules are the named
:mod:`hcctrials.endpoints.events` definitions (spec ``response-and-endpoints.md`` 5, 6.1):
the earliest event counts; without an event the latest applicable censoring counts.
AVAL = ADT - STARTDT + 1 (days), the SAS/ADaM convention admiral uses.

Everything is vectorised over subjects (pandas group-bys, no per-subject Python loop), so
whole simulated trial sets can be derived in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from hcctrials.endpoints.events import (
    DEATH_EVENT, LASTA_CENSOR, LASTALIVE_CENSOR, MISSED_CENSOR, NACT_CENSOR, PD_EVENT,
    REF_CENSOR, STANDARD_ENDPOINTS, EndpointDefinition, Source,
)
from hcctrials.endpoints.proportions import RESPONDER_CATEGORIES
from hcctrials.errors import ValidationError

__all__ = ["TteSettings", "OVERALL_RESPONSES", "ADTTE_COLUMNS", "StartFrom", "derive_tte",
           "derive_progression_dates", "check_tte_inputs"]

#: Accepted per-visit overall responses (RECIST 1.1 / mRECIST and iRECIST / imRECIST).
OVERALL_RESPONSES: frozenset[str] = frozenset(
    {"CR", "PR", "SD", "NON_CR_NON_PD", "PD", "NE",
     "iCR", "iPR", "iSD", "NON_iCR_NON_iUPD", "iUPD", "iCPD"})
_I_LABELS = frozenset({"iCR", "iPR", "iSD", "NON_iCR_NON_iUPD", "iUPD", "iCPD"})
_CONTROL = frozenset({"CR", "PR", "SD", "NON_CR_NON_PD", "iCR", "iPR", "iSD", "NON_iCR_NON_iUPD"})
ADTTE_COLUMNS = ["subject_id", "PARAMCD", "PARAM", "STARTDT", "ADT", "AVAL", "AVALU", "CNSR",
                 "EVNTDESC", "SRCNAME"]


@dataclass(frozen=True)
class TteSettings:
    """Options of the derivation.

    ``pd_rule``: "first_pd" (RECIST 1.1/mRECIST: the first PD visit); "confirmed_iupd"
    (iRECIST: the iUPD that starts the block ending in iCPD, spec 3 and 6.1);
    "pd_not_negated" (imRECIST with RECIST labels: the first PD not followed by disease
    control at the next evaluable assessment, spec 4); "auto" picks "confirmed_iupd"
    when i-labels are present, else "first_pd".
    ``unconfirmed_iupd``: whether an iUPD never confirmed nor reset is an event
    (imRECIST by [H18]: event) or not (iRECIST default: censor).
    ``last_scan_pd_as_event``: for "pd_not_negated", a PD on the last scan counts.
    ``assessment_interval_days`` and ``assessment_window_days`` define "missed
    assessments": an event more than ``k * interval + window`` days after the last
    adequate assessment follows ``k`` missed assessments.
    """

    pd_rule: Literal["auto", "first_pd", "confirmed_iupd", "pd_not_negated"] = "auto"
    unconfirmed_iupd: Literal["censor", "event"] = "censor"
    last_scan_pd_as_event: bool = True
    assessment_interval_days: int = 56
    assessment_window_days: int = 7


def _dates(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    raw = frame[column]
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw.astype("datetime64[ns]")
    out = pd.to_datetime(raw, errors="coerce")
    suspect = out.isna() & raw.notna()
    bad = suspect.copy()
    if suspect.any():
        bad[suspect] = raw[suspect].astype("string").str.strip() != ""
    if bad.any():
        i = bad[bad].index[0]
        sid = frame.loc[i, "subject_id"] if "subject_id" in frame.columns else i
        raise ValidationError(f"{what}: not a date", record=str(sid), field=column,
                              value=raw.loc[i], hint="use ISO dates such as 2025-03-14")
    return out.astype("datetime64[ns]")


def _fail(message: str, sid: object, fld: str, value: object, hint: str | None = None) -> None:
    raise ValidationError(message, record=f"subject {sid}", field=fld,
                          value=str(value)[:10] if value is not None else None, hint=hint)


StartFrom = Literal["first_dose", "randomisation"]
_START_COLUMN: dict[str, str] = {"first_dose": "first_dose_date",
                                 "randomisation": "randomisation_date"}
_START_WORDS: dict[str, str] = {"first_dose": "the first dose",
                                "randomisation": "randomisation"}


def check_tte_inputs(subjects: pd.DataFrame, visits: pd.DataFrame, *,
                     start_from: StartFrom = "first_dose") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate and normalise the inputs; raise :class:`ValidationError` naming the subject.

    Returns (subjects indexed by subject_id with datetime columns and ``start_date``, the
    date times are measured from; visits sorted).  ``start_from="randomisation"`` needs a
    ``randomisation_date`` column; dates are then checked against randomisation, and a
    treated subject must be randomised on or before the first dose."""
    if start_from not in _START_COLUMN:
        raise ValidationError(f"unknown time origin {start_from!r}", field="start_from",
                              value=start_from, hint="use 'first_dose' or 'randomisation'")
    for col in ("subject_id", "first_dose_date", _START_COLUMN[start_from]):
        if col not in subjects.columns:
            raise ValidationError(f"the subject table has no column {col!r}", field=col)
    for col in ("subject_id", "visit_date", "overall_response"):
        if col not in visits.columns:
            raise ValidationError(f"the visit response table has no column {col!r}", field=col)
    subj = pd.DataFrame({"subject_id": subjects["subject_id"].astype(str)})
    for col, what in (("first_dose_date", "first dose"), ("randomisation_date", "randomisation"),
                      ("death_date", "death"),
                      ("last_known_alive_date", "last known alive"),
                      ("new_therapy_date", "new anti-cancer therapy")):
        subj[col] = _dates(subjects.assign(subject_id=subj["subject_id"]), col, what).to_numpy()
    dup = subj["subject_id"][subj["subject_id"].duplicated()]
    if len(dup):
        _fail("subject listed more than once in the subject table", dup.iloc[0], "subject_id", None)
    subj = subj.set_index("subject_id")
    vis = pd.DataFrame({"subject_id": visits["subject_id"].astype(str)})
    vis["visit_date"] = _dates(visits.assign(subject_id=vis["subject_id"]), "visit_date",
                               "tumour assessment").to_numpy()
    # pandas accepts None as the scalar ``other`` (blanks become None, not NaN), but
    # pandas-stubs leaves None out of the accepted scalar types.
    vis["overall_response"] = visits["overall_response"].astype(object).where(  # type: ignore[call-overload]
        visits["overall_response"].notna(), None).to_numpy()
    unknown = ~vis["subject_id"].isin(subj.index)
    if unknown.any():
        _fail("has tumour assessments but is not in the subject table",
              vis.loc[unknown, "subject_id"].iloc[0], "subject_id", None,
              "add the subject (with first_dose_date) or remove the assessments")
    if vis["visit_date"].isna().any():
        _fail("tumour assessment without a date", vis.loc[vis["visit_date"].isna(), "subject_id"].iloc[0],
              "visit_date", None)
    resp = vis["overall_response"]
    bad = resp.notna() & ~resp.isin(OVERALL_RESPONSES)
    if bad.any():
        i = bad[bad].index[0]
        _fail("unknown overall response", vis.loc[i, "subject_id"], "overall_response",
              resp.loc[i], f"expected one of {', '.join(sorted(OVERALL_RESPONSES))}")
    itt = start_from == "randomisation"
    fd = subj["first_dose_date"]
    if itt:
        rd = subj["randomisation_date"]
        b = fd.notna() & rd.isna()
        if b.any():
            sid = b[b].index[0]
            _fail("treated but has no randomisation date", sid, "randomisation_date", None,
                  "the ITT analysis measures times from randomisation")
        b = fd < rd
        if b.any():
            sid = b[b].index[0]
            _fail(f"first dose dated before randomisation ({rd[sid].date()})", sid,
                  "first_dose_date", fd[sid].date())
    subj["start_date"] = subj[_START_COLUMN[start_from]]
    what_start = _START_WORDS[start_from]
    ref = vis["subject_id"].map(subj["start_date"])
    early = resp.notna() & (vis["visit_date"] < ref)
    if early.any():
        i = early[early].index[0]
        _fail(f"response assessment dated before {what_start} ({ref.loc[i].date()})",
              vis.loc[i, "subject_id"], "visit_date", vis.loc[i, "visit_date"].date(),
              "baseline scans carry no overall response; check the dates")
    untreated = resp.notna() & ref.isna()
    if untreated.any():
        _fail("has response assessments but no first dose date" if not itt else
              "has response assessments but no randomisation date",
              vis.loc[untreated, "subject_id"].iloc[0], _START_COLUMN[start_from], None)
    start = subj["start_date"]
    for col, what in (("death_date", "death"), ("new_therapy_date", "new anti-cancer therapy"),
                      ("last_known_alive_date", "last known alive date")):
        b = subj[col] < start
        if b.any():
            sid = b[b].index[0]
            _fail(f"{what} dated before {what_start} ({start[sid].date()})", sid, col,
                  subj.loc[sid, col].date())
    b = subj["last_known_alive_date"] > subj["death_date"]
    if b.any():
        sid = b[b].index[0]
        _fail(f"last known alive date is after the death date ({subj.loc[sid, 'death_date'].date()})",
              sid, "last_known_alive_date", subj.loc[sid, "last_known_alive_date"].date())
    last_visit = vis.groupby("subject_id")["visit_date"].max()
    dd = subj["death_date"].reindex(last_visit.index)
    b = dd < last_visit
    if b.any():
        sid = b[b].index[0]
        _fail(f"death date is before a tumour assessment dated {last_visit[sid].date()}", sid,
              "death_date", dd[sid].date())
    vis = vis.sort_values(["subject_id", "visit_date"], kind="stable").reset_index(drop=True)
    return subj, vis


def derive_progression_dates(visits: pd.DataFrame, settings: TteSettings = TteSettings()) -> pd.Series:
    """Date of the progression event per subject (index subject_id) under ``settings.pd_rule``.

    ``visits`` must be sorted by subject and date (as returned by :func:`check_tte_inputs`).
    """
    rule = settings.pd_rule
    resp = visits["overall_response"]
    if rule == "auto":
        rule = "confirmed_iupd" if resp.isin(_I_LABELS).any() else "first_pd"
    sid = visits["subject_id"]
    if rule == "first_pd":
        return visits.loc[resp.eq("PD"), ["subject_id", "visit_date"]].groupby("subject_id")["visit_date"].min()
    if rule == "pd_not_negated":
        ev = visits[resp.notna() & resp.ne("NE")]
        nxt = ev.groupby("subject_id")["overall_response"].shift(-1)
        is_pd = ev["overall_response"].eq("PD")
        negated = nxt.isin(_CONTROL)
        counted = is_pd & ~negated & (nxt.notna() | settings.last_scan_pd_as_event)
        return ev.loc[counted].groupby("subject_id")["visit_date"].min()
    if rule == "confirmed_iupd":
        reset = ~resp.isin({"iUPD", "iCPD", "NE", "PD"}) & resp.notna()
        seg = reset.astype(np.int64).groupby(sid).cumsum()
        frame = pd.DataFrame({"subject_id": sid, "seg": seg, "visit_date": visits["visit_date"],
                              "r": resp})
        upd = frame[frame["r"].isin({"iUPD", "PD"})].groupby(["subject_id", "seg"])["visit_date"].min()
        cpd = frame[frame["r"].eq("iCPD")].groupby("subject_id")[["seg", "visit_date"]].first()
        key = pd.MultiIndex.from_arrays([cpd.index, cpd["seg"]])
        start_of_block = pd.Series(upd.reindex(key).to_numpy(), index=cpd.index)
        confirmed = start_of_block.fillna(cpd["visit_date"]).astype("datetime64[ns]")
        if settings.unconfirmed_iupd == "event":
            last_seg = frame.groupby("subject_id")["seg"].max()
            cand = upd.reset_index()
            cand = cand[cand["seg"].to_numpy() == cand["subject_id"].map(last_seg).to_numpy()]
            extra = cand.set_index("subject_id")["visit_date"]
            extra = extra[~extra.index.isin(confirmed.index)]
            confirmed = pd.concat([confirmed, extra])
        return confirmed.rename("visit_date")
    raise ValidationError(f"unknown progression rule {rule!r}", field="pd_rule", value=rule)


def _last_before(dates: pd.DataFrame, limit: pd.Series, *, strict: bool) -> pd.Series:
    """Per subject, the latest ``visit_date`` before (or on) ``limit[subject]``."""
    lim = dates["subject_id"].map(limit)
    keep = dates["visit_date"] < lim if strict else dates["visit_date"] <= lim
    return dates.loc[keep].groupby("subject_id")["visit_date"].max()


def _first_extreme(frame: pd.DataFrame, *, latest: bool) -> npt.NDArray[np.object_]:
    """Column name of the earliest (latest) date per row; ties go to the first column."""
    if frame.shape[1] == 0:
        return np.full(len(frame), None, dtype=object)
    vals = frame.to_numpy(dtype="datetime64[ns]").view(np.int64).copy()
    nat = np.iinfo(np.int64).min
    idx: npt.NDArray[np.intp]
    if latest:
        idx = np.argmax(vals, axis=1)  # NaT is int64 min, never the latest unless all NaT
    else:
        vals[vals == nat] = np.iinfo(np.int64).max
        idx = np.argmin(vals, axis=1)
    names: npt.NDArray[np.object_] = np.asarray(frame.columns, dtype=object)
    return names[idx]


def _derive_one(d: EndpointDefinition, subj: pd.DataFrame, post: pd.DataFrame,
                responses: pd.DataFrame | None, settings: TteSettings,
                bor_column: str) -> pd.DataFrame:
    treated = subj[subj["start_date"].notna()]  # the analysis set (treated, or randomised)
    if d.start == "first_response":
        if responses is None:
            raise ValidationError(f"{d.paramcd} needs the subject-level responses "
                                  "(first_response_date and BOR)", field="responses")
        r = responses.assign(subject_id=responses["subject_id"].astype(str)).set_index("subject_id")
        missing = r.index.difference(subj.index)
        if len(missing):
            _fail("is in the response table but not in the subject table", missing[0],
                  "subject_id", None)
        resp_dates = _dates(r.reset_index(), "first_response_date", "first response")
        resp_dates.index = r.index
        responders = r.index[r[bor_column].isin(RESPONDER_CATEGORIES) & resp_dates.notna()]
        treated = treated[treated.index.isin(responders)]
        start = resp_dates.reindex(treated.index)
    else:
        start = treated["start_date"]
    ids = treated.index
    v = post[post["subject_id"].isin(ids)]
    death = treated["death_date"]
    nact = treated["new_therapy_date"]
    if d.censor_after_new_therapy:
        lim = v["subject_id"].map(nact)
        v = v[~(v["visit_date"] > lim)]
        death = death.where(~(death > nact))
    if d.start == "first_response":
        v = v[v["visit_date"] >= v["subject_id"].map(start)]
    adequate = v[v["overall_response"].notna() & v["overall_response"].ne("NE")]
    last_adequate = adequate.groupby("subject_id")["visit_date"].max().reindex(ids)
    dates: dict[str, pd.Series] = {}
    for s in d.events:
        if s.date == "progression":
            dates[s.name] = derive_progression_dates(v, settings).reindex(ids)
        elif s.date == "death":
            dates[s.name] = death.reindex(ids)
    ev = pd.DataFrame(dates, index=ids).astype("datetime64[ns]")
    has_event = ev.notna().any(axis=1)
    event_date = ev.min(axis=1)
    event_src = _first_extreme(ev, latest=False)
    missed = pd.Series(False, index=ids)
    missed_date = pd.Series(pd.NaT, index=ids, dtype="datetime64[ns]")
    if d.max_missed_assessments:
        thr = pd.Timedelta(days=d.max_missed_assessments * settings.assessment_interval_days
                           + settings.assessment_window_days)
        prior = _last_before(adequate, event_date, strict=True).reindex(ids).fillna(start)
        missed = has_event & ((event_date - prior) > thr)
        missed_date = prior
    # censoring candidates, latest applicable wins, ties go to the first listed source
    last_alive = pd.concat([treated["last_known_alive_date"],
                            post.groupby("subject_id")["visit_date"].max().reindex(ids),
                            start], axis=1).max(axis=1)
    cands: dict[str, pd.Series] = {}
    for s in d.censorings:
        if s.name == MISSED_CENSOR.name:
            continue
        if s.name == NACT_CENSOR.name:
            cands[s.name] = last_adequate.where(nact.reindex(ids).notna())
        elif s.date == "last_adequate_assessment":
            cands[s.name] = last_adequate
        elif s.date == "start":
            cands[s.name] = start
        elif s.date == "last_known_alive":
            cands[s.name] = last_alive
    cen = pd.DataFrame(cands, index=ids).astype("datetime64[ns]")
    cen_date = cen.max(axis=1)
    cen_src = _first_extreme(cen, latest=True)
    by_name: dict[str, Source] = {s.name: s for s in (*d.events, *d.censorings)}
    by_name.update({MISSED_CENSOR.name: MISSED_CENSOR})
    use_event = has_event & ~missed
    src = np.where(use_event, event_src, np.where(missed, MISSED_CENSOR.name, cen_src))
    adt = event_date.where(use_event, missed_date.where(missed, cen_date))
    out = pd.DataFrame({
        "subject_id": ids, "PARAMCD": d.paramcd, "PARAM": d.param,
        "STARTDT": start.to_numpy(), "ADT": adt.to_numpy(), "SRCNAME": src,
    })
    out["AVAL"] = (out["ADT"] - out["STARTDT"]).dt.days + 1
    out["AVALU"] = "DAYS"
    out["CNSR"] = [by_name[s].cnsr for s in out["SRCNAME"]]
    out["EVNTDESC"] = [by_name[s].evntdesc for s in out["SRCNAME"]]
    if d.death_censored_note:
        note = (out["CNSR"].to_numpy() > 0) & death.reindex(ids).notna().to_numpy()
        at_start = note & (out["SRCNAME"].to_numpy() == REF_CENSOR.name)
        out.loc[note & ~at_start, "EVNTDESC"] = "Death without progression: censored at " + \
            out.loc[note & ~at_start, "EVNTDESC"].str.lower()
        out.loc[at_start, "EVNTDESC"] = ("Death without progression: censored at start "
                                         "(no post-baseline assessment)")
    return out[ADTTE_COLUMNS]


def derive_tte(
    subjects: pd.DataFrame,
    visits: pd.DataFrame,
    *,
    responses: pd.DataFrame | None = None,
    endpoints: Sequence[EndpointDefinition] = STANDARD_ENDPOINTS,
    settings: TteSettings = TteSettings(),
    data_cutoff: date | None = None,
    bor_column: str = "best_overall_response_confirmed",
    start_from: StartFrom = "first_dose",
) -> pd.DataFrame:
    """One time-to-event record per subject of the analysis set (responders for DoR) and
    endpoint, keyed by ``subject_id`` like the inputs (the ADaM ADTTE dataset, keyed by
    USUBJID, is built from these by :func:`hcctrials.endpoints.adam.build_adtte`).

    ``subjects``: subject_id, first_dose_date and optionally randomisation_date,
    death_date, last_known_alive_date, new_therapy_date.  ``visits``: subject_id,
    visit_date, overall_response (post-baseline visits; rows dated on or before the start
    date are baseline and ignored).  ``responses``: subject-level responses (subject_id,
    first_response_date and ``bor_column``), needed for DoR.  ``data_cutoff``: data after
    it are ignored (deaths become unknown, alive dates are capped; subjects whose start
    date is after it are left out).

    ``start_from``: ``"first_dose"`` (safety set: treated subjects, STARTDT = TRTSDT) or
    ``"randomisation"`` (ITT set: every randomised subject, treated or not, STARTDT =
    RANDDT), admiral ``derive_param_tte(start_date = ...)``.
    """
    subj, vis = check_tte_inputs(subjects, visits, start_from=start_from)
    if data_cutoff is not None:
        cut = pd.Timestamp(data_cutoff)
        vis = vis[vis["visit_date"] <= cut]
        subj = subj.assign(
            start_date=subj["start_date"].where(subj["start_date"] <= cut),
            death_date=subj["death_date"].where(subj["death_date"] <= cut),
            new_therapy_date=subj["new_therapy_date"].where(subj["new_therapy_date"] <= cut),
            last_known_alive_date=subj["last_known_alive_date"].where(
                subj["last_known_alive_date"] <= cut, cut))
    ref = vis["subject_id"].map(subj["start_date"])
    post = vis[vis["visit_date"] > ref]
    parts = [_derive_one(d, subj, post, responses, settings, bor_column) for d in endpoints]
    return pd.concat(parts, ignore_index=True)
