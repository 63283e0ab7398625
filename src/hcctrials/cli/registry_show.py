"""Rendering of a stored trial for ``hcctrials trials show`` (English or Chinese), with Rich."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from hcctrials.model.trial import Dose, Text, Trial
from hcctrials.storage import TrialVersion

__all__ = ["render_trial", "render_versions", "LABELS"]

#: Section and field labels, English and Chinese.
LABELS: dict[str, tuple[str, str]] = {
    "registry": ("Registry", "注册平台"),
    "status": ("Status", "状态"),
    "dates": ("Dates", "日期"),
    "design": ("Design", "研究设计"),
    "enrollment": ("Enrollment", "样本量"),
    "arms": ("Arms", "组别"),
    "interventions": ("Interventions", "干预措施"),
    "eligibility": ("Eligibility", "入选标准"),
    "inclusion": ("Inclusion criteria", "纳入标准"),
    "exclusion": ("Exclusion criteria", "排除标准"),
    "outcomes": ("Outcomes", "结局指标"),
    "sites": ("Sites", "研究实施地点"),
    "sponsors": ("Sponsors and funding", "申办者与经费来源"),
    "ethics": ("Ethics", "伦理审查"),
    "identifiers": ("Identifiers and linked records", "注册号与关联记录"),
    "findings": ("Data-quality findings", "数据质量问题"),
    "provenance": ("Provenance", "数据来源"),
    "summary": ("Summary", "研究摘要"),
    "conditions": ("Conditions", "研究疾病"),
    "age": ("Age (years)", "年龄（岁）"),
    "sex": ("Sex", "性别"),
    "sample_size": ("sample size", "样本量"),
    "linked": ("Same trial in other records", "其他注册记录中的同一试验"),
    "listed_by": ("is listed by record", "见于记录"),
    "none": ("none", "无"),
    "primary": ("primary", "主要指标"),
    "secondary": ("secondary", "次要指标"),
    "other": ("other", "其他指标"),
    "approved": ("approved", "已批准"),
    "registered": ("registered", "注册日期"),
    "first_posted": ("first posted", "首次公布"),
    "last_updated": ("last updated", "最近更新"),
    "study_start": ("study start", "研究开始"),
    "primary_completion": ("primary completion", "主要终点完成"),
    "study_completion": ("study completion", "研究完成"),
    "recruitment_start": ("recruitment start", "招募开始"),
    "recruitment_end": ("recruitment end", "招募结束"),
    "registration": ("registration", "注册时机"),
    "prospective": ("prospective", "预注册"),  # ChiCTR's terms for prospective / retrospective
    "retrospective": ("retrospective", "补注册"),
    "actual": ("actual", "实际"),
    "anticipated": ("anticipated", "预计"),
    "not_approved": ("not approved", "未批准"),
}


def _l(key: str, lang: str) -> str:
    en, zh = LABELS[key]
    return zh if lang == "zh" else en


def _t(text: Text, lang: str) -> str:
    return text.get(lang) or ""


def _dose(dose: Dose) -> str:
    amount = ""
    if dose.amount is not None:
        amount = f"{dose.amount:g}" + (f"-{dose.amount_high:g}" if dose.amount_high is not None else "")
    parts = [p for p in (f"{amount} {dose.unit or ''}".strip(), dose.route, dose.frequency) if p]
    return " ".join(parts) or (dose.text or "")


def _section(title: str, body: RenderableType) -> Panel:
    return Panel(body, title=f"[bold]{title}[/]", title_align="left", border_style="cyan")


def _kv(rows: Sequence[tuple[str, str | None]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        if value not in (None, ""):
            table.add_row(key, value)
    return table


def _numbered(items: Sequence[Text], lang: str) -> RichText:
    text = RichText()
    for i, item in enumerate(items, start=1):
        text.append(f"{i:>3}. ", style="bold")
        text.append(_t(item, lang) + "\n")
    return text


def render_trial(trial: Trial, *, lang: str, linked: Sequence[str], requested_id: str) -> Group:
    """Every part of *trial* as Rich renderables, in *lang* (falling back to the other language)."""
    parts: list[RenderableType] = []
    other_lang = "en" if lang == "zh" else "zh"
    header = RichText(f"{trial.trial_id}  ", style="bold magenta")
    header.append(trial.title(lang), style="bold")
    other_title = trial.brief_title.zh if lang == "en" else trial.brief_title.en
    if other_title and other_title != trial.title(lang):
        header.append(f"\n{other_title}", style="dim")
    if trial.scientific_title.get(lang) and trial.scientific_title.get(lang) != trial.title(lang):
        header.append(f"\n{trial.scientific_title.get(lang)}", style="italic")
    parts.append(header)
    if requested_id.upper() != trial.trial_id.upper():
        parts.append(RichText(f"{requested_id} {_l('listed_by', lang)} {trial.trial_id}", style="yellow"))

    dates = trial.dates.model_dump(exclude_none=True, exclude={"types"})
    types = trial.dates.types
    parts.append(_section(_l("status", lang) + " / " + _l("dates", lang), _kv([
        (_l("registry", lang), trial.registry.value),
        (_l("status", lang), f"{trial.overall_status.value}" + (f" ({_t(trial.status_text, lang)})"
                                                               if not trial.status_text.is_empty() else "")),
        *[(_l(name, lang), value + (f" ({_l(types[name], lang)})" if name in types else ""))
          for name, value in dates.items()],
        (_l("registration", lang), trial.registration_status and _l(trial.registration_status, lang)),
    ])))
    design = trial.design
    parts.append(_section(_l("design", lang), _kv([
        ("study type", trial.study_type), ("phases", ", ".join(trial.phases) or None),
        ("allocation", design.allocation), ("model", design.intervention_model), ("masking", design.masking),
        ("purpose", design.primary_purpose), ("observational model", design.observational_model),
        ("time perspective", design.time_perspective), ("", _t(design.description, lang)),
        (_l("conditions", lang), "; ".join(_t(c, lang) for c in trial.conditions) or None),
        (_l("enrollment", lang), None if trial.enrollment.count is None else
         f"{trial.enrollment.count}" + (f"-{trial.enrollment.count_high}" if trial.enrollment.count_high else "")
         + (f" ({trial.enrollment.type})" if trial.enrollment.type else "")),
    ])))
    if not trial.summary.is_empty():
        parts.append(_section(_l("summary", lang), RichText(_t(trial.summary, lang))))
    if trial.arms:
        arms = Table(show_header=True, header_style="bold", expand=True)
        for col in ("arm", "type", _l("sample_size", lang), "interventions"):
            arms.add_column(col)
        for arm in trial.arms:
            arms.add_row(_t(arm.label, lang), arm.type or "",
                         "" if arm.sample_size is None else str(arm.sample_size), ", ".join(arm.intervention_names))
        parts.append(_section(_l("arms", lang), arms))
    if trial.interventions:
        table = Table(show_header=True, header_style="bold", expand=True)
        for col in ("type", "name", "dose", "lexicon"):
            table.add_column(col)
        for item in trial.interventions:
            name = _t(item.name, lang)
            if item.name.get(other_lang) and item.name.get(other_lang) != name:
                name += f" / {item.name.get(other_lang)}"
            table.add_row(item.type or "", name, "; ".join(_dose(d) for d in item.doses), ", ".join(item.lexicon_ids))
        parts.append(_section(_l("interventions", lang), table))
    el = trial.eligibility
    age = None
    if el.min_age_years is not None or el.max_age_years is not None:
        age = f"{'' if el.min_age_years is None else f'{el.min_age_years:g}'}-" \
              f"{'' if el.max_age_years is None else f'{el.max_age_years:g}'}"
    body: list[RenderableType] = [_kv([(_l("age", lang), age), (_l("sex", lang), el.sex),
                                       ("healthy volunteers", None if el.healthy_volunteers is None
                                        else str(el.healthy_volunteers).lower())])]
    if el.inclusion:
        body += [RichText(_l("inclusion", lang), style="bold green"), _numbered(el.inclusion, lang)]
    if el.exclusion:
        body += [RichText(_l("exclusion", lang), style="bold red"), _numbered(el.exclusion, lang)]
    if not el.inclusion and not el.exclusion and not el.raw_text.is_empty():
        body.append(RichText(_t(el.raw_text, lang)))
    parts.append(_section(_l("eligibility", lang), Group(*body)))
    if trial.outcomes:
        table = Table(show_header=True, header_style="bold", expand=True)
        for col in ("", "measure", "time frame"):
            table.add_column(col)
        for outcome in trial.outcomes:
            table.add_row(_l(outcome.kind, lang), _t(outcome.measure, lang), _t(outcome.time_frame, lang))
        parts.append(_section(_l("outcomes", lang), table))
    if trial.sites:
        table = Table(show_header=True, header_style="bold", expand=True)
        for col in ("institution", "city", "country", "status"):
            table.add_column(col)
        for site in trial.sites:
            table.add_row(_t(site.institution, lang), _t(site.city, lang), _t(site.country, lang), site.status or "")
        parts.append(_section(_l("sites", lang), table))
    if trial.sponsors or trial.funding:
        rows: list[tuple[str, str | None]] = [
            (s.role, _t(s.name, lang) + (f" ({s.agency_class})" if s.agency_class else ""))
            for s in trial.sponsors]
        rows += [("funding", _t(f, lang)) for f in trial.funding]
        parts.append(_section(_l("sponsors", lang), _kv(rows)))
    ethics = trial.ethics
    if ethics.approved is not None or ethics.approval_number or not ethics.committee.is_empty():
        parts.append(_section(_l("ethics", lang), _kv([
            ("", None if ethics.approved is None else _l("approved" if ethics.approved else "not_approved", lang)),
            ("number", ethics.approval_number), ("committee", _t(ethics.committee, lang)),
            ("date", ethics.approval_date),
        ])))
    ids = [(i.scheme, i.value + (" (primary)" if i.primary else "")) for i in trial.identifiers]
    ids.append((_l("linked", lang), ", ".join(linked) if linked else _l("none", lang)))
    parts.append(_section(_l("identifiers", lang), _kv(ids)))
    if trial.findings:
        text = RichText()
        for f in trial.findings:
            style = {"error": "bold red", "warning": "bold yellow"}.get(f.severity, "cyan")
            text.append(f"[{f.severity}] {f.code}", style=style)
            text.append(f"  {f.field}: {f.message}\n")
        parts.append(Panel(text, title=f"[bold yellow]{_l('findings', lang)}[/]", title_align="left",
                           border_style="yellow"))
    prov = trial.provenance
    parts.append(_section(_l("provenance", lang), _kv([
        ("format", prov.source_format), ("file", prov.source_file), ("locator", prov.record_locator),
        ("fetched", prov.fetched_at), ("sha256", prov.raw_sha256), ("parser", prov.parser_version),
        ("schema", str(trial.schema_version)),
    ])))
    return Group(*parts)


def render_versions(versions: Sequence[TrialVersion]) -> Table:
    table = Table(title="versions", show_header=True, header_style="bold")
    for col in ("version", "current", "last updated", "ingested at", "format", "file", "sha256"):
        table.add_column(col)
    for v in versions:
        table.add_row(str(v.version), "*" if v.current else "", v.last_updated or "",
                      v.ingested_at.isoformat(timespec="seconds"), v.source_format, v.source_file or "",
                      v.raw_sha256[:12])
    return table
