"""``chictr_ictrp_xml``: the WHO ICTRP trial XML that ChiCTR's "download XML" gives.

Schema: ``<trials><Triall><main>…</main><contacts>…<criteria>…</Triall></trials>`` (WHO
ICTRP data-exchange format; element names as exported by ChiCTR, including ``Triall``).
ChiCTR fills it with English and Chinese text mixed; each value goes to ``.zh`` when
written in Chinese characters and to ``.en`` otherwise.  ChiCTR writes per-group values
as ``group:value;`` lists (``target_size`` "2019 Y:2418;2020 Y:821;", ``i_freetext``);
these become arms with sample sizes.  The file is read incrementally (lxml iterparse).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from hcctrials.errors import ParseError
from hcctrials.i18n import msg
from hcctrials.model.trial import (
    Arm, Design, Eligibility, Enrollment, Ethics, Finding, Identifier, Outcome, OverallStatus,
    Provenance, Site, Sponsor, Text, Trial, TrialDates,
)
from hcctrials.sources.base import ParsedRecord, ParseResult, RecordFailure, sha256_hex
from hcctrials.sources.chictr import values as V
from hcctrials.sources.chictr.assemble import identifier_scheme
from hcctrials.sources.chictr.items import detect_script, split_items
from hcctrials.sources.chictr.regimen import build_interventions

__all__ = ["ChictrIctrpXmlParser", "parse_ictrp_trial"]

_ICTRP_STATUS = {"pending": OverallStatus.NOT_YET_RECRUITING, "not recruiting": OverallStatus.ACTIVE_NOT_RECRUITING}


def _t(text: str | None) -> Text:
    if not text or not text.strip():
        return Text()
    return Text(zh=text.strip()) if detect_script(text) == "zh" else Text(en=text.strip())


def _get(el: etree._Element, path: str) -> str | None:
    found = el.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _all(el: etree._Element, path: str) -> list[str]:
    return [x.text.strip() for x in el.findall(path) if x.text and x.text.strip()]


def _group_list(text: str | None) -> list[tuple[str | None, str]]:
    """ChiCTR's "label:value;label:value;" lists; a plain value -> [(None, value)]."""
    if not text:
        return []
    parts = [p.strip() for p in re.split(r"[;；]", text) if p.strip()]
    out: list[tuple[str | None, str]] = []
    for part in parts:
        label, sep, value = part.rpartition(":")
        out.append((label.strip(), value.strip()) if sep and label.strip() else (None, part))
    return out


def _meaningful(text: str | None) -> bool:
    return bool(text) and V.norm(text) not in {"", "n/a", "na", "none", "无"}


def parse_ictrp_trial(trial_el: etree._Element, *, source_file: str, locator: str) -> Trial:
    """One ``<Triall>`` element as a Trial."""
    from hcctrials.sources.quality import check_record

    main = trial_el.find("main")
    if main is None:
        raise ParseError("<Triall> without <main>", file=source_file, record=locator)
    trial_id = _get(main, "trial_id")
    if not trial_id:
        raise ParseError("the trial has no <trial_id>", file=source_file, record=locator, field="main/trial_id")
    findings: list[Finding] = []
    registry = "chictr" if trial_id.lower().startswith("chictr") else "other"
    identifiers = [Identifier(scheme=identifier_scheme(trial_id), value=trial_id, primary=True, source_label="trial_id")]
    for sec in trial_el.findall("secondary_ids/secondary_id"):
        value = _get(sec, "sec_id")
        if _meaningful(value):
            identifiers.append(Identifier(scheme=identifier_scheme(value or ""), value=value or "",
                                          source_label=_get(sec, "issuing_authority")))
    utrn = _get(main, "utrn") or _get(main, "UTRN")
    if utrn:
        identifiers.append(Identifier(scheme="who_utn", value=utrn, source_label="utrn"))

    sizes = _group_list(_get(main, "target_size"))
    regimens = _group_list(_get(main, "i_freetext"))
    arms: list[Arm] = []
    numeric = [(label, int(v)) for label, v in sizes if re.fullmatch(r"\d+", v)]
    if len(numeric) != len(sizes):
        findings.append(Finding(code="unparsed_value", field="enrollment", severity="info",
                                message=msg("target size not a number: {value!r}", value=_get(main, "target_size") or "")))
    labels = [label for label, _ in sizes] if any(label for label, _ in sizes) else [label for label, _ in regimens]
    regimen_by_label = {label: value for label, value in regimens}
    groups: list[tuple[str | None, Text]] = []
    for label in labels:
        if label is None:
            continue
        regimen = regimen_by_label.get(label)
        description = _t(regimen) if _meaningful(regimen) else Text()
        size = dict(numeric).get(label)
        arms.append(Arm(label=_t(label), description=description, sample_size=size))
        if not description.is_empty():
            groups.append((label, description))
    if not labels:
        groups = [(None, _t(value)) for _, value in regimens if _meaningful(value)]
    interventions = build_interventions(groups, primary="zh")
    for arm in arms:
        key = arm.label.get("en")
        arm.intervention_names = [iv.name.get("en") or "" for iv in interventions if key in iv.arm_labels]
    total = sum(n for _, n in numeric) if numeric and len(numeric) == len(sizes) else None

    status_text = _get(main, "recruitment_status")
    status = V.map_recruiting_status(status_text) or _ICTRP_STATUS.get(V.norm(status_text))
    if status is None and status_text:
        findings.append(Finding(code="unparsed_value", field="overall_status", severity="info",
                                message=msg("recruitment status not recognised: {value!r}", value=status_text)))
    design_map = V.map_design(_get(main, "study_design")) or (None, None, None)
    phases = V.map_phase(_get(main, "phase"))

    criteria = trial_el.find("criteria")
    inclusion_text = _get(criteria, "inclusion_criteria") if criteria is not None else None
    exclusion_text = _get(criteria, "exclusion_criteria") if criteria is not None else None

    def items(text: str | None) -> list[Text]:
        """Items in the language of the whole list (an item "ECOG 0-1" of a Chinese list is Chinese)."""
        zh = detect_script(text) == "zh"
        return [Text(zh=item) if zh else Text(en=item) for item in split_items(text)]

    def age(text: str | None) -> float | None:
        hit = re.search(r"\d+(?:\.\d+)?", text or "")
        if hit is None:
            return None
        value = float(hit.group(0))
        return round(value / 12, 2) if re.search(r"month|月", text or "", re.I) else value

    eligibility = Eligibility(
        min_age_years=age(_get(criteria, "agemin")) if criteria is not None else None,
        max_age_years=age(_get(criteria, "agemax")) if criteria is not None else None,
        sex=V.map_sex(_get(criteria, "gender")) if criteria is not None else None,
        inclusion=items(inclusion_text), exclusion=items(exclusion_text),
        raw_text=_t("\n\n".join(x for x in (inclusion_text, exclusion_text) if x) or None),
    )
    outcomes = [Outcome(kind=kind, measure=_t(value))  # type: ignore[arg-type]
                for kind, path in (("primary", "primary_outcome/prim_outcome"), ("secondary", "secondary_outcome/sec_outcome"))
                for text in _all(trial_el, path) for value in re.split(r"[;；]", text) if _meaningful(value)]
    sponsors = []
    if _get(main, "primary_sponsor"):
        sponsors.append(Sponsor(name=_t(_get(main, "primary_sponsor")), role="lead"))
    sponsors += [Sponsor(name=_t(name), role="secondary") for name in _all(trial_el, "secondary_sponsor/sponsor_name")]
    contacts = []
    for contact in trial_el.findall("contacts/contact"):
        name = " ".join(x for x in (_get(contact, "firstname"), _get(contact, "middlename"), _get(contact, "lastname")) if x)
        if not name:
            continue
        parts = [f"{_get(contact, 'type') or 'Contact'}: {name}"]
        for tag in ("affiliation", "telephone", "email", "address", "city", "country1", "zip"):
            if _get(contact, tag):
                parts.append(f"{tag}: {_get(contact, tag)}")
        contacts.append(_t("; ".join(parts)))
    reviews = trial_el.findall("ethics_reviews/ethics_review")
    ethics = Ethics()
    if reviews:
        status_review = V.norm(_get(reviews[0], "status"))
        ethics = Ethics(approved=True if status_review == "approved" else False if status_review in {"not approved", "rejected"} else None,
                        approval_date=V.iso_date(_get(reviews[0], "approval_date")),
                        committee=_t(_get(reviews[0], "contact_address")))
    keywords = [k for path in ("health_condition_code/hc_code", "health_condition_keyword/hc_keyword",
                               "intervention_keyword/i_keyword") for k in _all(trial_el, path) if _meaningful(k.strip(";"))]
    ipd = " ".join(x for x in (_get(main, "results_IPD_plan"), _get(main, "results_IPD_description")) if x)
    raw = etree.tostring(trial_el, encoding="utf-8")
    trial = Trial(
        trial_id=trial_id, registry=registry, identifiers=identifiers,  # type: ignore[arg-type]
        brief_title=_t(_get(main, "public_title")), scientific_title=_t(_get(main, "scientific_title")),
        acronym=_t(_get(main, "acronym") or _get(main, "Scientific_acronym")),
        overall_status=status or OverallStatus.UNKNOWN, status_text=_t(status_text),
        dates=TrialDates(registered=V.iso_date(_get(main, "date_registration")),
                         recruitment_start=V.iso_date(_get(main, "date_enrolment")),
                         study_completion=V.iso_date(_get(main, "results_date_completed"))),
        phases=phases or [], study_type=V.map_study_type(_get(main, "study_type")),
        design=Design(allocation=design_map[0], intervention_model=design_map[1], observational_model=design_map[2],
                      description=_t(_get(main, "study_design"))),
        conditions=[_t(c) for c in _all(main, "hc_freetext")], keywords=keywords,
        arms=arms, interventions=interventions, eligibility=eligibility, outcomes=outcomes,
        enrollment=Enrollment(count=total, type="anticipated") if total is not None else Enrollment(),
        sponsors=sponsors, funding=[_t(s) for s in _all(trial_el, "source_support/source_name")],
        sites=[Site(country=_t(c)) for c in _all(trial_el, "countries/country2")],
        ethics=ethics, ipd_sharing=_t(ipd or None), contacts=contacts,
        urls=_all(main, "url"), findings=findings,
        provenance=Provenance(source_format="chictr_ictrp_xml", source_file=source_file, record_locator=locator,
                              raw_sha256=sha256_hex(raw)),
    )
    trial.findings.extend(check_record(trial))
    return trial


class ChictrIctrpXmlParser:
    """WHO ICTRP trial XML (``<trials><Triall>``), as ChiCTR's "download XML" gives."""

    source_format = "chictr_ictrp_xml"
    decodes_any_encoding = True  # lxml reads the XML declaration's encoding or the BOM
    description = "WHO ICTRP trial XML (<trials><Triall>), e.g. ChiCTR's 'download XML'"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", errors="ignore")
        return "<trials" in text and "<Triall" in text

    def iter_records(self, path: Path) -> Iterator[ParseResult]:
        count = 0
        try:
            for _, element in etree.iterparse(str(path), events=("end",), tag="Triall", huge_tree=True):
                count += 1
                locator = f"Triall {count}"
                try:
                    yield ParsedRecord(parse_ictrp_trial(element, source_file=str(path), locator=locator))
                except (ParseError, ValueError) as exc:
                    error = exc if isinstance(exc, ParseError) else ParseError(str(exc), file=str(path), record=locator)
                    yield RecordFailure(file=str(path), locator=locator, error=error,
                                        record_id=_get(element, "main/trial_id"))
                element.clear()
        except etree.XMLSyntaxError as exc:
            raise ParseError(f"malformed or truncated ICTRP XML after {count} trial(s): {exc}", file=str(path),
                             hint="Download the XML again; the file must end with </trials>") from exc
        if count == 0:
            raise ParseError("no <Triall> element in the ICTRP XML", file=str(path))
