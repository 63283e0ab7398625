"""Read a study folder (CSV tables + study.json) into :class:`StudyData`.

Folder layout (see ``docs/report.md``): ``subjects.csv``, ``tumour_assessments.csv``,
``adverse_events.csv``, ``dosing.csv``, ``study.json``.  ``load_study("example")`` reads
the synthetic example study shipped with hcctrials.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from hcctrials.endpoints.study import StudyData
from hcctrials.errors import NotFoundError, ParseError

__all__ = ["load_study", "STUDY_FILES"]

STUDY_FILES = {"subjects": "subjects.csv", "assessments": "tumour_assessments.csv",
               "adverse_events": "adverse_events.csv", "dosing": "dosing.csv"}


def load_study(path: str | Path) -> StudyData:
    """Load a study folder; ``"example"`` names the packaged synthetic one-arm study,
    ``"example-two-arm"`` the randomised two-arm one."""
    if str(path) == "example":
        from hcctrials.datasets.example_study import EXAMPLE_STUDY_DIR
        folder = EXAMPLE_STUDY_DIR
    elif str(path) == "example-two-arm":
        from hcctrials.datasets.example_two_arm_study import EXAMPLE_TWO_ARM_STUDY_DIR
        folder = EXAMPLE_TWO_ARM_STUDY_DIR
    else:
        folder = Path(path)
    if not folder.is_dir():
        raise NotFoundError("study folder not found", file=str(folder),
                            hint="give a folder with subjects.csv, tumour_assessments.csv, "
                                 "adverse_events.csv, dosing.csv and study.json, or 'example'")
    tables: dict[str, pd.DataFrame] = {}
    for key, name in STUDY_FILES.items():
        f = folder / name
        if not f.is_file():
            raise NotFoundError("study table missing", file=str(f))
        try:
            tables[key] = pd.read_csv(f, dtype={"subject_id": str}, keep_default_na=True)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise ParseError(f"cannot read CSV: {exc}", file=str(f)) from exc
    info_file = folder / "study.json"
    info = {}
    if info_file.is_file():
        try:
            info = json.loads(info_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ParseError(f"invalid JSON: {exc}", file=str(info_file)) from exc
    info.setdefault("study_id", folder.name)
    return StudyData(tables["subjects"], tables["assessments"], tables["adverse_events"],
                     tables["dosing"], info)
