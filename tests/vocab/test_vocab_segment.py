"""Search tokenisation (jieba with the lexicon as user dictionary, Snowball English stems)."""

from __future__ import annotations

import jieba

from hcctrials.vocab.segment import expand_query_terms, get_tokenizer, therapy_for_token, tokenize


def test_chinese_drug_names_stay_whole():
    tokens = tokenize("阿得贝利单抗联合阿帕替尼用于既往接受过系统治疗的晚期肝细胞癌患者")
    assert tokens[:3] == ["阿得贝利单抗", "联合", "阿帕替尼"]
    assert "免疫检查点抑制剂" in tokenize("既往仅接受过一种含免疫检查点抑制剂方案治疗")
    assert "经导管动脉化疗栓塞术" in tokenize("患者接受经导管动脉化疗栓塞术后")


def test_english_is_lower_cased_stemmed_and_punctuation_dropped():
    assert tokenize("Prior PD-L1 Inhibitors, (anti-VEGF)!") == ["prior", "pd", "l1", "inhibitor", "anti", "vegf"]
    assert tokenize("Atezolizumab") == ["atezolizumab"]
    assert tokenize("，。、；：！？  ") == []
    assert tokenize("") == []


def test_full_width_text_is_folded():
    assert tokenize("ＴＡＣＥ") == ["tace"]


def test_expand_query_terms_crosses_languages():
    terms = expand_query_terms(tokenize("apatinib"))
    assert terms[0] == "apatinib"
    assert {"阿帕替尼", "rivoceranib", "艾坦"} <= set(terms)
    terms = expand_query_terms(tokenize("阿替利珠单抗"))
    assert {"atezolizumab", "tecentriq", "泰圣奇"} <= set(terms)
    assert expand_query_terms(["肝癌", "phase"]) == ["肝癌", "phase"]
    assert therapy_for_token("阿帕替尼").id == "apatinib"
    assert therapy_for_token("unknownword") is None


def test_private_tokenizer_leaves_jieba_default_alone():
    tokenizer = get_tokenizer()
    assert tokenizer is not jieba.dt
    assert get_tokenizer() is tokenizer
    assert "阿得贝利单抗" in tokenizer.FREQ
    # a fresh tokenizer (same dictionary and cache file as jieba's default) does not see them
    fresh = jieba.Tokenizer()
    fresh.initialize()
    assert "阿得贝利单抗" not in fresh.FREQ
    assert "阿得贝利单抗" not in jieba.dt.FREQ
