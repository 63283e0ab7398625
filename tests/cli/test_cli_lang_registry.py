"""Issue 13, the registry side of the command line in Chinese and English: ``ingest``, ``trials list``,
``trials show``, ``trials search``, ``landscape``, ``schema``, ``db upgrade|backup|check|index`` and
``fetch ctgov`` each take ``--lang``, and a Chinese run shows the Chinese words and none of the
English labels it replaces (so a label left outside the catalog fails here).

Every run works on a real SQLite database built with ``hcctrials ingest --examples``; the offline
``fetch ctgov`` run points at ``nonexistent.invalid`` (a name that never resolves, RFC 6761), so no
request leaves the machine.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app, main

runner = CliRunner()
WIDE = {"COLUMNS": "200"}  # whole words in the tables (a narrow table folds "Recruiting" onto two lines)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('lang') / 'examples.sqlite3'}"
    res = runner.invoke(app, ["ingest", "--examples", "--db", url])
    assert res.exit_code == 0, res.output
    return url


def _run(args: list[str], lang: str) -> str:
    res = runner.invoke(app, [*args, "--lang", lang], env=WIDE)
    assert res.exit_code == 0, res.output
    return res.output


def _both(args: list[str]) -> tuple[str, str]:
    return _run(args, "zh"), _run(args, "en")


def _words(text: str, words: list[str]) -> list[str]:
    """The *words* found in *text* as whole words (so "Phase" is not found in "Phases")."""
    return [w for w in words if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text)]


def test_trials_list_headers_statuses_and_phases(db: str) -> None:
    zh, en = _both(["trials", "list", "--db", db])
    for word in ("编号", "注册平台", "记录状态", "分期", "标题", "正在招募", "尚未招募", "II 期", "III 期",
                 "试验查询页面", "关联：", "仑伐替尼联合信迪利单抗"):  # registries by short name (CT.gov, ChiCTR)
        assert word in zh, word
    english = ["Registry", "Record status", "Phase", "Title", "Recruiting", "Not yet recruiting", "Phase 2",
               "Phase 3", "linked", "Trial-finder page"]
    assert not _words(zh, english)
    assert set(_words(en, english)) >= {"Registry", "Recruiting", "Phase 2", "linked"}
    assert "ChiCTR2400000017" in zh and "NCT09990001" in zh  # ids whole in both languages


def test_trials_show_sections_design_and_values(db: str) -> None:
    args = ["trials", "show", "NCT09990001", "--db", db, "--versions"]
    zh, en = _both(args)
    for word in ("状态 / 日期", "注册平台", "正在招募", "研究设计", "研究类型", "干预性研究", "分配方式", "随机",
                 "平行分组", "无（开放标签）", "研究目的", "治疗", "样本量", "预计", "组别", "试验组", "阳性对照",
                 "干预措施", "药物", "生物制品", "入选标准", "纳入标准", "排除标准", "男女均可", "健康志愿者", "否",
                 "结局指标", "主要", "次要", "研究中心", "机构", "国家", "尚未招募", "申办者与经费来源",
                 "主要申办者", "合作方", "企业", "注册号与关联记录", "申办者研究编号", "数据来源", "解析器",
                 "预注册", "版本历史", "导入时间"):
        assert word in zh, word
    # (record text stays as written: the summary's "first-line treatment" is not a label)
    english = ["Status", "Dates", "Design", "study type", "interventional", "allocation", "randomized", "parallel",
               "masking", "open label", "purpose", "Enrollment", "anticipated", "Arms", "arm",
               "experimental", "active comparator", "Interventions", "drug", "biological", "Eligibility",
               "Inclusion criteria", "Exclusion criteria", "female and male", "healthy volunteers", "Outcomes",
               "measure", "time frame", "Sites", "institution", "country", "Sponsors and funding", "lead sponsor",
               "collaborator", "industry", "Identifiers and linked records", "sponsor's study id", "Provenance",
               "format", "parser", "schema", "versions", "ingested at", "prospectively registered",
               "Recruiting", "Not yet recruiting", "registered", "last updated", "primary", "secondary"]
    assert not _words(zh, english), _words(zh, english)
    # English keeps the labels it always had, coded values now as words (no raw single_group / True)
    for word in ("Status / Dates", "Registry", "Design", "Eligibility", "Inclusion criteria",
                 "Identifiers and linked records", "Provenance",
                 "randomized", "active comparator", "female and male", "no", "versions"):
        assert word in en, word
    assert "single_group" not in en and "True" not in en and "False" not in en


def test_trials_show_a_record_listed_under_another_id(db: str) -> None:
    zh = _run(["trials", "show", "CHICTR2500099991", "--db", db], "zh")
    assert "CHICTR2500099991 见于记录 NCT09990001" in zh
    en = _run(["trials", "show", "CHICTR2500099991", "--db", db], "en")
    assert "CHICTR2500099991 is listed by record NCT09990001" in en


def test_trials_search_words_ids_and_json_vocabulary(db: str) -> None:
    zh = runner.invoke(app, ["trials", "search", "lenvatinib", "--db", db, "--lang", "zh"],
                       env={"COLUMNS": "80"}).output
    for word in ("项试验", "试验", "注册平台", "记录状态", "分期", "标题", "治疗场景", "药物类别", "正在招募",
                 "酪氨酸激酶抑制剂", "仑伐替尼联合信迪利单抗"):
        assert word in zh, word
    assert not _words(zh, ["trial(s)", "Trial", "Registry", "Record status", "Phase", "Title", "Setting",
                           "Classes", "Recruiting", "Tyrosine kinase inhibitor", "Locoregional therapy"])
    # at 80 columns every id stays whole on one line
    assert {"NCT09990001", "NCT09990002", "ChiCTR2400000017"} <= set(re.findall(r"\b(?:NCT\d{8}|ChiCTR\d+)\b", zh))

    listed = json.loads(_run(["trials", "list", "--db", db, "--json"], "zh"))
    found = json.loads(_run(["trials", "search", "lenvatinib", "--db", db, "--json"], "zh"))
    shared = {"trial_id", "registry", "overall_status", "phases", "title"}
    assert all(shared <= set(row) for row in listed + found) and not any("status" in row for row in found)
    by_id = {row["trial_id"]: row for row in listed}
    for hit in found:  # the same fields say the same thing in both commands, titles in the reader's language
        assert {k: hit[k] for k in shared} == {k: by_id[hit["trial_id"]][k] for k in shared}


def test_json_is_pretty_printed_alike(db: str, tmp_path: Path) -> None:
    for args in (["trials", "list", "--db", db, "--json"], ["trials", "search", "lenvatinib", "--db", db, "--json"],
                 ["landscape", "--db", db, "--json"], ["ingest", "--examples", "--db", db, "--json"],
                 ["trials", "show", "ChiCTR2400000017", "--db", db, "--json"]):
        out = _run(args, "zh")
        assert out.startswith(("[\n  ", "{\n  ")), args  # indent=2
        assert "\\u" not in out, args  # Chinese as written (ensure_ascii=False)
        json.loads(out)
    assert "仑伐替尼" in _run(["trials", "show", "ChiCTR2400000017", "--db", db, "--json"], "zh")


def test_landscape_tables_in_words(db: str) -> None:
    zh, en = _both(["landscape", "--db", db, "--all-conditions"])
    for word in ("按治疗场景和干预类别的试验数", "按治疗场景和研究分期的试验数", "按治疗场景和注册平台的试验数",
                 "治疗场景", "晚期一线", "酪氨酸激酶抑制剂", "II 期"):
        assert word in zh, word
    english = ["Trials by setting and intervention class", "Trials by setting and phase", "Setting",
               "Tyrosine kinase inhibitor", "Phase 2", "Advanced, first line"]
    assert not _words(zh, english)
    assert "Trials by setting and phase" in en and "Phase 2" in en


def test_ingest_summary(db: str) -> None:
    zh, en = _both(["ingest", "--examples", "--db", db])
    for word in ("导入汇总", "文件", "未变化", "失败"):
        assert word in zh, word
    assert not _words(zh, ["ingest summary", "files", "ingested", "unchanged", "failed", "held back"])
    assert "ingest summary" in en and "unchanged" in en


def test_db_commands(db: str, tmp_path: Path) -> None:
    outputs = {}
    for lang in ("zh", "en"):
        outputs[lang] = "".join([
            _run(["db", "upgrade", "--db", db], lang), _run(["db", "check", "--db", db], lang),
            _run(["db", "index", "--db", db], lang),
            _run(["db", "backup", str(tmp_path / f"backup-{lang}.sqlite3"), "--db", db], lang)])
    zh, en = outputs["zh"], outputs["en"]
    for word in ("数据库模式版本为", "正常", "项试验", "已为检索索引", "已备份至", "完整性"):
        assert word in zh, word
    english = ["schema at revision", "ok", "trial(s)", "indexed", "for search", "backed up to", "bytes",
               "integrity ok"]
    assert not _words(zh, english), _words(zh, english)
    assert set(_words(en, english)) == set(english)


def test_schema_commands_take_lang() -> None:
    for name in ("trial", "patient"):
        zh, en = _both(["schema", name])
        assert json.loads(zh) == json.loads(en)  # a vocabulary: the same keys in both languages
    bad = runner.invoke(app, ["schema", "trial", "--lang", "fr"])
    assert bad.exit_code != 0


def test_fetch_offline_says_the_network_is_unreachable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = "http://nonexistent.invalid/api/v2"
    for lang, expected, cause in (("zh", "网络不可达", "无法连接 http://nonexistent.invalid/api/v2/studies"),
                                  ("en", "the network is unreachable",
                                   "could not connect to http://nonexistent.invalid/api/v2/studies")):
        out = tmp_path / f"pages-{lang}"
        with pytest.raises(SystemExit) as info:
            main(["fetch", "ctgov", "--base-url", url, "--max", "1", "--min-interval", "0", "--out", str(out),
                  "--lang", lang])
        assert info.value.code == 2
        captured = capsys.readouterr()
        lines = [line for line in captured.err.splitlines() if line.strip()]
        assert len(lines) == 1, captured.err  # one line, no traceback
        assert expected in lines[0] and cause in lines[0]
        assert "file http" not in lines[0] and "request rate" not in lines[0] and "请求频率" not in lines[0]
        assert not out.exists()  # nothing fetched, no empty folder left behind
        if lang == "zh":
            assert not _words(lines[0], ["error", "the network is unreachable", "Check the network"])
