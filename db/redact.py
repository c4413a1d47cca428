"""Secrets read from the environment, and text with them hidden, in any encoding.

Config values written ``${VAR}`` are secrets: a token in a source's URL, a
password. Loading the config registers every value it read (:data:`SECRETS`);
whatever newsmon writes where people read it then goes through
:meth:`Secrets.hide` — log lines, the sources' URLs and errors stored in the
database (and so ``newsmon sources`` and the web pages). It lives in ``db``,
the leaf every package imports, because the database is one of the places it
guards: the crawler writes there without knowing about the config.

A value is hidden as written, ``repr``'d, percent-encoded (path and query
forms), form-encoded and base64-encoded, also inside a longer base64 text
(``user:token`` in a Basic authorization header).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

# Shorter values could be words of the text itself ("25", "mail"); a secret is longer.
MIN_LENGTH = 4
MARK = "…"


def forms(value: str) -> tuple[str, ...]:
    """The ways ``value`` can be written in a text, longest first."""
    found = [value, repr(value)[1:-1], quote(value), quote(value, safe=""), quote_plus(value)]
    raw = value.encode()
    for offset in range(3):
        # Inside a longer base64 text, the value's bytes start at any of 3 offsets in a group:
        # only the characters that depend on the value's bytes alone are the same every time.
        encoded = base64.b64encode(bytes(offset) + raw).decode().rstrip("=")
        start, end = -(-offset * 8 // 6), (offset + len(raw)) * 8 // 6
        found += [encoded[start:end], encoded[start:end].replace("+", "-").replace("/", "_")]
    found.append(base64.b64encode(raw).decode())
    return tuple(sorted({f for f in found if len(f) >= MIN_LENGTH}, key=len, reverse=True))


def hide(text: str, values: Iterable[str]) -> str:
    """``text`` with each of ``values`` (those long enough to be secrets) replaced by ``…``."""
    secrets = Secrets()
    secrets.add(values)
    return secrets.hide(text)


class Secrets:
    """The process's secret values; :meth:`hide` hides them all."""

    def __init__(self) -> None:
        self._forms: tuple[str, ...] = ()

    def add(self, values: Iterable[str]) -> None:
        known = set(self._forms)
        for value in values:
            if len(value) >= MIN_LENGTH:
                known.update(forms(value))
        self._forms = tuple(sorted(known, key=len, reverse=True))

    def clear(self) -> None:
        self._forms = ()

    def hide(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, MARK)
        return text


SECRETS = Secrets()
