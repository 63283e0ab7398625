"""Evaluation: the facts of one patient on one date (:mod:`.facts`), the three-valued verdict and
how verdicts combine (:mod:`.outcome`), the rule of every leaf kind (:mod:`.leaves`,
:mod:`.leaves_history`, :mod:`.leaves_extra`, :mod:`.medications`, :mod:`.metastasis`,
:mod:`.measurable`), a tree's verdict (:mod:`.evaluate`) and the trial's (:mod:`.verdict`)."""
