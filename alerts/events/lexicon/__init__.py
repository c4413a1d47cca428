"""The event lexicons (one YAML file per language), loaded once: see README.md in this folder."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ruamel.yaml import YAML

FOLDER = Path(__file__).resolve().parent
LANGUAGES = ("en", "fr", "de", "es")

GROUPS = ("firm", "stake", "share", "money", "invest", "noun", "buy", "sale", "deal")
CUES = (
    "goods",
    "business",
    "stake",
    "payment",
    "majority",
    "control",
    "joint",
    "capex",
    "spending",
    "income",
    "fund",
    "held",
    "place",
    "debt",
    "charity",
    "workforce",
    "analyst",
    "market",
    "background",
    "denial",
    "rumour",
    "opinion",
    "politics",
    "labour",
    "counted",
    "backdrop",
    "since",
    "player",
    "none",
    "lost",
    "study",
    "wordsense",
)


@dataclass(frozen=True)
class Trigger:
    """A phrase announcing an event of ``type``; ``group`` says what else it needs (README.md)."""

    type: str
    group: str
    phrase: str
    tail: str | None = None  # "sammelt ... ein": a phrase that must follow within a few words


@dataclass(frozen=True)
class Cue:
    """A phrase that qualifies a sentence (a stake, a capex object, a denial…)."""

    name: str
    phrase: str
    tail: str | None = None  # "weist ... zurück": a phrase that must follow within a few words


@dataclass(frozen=True)
class Tail:
    """The second part of a split phrase ("arbeiten ... zusammen")."""

    phrase: str


Entry = Trigger | Cue | Tail


@cache
def entries() -> tuple[tuple[str, Entry], ...]:
    """Every (phrase, entry) of every language's lexicon."""
    return tuple(entry for language in LANGUAGES for entry in read(FOLDER / f"{language}.yaml"))


def read(path: Path) -> list[tuple[str, Entry]]:
    """The (phrase, entry) pairs of one lexicon file; ValueError naming the file for what is wrong."""
    raw = YAML(typ="safe").load(path.read_text("utf-8"))
    found: list[tuple[str, Entry]] = []
    for type_, groups in raw["triggers"].items():
        for group, phrases in groups.items():
            if group not in GROUPS:
                raise ValueError(f"{path}: unknown trigger group {group!r} under {type_}")
            for phrase in phrases:
                found.extend(_trigger(str(type_), group, str(phrase)))
    for name, phrases in raw["cues"].items():
        if name not in CUES:
            raise ValueError(f"{path}: unknown cue {name!r}")
        for phrase in phrases:
            head, _, tail = (part.strip() for part in str(phrase).partition("..."))
            found.append((head, Cue(name, head, tail or None)))
            if tail:
                found.append((tail, Tail(tail)))
    return found


def _trigger(type_: str, group: str, phrase: str) -> list[tuple[str, Entry]]:
    head, _, tail = (part.strip() for part in phrase.partition("..."))
    if not tail:
        return [(head, Trigger(type_, group, head))]
    return [(head, Trigger(type_, group, head, tail)), (tail, Tail(tail))]
