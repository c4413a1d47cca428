"""Source-health messages on a split deployment: the crawler that crawled the source sends them, once,
however many crawlers and deliverers run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.newsmon.peers import Site, SlackHook
from tests.newsmon.test_daemon_health import write_flaky_config
from tests.redis import needs_redis
from tests.roles.conftest import needs_postgres
from tests.roles.test_roles import CRAWL, Roles, wait_for

pytestmark = [*needs_postgres, pytest.mark.timeout(600)]  # see ROLE_WAIT (tests/roles/test_roles.py)

SITE = Path(__file__).parents[1] / "newsmon" / "site"


@pytest.mark.parametrize("queued_in", ["database", pytest.param("redis", marks=needs_redis)])
def test_each_change_of_health_is_announced_once_by_the_crawler_that_saw_it(
    fresh_postgres: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    queued_in: str,
    request: pytest.FixtureRequest,
) -> None:
    site, hook = Site(SITE), SlackHook()
    monkeypatch.setenv("HEALTH_HOOK", hook.url)  # the roles' processes inherit it
    # Through Redis the crawlers' long-lived spider crawls, and a failing source's back-off is kept there too.
    queue = f"queue: {request.getfixturevalue('redis_server').url}\n" if queued_in == "redis" else ""
    config = write_flaky_config(tmp_path, fresh_postgres, site, CRAWL + queue)
    run = Roles(config)
    texts = lambda: [str(post.get("text", "")) for post in hook.posts]  # noqa: E731
    try:
        run.start("scheduler", "scheduler")
        run.start("crawler-1", "crawler")
        run.start("crawler-2", "crawler")
        run.start("deliverer-1", "deliverer")
        run.start("deliverer-2", "deliverer")
        wait_for(lambda: any("is failing" in t for t in texts()), "the failing source to be announced")
        # Failing on: more crawls of the source, by either crawler, announce nothing new.
        polls = site.hits.count("/missing-feed.xml")
        wait_for(lambda: site.hits.count("/missing-feed.xml") >= polls + 3, "three more polls")
        site.extra["/missing-feed.xml"] = (SITE / "feed.xml").read_bytes()
        wait_for(lambda: any("recovered" in t for t in texts()), "the recovery to be announced")
        polls = site.hits.count("/missing-feed.xml")
        wait_for(lambda: site.hits.count("/missing-feed.xml") >= polls + 3, "three more polls")
        assert set(run.stop_all().values()) == {0}
    finally:
        run.kill_all()
        site.close()
        hook.close()
    assert sum("is failing" in t for t in texts()) == 1, texts()
    assert sum("recovered" in t for t in texts()) == 1, texts()
    assert "404" in " ".join(texts())  # the reason travels with the message
    logs = {name: run.log(name) for name in ("crawler-1", "crawler-2", "deliverer-1", "deliverer-2")}
    announcing = [name for name, log in logs.items() if "source flaky is now failing" in log]
    assert len(announcing) == 1 and announcing[0].startswith("crawler"), logs
