"""`newsmon run --role deliverer`: deliver the alerts in the outbox, as the daemon does."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from newsmon.roles.stopping import stop_on_signals

if TYPE_CHECKING:
    from newsmon.wiring import App

log = logging.getLogger("newsmon.daemon")


def run_deliverer(app: App) -> int:
    return asyncio.run(_deliver(app))


async def _deliver(app: App) -> int:
    from newsmon.daemon import deliverer_for

    stop = stop_on_signals()
    notifiers = app.notifiers()
    log.info("newsmon deliverer started: %d channels", len(notifiers))
    try:
        await deliverer_for(app, notifiers).run(stop, asyncio.Event())
    finally:
        await asyncio.gather(*(n.aclose() for n in notifiers.values()), return_exceptions=True)
    log.info("stopped")
    return 0
