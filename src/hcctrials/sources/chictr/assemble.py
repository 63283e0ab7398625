"""Turn ChiCTR label events (from the page text, its PDF export or its HTML) into a Trial.

Values are routed to a language by the label they follow (a Chinese label's value is
Chinese); a value after an English label that is written in Chinese characters (ChiCTR
prints "尚未开始" and "Not yet recruiting" after one pair of labels) is Chinese.  Repeated
blocks (groups, sites, outcomes, secondary sponsors, samples) are split into records: a
label seen twice in the same record starts the next record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hcctrials.errors import ParseError
from hcctrials.i18n import msg
from hcctrials.model.trial import (
    Arm, Design, Eligibility, Enrollment, Ethics, Finding, Identifier, Intervention, Outcome,
    OverallStatus, Provenance, Registry, Site, Sponsor, Text, Trial, TrialDates,
)
from hcctrials.sources.base import sha256_hex
from hcctrials.sources.chictr import values as V
from hcctrials.sources.chictr.items import has_cjk, split_items
from hcctrials.sources.chictr.labels import RECORD_KEYS, SECTION_KEYS, LabelEvent
from hcctrials.sources.chictr.regimen import build_interventions

__all__ = ["PageData", "collect", "build_trial", "identifier_scheme"]

Store = dict[str, dict[str, list[str]]]


@dataclass
class PageData:
    """The labelled values of one ChiCTR page, per language, with repeated records split."""

    fields: Store = field(default_factory=dict)
    records: dict[str, list[Store]] = field(default_factory=dict)
    preamble: list[str] = field(default_factory=list)
    label_count: int = 0


def _add(store: Store, event: LabelEvent) -> None:
    slot = store.setdefault(event.key, {"zh": [], "en": []})
    for block in event.values:
        lang = "zh" if event.lang == "zh" or has_cjk(block) else "en"
        slot[lang].append(block)


def collect(preamble: list[str], events: list[LabelEvent]) -> PageData:
    """Group label events into trial-level fields and section records."""
    data = PageData(preamble=list(preamble), label_count=len(events))
    section: str | None = None
    record: Store | None = None
    seen: set[tuple[str, str]] = set()
    for event in events:
        key = event.key
        if key == "intervention" and section != "interventions":
            key = "section_interventions"  # "干预措施：" heads the groups section too
        if key in SECTION_KEYS:
            if SECTION_KEYS[key] != section:
                section, record, seen = SECTION_KEYS[key], None, set()
            continue
        if section is not None and key in RECORD_KEYS[section]:
            if record is None or (key, event.lang) in seen:
                record, seen = {}, set()
                data.records.setdefault(section, []).append(record)
            seen.add((key, event.lang))
            _add(record, LabelEvent(key, event.lang, event.values))
            continue
        section, record, seen = None, None, set()
        _add(data.fields, LabelEvent(key, event.lang, event.values))
    return data


def _join(blocks: list[str]) -> str | None:
    text = "\n".join(b.strip() for b in blocks if b and b.strip())
    return text or None


def _text(store: Store, key: str) -> Text:
    slot = store.get(key, {})
    return Text(zh=_join(slot.get("zh", [])), en=_join(slot.get("en", [])))


def _any(store: Store, key: str) -> str | None:
    slot = store.get(key, {})
    return _join(slot.get("zh", []) + slot.get("en", []))


def _both(store: Store, key: str) -> tuple[str | None, str | None]:
    text = _text(store, key)
    return text.zh, text.en


_SCHEMES = (
    (re.compile(r"^NCT\d{8}$", re.I), "nct"),
    (re.compile(r"^ChiCTR[-\w]+$", re.I), "chictr"),
    (re.compile(r"^CTR\d{8}$", re.I), "ctr"),
    (re.compile(r"^\d{4}-\d{6}-\d{2}(-\d{2})?$"), "eudract"),
    (re.compile(r"^ISRCTN\d+$", re.I), "isrctn"),
    (re.compile(r"^jRCT\w+$", re.I), "jrct"),
    (re.compile(r"^U\d{4}-\d{4}-\d{4}$", re.I), "who_utn"),
)


def identifier_scheme(value: str) -> str:
    """Scheme of a registry number by its shape (NCT, ChiCTR, CTR, EudraCT ...), else 'other'."""
    for pattern, scheme in _SCHEMES:
        if pattern.match(value.strip()):
            return scheme
    return "other"


_EMPTY = {"", "none", "na", "n/a", "无", "无/no", "no", "nil", "/"}


def _meaningful(text: str | None) -> bool:
    return bool(text) and V.norm(text) not in _EMPTY


def _split_bilingual_answer(text: str | None) -> tuple[str | None, str | None]:
    """"是Yes" / "否/No" / "不公开/Private" -> ("是", "Yes")."""
    if not text:
        return None, None
    hit = re.match(r"^\s*([^\x00-\x7f]+?)\s*/?\s*([A-Za-z][A-Za-z ]*)\s*$", text)
    if hit:
        return hit.group(1), hit.group(2)
    return (text, None) if has_cjk(text) else (None, text)


def _contact(data: Store, role: tuple[str, str], keys: dict[str, str]) -> Text | None:
    name_zh, name_en = _both(data, keys["name"])
    if not (name_zh or name_en):
        return None
    extra = []
    for k, (zh_label, en_label) in (("institution", ("单位", "institution")), ("phone", ("电话", "telephone")),
                                   ("email", ("电子邮件", "e-mail")), ("address", ("地址", "address"))):
        if k in keys:
            value_zh, value_en = _both(data, keys[k])
            extra.append((zh_label, en_label, value_zh, value_en))
    zh = en = None
    if name_zh or name_en:
        zh_parts = [f"{role[0]}: {name_zh or name_en}"]
        en_parts = [f"{role[1]}: {name_en or name_zh}"]
        for zh_label, en_label, value_zh, value_en in extra:
            if value_zh or value_en:
                zh_parts.append(f"{zh_label}: {value_zh or value_en}")
                en_parts.append(f"{en_label}: {value_en or value_zh}")
        zh, en = "; ".join(zh_parts), "; ".join(en_parts)
    return Text(zh=zh if name_zh else None, en=en if name_en else None)


def _arm_type(label: Text, description: Text) -> str | None:
    words = f"{label.zh or ''} {label.en or ''}".lower()
    body = f"{description.zh or ''} {description.en or ''}".lower()
    if "单臂" in words or "single" in words or "试验组" in words or "experiment" in words or "treatment group" in words:
        return "experimental"
    if "对照" in words or "control" in words:
        return "placebo_comparator" if ("安慰剂" in body or "placebo" in body) else "active_comparator"
    return None


#: Group texts that name a kind of intervention but no therapy ("药物干预" / "Drug intervention").
_GENERIC_KIND = {
    "药物干预": "drug", "药物治疗": "drug", "药物": "drug", "用药": "drug", "drug intervention": "drug",
    "drug": "drug", "drug therapy": "drug", "drug treatment": "drug", "medication": "drug",
    "手术": "procedure", "手术治疗": "procedure", "surgery": "procedure",
    "放疗": "radiation", "放射治疗": "radiation", "radiotherapy": "radiation",
}


def _generic_kind(item: Intervention) -> str | None:
    kinds = {_GENERIC_KIND.get(re.sub(r"\s+", " ", t).strip(" .。").lower())
             for t in (item.name.zh, item.name.en) if t}
    kinds.discard(None)
    return kinds.pop() if len(kinds) == 1 else None


def _generic_interventions(interventions: list[Intervention], titles: list[Text],
                           ) -> tuple[list[Intervention], list[Finding]]:
    """Type generic group interventions ("药物干预" -> drug) and, when every group only says
    "drug intervention", take the drugs the trial's title names instead (seed 001:
    "特瑞普利单抗联合瑞戈非尼..." with the group text "药物干预"), with a finding.

    The title drugs go to the groups of the generic intervention when it belongs to exactly one
    group; with several such groups which group gets which drug is not stated, so none is set.
    """
    from hcctrials.sources.chictr.regimen import drug_mentions

    kinds = [_generic_kind(item) for item in interventions]
    for item, kind in zip(interventions, kinds):
        if kind is not None and item.type is None and not item.lexicon_ids:
            item.type = kind
    if not interventions or any(k != "drug" for k in kinds) or any(i.lexicon_ids for i in interventions):
        return interventions, []
    labels = sorted({label for item in interventions for label in item.arm_labels})
    found: dict[str, Intervention] = {}
    for lang in ("zh", "en"):
        for title in titles:
            for m in drug_mentions(getattr(title, lang), expand=True):
                if m.lexicon_id is None or m.kind not in ("drug",):
                    continue
                item = found.setdefault(m.lexicon_id, Intervention(
                    type="biological" if "cell_therapy" in m.classes else "drug",
                    name=Text(en=m.name), lexicon_ids=[m.lexicon_id],
                    arm_labels=labels if len(labels) == 1 else []))
                if lang == "zh" and item.name.zh is None:
                    item.name = Text(zh=m.matched, en=item.name.en)
    if not found:
        return interventions, []
    names = ", ".join(item.name.en or "" for item in found.values())
    generic = "; ".join(sorted({t for i in interventions for t in (i.name.zh, i.name.en) if t}))
    return list(found.values()), [Finding(
        code="derived_value", field="interventions", severity="info",
        message=msg("the groups' intervention text ({group_text}) names no drug; the drugs the title "
                    "names were taken as the interventions: {drugs}", group_text=generic, drugs=names))]


def build_trial(data: PageData, *, source_format: str, source_file: str, raw: bytes | str) -> Trial:
    """The normalised Trial of one ChiCTR page; ParseError if it has no registration number."""
    if data.label_count == 0:
        raise ParseError("no ChiCTR labels found: this is not a ChiCTR registration page (neither the "
                         "Chinese nor the English labels appear)", file=source_file,
                         hint="Expected labels such as '注册号：' / 'Registration number：'")
    f = data.fields
    number = re.search(r"ChiCTR[-A-Za-z0-9]+", _any(f, "registration_number") or "")
    if number is None:
        raise ParseError("the page has no registration number", file=source_file,
                         field="注册号 / Registration number",
                         value=_any(f, "registration_number"),
                         hint="A ChiCTR page states its number (ChiCTR...) after '注册号：/Registration number：'")
    trial_id = number.group(0)
    try:
        return _build(data, trial_id, source_format=source_format, source_file=source_file, raw=raw)
    except ValueError as exc:  # pydantic validation of a value the page states in an odd form
        raise ParseError(f"a value could not be normalised: {exc}", file=source_file, record=trial_id) from exc


def _build(data: PageData, trial_id: str, *, source_format: str, source_file: str, raw: bytes | str) -> Trial:
    from hcctrials.sources.quality import check_record

    f = data.fields
    findings: list[Finding] = []

    def unparsed(field_name: str, value: str | None) -> None:
        if value:
            findings.append(Finding(code="unparsed_value", field=field_name, severity="info",
                                    message=msg("value not in the ChiCTR vocabulary: {value!r}", value=value)))

    identifiers = [Identifier(scheme="chictr", value=trial_id, primary=True, source_label="注册号/Registration number")]
    for value in re.split(r"[;,，；\s]+", _any(f, "partner_registry") or ""):
        if _meaningful(value):
            identifiers.append(Identifier(scheme=identifier_scheme(value), value=value,
                                          source_label="在二级注册机构或其它机构的注册号/Partner Registry"))
    subject_id = _any(f, "subject_id")
    if _meaningful(subject_id):
        identifiers.append(Identifier(scheme="org_study_id", value=subject_id or "",
                                      source_label="研究课题代号(代码)/Study subject ID"))

    reg_zh, reg_en = _both(f, "registration_status")
    reg_text = f"{reg_zh or ''} {reg_en or ''}".lower()
    registration_status = ("retrospective" if ("补注册" in reg_text or "retrospective" in reg_text)
                           else "prospective" if ("预注册" in reg_text or "prospective" in reg_text) else None)

    status_zh, status_en = _both(f, "recruiting_status")
    status = V.map_recruiting_status(status_zh, status_en)
    if status is None:
        unparsed("overall_status", status_zh or status_en)
    phase_zh, phase_en = _both(f, "phase")
    phases = V.map_phase(phase_zh, phase_en)
    if phases is None:
        unparsed("phases", phase_zh or phase_en)
    study_type = V.map_study_type(*_both(f, "study_type"))
    if study_type is None:
        unparsed("study_type", _any(f, "study_type"))
    design_zh, design_en = _both(f, "design")
    design_map = V.map_design(design_zh, design_en) or (None, None, None)
    if design_map == (None, None, None):
        unparsed("design", design_zh or design_en)
    blinding = _text(f, "blinding")
    randomization = _text(f, "randomization")
    design_text = _text(f, "design")
    if _meaningful(randomization.zh) or _meaningful(randomization.en):
        design_text = Text(
            zh="\n".join(x for x in (design_text.zh, f"随机方法: {randomization.zh}" if randomization.zh else None) if x) or None,
            en="\n".join(x for x in (design_text.en, f"Randomization: {randomization.en}" if randomization.en else None) if x) or None,
        )
    design = Design(allocation=design_map[0], intervention_model=design_map[1],
                    observational_model=design_map[2],
                    masking=V.map_masking(blinding.zh, blinding.en), description=design_text)

    execute = V.date_range(_any(f, "execute_time"))
    recruiting = V.date_range(_any(f, "recruiting_time"))
    dates = TrialDates(registered=V.iso_date(_any(f, "registered")),
                       last_updated=V.iso_date(_any(f, "last_refreshed")),
                       study_start=execute[0], study_completion=execute[1],
                       recruitment_start=recruiting[0], recruitment_end=recruiting[1])

    # eligibility
    eligibility_items: dict[str, list[Text]] = {}
    raw_zh, raw_en = [], []
    for key, (zh_head, en_head) in (("inclusion", ("纳入标准", "Inclusion criteria")),
                                    ("exclusion", ("排除标准", "Exclusion criteria"))):
        text = _text(f, key)
        zh_items, en_items = split_items(text.zh), split_items(text.en)
        if text.zh:
            raw_zh.append(f"{zh_head}:\n{text.zh}")
        if text.en:
            raw_en.append(f"{en_head}:\n{text.en}")
        count = max(len(zh_items), len(en_items))
        eligibility_items[key] = [Text(zh=zh_items[i] if i < len(zh_items) else None,
                                       en=en_items[i] if i < len(en_items) else None) for i in range(count)]
        if not count:
            findings.append(Finding(code="missing_field", field=f"eligibility.{key}",
                                    message=msg("the page states no inclusion criteria (纳入标准 is empty in both languages)")
                                    if key == "inclusion" else
                                    msg("the page states no exclusion criteria (排除标准 is empty in both languages)")))
        elif zh_items and en_items and len(zh_items) != len(en_items):
            findings.append(Finding(
                code="bilingual_mismatch", field=f"eligibility.{key}",
                message=(msg("{zh_count} Chinese inclusion criteria items but {en_count} English ones; "
                             "items are paired by position", zh_count=len(zh_items), en_count=len(en_items))
                         if key == "inclusion" else
                         msg("{zh_count} Chinese exclusion criteria items but {en_count} English ones; "
                             "items are paired by position", zh_count=len(zh_items), en_count=len(en_items)))))
    min_age, max_age = V.parse_age_range(_any(f, "age"))
    eligibility = Eligibility(min_age_years=min_age, max_age_years=max_age, sex=V.map_sex(*_both(f, "sex")),
                              inclusion=eligibility_items["inclusion"], exclusion=eligibility_items["exclusion"],
                              raw_text=Text(zh="\n\n".join(raw_zh) or None, en="\n\n".join(raw_en) or None))

    # groups, interventions
    arms: list[Arm] = []
    groups: list[tuple[str | None, Text]] = []
    sizes: list[int | None] = []
    for i, record in enumerate(data.records.get("interventions", [])):
        label, regimen = _text(record, "group"), _text(record, "intervention")
        size_zh, size_en = _both(record, "sample_size")
        parsed = [int(s) for s in (size_zh, size_en) if s and re.fullmatch(r"\s*\d+\s*", s)]
        if size_zh and size_en and len(parsed) == 2 and parsed[0] != parsed[1]:
            findings.append(Finding(code="bilingual_mismatch", field=f"arms[{i}].sample_size",
                                    message=msg("sample size {zh} (Chinese) vs {en} (English)", zh=size_zh, en=size_en)))
        for s in (size_zh, size_en):
            if s and not re.fullmatch(r"\s*\d+\s*", s):
                unparsed(f"arms[{i}].sample_size", s)
        size = parsed[0] if parsed else None
        sizes.append(size)
        arm_key = label.get("en") or regimen.get("en")
        arms.append(Arm(label=label if not label.is_empty() else Text(en=f"Group {i + 1}"),
                        type=_arm_type(label, regimen), description=regimen, sample_size=size))
        groups.append((arm_key, regimen))
    interventions = build_interventions(groups, primary="zh")
    interventions, derived = _generic_interventions(
        interventions, [_text(f, "public_title"), _text(f, "scientific_title")])
    findings.extend(derived)
    for arm, (arm_key, _) in zip(arms, groups):
        arm.intervention_names = [iv.name.get("en") or "" for iv in interventions if arm_key in iv.arm_labels]
    enrollment = Enrollment()
    if sizes and all(s is not None for s in sizes):
        enrollment = Enrollment(count=sum(s for s in sizes if s is not None), type="anticipated")

    outcomes = []
    for i, record in enumerate(data.records.get("outcomes", [])):
        type_zh, type_en = _both(record, "outcome_type")
        kind = V.map_outcome_kind(type_zh, type_en)
        if kind is None:
            unparsed(f"outcomes[{i}].kind", type_zh or type_en)
        outcomes.append(Outcome(kind=kind or "other", measure=_text(record, "outcome_name"),  # type: ignore[arg-type]
                                method=_text(record, "outcome_method"), time_frame=_text(record, "outcome_time_point")))

    sites = [Site(institution=_text(r, "institution"), level=_text(r, "level"), city=_text(r, "city"),
                  province=_text(r, "province"), country=_text(r, "country"), address=_text(r, "address"))
             for r in data.records.get("sites", [])]
    sponsors = []
    if not _text(f, "primary_sponsor").is_empty():
        sponsors.append(Sponsor(name=_text(f, "primary_sponsor"), role="lead",
                                address=_text(f, "primary_sponsor_address")))
    for record in data.records.get("secondary_sponsor", []):
        name = _text(record, "institution")
        if not name.is_empty():
            sponsors.append(Sponsor(name=name, role="secondary", address=_text(record, "address")))

    approved = None
    for value in f.get("ethics_approved", {}).get("zh", []) + f.get("ethics_approved", {}).get("en", []):
        approved = V.parse_yes_no(value) if approved is None else approved
    ethics = Ethics(approved=approved, approval_number=_any(f, "ethics_number") if _meaningful(_any(f, "ethics_number")) else None,
                    committee=_text(f, "ethics_committee"), approval_date=V.iso_date(_any(f, "ethics_date")))

    contacts = [c for c in (
        _contact(f, ("申请注册联系人", "Applicant"), {"name": "applicant", "institution": "applicant_institution",
                 "phone": "applicant_phone", "email": "applicant_email", "address": "applicant_address"}),
        _contact(f, ("研究负责人", "Study leader"), {"name": "leader", "institution": "leader_institution",
                 "phone": "leader_phone", "email": "leader_email", "address": "leader_address"}),
        _contact(f, ("伦理委员会联系人", "Ethics committee contact"), {"name": "ethics_contact",
                 "phone": "ethics_phone", "email": "ethics_email", "address": "ethics_address"}),
    ) if c is not None]

    share_zh = share_en = None
    for value in f.get("ipd_sharing", {}).get("zh", []) + f.get("ipd_sharing", {}).get("en", []):
        zh, en = _split_bilingual_answer(value)
        share_zh, share_en = share_zh or zh, share_en or en
    way = _text(f, "ipd_way")
    ipd = Text(zh="; ".join(x for x in (f"是否共享原始数据: {share_zh}" if share_zh else None,
                                        f"共享方式: {way.zh}" if _meaningful(way.zh) else None) if x) or None,
               en="; ".join(x for x in (f"IPD sharing: {share_en}" if share_en else None,
                                        f"Way of sharing: {way.en}" if _meaningful(way.en) else None) if x) or None)
    manage, dsmb_zh, dsmb_en = _text(f, "data_management"), None, None
    for value in f.get("dsmb", {}).get("zh", []) + f.get("dsmb", {}).get("en", []):
        zh, en = _split_bilingual_answer(value)
        dsmb_zh, dsmb_en = dsmb_zh or zh, dsmb_en or en
    data_management = Text(
        zh="; ".join(x for x in (f"数据采集和管理: {manage.zh}" if _meaningful(manage.zh) else None,
                                 f"数据与安全监察委员会: {dsmb_zh}" if dsmb_zh else None) if x) or None,
        en="; ".join(x for x in (f"Data collection and management: {manage.en}" if _meaningful(manage.en) else None,
                                 f"Data and Safety Monitoring Committee: {dsmb_en}" if dsmb_en else None) if x) or None)

    funding = _text(f, "funding")
    conditions = _text(f, "target_disease")
    codes = [c for c in re.split(r"[;,，；\n]+", _any(f, "target_disease_code") or "") if _meaningful(c)]
    trial = Trial(
        trial_id=trial_id, registry=Registry.CHICTR, identifiers=identifiers,
        brief_title=_text(f, "public_title"), scientific_title=_text(f, "scientific_title"),
        acronym=_text(f, "acronym"), objectives=_text(f, "objectives"),
        description=Text(zh=_text(f, "treatment_description").zh if _meaningful(_text(f, "treatment_description").zh) else None,
                         en=_text(f, "treatment_description").en if _meaningful(_text(f, "treatment_description").en) else None),
        overall_status=status or OverallStatus.UNKNOWN, status_text=Text(zh=status_zh, en=status_en),
        registration_status=registration_status,  # type: ignore[arg-type]
        dates=dates, phases=phases or [], study_type=study_type, design=design,
        conditions=[conditions] if not conditions.is_empty() else [], keywords=codes,
        arms=arms, interventions=interventions, eligibility=eligibility, outcomes=outcomes,
        enrollment=enrollment, sponsors=sponsors, funding=[funding] if not funding.is_empty() else [],
        sites=sites, ethics=ethics, ipd_sharing=ipd, data_management=data_management, contacts=contacts,
        findings=findings,
        provenance=Provenance(source_format=source_format, source_file=source_file, record_locator=trial_id,
                              raw_sha256=sha256_hex(raw)),
    )
    trial.findings.extend(check_record(trial))
    return trial
