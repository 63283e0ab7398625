"""Trial level: compile a Trial's criteria, evaluate a patient against one trial or a catalog.

Trial verdict (issue 3): *eligible* when every computable criterion is met (administrative
and needs-review criteria are listed, not blocking); *ineligible* with each failing criterion;
*possibly_eligible* with the deduplicated list of what to measure next.  An exclusion
criterion E counts as met for the trial when E is not met (Not(E) semantics).

For many trials :class:`CompiledCatalog` deduplicates identical criteria (by meaning) so one
patient evaluates each distinct rule once, then combines per trial with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from hcctrials.criteria.compile import compile_criterion, is_fully_compiled
from hcctrials.criteria.evaluate import Verdict, evaluate_node, negate
from hcctrials.criteria.facts import PatientFacts
from hcctrials.criteria.split import CriterionText, split_criteria
from hcctrials.model.eligibility import Criterion, NeedsReview, leaf_key
from hcctrials.model.patient import Patient
from hcctrials.model.trial import Trial

__all__ = ["CompiledTrial", "CriterionResult", "TrialVerdict", "compile_trial", "compile_trials", "evaluate_trial",
           "trial_criteria_texts", "CompiledCatalog", "evaluate_catalog"]


@dataclass
class CompiledTrial:
    trial_id: str
    criteria: list[Criterion]
    language: str = "auto"

    def to_json(self) -> dict[str, object]:
        return {"trial_id": self.trial_id, "criteria": [c.model_dump(mode="json") for c in self.criteria]}


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    verdict: Verdict  # of the criterion's rule as written
    status: str  # for the trial: exclusion criteria negated


@dataclass
class TrialVerdict:
    trial_id: str
    status: str  # eligible | ineligible | possibly_eligible
    results: list[CriterionResult]
    failing: list[CriterionResult] = field(default_factory=list)
    to_measure: list[str] = field(default_factory=list)
    administrative: list[CriterionResult] = field(default_factory=list)
    needs_review: list[CriterionResult] = field(default_factory=list)


def _drug_ids(trial: Trial) -> tuple[str, ...]:
    from hcctrials.criteria.therapy import drug_mentions

    ids: list[str] = []
    for iv in trial.interventions:
        ids.extend(iv.lexicon_ids)
        for text in (iv.name.en, iv.name.zh):
            if text:
                ids.extend(tid for _, _, tid, _ in drug_mentions(text))
    return tuple(dict.fromkeys(ids))


def trial_criteria_texts(trial: Trial) -> dict[str, list[CriterionText]]:
    """Criteria texts per language: the parser's item lists when given, else the raw block split."""
    out: dict[str, list[CriterionText]] = {"en": [], "zh": []}
    el = trial.eligibility
    given = {lang: bool(any(getattr(i, lang) for i in [*el.inclusion, *el.exclusion])) for lang in out}
    for role, items in (("inclusion", el.inclusion), ("exclusion", el.exclusion)):
        for k, item in enumerate(items, start=1):
            for lang in ("en", "zh"):
                text = getattr(item, lang)
                if text:
                    out[lang].append(CriterionText(str(k), text, lang, role, 0, len(text)))
    for lang in ("en", "zh"):
        raw = getattr(el.raw_text, lang)
        if not given[lang] and raw:
            for it in split_criteria(raw).items:  # a block may mix both languages (ChiCTR export)
                if not any(o.role == it.role and o.number == it.number for o in out[it.language]):
                    out[it.language].append(it)
    return out


def _review_count(c: Criterion) -> int:
    from hcctrials.model.eligibility import walk

    return sum(isinstance(n, NeedsReview) for n in walk(c.rule))


def compile_trial(trial: Trial, *, language: str = "auto") -> CompiledTrial:
    """Compile every criterion of *trial*.

    *language* 'en' / 'zh' picks one version; 'auto' compiles both and keeps, per criterion
    number and role, the version with fewer needs-review parts (Chinese on a tie, as ChiCTR
    treats the Chinese text as authoritative); a language with no criteria is skipped.
    """
    drugs = _drug_ids(trial)
    texts = trial_criteria_texts(trial)
    compiled: dict[str, dict[tuple[str, str], Criterion]] = {}
    for lang, items in texts.items():
        if language not in ("auto", lang):
            continue
        for item in items:
            role = item.role or "inclusion"
            rule = compile_criterion(item.text, role=role, number=item.number, trial_drugs=drugs)
            crit = Criterion(number=item.number, role=role, text=item.text, language=lang, rule=rule)  # type: ignore[arg-type]
            compiled.setdefault(lang, {})[(role, item.number)] = crit
    if language != "auto" or len(compiled) < 2:
        chosen = [c for by_key in compiled.values() for c in by_key.values()]
        return CompiledTrial(trial.trial_id, chosen, language)
    zh, en = compiled["zh"], compiled["en"]
    chosen = []
    for key in list(dict.fromkeys([*zh, *en])):
        candidates = [c for c in (zh.get(key), en.get(key)) if c is not None]
        chosen.append(min(candidates, key=_review_count))
    return CompiledTrial(trial.trial_id, chosen, language)


def _compile_chunk(args: tuple[list[Trial], str]) -> list[CompiledTrial]:
    trials, language = args
    return [compile_trial(t, language=language) for t in trials]


def compile_trials(trials: list[Trial], *, language: str = "auto", workers: int = 1,
                   chunk_size: int = 250) -> list[CompiledTrial]:
    """Compile many trials, in *workers* processes when > 1 (results in input order)."""
    if workers <= 1 or len(trials) <= chunk_size:
        return [compile_trial(t, language=language) for t in trials]
    from concurrent.futures import ProcessPoolExecutor

    chunks = [(trials[i:i + chunk_size], language) for i in range(0, len(trials), chunk_size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [c for part in pool.map(_compile_chunk, chunks) for c in part]


def _trial_status(results: list[CriterionResult], trial_id: str) -> TrialVerdict:
    verdict = TrialVerdict(trial_id, "eligible", results)
    for r in results:
        if r.criterion.exclude_from_matching:
            continue
        if r.status == "not_met":
            verdict.failing.append(r)
        elif r.status == "unknown":
            verdict.to_measure.extend(r.verdict.missing)
        elif r.status == "administrative":
            verdict.administrative.append(r)
        elif r.status == "needs_review":
            verdict.needs_review.append(r)
    verdict.to_measure = list(dict.fromkeys(verdict.to_measure))
    if verdict.failing:
        verdict.status = "ineligible"
    elif any(r.status == "unknown" for r in results if not r.criterion.exclude_from_matching):
        verdict.status = "possibly_eligible"
    return verdict


def evaluate_trial(compiled: CompiledTrial, patient: Patient | PatientFacts, *, as_of: date) -> TrialVerdict:
    """The trial verdict for *patient* on *as_of* (see module docstring)."""
    facts = patient if isinstance(patient, PatientFacts) else PatientFacts(patient, as_of)
    if facts.as_of != as_of:
        facts = PatientFacts(facts.patient, as_of, facts.lab_window_days, facts.assume_default_uln)
    results = []
    for c in compiled.criteria:
        v = evaluate_node(c.rule, facts)
        trial_v = negate(v) if c.role == "exclusion" else v
        results.append(CriterionResult(c, v, trial_v.status))
    return _trial_status(results, compiled.trial_id)


_CODES = {"met": 0, "administrative": 0, "needs_review": 0, "unknown": 1, "not_met": 2}


class CompiledCatalog:
    """Many compiled trials with identical criteria deduplicated (by role and meaning)."""

    def __init__(self, trials: list[CompiledTrial]) -> None:
        self.trials = trials
        self.rules: list[Criterion] = []
        index: dict[str, int] = {}
        ids: list[int] = []
        offsets = [0]
        for t in trials:
            for c in t.criteria:
                if c.exclude_from_matching:
                    continue
                key = c.role + leaf_key(c.rule)
                if key not in index:
                    index[key] = len(self.rules)
                    self.rules.append(c)
                ids.append(index[key])
            offsets.append(len(ids))
        self.criterion_ids = np.asarray(ids, dtype=np.int64)
        self.offsets = np.asarray(offsets, dtype=np.int64)

    def evaluate(self, facts: PatientFacts) -> tuple[np.ndarray, list[Verdict]]:
        """Per-trial status codes (0 eligible, 1 possibly eligible, 2 ineligible) and the
        verdict of each distinct rule (for explanations)."""
        verdicts = []
        codes = np.empty(len(self.rules), dtype=np.int8)
        for i, c in enumerate(self.rules):
            v = evaluate_node(c.rule, facts)
            status = negate(v).status if c.role == "exclusion" else v.status
            verdicts.append(v)
            codes[i] = _CODES[status]
        per_criterion = codes[self.criterion_ids] if len(self.criterion_ids) else codes[:0]
        starts = self.offsets[:-1]
        out = np.zeros(len(self.trials), dtype=np.int8)
        nonempty = self.offsets[1:] > starts
        if per_criterion.size:
            maxed = np.maximum.reduceat(per_criterion, np.minimum(starts, per_criterion.size - 1))
            out[nonempty] = maxed[nonempty]
        return out, verdicts


def evaluate_catalog(catalog: CompiledCatalog, patient: Patient, *, as_of: date) -> dict[str, str]:
    """trial_id -> 'eligible' | 'possibly_eligible' | 'ineligible' for every trial of *catalog*."""
    codes, _ = catalog.evaluate(PatientFacts(patient, as_of))
    names = ("eligible", "possibly_eligible", "ineligible")
    return {t.trial_id: names[int(c)] for t, c in zip(catalog.trials, codes)}


_ = is_fully_compiled
