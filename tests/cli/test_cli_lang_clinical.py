"""`score`, `response` and `criteria show|compile-text|coverage` in Chinese and English (issue 13).

A clinician reading with ``--lang zh`` sees every label, class, stage, response category and note
in Chinese; the numbers are the same as in English; ``--json`` is the same in both languages
(English keys, a vocabulary), pretty-printed with the Chinese characters as written.  Each test
keeps a list of the English words it translated: the Chinese output must contain none of them, so a
label left untranslated fails.  Record data (criterion text, ids) and notations (``bclc@2022``, the
rule of a criterion, "Child-Pugh points in {5,6}") are shown as written.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.datasets.patients import example_patient_path

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
WIDE = {"COLUMNS": "400"}
REGISTRY = Path(str(resources.files("hcctrials.datasets").joinpath("registry")))
CTGOV_RECORD = REGISTRY / "ctgov" / "example_api_v2_study.json"  # NCT09990001


def _run(args: list[str], lang: str | None, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, [*args, *(["--lang", lang] if lang else [])], env={**WIDE, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.output


def _flat(text: str) -> str:
    return " ".join(text.split())


def _english_left(text: str, words: list[str]) -> list[str]:
    """The English *words* (whole words, case as written) found in *text*."""
    return [w for w in words if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text)]


def _catalog_phrases() -> list[str]:
    """English phrases of cli_clinical.po (fields cut out) whose Chinese text does not keep them."""
    path = ROOT / "src/hcctrials/i18n/locale/zh/LC_MESSAGES/cli_clinical.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale="zh")
    phrases = set()
    for message in po:
        if not message.id or not message.string:
            continue
        for part in re.split(r"\{[^}]*\}", str(message.id)):
            part = part.strip(" ;:,.()")
            if re.search(r"[a-z]{3}", part) and part not in str(message.string):
                phrases.add(part)
    return sorted(phrases)


# --- score -----------------------------------------------------------------------------------

#: English labels the score tables translate (notations such as "bclc@2022" are cut out first)
SCORE_ENGLISH = [
    "Scores for", "as of", "labs within", "Score", "Value", "Class / stage", "Missing", "Variant / notes",
    "Inputs used", "Input", "Unit", "Date", "As reported", "class", "points", "grade", "stage", "very early",
    "early", "intermediate", "advanced", "terminal", "possible", "within", "beyond", "unknown", "missing",
    "Milan", "Six-and-twelve", "item points", "Total bilirubin", "Albumin", "INR (or PT prolongation)",
    "Creatinine", "Sodium", "Ascites", "Hepatic encephalopathy", "Sex", "female", "male", "none", "mild",
    "Number of nodules", "Largest diameter", "Nodule diameters", "Macrovascular invasion", "macrovascular",
    "Extrahepatic spread", "extrahepatic", "nodule", "nodules", "tumour", "largest", "dialysis",
    "cannot decide", "undetermined", "not recorded", "older than", "no result", "ECOG PS", "cancer-related",
    "liver function", "stratum", "True", "False", "yes", "no", "inr_or_pt_prolongation", "bilirubin_mg_dl",
    "nodule_count", "macrovascular_invasion", "Child-Pugh class", "range",
]

#: (patient, as of, Chinese words that must show)
SCORE_CASES = [
    ("shenzhen_2l_after_atezo_bev", "2024-03-10",
     ["A 级，6 分", "2 级（mALBI 2b）", "C 期（进展期）", "IIIa 期", "进展期：大血管侵犯、ECOG 1", "超出",
      "3 个结节中最大者 6.2 cm > 3 cm", "透析情况未知：按过去一周未透析计算", "各项得分：总胆红素=1", "所用输入",
      "女性", "是"]),
    ("houston_us_units_bclc_a", "2024-07-10",
     ["A 级，5 分", "A 期（早期）", "Ia 期", "单个肿瘤 ≤ 5 cm", "符合", "1 个结节，最大 2.8 cm，无大血管侵犯或肝外转移",
      "2.8 cm + 1 = 3.8（分层 ≤6）", "白蛋白", "否"]),
    ("wuhan_child_pugh_b8_ascites", "2024-07-10",
     ["（范围）", "可能为 A/B/C", "无法确定：可能的分期", "肝功能（Child-Pugh 总分/腹水）", "轻度", "男性",
      "最近一次结果（2024-06-03）早于 2024-07-10 前 28 天"]),
    ("shanghai_fhir_bundle", "2024-07-10",
     ["无法判断：缺少结节数目、最大直径（cm）", "评估日期当天或之前无结果", "未记录", "未知"]),
]


def _without_notation(text: str) -> str:
    # the variant of a score ("child_pugh@inr-1.7-2.3") and the BCLC liver-function rule id are notations
    text = re.sub(r"\S+@\S+", " ", text)
    return re.sub(r"cp_a\w*", " ", text)


@pytest.mark.parametrize(("patient", "as_of", "chinese"), SCORE_CASES, ids=[c[0] for c in SCORE_CASES])
def test_score_in_chinese_has_no_english_label(patient: str, as_of: str, chinese: list[str]) -> None:
    args = ["score", str(example_patient_path(patient)), "--as-of", as_of]
    zh, en = _flat(_run(args, "zh")), _flat(_run(args, "en"))
    for word in chinese:
        assert word in zh, (word, zh)
    left = _english_left(_without_notation(zh), SCORE_ENGLISH)
    assert not left, f"score --lang zh left English labels: {left}"
    phrases = [p for p in _catalog_phrases() if p in zh]
    assert not phrases, phrases
    # the same numbers in both languages (scores, dates, counts)
    assert re.findall(r"-?\d+\.\d+", zh) == re.findall(r"-?\d+\.\d+", en)


def test_score_in_english_says_classes_and_stages_in_words() -> None:
    en = _flat(_run(["score", str(example_patient_path("shenzhen_2l_after_atezo_bev")), "--as-of", "2024-03-10"], "en"))
    for text in ("class A, 6 points", "grade 2 (mALBI 2b)", "stage C (advanced)", "stage IIIa", "beyond",
                 "advanced: macrovascular_invasion, ECOG 1", "item points: Total bilirubin=1, Albumin=2",
                 "Macrovascular invasion", "female"):
        assert text in en, text
    assert not re.search(r"[\u4e00-\u9fff]", en)


def test_score_language_from_environment() -> None:
    args = ["score", str(example_patient_path("houston_us_units_bclc_a")), "--as-of", "2024-07-10"]
    assert "A 期（早期）" in _run(args, None, env={"HCCTRIALS_LANG": "zh"})
    assert "stage A (early)" in _run(args, "en", env={"HCCTRIALS_LANG": "zh"})  # --lang wins


def test_score_json_is_the_same_in_both_languages_and_pretty() -> None:
    args = ["score", str(example_patient_path("shenzhen_2l_after_atezo_bev")), "--as-of", "2024-03-10", "--json"]
    zh, en = _run(args, "zh"), _run(args, "en")
    assert zh == en
    data = json.loads(en)
    assert data["child_pugh"]["label"] == "A6" and data["bclc"]["stage"] == "C"
    assert en == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- response --------------------------------------------------------------------------------

RESPONSE_ENGLISH = [
    "best overall response", "confirmation", "Subject", "BOR", "unconfirmed", "First response", "Confirmed on",
    "Progression", "Best % change", "Time-point responses", "Date", "SOD", "from baseline", "from nadir",
    "Target", "Non-target", "New lesion", "Overall", "yes", "no", "Abbreviations", "Non-CR/non-PD",
    "Non-iCR/non-iUPD", "Complete response", "Partial response", "Stable disease", "Progressive disease",
    "Not evaluable", "Immune", "progression", "No post-baseline assessment", "NON_CR_NON_PD", "NON_iCR_NON_iUPD",
    "days", "required",
]

RESPONSE_CASES = [
    ("recist11", ["RECIST 1.1：最佳总体疗效（无需确认；SD ≥ 56 天）", "受试者", "非CR/非PD", "各时间点疗效",
                  "缩写：部分缓解（PR）；疾病稳定（SD）；疾病进展（PD）", "是", "否"]),
    ("mrecist", ["mRECIST：最佳总体疗效", "缩写：", "部分缓解（PR）"]),
    ("irecist", ["iRECIST：最佳总体疗效", "非iCR/非iUPD", "免疫部分缓解（iPR）", "免疫疾病稳定（iSD）",
                 "待确认的进展（iUPD）"]),
    ("imrecist", ["imRECIST：最佳总体疗效", "非iCR/非iUPD", "待确认的进展（iUPD）"]),
]


@pytest.mark.parametrize(("criteria", "chinese"), RESPONSE_CASES, ids=[c[0] for c in RESPONSE_CASES])
def test_response_in_chinese_has_no_english_label(criteria: str, chinese: list[str]) -> None:
    args = ["response", "--example", "--criteria", criteria, "--visits"]
    zh, en = _flat(_run(args, "zh")), _flat(_run(args, "en"))
    for word in chinese:
        assert word in zh, (word, zh)
    left = _english_left(zh, RESPONSE_ENGLISH)
    assert not left, f"response --criteria {criteria} --lang zh left English labels: {left}"
    assert re.findall(r"-?\d+\.\d+", zh) == re.findall(r"-?\d+\.\d+", en)


def test_response_in_english_names_the_categories() -> None:
    en = _flat(_run(["response", "--example", "--visits"], "en"))
    assert "Non-CR/non-PD" in en and "NON_CR_NON_PD" not in en
    assert "Abbreviations: Partial response (PR); Stable disease (SD); Progressive disease (PD)" in en
    iru = _flat(_run(["response", "--example", "--criteria", "irecist"], "en"))
    assert "Non-iCR/non-iUPD" in iru and "Unconfirmed progression (iUPD)" in iru


def test_response_rules_are_introduced_in_the_reader_language() -> None:
    zh = _run(["response", "--example", "--visits", "--rules"], "zh")
    assert "决定各时间点疗效的规则：" in zh
    assert "HCC-003 2024-05-27: 靶病灶 PR" in zh  # the engine's rule text, in the reader's language


def test_response_json_is_the_same_in_both_languages_and_pretty() -> None:
    zh, en = _run(["response", "--example", "--json"], "zh"), _run(["response", "--example", "--json"], "en")
    assert zh == en
    data = json.loads(en)
    assert en == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- criteria --------------------------------------------------------------------------------


def _cells(output: str, column: int) -> list[str]:
    """The *column*-th cell of every body row of a rich table (rows start with "│")."""
    out = []
    for line in output.splitlines():
        if line.startswith("│"):
            out.append(line.split("│")[column + 1].strip())
    return out


def test_criteria_show_in_chinese() -> None:
    args = ["criteria", "show", "NCT09990001", "--file", str(CTGOV_RECORD)]
    zh, en = _run(args, "zh"), _run(args, "en")
    head = _flat("\n".join(zh.splitlines()[:4]))
    for word in ("NCT09990001：编译后的入选/排除标准", "角色", "状态", "标准", "规则"):
        assert word in head, word
    assert not _english_left(head, ["compiled criteria", "Role", "State", "Criterion", "Rule"])
    assert set(_cells(zh, 0)) - {""} == {"入选", "排除"}
    assert set(_cells(zh, 2)) - {""} == {"已编译", "需人工审核"}
    assert set(_cells(en, 0)) - {""} == {"inclusion", "exclusion"}
    assert set(_cells(en, 2)) - {""} == {"compiled", "needs review"}
    # the criterion text is record data, shown as written in both languages
    assert "Child-Pugh class A" in zh and "Child-Pugh class A" in en


def test_criteria_show_json_is_the_same_in_both_languages() -> None:
    args = ["criteria", "show", "NCT09990001", "--file", str(CTGOV_RECORD), "--json"]
    zh, en = _run(args, "zh"), _run(args, "en")
    assert zh == en and en == json.dumps(json.loads(en), ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize(("text", "role", "zh_line", "en_line"), [
    ("Child-Pugh A or B7", "inclusion", "入选标准，已编译", "inclusion criterion, compiled"),
    ("年龄18-75岁", "inclusion", "入选标准，已编译", "inclusion criterion, compiled"),
    ("总胆红素≤2倍正常值上限", "exclusion", "排除标准，需人工审核", "exclusion criterion, needs review"),
])
def test_criteria_compile_text_in_both_languages(text: str, role: str, zh_line: str, en_line: str) -> None:
    zh = _run(["criteria", "compile-text", text, "--role", role], "zh")
    en = _run(["criteria", "compile-text", text, "--role", role], "en")
    assert zh.splitlines()[0] == zh_line and en.splitlines()[0] == en_line
    assert zh.splitlines()[1].startswith("规则：") and en.splitlines()[1].startswith("Rule: ")
    # the rule in the reader's language (criteria/compiler/describe_i18n.py); in English the compiler's notation
    from hcctrials.criteria import compile_criterion, describe
    from hcctrials.criteria.compiler.describe_i18n import describe_for_reader

    node = compile_criterion(text, role=role)  # type: ignore[arg-type]
    assert zh.splitlines()[1][len("规则："):] == describe_for_reader(node, "zh") != describe(node)
    assert en.splitlines()[1][len("Rule: "):] == describe(node)
    assert not _english_left(zh.splitlines()[0] + zh.splitlines()[1][:3], ["inclusion", "exclusion", "criterion",
                                                                          "compiled", "needs review", "Rule"])


def test_criteria_compile_text_rule_and_json() -> None:
    zh = _run(["criteria", "compile-text", "Child-Pugh A or B7"], "zh")
    assert "规则：Child-Pugh 评分 5,6,7 分" in zh
    out = _run(["criteria", "compile-text", "年龄18-75岁", "--json"], "zh")
    data = json.loads(out)
    assert data["kind"] == "age" and data["source"]["text"] == "年龄18-75岁"
    assert "年龄18-75岁" in out and out == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert out == _run(["criteria", "compile-text", "年龄18-75岁", "--json"], "en")


COVERAGE_ENGLISH = ["Criteria compiled", "Trial", "Number of criteria", "compiled", "partly compiled",
                    "needs review", "Share", "overall", "criteria", "with partial rules", "trials"]


def test_criteria_coverage_in_both_languages() -> None:
    args = ["criteria", "coverage", "--folder", str(REGISTRY)]
    zh, en = _flat(_run(args, "zh")), _flat(_run(args, "en"))
    for word in ("标准编译情况", "试验", "标准数", "已编译", "部分编译", "需人工审核", "占比", "总计："):
        assert word in zh, word
    left = _english_left(zh, COVERAGE_ENGLISH)
    assert not left, left
    for word in ("Criteria compiled", "Number of criteria", "needs review", "overall:"):
        assert word in en, word
    assert re.findall(r"\d+(?:\.\d+)?%", zh) == re.findall(r"\d+(?:\.\d+)?%", en)
    data = json.loads(_run([*args, "--json"], "zh"))
    assert data == json.loads(_run([*args, "--json"], "en")) and data["criteria"] > 0
