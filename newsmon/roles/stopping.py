"""A role runs until SIGTERM or SIGINT, then finishes its in-flight work."""

from __future__ import annotations

import asyncio
import logging
import signal

log = logging.getLogger("newsmon.daemon")


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT, on the running loop."""
    stop = asyncio.Event()

    def request_stop(signum: int) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, request_stop, signum)
    return stop


async def sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds``, or less if ``stop`` is set; whether it is set."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True
