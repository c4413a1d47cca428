"""A command line scripts can trust: headers on empty CSV, literal titles, unknown names exit 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.newsmon.stored import Project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.create(tmp_path)


@pytest.mark.parametrize(
    ("args", "first_columns"),
    [
        (["search", "nothing-matches-this"], ["id", "title", "url", "source", "published"]),
        (["alerts"], ["id", "rule", "article_id", "title", "url", "channel", "status"]),
        (["rules", "test"], ["rule", "article_id", "title"]),
        (["export"], ["id", "title", "url", "source", "published", "language", "authors"]),
    ],
)
def test_csv_with_no_row_still_prints_the_header(
    project: Project, args: list[str], first_columns: list[str]
) -> None:
    result = project.run(*args, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) == 1 and rows[0][: len(first_columns)] == first_columns


def test_csv_header_with_no_hit_matches_the_header_with_hits(project: Project) -> None:
    project.store("OpenAI invests in robots", text="OpenAI invests")
    with_hit = project.run("search", "OpenAI", "--format", "csv").stdout.splitlines()[0]
    without = project.run("search", "zebra", "--format", "csv").stdout.splitlines()[0]
    assert with_hit == without


@pytest.mark.parametrize(
    "title", ["OpenAI [update] buys X", "Why [/s] matters", "[bold red]x[/] and [link=y]"]
)
def test_show_prints_the_title_as_it_is(project: Project, title: str) -> None:
    article_id = project.store(title, text="Body text.")
    result = project.run("show", str(article_id))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == title


@pytest.mark.parametrize(
    ("args", "kind", "known"),
    [
        (["search", "x", "--source", "nosuch"], "source", "blog, wire"),
        (["export", "--source", "nosuch"], "source", "blog, wire"),
        (["alerts", "--rule", "nosuch"], "rule", "ai-money"),
        (["rules", "test", "nosuch"], "rule", "ai-money"),
        (["crawl", "--source", "nosuch"], "source", "blog, wire"),
    ],
)
def test_unknown_names_exit_2_listing_the_known_ones(
    project: Project, args: list[str], kind: str, known: str
) -> None:
    result = project.run(*args)
    assert result.exit_code == 2, result.output
    assert f"no {kind} named 'nosuch' (known: {known})" in result.stderr
    assert result.stdout == ""


def test_a_rule_removed_from_the_config_still_lists_its_alerts(project: Project, tmp_path: Path) -> None:
    project.store("OpenAI invests 1B", text="OpenAI invests")
    text = project.config.read_text().replace("name: ai-money", "name: renamed")
    project.config.write_text(text)
    result = project.run("alerts", "--rule", "ai-money", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [row["rule"] for row in json.loads(result.stdout)] == ["ai-money"]


@pytest.mark.parametrize(
    "args",
    [
        ["search", "-OpenAI AI"],
        ["search", "--limit", "5", "-OpenAI AI"],
        ["search", "-OpenAI AI", "--format", "json"],
        ["search", "--format", "json", "--config", "{config}", "--", "-OpenAI AI"],
        ["search", "--source=wire", "-OpenAI AI"],
    ],
)
def test_a_query_starting_with_a_dash_is_a_query(project: Project, args: list[str]) -> None:
    project.store("AI without the company", text="AI research")
    project.store("OpenAI and AI", text="OpenAI AI")
    args = [a.format(config=project.config) for a in args]
    result = project.run(*args, "--format", "json") if "--" not in args else project.run_exact(*args)
    assert result.exit_code == 0, result.output
    assert [hit["title"] for hit in json.loads(result.stdout)] == ["AI without the company"]


def test_options_still_work_next_to_a_dash_query(project: Project) -> None:
    result = project.run("search", "-OpenAI AI", "--limit", "0")
    assert result.exit_code == 2 and "--limit" in result.stderr
