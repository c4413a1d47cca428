"""`newsmon run --role deliverer`: deliver the outbox's alerts, and nothing else.

Any number of deliverers may run beside the scheduler and the crawlers, on
this machine or others. Each claims due deliveries in small batches with
``FOR UPDATE SKIP LOCKED`` (db/outbox.py): two deliverers never claim the
same row and neither waits for the other's claim, so each alert is delivered
once however many run. A deliverer registers as a claim holder
(db/holders.py): when one is killed, the others take back its claims — at
once on the same machine, once its heartbeat is stale elsewhere — so nothing
is lost and at most the send it was in the middle of is made twice.

Source-health messages are not sent here: the crawler that crawled a source
sends its change of health (newsmon.polling), once, since one crawler at a
time crawls a source.

No crawl runs here, so no reactor and no daemon lock. Alerts raised by
crawlers in other processes are found by looking at the outbox every
``POLL_EVERY`` (one indexed query per channel); retries wake the loop at
their due time.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from newsmon.roles.stopping import stop_on_signals

if TYPE_CHECKING:
    from newsmon.wiring import App

log = logging.getLogger("newsmon.deliverer")

POLL_EVERY = 1.0  # seconds between looks for alerts raised by other processes


def run_deliverer(app: App) -> int:
    """Deliver until SIGTERM or SIGINT; in-flight sends get their grace, the rest stays pending."""
    return asyncio.run(_deliver(app))


async def _deliver(app: App) -> int:
    from newsmon.daemon import deliverer_for

    stop = stop_on_signals()
    notifiers = app.notifiers()
    deliverer = deliverer_for(app, notifiers)
    deliverer.idle_poll = POLL_EVERY
    log.info("newsmon deliverer started: %d channels", len(notifiers))
    try:
        await deliverer.run(stop)
    finally:
        await deliverer.aclose()
    log.info("stopped")
    return 0
