"""Logging for every verb: one handler on standard error, at the level the user chose.

``--log-level`` (or ``$NEWSMON_LOG_LEVEL``) sets it; ``run`` defaults to
``info``, other verbs to ``warning``. Below ``debug``, the libraries'
chatter is folded into newsmon's own lines: a crawl of a source is the
crawler's one summary line (a failure too, with its reason), so Scrapy's
per-request errors, its component listings and APScheduler's "Running job" /
"executed successfully" lines on every poll and Alembic's plugin list on
every start are shown at ``debug`` only.

Log lines and the progress display of `newsmon crawl` share one rich
console, which prints each log line above the live progress line instead of
into it.

``--log-format json`` (or ``$NEWSMON_LOG_FORMAT``, or ``log_format: json`` in
the config) writes one JSON object per line instead — ``time``, ``level``,
``logger``, ``message``, and ``source``/``url`` when the line is about one,
``error`` with the traceback — for a log collector. Both formats write the
same records, after the same filters: what is redacted in one is redacted
in the other. Neither ever shows a value the config read from the
environment (``${VAR}``), in any encoding: :class:`HideSecrets`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.console import Console

from db.redact import SECRETS

LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Record attributes (``extra=``) a JSON line carries when a log call names them.
CONTEXT_KEYS = ("source", "url")
_OTHER_LINE_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}

# At any level but debug these say nothing the crawl's summary line does not.
FOLDED_LOGGERS = {
    "scrapy": logging.CRITICAL,
    # Its warnings are the skipped run of a source still being crawled: by design (no overlap).
    "apscheduler": logging.ERROR,
    "alembic": logging.WARNING,
}

_console = Console(stderr=True)


def console() -> Console:
    """The standard-error console that log lines and progress displays share."""
    return _console


class ConsoleHandler(logging.Handler):
    """Writes records through a rich console (as plain text, never as markup)."""

    def __init__(self, target: Console, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.console = target

    def emit(self, record: logging.LogRecord) -> None:
        try:
            # A message may quote a feed's text: "[bold]" in it is text, not markup.
            self.console.print(
                self.format(record), markup=False, highlight=False, emoji=False, soft_wrap=True
            )
        except Exception:  # noqa: BLE001 - logging must never take the program down
            self.handleError(record)


class HideSecrets(logging.Filter):
    """A record's message, traceback and context carry no secret (see :mod:`db.redact`).

    Every logger's records reach the handler, Scrapy's and the libraries' too: a
    request's URL in their lines may carry a token from the environment.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        # The formatted message replaces msg and args: the formatter then reads it without formatting again.
        record.msg, record.args = SECRETS.hide(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = SECRETS.hide(record.exc_text)
        if record.stack_info:
            record.stack_info = SECRETS.hide(record.stack_info)
        for key in CONTEXT_KEYS:
            value = getattr(record, key, None)
            if value is not None:
                setattr(record, key, SECRETS.hide(str(value)))
        return True


_TRACEBACKS = logging.Formatter()


class OneLineFormatter(logging.Formatter):
    """Line breaks in a message are shown as ``\\n``: text quoted from a feed cannot forge a log line.

    A traceback still follows on its own lines.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return super().formatMessage(record).replace("\r", "\\r").replace("\n", "\\n")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; JSON escapes line breaks, so a quoted feed cannot forge a line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_KEYS:
            value = getattr(record, key, None)
            if value is not None:
                line[key] = str(value)
        if record.exc_info:
            line["error"] = record.exc_text or self.formatException(record.exc_info)
        text = json.dumps(line, ensure_ascii=False)
        # Valid JSON, but line breaks to some readers (and to str.splitlines): escaped too.
        return text.translate(_OTHER_LINE_BREAKS)


@dataclass
class _FormatChoice:
    name: str = "text"
    chosen: bool = False  # by the user (option or environment), not by the config


_format = _FormatChoice()


def use_format(name: str, *, chosen: bool = True) -> None:
    """Write log lines as ``name`` (text or json) from now on; ``chosen`` is the user's option.

    A format the user chose on the command line or in the environment is not
    overridden by the config's ``log_format`` (``chosen=False``).
    """
    if name not in LOG_FORMATS:
        raise ValueError(f"unknown log format {name!r} (use one of {', '.join(LOG_FORMATS)})")
    if not chosen and _format.chosen:
        return
    _format.name, _format.chosen = name, chosen or _format.chosen
    for handler in logging.getLogger().handlers:
        if isinstance(handler, ConsoleHandler):
            handler.setFormatter(_formatter())


def _formatter() -> logging.Formatter:
    return JsonFormatter() if _format.name == "json" else OneLineFormatter(FORMAT)


def configure(level: str, target: Console | None = None) -> None:
    """Install newsmon's handler on the root logger at ``level``; calling it again replaces it."""
    number = logging.getLevelName(level.upper())
    if not isinstance(number, int):
        raise ValueError(f"unknown log level {level!r} (use one of {', '.join(LEVELS)})")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, ConsoleHandler)]:
        root.removeHandler(handler)
    handler = ConsoleHandler(target or _console)
    handler.setFormatter(_formatter())
    handler.addFilter(HideSecrets())
    root.addHandler(handler)
    root.setLevel(number)
    for name, folded in FOLDED_LOGGERS.items():
        logging.getLogger(name).setLevel(logging.NOTSET if number <= logging.DEBUG else max(folded, number))
