"""Rule of the metastasis-site features (bone, peritoneum, lung, adrenal) on the patient's tumour record (pure).

Met when the site is listed in ``tumour.extrahepatic_sites``; not met when the patient has no
extrahepatic spread, or no distant metastasis (every site here is distant; a lymph node is not);
otherwise unknown (a site list records what was found, not every site examined).  The scanner and
the site vocabulary are :mod:`hcctrials.criteria.families.metastasis`.
"""

from __future__ import annotations

from typing import Any

from hcctrials.criteria.evaluation.outcome import Verdict
from hcctrials.criteria.families.metastasis import SITE_FEATURES
from hcctrials.i18n import msg, term
from hcctrials.model.eligibility import TumourFeature

__all__ = ["evaluate_site"]


def evaluate_site(node: TumourFeature, tumour: Any) -> Verdict:
    """Verdict of a metastasis-site feature for the patient's ``tumour`` record (see module docstring)."""
    site = SITE_FEATURES[node.feature]
    feature = term(node.feature.replace("_", " "))
    if site in tumour.extrahepatic_sites:
        return Verdict("met", msg("{feature}: {answer}", feature=feature, answer=msg("yes")))
    if tumour.extrahepatic_spread is False or tumour.distant_metastasis is False:
        return Verdict("not_met", msg("{feature}: {answer}", feature=feature, answer=msg("no")))
    return Verdict("unknown", msg("{feature} not known", feature=feature), (feature,))
