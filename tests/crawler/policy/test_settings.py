"""The project's Scrapy settings enable every policy component with the limits the issue asks for."""

from __future__ import annotations

from scrapy.settings import Settings
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler

from crawler.policy import SETTINGS


def _project() -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def test_the_project_enables_the_policy_middlewares() -> None:
    middlewares = _project().getdict("DOWNLOADER_MIDDLEWARES")
    for path, priority in SETTINGS["DOWNLOADER_MIDDLEWARES"].items():
        assert middlewares.get(path) == priority, path


def test_the_project_limits() -> None:
    settings = _project()
    assert settings.getint("DOWNLOAD_MAXSIZE") == 10 * 1024 * 1024
    assert 0 < settings.getfloat("DOWNLOAD_TIMEOUT") <= 30
    assert settings.getint("REDIRECT_MAX_TIMES") == 5
    assert settings["TWISTED_DNS_RESOLVER"] == "crawler.policy.resolver.PolicyResolver"
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert all(handlers.get(scheme, "missing") is None for scheme in ("file", "data", "ftp", "s3"))


def test_the_components_build_from_a_crawler() -> None:
    crawler = get_crawler(settings_dict=SETTINGS)
    for path, priority in SETTINGS["DOWNLOADER_MIDDLEWARES"].items():
        if priority is not None:
            assert build_from_crawler(load_object(path), crawler) is not None
