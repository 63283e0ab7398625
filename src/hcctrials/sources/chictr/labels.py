"""The ChiCTR label table and the tokenizer that turns a page into labelled values.

A ChiCTR registration page (chictr.org.cn ``showproj``), its copied text and its PDF export
all show the same bilingual label/value table: a Chinese label ("注册号：") and an English
label ("Registration number：") followed by one value for both, or each label followed by
its own value.  Parsing is by label, never by line number: :data:`LABELS` maps every
(Chinese label, English label) pair to one field key, and :func:`label_events` turns a
sequence of text blocks into :class:`LabelEvent` objects (a label with the value blocks
that follow it).  The text, HTML and PDF-export parsers all feed blocks into the same
function, so they map identically.

The label wording is taken from the live ChiCTR detail page (chictr.org.cn, 2024-2026);
long explanatory labels ("共享原始数据的方式（说明：…）") are matched by their stable prefix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "Label",
    "LABELS",
    "SECTION_KEYS",
    "RECORD_KEYS",
    "LabelEvent",
    "normalise_label",
    "match_label",
    "split_blocks",
    "label_events",
]


@dataclass(frozen=True)
class Label:
    """One row of the label table: field key, Chinese and English label text."""

    key: str
    zh: str | None
    en: str | None
    prefix: bool = False  # match labels that start with this text (long explanatory labels)
    bare: bool = False  # the page sometimes prints this label without a colon


#: Every label of the ChiCTR registration page, in page order.
LABELS: tuple[Label, ...] = (
    Label("audit_state", "审核状态", "Project audit state"),
    Label("registration_number", "注册号", "Registration number"),
    Label("last_refreshed", "最近更新日期", "Date of Last Refreshed on"),
    Label("registered", "注册时间", "Date of Registration"),
    Label("registration_status", "注册号状态", "Registration Status"),
    Label("public_title", "注册题目", "Public title"),
    Label("acronym", "注册题目简写", "English Acronym"),
    Label("scientific_title", "研究课题的正式科学名称", "Scientific title"),
    Label("scientific_acronym", "研究课题的正式科学名称简写", "Scientific title acronym"),
    Label("subject_id", "研究课题代号(代码)", "Study subject ID"),
    Label("partner_registry", "在二级注册机构或其它机构的注册号",
          "The registration number of the Partner Registry or other register"),
    Label("applicant", "申请注册联系人", "Applicant"),
    Label("leader", "研究负责人", "Study leader"),
    Label("applicant_phone", "申请注册联系人电话", "Applicant telephone"),
    Label("leader_phone", "研究负责人电话", "Study leader's telephone"),
    Label("applicant_fax", "申请注册联系人传真", "Applicant Fax"),
    Label("leader_fax", "研究负责人传真", "Study leader's fax"),
    Label("applicant_email", "申请注册联系人电子邮件", "Applicant E-mail"),
    Label("leader_email", "研究负责人电子邮件", "Study leader's E-mail"),
    Label("applicant_website", "申请单位网址(自愿提供)", "Applicant website(voluntary supply)"),
    Label("leader_website", "研究负责人网址(自愿提供)", "Study leader's website(voluntary supply)"),
    Label("applicant_address", "申请注册联系人通讯地址", "Applicant address"),
    Label("leader_address", "研究负责人通讯地址", "Study leader's address"),
    Label("applicant_postcode", "申请注册联系人邮政编码", "Applicant postcode"),
    Label("leader_postcode", "研究负责人邮政编码", "Study leader's postcode"),
    Label("applicant_institution", "申请人所在单位", "Applicant's institution"),
    Label("leader_institution", "研究负责人所在单位", "Affiliation of the Leader"),
    Label("ethics_approved", "是否获伦理委员会批准", "Approved by ethic committee"),
    Label("ethics_number", "伦理委员会批件文号", "Approved No. of ethic committee"),
    Label("ethics_file", "伦理委员会批件附件", "Approved file of Ethical Committee"),
    Label("ethics_committee", "批准本研究的伦理委员会名称", "Name of the ethic committee"),
    Label("ethics_date", "伦理委员会批准日期", "Date of approved by ethic committee"),
    Label("ethics_contact", "伦理委员会联系人", "Contact Name of the ethic committee"),
    Label("ethics_address", "伦理委员会联系地址", "Contact Address of the ethic committee"),
    Label("ethics_phone", "伦理委员会联系人电话", "Contact phone of the ethic committee"),
    Label("ethics_email", "伦理委员会联系人邮箱", "Contact email of the ethic committee"),
    Label("primary_sponsor", "研究实施负责(组长)单位", "Primary sponsor"),
    Label("primary_sponsor_address", "研究实施负责(组长)单位地址", "Primary sponsor's address"),
    Label("section_secondary_sponsor", "试验主办单位(项目批准或申办者)", "Secondary sponsor"),
    Label("funding", "经费或物资来源", "Source(s) of funding"),
    Label("target_disease", "研究疾病", "Target disease"),
    Label("target_disease_code", "研究疾病代码", "Target disease code"),
    Label("study_type", "研究类型", "Study type"),
    Label("phase", "研究所处阶段", "Study phase"),
    Label("design", "研究设计", "Study design"),
    Label("objectives", "研究目的", "Objectives of Study"),
    Label("treatment_description", "药物成份或治疗方案详述",
          "Description for medicine or protocol of treatment in detail"),
    Label("inclusion", "纳入标准", "Inclusion criteria", bare=True),
    Label("exclusion", "排除标准", "Exclusion criteria", bare=True),
    Label("execute_time", "研究实施时间", "Study execute time"),
    Label("recruiting_time", "征募观察对象时间", "Recruiting time"),
    Label("section_interventions", None, "Interventions"),
    # groups (组别) inside the interventions section; "干预措施" is also the section header
    Label("group", "组别", "Group"),
    Label("sample_size", "样本量", "Sample size"),
    Label("intervention", "干预措施", "Intervention"),
    Label("intervention_code", "干预措施代码", "Intervention code"),
    Label("section_sites", "研究实施地点", "Countries of recruitment and research settings"),
    # places: used by the secondary-sponsor and the sites sections
    Label("country", "国家", "Country"),
    Label("province", "省(直辖市)", "Province"),
    Label("city", "市(区县)", "City"),
    Label("institution", "单位(医院)", "Institution hospital"),
    Label("level", "单位级别", "Level of the institution"),
    Label("address", "具体地址", "Address"),
    Label("section_outcomes", "测量指标", "Outcomes"),
    Label("outcome_name", "指标中文名", "Outcome"),
    Label("outcome_type", "指标类型", "Type"),
    Label("outcome_time_point", "测量时间点", "Measure time point of outcome"),
    Label("outcome_method", "测量方法", "Measure method"),
    Label("section_samples", "采集人体标本", "Collecting sample(s) from participants"),
    Label("sample_name", "标本中文名", "Sample Name"),
    Label("tissue", "组织", "Tissue"),
    Label("sample_fate", "人体标本去向", "Fate of sample", bare=True),
    Label("sample_note", "说明", "Note", bare=True),
    Label("recruiting_status", "征募研究对象情况", "Recruiting status"),
    Label("age", "年龄范围", "Participant age"),
    Label("sex", "性别", "Gender"),
    Label("randomization", "随机方法", "Randomization Procedure", prefix=True),
    Label("results_public", "是否公开试验完成后的统计结果",
          "Calculated Results after the Study Completed public access"),
    Label("blinding", "盲法", "Blinding"),
    Label("ipd_sharing", "是否共享原始数据", "IPD sharing", bare=True),
    Label("ipd_way", "共享原始数据的方式", "The way of sharing IPD", prefix=True),
    Label("data_management", "数据采集和管理", "Data collection and Management", prefix=True),
    Label("dsmb", "数据与安全监察委员会", "Data and Safety Monitoring Committee"),
    Label("registrant", "注册人", "Name of Registration"),
)

#: Keys that open a section of repeated records, and the keys each section's records hold.
SECTION_KEYS: dict[str, str] = {
    "section_secondary_sponsor": "secondary_sponsor",
    "section_interventions": "interventions",
    "section_sites": "sites",
    "section_outcomes": "outcomes",
    "section_samples": "samples",
}
_PLACE = frozenset({"country", "province", "city", "institution", "level", "address"})
RECORD_KEYS: dict[str, frozenset[str]] = {
    "secondary_sponsor": _PLACE,
    "interventions": frozenset({"group", "sample_size", "intervention", "intervention_code"}),
    "sites": _PLACE,
    "outcomes": frozenset({"outcome_name", "outcome_type", "outcome_time_point", "outcome_method"}),
    "samples": frozenset({"sample_name", "tissue", "sample_fate", "sample_note"}),
}

_DROP = re.compile(r"[\s\"'’‘“”`.,;:()\[\]{}<>/\\\-_]+")
_COLON_END = re.compile(r"[:：]\s*$")


def normalise_label(text: str) -> str:
    """Compare form of a label: NFKC (full-width to ASCII), no spaces or punctuation, lower case."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).lower()


_EXACT: dict[str, tuple[str, str, bool]] = {}
_PREFIX: list[tuple[str, str, str]] = []
for _label in LABELS:
    for _lang, _text in (("zh", _label.zh), ("en", _label.en)):
        if _text is None:
            continue
        _norm = normalise_label(_text)
        if _label.prefix:
            _PREFIX.append((_norm, _label.key, _lang))
        else:
            _EXACT[_norm] = (_label.key, _lang, _label.bare)


def match_label(block: str) -> tuple[str, str] | None:
    """``(key, language)`` if the whole *block* is a ChiCTR label, else None.

    A label must end with a colon unless the page is known to print it bare
    ("Inclusion criteria", "IPD sharing"); long explanatory labels match by prefix and
    must end with a colon.
    """
    text = block.strip()
    if not text or len(text) > 400:
        return None
    has_colon = bool(_COLON_END.search(text))
    norm = normalise_label(text)
    hit = _EXACT.get(norm)
    if hit is not None and (has_colon or hit[2]):
        return hit[0], hit[1]
    if has_colon:
        for prefix, key, lang in _PREFIX:
            if norm.startswith(prefix):
                return key, lang
    return None


@dataclass
class LabelEvent:
    """A label as it occurs on the page and the value blocks that follow it."""

    key: str
    lang: str  # language of the label: zh | en
    values: list[str] = field(default_factory=list)


_BLANK = re.compile(r"\n[ \t\u3000\xa0]*\n")
_INLINE_LABEL = re.compile(r"^([^:：\n]{1,60})[:：][ \t]*(\S.*)$", re.S)


def split_blocks(text: str) -> list[str]:
    """Blocks of a page's text: runs of lines separated by blank lines, each stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = []
    for raw in _BLANK.split(text):
        lines = [line.strip(" \t\u3000\xa0") for line in raw.split("\n")]
        block = "\n".join(line for line in lines if line)
        if block:
            blocks.append(block)
    return blocks


def label_events(blocks: Iterable[str]) -> tuple[list[str], list[LabelEvent]]:
    """Split *blocks* into the preamble (values before any label) and label events.

    A value block belongs to the label printed just before it.  A block whose first line
    reads "label: value" (some copies put both on one line) yields the label and the value.
    """
    preamble: list[str] = []
    events: list[LabelEvent] = []
    for block in blocks:
        hit = match_label(block)
        if hit is not None:
            events.append(LabelEvent(hit[0], hit[1]))
            continue
        inline = _INLINE_LABEL.match(block)
        if inline is not None:
            head = match_label(inline.group(1) + ":")
            if head is not None and not any(p[1] == head[0] for p in _PREFIX):
                events.append(LabelEvent(head[0], head[1], [inline.group(2).strip()]))
                continue
        if events:
            events[-1].values.append(block)
        else:
            preamble.append(block)
    return preamble, events
