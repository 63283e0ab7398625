"""Rendering of a stored trial for ``hcctrials trials show`` (English or Chinese), with Rich."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from hcctrials.i18n import say
from hcctrials.i18n.findings import finding_code_label, finding_field_label, finding_text
from hcctrials.i18n.labels import label
from hcctrials.i18n.record_words import value_word
from hcctrials.model.trial import Design, Dose, Text, Trial
from hcctrials.storage import TrialVersion

__all__ = ["render_trial", "render_versions", "value_word"]


def _date_name(name: str, lang: str) -> str:
    return {"registered": say("registered", lang), "first_posted": say("first posted", lang),
            "last_updated": say("last updated", lang), "study_start": say("study start", lang),
            "primary_completion": say("primary completion", lang), "study_completion": say("study completion", lang),
            "recruitment_start": say("recruitment start", lang), "recruitment_end": say("recruitment end", lang),
            }.get(name, name)


def _code(words: str) -> str:
    return "_".join(words.lower().replace(",", " ").split())


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


def _design_text(design: Design, lang: str) -> str | None:
    """The record's design description, as written.  In Chinese an English-only description is left
    out when the structured fields above already give the design in words (a trial-finder page's
    description is those fields joined: "primary purpose: Treatment; allocation: N/A; ..."); a
    ChiCTR description, written in Chinese, is always shown."""
    if lang == "zh" and not design.description.zh and any(
            (design.allocation, design.intervention_model, design.masking, design.primary_purpose)):
        return None
    return _t(design.description, lang)


def _lexicon_name(therapy_id: str, lang: str) -> str:
    """A lexicon entry in the reader's language with its id ("仑伐替尼 (lenvatinib)"); the id alone when
    the lexicon has no name in that language."""
    from hcctrials.vocab import load_lexicon

    therapy = load_lexicon().get(therapy_id)
    name = therapy.name(lang) if therapy is not None else ""
    return f"{name} ({therapy_id})" if name and name != therapy_id else therapy_id


def render_trial(trial: Trial, *, lang: str, linked: Sequence[str], requested_id: str) -> Group:
    """Every part of *trial* as Rich renderables, in *lang* (falling back to the other language).

    Labels and coded values (status, design, arm and intervention types ...) are catalog words
    (:func:`hcctrials.i18n.say`); record text is shown as the registry wrote it."""
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
        parts.append(RichText(say("{requested} is listed by record {trial}", lang, requested=requested_id,
                                  trial=trial.trial_id), style="yellow"))

    dates = trial.dates.model_dump(exclude_none=True, exclude={"types"})
    types = trial.dates.types
    status = label("status", trial.overall_status.value, lang)
    said = _t(trial.status_text, lang)
    if said and _code(said) != trial.overall_status.value:  # the registry's own words, unless just the code
        status += f" ({said})"
    parts.append(_section(say("Status", lang) + " / " + say("Dates", lang), _kv([
        (say("Registry", lang), label("registry", trial.registry.value, lang)),
        (say("Status", lang), status),
        *[(_date_name(name, lang), value + (f" ({value_word('date_type', types[name], lang)})" if name in types else ""))
          for name, value in dates.items()],
        (say("registration", lang), value_word("registration", trial.registration_status, lang)),
    ])))
    design = trial.design
    parts.append(_section(say("Design", lang), _kv([
        (say("study type", lang), value_word("study_type", trial.study_type, lang)),
        (say("phases", lang), ", ".join(label("phase", p, lang) for p in trial.phases) or None),
        (say("allocation", lang), value_word("allocation", design.allocation, lang)),
        (say("model", lang), value_word("model", design.intervention_model, lang)),
        (say("masking", lang), value_word("masking", design.masking, lang)),
        (say("purpose", lang), value_word("purpose", design.primary_purpose, lang)),
        (say("observational model", lang), value_word("observational_model", design.observational_model, lang)),
        (say("time perspective", lang), value_word("time_perspective", design.time_perspective, lang)),
        ("", _design_text(design, lang)),
        (say("Conditions", lang), "; ".join(_t(c, lang) for c in trial.conditions) or None),
        (say("Enrollment", lang), None if trial.enrollment.count is None else
         f"{trial.enrollment.count}" + (f"-{trial.enrollment.count_high}" if trial.enrollment.count_high else "")
         + (f" ({value_word('date_type', trial.enrollment.type, lang)})" if trial.enrollment.type else "")),
    ])))
    if not trial.summary.is_empty():
        parts.append(_section(say("Summary", lang), RichText(_t(trial.summary, lang))))
    if trial.arms:
        arms = Table(show_header=True, header_style="bold", expand=True)
        for col in (say("arm", lang), say("type", lang), say("sample size", lang), say("interventions", lang)):
            arms.add_column(col)
        for arm in trial.arms:
            arms.add_row(_t(arm.label, lang), value_word("arm_type", arm.type, lang) or "",
                         "" if arm.sample_size is None else str(arm.sample_size), say(", ", lang).join(trial.arm_intervention_names(arm, lang)))
        parts.append(_section(say("Arms", lang), arms))
    if trial.interventions:
        table = Table(show_header=True, header_style="bold", expand=True)
        for col in (say("type", lang), say("name", lang), say("dose", lang), say("lexicon", lang)):
            table.add_column(col)
        for item in trial.interventions:
            name = _t(item.name, lang)
            if item.name.get(other_lang) and item.name.get(other_lang) != name:
                name += f" / {item.name.get(other_lang)}"
            table.add_row(value_word("intervention_type", item.type, lang) or "", name,
                          "; ".join(_dose(d) for d in item.doses), ", ".join(_lexicon_name(i, lang) for i in item.lexicon_ids))
        parts.append(_section(say("Interventions", lang), table))
    el = trial.eligibility
    age = None
    if el.min_age_years is not None or el.max_age_years is not None:
        age = f"{'' if el.min_age_years is None else f'{el.min_age_years:g}'}-" \
              f"{'' if el.max_age_years is None else f'{el.max_age_years:g}'}"
    volunteers = None if el.healthy_volunteers is None else label("yes_no", "yes" if el.healthy_volunteers else "no", lang)
    body: list[RenderableType] = [_kv([(say("Age (years)", lang), age), (say("Sex", lang), value_word("sex", el.sex, lang)),
                                       (say("healthy volunteers", lang), volunteers)])]
    if el.inclusion:
        body += [RichText(say("Inclusion criteria", lang), style="bold green"), _numbered(el.inclusion, lang)]
    if el.exclusion:
        body += [RichText(say("Exclusion criteria", lang), style="bold red"), _numbered(el.exclusion, lang)]
    if not el.inclusion and not el.exclusion and not el.raw_text.is_empty():
        body.append(RichText(_t(el.raw_text, lang)))
    parts.append(_section(say("Eligibility", lang), Group(*body)))
    if trial.outcomes:
        table = Table(show_header=True, header_style="bold", expand=True)
        for col in ("", say("measure", lang), say("time frame", lang)):
            table.add_column(col)
        for outcome in trial.outcomes:
            table.add_row(value_word("outcome", outcome.kind, lang) or "", _t(outcome.measure, lang),
                          _t(outcome.time_frame, lang))
        parts.append(_section(say("Outcomes", lang), table))
    if trial.sites:
        table = Table(show_header=True, header_style="bold", expand=True)
        for col in (say("institution", lang), say("city", lang), say("country", lang), say("status", lang)):
            table.add_column(col)
        for site in trial.sites:
            table.add_row(_t(site.institution, lang), _t(site.city, lang), _t(site.country, lang),
                          label("status", site.status, lang) if site.status else "")
        parts.append(_section(say("Sites", lang), table))
    if trial.sponsors or trial.funding:
        rows: list[tuple[str, str | None]] = [
            (value_word("role", s.role, lang) or "",
             _t(s.name, lang) + (f" ({value_word('agency', s.agency_class, lang)})" if s.agency_class else ""))
            for s in trial.sponsors]
        rows += [(say("funding", lang), _t(f, lang)) for f in trial.funding]
        parts.append(_section(say("Sponsors and funding", lang), _kv(rows)))
    ethics = trial.ethics
    if ethics.approved is not None or ethics.approval_number or not ethics.committee.is_empty():
        parts.append(_section(say("Ethics", lang), _kv([
            ("", None if ethics.approved is None else say("approved", lang) if ethics.approved else say("not approved", lang)),
            (say("number", lang), ethics.approval_number), (say("committee", lang), _t(ethics.committee, lang)),
            (say("date", lang), ethics.approval_date),
        ])))
    primary = say("primary", lang)
    ids = [(value_word("scheme", i.scheme, lang) or i.scheme, i.value + (f" ({primary})" if i.primary else ""))
           for i in trial.identifiers]
    ids.append((say("Same trial in other records", lang), ", ".join(linked) if linked else say("none", lang)))
    parts.append(_section(say("Identifiers and linked records", lang), _kv(ids)))
    if trial.findings:
        text = RichText()
        for f in trial.findings:
            style = {"error": "bold red", "warning": "bold yellow"}.get(f.severity, "cyan")
            severity = label("severity", f.severity, lang)
            text.append(f"[{severity}] {finding_code_label(f.code, lang)}", style=style)
            text.append("  " + say("{field}: {message}", lang, field=finding_field_label(f.field, lang),
                                   message=finding_text(f, lang)) + "\n")
        parts.append(Panel(text, title=f"[bold yellow]{say('Data-quality findings', lang)}[/]", title_align="left",
                           border_style="yellow"))
    prov = trial.provenance
    parts.append(_section(say("Provenance", lang), _kv([
        (say("format", lang), prov.source_format), (say("file", lang), prov.source_file),
        (say("locator", lang), prov.record_locator), (say("fetched", lang), prov.fetched_at),
        ("sha256", prov.raw_sha256), (say("parser", lang), prov.parser_version),
        (say("schema", lang), str(trial.schema_version)),
    ])))
    return Group(*parts)


def render_versions(versions: Sequence[TrialVersion], lang: str = "en") -> Table:
    """The stored versions of a trial as a table, in *lang*."""
    table = Table(title=say("versions", lang), show_header=True, header_style="bold")
    for col in (say("version", lang), say("current", lang), say("last updated", lang), say("ingested at", lang),
                say("format", lang), say("file", lang), "sha256"):
        table.add_column(col)
    for v in versions:
        table.add_row(str(v.version), "*" if v.current else "", v.last_updated or "",
                      v.ingested_at.isoformat(timespec="seconds"), v.source_format, v.source_file or "",
                      v.raw_sha256[:12])
    return table
