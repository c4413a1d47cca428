"""`newsmon run --role`: the whole daemon in one process, or one of its parts per process.

* ``all`` (the default): the one-process daemon (newsmon.daemon), SQLite or PostgreSQL.
* ``scheduler``: queues the sources due as crawl jobs; one at a time leads, others stand by.
* ``crawler``: claims crawl jobs and crawls them; run as many as needed.
* ``deliverer``: delivers the alerts in the outbox.

The split roles share the work through the database, so they need PostgreSQL:
SQLite has neither ``SKIP LOCKED`` nor a server that tells when a process is gone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from newsmon.errors import ConfigError

if TYPE_CHECKING:
    from newsmon.wiring import App

ROLES = ("all", "scheduler", "crawler", "deliverer")


def run_role(app: App, role: str) -> int:
    """Run ``role`` until SIGTERM or SIGINT; its exit code."""
    if role != "all" and app.database.is_sqlite:
        raise ConfigError(
            f"{app.config.path or 'the configuration'}: --role {role} needs a PostgreSQL database "
            "(database: postgresql+psycopg://…); with SQLite run the whole daemon (--role all)"
        )
    return _runner(role)(app)


def _runner(role: str) -> Callable[[App], int]:
    if role in ("scheduler", "crawler"):
        # Built on the pgroles branch (issue 14 item 3); this branch brings the deliverer.
        raise ConfigError(f"--role {role} is not part of this build")
    if role == "deliverer":
        from newsmon.roles.deliverer import run_deliverer

        return run_deliverer
    if role == "all":
        from newsmon.daemon import run_daemon

        return run_daemon
    raise ValueError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
