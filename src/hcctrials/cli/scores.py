"""``hcctrials score PATIENT``: every liver score, stage and tumour-burden criterion with inputs.

Thin shell over :func:`hcctrials.patients.load_patient` and
:func:`hcctrials.scores.compute_patient_scores`.
"""

from __future__ import annotations

import json
import re
from datetime import date
from collections.abc import Iterable
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from hcctrials.cli.options import lang_option
from hcctrials.errors import HcctrialsError, InputError
from hcctrials.i18n import Msg, catalog, msg, render, resolve_language, say
from hcctrials.i18n.labels import label

__all__ = ["register", "render_scores"]


#: A numeric field of a note (a count, a diameter, a sum); dates and days likewise.
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_FIELD_PATTERNS = {"n": _NUMBER, "d": _NUMBER, "total": _NUMBER, "part": _NUMBER, "days": _NUMBER,
                   "value": _NUMBER, "low": _NUMBER, "high": _NUMBER, "raw": _NUMBER, "as_alt": _NUMBER,
                   "date": r"\d{4}-\d{2}-\d{2}|None", "as_of": r"\d{4}-\d{2}-\d{2}", "analyte": r"[a-z_0-9]+",
                   "stratum": r"≤6|>6-≤12|>12", "first": r"\w+", "second": r"\w+"}

#: The notes the score functions write (hcctrials.scores: reasons of Milan, up-to-seven and 6&12
#: [Mazzaferro 1996, 2009; Wang 2019], of BCLC 2022 [Reig 2022] and CNLC [2022/2024 guideline],
#: their assumptions, why an input is unavailable, and the units' plausibility findings).  The core
#: writes them in English (it cannot know the reader); the command line reads each note back into its
#: fields with the template and says it in the reader's language.  A note matching no template is
#: shown as written.
_NOTES = (
    msg("macrovascular invasion"), msg("extrahepatic spread"), msg("vascular invasion"), msg("no nodule"),
    msg("{n} nodules (> 3)"), msg("single nodule {d} cm > 5 cm"), msg("largest of {n} nodules {d} cm > 3 cm"),
    msg("largest nodule {d} cm > 5 cm"), msg("cannot decide: {items}"),
    msg("{n} nodule(s), largest {d} cm, no macrovascular invasion or extrahepatic spread"),
    msg("known part of the sum {part} > 7"), msg("known part of the sum {part} > 12"),
    msg("{d} cm + {n} = {total} > 7"), msg("{d} cm + {n} = {total} ≤ 7"),
    msg("{d} cm + {n} = {total} (stratum {stratum})"),
    msg("end-stage liver function or ECOG ≥ 3"), msg("advanced: {items}"),
    msg("C by every possible value of the missing inputs"),
    msg("very early: single nodule ≤ 2 cm, ECOG 0, preserved liver function"),
    msg("early: single nodule, or 2-3 nodules each ≤ 3 cm; ECOG 0; preserved liver function"),
    msg("intermediate: multinodular beyond A, ECOG 0, preserved liver function"),
    msg("Child-Pugh B7 without ascites: preserved liver function only assumed for stage C; "
        "stage between {first} and {second} needs clinical judgement"),
    msg("undetermined: possible stages {stages}"),
    msg("ECOG ≥ 3 or Child-Pugh C"), msg("extrahepatic metastasis"),
    msg("macrovascular invasion, no extrahepatic metastasis"), msg("single tumour ≤ 5 cm"),
    msg("single tumour > 5 cm, or 2-3 tumours with largest ≤ 3 cm"), msg("2-3 tumours with largest > 3 cm"),
    msg("≥ 4 tumours"),
    msg("dialysis status unknown: computed as no dialysis in the past week"),
    msg("ECOG PS taken as cancer-related"), msg("liver function from Child-Pugh by rule {rule}"),
    msg("not recorded"), msg("no result on or before as_of"),
    msg("latest result {date} is older than {days} days before {as_of}"), msg("unusable result: {error}"),
    msg("liver assessment {date} is after as_of"), msg("ECOG dated after as_of"),
    msg("tumour assessment {date} is after as_of"),
    msg("{analyte} {value} {unit} is outside the plausible range {low}-{high} {unit}"),
    msg("{raw} {declared} looks like a value in {alt} (= {as_alt} {canon})"),
)


def _template(message: str) -> re.Pattern[str]:
    """A regular expression reading *message*'s fields back out of its English text."""
    parts = re.split(r"\{(\w+)\}", message)
    seen: set[str] = set()
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(re.escape(part))
        elif part in seen:
            out.append(f"(?P={part})")
        else:
            seen.add(part)
            out.append(f"(?P<{part}>{_FIELD_PATTERNS.get(part, '.+?')})")
    return re.compile("".join(out))


_TEMPLATES = tuple((_template(m.msgid), m.msgid) for m in _NOTES)


def _word(code: str, language: str) -> str:
    """An input or item code of the scores (``bilirubin_total``, ``inr_or_pt_prolongation`` ...) in words."""
    lang = language
    words = {
        "bilirubin_total": say("Total bilirubin", lang), "bilirubin": say("Total bilirubin", lang),
        "bilirubin_mg_dl": say("Total bilirubin", lang), "bilirubin_umol_l": say("Total bilirubin", lang),
        "albumin": say("Albumin", lang), "albumin_g_dl": say("Albumin", lang), "albumin_g_l": say("Albumin", lang),
        "inr": say("INR", lang), "pt_prolongation": say("PT prolongation (s)", lang),
        "inr_or_pt_prolongation": say("INR (or PT prolongation)", lang), "coagulation": say("INR (or PT prolongation)", lang),
        "creatinine": say("Creatinine", lang), "creatinine_mg_dl": say("Creatinine", lang),
        "sodium": say("Sodium", lang), "sodium_mmol_l": say("Sodium", lang),
        "ascites": say("Ascites", lang), "ascites_severity": say("ascites grade", lang),
        "encephalopathy": say("Hepatic encephalopathy", lang),
        "encephalopathy_severity": say("encephalopathy grade", lang),
        "ecog": say("ECOG", lang), "sex": say("Sex", lang), "dialysis": say("dialysis", lang),
        "nodule_count": say("Number of nodules", lang), "largest_diameter_cm": say("Largest diameter (cm)", lang),
        "nodule_diameters_cm": say("Nodule diameters (cm)", lang),
        "macrovascular_invasion": say("Macrovascular invasion", lang),
        "extrahepatic_spread": say("Extrahepatic spread", lang), "tumour": say("Tumour assessment", lang),
        "child_pugh_class": say("Child-Pugh class", lang), "child_pugh_points": say("Child-Pugh points", lang),
        "liver_function": say("Liver function", lang),
        "liver_function (Child-Pugh total / ascites)": say("liver_function (Child-Pugh total / ascites)", lang),
        "liver_function judgement": say("clinical judgement of liver function", lang),
    }
    return words.get(code, code)


def _field(name: str, value: str, language: str) -> str:
    if name == "items":  # a list of input codes or of notes
        return say(", ", language).join(_note(part, language) for part in value.split(", "))
    if name in ("analyte",):
        return _word(value, language)
    return value


def _note(text: str, language: str) -> str:
    """A note of the score functions in *language*: a :class:`~hcctrials.i18n.Msg` (the scores build
    their reasons, assumptions and missing-data texts as messages) is rendered from the catalog; a
    plain text (a finding of the units module) is read back with the templates of :data:`_NOTES`; an
    input code in words; anything else as written."""
    if language == "en" or not text:
        return text
    if isinstance(text, Msg):
        return _rendered(text, language)
    for pattern, message in _TEMPLATES:
        found = pattern.fullmatch(text)
        if found:
            fields = {k: _field(k, v, language) for k, v in found.groupdict().items()}
            return say(message, language, **fields)
    if "; " in text:
        return say("; ", language).join(_note(part, language) for part in text.split("; "))
    return _word(text, language)


def _rendered(value: object, language: str) -> str:
    """A message of the scores in *language* (as :func:`hcctrials.i18n.render`), with the input codes
    it names (``nodule_count`` in "cannot decide: {items}") in the words of the table's columns."""
    parts = getattr(value, "parts", None)
    if isinstance(value, Msg) and parts is not None:  # a list joined with join_msgs
        return _rendered(getattr(value, "sep"), language).join(_rendered(p, language) for p in parts)
    if isinstance(value, Msg):
        if not value.fields and _word(value.msgid, "en") != value.msgid:
            return _word(value.msgid, language)
        if not value.fields:
            return str(render(value, language))
        text = catalog(language).get(value.msgid, value.msgid)
        return text.format(**{k: _rendered(v, language) for k, v in value.fields.items()})
    return str(value)


def _fmt(value: object, language: str = "en") -> str:
    if value is None:
        return say("unknown", language)
    if isinstance(value, bool):
        return say("yes", language) if value else say("no", language)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, tuple)):
        return say(", ", language).join(_fmt(v, language) for v in value)
    if isinstance(value, str):
        return label("choice", value, language)  # none / mild / female ... in words
    return str(value)


def _words(items: Iterable[str], language: str) -> str:
    """Missing inputs in the reader's language."""
    return say(", ", language).join(_word(str(item), language) for item in items) or "-"


def _notes(variant: str, notes: Iterable[str], language: str) -> str:
    """The variant (a notation: ``bclc@2022``) and the notes, in *language*."""
    return say("; ", language).join([variant, *(_note(n, language) for n in notes if n)])


#: BCLC 2022 stage names (Reig M et al., J Hepatol 2022;76:681-693).
def _bclc_stage(stage: str, language: str) -> str:
    names = {"0": say("very early", language), "A": say("early", language), "B": say("intermediate", language),
             "C": say("advanced", language), "D": say("terminal", language)}
    return say("stage {stage} ({name})", language, stage=stage, name=names[stage]) if stage in names else stage


def _child_pugh_class(cp: object, language: str) -> str:
    from hcctrials.scores.child_pugh import ChildPugh

    assert isinstance(cp, ChildPugh)
    if cp.label is None or cp.grade is None or cp.points is None:
        return say("{classes} possible", language, classes="/".join(cp.classes_possible))
    text = say("class {grade}, {points} points", language, grade=cp.grade, points=cp.points)
    return text + say(" (recorded)", language) if cp.label.endswith("(recorded)") else text


def render_scores(scores: object, language: str = "en") -> list[Table]:
    """Rich tables for a :class:`~hcctrials.scores.PatientScores`, in *language*.

    Numbers are the core's (Child-Pugh [Pugh 1973], ALBI [Johnson 2015], MELD family [OPTN; Kim 2021],
    BCLC 2022, CNLC 2024, Milan, up-to-seven, six-and-twelve); only the words are the reader's."""
    from hcctrials.scores import PatientScores

    assert isinstance(scores, PatientScores)
    s = scores
    lang = language
    table = Table(title=say("Scores for {patient} as of {as_of} (labs within {days} days)", lang,
                            patient=s.patient_id, as_of=s.as_of.isoformat(), days=s.lab_window_days))
    for col in ("Score", "Value", "Class / stage", "Missing", "Variant / notes"):
        table.add_column(say(col, lang), overflow="fold")
    cp = s.child_pugh
    items = say(", ", lang).join(f"{_word(k, lang)}={_fmt(v, lang)}" for k, v in cp.item_points.items())
    table.add_row(say("Child-Pugh", lang), _fmt(cp.points, lang) if cp.points is not None else say("{range} (range)", lang,
                                                                                          range=cp.range_text),
                  _child_pugh_class(cp, lang), _words(cp.missing, lang),
                  _notes(cp.variant, (), lang) + say("; ", lang) + say("item points: {items}", lang, items=items))
    table.add_row(say("ALBI", lang), _fmt(s.albi.score, lang),
                  say("grade {grade} (mALBI {subgrade})", lang, grade=s.albi.grade, subgrade=s.albi.subgrade)
                  if s.albi.grade else say("unknown", lang), _words(s.albi.missing, lang), s.albi.variant)
    for name, m in ((say("MELD", lang), s.meld), (say("MELD-Na", lang), s.meld_na),
                    (say("MELD 3.0", lang), s.meld_3)):
        table.add_row(name, _fmt(m.score, lang), "-", _words(m.missing, lang), _notes(m.variant, m.assumptions, lang))
    table.add_row(say("BCLC", lang), _bclc_stage(s.bclc.stage, lang) if s.bclc.stage else say("unknown", lang),
                  say("possible: {stages}", lang, stages=", ".join(s.bclc.candidates)), _words(s.bclc.missing, lang),
                  _notes(s.bclc.variant, (s.bclc.reason, *s.bclc.assumptions), lang))
    table.add_row(say("CNLC", lang), say("stage {stage}", lang, stage=s.cnlc.stage) if s.cnlc.stage else say("unknown", lang),
                  say("possible: {stages}", lang, stages=", ".join(s.cnlc.candidates)), _words(s.cnlc.missing, lang),
                  _notes(s.cnlc.variant, (s.cnlc.reason,), lang))
    within_words = {True: say("within", lang), False: say("beyond", lang), None: say("unknown", lang)}
    for name, t in ((say("Milan", lang), s.milan), (say("Up-to-seven", lang), s.up_to_seven),
                    (say("Six-and-twelve", lang), s.six_and_twelve)):
        stratum = t.stratum if t.name == "six_and_twelve" and t.stratum else within_words[t.within]
        value = "-" if t.name == "milan" else _fmt(t.value, lang)  # Milan has no number, only within/beyond
        table.add_row(name, value, stratum, _words(t.missing, lang), _note(t.reason, lang))
    table.add_row(say("ECOG", lang), _fmt(s.ecog.value, lang), "-", _words(s.ecog.missing, lang),
                  s.ecog.date.isoformat() if s.ecog.date else "")

    inputs = Table(title=say("Inputs used", lang))
    for col in ("Input", "Value", "Unit", "Date", "As reported"):
        inputs.add_column(say(col, lang), overflow="fold")
    for name, inp in s.inputs.items():
        reported = "" if inp.original_value is None else f"{_fmt(inp.original_value, lang)} {inp.original_unit or ''}"
        inputs.add_row(_word(name, lang), _fmt(inp.value, lang), "" if inp.unit in (None, "1") else inp.unit,
                       inp.date.isoformat() if inp.date else "", reported.strip())
    for name, why in s.unavailable.items():
        inputs.add_row(_word(name, lang), say("missing", lang), "", "", _note(why, lang))
    tables = [table, inputs]
    if s.findings:
        findings = Table(title=say("Data-quality findings", lang))
        findings.add_column(say("Finding", lang), overflow="fold")
        for f in s.findings:
            findings.add_row(_note(f, lang))
        tables.append(findings)
    return tables


def register(app: typer.Typer) -> None:
    """Add the ``score`` command to *app*."""

    @app.command("score")
    def score(
        patient: Path = typer.Argument(..., help="Patient file: JSON/YAML (docs/patients.md) or a FHIR R4 Bundle."),
        as_of: str = typer.Option(None, "--as-of", help="Date of the assessment (YYYY-MM-DD); default today."),
        lab_window_days: int = typer.Option(28, "--lab-window-days", min=0,
                                            help="Use labs at most N days before --as-of."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
        lang: Optional[str] = lang_option(),
    ) -> None:
        """Compute Child-Pugh, ALBI, MELD family, BCLC, CNLC, Milan, up-to-seven and 6&12 for PATIENT."""
        language = resolve_language(lang)
        try:
            _score(patient, as_of, lab_window_days, as_json, language)
        except HcctrialsError as exc:
            from hcctrials.cli.response import exit_with_error

            exit_with_error(exc, language)

    def _score(patient: Path, as_of: str | None, lab_window_days: int, as_json: bool, language: str) -> None:
        from hcctrials.patients import load_patient
        from hcctrials.scores import compute_patient_scores

        if as_of is None:
            when = date.today()  # the CLI (not the core) may read the clock
        else:
            try:
                when = date.fromisoformat(as_of)
            except ValueError:
                raise InputError(msg("--as-of must be a date YYYY-MM-DD"), field="--as-of",
                                 value=as_of) from None
        from hcctrials.patients.plausibility import check_dates

        result = compute_patient_scores(check_dates(load_patient(patient), when), as_of=when,
                                        lab_window_days=lab_window_days)
        if as_json:
            typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
            return
        console = Console()
        for table in render_scores(result, language):
            console.print(table)
