"""`newsmon run --role`: the whole daemon in one process, or one of its parts per process.

* ``all`` (the default): the one-process daemon (newsmon.daemon), SQLite or PostgreSQL.
* ``scheduler``: queues the sources due as crawl jobs; one at a time leads, others stand by.
* ``crawler``: claims crawl jobs and crawls them; run as many as needed.
* ``deliverer``: delivers the alerts in the outbox.

The split roles share the work through the database, so they need PostgreSQL:
SQLite has neither ``SKIP LOCKED`` nor a server that tells when a process is gone.
With ``queue: redis://…`` the scheduler and the crawlers pass crawl jobs
through Redis instead (newsmon/roles/queues.py); the whole daemon crawls in
its own process and has no use for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from newsmon.errors import ConfigError

if TYPE_CHECKING:
    from newsmon.wiring import App

ROLES = ("all", "scheduler", "crawler", "deliverer")
QUEUE_ROLES = ("scheduler", "crawler")

log = logging.getLogger("newsmon.daemon")


def run_role(app: App, role: str) -> int:
    """Run ``role`` until SIGTERM or SIGINT; its exit code."""
    if role != "all" and app.database.is_sqlite:
        raise ConfigError(
            f"{app.config.path or 'the configuration'}: --role {role} needs a PostgreSQL database "
            "(database: postgresql+psycopg://…); with SQLite run the whole daemon (--role all)"
        )
    if app.config.queue and role not in QUEUE_ROLES:
        log.info("%s", queue_unused(role))
    return _runner(role)(app)


def queue_unused(role: str) -> str:
    if role == "all":
        return "queue: is for the split roles; the whole daemon (--role all) crawls in this process"
    return f"queue: is for the scheduler and crawler roles; --role {role} does not use it"


def _runner(role: str) -> Callable[[App], int]:
    if role == "scheduler":
        from newsmon.roles.scheduler import run_scheduler

        return run_scheduler
    if role == "crawler":
        from newsmon.roles.crawler import run_crawler

        return run_crawler
    if role == "deliverer":
        from newsmon.roles.deliverer import run_deliverer

        return run_deliverer
    if role == "all":
        from newsmon.daemon import run_daemon

        return run_daemon
    raise ValueError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
