"""Twisted's asyncio reactor, on the process's one asyncio event loop.

Scrapy runs on Twisted; newsmon's scheduler, web server and notifiers run on
asyncio. They share one loop through ``AsyncioSelectorReactor``, which must
be installed before anything imports ``twisted.internet.reactor`` (importing
it installs the default reactor, for good). The reactor is started without
Twisted's signal handlers: its SIGTERM handler stops the reactor abruptly,
and the daemon installs its own on the loop.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from crawler.errors import ReactorError

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

T = TypeVar("T")


def install_asyncio_reactor(loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Install the asyncio reactor on ``loop`` (the running loop, or a new one made current).

    Idempotent: a second call is a no-op when the asyncio reactor is already
    installed on the same loop; any other installed reactor is an error.
    """
    if "twisted.internet.reactor" in sys.modules:
        installed = _installed_loop()
        if loop is not None and installed is not loop:
            raise ReactorError("the asyncio reactor is already installed on another event loop")
        return
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
    from twisted.internet import asyncioreactor

    asyncioreactor.install(eventloop=loop)  # type: ignore[no-untyped-call]


def reactor_loop() -> asyncio.AbstractEventLoop:
    """The event loop the installed asyncio reactor runs on."""
    if "twisted.internet.reactor" not in sys.modules:
        raise ReactorError(
            "no Twisted reactor is installed: call crawler.reactor.install_asyncio_reactor() first"
        )
    return _installed_loop()


def ensure_reactor_running() -> None:
    """Mark the reactor as running on its loop, without Twisted's signal handlers.

    Twisted's ``reactor.run()`` would also run the loop forever; newsmon runs
    the loop itself, so only the reactor's start-up (its thread pool for DNS,
    its startup triggers) is done here. Safe to call many times.
    """
    loop = reactor_loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not None and running is not loop:
        raise ReactorError(
            "the crawl runs on another event loop than the one the reactor was installed on; "
            "install the reactor with the loop that runs newsmon (install_asyncio_reactor(loop))"
        )
    from twisted.internet import reactor

    if not reactor._started:  # type: ignore[attr-defined]
        reactor.startRunning(installSignalHandlers=False)  # type: ignore[attr-defined]


def stop_reactor_threads() -> None:
    """Stop the reactor's thread pool (DNS look-ups run there).

    Its threads are not daemonic: left running, they keep a finished
    process alive forever. Idempotent; the loop itself is left alone, and a
    later look-up starts a new pool (so a second ``run()`` still works).
    """
    if "twisted.internet.reactor" not in sys.modules:
        return
    from twisted.internet import reactor

    if getattr(reactor, "threadpool", None) is not None:
        reactor._stopThreadPool()  # type: ignore[attr-defined]


def run(main: Callable[[], Awaitable[T]]) -> T:
    """Run ``main()`` to completion on the reactor's loop, then stop the reactor's threads.

    For scripts and one-shot commands; installs the reactor on a new loop if
    none is installed yet.
    """
    install_asyncio_reactor()
    loop = reactor_loop()

    async def _main() -> T:
        ensure_reactor_running()
        return await main()

    try:
        return loop.run_until_complete(_main())
    finally:
        stop_reactor_threads()


def _installed_loop() -> asyncio.AbstractEventLoop:
    from twisted.internet import reactor

    loop: Any = getattr(reactor, "_asyncioEventloop", None)
    if loop is None:
        raise ReactorError(
            f"the installed Twisted reactor is {type(reactor).__module__}.{type(reactor).__name__}, "
            f"newsmon needs {ASYNCIO_REACTOR}: install it before anything imports twisted.internet.reactor"
        )
    return loop  # type: ignore[no-any-return]
