"""Data-quality checks shared by every registry parser (pure: Trial in, findings out).

* :func:`check_bilingual_drugs` - the Chinese and the English text of one field name
  different drugs (seed 000: 阿得贝利单抗/adebrelimab in the Chinese intervention,
  "Atezolizumab" in the English; seed 001: 特瑞普利单抗/toripalimab vs "teprotumumab").
* :func:`check_schedules` - one dose text states two frequencies that disagree
  ("每周1次" = once weekly next to "Q3W").
* :func:`check_status_window` - the overall status contradicts the recruiting window.
* :func:`check_record` runs them all; parsers append its findings to ``Trial.findings``.

These checks never read the clock: the reference date is explicit or the record's own
``dates.last_updated``.
"""

from __future__ import annotations

from datetime import date, timedelta

from hcctrials.i18n import msg
from hcctrials.model.trial import Finding, OverallStatus, Text, Trial, partial_date_bounds

__all__ = ["check_bilingual_drugs", "check_schedules", "check_status_window", "check_record",
           "STATUS_GRACE_DAYS"]

#: Days a status may lag the recruiting window before it is called stale.  US rule for
#: ClinicalTrials.gov: the overall recruitment status must be updated "not later than 30
#: calendar days after any change" (42 CFR 11.64(a)(1)(ii)).
STATUS_GRACE_DAYS = 30


def _pairs(trial: Trial) -> list[tuple[str, Text]]:
    pairs: list[tuple[str, Text]] = [
        ("titles", Text(zh=" ".join(t for t in (trial.brief_title.zh, trial.scientific_title.zh) if t) or None,
                        en=" ".join(t for t in (trial.brief_title.en, trial.scientific_title.en) if t) or None)),
        ("objectives", trial.objectives),
    ]
    zh_iv, en_iv = [], []
    for iv in trial.interventions:
        zh_iv.append(iv.description.zh or iv.name.zh or "")
        en_iv.append(iv.description.en or iv.name.en or "")
    pairs.append(("interventions", Text(zh=" ".join(zh_iv).strip() or None, en=" ".join(en_iv).strip() or None)))
    for i, arm in enumerate(trial.arms):
        pairs.append((f"arms[{i}]", Text(zh=" ".join(t for t in (arm.label.zh, arm.description.zh) if t) or None,
                                         en=" ".join(t for t in (arm.label.en, arm.description.en) if t) or None)))
    return pairs


def check_bilingual_drugs(trial: Trial) -> list[Finding]:
    """``bilingual_mismatch`` where one field's Chinese and English name different drugs.

    A drug found (lexicon ``find_mentions``, or an INN-stem name the lexicon lacks) on only
    one side while the other side names a different drug that the first side lacks is a
    mismatch.  A side that names no drug at all (a shorter translation) is not.  The same
    disagreement seen in several fields is reported once, under the first field.
    """
    from hcctrials.sources.chictr.regimen import drug_mentions

    findings: list[Finding] = []
    reported: set[tuple[frozenset[str], frozenset[str]]] = set()
    for field_name, text in _pairs(trial):
        if not (text.zh and text.en):
            continue
        zh = {m.id: m for m in drug_mentions(text.zh, expand=True)}
        en = {m.id: m for m in drug_mentions(text.en, expand=True)}
        only_zh, only_en = set(zh) - set(en), set(en) - set(zh)
        if not (only_zh and only_en):
            continue
        key = (frozenset(only_zh), frozenset(only_en))
        if key in reported:
            continue
        reported.add(key)
        zh_names = ", ".join(f"{zh[i].matched} ({zh[i].name})" if zh[i].name != zh[i].matched else zh[i].matched
                             for i in sorted(only_zh))
        en_names = ", ".join(en[i].matched for i in sorted(only_en))
        findings.append(Finding(
            code="bilingual_mismatch", field=field_name,
            message=msg("the Chinese {field} name {zh} but the English name {en}",
                        field=field_name, zh=zh_names, en=en_names),
        ))
    return findings


def check_schedules(trial: Trial) -> list[Finding]:
    """``contradictory_schedule`` for each dose text stating two frequencies that disagree."""
    from hcctrials.vocab.dose import schedule_conflicts

    findings: list[Finding] = []
    for i, iv in enumerate(trial.interventions):
        texts: list[str] = []
        for candidate in (iv.description.zh, iv.description.en, *(d.text for d in iv.doses)):
            if candidate and not any(candidate in t for t in texts):
                texts.append(candidate)
        seen: set[tuple[str, str]] = set()
        for text in texts:
            for first, second in schedule_conflicts(text):
                if (first, second) in seen:
                    continue
                seen.add((first, second))
                name = iv.name.get("en") or iv.name.get("zh") or f"intervention {i + 1}"
                findings.append(Finding(
                    code="contradictory_schedule", field=f"interventions[{i}].doses",
                    message=msg("{name}: the schedule says both {first!r} and {second!r}: {text!r}",
                                name=name, first=first, second=second, text=text),
                ))
    return findings


def _as_of(trial: Trial, as_of: date | None) -> date | None:
    if as_of is not None:
        return as_of
    if trial.dates.last_updated:
        return partial_date_bounds(trial.dates.last_updated)[0]
    return None


def check_status_window(trial: Trial, *, as_of: date | None = None,
                        grace_days: int = STATUS_GRACE_DAYS) -> list[Finding]:
    """``stale_status`` where the overall status contradicts the recruiting window.

    *as_of* defaults to the record's own last-update date (never the clock); without
    either, nothing can be said.  'recruiting' (or 'not_yet_recruiting') after the
    recruitment end, and 'not_yet_recruiting' more than *grace_days* after the recruitment
    start, are stale.
    """
    reference = _as_of(trial, as_of)
    if reference is None:
        return []
    status = trial.overall_status
    start = partial_date_bounds(trial.dates.recruitment_start)[1] if trial.dates.recruitment_start else None
    end = partial_date_bounds(trial.dates.recruitment_end)[1] if trial.dates.recruitment_end else None
    grace = timedelta(days=grace_days)
    values = {"status": status.value, "as_of": reference.isoformat()}
    if status in (OverallStatus.RECRUITING, OverallStatus.NOT_YET_RECRUITING) and end and end + grace < reference:
        return [Finding(code="stale_status", field="overall_status",
                        message=msg("status '{status}' but recruitment ended {recruitment_end} (as of {as_of})",
                                    recruitment_end=trial.dates.recruitment_end or "", **values))]
    if status is OverallStatus.NOT_YET_RECRUITING and start and start + grace < reference:
        return [Finding(code="stale_status", field="overall_status",
                        message=msg("status 'not_yet_recruiting' but recruitment started {recruitment_start} "
                                    "({days} days before {as_of})", recruitment_start=trial.dates.recruitment_start or "",
                                    days=(reference - start).days, **values))]
    return []


def check_record(trial: Trial) -> list[Finding]:
    """All data-quality checks of a parsed record, new findings only (not already on it)."""
    found = [*check_bilingual_drugs(trial), *check_schedules(trial), *check_status_window(trial)]
    existing = {(f.code, f.field, f.message) for f in trial.findings}
    return [f for f in found if (f.code, f.field, f.message) not in existing]
