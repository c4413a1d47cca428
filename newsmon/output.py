"""Printing rows as a rich table, JSON or CSV — one place for every verb that prints data."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

FORMATS = ("table", "json", "csv")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) or (
        isinstance(value, list | tuple) and any(isinstance(v, dict) for v in value)
    ):
        # Records (an article's events and amounts) stay machine-readable in their cell.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: str,
    columns: Sequence[str],
    *,
    title: str | None = None,
    out: TextIO | None = None,
    markup_columns: Sequence[str] = (),
    header: Sequence[str] = (),
) -> None:
    """Print rows; JSON and CSV carry every key, the table only ``columns``.

    Table cells are literal text (an article titled "[Update] …" must not
    become rich markup) except ``markup_columns``, which the caller escaped.
    ``header`` is the CSV header printed when there is no row (a script
    reading the columns by name must not get an empty file).
    """
    stream = out or sys.stdout
    if fmt == "json":
        json.dump(list(rows), stream, ensure_ascii=False, indent=2)
        stream.write("\n")
    elif fmt == "csv":
        write_csv(rows, stream, header)
    else:
        table = Table(title=title, show_lines=False, expand=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(
                *(_cell(row.get(c)) if c in markup_columns else escape(_cell(row.get(c))) for c in columns)
            )
        Console(file=stream, soft_wrap=False).print(table)


def write_csv(rows: Iterable[dict[str, Any]], stream: TextIO, header: Sequence[str] = ()) -> None:
    """CSV streamed row by row; the header comes from the first row, else from ``header``."""
    writer: csv.DictWriter[str] | None = None
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(stream, fieldnames=list(row), extrasaction="ignore")
            writer.writeheader()
        writer.writerow({k: _cell(v) for k, v in row.items()})
    if writer is None and header:
        csv.writer(stream).writerow(header)


def write_jsonl(rows: Iterable[dict[str, Any]], stream: TextIO) -> None:
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")
