"""What a Chinese reader sees of a trial in `match`: the record's Chinese title, the Chinese name of the
institution, the place in Chinese, and the patient's drugs by the lexicon's Chinese names (issue 13,
"drug and condition names from the lexicon in the reader's language").  An English reader sees the
record's English title and the regimen as the clinician wrote it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hcctrials.criteria.evaluation.facts import regimen_name
from hcctrials.i18n import render
from hcctrials.matching.explain import describe_match, result_to_dict
from hcctrials.matching.geography import normalise_place, resolve_location
from hcctrials.matching.matcher import match_patient
from hcctrials.patients import load_patient

PATIENT = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients/shenzhen_2l_after_atezo_bev.yaml"


def test_chictr_trial_in_chinese_shows_its_chinese_title_and_hospital(seed_trials) -> None:  # type: ignore[no-untyped-def]
    # Seed 001 is ChiCTR2500111736 (Yantai Yuhuangding Hospital, 烟台毓璜顶医院), registered in both languages.
    trial = seed_trials["001"]
    result = match_patient(load_patient(PATIENT), [trial], as_of=date(2026, 1, 15), include_closed=True)
    (m,) = result.matches
    zh = "\n".join(describe_match(m, language="zh"))
    assert "特瑞普利单抗联合瑞戈非尼二线及以后治疗免疫经治肝细胞癌的有效性和安全性研究" in zh.splitlines()[0]
    assert "烟台毓璜顶医院" in zh and "Yantai Yuhuangding Hospital" not in zh
    assert "同一国家" in zh  # Shenzhen and Yantai: same country, different provinces
    en = "\n".join(describe_match(m, language="en"))
    assert en.splitlines()[0].endswith("A study on the efficacy and safety of Toripalimab combined with Regorafenib in "
                                       "the second-line and subsequent treatment of hepatocellular carcinoma "
                                       "previously treated with immunotherapy")
    assert "Yantai Yuhuangding Hospital" in en
    doc = result_to_dict(result, "zh")["trials"][0]
    assert doc["title"].startswith("特瑞普利单抗") and doc["sites"][0]["institution"] == "烟台毓璜顶医院"


def test_place_described_in_the_readers_language() -> None:
    shenzhen = normalise_place("深圳市")
    assert shenzhen.describe() == "Shenzhen, Guangdong, China"
    assert shenzhen.describe("zh") == "中国广东深圳"  # largest unit first, as a Chinese address is written
    assert resolve_location(None, "Shandong", "China").describe("zh") == "中国山东"
    # a city the table does not know stays as given, the rest translated
    assert normalise_place("boston").describe("zh") == "boston"
    assert resolve_location(None, None, None).describe("zh") == "地点不明"


def test_regimen_names_from_the_lexicon_in_the_readers_language() -> None:
    atezo_bev = regimen_name("atezolizumab + bevacizumab")
    assert str(atezo_bev) == "atezolizumab + bevacizumab"  # English: as the clinician wrote it
    assert render(atezo_bev, "zh") == "阿替利珠单抗 + 贝伐珠单抗"
    assert render(regimen_name("durvalumab plus tremelimumab"), "zh") == "度伐利尤单抗 + 替西木单抗"
    assert render(regimen_name("Sorafenib"), "zh") == "索拉非尼"
    # written in Chinese (the bundled Shenzhen patient's agents): the English reader reads the generic names
    assert str(regimen_name("阿替利珠单抗")) == "atezolizumab"
    assert str(regimen_name("阿替利珠单抗联合贝伐珠单抗")) == "atezolizumab + bevacizumab"
    assert str(regimen_name("泰圣奇")) == "泰圣奇"  # a brand stays as written


def test_regimen_names_never_lose_what_was_written() -> None:
    # a schedule variant, a code name or words the lexicon does not read stay as written in both languages
    assert render(regimen_name("FOLFOX4"), "zh") == "FOLFOX4"
    assert render(regimen_name("sintilimab and IBI305"), "zh") == "信迪利单抗 + IBI305"
    assert render(regimen_name("sorafenib 400 mg bid"), "zh") == "sorafenib 400 mg bid"
    assert render(regimen_name("study drug XYZ-123 + sorafenib"), "zh") == "study drug XYZ-123 + sorafenib"
