"""``${VAR}`` substitution in string values, after YAML parsing.

Substituting after parsing means a variable's value is always one string:
it cannot add keys or change the document's structure, whatever it holds.
Forms (as in shells and docker compose):

    ${VAR}            the variable; an error if it is not set
    ${VAR:-default}   ``default`` when VAR is unset or empty
    ${VAR:?message}   an error showing ``message`` when VAR is unset or empty
    $$                a literal ``$``

Messages name the variable, never its value; and a value read from the
environment is never shown by any other message about the config either
(``hide_values``): ``sender: ${SMTP_SENDER}`` or a URL carrying a token may be
wrong, and saying how must not print the token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from db.redact import hide
from newsmon.config.checks import KeyPath

_TOKEN = re.compile(r"\$\$|\$\{(?P<body>[^}]*)\}|\$\{")
_BODY = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:-|:\?|-|\?)(?P<arg>.*))?$", re.DOTALL)
FORMS = "use ${NAME}, ${NAME:-default} or ${NAME:?message}"


class SubstitutionError(ValueError):
    """A reference that cannot be filled; the message is shown after the key."""


HIDDEN = "(a value from the environment, not shown)"


@dataclass(frozen=True)
class EnvValue:
    """A value read from the environment, and where it landed: ``text[start:end]`` at ``path``."""

    path: KeyPath
    value: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.value)


@dataclass
class Substituted:
    data: Any
    errors: dict[KeyPath, str] = field(default_factory=dict)
    read: list[EnvValue] = field(default_factory=list)  # every value read from the environment

    @property
    def values(self) -> list[str]:
        return [found.value for found in self.read]


def substitute(data: Any, environ: Mapping[str, str]) -> Substituted:
    """Fill references in every string value of ``data`` (keys are left alone)."""
    result = Substituted(None)
    result.data = _walk(data, (), environ, result)
    return result


def _walk(value: Any, path: KeyPath, environ: Mapping[str, str], result: Substituted) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, (*path, k), environ, result) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, (*path, i), environ, result) for i, v in enumerate(value)]
    if isinstance(value, str) and "$" in value:
        try:
            expanded, spans = expand(value, environ)
        except SubstitutionError as exc:
            result.errors[path] = str(exc)
            return value
        result.read += [EnvValue(path, expanded[a:b], expanded, a) for a, b in spans]
        return expanded
    return value


def expand(text: str, environ: Mapping[str, str]) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with its references filled, and where the values read from ``environ`` are in it.

    Raises :class:`SubstitutionError`.
    """
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    written = done = 0
    for match in _TOKEN.finditer(text):
        pieces.append(text[done : match.start()])
        written += match.start() - done
        done = match.end()
        body = match.group("body")
        if match.group(0) == "$$":
            value = "$"
        elif body is None:
            raise SubstitutionError(f"unclosed '${{' ({FORMS}; write $$ for a literal $)")
        else:
            value = _resolve(body, environ)
            if value and _variable(body) in environ:
                spans.append((written, written + len(value)))
        pieces.append(value)
        written += len(value)
    pieces.append(text[done:])
    return "".join(pieces), spans


def _variable(body: str) -> str | None:
    parsed = _BODY.match(body.strip())
    return parsed.group("name") if parsed else None


def hide_values(message: str, values: Iterable[str]) -> str:
    """``message`` without any of ``values``, in any encoding (see :mod:`db.redact`), said so."""
    hidden = hide(message, values)
    return hidden if hidden == message else f"{hidden} {HIDDEN}"


def _resolve(body: str, environ: Mapping[str, str]) -> str:
    parsed = _BODY.match(body.strip())
    if parsed is None:
        raise SubstitutionError(f"bad variable reference '${{{body}}}' ({FORMS})")
    name, op, arg = parsed.group("name"), parsed.group("op"), parsed.group("arg") or ""
    if "${" in arg:
        raise SubstitutionError(f"nested variable references are not supported in '${{{body}}}'")
    value = environ.get(name)
    unset_or_empty = not value
    if op in (":-", "-"):
        fallback = unset_or_empty if op == ":-" else value is None
        return arg if fallback else (value or "")
    if op in (":?", "?"):
        missing = unset_or_empty if op == ":?" else value is None
        if missing:
            raise SubstitutionError(f"environment variable {name} is not set: {arg or 'it is required'}")
        return value or ""
    if value is None:
        raise SubstitutionError(
            f"environment variable {name} is not set (export it, or write ${{{name}:-default}})"
        )
    return value
