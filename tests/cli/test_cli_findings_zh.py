"""``trials show --lang zh`` shows a record's data-quality findings in Chinese, and a trial that is not
stored is named in Chinese (issue 13), on SQLite and PostgreSQL.

ChiCTR2500111173 is the first row of the real ChiCTR search-results page
(shared/data/registry/chictr/chictr_search_results_KRAS.html): a listing row, not a registration, which
its ``partial_record`` finding says.  A record stored by an earlier version (its finding has only the
English text, no template) is read back through the catalog's templates.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app, main
from hcctrials.model.trial import Finding, Identifier, Provenance, Text, Trial
from hcctrials.sources.base import sha256_hex
from hcctrials.storage import open_store

runner = CliRunner()
WIDE = {"COLUMNS": "250"}

PARTIAL_EN = ("a search-results listing row (number, title, institution, study type, registration date), "
              "not the full registration")
PARTIAL_ZH = "检索结果列表中的一行（注册号、题目、机构、研究类型、注册日期），不是完整的注册记录"


@pytest.fixture
def db(db_url: str, tmp_path: Path, shared_dir: Path) -> str:
    folder = tmp_path / "records"
    folder.mkdir()
    shutil.copy(shared_dir / "data/registry/chictr/chictr_search_results_KRAS.html", folder / "search.html")
    res = runner.invoke(app, ["ingest", str(folder), "--db", db_url])
    assert res.exit_code == 0, res.output
    return db_url


def _findings_panel(output: str) -> str:
    """The lines of the findings panel (between its title and the provenance section)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if "数据质量问题" in line or "Data-quality findings" in line)
    end = next(i for i in range(start + 1, len(lines)) if "╰" in lines[i])
    return "\n".join(lines[start:end])


def _english(text: str, data: list[str]) -> list[str]:
    for value in data:
        text = text.replace(value, " ")
    return re.findall(r"[A-Za-z][A-Za-z_]{2,}", text)


def test_search_row_finding_in_chinese(db: str) -> None:
    zh = runner.invoke(app, ["trials", "show", "ChiCTR2500111173", "--db", db, "--lang", "zh"], env=WIDE)
    assert zh.exit_code == 0, zh.output
    panel = _findings_panel(zh.output)
    assert "[提示] 部分记录" in panel and "整条记录" in panel
    assert PARTIAL_ZH in re.sub(r"\s*│\s*", "", panel)
    assert not _english(panel, []), panel  # neither "partial_record" nor the English message
    en = runner.invoke(app, ["trials", "show", "ChiCTR2500111173", "--db", db, "--lang", "en"], env=WIDE)
    assert "[note] partial_record" in en.output and PARTIAL_EN in re.sub(r"\s*│\s*", " ", en.output)


def test_finding_stored_before_templates_reads_in_chinese(db: str) -> None:
    """A bilingual-mismatch finding as an earlier version stored it (English text, no template): the
    drug names, as the record wrote them, stay as they are; the words around them are Chinese."""
    old = Finding(code="bilingual_mismatch", field="titles",
                  message="the Chinese titles name 阿得贝利单抗 (adebrelimab) but the English name camrelizumab")
    assert old.template is None
    trial = Trial(trial_id="ChiCTR2600000091", registry="chictr",
                  identifiers=[Identifier(scheme="chictr", value="ChiCTR2600000091", primary=True)],
                  brief_title=Text(zh="阿得贝利单抗治疗肝细胞癌", en="Camrelizumab in hepatocellular carcinoma"),
                  findings=[old], provenance=Provenance(source_format="chictr_text", raw_sha256=sha256_hex("91")))
    with open_store(db) as store:
        store.save_trials([trial])
        (stored,) = store.findings("ChiCTR2600000091")
        assert stored.template is None and stored.message == old.message
    zh = runner.invoke(app, ["trials", "show", "ChiCTR2600000091", "--db", db, "--lang", "zh"], env=WIDE)
    assert zh.exit_code == 0, zh.output
    panel = re.sub(r"\s*│\s*", "", _findings_panel(zh.output))
    assert "[警告] 中英文不一致  题目：中文题目写的是 阿得贝利单抗 (adebrelimab)，英文写的却是 camrelizumab" in panel
    assert not _english(panel, ["adebrelimab", "camrelizumab"]), panel


def test_unknown_trial_named_in_chinese(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["trials", "show", "ChiCTR2500111174", "--db", db, "--lang", "zh"])
    err = capsys.readouterr().err
    assert "没有试验 'ChiCTR2500111174'" in err and "您是否要找 CHICTR2500111173" in err, err
    assert "no trial" not in err and "Did you mean" not in err
    with pytest.raises(SystemExit):
        main(["trials", "show", "XYZ123", "--db", db, "--lang", "zh"])
    err = capsys.readouterr().err
    assert "运行 `hcctrials trials list` 查看已存储的编号" in err and "to see the stored ids" not in err, err
