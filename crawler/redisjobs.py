"""The crawl job queue in Redis (``queue: redis://…``): the scheduler hands jobs over, workers claim them.

A job is one crawl of one source, as in the database's queue (db/jobs.py):
its data names the source, and the worker that claims it crawls the whole
source, so the per-source fetch log, validators and pending pages hold as
with one process. The schedule (each source's due time) stays in the
database; Redis carries the jobs between the scheduler and the workers.

Keys, under one hash tag (one cluster slot, as the scripts need):

* ``newsmon:{crawl}:queue`` — a list of source names waiting, oldest first;
* ``newsmon:{crawl}:jobs`` — a hash of every job queued or being crawled,
  source → ``{"holder": id or "", "attempts": n}``: a source is in it at most
  once, so a source due again while still queued or crawled is not queued twice;
* ``newsmon:{crawl}:leases`` — a sorted set of the jobs being crawled, scored
  by their lease's end (Unix seconds).

Reliable, never a plain pop: a claim moves jobs from the list to the leases
in one script, which Redis runs atomically. A worker killed mid-crawl leaves
its jobs in the leases; ``release`` puts them back at the front of the queue
as soon as its holder is known gone (db/holders.py), ``requeue_expired`` when
the lease ends (a worker renews its leases with its heartbeat). ``finish``
removes a job only for the holder that claims it, so a job taken back and
claimed again is not finished by the worker that lost it. A job is thus
crawled again only after a lost worker: what that worker had in flight.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis
from redis.exceptions import RedisError

from crawler.errors import QueueError
from db.urls import shown_url

PREFIX = "newsmon:{crawl}"
# A worker renews its leases with its heartbeat (every 10 s): only a worker gone or hung this long loses them.
LEASE = timedelta(seconds=60)
TIMEOUT_SECONDS = 5.0
PUSH_BATCH = 1000

_PUSH = """
local added = 0
for _, source in ipairs(ARGV) do
  if redis.call('HSETNX', KEYS[2], source, '{"holder":"","attempts":0}') == 1 then
    redis.call('RPUSH', KEYS[1], source)
    added = added + 1
  end
end
return added
"""

_CLAIM = """
local claimed = {}
local limit = tonumber(ARGV[2])
while #claimed < 2 * limit do
  local source = redis.call('LPOP', KEYS[1])
  if not source then break end
  local raw = redis.call('HGET', KEYS[2], source)
  if raw then
    local job = cjson.decode(raw)
    job.holder = ARGV[1]
    job.attempts = job.attempts + 1
    redis.call('HSET', KEYS[2], source, cjson.encode(job))
    redis.call('ZADD', KEYS[3], ARGV[3], source)
    table.insert(claimed, source)
    table.insert(claimed, job.attempts)
  end
end
return claimed
"""

_RENEW = """
local renewed = 0
for i = 3, #ARGV do
  local raw = redis.call('HGET', KEYS[1], ARGV[i])
  if raw and cjson.decode(raw).holder == ARGV[1] then
    redis.call('ZADD', KEYS[2], 'XX', ARGV[2], ARGV[i])
    renewed = renewed + 1
  end
end
return renewed
"""

_FINISH = """
local raw = redis.call('HGET', KEYS[1], ARGV[2])
if raw and cjson.decode(raw).holder == ARGV[1] then
  redis.call('HDEL', KEYS[1], ARGV[2])
  redis.call('ZREM', KEYS[2], ARGV[2])
  return 1
end
return 0
"""

# ARGV[1] 'expired' (ARGV[2] the time) or 'holders' (ARGV[2..] their ids): those jobs go back to the front.
_REQUEUE = """
local candidates
local holders = {}
if ARGV[1] == 'expired' then
  candidates = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[2])
else
  candidates = redis.call('ZRANGE', KEYS[3], 0, -1)
  for i = 2, #ARGV do holders[ARGV[i]] = true end
end
local back = {}
for _, source in ipairs(candidates) do
  local raw = redis.call('HGET', KEYS[2], source)
  local job = raw and cjson.decode(raw)
  if not job then
    redis.call('ZREM', KEYS[3], source)
  elseif ARGV[1] == 'expired' or holders[job.holder] then
    table.insert(back, source)
    table.insert(back, job.holder)
    job.holder = ''
    redis.call('HSET', KEYS[2], source, cjson.encode(job))
    redis.call('ZREM', KEYS[3], source)
    redis.call('LPUSH', KEYS[1], source)
  end
end
return back
"""


@dataclass(frozen=True)
class RedisJob:
    source: str
    attempts: int  # claims of this job so far, this one included


@dataclass(frozen=True)
class Requeued:
    source: str
    holder: str  # who had claimed it


class RedisJobQueue:
    """The queue at ``url``; every call raises ``QueueError`` (never quoting the URL's password)."""

    def __init__(self, url: str, *, lease: timedelta = LEASE, prefix: str = PREFIX) -> None:
        self.shown = shown_url(url)
        self.lease = lease
        self._keys = [f"{prefix}:queue", f"{prefix}:jobs", f"{prefix}:leases"]
        self._client = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
        )
        self._push = self._client.register_script(_PUSH)
        self._claim = self._client.register_script(_CLAIM)
        self._renew = self._client.register_script(_RENEW)
        self._finish = self._client.register_script(_FINISH)
        self._requeue = self._client.register_script(_REQUEUE)

    def ping(self) -> None:
        self._call(self._client.ping)

    def push(self, sources: Sequence[str]) -> int:
        """Queue ``sources`` (those not queued or being crawled already); how many were queued."""
        return sum(
            int(self._call(self._push, keys=self._keys[:2], args=list(sources[at : at + PUSH_BATCH])))
            for at in range(0, len(sources), PUSH_BATCH)
        )

    def claim(self, holder: str, limit: int, now: datetime) -> list[RedisJob]:
        """Up to ``limit`` jobs for ``holder``, oldest first, each leased until ``now`` plus the lease."""
        if limit <= 0:
            return []
        reply = self._call(self._claim, keys=self._keys, args=[holder, limit, _seconds(now + self.lease)])
        return [RedisJob(_text(reply[i]), int(reply[i + 1])) for i in range(0, len(reply), 2)]

    def renew(self, holder: str, sources: Iterable[str], now: datetime) -> int:
        """Extend the leases of ``holder``'s jobs among ``sources``; how many it still holds."""
        names = list(sources)
        if not names:
            return 0
        args = [holder, _seconds(now + self.lease), *names]
        return int(self._call(self._renew, keys=self._keys[1:], args=args))

    def finish(self, holder: str, source: str) -> bool:
        """The crawl is done; False when the job was taken back from ``holder`` meanwhile."""
        return bool(self._call(self._finish, keys=self._keys[1:], args=[holder, source]))

    def release(self, holders: Iterable[str]) -> list[Requeued]:
        """Put the jobs of ``holders`` (gone, or stopping) back at the front of the queue."""
        ids = list(holders)
        return (
            self._requeued(self._call(self._requeue, keys=self._keys, args=["holders", *ids])) if ids else []
        )

    def requeue_expired(self, now: datetime) -> list[Requeued]:
        """Put the jobs whose lease ended by ``now`` back at the front of the queue."""
        return self._requeued(self._call(self._requeue, keys=self._keys, args=["expired", _seconds(now)]))

    def waiting(self) -> int:
        """Jobs queued, not claimed."""
        return int(self._call(self._client.llen, self._keys[0]))

    def pending(self) -> int:
        """Jobs queued or being crawled."""
        return int(self._call(self._client.hlen, self._keys[1]))

    def close(self) -> None:
        self._client.close()

    def _requeued(self, reply: list[Any]) -> list[Requeued]:
        return [Requeued(_text(reply[i]), _text(reply[i + 1])) for i in range(0, len(reply), 2)]

    def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except RedisError as exc:
            # redis-py names host and port, never the password; the URL is shown without it.
            raise QueueError(f"crawl queue {self.shown}: {type(exc).__name__}: {exc}") from None


def _seconds(when: datetime) -> float:
    return when.timestamp()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
