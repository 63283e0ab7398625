"""Criterion reasons in Chinese or English (issue 10, part 4: "--lang zh|en on match and criteria evaluate,
covering reasons, statuses and warnings, not only the verdict label").

The leaves build their reasons as structured messages (:class:`hcctrials.i18n.Msg`): the English text is
the message's ``str`` value (unchanged from before, so every English reader and test keeps working); the
Chinese text comes from ``i18n/locale/zh/LC_MESSAGES/criteria.po``.  For each clinical case below the
Chinese rendering carries the clinical words and the patient's numbers, and no word of any English
template is left in it.

(Moved from ``tests/criteria/test_criteria_reasons_zh.py``.)

From ``tests/criteria/test_criteria_site_checks_and_sentences.py`` (1 of its 5 tests; the others are in
``compiler/test_compiler_pipeline.py``, ``families/test_family_admin.py``,
``families/test_family_demographics.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

import pickle
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.describe import ANALYTE_LABELS
from hcctrials.criteria.evaluation.evaluate import Verdict, evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.criteria.evaluation.leaves import _CHILD_PUGH_ITEMS
from hcctrials.i18n import Msg, catalog, join_msgs, msg, render
from hcctrials.model import eligibility as E
from hcctrials.model.eligibility import NeedsReview
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import iter_input_files, parse_path
from hcctrials.storage import open_store

from helpers_criteria import AS_OF, lab, make_patient


PACKAGE = Path(__file__).resolve().parents[3] / "src" / "hcctrials"


def _template_words() -> set[str]:
    """Lower-case English words (4+ letters) written in any ``msg(...)`` template of the package (fields removed)."""
    words: set[str] = set()
    for _f, _l, message, _c, _ctx in extract_from_dir(str(PACKAGE), method_map=[("**/criteria/**.py", "python")],
                                                       keywords={"msg": None}):
        text = re.sub(r"{\w+}", " ", message if isinstance(message, str) else message[0])
        words |= {w for w in re.findall(r"[A-Za-z]+", text) if w.islower() and len(w) >= 4}
    return words


TEMPLATE_WORDS = _template_words()


def _evaluate(node: Any, **patient: Any) -> Verdict:
    return evaluate_node(node, PatientFacts(make_patient(**patient), AS_OF))


def _no_english_left(text: str, *, data: tuple[str, ...] = ()) -> None:
    for kept in data:  # record data (drug names as written) stay as written
        text = text.replace(kept, " ")
    left = {w for w in re.findall(r"[A-Za-z]+", text) if w in TEMPLATE_WORDS}
    assert not left, f"English template words in the Chinese text {text!r}: {sorted(left)}"


def test_templates_are_extracted() -> None:
    assert {"fails", "passes", "recorded", "history", "needs", "required"} <= TEMPLATE_WORDS


def test_failing_bilirubin_against_twice_the_uln() -> None:
    v = _evaluate(E.LabThreshold(analyte="bilirubin_total", comparator="<=", uln_multiple=2),
                  labs={"bilirubin_total": lab("bilirubin_total", 45, "umol/L", uln=21)})
    assert v.status == "not_met"
    assert v.reason == "total bilirubin 45 umol/L fails ≤ 2×ULN (2×21 = 42 umol/L) [lab 2026-03-01]"
    zh = render(v.reason, "zh")
    assert zh == "总胆红素 45 umol/L，不符合 ≤ 2×正常值上限（2×21 = 42 umol/L）[检验 2026-03-01]"
    _no_english_left(zh, data=("umol/L",))


def test_bilirubin_without_a_recent_result_names_what_to_measure() -> None:
    v = _evaluate(E.LabThreshold(analyte="bilirubin_total", comparator="<=", uln_multiple=1.5),
                  drop_labs=("bilirubin_total",))
    assert v.status == "unknown"
    assert (v.reason, v.missing) == ("no total bilirubin result within 28 days", ("total bilirubin within 28 days",))
    assert render(v.reason, "zh") == "近 28 天内无总胆红素结果"
    assert [render(m, "zh") for m in v.missing] == ["近 28 天内的总胆红素"]


def test_prior_therapy_count_names_the_regimen() -> None:
    v = _evaluate(E.PriorTherapy(kinds=["systemic"], count_comparator=">=", count_value=1))
    assert v.status == "met"
    assert v.reason == ("matching therapy: 1 regimens (atezolizumab + bevacizumab (anti-VEGF, PD-L1), 2025-01 to "
                        "2026-01); required >= 1")
    zh = render(v.reason, "zh")
    # the regimen as written in English; in Chinese the lexicon's names of its drugs
    assert "符合条件的治疗：1 个方案" in zh and "阿替利珠单抗 + 贝伐珠单抗" in zh
    assert "2025-01 至 2026-01" in zh and "要求 >= 1" in zh
    _no_english_left(zh, data=("anti-VEGF", "PD-L1"))


def test_prior_therapy_none_among_the_recorded_lines() -> None:
    v = _evaluate(E.PriorTherapy(classes=["tki"], count_comparator=">=", count_value=1, label="prior sorafenib"))
    assert v.status == "not_met"
    assert v.reason.startswith("prior sorafenib: 0 regimens (none among atezolizumab + bevacizumab")
    zh = render(v.reason, "zh")
    assert "以下治疗均不符合：阿替利珠单抗 + 贝伐珠单抗" in zh and "要求 >= 1" in zh


def test_history_item_not_recorded_asks_for_the_history() -> None:
    v = _evaluate(E.HistoryCondition(codes=["autoimmune_disease"], status="ever"), history_reviewed=False)
    assert v.status == "unknown"
    assert v.reason == "autoimmune_disease: not recorded and the history is not marked as reviewed"
    assert v.missing == ("history of autoimmune_disease (or mark the history as reviewed)",)
    zh = render(v.reason, "zh")
    assert zh == "自身免疫性疾病：未记录，且病史未标记为已复核"
    assert render(v.missing[0], "zh") == "自身免疫性疾病病史（或将病史标记为已复核）"
    _no_english_left(zh)
    reviewed = _evaluate(E.HistoryCondition(codes=["autoimmune_disease"], status="ever", look_back_days=180))
    assert reviewed.reason == "no autoimmune_disease within 180 days: history reviewed; not recorded"
    assert render(reviewed.reason, "zh") == "无自身免疫性疾病（近 180 天内）：病史已复核，未记录"


def test_history_item_labelled_in_english_reads_in_chinese_by_its_codes() -> None:
    # NCT-style English criterion "History of hemoptysis" (label as written): the English reason quotes the
    # criterion's words; the Chinese one names what the rule checks with the catalog's word, never an English
    # phrase inside a Chinese sentence.
    node = E.HistoryCondition(codes=["hemoptysis"], status="ever", label="hemoptysis within the past year")
    v = _evaluate(node, history_reviewed=False)
    assert v.status == "unknown"
    assert v.missing == ("history of hemoptysis within the past year (or mark the history as reviewed)",)
    assert render(v.missing[0], "zh") == "咯血病史（或将病史标记为已复核）"
    reviewed = _evaluate(node)
    assert reviewed.reason == "no hemoptysis within the past year: history reviewed; not recorded"
    assert render(reviewed.reason, "zh") == "无咯血：病史已复核，未记录"
    # a label written in Chinese stays as written for the Chinese reader
    chinese = _evaluate(E.HistoryCondition(codes=["hemoptysis"], status="ever", label="咯血史"))
    assert render(chinese.reason, "zh") == "无咯血史：病史已复核，未记录"


def test_prior_therapy_labelled_in_english_reads_in_chinese_by_what_it_counts() -> None:
    # "Participation in another clinical trial with an investigational drug within 2 years" (a common exclusion):
    # the English reason quotes the criterion; the Chinese one says what the rule counts, with its window.
    node = E.PriorTherapy(investigational=True, within_days=730, count_comparator=">=", count_value=1,
                          label="Participation in another clinical trial with an investigational drug within 2 years")
    v = _evaluate(node)
    assert v.status == "unknown"  # the patient's atezolizumab + bevacizumab: investigational or not is not recorded
    assert v.reason.startswith("Participation in another clinical trial with an investigational drug within 2 years: 0-1 "
                               "regimens (undetermined: atezolizumab + bevacizumab")
    zh = render(v.reason, "zh")
    assert zh.startswith("试验性药物，近 730 天内：0-1 个方案（待定：阿替利珠单抗 + 贝伐珠单抗"), zh
    _no_english_left(zh, data=("anti-VEGF", "PD-L1"))
    assert render(pickle.loads(pickle.dumps(v.reason)), "zh") == zh  # reasons cross the screening pool


def test_child_pugh_needs_inr() -> None:
    v = _evaluate(E.ChildPugh(allowed_points=[5, 6]), drop_labs=("inr",))
    assert v.status == "unknown"
    assert v.reason == "Child-Pugh 5-7 points possible: needs INR (or PT prolongation) (criterion: 5, 6)"
    assert v.missing == ("Child-Pugh needs INR (or PT prolongation)",)
    zh = render(v.reason, "zh")
    assert zh == "Child-Pugh 评分可能为 5-7 分：需补充国际标准化比值（INR）或凝血酶原时间延长（标准：5、6）"
    assert render(v.missing[0], "zh") == "Child-Pugh 评分需补充国际标准化比值（INR）或凝血酶原时间延长"
    _no_english_left(zh)


def test_pregnancy_unknown_for_a_woman_and_not_met_for_a_man() -> None:
    v = _evaluate(E.Pregnancy(), sex="female")
    assert (v.status, v.reason, v.missing) == ("unknown", "pregnant or breastfeeding: status not known",
                                               ("pregnancy status", "breastfeeding status"))
    assert render(v.reason, "zh") == "妊娠或哺乳期：状态未知"
    assert [render(m, "zh") for m in v.missing] == ["妊娠状态", "哺乳状态"]
    negated = evaluate_node(E.Not(child=E.Pregnancy()), PatientFacts(make_patient(), AS_OF))
    assert (negated.status, negated.reason) == ("met", "not (male patient)")
    assert render(negated.reason, "zh") == "非（男性患者）"


def test_combined_reasons_translate_each_part() -> None:
    node = E.AllOf(children=[E.Ecog(allowed=[0]), E.LabThreshold(analyte="albumin", comparator=">=", value=35, unit="g/L")])
    v = _evaluate(node, labs={"albumin": lab("albumin", 30, "g/L")})
    assert v.status == "not_met"
    assert v.reason == "ECOG 1 (criterion: 0); albumin 30 g/L fails ≥ 35 g/L [lab 2026-03-01]"
    assert render(v.reason, "zh") == "ECOG 评分 1（标准：0）；白蛋白 30 g/L，不符合 ≥ 35 g/L [检验 2026-03-01]"


def test_messages_pickle_hash_and_compare_as_english() -> None:
    v = _evaluate(E.ChildPugh(allowed_points=[5, 6]), drop_labs=("inr",))
    back = pickle.loads(pickle.dumps(v))
    assert back == v and isinstance(back.reason, Msg)
    assert render(back.reason, "zh") == render(v.reason, "zh")
    joined = join_msgs(msg("; "), [msg("male patient"), "as written"])
    assert joined == "male patient; as written" and hash(joined) == hash("male patient; as written")
    assert render(pickle.loads(pickle.dumps(joined)), "zh") == "男性患者；as written"
    assert render("plain text", "zh") == "plain text" and render(3, "zh") == 3


def test_vocabulary_tables_have_chinese() -> None:
    zh = catalog("zh")
    words = [*ANALYTE_LABELS.values(), *_CHILD_PUGH_ITEMS.values()]
    assert not [w for w in words if not zh.get(w)]


@pytest.fixture(scope="module")
def bundled_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('zh') / 'bundled.sqlite3'}"
    trials = [r.trial for p in iter_input_files(PACKAGE / "datasets" / "registry") for r in parse_path(p)
              if isinstance(r, ParsedRecord)]
    assert len(trials) >= 4
    with open_store(url) as store:
        store.save_trials(trials)
    return url


def test_match_in_chinese_gives_chinese_reasons(bundled_db: str) -> None:
    patient = PACKAGE / "datasets" / "patients" / "shenzhen_2l_after_atezo_bev.yaml"
    args = ["match", str(patient), "--as-of", "2026-06-01", "--db", bundled_db, "--show-ineligible"]
    zh = CliRunner().invoke(app, [*args, "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    out = "".join(zh.output.split())
    assert "既往接受过系统治疗：1个方案（阿替利珠单抗+贝伐珠单抗（抗VEGF、PD-L1），2023-04至2024-02）" in out
    assert "Child-Pugh评分需补充国际标准化比值（INR）或凝血酶原时间延长" in out
    assert "门静脉癌栓vp3（主干=vp4）" in out
    en = CliRunner().invoke(app, [*args, "--lang", "en"])
    assert en.exit_code == 0, en.output
    flat = " ".join(en.output.split())
    assert "Child-Pugh needs INR (or PT prolongation)" in flat and "PVTT vp3 (main trunk = vp4)" in flat


def test_criteria_evaluate_json_in_chinese(bundled_db: str) -> None:
    patient = PACKAGE / "datasets" / "patients" / "wuhan_child_pugh_b8_ascites.yaml"
    res = CliRunner().invoke(app, ["criteria", "evaluate", str(patient), "ChiCTR2400000017", "--as-of", "2026-06-01",
                                   "--db", bundled_db, "--lang", "zh", "--json"])
    assert res.exit_code == 0, res.output
    import json

    data = json.loads(res.output)
    reasons = {c["number"]: c["reason"] for c in data["criteria"] if c["role"] == "inclusion"}
    assert reasons["1"].startswith(f"{date(2026, 6, 1).isoformat()} 时年龄 ")
    assert "Child-Pugh 评分需补充国际标准化比值（INR）或凝血酶原时间延长" in data["to_measure"]


def test_an_allergy_to_a_drug_class_is_named_in_words() -> None:
    """"对PD-1抑制剂过敏" (ChiCTR2500111736) read "未记录对pd1过敏": the class tag, not a word."""
    from hcctrials.criteria import compile_criterion
    from hcctrials.criteria.evaluation.evaluate import evaluate_node
    from hcctrials.criteria.evaluation.facts import PatientFacts
    from hcctrials.i18n import render

    rule = compile_criterion("对PD-1抑制剂过敏。", role="exclusion")
    verdict = evaluate_node(rule, PatientFacts(make_patient(), AS_OF))
    assert render(verdict.reason, "zh") == "未记录对PD-1抑制剂过敏"
    assert render(verdict.reason, "en") == "no allergy to PD-1 inhibitors recorded"


def test_a_review_reason_reads_in_chinese_with_the_criterion_quoted_as_written() -> None:
    """The coordinator reading in Chinese sees why a criterion needs review in Chinese; the quoted criterion
    text and the partly read rule stay as the record and the rule have them."""
    from hcctrials.i18n import render

    rule = compile_criterion("晚期肝细胞肝癌, 或经组织学或细胞学确诊", role="inclusion")
    verdict = evaluate_node(NeedsReview(reason="text not compiled: 晚期肝细胞肝癌 (partly read as: ECOG in {0,1})"),
                            PatientFacts(make_patient(), AS_OF))
    shown = render(verdict.reason, "zh")
    assert "未能编译的文字：晚期肝细胞肝癌" in shown and "已部分读取为：ECOG in {0,1}" in shown
    assert "text not compiled" in str(verdict.reason)  # English unchanged
    assert rule is not None
