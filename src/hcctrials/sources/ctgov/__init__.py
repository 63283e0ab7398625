"""Parsers for ctgov records.  ``PARSERS`` lists them for format detection."""

from __future__ import annotations

from hcctrials.sources.base import SourceParser

__all__ = ["PARSERS"]

PARSERS: list[SourceParser] = []
