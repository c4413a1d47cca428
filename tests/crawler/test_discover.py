"""Feed autodiscovery, from crawler.discover and through `newsmon sources discover`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.discover import FALLBACK_PATHS, discover
from crawler.errors import DiscoveryError
from newsmon.cli import cli
from tests.crawler.helpers import SITE, TEST_SETTINGS
from tests.servers import Reply, TestServer

RSS = (SITE / "discover/blog/rss.xml").read_text(encoding="utf-8")
HTML = {"Content-Type": "text/html"}


def test_a_page_advertising_rss_and_atom() -> None:
    with TestServer(directory=SITE) as server:
        found = discover(server.url("/discover/blog/"), TEST_SETTINGS)

    assert found.error is None and found.problems == ()
    rss, atom = found.feeds
    assert (rss.title, rss.url, rss.type, rss.version, rss.entries, rss.advertised) == (
        "Harbour Notes",
        server.url("/discover/blog/rss.xml"),
        "rss",
        "rss20",
        2,
        True,
    )
    assert (atom.title, atom.url, atom.type, atom.entries) == (
        "Harbour Notes (Atom)",
        server.url("/discover/blog/atom.xml"),  # relative href, resolved against the page
        "atom",
        3,
    )
    assert server.count("/discover/blog/rss.xml") == 1  # advertised twice, fetched once
    assert server.count("/discover/blog/fr/") == server.count("/discover/blog/style.css") == 0
    assert not {p for p in server.paths() if p in FALLBACK_PATHS}  # advertised feeds: no guessing


def test_a_page_advertising_nothing_on_a_site_without_feeds() -> None:
    with TestServer(directory=SITE) as server:
        found = discover(server.url("/discover/plain/"), TEST_SETTINGS)

    assert found.feeds == () and found.error is None
    assert found.problems == ()  # missing usual places are no news
    assert all(server.count(path) == 1 for path in FALLBACK_PATHS)


def test_the_usual_places_when_nothing_is_advertised() -> None:
    with TestServer(directory=SITE) as server:
        rss = RSS.replace("{{BASE}}", server.base_url)
        server.set("/feed", Reply(status=301, headers={"Location": "/feed.xml"}))
        server.set("/feed.xml", body=rss, headers={"Content-Type": "application/rss+xml"})
        server.set("/rss", body="<html><body>Our RSS feeds: see below</body></html>", headers=HTML)
        found = discover(server.url("/discover/plain/"), TEST_SETTINGS)

    (feed,) = found.feeds  # /feed and /feed.xml are one feed
    assert feed.url == server.url("/feed.xml") and not feed.advertised and feed.entries == 2


def test_a_feed_url_is_its_own_discovery() -> None:
    with TestServer(directory=SITE) as server:
        found = discover(server.url("/discover/blog/atom.xml"), TEST_SETTINGS)

    assert [(f.type, f.entries) for f in found.feeds] == [("atom", 3)]
    assert server.paths() == ["/robots.txt", "/discover/blog/atom.xml"]


def test_advertised_candidates_that_fail_are_reported() -> None:
    with TestServer() as elsewhere, TestServer() as server:
        elsewhere.set("/feed.xml", body=RSS, headers={"Content-Type": "application/rss+xml"})
        page = f"""<html><head>
          <link rel="alternate" type="application/rss+xml" href="/gone.xml">
          <link rel="alternate" type="application/json" href="/api.json">
          <link rel="alternate" type="application/rss+xml" href="{elsewhere.url("/feed.xml")}">
          </head><body>hi</body></html>"""
        server.set("/", body=page, headers=HTML)
        server.set("/api.json", body='{"data": []}', headers={"Content-Type": "application/json"})
        found = discover(server.url("/"), TEST_SETTINGS)

    assert found.feeds == ()
    problems = "\n".join(found.problems)
    assert "HTTP 404" in problems and "/gone.xml" in problems
    assert "not a JSON Feed" in problems
    assert elsewhere.count("/feed.xml") == 0 and "127.0.0.1" in problems  # another local origin: refused


def test_an_unreachable_page_and_a_bad_scheme() -> None:
    with TestServer() as closed:
        dead = closed.url("/")
    found = discover(dead, TEST_SETTINGS)
    assert found.feeds == () and found.error is not None and "refused" in found.error.lower()
    for url in ("file:///etc/passwd", "ftp://example.org/feed", "example.org/feed"):
        with pytest.raises(DiscoveryError):
            discover(url)


# The command line.


def test_cli_discover_prints_json_table_and_csv(tmp_path: Path) -> None:
    missing_config = str(tmp_path / "none.yaml")  # discovery needs no configuration
    runner = CliRunner()
    with TestServer(directory=SITE) as server:
        url = server.url("/discover/blog/")
        as_json = runner.invoke(
            cli, ["sources", "discover", url, "--format", "json", "--config", missing_config]
        )
        as_table = runner.invoke(cli, ["sources", "discover", url, "--config", missing_config])
        as_csv = runner.invoke(
            cli, ["sources", "discover", url, "--format", "csv", "--config", missing_config]
        )

    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.stdout)
    assert [(r["title"], r["type"], r["entries"]) for r in rows] == [
        ("Harbour Notes", "rss", 2),
        ("Harbour Notes (Atom)", "atom", 3),
    ]
    assert rows[0]["url"] == server.url("/discover/blog/rss.xml")
    assert as_table.exit_code == 0 and "Harbour Notes (Atom)" in as_table.stdout and "atom" in as_table.stdout
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["entries"] for r in parsed] == ["2", "3"]


def test_cli_discover_finds_nothing_and_says_so(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: sqlite:///{tmp_path / 'n.db'}\ncrawl: {{user_agent: discover-test/1.0}}\n",
        encoding="utf-8",
    )
    with TestServer(directory=SITE) as server:
        result = CliRunner().invoke(
            cli, ["sources", "discover", server.url("/discover/plain/"), "--config", str(config)]
        )
        agents = {h.headers.get("user-agent") for h in server.hits}

    assert result.exit_code == 1
    assert "no feed found" in result.stderr and result.stdout == ""
    assert agents == {"discover-test/1.0"}  # the configuration's user agent


def test_cli_discover_refuses_what_is_not_a_web_address(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["sources", "discover", "file:///etc/passwd", "--config", str(tmp_path / "none.yaml")]
    )
    assert result.exit_code == 2 and "http(s)" in result.stderr
