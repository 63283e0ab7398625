"""Search tokenisation for bilingual registry text (Chinese by jieba, English by Snowball).

* Chinese is segmented by a private ``jieba.Tokenizer`` (jieba's global default tokenizer is
  never touched) whose dictionary is jieba's own plus every Chinese therapy name and class
  word of the lexicon, so 阿得贝利单抗 or 免疫检查点抑制剂 stay one token.  The tokenizer is
  built on first use (about a second: jieba loads its 350k-word dictionary; see
  benchmarks/vocab_mentions.py) and jieba's logging is silenced.
* English words are lower-cased and stemmed with the Snowball English stemmer
  ("inhibitors" -> "inhibitor"); punctuation and whitespace are dropped.
* :func:`expand_query_terms` adds, for any token that is a therapy name in either language,
  every other one-token name of that therapy ("apatinib" -> "阿帕替尼", "rivoceranib", "艾坦" ...).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache

import jieba
import snowballstemmer

from hcctrials.vocab.classes import class_word_terms
from hcctrials.vocab.lexicon import Lexicon, Therapy, load_lexicon
from hcctrials.vocab.matcher import fold_text, is_cjk

__all__ = ["tokenize", "expand_query_terms", "get_tokenizer", "therapy_for_token"]

_LOCK = threading.Lock()
_TOKENIZER: jieba.Tokenizer | None = None
_INDEX: dict[str, Therapy] | None = None
_STEMMER = snowballstemmer.stemmer("english")
#: Frequency given to lexicon words: high enough that jieba keeps them whole.
_USER_WORD_FREQ = 200_000
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: A run of Chinese and the ASCII glued to it; a chunk is a run holding at least one Chinese
#: character.  One character class, no nested quantifier: linear time (issue 11: the former
#: ``[a-z0-9+-]*(?:[CJK]+[a-z0-9+-]*)+`` rescanned an unbroken ASCII token from every position,
#: quadratic: a 40k-character token took 25 s).
_RUN = re.compile(f"[a-z0-9+\\-{_CJK}]+")
_HAS_CJK = re.compile(f"[{_CJK}]")
_JIEBA_PIECE = 512
_WORD = re.compile(r"[^\W_]+")
_JOINERS = ("联合", "+", "和", "与", "序贯")


def _user_words(lexicon: Lexicon) -> list[str]:
    words: set[str] = set()
    names = [n for t in lexicon for n in t.names + t.abbreviations]
    names += [phrase for phrase, _ in class_word_terms()]
    for name in names:
        folded = fold_text(name)
        # jieba's dictionary matching works inside runs without spaces only
        if not any(is_cjk(c) for c in folded) or any(c.isspace() for c in folded):
            continue
        if any(joiner in folded for joiner in _JOINERS):
            continue  # a combination ("卡瑞利珠单抗联合阿帕替尼") is searched by its parts
        words.add(folded)
    return sorted(words)


def get_tokenizer() -> jieba.Tokenizer:
    """The private jieba tokenizer with the lexicon's words (built once, thread-safe)."""
    global _TOKENIZER
    if _TOKENIZER is None:
        with _LOCK:
            if _TOKENIZER is None:
                logging.getLogger("jieba").setLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in _user_words(load_lexicon()):
                    tokenizer.add_word(word, freq=_USER_WORD_FREQ)
                _TOKENIZER = tokenizer
    return _TOKENIZER


@lru_cache(maxsize=500_000)
def _keep(token: str) -> str | None:
    # Cached: a catalog's vocabulary is small compared with its running text (benchmarks/search_bench.py).
    token = token.strip()
    if not token:
        return None
    if any(is_cjk(c) for c in token):
        return token
    word = "".join(c for c in token if c.isalnum())
    if not word:
        return None
    if word.isascii() and word.isalpha():
        return _stem(word)
    return word


#: snowballstemmer's stemmer keeps the word being stemmed in the object: one stemmer shared by the web server's
#: request threads raced (IndexError inside it under concurrent searches, and a wrong stem could be cached).
_STEM_LOCK = threading.Lock()


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    # snowballstemmer is pure Python (~30 us a word); criteria vocabularies are small, so cache.
    with _STEM_LOCK:
        return str(_STEMMER.stemWord(word))


def tokenize(text: str) -> list[str]:
    """Search tokens of *text*: jieba words for Chinese, stemmed lower-case English words.

    ``tokenize("阿得贝利单抗联合阿帕替尼 PD-L1 inhibitors")`` ->
    ``["阿得贝利单抗", "联合", "阿帕替尼", "pd", "l1", "inhibitor"]``.
    """
    if not text:
        return []
    if len(text) <= _CACHED_TEXT_LEN:
        return list(_tokenize_short(text))
    return _tokenize(text)


#: Texts up to this length (titles, conditions, drug names) are cached whole: they repeat across a catalog.
_CACHED_TEXT_LEN = 300


@lru_cache(maxsize=100_000)
def _tokenize_short(text: str) -> tuple[str, ...]:
    return tuple(_tokenize(text))


@lru_cache(maxsize=100_000)
def _cut(chunk: str) -> tuple[str, ...]:
    """jieba's words of one Chinese run, kept as search tokens (jieba is deterministic: cacheable)."""
    out = []
    for raw in get_tokenizer().cut(chunk, HMM=True):
        kept = _keep(raw)
        if kept:
            out.append(kept)
    return tuple(out)


def _tokenize(text: str) -> list[str]:
    folded = fold_text(text)
    out: list[str] = []
    position = 0
    # Only runs containing Chinese go through jieba (with ASCII letters glued to them, so that
    # "PD-1抑制剂" and "K药" can match user words); plain English is split by a regex, which is
    # much faster than jieba's per-character DAG on Latin text.
    for chunk in _RUN.finditer(folded):
        if _HAS_CJK.search(chunk.group()) is None:
            continue
        out.extend(_english_tokens(folded[position:chunk.start()]))
        text_chunk = chunk.group()
        # jieba's time grows faster than linearly on one long run (80k characters: 10 s), so an
        # unbroken run is cut into pieces of _JIEBA_PIECE characters (real text has punctuation
        # far more often; a word across a piece boundary is split, never lost).
        for start in range(0, len(text_chunk), _JIEBA_PIECE):
            out.extend(_cut(text_chunk[start:start + _JIEBA_PIECE]))
        position = chunk.end()
    out.extend(_english_tokens(folded[position:]))
    return out


def _english_tokens(text: str) -> list[str]:
    keep = _keep
    return [k for k in map(keep, _WORD.findall(text)) if k]


def _index() -> dict[str, Therapy]:
    global _INDEX
    if _INDEX is None:
        index: dict[str, Therapy] = {}
        for therapy in load_lexicon():
            for name in therapy.names + therapy.abbreviations:
                tokens = tokenize(name)
                if len(tokens) == 1:
                    index.setdefault(tokens[0], therapy)
        _INDEX = index
    return _INDEX


def therapy_for_token(token: str) -> Therapy | None:
    """The therapy one search token names (a one-token name in either language), or None."""
    return _index().get(token)


def expand_query_terms(tokens: Iterable[str]) -> list[str]:
    """*tokens* plus every one-token name of each therapy they name, without duplicates.

    ``expand_query_terms(tokenize("apatinib"))`` contains "apatinib", "阿帕替尼",
    "rivoceranib", "甲磺酸阿帕替尼", "艾坦", "yn968d1".
    """
    tokens = list(tokens)
    out: list[str] = []
    seen: set[str] = set()

    def add(term: str) -> None:
        if term not in seen:
            seen.add(term)
            out.append(term)

    for token in tokens:
        add(token)
    index = _index()
    for token in tokens:
        therapy = index.get(token)
        if therapy is None:
            continue
        for name in therapy.names + therapy.abbreviations:
            named = tokenize(name)
            if len(named) == 1:
                add(named[0])
    return out
