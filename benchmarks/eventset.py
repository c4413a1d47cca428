"""The labelled event set (benchmarks/data/events/README.md): `load(HALF)` for each of `HALVES`.

Tune on "dev", "supplement", "fresh2" (since the fourth session: its errors had been seen),
"fresh3" (since the fifth, after "fresh4" was written), "fresh4" (since the sixth, after "fresh5"
was written), "fresh5" (since the seventh, after "fresh6" was written), "artdev" (whole articles,
written in the eighth to be tuned on) and "fresh7-dev" (the half of fresh7, whole articles
written in the ninth, drawn by a fixed seed to be tuned on), "fresh8-dev" (the same for fresh8,
written in the tenth) and "fresh9-dev" (fresh9, the eleventh); "heldout", "fresh", "fresh6",
"fresh7-blind", "fresh8-blind" and "fresh9-blind" are read by the benchmark, which prints aggregate
figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

DATA = Path(__file__).resolve().parent / "data" / "events"

Half = Literal[
    "dev",
    "supplement",
    "fresh2",
    "fresh3",
    "fresh4",
    "fresh5",
    "artdev",
    "fresh7-dev",
    "fresh8-dev",
    "fresh9-dev",
    "heldout",
    "fresh",
    "fresh6",
    "fresh7-blind",
    "fresh8-blind",
    "fresh9-blind",
]
# In the order the benchmark prints them: the ten tuned on, then the six never looked at.
HALVES: tuple[Half, ...] = get_args(Half)
TUNED: frozenset[Half] = frozenset(HALVES[: HALVES.index("heldout")])


@dataclass(frozen=True)
class Item:
    id: str
    lang: str
    kind: str  # headline | lead | sentence | article
    title: str  # articles only; "" otherwise (the whole item is `text`)
    text: str
    labels: frozenset[str]  # event types that are the item's news; empty for negatives
    hard_negative: str | None  # the trap's tag, for negatives written as traps
    actors: tuple[str, ...]
    amount_usd: float | None


def load(half: Half) -> list[Item]:
    if half not in HALVES:
        raise ValueError(f"unknown half {half!r}: one of {', '.join(HALVES)}")
    path = DATA / f"{half}.jsonl"
    items = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        raw = json.loads(line)
        try:
            items.append(
                Item(
                    id=raw["id"],
                    lang=raw["lang"],
                    kind=raw["kind"],
                    title=raw.get("title", ""),
                    text=raw["text"],
                    labels=frozenset(raw["labels"]),
                    hard_negative=raw.get("hard_negative"),
                    actors=tuple(raw.get("actors", ())),
                    amount_usd=raw.get("amount_usd"),
                )
            )
        except KeyError as exc:
            raise ValueError(f"{path}:{number}: missing key {exc}") from None
    return items
