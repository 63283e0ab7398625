"""Rule families: one scanner per family of criteria (labs, staging, therapy, history, malignancy,
medications, ...), each turning the spans of a normalised criterion it recognises into rule
nodes (:class:`hcctrials.criteria.grammar.Hit`), with the family's vocabulary.  Families read
text with :mod:`hcctrials.criteria.grammar` and may use each other's vocabularies; they know
nothing of the compiler that combines their hits or of the evaluation of the rules."""
