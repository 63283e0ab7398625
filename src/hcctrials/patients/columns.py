"""A batch of patient records read column-wise: validated and checked for plausibility without a
pydantic object per record (cohort screening, issue 15).

:func:`hcctrials.patients.io.parse_patient` reads one record: the model validates it
(:class:`~hcctrials.model.patient.Patient`, ``extra="forbid"``, whitespace stripped), numbers must be
finite, and :func:`~hcctrials.patients.plausibility.check_patient` refuses impossible values and
leaves contradictory ones out.  :func:`read_patient_columns` gives the same patients for a batch of
JSON records (one patient of our schema per row) as columns:

* **Categorical parts** (diagnosis, tumour, liver, virology, therapy lines, conditions, concomitant
  medications, allergies, location, flags, ECOG ...) are dictionary-encoded by their JSON text: each
  *distinct* value is validated once by the model's own validator (a one-field patient, so the
  field's type, constraints and the model configuration apply exactly), checked for finiteness and,
  for the tumour, for plausibility (:func:`check_patient` on it); every row gets the code of its value.
  Equal text gives an equal value, so the codes are also the dictionary encoding the column-wise
  criteria use (:mod:`hcctrials.criteria.columnar`).
* **Per-patient numbers** (age, weight, height, life expectancy, dates of birth) are checked as
  NumPy columns: type (a JSON number, not a boolean), the model's bounds, and the plausibility limits
  of :mod:`hcctrials.patients.plausibility` (weight, height, birth year).  Dates are read by the
  model's date validator once per distinct text.
* **Laboratory results** are one flat table (row of the patient, *shape*: the result without its
  value, dictionary-encoded and validated like the categorical parts, and the value as a float
  column); the plausibility rule of ``plausibility._check_lab`` (value converted to the analyte's
  canonical unit within ``units.analytes.PLAUSIBLE``) is applied per (analyte, unit) group on the
  value column, with :func:`hcctrials.units.convert` itself for values near a limit and for
  logarithmic units.

A row the column path cannot prove equal to the reader's result (an unknown field, a value of
another JSON type than the column expects, whitespace around the patient id, a value out of bounds, an impossible
value, two results of one analyte on one day, a tumour whose counts contradict its nodules, a FHIR
Bundle ...) is read by :func:`hcctrials.patients.io.parse_patient` itself: a bad record raises the
reader's error (naming file, record, field and value), a good one is written back as our JSON and
read again by the column path (a checked patient reads back as itself).  So every error is the
reader's, and every accepted record means what the reader makes of it (property-tested in
``tests/matching/test_screen_columns.py``).  Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from hcctrials.errors import ParseError
from hcctrials.i18n import msg
from hcctrials.model.patient import ANALYTES, LabResult, Patient
from hcctrials.patients.io import all_finite

__all__ = ["PatientColumns", "read_patient_columns", "CATEGORICAL_FIELDS", "NUMBER_FIELDS",
           "DATE_FIELDS"]

#: Patient fields dictionary-encoded by their JSON text (few distinct values in a cohort).
CATEGORICAL_FIELDS = ("sex", "ecog", "diagnosis", "tumour", "liver", "virology", "treatments", "conditions",
                      "history_reviewed", "residual_toxicity_grade", "residual_toxicities", "allergies",
                      "concomitant_medications",
                      "pregnant", "breastfeeding", "can_consent", "location", "notes", "data_findings",
                      "ecog_date", "age_recorded_on")
#: Per-patient numbers: (model lower bound, inclusive?, model upper bound, plausibility range or None).
NUMBER_FIELDS: dict[str, tuple[float, bool, float, tuple[float, float] | None]] = {
    "age_years": (0.0, True, 130.0, None),
    "weight_kg": (0.0, False, math.inf, None),
    "height_cm": (0.0, False, math.inf, None),
    "life_expectancy_weeks": (0.0, True, math.inf, None),
}
DATE_FIELDS = ("birth_date",)
_LAB_FIELDS = frozenset(LabResult.model_fields)
_ALL_FIELDS = frozenset(Patient.model_fields)
_ANALYTES = frozenset(ANALYTES)


def _plausible_limits() -> None:
    from hcctrials.patients import plausibility as pl

    NUMBER_FIELDS["weight_kg"] = (0.0, False, math.inf, pl.WEIGHT_KG)
    NUMBER_FIELDS["height_cm"] = (0.0, False, math.inf, pl.HEIGHT_CM)


_plausible_limits()


class _Bad(Exception):
    """A row the column path leaves to the reader."""


class _Registry:
    """Validated distinct values, shared by the batches of a process so that a value keeps its code from
    batch to batch (the column-wise criteria cache leaf verdicts per code across batches).  Replaced by
    a new registry (a new ``generation``) between batches when it grows past ``limit`` values."""

    limit = 200_000
    generation = 0

    def __init__(self) -> None:
        _Registry.generation += 1
        self.generation = _Registry.generation
        #: per categorical field: code of each JSON text seen (-1: the reader decides)
        self.ids: dict[str, dict[bytes, int]] = {name: {} for name in CATEGORICAL_FIELDS}
        self.tables = [(name, self.ids[name]) for name in CATEGORICAL_FIELDS]
        self.values: dict[str, list[Any]] = {name: [] for name in CATEGORICAL_FIELDS}
        self.shape_ids: dict[bytes, int] = {}
        self.shapes: list[LabResult] = []
        self.dates: dict[str, date | None] = {}

    def size(self) -> int:
        return sum(map(len, self.ids.values())) + len(self.shape_ids) + len(self.dates)


_REGISTRY: _Registry | None = None


def _registry() -> _Registry:
    """The registry for the next batch (a fresh one when the current one is full)."""
    global _REGISTRY
    if _REGISTRY is None or _REGISTRY.size() > _Registry.limit:
        _REGISTRY = _Registry()
    return _REGISTRY


_MISSING = b"\x00missing"


def _validate_field(reg: _Registry, name: str, text: bytes, value: Any) -> int:
    """Code of the value of field *name* with JSON *text* (-1: the reader decides)."""
    import pydantic

    if text is _MISSING:
        got: Any = getattr(_DEFAULT, name)
    else:
        try:
            got = getattr(Patient.model_validate({"patient_id": "x", name: value}), name)
        except pydantic.ValidationError:
            reg.ids[name][text] = -1
            return -1
        if not all_finite(got) or (name == "tumour" and not _tumour_fine(got)):
            reg.ids[name][text] = -1
            return -1
    values = reg.values[name]
    code = reg.ids[name][text] = len(values)
    values.append(got)
    return code


def _tumour_fine(tumour: Any) -> bool:
    """The tumour passes the plausibility rules unchanged (no error, no contradiction to leave out)."""
    from hcctrials.errors import HcctrialsError
    from hcctrials.patients.plausibility import check_patient

    probe = Patient(patient_id="x", tumour=tumour)
    try:
        return check_patient(probe) is probe
    except HcctrialsError:
        return False


def _validate_shape(reg: _Registry, text: bytes, lab: dict[str, Any]) -> int:
    """Index of the lab shape with JSON *text* (-1: the reader decides)."""
    import pydantic

    try:
        got: LabResult | None = LabResult.model_validate(lab)
    except pydantic.ValidationError:
        got = None
    if got is None or got.analyte not in _ANALYTES or not all_finite(got):
        # an unknown analyte is an error of the plausibility check: the reader names it
        reg.shape_ids[text] = -1
        return -1
    k = reg.shape_ids[text] = len(reg.shapes)
    reg.shapes.append(got)
    return k


def _validate_date(reg: _Registry, text: str) -> date | None:
    try:
        return reg.dates[text]
    except KeyError:
        pass
    import pydantic

    try:
        got: date | None = Patient.model_validate({"patient_id": "x", "birth_date": text}).birth_date
    except pydantic.ValidationError:
        got = None
    reg.dates[text] = got
    return got


_DEFAULT = Patient(patient_id="x")


def _fast(cls: Any, values: dict[str, Any]) -> Any:
    """An instance of pydantic model *cls* with already-validated field *values* (all fields given)."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


@dataclass
class PatientColumns:
    """Patients of a batch as columns (see the module docstring).

    ``codes[name]`` is the int32 code per row of categorical field *name* and ``values[name]`` the
    validated distinct values; ``numbers[name]`` float64 per row (NaN: not given); ``birth`` the birth
    date per row (None: not given); labs as the flat columns ``lab_row`` (row of the patient, in record
    order), ``lab_shape`` (index into ``shapes``: the validated result without its value) and
    ``lab_value`` (NaN: no value)."""

    n: int
    patient_ids: list[str]
    codes: dict[str, np.ndarray]
    values: dict[str, list[Any]]
    numbers: dict[str, np.ndarray]
    birth: list[date | None]
    lab_row: np.ndarray
    lab_shape: np.ndarray
    lab_value: np.ndarray
    shapes: list[LabResult]
    reread: int = 0  # rows read by the reader (parse_patient) and written back
    #: codes and shapes are those of one registry generation: equal (generation, code) means equal value
    generation: int = 0
    _patients: dict[int, Patient] = field(default_factory=dict, repr=False)
    _lab_start: np.ndarray | None = field(default=None, repr=False)

    def field_value(self, name: str, i: int) -> Any:
        return self.values[name][int(self.codes[name][i])]

    def lab_slice(self, i: int) -> tuple[int, int]:
        """(first, end) positions of row *i*'s results in the flat lab columns."""
        if self._lab_start is None:
            self._lab_start = np.searchsorted(self.lab_row, np.arange(self.n + 1))
        return int(self._lab_start[i]), int(self._lab_start[i + 1])

    def lab_result(self, k: int) -> LabResult:
        """The result at position *k* of the flat lab columns."""
        shape = self.shapes[int(self.lab_shape[k])]
        v = float(self.lab_value[k])
        values = dict(shape.__dict__)
        values["value"] = None if math.isnan(v) else v
        lab: LabResult = _fast(LabResult, values)
        return lab

    def patient(self, i: int) -> Patient:
        """The patient of row *i* as the reader gives it (built from the validated columns, once)."""
        hit = self._patients.get(i)
        if hit is not None:
            return hit
        a, b = self.lab_slice(i)
        labs = [self.lab_result(k) for k in range(a, b)]
        data: dict[str, Any] = {name: self.field_value(name, i) for name in CATEGORICAL_FIELDS}
        for name in NUMBER_FIELDS:
            v = float(self.numbers[name][i])
            data[name] = None if math.isnan(v) else v
        data["patient_id"] = self.patient_ids[i]
        data["birth_date"] = self.birth[i]
        data["labs"] = labs
        for name in ("treatments", "conditions", "allergies", "concomitant_medications", "data_findings",
                     "residual_toxicities"):
            data[name] = list(data[name])  # a list of its own per patient, as the model gives
        p: Patient = _fast(Patient, {k: data[k] for k in Patient.model_fields})
        self._patients[i] = p
        return p

    def patients(self) -> list[Patient]:
        return [self.patient(i) for i in range(self.n)]


class _Builder:
    """Accumulates rows; :meth:`row` raises :class:`_Bad` for a row it leaves to the reader."""

    def __init__(self, registry: _Registry) -> None:
        import orjson

        self.dumps = orjson.dumps
        self.reg = registry
        self.ids: list[str] = []
        self.cat_codes: dict[str, list[int]] = {name: [] for name in CATEGORICAL_FIELDS}
        self.numbers: dict[str, list[Any]] = {name: [] for name in NUMBER_FIELDS}
        self.birth: list[Any] = []
        self.lab_row: list[int] = []
        self.lab_shape: list[int] = []
        self.lab_value: list[Any] = []

    def row(self, data: Any) -> None:
        if type(data) is not dict or not data.keys() <= _ALL_FIELDS:
            raise _Bad
        pid = data.get("patient_id")
        # whitespace the model would strip (Python's str.strip() covers more than the model's): the reader decides
        if type(pid) is not str or pid != pid.strip():
            raise _Bad
        r = len(self.ids)
        # categorical parts (validated per distinct text; the codes are appended only when the row is good)
        codes: list[int] = []
        dumps = self.dumps
        reg = self.reg
        for name, table in reg.tables:
            text = _MISSING if name not in data else dumps(data[name])
            code = table.get(text)
            if code is None:
                code = _validate_field(reg, name, text, data.get(name))
            if code < 0:
                raise _Bad
            codes.append(code)
        numbers = []
        for name in NUMBER_FIELDS:
            v = data.get(name)
            if v is not None and type(v) is not float and type(v) is not int:
                raise _Bad
            numbers.append(v)
        birth = data.get("birth_date")
        if birth is not None:
            if type(birth) is not str:
                raise _Bad
            birth = _validate_date(reg, birth)
            if birth is None:
                raise _Bad
        labs = data.get("labs", [])
        if type(labs) is not list:
            raise _Bad
        shapes = []
        values = []
        for lab in labs:
            if type(lab) is not dict:
                raise _Bad
            v = lab.pop("value", None)
            if v is not None and type(v) is not float and type(v) is not int:
                raise _Bad
            text = dumps(lab)
            k = reg.shape_ids.get(text)
            if k is None:
                k = _validate_shape(reg, text, lab)
            if k < 0:
                raise _Bad
            shapes.append(k)
            values.append(v)
        # the row is good as far as per-row checks go: append
        self.ids.append(pid)
        for name, code in zip(CATEGORICAL_FIELDS, codes):
            self.cat_codes[name].append(code)
        for name, v in zip(NUMBER_FIELDS, numbers):
            self.numbers[name].append(v)
        self.birth.append(birth)
        self.lab_row.extend([r] * len(shapes))
        self.lab_shape.extend(shapes)
        self.lab_value.extend(values)

    def drop_last(self, count: int) -> None:
        """Forget rows from *count* on (they go to the reader)."""
        del self.ids[count:]
        for name in CATEGORICAL_FIELDS:
            del self.cat_codes[name][count:]
        for name in NUMBER_FIELDS:
            del self.numbers[name][count:]
        del self.birth[count:]
        keep = len(self.lab_row)
        while keep and self.lab_row[keep - 1] >= count:
            keep -= 1
        del self.lab_row[keep:], self.lab_shape[keep:], self.lab_value[keep:]


def _float_column(values: list[Any]) -> np.ndarray:
    """JSON numbers (int or float, None for missing) as float64 with NaN for None."""
    out: np.ndarray
    try:
        out = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    except OverflowError:  # an integer beyond float: one the model would refuse or turn to inf
        out = np.array([np.nan if v is None else (float(v) if abs(v) < 2 ** 1000 else np.inf) for v in values])
    return out


def _column_checks(b: _Builder) -> tuple[dict[str, np.ndarray], np.ndarray, set[int]]:
    """Numbers and lab values as columns, and the rows that fail a column rule (left to the reader)."""
    from hcctrials.patients.plausibility import MIN_BIRTH_YEAR

    n = len(b.ids)
    bad = np.zeros(n, dtype=bool)
    numbers: dict[str, np.ndarray] = {}
    for name, (low, low_inclusive, high, plausible) in NUMBER_FIELDS.items():
        col = _float_column(b.numbers[name])
        given = ~np.isnan(col)
        with np.errstate(invalid="ignore"):
            ok = (col >= low if low_inclusive else col > low) & (col <= high) & np.isfinite(col)
            if plausible is not None:
                ok &= (col >= plausible[0]) & (col <= plausible[1])
        bad |= given & ~ok
        numbers[name] = col
    for r, born in enumerate(b.birth):
        if born is not None and born.year < MIN_BIRTH_YEAR:
            bad[r] = True
    lab_value = _float_column(b.lab_value)
    lab_row = np.asarray(b.lab_row, dtype=np.int64)
    lab_shape = np.asarray(b.lab_shape, dtype=np.int64)
    if lab_row.size:
        bad_lab = ~_labs_plausible(b.reg.shapes, lab_shape, lab_value)
        bad_lab |= _same_day(b.reg.shapes, lab_row, lab_shape, lab_value)
        bad[lab_row[bad_lab]] = True
    return numbers, lab_value, set(np.nonzero(bad)[0].tolist())


def _labs_plausible(shapes: list[LabResult], lab_shape: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Per result: passes ``plausibility._check_lab`` (value in the analyte's possible range in its
    canonical unit; a unit that cannot be converted leaves the result unusable, not wrong)."""
    from hcctrials.errors import HcctrialsError
    from hcctrials.units.analytes import CANONICAL_UNITS, PLAUSIBLE
    from hcctrials.units.convert import convert

    from hcctrials.units import normalise_unit

    ok: np.ndarray = np.isfinite(value) | np.isnan(value)  # NaN: no value (not checked)
    groups: dict[tuple[str, str | None], list[int]] = {}
    for k in np.unique(lab_shape).tolist():
        s = shapes[k]
        groups.setdefault((s.analyte, s.unit), []).append(k)
    has_value = ~np.isnan(value)
    for (analyte, unit), members in groups.items():
        if analyte not in PLAUSIBLE or analyte not in CANONICAL_UNITS:
            continue
        sel = np.nonzero(np.isin(lab_shape, members) & has_value)[0]
        if not sel.size:
            continue
        canonical = CANONICAL_UNITS[analyte]
        src = unit or canonical
        low, high = PLAUSIBLE[analyte]
        try:
            one = convert(1.0, src, canonical, analyte=analyte)
        except (HcctrialsError, ValueError):
            continue  # not convertible: the engine says unknown, the check passes
        vals = value[sel]
        try:
            logarithmic = "log10 IU/mL" in (normalise_unit(src), normalise_unit(canonical))
        except HcctrialsError:
            logarithmic = True
        if logarithmic:
            exact = None
        else:
            approx = vals * one
            # clearly inside or outside; values within a relative 1e-9 of a limit are converted exactly
            near = (np.abs(approx - low) <= 1e-9 * max(abs(low), 1.0)) | \
                   (np.abs(approx - high) <= 1e-9 * max(abs(high), 1.0))
            good = (approx >= low) & (approx <= high)
            exact = near
            ok[sel[~near]] = good[~near]
        todo = sel if exact is None else sel[exact]
        for k in todo.tolist():
            try:
                v = convert(float(value[k]), src, canonical, analyte=analyte)
            except (HcctrialsError, ValueError):
                continue
            ok[k] = low <= v <= high
    return ok


def _same_day(shapes: list[LabResult], lab_row: np.ndarray, lab_shape: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Per result: another result of the same patient, analyte and day could contradict it
    (``plausibility._same_day_conflicts`` decides: such rows go to the reader)."""
    used, local = np.unique(lab_shape, return_inverse=True)
    mine = [shapes[k] for k in used.tolist()]
    eligible = np.array([s.date is not None and s.qualifier in (None, "=") for s in mine], dtype=bool)[local]
    eligible &= ~np.isnan(value)
    if not eligible.any():
        return np.zeros(lab_row.size, dtype=bool)
    analyte_ids: dict[str, int] = {}
    a_of_shape = np.array([analyte_ids.setdefault(s.analyte, len(analyte_ids)) for s in mine], dtype=np.int64)
    d_of_shape = np.array([s.date.toordinal() if s.date is not None else 0 for s in mine], dtype=np.int64)
    key = (lab_row * (len(analyte_ids) + 1) + a_of_shape[local]) * 4_000_000 + d_of_shape[local]
    key = np.where(eligible, key, -1 - np.arange(lab_row.size))  # not eligible: unique keys
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    clash: np.ndarray = (counts[inverse] > 1) & eligible
    return clash


def read_patient_columns(raws: Sequence[str | None], *, sources: Sequence[str | None] | None = None,
                         records: Sequence[str | None] | None = None) -> PatientColumns:
    """The patients of a batch of JSON records (our schema or FHIR Bundles) as columns, each read as
    :func:`hcctrials.patients.io.parse_patient` reads it (see the module docstring); an error names
    the file and record of the row (``records`` default ``row K``)."""
    import orjson

    n = len(raws)
    sources = list(sources) if sources is not None else [None] * n
    records = list(records) if records is not None else [None] * n
    reg = _registry()
    b = _Builder(reg)
    reread: dict[int, int] = {}  # input row -> builder row, for rows read by the reader
    order: list[int] = []
    pending: list[int] = []
    for k, raw in enumerate(raws):
        if raw is None:
            raise ParseError(msg("empty patient record"), file=sources[k], record=records[k] or msg("row {n}", n=k + 1),
                             field="patient_json")
        try:
            b.row(orjson.loads(raw))
        except (_Bad, orjson.JSONDecodeError):
            pending.append(k)
            continue
        order.append(k)
    # column rules over the rows read so far; the rows failing one go to the reader too
    numbers, lab_value, bad = _column_checks(b)
    if bad:
        pending.extend(order[r] for r in bad)
    pending.sort()
    if pending:
        kept = [k for r, k in enumerate(order) if r not in bad]
        rebuilt = _Builder(reg)
        for k in kept:
            rebuilt.row(orjson.loads(raws[k] or ""))
        for k in pending:
            where = records[k] or msg("row {n}", n=k + 1)
            patient = _reader(raws[k] or "", sources[k], where)  # raises the reader's error for a bad record
            reread[k] = len(rebuilt.ids)
            try:
                rebuilt.row(orjson.loads(patient.model_dump_json(exclude_none=True)))
            except _Bad:
                raise AssertionError(f"a checked patient did not read back: {where}") from None
        b = rebuilt
        order = kept + pending
        numbers, lab_value, bad = _column_checks(b)
        if bad - {reread[k] for k in pending}:
            raise AssertionError("a record passed the column rules once and failed them on re-reading")
    # back to input order
    pos = np.empty(n, dtype=np.int64)
    pos[np.asarray(order, dtype=np.int64)] = np.arange(n)  # pos[input row] = builder row
    lab_row = np.asarray(b.lab_row, dtype=np.int64)
    lab_shape = np.asarray(b.lab_shape, dtype=np.int32)
    if order != list(range(n)):
        inv = np.empty(n, dtype=np.int64)
        inv[pos] = np.arange(n)  # inv[builder row] = input row
        new_row = inv[lab_row]
        perm = np.lexsort((np.arange(lab_row.size), new_row))  # stable: record order within a patient
        lab_row, lab_shape, lab_value = new_row[perm], lab_shape[perm], lab_value[perm]
        ids = [b.ids[p] for p in pos.tolist()]
        codes = {name: np.asarray(b.cat_codes[name], dtype=np.int32)[pos] for name in CATEGORICAL_FIELDS}
        numbers = {name: col[pos] for name, col in numbers.items()}
        birth = [b.birth[p] for p in pos.tolist()]
    else:
        ids = b.ids
        codes = {name: np.asarray(b.cat_codes[name], dtype=np.int32) for name in CATEGORICAL_FIELDS}
        birth = b.birth
    return PatientColumns(n, ids, codes, reg.values, numbers, birth, lab_row, lab_shape, lab_value, reg.shapes,
                          reread=len(reread), generation=reg.generation)


def _reader(raw: str, source: str | None, record: str) -> Patient:
    """One record read by the reader itself (:func:`hcctrials.patients.io.parse_patient`)."""
    import json

    import orjson

    from hcctrials.patients.io import parse_patient

    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:  # the line reader's JSON (stdlib) also reads NaN / Infinity, which parse_patient then names
            data = json.loads(raw)
        except json.JSONDecodeError as plain:
            from hcctrials.patients.io import syntax_message

            raise ParseError(syntax_message("JSON", plain), file=source, record=record) from None
        except (ValueError, RecursionError):
            raise ParseError(msg("not valid {kind}", kind="JSON"), file=source, record=record) from None
    return parse_patient(data, source=source, record=record)
