"""From config to the crawler's settings: what the operator writes is what Scrapy gets."""

from __future__ import annotations

from pathlib import Path

from db.store import NewArticle
from newsmon.config import load_config
from newsmon.wiring import App, scrapy_overrides


def test_crawl_section_becomes_scrapy_settings(tmp_path: Path) -> None:
    config_file = tmp_path / "config.yaml"
    config_file.write_text(
        """\
crawl:
  user_agent: "newsmon/0.1 (+https://github.com/newsmon/newsmon)"
  contact: ops@example.org
  download_timeout: 12s
  per_host_concurrency: 3
  download_delay: 1s
  max_body: 2MiB
  obey_robots: true
sources: []
""",
        encoding="utf-8",
    )
    settings = scrapy_overrides(load_config(config_file, environ={}))
    assert settings["USER_AGENT"].endswith("newsmon/newsmon) (contact: ops@example.org)")
    assert settings["DOWNLOAD_TIMEOUT"] == 12
    assert settings["DOWNLOAD_MAXSIZE"] == 2 * 1024 * 1024
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 3
    assert settings["DOWNLOAD_DELAY"] == 1
    assert settings["AUTOTHROTTLE_ENABLED"] is True and settings["AUTOTHROTTLE_START_DELAY"] == 1
    assert settings["ROBOTSTXT_OBEY"] is True


def test_the_watch_list_feeds_detection_rules_and_search(tmp_path: Path) -> None:
    config_file = tmp_path / "config.yaml"
    config_file.write_text(
        f"""\
database: sqlite:///{tmp_path}/newsmon.db
orgs:
  Nordwerk Robotik: {{aliases: [Nordwerk, NWR]}}
  OpenAI: {{aliases: [Open A.I.]}}
rules:
  - name: watched
    query: 'org:NWR AND event:acquisition'
  - name: openai
    query: 'org:"Open A.I."'
""",
        encoding="utf-8",
    )
    app = App.open(config_file)
    article = NewArticle(
        source="wire",
        url="https://example.org/a",
        title="Nordwerk übernimmt Softbot für 200 Millionen Euro",
        keys=(),
        language="de",
    )
    assessment = app.assess()(article)
    assert assessment.facts.event_types == ("acquisition",)
    assert "Nordwerk Robotik" in assessment.facts.orgs  # a name of the watch list, not the shipped one
    assert [m.rule for m in assessment.matches] == ["watched"]
    # A shipped organisation keeps its shipped names; the config's aliases add to them.
    assert app.orgs.canonical("Open A.I.") == app.orgs.canonical("OpenAI") == "OpenAI"
    assert app.org_aliases[("nwr",)] == ("nordwerk", "robotik")


def test_the_detector_is_built_once_per_app(tmp_path: Path) -> None:
    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"database: sqlite:///{tmp_path}/newsmon.db\n", encoding="utf-8")
    app = App.open(config_file)
    assert app.detector is app.detector and app.detector.orgs is app.orgs
    first, second = app.crawl_context(), app.crawl_context()
    assert first.assess is not None and second.assess is not None and first.on_stored is None


def test_a_disabled_rule_raises_nothing_but_can_still_be_backtested(tmp_path: Path) -> None:
    config_file = tmp_path / "config.yaml"
    config_file.write_text(
        f"""\
database: sqlite:///{tmp_path}/newsmon.db
rules:
  - {{name: live, query: OpenAI}}
  - {{name: paused, query: OpenAI, enabled: false}}
""",
        encoding="utf-8",
    )
    app = App.open(config_file)
    article = NewArticle(source="wire", url="https://example.org/a", title="OpenAI news", keys=())
    assert [m.rule for m in app.assess()(article).matches] == ["live"]
    assert "paused" in app.ruleset.names
