"""The clusterer's decisions and the fingerprint, on made-up vectors: pure functions, no model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from alerts.stories.cluster import Arrival, Thresholds, agrees, best_match, centroid, join, start
from alerts.stories.fingerprint import Fingerprint, amounts_agree, fingerprint, orgs_overlap
from alerts.stories.names import names

T0 = datetime(2023, 1, 23, 14, 0, tzinfo=UTC)
OPENAI_DEAL = Fingerprint(
    orgs=("Microsoft", "OpenAI"),
    events=("investment",),
    amounts_usd=(1e10,),
    amount={"value": 1e10, "currency": "USD", "usd": 1e10, "text": "$10 billion"},
)


def unit(*values: float) -> np.ndarray:
    vector = np.zeros(8, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def arrival(
    vector: np.ndarray, found: Fingerprint = OPENAI_DEAL, source: str = "reuters", **more: object
) -> Arrival:
    fields: dict[str, object] = {"article_id": 1, "title": "t", "language": "en", "seen": T0, **more}
    return Arrival(source=source, fingerprint=found, vector=vector, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ours", "theirs", "expected"),
    [
        ((1e10,), (9.2e9,), True),  # converted from euros and rounded
        ((1e10,), (1.3e10,), False),  # another round
        ((), (1e10,), True),  # one side states no amount
        ((5e8, 1e10), (1.02e10,), True),
    ],
)
def test_amounts_agree_within_fifteen_percent(
    ours: tuple[float, ...], theirs: tuple[float, ...], expected: bool
) -> None:
    assert amounts_agree(ours, theirs) is expected


def test_fingerprints_must_share_events_organisations_and_amounts_when_both_have_them() -> None:
    story = start(arrival(unit(1)))
    assert agrees(OPENAI_DEAL, story)
    assert not agrees(Fingerprint(orgs=("OpenAI",), events=("partnership",)), story)
    # One organisation in common is enough: the meaning (and amounts) tell the two deals apart.
    assert agrees(Fingerprint(orgs=("Microsoft", "Builder.ai"), events=("investment",)), story)
    assert not agrees(Fingerprint(orgs=("Google", "Anthropic"), events=("investment",)), story)
    assert not agrees(Fingerprint(orgs=("OpenAI",), events=("investment",), amounts_usd=(4e9,)), story)
    assert agrees(Fingerprint(orgs=("OpenAI",)), story)  # no event found: the meaning decides


def test_the_closest_agreeing_story_over_the_threshold_wins() -> None:
    near = start(arrival(unit(1, 0.3)))
    nearer = start(arrival(unit(1, 0.1), Fingerprint(orgs=("OpenAI",), events=("investment",))))
    other_event = start(arrival(unit(1), Fingerprint(orgs=("OpenAI",), events=("partnership",))))
    candidates = [near, other_event, nearer]
    match = best_match(arrival(unit(1)), candidates, Thresholds(join=0.5, with_amount=0.5))
    assert match is not None and match.story is nearer
    assert best_match(arrival(unit(0, 1)), candidates, Thresholds(join=0.5, with_amount=0.5)) is None


def test_a_matching_amount_lowers_the_bar() -> None:
    story = start(arrival(unit(1, 1)))  # cosine 0.707 to unit(1)
    no_amount = Fingerprint(orgs=("OpenAI",), events=("investment",))
    thresholds = Thresholds(join=0.8, with_amount=0.6)
    assert best_match(arrival(unit(1)), [story], thresholds) is not None
    assert best_match(arrival(unit(1), no_amount), [story], thresholds) is None


def test_joining_gathers_outlets_languages_and_the_largest_amount() -> None:
    story = start(arrival(unit(1), source="reuters", language="en"))
    euros = Fingerprint(
        orgs=("OpenAI", "Azure"),
        events=("investment", "partnership"),
        amounts_usd=(1.05e10,),
        amount={"value": 9.7e9, "currency": "EUR", "usd": 1.05e10, "text": "9,7 milliards d'euros"},
    )
    later = T0 + timedelta(hours=3)
    joined = join(story, arrival(unit(0, 1), euros, source="lemonde", language="fr", seen=later))
    again = join(joined, arrival(unit(1), OPENAI_DEAL, source="reuters", language="en", seen=later))
    assert again.articles == 3
    assert again.outlets == ("reuters", "lemonde")
    assert again.languages == ("en", "fr")
    assert again.orgs == ("Microsoft", "OpenAI", "Azure")
    assert again.events == ("investment", "partnership")
    assert again.amount is not None and again.amount["currency"] == "EUR"
    assert again.amounts_usd == (1e10, 1.05e10)
    assert (again.first_seen, again.last_seen) == (T0, later)
    assert again.title == story.title
    np.testing.assert_allclose(centroid(again), (2 * unit(1) + unit(0, 1)) / 3, rtol=1e-6)


@dataclass(frozen=True)
class Amount:
    value: float
    currency: str
    usd: float
    text: str
    lower_bound: bool = False


@dataclass(frozen=True)
class Event:
    type: str
    actors: tuple[str, ...]
    amount: Amount | None
    news: bool


@dataclass(frozen=True)
class Analysis:
    orgs: tuple[str, ...]
    events: tuple[Event, ...]
    amounts: tuple[Amount, ...] = ()


def test_the_fingerprint_counts_the_news_only() -> None:
    background = Event("acquisition", ("Google", "DeepMind"), Amount(5e8, "USD", 5e8, "$500m"), news=False)
    vague = Event("investment", ("Microsoft", "OpenAI"), Amount(1e9, "USD", 1e9, "billions", True), news=True)
    precise = Event(
        "investment", ("OpenAI", "Microsoft"), Amount(9.2e9, "EUR", 1e10, "9,2 Mrd. €"), news=True
    )
    valuation = Amount(2.9e10, "USD", 2.9e10, "$29bn")
    news_amounts = (vague.amount, precise.amount, valuation)
    found = fingerprint(
        Analysis(("Google", "Microsoft", "OpenAI"), (background, vague, precise), news_amounts)  # type: ignore[arg-type]
    )
    assert found.orgs == ("Microsoft", "OpenAI")
    assert found.events == ("investment",)
    assert found.amounts_usd == (1e10, 2.9e10)  # every precise figure of the news, to compare
    assert found.amount == {"value": 9.2e9, "currency": "EUR", "usd": 1e10, "text": "9,2 Mrd. €"}


def test_without_news_the_organisations_mentioned_stand_in() -> None:
    found = fingerprint(Analysis(orgs=("OpenAI", "OpenAI", "Microsoft"), events=()))
    assert found == Fingerprint(orgs=("OpenAI", "Microsoft"))


def test_an_organisation_the_story_does_not_know_or_no_event_raises_the_bar() -> None:
    story = start(arrival(unit(1, 1), Fingerprint(orgs=("Microsoft", "OpenAI"), events=("investment",))))
    thresholds = Thresholds(join=0.6, with_amount=0.5, novel=0.8)  # cosine to the story: 0.707
    known = Fingerprint(orgs=("OpenAI",), events=("investment",))
    builder = Fingerprint(orgs=("Microsoft", "Builder.ai"), events=("investment",))
    assert best_match(arrival(unit(1), known), [story], thresholds) is not None
    assert best_match(arrival(unit(1), builder), [story], thresholds) is None
    no_event = Fingerprint(orgs=("Microsoft",))
    assert best_match(arrival(unit(1), no_event), [story], thresholds) is None


@pytest.mark.parametrize(
    ("ours", "theirs", "expected"),
    [
        (("Hess Corp.",), ("Chevron", "Hess"), True),  # one organisation, written two ways
        (("Jim Ratcliffe",), ("Sir Jim Ratcliffe", "Manchester United"), True),
        (("General Motors",), ("Sony", "Honda Motor"), False),  # "Motor(s)" names no one
        (("Bank of America",), ("Silicon Valley Bank",), False),
        (("OpenAI",), ("OpenAI",), True),
        ((), ("OpenAI",), False),
    ],
)
def test_organisations_overlap_by_name_or_distinctive_word(
    ours: tuple[str, ...], theirs: tuple[str, ...], expected: bool
) -> None:
    assert orgs_overlap(ours, theirs) is expected


def test_organisations_written_differently_still_agree() -> None:
    story = start(arrival(unit(1), Fingerprint(orgs=("Sir Jim Ratcliffe", "Manchester United"))))
    assert agrees(Fingerprint(orgs=("Jim Ratcliffe",)), story)
    assert not agrees(Fingerprint(orgs=("OGC Nice",)), story)


def test_without_an_organisation_in_common_the_meaning_alone_decides_at_its_own_bar() -> None:
    story = start(arrival(unit(1, 1), Fingerprint(orgs=(), events=("investment",), amounts_usd=(1e10,))))
    thresholds = Thresholds(join=0.5, with_amount=0.5, novel=0.6, unshared=0.8)  # cosine 0.707
    close = arrival(unit(1, 0.9), OPENAI_DEAL)  # cosine 0.998, the same amount
    far = arrival(unit(1), OPENAI_DEAL)  # the matching amount does not lower the bar
    assert best_match(close, [story], thresholds) is not None
    assert best_match(far, [story], thresholds) is None


def test_names_are_the_capitalised_words_of_title_and_lead_but_function_and_amount_words() -> None:
    found = names(
        "Lufthansa steigt bei Italiens Staatsairline ein",
        "Die Lufthansa übernimmt 41 Prozent von ITA Airways und zahlt 325 Millionen Euro. Sie wartet.",
    )
    assert found == ("lufthansa", "italiens", "staatsairline", "prozent", "ita", "airways")
    # An English headline capitalises every word: only its lead is read.
    assert names(
        "Cisco to Buy Splunk for $28 Billion in Its Largest Deal", "Cisco agreed to buy Splunk."
    ) == (
        "cisco",
        "splunk",
    )
    assert len(names("", " ".join(f"Name{n}x" for n in range(100)))) == 16
