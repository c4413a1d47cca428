"""Run a coroutine on one asyncio loop that also drives Scrapy's asyncio reactor."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from crawler.reactor import install_asyncio_reactor

T = TypeVar("T")


def run_on_reactor(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion with the reactor running, then stop the reactor.

    Twisted's signal handlers stay off: the daemon installs its own on the loop,
    since Twisted's would stop the reactor abruptly in the middle of a crawl.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    install_asyncio_reactor(loop)
    from twisted.internet import reactor

    outcome: dict[str, Any] = {}

    async def wrapped() -> None:
        try:
            outcome["value"] = await main
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            reactor.stop()  # type: ignore[attr-defined]

    reactor.callWhenRunning(lambda: loop.create_task(wrapped()))  # type: ignore[attr-defined]
    reactor.run(installSignalHandlers=False)  # type: ignore[attr-defined]
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]
