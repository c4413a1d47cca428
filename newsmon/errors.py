"""Errors the command line reports to the user, each with its exit status.

    NewsmonError               exit 1; the message is printed as is, no traceback
    ├── ConfigError            exit 2; config file missing, unreadable, bad YAML or
    │                          invalid — one line per problem, ``file:line:col: key: what``
    ├── UnknownNameError       exit 2 at the CLI; a source, rule or channel name that the
    │                          config does not define (also a ``KeyError``)
    └── OpmlError              exit 2; an OPML file that is not XML, not OPML, or hostile

Each package keeps its own errors (``db.errors``, ``alerts.errors``); this
module holds the ones the ``newsmon`` package raises to the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class NewsmonError(Exception):
    """Base class: an error whose message is meant for the user."""

    exit_code = 1


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a config file, located as precisely as the YAML allows."""

    file: str
    line: int | None
    column: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


class ConfigError(NewsmonError):
    """The configuration cannot be used. ``str()`` lists every problem, one a line."""

    exit_code = 2

    def __init__(self, message: str, issues: Sequence[ConfigIssue] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.issues = tuple(issues)

    @classmethod
    def from_issues(cls, issues: Iterable[ConfigIssue]) -> ConfigError:
        ordered = sorted(issues, key=lambda i: (i.line or 0, i.column or 0, i.key))
        return cls("\n".join(str(i) for i in ordered), ordered)


class UnknownNameError(NewsmonError, KeyError):
    """A name (``--source arsfr``, a rule, a channel) that the configuration does not define."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        names = ", ".join(sorted(known)) or "none"
        self.kind = kind
        self.name = name
        self.message = f"no {kind} named {name!r} (known: {names})"
        super().__init__(self.message)

    def __str__(self) -> str:
        # KeyError's str() would wrap the message in quotes.
        return self.message


class OpmlError(NewsmonError):
    """An OPML file newsmon will not read; the message names the file (and line)."""

    exit_code = 2
