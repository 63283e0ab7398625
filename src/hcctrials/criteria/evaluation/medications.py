"""Rule of the ``medication`` leaf: concomitant medications read against the criterion (pure).

The vocabulary and the scanner are :mod:`hcctrials.criteria.families.medications` (its module
docstring states the rule and cites the sources of the drug classes).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.criteria.families.therapy import therapy_tags
from hcctrials.criteria.evaluation.outcome import Verdict
from hcctrials.criteria.families.medications import CLASS_WORDS, medication_tags
from hcctrials.i18n import join_msgs, msg, term
from hcctrials.model.eligibility import Medication

__all__ = ["evaluate_medication", "MEDICATION_EVALUATORS", "CHRONIC_DAYS", "SHORT_COURSE_DAYS"]


def _in_frame(start: date | None, stop: date | None, ongoing: bool | None, as_of: date,
              within_days: int | None) -> bool | None:
    """Was the medication taken on *as_of* (window None) or within the window before it?  None when
    the record's dates do not tell."""
    if start is not None and start > as_of:
        return False
    lower = as_of if within_days is None else as_of - timedelta(days=within_days)
    if ongoing:
        return True
    if stop is not None:
        return stop >= lower
    if within_days is not None and start is not None and start >= lower:
        return True  # started within the window
    return None  # neither ongoing nor a stop date: taken now or stopped when?


def evaluate_medication(node: Medication, facts: PatientFacts) -> Verdict:
    """Verdict of a :class:`Medication` leaf (see the module docstring)."""
    patient = facts.patient
    as_of = facts.as_of
    wanted_agents = set(node.agents)
    wanted_classes = set(node.classes)
    what = _medication_words(node)
    entries: list[tuple[str, str | None, date | None, date | None, bool | None, str | None, str | None,
                        float | None, bool | None]] = []
    for med in patient.concomitant_medications:
        entries.append((med.name, med.drug_class, med.start, med.stop, med.ongoing, med.intent, med.route,
                        med.dose_mg_per_day, med.can_stop))
    for line in patient.treatments:
        for agent in line.agents:
            route = "systemic" if line.kind == "systemic" else None
            entries.append((agent, None, line.start, line.end, line.ongoing, "therapeutic", route, None, None))
    unknown: list[str] = []
    for name, drug_class, start, stop, ongoing, intent, route, dose, can_stop in entries:
        tid, classes, possible = medication_tags(name)
        if tid is None:
            # an anticancer agent of the therapy lexicon (sorafenib, atezolizumab ...): known, in none of
            # this vocabulary's classes unless the lexicon tags it so (corticosteroids, immunosuppressants)
            lex_id, lex_classes = therapy_tags(name)
            if lex_id is not None:
                tid, classes = lex_id, frozenset(lex_classes)
        if drug_class:
            classes = classes | {drug_class}
        frame = _in_frame(start, stop, ongoing, as_of, node.within_days)
        if frame is False:
            continue
        matches = (tid is not None and tid in wanted_agents) or bool(classes & wanted_classes)
        maybe = bool(possible & wanted_classes) and not matches
        if tid is None and not drug_class:
            unknown.append(msg("what {drug} is (medication class)", drug=name))
            continue
        if tid is not None and tid in node.except_agents:
            continue  # set apart by the criterion ("aspirin up to 100 mg/day is permitted")
        if not (matches or maybe):
            continue
        if maybe:
            unknown.append(msg("whether {drug} counts as {what}", drug=name, what=what))
            continue
        if node.therapeutic_only and intent != "therapeutic":
            if intent is None:
                unknown.append(msg("whether {drug} is given at therapeutic (full) dose", drug=name))
            continue
        if route in _LOCAL_ROUTES and "corticosteroid" in classes and "corticosteroid" in wanted_classes:
            if node.systemic_only:
                continue  # topical / inhaled: not systemic
            unknown.append(msg("whether {route} {drug} counts (the criterion does not say systemic)",
                               route=term(str(route)), drug=name))
            continue
        if frame is None:
            unknown.append(msg("dates of {drug}", drug=name))
            continue
        if node.chronic:
            days_on = (as_of - start).days if start is not None else None
            if days_on is None or SHORT_COURSE_DAYS <= days_on < CHRONIC_DAYS:
                unknown.append(msg("whether {drug} is chronic treatment (start date; taken for {days} d)", drug=name,
                                   days=days_on)
                               if days_on is not None else msg("start date of {drug} (chronic treatment?)", drug=name))
                continue
            if days_on < SHORT_COURSE_DAYS:
                continue  # a short course is not chronic treatment
        if node.systemic_only and route is None and "corticosteroid" in classes and "systemic_only_form" not in classes:
            unknown.append(msg("route of {drug} (systemic or topical/inhaled)", drug=name))
            continue
        if node.min_days_on is not None:
            if start is None:
                unknown.append(msg("start date of {drug}", drug=name))
                continue
            if (as_of - start).days <= node.min_days_on:
                continue  # not yet taken for longer than the criterion's period
        if node.dose_above_mg_per_day is not None:
            if dose is None:
                unknown.append(msg("daily dose of {drug}", drug=name))
                continue
            if dose <= node.dose_above_mg_per_day:
                continue
        if node.unable_to_stop:
            if can_stop is None:
                unknown.append(msg("whether {drug} can be stopped", drug=name))
                continue
            if can_stop:
                continue  # it can be stopped before the trial: the criterion does not apply
        when = msg("currently") if node.within_days is None else msg("within {days} d", days=node.within_days)
        return Verdict("met", msg("{drug} taken {when} ({what})", drug=name, when=when, what=what))
    if unknown:
        return Verdict("unknown", msg("{what}: not decided", what=what), tuple(dict.fromkeys(unknown)))
    if not patient.concomitant_medications and not patient.history_reviewed:
        return Verdict("unknown", msg("no concomitant medications recorded (history not reviewed)"),
                       (msg("current medications (or mark the history as reviewed)"),))
    return Verdict("not_met", msg("not recorded: {what}", what=what))


#: "Chronic" use: 3 months or more (long-term glucocorticoid therapy, ACR 2017 guideline on glucocorticoid-induced
#: osteoporosis: >= 3 months); a course under 14 days is a "brief course" (the exemption trial texts give for
#: prophylaxis), not chronic; in between the rule is unknown.
CHRONIC_DAYS = 90
SHORT_COURSE_DAYS = 14
_LOCAL_ROUTES = {"topical", "inhaled"}

MEDICATION_EVALUATORS: dict[str, Callable[[Any, PatientFacts], Verdict]] = {"medication": evaluate_medication}

def _medication_words(node: Medication) -> str:
    """:func:`describe_medication` as a message (the same English text; classes and qualifiers translated)."""
    what = [term(CLASS_WORDS.get(c, c)) for c in node.classes] + list(node.agents)
    parts: list[str] = [msg("medication: {drugs}", drugs=join_msgs("/", what))]
    if node.systemic_only:
        parts.append(msg(" systemic"))
    if node.therapeutic_only:
        parts.append(msg(" at therapeutic dose"))
    if node.chronic:
        parts.append(msg(" chronic (≥ 90 d)"))
    if node.dose_above_mg_per_day is not None:
        parts.append(msg(" > {dose} mg/day", dose=f"{node.dose_above_mg_per_day:g}"))
    if node.min_days_on is not None:
        parts.append(msg(" for > {days} d", days=node.min_days_on))
    if node.unable_to_stop:
        parts.append(msg(" that cannot be stopped"))
    if node.except_agents:
        parts.append(msg(" except {drugs}", drugs=", ".join(node.except_agents)))
    parts.append(msg(", current") if node.within_days is None else msg(", within {days} d", days=node.within_days))
    return join_msgs("", parts)
