"""ClinicalTrials.gov parsers (API v2 JSON, website CSV, legacy XML, HINT CSV) and client.

``PARSERS`` lists the parser instances for format detection, most specific first.
"""

from __future__ import annotations

from hcctrials.sources.base import SourceParser
from hcctrials.sources.ctgov.api_json import ApiV2JsonParser
from hcctrials.sources.ctgov.csv_export import CtgovCsvParser
from hcctrials.sources.ctgov.hint_csv import HintCsvParser
from hcctrials.sources.ctgov.legacy_xml import LegacyXmlParser

__all__ = ["PARSERS", "ApiV2JsonParser", "CtgovCsvParser", "HintCsvParser", "LegacyXmlParser"]

PARSERS: list[SourceParser] = [ApiV2JsonParser(), LegacyXmlParser(), HintCsvParser(), CtgovCsvParser()]
