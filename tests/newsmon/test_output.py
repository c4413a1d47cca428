"""Rows printed as a table, JSON or CSV: what the article says is printed as it is."""

from __future__ import annotations

import csv
import io
import json

from newsmon.output import emit, write_jsonl

ROWS = [{"id": 1, "title": "[Update] OpenAI [bold]raises[/bold]", "authors": ["A", "B"], "published": None}]


def test_table_cells_are_literal_text_not_markup() -> None:
    out = io.StringIO()
    emit(ROWS, "table", ["id", "title"], out=out)
    assert "[Update] OpenAI [bold]raises[/bold]" in out.getvalue()


def test_json_and_csv_carry_every_key() -> None:
    out = io.StringIO()
    emit(ROWS, "json", ["id"], out=out)
    assert json.loads(out.getvalue()) == ROWS
    out = io.StringIO()
    emit(ROWS, "csv", ["id"], out=out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row == {"id": "1", "title": ROWS[0]["title"], "authors": "A, B", "published": ""}


def test_jsonl_is_one_object_a_line() -> None:
    out = io.StringIO()
    write_jsonl(iter(ROWS * 3), out)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == ROWS * 3
