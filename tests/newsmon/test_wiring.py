"""From config to the crawler's settings: what the operator writes is what Scrapy gets."""

from __future__ import annotations

from pathlib import Path

from newsmon.config import load_config
from newsmon.wiring import scrapy_overrides


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
