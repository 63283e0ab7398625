"""Search tokens under the web server's request threads: one shared snowball stemmer raced (issue 12
benchmark: IndexError inside snowballstemmer under concurrent searches, and a wrong stem could be cached)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from hcctrials.vocab import segment

WORDS = [f"{stem}{suffix}" for stem in ("inhibit", "regimen", "metastas", "progress", "transplant", "hepatocellular",
                                        "embolization", "radiotherap", "immunotherap", "lenvatinib")
         for suffix in ("", "s", "ed", "ing", "ation", "ations", "ive", "ively", "ness", "ies")]


def test_stems_are_the_same_from_many_threads_at_once() -> None:
    segment._stem.cache_clear()
    expected = {w: str(segment._STEMMER.stemWord(w)) for w in WORDS}
    segment._stem.cache_clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            got = list(pool.map(segment._stem, WORDS * 4))
            assert got == [expected[w] for w in WORDS * 4]
            segment._stem.cache_clear()
