"""hcctrials.vocab: the project's therapy vocabulary (drugs, procedures, regimens, classes).

>>> from hcctrials.vocab import load_lexicon
>>> lex = load_lexicon()
>>> lex.lookup("SHR-1316").english
'adebrelimab'
>>> [m.therapy.id for m in lex.find_mentions("阿得贝利单抗 1200mg 联合 阿帕替尼 250mg")]
['adebrelimab', 'apatinib']

Dose and schedule parsing lives in :mod:`hcctrials.vocab.dose`; Chinese/English search
tokenisation in :mod:`hcctrials.vocab.segment` (imported on demand: it needs jieba).
"""

from hcctrials.vocab.classes import CLASS_TAGS, expand_tags
from hcctrials.vocab.lexicon import (
    ClassMention,
    Lexicon,
    LexiconError,
    Mention,
    Therapy,
    load_lexicon,
    parse_lexicon,
)

__all__ = [
    "CLASS_TAGS",
    "ClassMention",
    "Lexicon",
    "LexiconError",
    "Mention",
    "Therapy",
    "expand_tags",
    "load_lexicon",
    "parse_lexicon",
]
