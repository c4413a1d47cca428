"""`newsmon serve`: checks where it may listen, then runs the web application under uvicorn."""

from __future__ import annotations

import signal
from types import FrameType

from newsmon.errors import ConfigError
from newsmon.web.security import is_loopback
from newsmon.wiring import App


def listen_address(app: App, host: str | None, port: int | None) -> tuple[str, int]:
    """Where to listen: the options, else ``web.host``/``web.port``; off loopback only with a token."""
    web = app.config.web
    chosen = host or web.host
    if not is_loopback(chosen) and web.token is None:
        where = f" in {app.config.path}" if app.config.path else ""
        raise ConfigError(
            f"refusing to serve on {chosen}: set web.token{where} (e.g. token: ${{NEWSMON_WEB_TOKEN}}) "
            "so that every page and API call needs it, or listen on 127.0.0.1"
        )
    return chosen, port or web.port


def serve(app: App, host: str | None, port: int | None) -> int:
    import uvicorn

    from newsmon.web.app import create_app

    address, number = listen_address(app, host, port)
    # uvicorn stops gracefully on SIGTERM/SIGINT, then re-raises the signal to the handler it found:
    # for `newsmon serve`, as for `newsmon run`, that stop is the normal end (exit 0, no traceback).
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _stopped)
    print(f"newsmon: serving on http://{address}:{number}/", flush=True)
    # log_config=None: uvicorn's lines go through newsmon's handler (its format, its secrets hidden),
    # not through handlers of uvicorn's own.
    uvicorn.run(
        create_app(app), host=address, port=number, server_header=False, log_level="warning", log_config=None
    )
    return 0


def _stopped(signum: int, frame: FrameType | None) -> None:
    """The signal that stopped uvicorn, handed back once it has shut down: nothing left to do."""
