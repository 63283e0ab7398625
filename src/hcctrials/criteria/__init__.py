"""hcctrials.criteria: split, compile and evaluate eligibility criteria (English and Chinese).

Parts, lowest first (a part imports only lower ones: ``tests/criteria/compiler/test_compiler_layers.py``)::

    text/        normalise and split a record's criteria text
    grammar      comparators, numbers, windows, hits, the residue test shared by the scanners
    families/    one scanner per rule family (labs, staging, therapy, history, medications, ...)
    compiler/    a criterion to one rule tree; precision audits; printable descriptions
    evaluation/  patient facts, the rule of every leaf kind, tree and trial verdicts
    catalog, columnar, coverage, protocol, labelled: trial-level and cohort tools on top

Public API::

    compile_criterion(text, *, role=None, number=None, trial_drugs=()) -> Node
    compile_trial(trial, *, language="auto") -> CompiledTrial
    evaluate_node(node, facts) -> Verdict
    evaluate_trial(compiled, patient_or_facts, *, as_of) -> TrialVerdict
    PatientFacts(patient, as_of, *, lab_window_days=28, assume_default_uln=True)
    CompiledCatalog(compiled_trials).evaluate(facts) / evaluate_catalog(catalog, patient, *, as_of)
    split_criteria(text, *, role=None) -> SplitResult
    compute_coverage(compiled_trials) -> CoverageReport
    load_protocol(path) / parse_protocol(data) / apply_protocol(compiled, protocol, rules)
    describe(node) -> str
"""

from hcctrials.criteria.catalog import (
    CompiledCatalog,
    CompiledTrial,
    CriterionResult,
    TrialVerdict,
    compile_trial,
    compile_trials,
    evaluate_catalog,
    evaluate_trial,
)
from hcctrials.criteria.compiler.compile import compile_criterion, is_fully_compiled
from hcctrials.criteria.coverage import CoverageReport, compute_coverage
from hcctrials.criteria.evaluation.evaluate import Verdict, evaluate_node
from hcctrials.criteria.evaluation.facts import DEFAULT_ULN, PatientFacts
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.protocol import apply_protocol, load_protocol, parse_protocol
from hcctrials.criteria.text.split import split_criteria

__all__ = [
    "compile_criterion", "compile_trial", "compile_trials", "evaluate_node", "evaluate_trial", "evaluate_catalog",
    "CompiledTrial", "CompiledCatalog", "CriterionResult", "TrialVerdict", "Verdict", "PatientFacts",
    "DEFAULT_ULN", "split_criteria", "compute_coverage", "CoverageReport", "load_protocol",
    "parse_protocol", "apply_protocol", "describe", "is_fully_compiled",
]
