"""Protocol override files: a person reviews the compiled rules and corrects them in YAML.

Format (one file per trial)::

    trial_id: ChiCTR2500111736
    criteria:
      - number: "3"            # criterion number as split (see `hcctrials criteria show`)
        role: inclusion         # inclusion | exclusion
        rule:                   # replacement tree, same fields as the JSON form (kind + fields)
          kind: diagnosis
          confirmed_by: [histology, cytology, imaging, clinical]
        note: why the reviewer changed it
      - number: "16"
        role: exclusion
        status: administrative  # classify as administrative (listed, never blocking)
      - number: "7"
        role: exclusion
        exclude_from_matching: true

``parse_protocol`` validates a loaded mapping (pure; errors name the file, entry and field);
``load_protocol`` reads a file (adapter); ``apply_protocol`` returns the overridden trial.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from hcctrials.criteria.catalog import CompiledTrial
from hcctrials.errors import InputError, ValidationError
from hcctrials.model.eligibility import Administrative, Criterion, Node, Source, node_adapter

__all__ = ["ProtocolEntry", "Protocol", "parse_protocol", "load_protocol", "apply_protocol", "ProtocolError"]


class ProtocolError(ValidationError):
    """A protocol override file is not valid."""


class ProtocolEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str
    role: Literal["inclusion", "exclusion"]
    rule: dict[str, Any] | None = None
    status: Literal["administrative"] | None = None
    exclude_from_matching: bool = False
    note: str | None = None
    text: str | None = None  # for criteria the registry does not list


class Protocol(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trial_id: str
    criteria: list[ProtocolEntry] = Field(default_factory=list)


def parse_protocol(data: object, *, source: str = "<protocol>") -> tuple[Protocol, dict[tuple[str, str], Node]]:
    """Validate *data*; return the protocol and the parsed replacement rules by (role, number)."""
    if not isinstance(data, dict):
        raise ProtocolError("a protocol file must be a mapping with trial_id and criteria", file=source)
    try:
        protocol = Protocol.model_validate(data)
    except PydanticValidationError as exc:
        err = exc.errors()[0]
        raise ProtocolError(err["msg"], file=source, field=".".join(str(x) for x in err["loc"]),
                            value=err.get("input")) from None
    rules: dict[tuple[str, str], Node] = {}
    for i, entry in enumerate(protocol.criteria):
        where = f"criteria[{i}] ({entry.role} {entry.number})"
        chosen = sum([entry.rule is not None, entry.status is not None, entry.exclude_from_matching])
        if chosen != 1:
            raise ProtocolError("give exactly one of rule, status: administrative, exclude_from_matching: true",
                                file=source, record=where)
        if entry.rule is not None:
            try:
                rules[(entry.role, entry.number)] = node_adapter.validate_python(entry.rule)
            except PydanticValidationError as exc:
                err = exc.errors()[0]
                raise ProtocolError(f"invalid rule: {err['msg']}", file=source, record=where,
                                    field="rule." + ".".join(str(x) for x in err["loc"]),
                                    value=err.get("input")) from None
    return protocol, rules


def load_protocol(path: Path) -> tuple[Protocol, dict[tuple[str, str], Node]]:
    """Read and validate a protocol YAML file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read protocol file: {exc.strerror}", file=str(path)) from None
    except yaml.YAMLError as exc:
        raise ProtocolError(f"not valid YAML: {exc}", file=str(path)) from None
    return parse_protocol(data, source=str(path))


def apply_protocol(compiled: CompiledTrial, protocol: Protocol, rules: dict[tuple[str, str], Node]) -> CompiledTrial:
    """*compiled* with the protocol's entries applied (unknown numbers are added as new criteria)."""
    if protocol.trial_id != compiled.trial_id:
        raise ProtocolError(f"protocol is for {protocol.trial_id}, not {compiled.trial_id}", field="trial_id")
    by_key = {(c.role, c.number): c for c in compiled.criteria}
    out = list(compiled.criteria)
    for entry in protocol.criteria:
        key = (entry.role, entry.number)
        current = by_key.get(key)
        text = current.text if current else (entry.text or entry.note or "")
        language = current.language if current else "en"
        src = Source(text=text, language=language, number=entry.number, role=entry.role)
        if entry.rule is not None:
            rule = rules[key].model_copy(update={"source": src})
        elif entry.status == "administrative":
            rule = Administrative(category="other", source=src)
        else:
            rule = current.rule if current else Administrative(category="other", source=src)
        new = Criterion(number=entry.number, role=entry.role, text=text, language=language, rule=rule,
                        overridden=True, exclude_from_matching=entry.exclude_from_matching)
        if current is None:
            out.append(new)
        else:
            out[out.index(current)] = new
    return CompiledTrial(compiled.trial_id, out, compiled.language)
