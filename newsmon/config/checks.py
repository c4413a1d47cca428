"""Checks across sections: unique names and references to channels.

They run on plain data (dicts and lists straight from YAML, or dumped from
models) and tolerate any shape, so the loader can report them together
with schema errors instead of one round at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from difflib import get_close_matches
from typing import Any

KeyPath = tuple[str | int, ...]
Issue = tuple[KeyPath, str]

SECTIONS = (("sources", "source"), ("rules", "rule"), ("channels", "channel"))


def format_path(path: KeyPath) -> str:
    """``("sources", 2, "every")`` → ``sources[2].every``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.replace("_", "a").replace("-", "a").isalnum():
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


def suggest(name: str, known: list[str]) -> str:
    """`` (did you mean 'x'?)`` for a close match, else an empty string."""
    close = get_close_matches(name, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _items(data: Mapping[str, Any], section: str) -> list[Any]:
    items = data.get(section)
    return list(items) if isinstance(items, list | tuple) else []


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else None


def cross_check(data: Mapping[str, Any], where: Callable[[KeyPath], str] = format_path) -> list[Issue]:
    """Duplicate names per section, rules and ``health`` naming channels that do not exist."""
    issues: list[Issue] = []
    for section, kind in SECTIONS:
        first: dict[str, int] = {}
        for index, item in enumerate(_items(data, section)):
            name = _get(item, "name")
            if not isinstance(name, str):
                continue
            if name in first:
                also = where((section, first[name]))
                issues.append(((section, index, "name"), f"duplicate {kind} name {name!r} (also {also})"))
            else:
                first[name] = index
    channels = [n for n in (_get(c, "name") for c in _items(data, "channels")) if isinstance(n, str)]
    known = ", ".join(channels) or "none defined"
    for index, rule in enumerate(_items(data, "rules")):
        wanted = _get(rule, "channels")
        if not isinstance(wanted, list | tuple):
            continue
        for position, name in enumerate(wanted):
            if isinstance(name, str) and name not in channels:
                issues.append(
                    (
                        ("rules", index, "channels", position),
                        f"no channel named {name!r} (channels: {known}){suggest(name, channels)}",
                    )
                )
    health_channel = _get(data.get("health"), "channel")
    if isinstance(health_channel, str) and health_channel not in channels:
        issues.append(
            (
                ("health", "channel"),
                f"no channel named {health_channel!r} (channels: {known}){suggest(health_channel, channels)}",
            )
        )
    return issues
