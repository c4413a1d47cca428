"""``db.hit_counts``: which queries search may rank by SQLite's own sort, and from which score a
row of the page gets its snippet."""

from __future__ import annotations

from db.hit_counts import ALL_FIT, HitCounts


def test_a_query_fits_once_a_run_found_fewer_hits_than_its_page() -> None:
    counts = HitCounts()
    assert not counts.fits("db", "zyxomatic", 20)  # never run: ranked inside the index
    assert counts.floor("db", "zyxomatic", 20) is None
    counts.record("db", "zyxomatic", 20, 4, 7.0)
    assert counts.fits("db", "zyxomatic", 20)
    assert counts.fits("db", "zyxomatic", 5)
    assert not counts.fits("db", "zyxomatic", 4)  # four hits fill a page of four
    assert counts.floor("db", "zyxomatic", 4) == 7.0
    assert not counts.fits("other.db", "zyxomatic", 20)


def test_a_query_without_hits_fits_any_page() -> None:
    counts = HitCounts()
    counts.record("db", "nothing", 20, 0, ALL_FIT)
    assert counts.floor("db", "nothing", 1) == ALL_FIT


def test_a_full_page_leaves_its_last_score_as_the_floor_of_pages_up_to_its_size() -> None:
    counts = HitCounts()
    counts.record("db", "market", 20, 2, 2.0)
    counts.record("db", "market", 3, 3, 1.5)  # the query has grown: a full page of three
    assert not counts.fits("db", "market", 100)
    assert counts.floor("db", "market", 3) == 1.5
    # The first hit of a page scores at least as high as the third: 1.5 is low enough for it.
    assert counts.floor("db", "market", 1) == 1.5
    assert counts.floor("db", "market", 4) is None  # the fourth hit was never seen


def test_the_oldest_page_goes_first_when_full() -> None:
    counts = HitCounts(capacity=2)
    for term in ("a", "b", "c"):
        counts.record("db", term, 20, 1, 1.0)
    assert [counts.fits("db", term, 20) for term in ("a", "b", "c")] == [False, True, True]
