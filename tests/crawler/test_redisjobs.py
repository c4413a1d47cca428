"""The Redis crawl job queue against a real redis-server: once per source, claims leased, lost jobs back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from crawler.errors import MalformedJobError, QueueError
from crawler.redisjobs import LEASE, QUEUE_KEY, RedisJob, RedisJobQueue, Refused, Requeued
from tests.redis import RedisServer, needs_redis

pytestmark = needs_redis

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
PASSWORD = "queue-Pa55word"


@pytest.fixture
def queue(redis_server: RedisServer) -> Iterator[RedisJobQueue]:
    made = RedisJobQueue(redis_server.url)
    yield made
    made.close()


def test_a_source_is_queued_once_while_queued_or_crawled(queue: RedisJobQueue) -> None:
    assert queue.push(["a", "b"]) == 2
    assert queue.push(["a", "c"]) == 1
    assert queue.claim("w1", 1, NOW) == [RedisJob("a", 1)]
    assert queue.push(["a"]) == 0  # being crawled
    assert (queue.waiting(), queue.pending()) == (2, 3)
    assert queue.finish("w1", "a")
    assert queue.push(["a"]) == 1  # done: due again, queued again
    assert [job.source for job in queue.claim("w2", 10, NOW)] == ["b", "c", "a"]
    assert queue.claim("w2", 10, NOW) == []


def test_two_workers_never_claim_the_same_job(queue: RedisJobQueue) -> None:
    queue.push([f"s{n}" for n in range(100)])
    first = queue.claim("w1", 60, NOW)
    second = queue.claim("w2", 60, NOW)
    assert len(first) == 60 and len(second) == 40
    assert not {j.source for j in first} & {j.source for j in second}


def test_a_gone_workers_jobs_go_back_to_the_front_and_its_finish_is_refused(queue: RedisJobQueue) -> None:
    queue.push(["a", "b", "c"])
    queue.claim("lost", 2, NOW)
    assert queue.release(["lost", "someone-else"]) == [Requeued("a", "lost"), Requeued("b", "lost")]
    assert queue.finish("lost", "a") is False  # taken back: the lost worker finishes nothing
    claimed = queue.claim("w2", 3, NOW)
    assert {(j.source, j.attempts) for j in claimed} == {("a", 2), ("b", 2), ("c", 1)}
    assert queue.pending() == 3


def test_a_lease_not_renewed_ends_and_the_job_comes_back(queue: RedisJobQueue) -> None:
    queue.push(["kept", "hung"])
    queue.claim("w1", 2, NOW)
    later = NOW + LEASE - timedelta(seconds=1)
    assert queue.renew("w1", ["kept"], later) == 1
    assert queue.renew("w2", ["hung"], later) == 0  # not its job
    assert queue.requeue_expired(NOW + LEASE - timedelta(seconds=2)) == []
    assert queue.requeue_expired(NOW + LEASE) == [Requeued("hung", "w1")]
    assert queue.claim("w2", 5, NOW + LEASE) == [RedisJob("hung", 2)]
    assert queue.finish("w1", "kept") and queue.pending() == 1


def test_jobs_survive_a_redis_restart(redis_server: RedisServer, queue: RedisJobQueue) -> None:
    queue.push(["a", "b"])
    queue.claim("w1", 1, NOW)
    redis_server.stop()
    redis_server.start()
    assert queue.release(["w1"]) == [Requeued("a", "w1")]
    assert [j.source for j in queue.claim("w2", 5, NOW)] == ["a", "b"]


def test_an_unreachable_queue_is_a_clear_error_without_the_password(redis_server: RedisServer) -> None:
    queue = RedisJobQueue(f"redis://:{PASSWORD}@127.0.0.1:{redis_server.port}/0")
    redis_server.stop()
    with pytest.raises(QueueError) as caught:
        queue.push(["a"])
    message = str(caught.value)
    assert f"crawl queue redis://:***@127.0.0.1:{redis_server.port}/0: ConnectionError" in message
    assert PASSWORD not in message
    queue.close()


def test_jobs_are_json_in_the_list_and_the_claim_reads_every_kind_of_entry(
    redis_server: RedisServer, queue: RedisJobQueue
) -> None:
    queue.push(["pushed"])
    client = redis.Redis.from_url(redis_server.url)
    assert client.lrange(QUEUE_KEY, 0, -1) == [b'{"source":"pushed"}']  # scrapy-redis's data: JSON
    client.hset("newsmon:{crawl}:jobs", "old", '{"holder":"","attempts":0}')
    client.rpush(QUEUE_KEY, "old", '{"source": "by-hand"}', b"\xff\x00junk", '{"source": "pushed"}')
    client.close()
    claimed = queue.claim("w1", 10, NOW)
    # A bare name (queued by the version before) and a job pushed by hand are jobs; junk is handed back
    # to be logged; a second entry for a job held already is dropped.
    assert claimed == [
        RedisJob("pushed", 1),
        RedisJob("old", 1),
        RedisJob("by-hand", 1),
        Refused(b"\xff\x00junk"),
    ]
    assert queue.pending() == 3 and queue.waiting() == 0
    assert queue.release(["w1"]) and {
        j.source for j in queue.claim("w2", 10, NOW) if isinstance(j, RedisJob)
    } == {
        "pushed",
        "old",
        "by-hand",
    }


@pytest.mark.parametrize("data", [b'{"source": "s1", "attempts": 2}', '{"source": "s1", "attempts": 2}'])
def test_a_job_is_read_from_json_bytes_or_text(data: bytes | str) -> None:
    assert RedisJob.from_data(data) == RedisJob("s1", 2)
    assert RedisJob.from_data(RedisJob("s1", 2).data()) == RedisJob("s1", 2)
    assert RedisJob.from_data('{"source": "s1"}') == RedisJob("s1", 1)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"\xff\xfe", "not JSON"),
        ("s1", "not JSON"),
        ("[]", "no source named"),
        ('{"source": 5}', "no source named"),
        ('{"source": ""}', "no source named"),
        ('{"source": "s1", "attempts": 0}', "attempts"),
        ('{"source": "s1", "attempts": true}', "attempts"),
        ('{"source": "s1", "attempts": "2"}', "attempts"),
    ],
)
def test_malformed_job_data_is_refused_saying_why(data: bytes | str, why: str) -> None:
    with pytest.raises(MalformedJobError, match=why):
        RedisJob.from_data(data)
