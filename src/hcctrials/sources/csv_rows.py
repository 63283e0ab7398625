"""Rows of a registry CSV file, with the errors every CSV parser reports the same way."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from typing import Any

from hcctrials.errors import ParseError
from hcctrials.sources.base import RecordFailure

__all__ = ["iter_csv_rows"]


def iter_csv_rows(reader: Iterator[list[str]], columns: Sequence[str], *,
                  file: str) -> Iterator[tuple[str, dict[str, str]] | RecordFailure]:
    """Each data row of *reader* as ``(locator, {column: cell})``.

    Row numbers count the header as row 1.  Blank rows are skipped; a row whose cell count
    differs from the header's is a :class:`RecordFailure` (the others still count); a file
    the csv module cannot read raises :class:`ParseError` naming the last good row.
    """
    row_number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ParseError(f"unreadable CSV after row {row_number}: {exc}", file=file) from None
        row_number += 1
        if not any(cell.strip() for cell in cells):
            continue
        locator = f"row {row_number}"
        if len(cells) != len(columns):
            yield RecordFailure(file=file, locator=locator, error=ParseError(
                f"the row has {len(cells)} cells, the header {len(columns)}", file=file, record=locator))
            continue
        row: dict[str, Any] = dict(zip(columns, cells))
        yield locator, row
