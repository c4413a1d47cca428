"""The labelled event set keeps its promises: its size, its traps, and a split fixed by the ids."""

from __future__ import annotations

import hashlib
import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from benchmarks.eventset import DATA, Half, Item, load

TYPES = {"investment", "acquisition", "partnership"}


@pytest.fixture(scope="module")
def halves() -> dict[str, list[Item]]:
    return {"dev": load("dev"), "heldout": load("heldout")}


def test_each_item_is_in_the_half_its_id_decides(halves: dict[str, list[Item]]) -> None:
    for half, items in halves.items():
        for item in items:
            odd = int(hashlib.sha1(item.id.encode()).hexdigest(), 16) % 2 == 1
            assert odd == (half == "heldout"), item.id


def test_ids_are_unique_and_items_well_formed(halves: dict[str, list[Item]]) -> None:
    items = halves["dev"] + halves["heldout"]
    assert len({item.id for item in items}) == len(items)
    for item in items:
        assert item.id.startswith(f"{item.lang}-")
        assert item.lang in {"en", "fr", "de", "es"}
        assert item.kind in {"headline", "lead", "sentence", "article"}
        assert item.labels <= TYPES
        assert (item.kind == "article") == bool(item.title)
        assert not (item.labels and item.hard_negative), item.id
        assert item.labels or not item.actors, item.id


def test_size_languages_and_traps(halves: dict[str, list[Item]]) -> None:
    items = halves["dev"] + halves["heldout"]
    languages = Counter(item.lang for item in items)
    assert len(items) >= 640
    assert languages["en"] / len(items) >= 0.35
    assert min(languages["fr"], languages["de"], languages["es"]) / len(items) >= 0.18
    assert sum(item.hard_negative is not None for item in items) / len(items) >= 0.40
    for half in halves.values():
        assert {label for item in half for label in item.labels} == TYPES


def test_load_refuses_an_unknown_half() -> None:
    with pytest.raises(ValueError, match="unknown half"):
        load("test")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("half", "size", "hard_share"),
    [
        ("fresh2", 220, 0.45),
        ("fresh3", 220, 0.45),
        ("fresh4", 220, 0.45),
        ("fresh5", 220, 0.40),
        ("fresh6", 120, 0.40),  # whole articles, each several items' worth of sentences
        ("artdev", 90, 0.50),  # whole articles to tune on
    ],
)
def test_the_later_fresh_sets_are_well_formed_with_actors_on_every_positive(
    half: Half, size: int, hard_share: float
) -> None:
    items = load(half)
    assert len(items) >= size
    assert len({item.id for item in items}) == len(items)
    assert sum(item.hard_negative is not None for item in items) / len(items) >= hard_share
    assert {label for item in items for label in item.labels} == TYPES
    assert {item.lang for item in items} == {"en", "fr", "de", "es"}
    for item in items:
        assert item.id.startswith(f"{half}-{item.lang}-")
        assert item.kind in {"headline", "lead", "sentence", "article"}
        assert (item.kind == "article") == bool(item.title)
        assert not (item.labels and item.hard_negative), item.id
        # Actors are labelled on every positive, and only there: actor recall is measured on them.
        assert bool(item.labels) == bool(item.actors), item.id


def test_fresh4_has_the_traps_and_wordings_it_was_written_for() -> None:
    items = load("fresh4")
    assert len(items) >= 260
    languages = Counter(item.lang for item in items)
    assert 0.60 <= languages["en"] / len(items) <= 0.70
    traps = Counter(item.hard_negative for item in items if item.hard_negative)
    # IPOs are no investment of one organisation in another; tenders opened are no contract won.
    assert traps["ipo"] >= 5 and traps["tender"] >= 1
    assert min(traps[t] for t in ("capex", "past_mention", "collapsed", "rumour", "denied", "earnings")) >= 5


def test_fresh5_weighs_partnerships_and_their_look_alikes() -> None:
    items = load("fresh5")
    positives = [item for item in items if item.labels]
    assert sum("partnership" in item.labels for item in positives) / len(positives) >= 0.5
    traps = Counter(item.hard_negative for item in items if item.hard_negative)
    # Agreements that are no deal between organisations: labour, political, plea, trade, futures.
    assert traps["wordsense"] >= 20
    assert min(traps[t] for t in ("collapsed", "tender", "earnings", "macro", "lawsuit", "denied")) >= 5


def test_fresh6_is_whole_articles_with_deals_in_passing() -> None:
    items = load("fresh6")
    assert len(items) >= 120
    assert all(item.kind == "article" and item.title for item in items)
    languages = Counter(item.lang for item in items)
    assert 0.65 <= languages["en"] / len(items) <= 0.75
    # Whole articles: a headline and a body of several sentences, background paragraph included.
    assert min(item.text.count(". ") + 1 for item in items) >= 4
    # Its traps are articles whose news is no deal though their body mentions one.
    assert sum(not item.labels for item in items) / len(items) >= 0.40
    traps = Counter(item.hard_negative for item in items if item.hard_negative)
    assert min(traps[t] for t in ("past_mention", "collapsed", "denied", "earnings", "capex")) >= 4


def test_artdev_is_whole_articles_whose_lead_mentions_deals_that_are_not_the_news() -> None:
    items = load("artdev")
    assert all(item.kind == "article" and item.title for item in items)
    assert 0.70 <= Counter(item.lang for item in items)["en"] / len(items) <= 0.80
    assert min(item.text.count(". ") + 1 for item in items) >= 4
    traps = Counter(item.hard_negative for item in items if item.hard_negative)
    # Deals under review, a sponsor in a sports story, a product made "in partnership with",
    # a fund's performance: the kinds of lead fresh6 does not weigh.
    assert min(traps[t] for t in ("earnings", "past_mention", "denied", "review", "sport", "lawsuit")) >= 3
    assert min(traps[t] for t in ("byline", "fund", "workforce", "collapsed")) >= 2


def test_fresh7_is_whole_articles_from_many_outlets_split_by_a_fixed_seed(tmp_path: Path) -> None:
    items = _seeded_whole_articles(tmp_path, "fresh7", load("fresh7-dev"), load("fresh7-blind"))
    languages = Counter(item.lang for item in items)
    assert 1 - languages["en"] / len(items) >= 0.40
    # Half of them have no deal as their news though they mention one.
    assert sum(not item.labels for item in items) / len(items) >= 0.45
    traps = Counter(item.hard_negative for item in items if item.hard_negative)
    assert min(traps[t] for t in ("past_mention", "collapsed", "rumour", "denied", "stake_of")) >= 5


def test_fresh8_weighs_deals_mentioned_in_passing_in_news_of_another_kind(tmp_path: Path) -> None:
    items = _seeded_whole_articles(tmp_path, "fresh8", load("fresh8-dev"), load("fresh8-blind"))
    assert 1 - Counter(item.lang for item in items)["en"] / len(items) >= 0.40
    assert sum(not item.labels for item in items) / len(items) >= 0.60
    traps = Counter(item.hard_negative for item in items if item.hard_negative)
    # News of another kind that mentions money or partners: results, launches on a partner's
    # technology, research, grants, listings, bonds, buybacks, fund holdings, sponsors.
    assert min(traps[t] for t in ("earnings", "collapsed", "rumour", "denied", "opinion", "sport")) >= 5
    assert min(traps[t] for t in ("grant", "byline", "research", "ipo", "buyback", "fund")) >= 3


def test_fresh9_is_another_writers_regional_and_trade_press_split_by_a_fixed_seed(tmp_path: Path) -> None:
    items = _seeded_whole_articles(tmp_path, "fresh9", load("fresh9-dev"), load("fresh9-blind"))
    assert 1 - Counter(item.lang for item in items)["en"] / len(items) >= 0.40
    # Half or more are news of another kind whose headline or lead has deal words in it.
    assert sum(not item.labels for item in items) / len(items) >= 0.50
    traps = Counter(item.hard_negative for item in items if item.hard_negative)
    assert min(traps[t] for t in ("earnings", "wordsense", "rumour", "capex", "past_mention")) >= 5
    assert min(traps[t] for t in ("lawsuit", "sport", "denied", "workforce", "analyst", "collapsed")) >= 3


def _seeded_whole_articles(tmp_path: Path, name: str, dev: list[Item], blind: list[Item]) -> list[Item]:
    """A set of 120+ whole articles, its two halves split by the fixed seed; both halves together."""
    items = dev + blind
    assert len(items) >= 120
    assert not {item.id for item in dev} & {item.id for item in blind}
    assert all(item.kind == "article" and item.title for item in items)
    # Whole articles: a headline and a body of several sentences.
    assert min(item.text.count(". ") + 1 for item in items) >= 4
    _assert_split_by_seed(tmp_path, name, dev, blind)
    return items


def _assert_split_by_seed(tmp_path: Path, name: str, dev: list[Item], blind: list[Item]) -> None:
    """Both halves have every type and language, and are what the seeded split of the whole set gives,
    whatever order it is in."""
    for half in (dev, blind):
        assert {label for item in half for label in item.labels} == TYPES
        assert {item.lang for item in half} == {"en", "fr", "de", "es"}
        for item in half:
            assert bool(item.labels) == bool(item.actors), item.id
    batch = tmp_path / f"{name}.jsonl"
    batch.write_text(
        "".join((DATA / f"{name}-{half}.jsonl").read_text("utf-8") for half in ("blind", "dev")), "utf-8"
    )
    split = _split_module()
    split.HERE = tmp_path
    split.seeded(batch, name)
    for half in ("dev", "blind"):
        assert (tmp_path / f"{name}-{half}.jsonl").read_text("utf-8") == (
            DATA / f"{name}-{half}.jsonl"
        ).read_text("utf-8")


def _split_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("event_split", DATA / "split.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
