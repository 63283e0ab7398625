"""Parsers for pages and listings outside the registries' own formats.  ``PARSERS`` lists them.

* ``trial_finder_page`` - ClinicalTrials.Veeva trial pages (text or saved HTML)
* ``cde_listing_tsv`` - China NMPA/CDE drug-trial listing rows
"""

from __future__ import annotations

from hcctrials.sources.base import SourceParser
from hcctrials.sources.pages.cde import CdeListingParser
from hcctrials.sources.pages.veeva import TrialFinderPageParser

__all__ = ["PARSERS", "CdeListingParser", "TrialFinderPageParser"]

PARSERS: list[SourceParser] = [TrialFinderPageParser(), CdeListingParser()]
