"""The trial page and ``/api/trials/{id}`` show a record's data-quality findings in the reader's language
(issue 13), on SQLite and PostgreSQL, over the bundled examples:

* ChiCTR2400000017 says "recruiting" although its recruitment ended 2024-12-31 (``stale_status``);
* NCT09990003 has age limits derived from the CT.gov age groups (``derived_value``);
* NCT09999918, a trial-finder page, states its data come from ClinicalTrials.gov (``derived_record``).

The findings' data (dates, the age groups as written, the site's name, the record id) stay as they are;
every other word is Chinese on a Chinese page.  A trial that is not stored is a Chinese 404.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

#: names that are the same in both languages
NAMES = {"CT", "gov", "clinicaltrials", "ClinicalTrials", "Veeva"}

EXPECTED = {
    "ChiCTR2400000017": ("stale_status", "状态过时", "状态为“正在招募”，但招募已于 2024-12-31 结束（截至 2025-03-02）"),
    "NCT09990003": ("derived_value", "推得的值", "年龄限制由 CT.gov 年龄组 'ADULT, OLDER_ADULT' 推得（儿童 0-17 岁，"
                    "成人 18-64 岁，老年人 65 岁及以上）；试验本身的限制可能更窄"),
    "NCT09999918": ("derived_record", "转载记录", "ClinicalTrials.Veeva 声明其数据来自 clinicaltrials.gov；"
                    "注册记录为 NCT09999918"),
}


def english_left(text: str, data: list[str]) -> list[str]:
    """English words of *text* once the finding's data are taken out."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", text) if w not in NAMES]


@pytest.mark.parametrize("trial_id", sorted(EXPECTED))
def test_api_findings_in_chinese(client: Any, trial_id: str) -> None:
    code, code_zh, text_zh = EXPECTED[trial_id]
    zh = client.get(f"/api/trials/{trial_id}", params={"lang": "zh"})
    assert zh.status_code == 200, zh.text
    (finding,) = zh.json()["findings"]
    assert finding["code"] == code and finding["code_label"] == code_zh and finding["text"] == text_zh
    assert not english_left(finding["text"] + finding["code_label"] + finding["field_label"] + finding["severity_label"],
                            list(finding["values"].values())), finding
    # the stored English text, template and data are kept; English readers see the text as stored
    assert finding["template"] and finding["template"].format(**finding["values"]) == finding["message"]
    (en,) = client.get(f"/api/trials/{trial_id}", params={"lang": "en"}).json()["findings"]
    assert en["text"] == en["message"] == finding["message"] and en["code_label"] == code


@pytest.mark.parametrize("trial_id", sorted(EXPECTED))
def test_trial_page_findings_in_chinese(client: Any, trial_id: str) -> None:
    _code, code_zh, text_zh = EXPECTED[trial_id]
    page = client.get(f"/trials/{trial_id}", params={"lang": "zh"})
    assert page.status_code == 200
    section = re.search(r'<section id="findings".*?</section>', page.text, re.S)
    assert section, page.text[:500]
    shown = html.unescape(re.sub(r"<[^>]+>", " ", section.group(0)))
    assert code_zh in shown and text_zh in shown, shown
    finding = client.get(f"/api/trials/{trial_id}").json()["findings"][0]
    assert not english_left(shown, list(finding["values"].values())), shown
    english = html.unescape(client.get(f"/trials/{trial_id}", params={"lang": "en"}).text)
    assert finding["message"] in english


def test_unknown_trial_is_a_chinese_404(client: Any) -> None:
    body = client.get("/api/trials/NCT09990099", params={"lang": "zh"})
    assert body.status_code == 404 and body.headers["content-type"].startswith("application/problem+json")
    detail = body.json()["detail"]
    assert "NCT09990099" in detail and "没有试验" in detail, detail
    assert "no trial" not in detail and "Did you mean" not in detail and "Run `" not in detail, detail
