"""Read patients from files: JSON/YAML (documented schema), FHIR R4 Bundles, JSON lines,
FHIR NDJSON and a flat CSV layout (docs/patients.md).

``load_patient(path)`` reads one patient; ``load_patients(path)`` streams many.  Errors name
the file, the record (line number or patient id) and the field.

Robust under bad input (issue 11): files are decoded by :func:`hcctrials.textdecode.decode_text`
(UTF-8, else GBK/GB18030 or UTF-16 as detected); a JSON/YAML file larger than
:data:`MAX_FILE_BYTES`, a JSON line or CSV field larger than :data:`MAX_LINE_BYTES`, data nested
deeper than :data:`MAX_DEPTH` or YAML whose aliases expand to more than :data:`MAX_NODES`
values ("billion laughs") is refused with a :class:`ParseError` naming the file; a value that
is NaN or infinite is refused with a :class:`ValidationError` naming the field and value.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import yaml

from hcctrials.errors import ParseError, ValidationError
from hcctrials.i18n import Msg, msg, term
from hcctrials.model.patient import Patient
from hcctrials.patients.fhir import parse_fhir_bundle
from hcctrials.patients.plausibility import check_patient
from hcctrials.patients.validation_text import field_path, validation_message
from hcctrials.textdecode import DETECT_BYTES, decode_text, detect_encoding

__all__ = ["all_finite", "load_patient", "load_patients", "parse_patient", "patient_json_schema",
           "CSV_COLUMNS", "CSV_LAB_SUFFIXES", "MAX_FILE_BYTES", "MAX_LINE_BYTES", "MAX_DEPTH",
           "MAX_NODES", "MAX_YAML_BYTES", "load_yaml_text"]

#: Largest JSON/YAML patient file read whole (a cohort belongs in JSON lines or CSV).
MAX_FILE_BYTES = 32 * 1024 * 1024
#: Largest YAML file: PyYAML is pure Python (about 1 MB/s), so YAML is kept smaller.
MAX_YAML_BYTES = 4 * 1024 * 1024
#: Largest line of a JSON-lines/NDJSON file and largest CSV field.
MAX_LINE_BYTES = 4 * 1024 * 1024
#: Deepest nesting of mappings and lists in a patient record (the schema needs fewer than 10).
MAX_DEPTH = 32
#: Most values a YAML document may expand to once its aliases are resolved.
MAX_NODES = 1_000_000

#: Flat CSV columns (one row = one patient); every column is optional except patient_id.
CSV_COLUMNS = {
    "patient_id": "patient_id", "birth_date": "birth_date", "age_years": "age_years",
    "age_recorded_on": "age_recorded_on", "sex": "sex", "weight_kg": "weight_kg",
    "height_cm": "height_cm", "ecog": "ecog", "ecog_date": "ecog_date",
    "city": "location.city", "province": "location.province", "country": "location.country",
    "histology": "diagnosis.histology", "confirmed_by": "diagnosis.confirmed_by",
    "cirrhosis": "diagnosis.cirrhosis", "etiologies": "diagnosis.etiologies",
    "tumour_assessed_on": "tumour.assessed_on", "nodule_count": "tumour.nodule_count",
    "largest_diameter_cm": "tumour.largest_diameter_cm",
    "vascular_invasion": "tumour.vascular_invasion", "pvtt": "tumour.pvtt",
    "extrahepatic_spread": "tumour.extrahepatic_spread",
    "measurable_disease": "tumour.measurable_disease",
    "measurable_disease_mrecist": "tumour.measurable_disease_mrecist",
    "pvtt_cheng": "tumour.pvtt_cheng", "hepatic_vein_invasion": "tumour.hepatic_vein_invasion",
    "cns_metastasis": "tumour.cns_metastasis",
    "cns_metastasis_treated_stable": "tumour.cns_metastasis_treated_stable",
    "liver_assessed_on": "liver.assessed_on", "ascites": "liver.ascites",
    "encephalopathy": "liver.encephalopathy", "varices": "liver.varices",
    "endoscopy_date": "liver.endoscopy_date",
    "ascites_requires_paracentesis": "liver.ascites_requires_paracentesis",
    "paracentesis_per_month": "liver.paracentesis_per_month", "growth_pattern": "tumour.growth_pattern",
    "residual_toxicity_grade": "residual_toxicity_grade", "history_reviewed": "history_reviewed",
    "hbsag_positive": "virology.hbsag_positive", "hbv_antiviral": "virology.hbv_antiviral",
    "anti_hcv_positive": "virology.anti_hcv_positive", "hiv_positive": "virology.hiv_positive",
    "pregnant": "pregnant", "breastfeeding": "breastfeeding",
}
#: Lab columns: ``<analyte>`` (value), ``<analyte>_unit``, ``<analyte>_date``, ``<analyte>_uln``,
#: ``<analyte>_lln``; ``labs_date`` is the default date of every lab in the row.
CSV_LAB_SUFFIXES = ("_unit", "_date", "_uln", "_lln")


def _line(n: int) -> Msg:
    """The record name of line *n* of a file ("line 3" / "第 3 行")."""
    return msg("line {n}", n=n)


#: json's own words for a syntax error (``JSONDecodeError.msg``), translated from the catalog
JSON_PROBLEMS = ("Expecting value", "Expecting property name enclosed in double quotes", "Expecting ':' delimiter",
                 "Expecting ',' delimiter", "Unterminated string starting at", "Invalid control character at",
                 "Invalid \\escape", "Invalid \\uXXXX escape", "Extra data", "Illegal trailing comma before end of object",
                 "Illegal trailing comma before end of array")


def syntax_message(kind: str, exc: BaseException) -> Msg:
    """A JSON or YAML syntax error as a message with its position (line and column, 1-based):
    the parser's own English words are a detail rendered from the catalog where it holds them
    (:data:`JSON_PROBLEMS`, common PyYAML problems), else left out of a translation."""
    from hcctrials.patients.validation_text import DetailedMsg

    if isinstance(exc, json.JSONDecodeError):
        problem, line, column = exc.msg, exc.lineno, exc.colno
    elif isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        problem, line, column = str(exc.problem or exc.context or ""), exc.problem_mark.line + 1, \
            exc.problem_mark.column + 1
    else:
        problem, line, column = str(exc), None, None
    if line is None:
        return DetailedMsg(msg("not valid {kind}: {problem}", kind=kind, problem=term(problem)),
                           msg("not valid {kind}", kind=kind), problem)
    return DetailedMsg(msg("not valid {kind}: {problem} (line {line}, column {column})", kind=kind,
                           problem=term(problem), line=line, column=column),
                       msg("not valid {kind} (line {line}, column {column})", kind=kind, line=line,
                           column=column), problem)


def _csv_message(exc: BaseException) -> Msg:
    """A csv module error (its words are a detail, as in :func:`syntax_message`)."""
    from hcctrials.patients.validation_text import DetailedMsg

    problem = str(exc)
    return DetailedMsg(msg("not valid {kind}: {problem}", kind="CSV", problem=term(problem)),
                       msg("not valid {kind}", kind="CSV"), problem)


def _os_error_message(exc: OSError) -> Msg:
    """Why a file cannot be read, by the kind of OS error (not its English ``strerror``)."""
    if isinstance(exc, FileNotFoundError):
        return msg("file not found")
    if isinstance(exc, IsADirectoryError):
        return msg("this is a folder, not a file")
    if isinstance(exc, PermissionError):
        return msg("no permission to read the file")
    return msg("cannot read the file (system error {errno})", errno=exc.errno)


def _check_depth(data: Any, *, source: str | None, record: str | None) -> None:
    """ParseError if *data* nests mappings/lists deeper than :data:`MAX_DEPTH` (the root is level 1)."""
    if isinstance(data, (dict, list)) and _deeper_than(data, 1):
        raise ParseError(msg("data nested deeper than {levels} levels", levels=MAX_DEPTH), file=source,
                         record=record,
                         hint=msg("a patient record needs a few levels (patient > labs > lab); "
                                  "check the file was not generated wrongly"))


def _deeper_than(container: dict[Any, Any] | list[Any], level: int) -> bool:
    """Whether a mapping or list inside *container* (itself at *level*) lies deeper than :data:`MAX_DEPTH`.  Recursive:
    the recursion stops at MAX_DEPTH levels, and a call per container (not per value) is what makes the check cheap
    on every request body (a 22-resource FHIR bundle: 0.11 -> 0.03 ms)."""
    for child in (container.values() if isinstance(container, dict) else container):
        if isinstance(child, (dict, list)) and (level >= MAX_DEPTH or _deeper_than(child, level + 1)):
            return True
    return False


def _check_finite(patient: Patient, *, source: str | None, record: str | None) -> None:
    """ValidationError naming the field for any NaN or infinite number in *patient*.

    JSON (``NaN``, ``Infinity``), YAML (``.nan``, ``.inf``) and CSV ("nan") can all spell
    them and pydantic accepts them as floats; no score can use them (MELD once crashed on
    ``int(nan)``), and "unknown" is spelled by leaving the value out (None).  The patient is
    searched without the fields' paths first (every request pays that search); the path of
    the field is worked out only for the error.
    """
    if all_finite(patient):
        return
    stack: list[tuple[str, Any]] = [("", patient)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ValidationError(msg("number is NaN or infinite"), file=source,
                                      record=record or patient.patient_id, field=path, value=item,
                                      hint=msg("give a finite number, or leave the value out if unknown"))
        elif isinstance(item, pydantic.BaseModel):
            stack.extend((f"{path}.{k}" if path else k, v) for k, v in item.__dict__.items())
        elif isinstance(item, (list, tuple)):
            stack.extend((f"{path}.{i}", v) for i, v in enumerate(item))
        elif isinstance(item, dict):
            stack.extend((f"{path}.{k}", v) for k, v in item.items())


def all_finite(value: Any) -> bool:
    """No NaN or infinite float anywhere in *value* (pydantic models, lists, tuples, dict values)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is int or kind is bool or item is None:  # most values: nothing inside
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                return False
        elif isinstance(item, pydantic.BaseModel):
            stack.extend(item.__dict__.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return True


def parse_patient(data: Any, *, source: str | None = None, record: str | None = None) -> Patient:
    """A patient from a parsed JSON/YAML mapping (our schema) or a FHIR Bundle mapping.

    Numbers must be finite (:func:`_check_finite`) and nesting shallow (:data:`MAX_DEPTH`).
    """
    if not isinstance(data, dict):
        raise ParseError(msg("a patient must be a mapping"), file=source, record=record,
                         value=type(data).__name__)
    _check_depth(data, source=source, record=record)
    if data.get("resourceType") == "Bundle":
        patient = parse_fhir_bundle(data, source=source)
        _check_finite(patient, source=source, record=record)
        return check_patient(patient, file=source, record=record)
    try:
        patient = Patient.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        pid = data.get("patient_id")
        rec = record or (str(pid)[:80] if pid else None)
        raise ValidationError(validation_message(first), file=source, record=rec,
                              field=field_path(first["loc"]), value=first.get("input"),
                              hint=msg("{n} problem(s); see docs/patients.md", n=exc.error_count())) from None
    _check_finite(patient, source=source, record=record)
    return check_patient(patient, file=source, record=record)  # impossible values: error; contradictions: findings


def _read_bytes(path: Path, limit: int, kind: str) -> bytes:
    from hcctrials.sources.base import read_bytes_limited

    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IsADirectoryError(21, "Is a directory")
    except OSError as exc:
        raise ParseError(_os_error_message(exc), file=str(path)) from None
    if size > limit:
        raise ParseError(msg("{kind} patient file larger than {mb} MB", kind=kind, mb=limit // (1024 * 1024)),
                         file=str(path),
                         hint=msg("put a cohort in JSON lines (.jsonl) or CSV, one patient per line"))
    return read_bytes_limited(path, limit, what=f"{kind} patient file",
                              hint=msg("put a cohort in JSON lines (.jsonl) or CSV, one patient per line"))


def _yaml_expanded_size(node: yaml.Node, *, source: str) -> None:
    """ParseError if the YAML node graph expands past :data:`MAX_NODES` values or recurses.

    Aliases make the composed graph share nodes, so a few kilobytes can stand for billions of
    values ("billion laughs"); the expanded count is computed per node once (memoised).
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, done = stack.pop()
        key = id(current)
        if done:
            on_path.discard(key)
            children = _yaml_children(current)
            size = 1 + sum(sizes[id(c)] for c in children)
            if size > MAX_NODES:
                raise ParseError(msg("YAML aliases expand to more than {n} values", n=f"{MAX_NODES:,}"),
                                 file=source,
                                 hint=msg("YAML anchors/aliases (&a, *a) may not multiply the data; "
                                          "write the values out or use JSON"))
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ParseError(msg("YAML alias refers to the value that contains it"), file=source,
                             hint=msg("a patient record cannot contain itself"))
        on_path.add(key)
        stack.append((current, True))
        stack.extend((child, False) for child in _yaml_children(current) if id(child) not in sizes)


def _yaml_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def load_yaml_text(text: str, source: str) -> Any:
    """The data of one YAML document *text* (safe loader), refusing an alias expansion larger than
    the size limit of patient files (a "billion laughs" document); *source* names it in errors.
    Used for patient files and uploads; raises ``yaml.YAMLError`` (or ParseError for the size)."""
    return _load_yaml(text, source)


def _load_yaml(text: str, source: str) -> Any:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _yaml_expanded_size(node, source=source)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _read_mapping(path: Path) -> Any:
    is_yaml = path.suffix.lower() in (".yaml", ".yml")
    kind = "YAML" if is_yaml else "JSON"
    raw = _read_bytes(path, MAX_YAML_BYTES if is_yaml else MAX_FILE_BYTES, kind)
    text = decode_text(raw, file=str(path), expected=f"a {kind} patient file")
    try:
        data = _load_yaml(text, str(path)) if is_yaml else json.loads(text)
    except RecursionError:
        raise ParseError(msg("not valid {kind}: nested too deeply", kind=kind), file=str(path),
                         hint=msg("a patient record is at most {levels} levels deep", levels=MAX_DEPTH)) from None
    except (ValueError, yaml.YAMLError) as exc:  # JSONDecodeError is a ValueError; so is a bad YAML date
        raise ParseError(syntax_message(kind, exc), file=str(path)) from None
    _check_depth(data, source=str(path), record=None)
    return data


def load_patient(path: str | Path) -> Patient:
    """One patient from a ``.json``/``.yaml``/``.yml`` file (our schema or a FHIR Bundle)."""
    p = Path(path)
    data = _read_mapping(p)
    if isinstance(data, list):
        raise ParseError(msg("file holds a list of patients; use load_patients"), file=str(p))
    return parse_patient(data, source=str(p))


def load_patients(path: str | Path) -> Iterator[Patient]:
    """Stream patients from a file.

    ``.jsonl``: one patient (or FHIR Bundle) per line.  ``.ndjson``: the same, or FHIR bulk
    NDJSON of single resources (grouped per patient by ``subject``/``patient`` reference; this
    grouping holds the file's resources in memory).  ``.json``/``.yaml``: one patient or a list.
    ``.csv``: the flat layout of :data:`CSV_COLUMNS`.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from _load_lines(p)
    elif suffix == ".csv":
        yield from _load_csv(p)
    elif suffix in (".json", ".yaml", ".yml"):
        data = _read_mapping(p)
        items = data if isinstance(data, list) else [data]
        for i, item in enumerate(items):
            yield parse_patient(item, source=str(p), record=msg("item {n}", n=i))
    else:
        raise ParseError(msg("unknown patient file type"), file=str(p), value=suffix,
                         hint=msg("use .json, .yaml, .jsonl, .ndjson or .csv"))


def _load_lines(p: Path) -> Iterator[Patient]:
    pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
    patients: dict[str, dict[str, Any]] = {}
    with _open_text(p) as handle:
        for n, line in _numbered_lines(handle, p):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except RecursionError:
                raise ParseError(msg("not valid {kind}: nested too deeply", kind="JSON"), file=str(p),
                                 record=_line(n)) from None
            except json.JSONDecodeError as exc:
                raise ParseError(syntax_message("JSON", exc), file=str(p), record=_line(n)) from None
            except ValueError as exc:  # e.g. an integer of more than 4300 digits
                raise ParseError(syntax_message("JSON", exc), file=str(p), record=_line(n)) from None
            rtype = data.get("resourceType") if isinstance(data, dict) else None
            if rtype is None or rtype == "Bundle":
                yield parse_patient(data, source=str(p), record=_line(n))
                continue
            _check_depth(data, source=str(p), record=_line(n))
            if not isinstance(rtype, str):
                raise ParseError(msg("FHIR resourceType must be a string"), file=str(p), record=_line(n),
                                 field="resourceType", value=rtype)
            if rtype == "Patient":
                patients[str(data.get("id"))] = data
            else:
                subject = data.get("subject") or data.get("patient") or {}
                ref = subject.get("reference", "") if isinstance(subject, dict) else ""
                if not isinstance(ref, str) or not ref.startswith("Patient/"):
                    raise ParseError(msg("FHIR resource without a Patient subject reference"),
                                     file=str(p), record=msg("line {n} ({resource})", n=n,
                                                             resource=f"{rtype}/{data.get('id')}"),
                                     field="subject.reference", value=ref or None)
                pending[ref.split("/", 1)[1]].append(data)
    for pid, pt in patients.items():
        entries = [{"resource": pt}] + [{"resource": r} for r in pending.pop(pid, [])]
        patient = parse_fhir_bundle({"resourceType": "Bundle", "type": "collection", "entry": entries},
                                    source=str(p))
        _check_finite(patient, source=str(p), record=f"Patient/{pid}")
        yield check_patient(patient, file=str(p), record=f"Patient/{pid}")
    if pending:
        raise ParseError(msg("FHIR resources refer to patients not in the file"), file=str(p),
                         value=sorted(pending)[:5])


def _open_text(p: Path) -> io.TextIOWrapper:
    """*p* opened as text in its detected encoding (:mod:`hcctrials.textdecode`)."""
    try:
        handle = p.open("rb")
    except OSError as exc:
        raise ParseError(_os_error_message(exc), file=str(p)) from None
    head = handle.read(DETECT_BYTES)
    handle.seek(0)
    encoding = detect_encoding(head, complete=len(head) < DETECT_BYTES)
    if encoding is None:
        handle.close()
        raise ParseError(msg("the file is not text in any known encoding (binary?)"), file=str(p),
                         hint=msg("Expected UTF-8 text (or GBK/GB18030, UTF-16)"))
    if encoding == "utf-8":
        encoding = "utf-8-sig"
    try:
        codecs.lookup(encoding)
    except LookupError:
        handle.close()
        raise ParseError(msg("the file's encoding is not supported"), file=str(p), value=encoding) from None
    return io.TextIOWrapper(handle, encoding=encoding, newline="")


def _numbered_lines(handle: io.TextIOWrapper, p: Path) -> Iterator[tuple[int, str]]:
    """Lines of *handle* with their numbers; ParseError for an undecodable or too long line."""
    n = 0
    while True:
        try:
            line = handle.readline(MAX_LINE_BYTES + 1)
        except UnicodeDecodeError as exc:
            raise ParseError(msg("the file does not decode as {encoding} (byte {byte} of a chunk)",
                                 encoding=handle.encoding, byte=exc.start),
                             file=str(p), record=_line(n + 1),
                             hint=msg("save the file as UTF-8")) from None
        if not line:
            return
        n += 1
        if len(line) > MAX_LINE_BYTES:
            raise ParseError(msg("line longer than {n} characters", n=f"{MAX_LINE_BYTES:,}"), file=str(p),
                             record=_line(n), hint=msg("one patient per line, of a reasonable size"))
        yield n, line


def _set(target: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _load_csv(p: Path) -> Iterator[Patient]:
    from hcctrials.model.patient import ANALYTES

    with _open_text(p) as handle:
        reader = csv.DictReader(line for _, line in _numbered_lines(handle, p))
        known = set(CSV_COLUMNS) | {"labs_date"} | set(ANALYTES) | {
            a + s for a in ANALYTES for s in CSV_LAB_SUFFIXES}
        try:
            fieldnames = reader.fieldnames or []
        except csv.Error as exc:
            raise ParseError(_csv_message(exc), file=str(p), record=_line(1)) from None
        unknown = [c for c in fieldnames if c not in known]
        if unknown:
            raise ParseError(msg("unknown CSV column(s)"), file=str(p), field=", ".join(unknown)[:200],
                             hint=msg("see docs/patients.md for the flat layout"))
        for n, row in _csv_rows(reader, p):
            data: dict[str, Any] = {}
            for col, dotted in CSV_COLUMNS.items():
                value = (row.get(col) or "").strip()
                if value:
                    _set(data, dotted, value.split(";") if col == "etiologies" else value)
            labs = []
            default_date = (row.get("labs_date") or "").strip() or None
            for analyte in ANALYTES:
                value = (row.get(analyte) or "").strip()
                if not value:
                    continue
                lab: dict[str, Any] = {"analyte": analyte, "date": (row.get(analyte + "_date") or "").strip()
                                       or default_date, "source": f"{p.name}:{n}"}
                try:
                    lab["value"] = float(value)
                except ValueError:
                    lab["text"] = value
                for suffix, key in (("_unit", "unit"), ("_uln", "uln"), ("_lln", "lln")):
                    extra = (row.get(analyte + suffix) or "").strip()
                    if extra:
                        lab[key] = extra
                labs.append(lab)
            data["labs"] = labs
            yield parse_patient(data, source=str(p), record=_line(n))


def _csv_rows(reader: csv.DictReader[str], p: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows with their line numbers (header is line 1); csv errors become ParseError."""
    n = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ParseError(_csv_message(exc), file=str(p), record=_line(reader.line_num)) from None
        n += 1
        yield n, row


def patient_json_schema() -> dict[str, Any]:
    """JSON Schema of the patient input format (for ``hcctrials schema patient``)."""
    return Patient.model_json_schema()
