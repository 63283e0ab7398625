"""Trial level: compile a Trial's criteria, evaluate a patient against one trial or a catalog.

Trial verdict: :func:`hcctrials.criteria.evaluation.verdict.decide_trial_verdict` (eligible only when every
criterion is decided; needs-review and unknown criteria make it *possibly eligible*; a record
without criteria is *unknown: criteria not in the record*).  *ineligible* lists each failing
criterion; *possibly_eligible* the deduplicated list of what to measure next.  An exclusion
criterion E counts as met for the trial when E is not met (Not(E) semantics).

For many trials :class:`CompiledCatalog` deduplicates identical criteria (by meaning) so one
patient evaluates each distinct rule once, then combines per trial with numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import numpy as np

from hcctrials.criteria.compiler.compile import compile_criterion, is_fully_compiled
from hcctrials.criteria.evaluation.evaluate import Verdict, evaluate_node, negate
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.criteria.text.split import CriterionText, carry_headings, split_criteria
from hcctrials.criteria.evaluation.verdict import NO_CRITERIA, TRIAL_CODE, TRIAL_VERDICTS, decide_trial_verdict
from hcctrials.model.eligibility import Criterion, NeedsReview, Role, leaf_key
from hcctrials.model.patient import Patient
from hcctrials.model.trial import Trial

__all__ = ["CompiledTrial", "CriterionResult", "TrialVerdict", "compile_trial", "compile_trials", "evaluate_trial",
           "trial_criteria_texts", "CompiledCatalog", "evaluate_catalog", "distinct_below"]


@dataclass
class CompiledTrial:
    trial_id: str
    criteria: list[Criterion]
    language: str = "auto"

    def to_json(self) -> dict[str, object]:
        return {"trial_id": self.trial_id, "criteria": [c.model_dump(mode="json") for c in self.criteria]}


class CriterionResult(NamedTuple):
    """One criterion's verdict for a patient.  A named tuple, not a frozen dataclass: a match request builds one
    per criterion of every trial it explains (~600 for a patient shown 20 trials), and a named tuple is made in a
    quarter of the time (issue 12: CPU per match request)."""

    criterion: Criterion
    verdict: Verdict  # of the criterion's rule as written
    status: str  # for the trial: exclusion criteria negated


@dataclass
class TrialVerdict:
    trial_id: str
    status: str  # eligible | possibly_eligible | ineligible | unknown_no_criteria (verdict.TRIAL_VERDICTS)
    results: list[CriterionResult]
    failing: list[CriterionResult] = field(default_factory=list)
    to_measure: list[str] = field(default_factory=list)
    administrative: list[CriterionResult] = field(default_factory=list)
    needs_review: list[CriterionResult] = field(default_factory=list)


def _drug_ids(trial: Trial) -> tuple[str, ...]:
    from hcctrials.criteria.families.therapy import drug_mentions

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
    roles: tuple[Role, Role] = ("inclusion", "exclusion")
    for role in roles:
        items = el.inclusion if role == "inclusion" else el.exclusion
        for lang in ("en", "zh"):
            listed = [CriterionText(str(k), text, lang, role, 0, len(text))
                      for k, item in enumerate(items, start=1) if (text := getattr(item, lang))]
            # headings leave; a field heading ("Age:") is carried onto its items (split.carry_headings)
            out[lang].extend(carry_headings(listed))
    for lang in ("en", "zh"):
        raw = getattr(el.raw_text, lang)
        if not given[lang] and raw:
            split = split_criteria(raw).items  # a block may mix both languages (ChiCTR export)
            for it_role in dict.fromkeys(it.role for it in split):
                for it in carry_headings([it for it in split if it.role == it_role]):
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
    counted = [r for r in results if not r.criterion.exclude_from_matching]
    for r in counted:
        if r.status == "not_met":
            verdict.failing.append(r)
        elif r.status == "unknown":
            verdict.to_measure.extend(r.verdict.missing)
        elif r.status == "administrative":
            verdict.administrative.append(r)
        elif r.status == "needs_review":
            verdict.needs_review.append(r)
    verdict.to_measure = list(dict.fromkeys(verdict.to_measure))
    verdict.status = decide_trial_verdict(r.status for r in counted)
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


_CODES = {"met": 0, "not_met": 1, "unknown": 2, "administrative": 3, "needs_review": 4}
#: criterion code -> trial code (0 passed, 1 undecided, 2 failed): the one table of hcctrials.criteria.evaluation.verdict
_TRIAL = tuple(TRIAL_CODE[name] for name in _CODES)


def _all(codes: list[int]) -> int:
    if 1 in codes:
        return 1
    if 2 in codes:
        return 2
    if 4 in codes:
        return 4
    return 3 if all(c == 3 for c in codes) else 0


def _any(codes: list[int]) -> int:
    active = [c for c in codes if c != 3]
    if not active:
        return 3
    if 0 in active:
        return 0
    if 2 in active:
        return 2
    return 4 if 4 in active else 1


def _run(program: object, leaf_codes: list[int]) -> int:
    """Interpret *program* over *leaf_codes*: the reference the compiled closures are tested against."""
    if isinstance(program, int):
        return leaf_codes[program]
    if not isinstance(program, tuple):
        raise TypeError(f"not a rule program: {program!r}")
    op, args = program
    if op == "n":
        c = _run(args, leaf_codes)
        return 1 if c == 0 else 0 if c == 1 else c
    codes = [_run(a, leaf_codes) for a in args]
    return _all(codes) if op == "a" else _any(codes)


# The same combination rules as _all/_any, as lookups: each code has a rank and the result is
# the code of the highest rank (AllOf: not_met > unknown > needs_review > met > administrative;
# AnyOf: met > unknown > needs_review > not_met, administrative ignored).  Used by the compiled
# closures below, which the one-patient fast path runs instead of interpreting the programs.
_ALL_RANK = (1, 4, 3, 0, 2)
_ALL_CODE = (3, 0, 4, 2, 1)
_ANY_RANK = (4, 1, 3, 0, 2)
_ANY_CODE = (3, 1, 4, 2, 0)
_NOT_CODE = (1, 0, 2, 3, 4)

RuleFunction = Callable[[list[int]], int]


def _program_leaves(program: object) -> list[int]:
    """The leaf indices a rule program reads."""
    if isinstance(program, int):
        return [program]
    if not isinstance(program, tuple):
        raise TypeError(f"not a rule program: {program!r}")
    op: str = program[0]
    args: object = program[1]
    if op == "n":
        return _program_leaves(args)
    assert isinstance(args, tuple)
    return [i for a in args for i in _program_leaves(a)]


def _compile_program(program: object) -> RuleFunction:
    """A closure computing what :func:`_run` computes for *program*."""
    if isinstance(program, int):
        index = program
        return lambda codes: codes[index]
    if not isinstance(program, tuple):
        raise TypeError(f"not a rule program: {program!r}")
    op, args = program
    if op == "n":
        inner = _compile_program(args)
        return lambda codes: _NOT_CODE[inner(codes)]
    parts = tuple(_compile_program(a) for a in args)
    if all(isinstance(a, int) for a in args):  # the common flat case: read leaf codes directly
        leaf_ids = tuple(args)
        if op == "a":
            return lambda codes: _ALL_CODE[max([_ALL_RANK[codes[i]] for i in leaf_ids])]
        return lambda codes: _ANY_CODE[max([_ANY_RANK[codes[i]] for i in leaf_ids])]
    if op == "a":
        return lambda codes: _ALL_CODE[max([_ALL_RANK[f(codes)] for f in parts])]
    return lambda codes: _ANY_CODE[max([_ANY_RANK[f(codes)] for f in parts])]


def distinct_below(values: np.ndarray, size: int) -> np.ndarray:
    """``np.unique(values)`` for integers in ``[0, size)`` (indices into a catalog's trials, rules or leaves): the
    sorted distinct values, found by marking them in a table of *size* flags.  NumPy's ``unique`` hashes or sorts
    its input, about 20 times slower on the 10^4-10^5 indices one match reads (issue 12: CPU per match)."""
    seen = np.zeros(size, dtype=bool)
    seen[values] = True
    return np.flatnonzero(seen)


class CompiledCatalog:
    """Many compiled trials prepared for fast evaluation of one patient.

    Identical criteria (same role and meaning) are stored once, identical leaves once; each
    distinct rule becomes a small program over leaf indices, so evaluating a patient costs one
    evaluation per distinct leaf (needs-review and administrative leaves cost nothing) plus
    integer combination; per-trial results are combined with numpy.  Explanations (reasons,
    missing data) for one trial come from :func:`evaluate_trial`.
    """

    def __init__(self, trials: Sequence[CompiledTrial]) -> None:
        from hcctrials.model.eligibility import AllOf, AnyOf, Not

        self.trials: Sequence[CompiledTrial] = trials
        rules: list[Criterion] = []
        self.rules: Sequence[Criterion] = rules
        self.leaves: list[object] = []
        leaf_index: dict[str, int] = {}
        self._constant: dict[int, int] = {}

        def program(node: object) -> object:
            if isinstance(node, AllOf):
                return ("a", tuple(program(c) for c in node.children))
            if isinstance(node, AnyOf):
                return ("o", tuple(program(c) for c in node.children))
            if isinstance(node, Not):
                return ("n", program(node.child))
            key = leaf_key(node)  # type: ignore[arg-type]
            idx = leaf_index.get(key)
            if idx is None:
                idx = leaf_index[key] = len(self.leaves)
                self.leaves.append(node)
                if node.kind in ("needs_review", "administrative"):  # type: ignore[attr-defined]
                    self._constant[idx] = _CODES[node.kind]  # type: ignore[attr-defined]
            return idx

        self.programs: list[object] = []
        self.exclusion: list[bool] = []
        index: dict[str, int] = {}
        ids: list[int] = []
        offsets = [0]
        # Catalogs loaded from the cache share one rule object per distinct rule (most rules recur
        # across trials), so each rule's key is computed once per object: the trials hold every
        # object for the whole loop, so an id() is never reused while this runs.
        rule_keys: dict[int, str] = {}
        for t in trials:
            for c in t.criteria:
                if c.exclude_from_matching:
                    continue
                rule_key = rule_keys.get(id(c.rule))
                if rule_key is None:
                    rule_key = rule_keys[id(c.rule)] = leaf_key(c.rule)
                key = c.role + rule_key
                if key not in index:
                    index[key] = len(rules)
                    rules.append(c)
                    self.programs.append(program(c.rule))
                    self.exclusion.append(c.role == "exclusion")
                ids.append(index[key])
            offsets.append(len(ids))
        self.criterion_ids = np.asarray(ids, dtype=np.int64)
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self._finish()

    def _finish(self) -> None:
        self._variable = [i for i in range(len(self.leaves)) if i not in self._constant]
        #: every leaf's code with the constant leaves' filled in, copied per patient (a catalog of many distinct
        #: rules has tens of thousands of needs-review leaves: filling them per match was ~1 ms at 36,000 leaves)
        self._leaf_template = [0] * len(self.leaves)
        for i, c in self._constant.items():
            self._leaf_template[i] = c
        self._functions: list[RuleFunction | int] = [
            prog if type(prog) is int else _compile_program(prog) for prog in self.programs]

    @classmethod
    def from_structure(cls, trials: Sequence[CompiledTrial], rules: Sequence[Criterion], leaves: list[object],
                       programs: list[object], exclusion: list[bool], criterion_ids: np.ndarray,
                       offsets: np.ndarray) -> CompiledCatalog:
        """A catalog from the parts a previous construction produced (e.g. stored in the database
        cache by :mod:`hcctrials.matching.compiled_cache`), without walking every criterion again.

        *trials* and *rules* may be lazy sequences (building a trial's :class:`Criterion` objects
        only when it is explained); *leaves*, *programs*, *exclusion*, *criterion_ids* and *offsets*
        must be what :meth:`__init__` computes for those trials (same order), so evaluation is the same."""
        self = cls.__new__(cls)
        self.trials, self.rules, self.leaves = trials, rules, leaves
        self.programs, self.exclusion = programs, exclusion
        self.criterion_ids = np.asarray(criterion_ids, dtype=np.int64)
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self._constant = {i: _CODES[kind] for i, leaf in enumerate(leaves)
                          if (kind := getattr(leaf, "kind", None)) in ("needs_review", "administrative")}
        self._finish()
        return self

    def rule_codes(self, facts: PatientFacts, rules: np.ndarray | None = None, *,
                   leaf_verdict: Callable[[int], Verdict] | None = None) -> np.ndarray:
        """Per distinct rule, its code for the trial (exclusions negated) for the patient in *facts*:
        0 fine, 1 unknown, 2 not met.  One evaluation per distinct leaf.

        *rules* (indices of distinct rules): compute only these, and evaluate only the leaves they
        read (a match hides trials for other conditions and closed trials before it reads their
        criteria); the other rules' codes are 0 and must not be used.  *leaf_verdict* (leaf index ->
        its verdict for *facts*, e.g. one that keeps the verdicts for the explanations that follow)
        replaces ``evaluate_leaf(self.leaves[i], facts)``."""
        from hcctrials.criteria.evaluation.evaluate import evaluate_leaf

        leaf_codes = self._leaf_template.copy()
        if rules is None:
            variable: Iterable[int] = self._variable
            wanted: Iterable[int] = range(len(self._functions))
        else:
            variable, wanted = self._leaves_of(rules), rules.tolist()
        if leaf_verdict is None:
            for i in variable:
                leaf_codes[i] = _CODES[evaluate_leaf(self.leaves[i], facts).status]
        else:
            for i in variable:
                leaf_codes[i] = _CODES[leaf_verdict(i).status]
        rule_codes = np.zeros(len(self.programs), dtype=np.int8)
        functions, exclusion = self._functions, self.exclusion
        for i in wanted:
            fn = functions[i]
            c = leaf_codes[fn] if isinstance(fn, int) else fn(leaf_codes)
            if exclusion[i]:
                c = 1 if c == 0 else 0 if c == 1 else c
            rule_codes[i] = _TRIAL[c]
        return rule_codes

    def rules_of_trials(self, trial_mask: np.ndarray) -> np.ndarray:
        """The distinct rules (sorted indices) read by the trials where *trial_mask* (one bool per trial) is set."""
        counts = self.offsets[1:] - self.offsets[:-1]
        return distinct_below(self.criterion_ids[np.repeat(trial_mask, counts)], len(self.programs))

    def _leaves_of(self, rules: np.ndarray) -> list[int]:
        """The variable leaves (not review or administrative) the given rules read, in index order."""
        table = getattr(self, "_rule_leaves", None)
        if table is None:
            ids: list[int] = []
            bounds = [0]
            for prog in self.programs:
                ids.extend(i for i in _program_leaves(prog) if i not in self._constant)
                bounds.append(len(ids))
            table = self._rule_leaves = (np.asarray(ids, dtype=np.int64), np.asarray(bounds, dtype=np.int64))
        flat, starts = table
        if not rules.size:
            return []
        lengths: np.ndarray = starts[rules + 1] - starts[rules]
        within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        picked = flat[np.repeat(starts[rules], lengths) + within]
        found: list[int] = distinct_below(picked, len(self.leaves)).tolist()
        return found

    def evaluate(self, facts: PatientFacts) -> np.ndarray:
        """Per-trial codes for the patient in *facts*: 0 eligible, 1 possibly eligible, 2 ineligible,
        3 no criteria (:data:`hcctrials.criteria.evaluation.verdict.TRIAL_VERDICTS`)."""
        rule_codes = self.rule_codes(facts)
        out = np.full(len(self.trials), NO_CRITERIA, dtype=np.int8)
        if self.criterion_ids.size:
            per_criterion = rule_codes[self.criterion_ids]
            starts = self.offsets[:-1]
            nonempty = self.offsets[1:] > starts
            maxed = np.maximum.reduceat(per_criterion, np.minimum(starts, per_criterion.size - 1))
            out[nonempty] = maxed[nonempty]
        return out


def evaluate_catalog(catalog: CompiledCatalog, patient: Patient, *, as_of: date) -> dict[str, str]:
    """trial_id -> verdict (:data:`~hcctrials.criteria.evaluation.verdict.TRIAL_VERDICTS`) for every trial of *catalog*."""
    codes = catalog.evaluate(PatientFacts(patient, as_of))
    return {t.trial_id: TRIAL_VERDICTS[int(c)] for t, c in zip(catalog.trials, codes)}


_ = is_fully_compiled
