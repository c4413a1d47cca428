"""``db.hit_counts``: which queries search may rank by SQLite's own sort."""

from __future__ import annotations

from db.hit_counts import HitCounts


def test_a_query_fits_once_a_run_found_fewer_hits_than_its_page() -> None:
    counts = HitCounts()
    assert not counts.fits("db", "zyxomatic", 20)  # never run: ranked inside the index
    counts.record("db", "zyxomatic", 20, 4)
    assert counts.fits("db", "zyxomatic", 20)
    assert counts.fits("db", "zyxomatic", 5)
    assert not counts.fits("db", "zyxomatic", 4)  # four hits fill a page of four
    assert not counts.fits("other.db", "zyxomatic", 20)


def test_a_full_page_forgets_the_count() -> None:
    counts = HitCounts()
    counts.record("db", "market", 20, 3)
    counts.record("db", "market", 20, 20)  # the query has grown: as many hits as the page, or more
    assert not counts.fits("db", "market", 100)


def test_the_oldest_count_goes_first_when_full() -> None:
    counts = HitCounts(capacity=2)
    for term in ("a", "b", "c"):
        counts.record("db", term, 20, 1)
    assert [counts.fits("db", term, 20) for term in ("a", "b", "c")] == [False, True, True]
