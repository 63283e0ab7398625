"""Criteria text, the lowest layer: normalising registry text (:mod:`.normalise`) and splitting a
record's eligibility section into numbered criteria (:mod:`.split`).  Imports nothing else of
:mod:`hcctrials.criteria`."""
