"""A rule's delivery policy: digest windows, quiet hours and caps in a configured zone, across DST."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from db.policy import (
    HOURLY,
    DeliveryPolicy,
    PolicyError,
    QuietHours,
    parse_deliver,
    parse_quiet_hours,
)

PARIS = ZoneInfo("Europe/Paris")
NIGHT = QuietHours(time(22), time(7))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def paris(text: str, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS, fold=fold).astimezone(UTC)


def test_immediate_sends_at_once() -> None:
    assert DeliveryPolicy().hold_until(utc("2026-12-03T10:20")) is None


def test_hourly_windows_end_on_the_local_hour() -> None:
    policy = DeliveryPolicy(digest=HOURLY, zone=PARIS)
    assert policy.hold_until(paris("2026-12-03T11:20")) == paris("2026-12-03T12:00")
    assert policy.hold_until(paris("2026-12-03T11:00")) == paris("2026-12-03T12:00")
    # Kolkata is UTC+05:30: its hours end at half past in UTC.
    india = DeliveryPolicy(digest=HOURLY, zone=ZoneInfo("Asia/Kolkata"))
    assert india.hold_until(utc("2026-12-03T10:20")) == utc("2026-12-03T10:30")


def test_the_repeated_hour_of_an_autumn_change_is_two_windows() -> None:
    # 2026-10-25 in Paris: 03:00 summer time becomes 02:00 winter time, at 01:00 UTC.
    policy = DeliveryPolicy(digest=HOURLY, zone=PARIS)
    first = policy.hold_until(paris("2026-10-25T02:30", fold=0))
    second = policy.hold_until(paris("2026-10-25T02:30", fold=1))
    assert first == utc("2026-10-25T01:00") and second == utc("2026-10-25T02:00")
    assert policy.hour(paris("2026-10-25T02:30", fold=1)) == (
        utc("2026-10-25T01:00"),
        utc("2026-10-25T02:00"),
    )


def test_the_skipped_hour_of_a_spring_change_is_no_window() -> None:
    # 2026-03-29 in Paris: 02:00 winter time becomes 03:00 summer time, at 01:00 UTC.
    policy = DeliveryPolicy(digest=HOURLY, zone=PARIS)
    assert (
        policy.hold_until(paris("2026-03-29T01:59")) == paris("2026-03-29T03:00") == utc("2026-03-29T01:00")
    )


def test_daily_digests_keep_their_local_time_across_a_dst_change() -> None:
    policy = DeliveryPolicy(digest=time(8), zone=PARIS)
    before = policy.hold_until(utc("2026-03-27T09:00"))
    after = policy.hold_until(utc("2026-03-28T09:00"))
    assert before == utc("2026-03-28T07:00")  # 08:00 winter time
    assert after == utc("2026-03-29T06:00")  # 08:00 summer time: that day's window is 23 hours
    # Raised just before 08:00, an alert goes in that morning's digest; at 08:00, in the next one.
    assert policy.hold_until(paris("2026-03-29T07:59")) == after
    assert policy.hold_until(paris("2026-03-29T08:00")) == paris("2026-03-30T08:00")
    # Autumn: 08:00 winter time again.
    assert policy.hold_until(utc("2026-10-24T09:00")) == utc("2026-10-25T07:00")


def test_a_daily_time_skipped_by_the_spring_change_comes_as_if_the_clock_had_not_moved() -> None:
    policy = DeliveryPolicy(digest=time(2, 30), zone=PARIS)
    assert policy.hold_until(utc("2026-03-28T23:00")) == utc("2026-03-29T01:30")  # 03:30 summer time


def test_quiet_hours_spanning_midnight_hold_until_they_end() -> None:
    policy = DeliveryPolicy(quiet_hours=NIGHT, zone=PARIS)
    assert policy.hold_until(paris("2026-12-03T21:59")) is None
    assert policy.hold_until(paris("2026-12-03T22:00")) == paris("2026-12-04T07:00")
    assert policy.hold_until(paris("2026-12-04T03:10")) == paris("2026-12-04T07:00")
    assert policy.hold_until(paris("2026-12-04T07:00")) is None
    # The night of the spring change: 07:00 summer time, an hour earlier in UTC than the night before.
    assert policy.hold_until(paris("2026-03-28T23:00")) == utc("2026-03-29T05:00")
    assert policy.hold_until(paris("2026-03-27T23:00")) == utc("2026-03-28T06:00")


def test_quiet_hours_within_a_day() -> None:
    lunch = DeliveryPolicy(quiet_hours=QuietHours(time(12), time(14)), zone=PARIS)
    assert lunch.hold_until(paris("2026-12-03T11:59")) is None
    assert lunch.hold_until(paris("2026-12-03T13:00")) == paris("2026-12-03T14:00")
    assert lunch.hold_until(paris("2026-12-03T14:00")) is None


def test_a_digest_due_in_quiet_hours_waits_for_their_end() -> None:
    hourly = DeliveryPolicy(digest=HOURLY, quiet_hours=NIGHT, zone=PARIS)
    assert hourly.hold_until(paris("2026-12-03T20:30")) == paris("2026-12-03T21:00")
    assert hourly.hold_until(paris("2026-12-03T21:30")) == paris("2026-12-04T07:00")  # 22:00 is quiet
    assert hourly.hold_until(paris("2026-12-04T02:00")) == paris("2026-12-04T07:00")
    daily = DeliveryPolicy(digest=time(23), quiet_hours=NIGHT, zone=PARIS)
    assert daily.hold_until(paris("2026-12-03T12:00")) == paris("2026-12-04T07:00")


def test_alerts_past_the_cap_wait_for_the_end_of_their_hour_or_of_quiet_hours() -> None:
    policy = DeliveryPolicy(max_per_hour=3, quiet_hours=NIGHT, zone=PARIS)
    assert policy.over_cap_until(paris("2026-12-03T10:59")) == paris("2026-12-03T11:00")
    assert policy.over_cap_until(paris("2026-12-03T21:10")) == paris("2026-12-04T07:00")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("immediate", None),
        ("digest hourly", HOURLY),
        ("Digest  Daily 8:05", time(8, 5)),
        ("digest daily 23:59", time(23, 59)),
    ],
)
def test_deliver_values(text: str, expected: object) -> None:
    assert parse_deliver(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("digest weekly", "bad deliver 'digest weekly'"),
        ("digest daily", "a daily digest needs its time"),
        ("digest daily 25:00", "bad time '25:00' in deliver"),
        ("digest hourly 08:00", "bad deliver"),
        ("later", "bad deliver"),
    ],
)
def test_bad_deliver_values_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_deliver(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25:00-07:00", "bad time '25:00' in quiet_hours"),
        ("22:00-07:60", "bad time '07:60'"),
        ("22:00", "bad quiet_hours '22:00'"),
        ("22:00-22:00", "start and end at the same time"),
        ("ten-seven", "bad time 'ten'"),
    ],
)
def test_bad_quiet_hours_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_quiet_hours(text)


def test_quiet_hours_read_and_print_back() -> None:
    assert str(parse_quiet_hours(" 22:00 - 7:00 ")) == "22:00-07:00"
