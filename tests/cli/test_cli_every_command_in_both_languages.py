"""Every command in Chinese and English (issue 13): each takes ``--lang``, and a Chinese run prints no
English word of the command line's own catalog (``cli.po``).

The check reads the catalog, not a list written here: any message of ``cli.po`` whose English text
shows up in a ``--lang zh`` output is a string left untranslated (a label built outside ``say()``, or
a ``say()`` call without the language).  Record data (titles, criterion text, ids) and the rule
notation of ``criteria`` stay as written; they are not catalog messages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.main import get_command
from typer.testing import CliRunner

from hcctrials.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
PATIENT = ROOT / "src/hcctrials/datasets/patients/shenzhen_2l_after_atezo_bev.yaml"
SINGLE_ARM = ROOT / "src/hcctrials/datasets/example_study"
TWO_ARM = ROOT / "src/hcctrials/datasets/example_two_arm_study"
runner = CliRunner()


def _commands() -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []

    def walk(cmd: object, prefix: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*prefix, name])
        else:
            out.append((" ".join(prefix), cmd))

    walk(get_command(app), [])
    return out


@pytest.mark.parametrize(("name", "command"), _commands(), ids=[n for n, _ in _commands()])
def test_every_command_takes_lang(name: str, command: object) -> None:
    options = {o for p in command.params for o in getattr(p, "opts", [])}  # type: ignore[attr-defined]
    assert "--lang" in options, f"`hcctrials {name}` has no --lang"


CATALOGS = ("cli.po", "cli_clinical.po", "comparative.po", "errors.po", "report.po", "response.po", "scores.po",
            "study.po")


def _english_messages() -> list[str]:
    """English texts of the command line's catalogs whose Chinese text differs, as fixed phrases
    (fields cut out)."""
    messages = []
    for name in CATALOGS:
        with (ROOT / "src/hcctrials/i18n/locale/zh/LC_MESSAGES" / name).open("rb") as handle:
            messages.extend(read_po(handle, locale="zh"))
    phrases = set()
    for message in messages:
        if not message.id or not message.string or message.id == message.string:
            continue
        for part in re.split(r"\{[^}]*\}", str(message.id)):
            part = part.strip(" ;:,.()")
            if (" " in part or len(part) >= 9) and re.search(r"[a-z]{3}", part) and part not in str(message.string):
                phrases.add(part)  # phrases, not "ID" or "trials"; a name the Chinese keeps ("Up-to-seven") is fine
    return sorted(phrases)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('every') / 'every.sqlite3'}"
    res = runner.invoke(app, ["ingest", "--examples", "--db", url])
    assert res.exit_code == 0, res.output
    return url


def _runs(db: str, tmp: Path, lang: str = "en") -> dict[str, list[str]]:
    return {
        "ingest": ["ingest", "--examples", "--db", db],
        "trials list": ["trials", "list", "--db", db],
        "trials search": ["trials", "search", "sorafenib", "--db", db],
        "db check": ["db", "check", "--db", db],
        "db index": ["db", "index", "--db", db],
        "db upgrade": ["db", "upgrade", "--db", db],
        "db backup": ["db", "backup", str(tmp / f"backup-{lang}.sqlite3"), "--db", db],
        "landscape": ["landscape", "--db", db, "--all-conditions"],
        "score": ["score", str(PATIENT), "--as-of", "2024-03-10"],
        "match": ["match", str(PATIENT), "--as-of", "2024-03-10", "--db", db],
        "response": ["response", "--example", "--visits"],
        "criteria coverage": ["criteria", "coverage", "--db", db],
        # the rule notation and review reasons in the reader's language (criteria/compiler/describe_i18n.py)
        "criteria show": ["criteria", "show", "NCT09999918", "--db", db],
        "criteria compile-text": ["criteria", "compile-text", "Prior immunotherapy.", "--role", "exclusion"],
        "criteria evaluate": ["criteria", "evaluate", str(PATIENT), "NCT09999918", "--as-of", "2024-03-10", "--db", db],
        "trials show": ["trials", "show", "NCT09999918", "--db", db],  # NCT09990002 has an outcome title "Progression-free survival" (record data)
        "screen": ["screen", str(PATIENT), "--out", str(tmp / f"screen-{lang}.csv"), "--as-of", "2024-03-10",
                   "--workers", "1", "--db", db],
        "endpoints": ["endpoints", str(SINGLE_ARM)],
        "endpoints --by arm": ["endpoints", str(TWO_ARM), "--by", "arm"],
        "report": ["report", str(SINGLE_ARM), "-o", str(tmp / f"report-{lang}.html")],
        "design simon": ["design", "simon", "--p0", "0.1", "--p1", "0.3"],
        "design survival": ["design", "survival", "--hr", "0.7", "--median-control", "6"],
        "design gsd": ["design", "gsd", "--looks", "3"],
    }


@pytest.mark.parametrize("name", list(_runs("x", Path("."))))
def test_chinese_output_has_no_english_message(name: str, db: str, tmp_path: Path) -> None:
    zh = runner.invoke(app, [*_runs(db, tmp_path, "zh")[name], "--lang", "zh"], env={"COLUMNS": "400"})
    en = runner.invoke(app, [*_runs(db, tmp_path, "en")[name], "--lang", "en"], env={"COLUMNS": "400"})
    assert zh.exit_code == en.exit_code, (zh.output, en.output)
    assert zh.output != en.output or not zh.output.strip(), name
    flat = " ".join(zh.output.split())
    left = [p for p in _english_messages() if p in flat]
    assert not left, f"`hcctrials {name} --lang zh` prints English catalog text: {left}"
    assert re.search(r"[\u4e00-\u9fff]", flat), f"`hcctrials {name} --lang zh` printed no Chinese"
