"""The response engine writes its rules and data-quality findings as messages (issue 13): each rule
of a time point and each finding is a :class:`~hcctrials.i18n.Msg` whose text is the English rule as
before, and which renders in Chinese with the standard words (靶病灶, 非靶病灶, 新病灶, 直径总和 ...) and
no English sentence.  Timelines as in the clinic: a PR, a CR then PR, an equivocal new lesion later
confirmed (PD back-dated, RECIST 1.1 1.5), a continuing PR [S16 Q&A], an iUPD confirmed as iCPD
[S17], an imRECIST PD negated by later control [H18], a baseline lesion missing at a visit.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from hcctrials.i18n import Msg, render

ENGLISH_RUN = re.compile(r"\b[A-Za-z]*[a-z]{2,}[A-Za-z]*(?: +[A-Za-z]*[a-z]{2,}[A-Za-z]*)+\b")
CITATIONS = re.compile(r"WG iRECIST FAQ|WG FAQ|admiralonco MISSING|Q&A")


def _texts(result: Any) -> list[Msg]:
    return [*result.visits["rule"], *result.findings["message"]]


def _assert_chinese(result: Any) -> None:
    for text in _texts(result):
        assert isinstance(text, Msg), f"plain text, not a message: {text!r}"
        zh = render(text, "zh")
        assert str(render(text, "en")) == str(text)
        assert re.search(r"[\u4e00-\u9fff]", zh) or re.fullmatch(r"[\w\s/:;.,()\[\]-]*", zh), zh
        left = ENGLISH_RUN.findall(CITATIONS.sub(" ", zh))
        assert not left, f"{text!s} -> {zh}: English left {left}"


def test_partial_response_rule_in_both_languages(series, run) -> None:  # type: ignore[no-untyped-def]
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 30, 30]}))
    rule = r.visits["rule"].iloc[0]
    assert rule == ("target PR: SOD <= 70% of baseline SOD; no non-target disease; no new lesion -> PR "
                    "[RECIST 1.1 [E09] overall response table]")
    assert render(rule, "zh") == "靶病灶 PR：直径总和 ≤ 基线直径总和的 70%；无非靶病灶；无新病灶 -> PR [RECIST 1.1 [E09] 总体疗效判定表]"
    _assert_chinese(r)


def test_cr_then_pr_finding(series, run) -> None:  # type: ignore[no-untyped-def]
    r = run(series(days=(-7, 56, 98), targets={"T1": [50, 0, 0]},
                   non_targets={"NT1": ["present", "absent", "present"]}), confirm=True)
    assert "CR_THEN_PR" in r.findings["code"].tolist()
    found = r.findings.loc[r.findings["code"] == "CR_THEN_PR", "message"].iloc[0]
    assert render(found, "zh") == "CR 之后出现 PR：若此前的 CR 属实，则此为 PD；请人工复核 [E09 表 3 注]"
    _assert_chinese(r)


def test_equivocal_new_lesion_back_dated(series, run) -> None:  # type: ignore[no-untyped-def]
    df = series(days=(-7, 56, 112), targets={"T1": [50, 45, 45]}, new={"NEW1": [None, 8, 15]},
                extra={"NEW1": {"equivocal": [None, True, False]}})
    r = run(df)
    first = r.visits["rule"].iloc[0]
    assert str(first).startswith("PD (back-dated): new lesion first seen at this scan")
    assert render(first, "zh").startswith("PD（回溯）：新病灶在本次扫描首次出现（当时不确定），于 2024-04-22 确认")
    _assert_chinese(r)
    _assert_chinese(run(df, criteria="mrecist"))


def test_continuing_pr(series, run) -> None:  # type: ignore[no-untyped-def]
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 34, 35.5]}), continuing_pr=True)
    assert render(r.visits["rule"].iloc[1], "zh") == "此前已（确认）达 PR，至 PD 前持续记为 PR [S16 Q&A]；仅为各访视的标签"
    _assert_chinese(r)


@pytest.mark.parametrize("targets", [[50, 70, 75], [50, 0, 10, 20], [50, 70, 74, 76], [50, 70, 40, 80]])
def test_irecist_rules(series, run, targets) -> None:  # type: ignore[no-untyped-def]
    days = (-7, 56, 112, 168)[: len(targets)]
    _assert_chinese(run(series(days=days, targets={"T1": targets}, new={"N1": [None, 12, 14, 20][: len(targets)]}),
                        "irecist"))
    _assert_chinese(run(series(days=days, targets={"T1": targets}), "irecist", irecist_confirmation_min_days=60,
                        irecist_confirmation_max_days=None))
    _assert_chinese(run(series(days=days, targets={"T1": targets}), "irecist", irecist_confirmation_min_days=14,
                        irecist_confirmation_max_days=30))


@pytest.mark.parametrize("targets", [[50, 70, 75, 90], [50, 70, 40, 40], [50, 0, 0, 0], [50, None, 45, 45]])
def test_imrecist_rules(series, run, targets) -> None:  # type: ignore[no-untyped-def]
    _assert_chinese(run(series(days=(-7, 56, 112, 168), targets={"T1": targets},
                               non_targets={"NT1": ["present"] * 4}), "imrecist"))


def test_baseline_lesion_without_a_row(series, run) -> None:  # type: ignore[no-untyped-def]
    df = series(days=(-7, 56), targets={"T1": [50, 40]}, non_targets={"NT1": ["present", "present"]})
    df = df[~((df["lesion_id"] == "NT1") & (df["visit_date"] != df["visit_date"].min()))]
    r = run(df)
    assert r.findings["code"].tolist() == ["LESION_NOT_RECORDED"]
    assert render(r.findings["message"].iloc[0], "zh") == "基线非靶病灶在本次访视无记录；按未评估处理"
    _assert_chinese(r)
