"""The daemon tells the health channel when a source turns failing and when it recovers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.databases import Databases
from tests.newsmon.peers import Site, SlackHook
from tests.waiting import wait_for

SITE = Path(__file__).parent / "site"


def write_flaky_config(folder: Path, database: str, site: Site, crawl: str = "") -> Path:
    """A config with one source, ``flaky``, polled every second, whose health goes to the Slack
    channel ``ops`` at ``$HEALTH_HOOK``."""
    config = folder / "config.yaml"
    config.write_text(
        f"""\
database: {database}
{crawl}sources:
  - name: flaky
    type: feed
    url: {site.base}/missing-feed.xml
    every: 1s
    jitter: 0s
health:
  channel: ops
  max_backoff: 2s
channels:
  - name: ops
    type: slack
    webhook_url: ${{HEALTH_HOOK}}
""",
        encoding="utf-8",
    )
    return config


def test_failing_then_recovered_source_is_announced(tmp_path: Path, databases: Databases) -> None:
    site, hook = Site(SITE), SlackHook()
    config = write_flaky_config(tmp_path, databases.url(), site)
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "newsmon.cli", "run", "--config", str(config)],
        cwd=tmp_path,
        env={**os.environ, "HEALTH_HOOK": hook.url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        texts = lambda: [str(p.get("text", "")) for p in hook.posts]  # noqa: E731
        failing = lambda: any("flaky" in t and "failing" in t for t in texts())  # noqa: E731
        wait_for(failing, "the failing source to be announced", process=daemon)
        assert "404" in " ".join(texts())  # the reason travels with the message
        site.extra["/missing-feed.xml"] = (SITE / "feed.xml").read_bytes()  # the feed comes back
        wait_for(
            lambda: any("recovered" in t for t in texts()), "the recovery to be announced", process=daemon
        )
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=25) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
        log.close()
        site.close()
        hook.close()
    failing = [t for t in texts() if "is failing" in t]
    assert len(failing) == 1, "a source that keeps failing is announced once, not at every poll"
