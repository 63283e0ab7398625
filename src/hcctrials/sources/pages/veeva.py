"""``trial_finder_page``: a ClinicalTrials.Veeva trial page (text, or saved HTML).

The page (ctv.veeva.com, seed 004) shows a study from ClinicalTrials.gov under fixed
headings: "Status and phase", "Conditions", "Treatments", "Study type", "Funder types",
"Identifiers", "About", "Full description", "Enrollment", "Sex", "Ages", "Volunteers",
"Inclusion criteria", "Exclusion criteria", "Trial design" (Primary purpose, Allocation,
Interventional model, Masking), "N participants in K patient groups" (arms: label, type
"Experimental group", "Description:", "Treatment:"; doses stated in an arm's description are
added to its interventions), "Central trial contact".  Values are
read under their heading, never by position.  A saved HTML page is flattened to text
blocks first.  The record keeps the NCT id as ``trial_id`` and as an ``nct`` identifier so
storage links it to the ClinicalTrials.gov record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from hcctrials.errors import ParseError
from hcctrials.i18n import msg
from hcctrials.model.trial import (
    Arm, Design, Eligibility, Enrollment, Finding, Identifier, Intervention, OverallStatus,
    Provenance, Registry, Sponsor, Text, Trial,
)
from hcctrials.sources.base import ParsedRecord, ParseResult, sha256_hex
from hcctrials.sources.chictr.assemble import identifier_scheme
from hcctrials.sources.chictr.regimen import drug_mentions

__all__ = ["TrialFinderPageParser", "parse_veeva_text", "SITE_NAME"]

SITE_NAME = "ClinicalTrials.Veeva"

_HEADINGS = {
    "status and phase": "status_phase", "conditions": "conditions", "condition": "conditions",
    "treatments": "treatments", "study type": "study_type",
    "funder types": "funder_types", "funder type": "funder_types", "identifiers": "identifiers",
    "details and patient eligibility": "_skip", "about": "about", "full description": "full_description",
    "enrollment": "enrollment", "sex": "sex", "ages": "ages", "volunteers": "volunteers",
    "inclusion criteria": "inclusion", "exclusion criteria": "exclusion", "trial design": "_skip",
    "primary purpose": "primary_purpose", "allocation": "allocation",
    "interventional model": "interventional_model", "masking": "masking",
    "observational model": "observational_model", "time perspective": "time_perspective",
    "trial documents": "_skip", "trial contacts and locations": "_skip",
    "central trial contact": "contacts", "data sourced from clinicaltrials.gov": "_end",
    "clinical trials": "_end",
}
_ARM_TYPE = re.compile(r"^(Experimental|Active Comparator|Placebo Comparator|Sham Comparator|No Intervention|Other)"
                       r" group$", re.I)
_ARMS_START = re.compile(r"^(\d+)\s+participants?\s+in\s+(\d+)\s+patient\s+groups?", re.I)
_TREATMENT = re.compile(r"^(Drug|Biological|Procedure|Device|Radiation|Behavioral|Dietary Supplement|Genetic|"
                        r"Combination Product|Diagnostic Test|Other)\s*:\s*(.+)$", re.I)
_STATUS = {s.value.replace("_", " "): s for s in OverallStatus}
_STATUS.update({"active, not recruiting": OverallStatus.ACTIVE_NOT_RECRUITING,
                "active not recruiting": OverallStatus.ACTIVE_NOT_RECRUITING,
                "enrolling by invitation": OverallStatus.ENROLLING_BY_INVITATION})
_PHASE = re.compile(r"^(Early\s+)?Phase\s*(\d)(?:\s*(?:/|&|and)\s*(?:Phase\s*)?(\d))?$", re.I)
_DESIGN_VALUES = {
    "randomized": "randomized", "non-randomized": "non_randomized", "n/a": "na",
    "parallel assignment": "parallel", "single group assignment": "single_group",
    "crossover assignment": "crossover", "factorial assignment": "factorial",
    "sequential assignment": "sequential",
    "none (open label)": "none", "single blind": "single", "double blind": "double",
    "triple blind": "triple", "quadruple blind": "quadruple",
}


def _heading(line: str) -> str | None:
    return _HEADINGS.get(line.strip().rstrip(":").lower())


def _bullets(lines: list[str]) -> list[Text]:
    items: list[str] = []
    for line in lines:
        bullet = re.match(r"^[•·\-*–]\s*(.*)$", line)
        if bullet or not items:
            items.append((bullet.group(1) if bullet else line).strip())
        else:
            items[-1] += " " + line.strip()
    return [Text(en=i) for i in items if i]


def _intervention_from(kind: str, name: str) -> Intervention:
    from hcctrials.vocab import load_lexicon

    therapy = load_lexicon().lookup(name.strip())
    ids = [therapy.id] if therapy is not None else [m.lexicon_id for m in drug_mentions(name) if m.lexicon_id]
    return Intervention(type=kind.lower().replace(" ", "_"), name=Text(en=name.strip()),
                        lexicon_ids=list(dict.fromkeys(ids)))


def _add_arm_doses(arms: list[Arm], interventions: list[Intervention]) -> None:
    """Doses stated in an arm's "Description:" ("5×10^8-10^9/m2 iNKT cells will be infused"),
    added to that arm's intervention naming the same therapy
    (:func:`hcctrials.vocab.dose.doses_by_therapy`)."""
    from hcctrials.vocab.dose import doses_by_therapy

    for arm in arms:
        label = arm.label.en
        if not arm.description.en or not label:
            continue
        for therapy, dose in doses_by_therapy(arm.description.en):
            for item in interventions:
                if label in item.arm_labels and therapy.id in item.lexicon_ids and dose not in item.doses:
                    item.doses.append(dose)


def parse_veeva_text(text: str, *, source_file: str = "<page>", raw: bytes | str | None = None) -> Trial:
    """The Trial a ClinicalTrials.Veeva page states; ParseError if it is not such a page."""
    from hcctrials.sources.quality import check_record

    lines = [re.sub(r"\s+", " ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if not any(_heading(line) == "status_phase" for line in lines) or not any(_heading(l) for l in lines):
        raise ParseError("not a trial-finder page: no 'Status and phase' heading", file=source_file,
                         hint="Expected a ClinicalTrials.Veeva trial page (text or saved HTML)")
    sections: dict[str, list[str]] = {}
    preamble: list[str] = []
    arm_lines: list[str] = []
    current: str | None = None
    in_arms = False
    for line in lines:
        head = _heading(line)
        if in_arms and head not in ("_skip", "contacts", "_end"):  # "Treatment:" inside an arm
            arm_lines.append(line)
            continue
        if _ARMS_START.match(line):
            in_arms, current = True, None
            arm_lines.append(line)
            continue
        if head is not None:
            in_arms = False
            if head == "_end":
                break
            current = head
            sections.setdefault(head, [])
            continue
        if current is None:
            preamble.append(line)
        elif current != "_skip":
            sections[current].append(line)

    def first(key: str) -> str | None:
        section = sections.get(key)
        return section[0] if section else None

    findings: list[Finding] = []
    body = [p for p in preamble if p.lower() not in {"menu", SITE_NAME.lower(), "loading..."}]
    sponsor_name = None
    for i, line in enumerate(body):
        if line.lower().endswith(" logo"):
            sponsor_name = body[i + 1] if i + 1 < len(body) else line[:-5]
    title = next((line for line in body if not line.lower().endswith(" logo") and line != sponsor_name), None)
    if sponsor_name is None and len(body) >= 2:
        sponsor_name = body[-1]

    status, phases, status_lines = OverallStatus.UNKNOWN, [], sections.get("status_phase", [])
    for line in status_lines:
        phase = _PHASE.match(line)
        if phase:
            if phase.group(1):
                phases.append("early_phase1")
            else:
                phases.extend(f"phase{n}" for n in (phase.group(2), phase.group(3)) if n)
        elif line.lower() in _STATUS:
            status = _STATUS[line.lower()]
        elif line.lower() in {"not applicable", "n/a"}:
            phases.append("na")
    identifiers: list[Identifier] = []
    for value in sections.get("identifiers", []):
        scheme = identifier_scheme(value)
        if scheme == "other" and re.search(r"ethic|irb|伦理|committee", value, re.I):
            scheme = "ethics"
        identifiers.append(Identifier(scheme=scheme, value=value, primary=False, source_label="Identifiers"))
    nct = next((i for i in identifiers if i.scheme == "nct"), None)
    if nct is not None:
        nct.primary = True
    trial_id = nct.value if nct else (identifiers[0].value if identifiers else None)
    if trial_id is None:
        raise ParseError("the page states no identifier (NCT number or other)", file=source_file,
                         field="Identifiers")

    interventions: dict[str, Intervention] = {}
    for line in sections.get("treatments", []):
        hit = _TREATMENT.match(line)
        if hit:
            interventions.setdefault(hit.group(2).strip().lower(), _intervention_from(hit.group(1), hit.group(2)))
    arms: list[Arm] = []
    starts = [i for i in range(len(arm_lines) - 1) if _ARM_TYPE.match(arm_lines[i + 1])]
    for n, start in enumerate(starts):
        chunk = arm_lines[start:starts[n + 1] if n + 1 < len(starts) else len(arm_lines)]
        label, arm_type = chunk[0], _ARM_TYPE.match(chunk[1]).group(1).lower().replace(" ", "_")  # type: ignore[union-attr]
        description, treatments, mode = [], [], None
        for line in chunk[2:]:
            if line.lower().startswith("description:"):
                mode = "d"
                line = line[len("description:"):].strip()
            elif line.lower().startswith("treatment:") or line.lower().startswith("treatments:"):
                mode = "t"
                line = line.split(":", 1)[1].strip()
            if not line:
                continue
            if mode == "t" and (hit := _TREATMENT.match(line)):
                name = hit.group(2).strip()
                item = interventions.setdefault(name.lower(), _intervention_from(hit.group(1), name))
                if label not in item.arm_labels:
                    item.arm_labels.append(label)
                treatments.append(name)
            elif mode == "d":
                description.append(line)
        arms.append(Arm(label=Text(en=label), type=arm_type, description=Text(en=" ".join(description) or None),
                        intervention_names=treatments))
    _add_arm_doses(arms, list(interventions.values()))
    arms_head = _ARMS_START.match(arm_lines[0]) if arm_lines else None
    if arms_head and int(arms_head.group(2)) != len(arms):
        findings.append(Finding(code="unparsed_value", field="arms", message=msg(
            "the page announces {announced} groups but {read} were read", announced=arms_head.group(2), read=len(arms)),
                                values={"line": arm_lines[0]}))

    enrollment = Enrollment()
    if (enrolled := first("enrollment")) and (hit := re.match(r"^(\d[\d,]*)(?:\s*[-–]\s*(\d[\d,]*))?", enrolled)):
        enrollment = Enrollment(count=int(hit.group(1).replace(",", "")),
                                count_high=int(hit.group(2).replace(",", "")) if hit.group(2) else None)
    min_age = max_age = None
    ages = first("ages") or ""
    if hit := re.match(r"^(\d+)\s*(?:to|-|–)\s*(\d+)\s*years", ages, re.I):
        min_age, max_age = float(hit.group(1)), float(hit.group(2))
    elif hit := re.match(r"^(\d+)\+\s*years", ages, re.I):
        min_age = float(hit.group(1))
    elif hit := re.match(r"^(?:up to|under)\s*(\d+)\s*years", ages, re.I):
        max_age = float(hit.group(1))
    volunteers = (first("volunteers") or "").lower()
    sex = (first("sex") or "").lower()
    eligibility = Eligibility(
        min_age_years=min_age, max_age_years=max_age,
        sex=sex if sex in {"all", "female", "male"} else None,  # type: ignore[arg-type]
        healthy_volunteers=False if volunteers.startswith("no") else True if "accepts" in volunteers else None,
        inclusion=_bullets(sections.get("inclusion", [])), exclusion=_bullets(sections.get("exclusion", [])),
        raw_text=Text(en="\n\n".join(f"{h}:\n" + "\n".join(sections[k]) for k, h in
                                     (("inclusion", "Inclusion criteria"), ("exclusion", "Exclusion criteria"))
                                     if sections.get(k)) or None))
    design = Design(
        primary_purpose=(first("primary_purpose") or "").lower().replace(" ", "_") or None,
        allocation=_DESIGN_VALUES.get((first("allocation") or "").lower()),
        intervention_model=_DESIGN_VALUES.get((first("interventional_model") or "").lower()),
        masking=_DESIGN_VALUES.get((first("masking") or "").lower()),
        observational_model=first("observational_model"), time_perspective=first("time_perspective"),
        description=Text(en="; ".join(f"{k.replace('_', ' ')}: {first(k)}" for k in
                                      ("primary_purpose", "allocation", "interventional_model", "masking")
                                      if first(k)) or None))
    funder = (first("funder_types") or "").lower() or None
    sponsors = [Sponsor(name=Text(en=sponsor_name), role="lead", agency_class=funder)] if sponsor_name else []
    contacts = [Text(en=c.strip()) for line in sections.get("contacts", []) for c in line.split(";") if c.strip()]
    if re.search(r"data sourced from clinicaltrials\.gov", text, re.I):
        findings.append(Finding(code="derived_record", field="*", severity="info",
                                message=msg("{site} states its data are sourced from clinicaltrials.gov; "
                                            "the registry record is {record}", site=SITE_NAME, record=trial_id)))
    trial = Trial(
        trial_id=trial_id, registry=Registry.TRIAL_FINDER, identifiers=identifiers, brief_title=Text(en=title),
        summary=Text(en="\n\n".join(sections.get("about", [])) or None),
        description=Text(en="\n\n".join(sections.get("full_description", [])) or None),
        overall_status=status, status_text=Text(en="; ".join(status_lines) or None), phases=phases,
        study_type=(first("study_type") or "").lower().replace(" ", "_") or None, design=design,
        conditions=[Text(en=c) for c in sections.get("conditions", [])], arms=arms,
        interventions=list(interventions.values()), eligibility=eligibility, enrollment=enrollment,
        sponsors=sponsors, contacts=contacts, findings=findings,
        provenance=Provenance(source_format="trial_finder_page", source_file=source_file,
                              record_locator=f"{SITE_NAME}: {trial_id}", raw_sha256=sha256_hex(raw or text)),
    )
    trial.findings.extend(check_record(trial))
    return trial


def _html_to_text(raw: bytes, source: str) -> str:
    from hcctrials.sources.chictr.html import _load_html, html_blocks

    return "\n".join(html_blocks(_load_html(raw, source), mark_list_items=True))


class TrialFinderPageParser:
    """A ClinicalTrials.Veeva trial page: copied text or saved HTML."""

    source_format = "trial_finder_page"
    description = "ClinicalTrials.Veeva trial page (text or saved HTML)"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", errors="ignore")
        return ("ClinicalTrials.Veeva" in text or "ctv.veeva.com" in text) and "Status and phase" in text

    def iter_records(self, path: Path) -> Iterator[ParseResult]:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from exc
        if text.lstrip().startswith("<"):
            text = _html_to_text(raw, str(path))
        try:
            yield ParsedRecord(parse_veeva_text(text, source_file=str(path), raw=raw))
        except ValueError as exc:
            raise ParseError(f"a value could not be normalised: {exc}", file=str(path)) from exc
