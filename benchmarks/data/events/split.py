"""Append a batch of labelled event items to the development and held-out halves.

Usage: python benchmarks/data/events/split.py BATCH.jsonl
       python benchmarks/data/events/split.py --counts    (the tables of README.md)
       python benchmarks/data/events/split.py --seeded BATCH.jsonl NAME
           (a whole new set in two halves, NAME-dev.jsonl to tune on and NAME-blind.jsonl)

The half is fixed by the item's id alone (sha1, odd -> held-out), so it was decided
before anything was tuned and does not depend on the order items were written in.
Items are checked against the format in README.md; an id already present is refused.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
HALVES = {0: HERE / "dev.jsonl", 1: HERE / "heldout.jsonl"}
KINDS = {"headline", "lead", "sentence", "article"}
LANGS = {"en", "fr", "de", "es"}
TYPES = {"investment", "acquisition", "partnership"}
# Fixed before the set was scored: the halves must not depend on what the detector gets wrong.
SEED = 20261204


def half_of(item_id: str) -> int:
    return int(hashlib.sha1(item_id.encode()).hexdigest(), 16) % 2


def check(item: dict[str, object], where: str) -> None:
    problems = []
    if item.get("lang") not in LANGS:
        problems.append("lang")
    if item.get("kind") not in KINDS:
        problems.append("kind")
    labels = item.get("labels")
    if not isinstance(labels, list) or not set(labels) <= TYPES:
        problems.append("labels")
    if item.get("kind") == "article" and not item.get("title"):
        problems.append("title (an article has one)")
    if not item.get("text"):
        problems.append("text")
    if labels and item.get("hard_negative") is not None:
        problems.append("hard_negative (a positive is not a trap)")
    if problems:
        raise SystemExit(f"{where}: bad {', '.join(problems)}")


def existing_ids() -> set[str]:
    ids: set[str] = set()
    for path in HALVES.values():
        if path.exists():
            ids.update(json.loads(line)["id"] for line in path.read_text("utf-8").splitlines() if line)
    return ids


def counts() -> int:
    items = [json.loads(line) for path in HALVES.values() for line in path.read_text("utf-8").splitlines()]
    labels = ("investment", "acquisition", "partnership")
    print("| half | items | positives | investment | acquisition | partnership | hard negatives |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for half, name in ((0, "dev"), (1, "held-out")):
        part = [i for i in items if half_of(i["id"]) == half]
        by_label = Counter(label for i in part for label in i["labels"])
        hard = sum(i["hard_negative"] is not None for i in part)
        positives = sum(bool(i["labels"]) for i in part)
        per_label = " | ".join(str(by_label[x]) for x in labels)
        print(f"| {name} | {len(part)} | {positives} | {per_label} | {hard} |")
    print()
    kinds = ("headline", "lead", "sentence", "article")
    print(f"| lang | items | {' | '.join(kinds)} | {' | '.join(labels)} | negatives | hard negatives |")
    print("| --- " * 11 + "|")
    for lang in ("en", "fr", "de", "es", None):
        part = [i for i in items if lang is None or i["lang"] == lang]
        by_kind = Counter(i["kind"] for i in part)
        by_label = Counter(label for i in part for label in i["labels"])
        negatives = sum(not i["labels"] for i in part)
        hard = sum(i["hard_negative"] is not None for i in part)
        share = f" ({100 * hard / len(part):.0f} %)" if lang is None else ""
        print(
            f"| {lang or 'all'} | {len(part)} | {' | '.join(str(by_kind[k]) for k in kinds)} | "
            f"{' | '.join(str(by_label[x]) for x in labels)} | {negatives} | {hard}{share} |"
        )
    articles = [i for i in items if i["kind"] == "article"]
    positive = sum(bool(i["labels"]) for i in articles)
    print(f"\nArticles: {positive} positive, {len(articles) - positive} negative.\n")
    print("| trap (`hard_negative`) | items |\n| --- | --- |")
    for trap, number in Counter(i["hard_negative"] for i in items if i["hard_negative"]).most_common():
        print(f"| {trap} | {number} |")
    return 0


def main(batch: Path) -> int:
    seen = existing_ids()
    out: dict[int, list[str]] = {0: [], 1: []}
    for number, line in enumerate(batch.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        where = f"{batch}:{number} ({item.get('id')})"
        check(item, where)
        if item["id"] in seen:
            raise SystemExit(f"{where}: id already in the set")
        seen.add(item["id"])
        out[half_of(item["id"])].append(json.dumps(item, ensure_ascii=False))
    for half, lines in out.items():
        with HALVES[half].open("a", encoding="utf-8") as handle:
            handle.writelines(f"{line}\n" for line in lines)
    print(f"dev +{len(out[0])}, held-out +{len(out[1])}")
    return 0


def seeded(batch: Path, name: str) -> int:
    """Split a new set in halves by SEED, within each language and label so both halves
    keep its mix; the dev half is tuned on, the blind half only measured."""
    items = [json.loads(line) for line in batch.read_text("utf-8").splitlines() if line.strip()]
    for number, item in enumerate(items, 1):
        check(item, f"{batch}:{number} ({item.get('id')})")
    strata: dict[tuple[str, tuple[str, ...]], list[dict[str, object]]] = {}
    for item in sorted(items, key=lambda i: str(i["id"])):
        strata.setdefault((str(item["lang"]), tuple(sorted(item["labels"]))), []).append(item)
    rng = random.Random(SEED)
    halves: dict[str, list[dict[str, object]]] = {"dev": [], "blind": []}
    for key in sorted(strata):
        group = strata[key]
        rng.shuffle(group)
        cut = (len(group) + rng.randrange(2)) // 2
        halves["dev"] += group[:cut]
        halves["blind"] += group[cut:]
    for half, chosen in halves.items():
        lines = (json.dumps(i, ensure_ascii=False) for i in sorted(chosen, key=lambda i: str(i["id"])))
        (HERE / f"{name}-{half}.jsonl").write_text("".join(f"{line}\n" for line in lines), "utf-8")
    print(f"{name}-dev {len(halves['dev'])}, {name}-blind {len(halves['blind'])}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--seeded"]:
        sys.exit(seeded(Path(sys.argv[2]), sys.argv[3]))
    sys.exit(counts() if sys.argv[1:] == ["--counts"] else main(Path(sys.argv[1])))
