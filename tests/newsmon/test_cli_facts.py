"""What event detection found, through the command line: show, export, search and backtests."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.newsmon.stored import Project

WATCH_LIST = """\
orgs:
  Nordwerk Robotik: {aliases: [Nordwerk, NWR]}
topics:
  takeover: 'event:acquisition AND amount>=100M'
"""
TITLE = "Nordwerk übernimmt die Softbot GmbH für 200 Millionen Euro"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = Project.create(tmp_path, WATCH_LIST)
    project.store(TITLE, text="Der Roboterhersteller Nordwerk kauft den Softwareanbieter.", language="de")
    project.store("Nordwerk eröffnet ein Werk in Ulm", text="Die Produktion beginnt 2026.", language="de")
    return project


def test_search_finds_a_watched_organisation_by_its_alias(project: Project) -> None:
    result = project.run("search", "org:NWR AND event:acquisition", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [hit["title"] for hit in json.loads(result.stdout)] == [TITLE]


def test_a_backtest_sees_the_stored_facts(project: Project) -> None:
    config = project.config.read_text(encoding="utf-8")
    project.config.write_text(config.replace("query: OpenAI AND invest*", "query: '@takeover'"), "utf-8")
    result = project.run("rules", "test", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [row["title"] for row in json.loads(result.stdout)] == [TITLE]


def test_export_carries_the_facts_in_json_and_csv(project: Project) -> None:
    rows = [json.loads(line) for line in project.run("export").stdout.splitlines()]
    deal = next(row for row in rows if row["title"] == TITLE)
    assert deal["orgs"][0] == "Nordwerk Robotik"
    event = deal["events"][0]
    assert event["type"] == "acquisition" and event["actors"][0] == "Nordwerk Robotik"
    assert event["amount"]["currency"] == "EUR" and event["amount"]["text"] == "200 Millionen Euro"
    table = list(csv.DictReader(io.StringIO(project.run("export", "--format", "csv").stdout)))
    cells = next(row for row in table if row["title"] == TITLE)
    assert json.loads(cells["events"]) == deal["events"] and json.loads(cells["amounts"]) == deal["amounts"]


def test_show_prints_the_facts_readably(project: Project) -> None:
    rows = json.loads(project.run("search", "org:nordwerk", "--format", "json").stdout)
    deal = next(row for row in rows if row["title"] == TITLE)
    lines = project.run("show", str(deal["id"])).stdout.splitlines()
    assert lines[4:6] == [
        "Acquisition: Nordwerk Robotik → Softbot GmbH · $234M (200 Millionen Euro)",
        f"  “{TITLE}”",
    ]
    assert "Organisations: Nordwerk Robotik" in lines
    assert "Amounts: $234M (200 Millionen Euro)" in lines
