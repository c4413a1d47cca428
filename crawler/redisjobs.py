"""The crawl job queue in Redis (``queue: redis://…``): the scheduler hands jobs over, workers claim them.

A job is one crawl of one source, as in the database's queue (db/jobs.py):
its data names the source, and the worker that claims it crawls the whole
source, so the per-source fetch log, validators and pending pages hold as
with one process. The schedule (each source's due time) stays in the
database; Redis carries the jobs between the scheduler and the workers,
whose long-lived spider reads them as scrapy-redis reads start URLs
(crawler/spiders/jobs.py).

Keys, under one hash tag (one cluster slot, as the scripts need):

* ``newsmon:{crawl}:queue`` — a list of jobs waiting, oldest first, each a
  JSON object ``{"source": name}`` (scrapy-redis's data format; a bare name,
  as queued before, is read too);
* ``newsmon:{crawl}:jobs`` — a hash of every job queued or being crawled,
  source → ``{"holder": id or "", "attempts": n}``: a source is in it at most
  once, so a source due again while still queued or crawled is not queued twice;
* ``newsmon:{crawl}:leases`` — a sorted set of the jobs being crawled, scored
  by their lease's end (Unix seconds).

Reliable, never a plain pop (scrapy-redis's own ``LRANGE``+``LTRIM`` would
lose the jobs of a worker killed after it): a claim moves jobs from the list
to the leases in one script, which Redis runs atomically. A worker killed
mid-crawl leaves its jobs in the leases; ``release`` puts them back at the
front of the queue as soon as its holder is known gone (db/holders.py),
``requeue_expired`` when the lease ends (a worker renews its leases with its
heartbeat). ``finish`` removes a job only for the holder that claims it, so
a job taken back and claimed again is not finished by the worker that lost
it. A job is thus crawled again only after a lost worker: what that worker
had in flight.

An entry of the list that is no job (not JSON naming a source, pushed by
something else) is handed to the claimer as ``Refused``, to be logged and
dropped; a job pushed by hand (``{"source": name}`` without a hash entry) is
taken in as if queued by the scheduler.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis
from redis.exceptions import RedisError
from scrapy_redis import connection

from crawler.errors import MalformedJobError, QueueError
from db.urls import shown_url

PREFIX = "newsmon:{crawl}"
QUEUE_KEY = f"{PREFIX}:queue"  # the jobs waiting: scrapy-redis's ``redis_key``
# A worker renews its leases with its heartbeat (every 10 s): only a worker gone or hung this long loses them.
LEASE = timedelta(seconds=60)
TIMEOUT_SECONDS = 5.0
# scrapy-redis's connection parameters (REDIS_PARAMS): its defaults wait 30 s for a Redis that is down.
CONNECTION = {"socket_timeout": TIMEOUT_SECONDS, "socket_connect_timeout": TIMEOUT_SECONDS}
PUSH_BATCH = 1000

_PUSH = """
local added = 0
for _, source in ipairs(ARGV) do
  if redis.call('HSETNX', KEYS[2], source, '{"holder":"","attempts":0}') == 1 then
    redis.call('RPUSH', KEYS[1], cjson.encode({source = source}))
    added = added + 1
  end
end
return added
"""

# Replies (entry, attempts) pairs: attempts 0 for an entry that is no job.
_CLAIM = """
local claimed = {}
local limit = tonumber(ARGV[2])
while #claimed < 2 * limit do
  local entry = redis.call('LPOP', KEYS[1])
  if not entry then break end
  local ok, data = pcall(cjson.decode, entry)
  local source
  if ok and type(data) == 'table' and type(data.source) == 'string' and data.source ~= '' then
    source = data.source
  elseif redis.call('HEXISTS', KEYS[2], entry) == 1 then
    source = entry
  end
  if not source then
    table.insert(claimed, entry)
    table.insert(claimed, 0)
  else
    local raw = redis.call('HGET', KEYS[2], source)
    local job = raw and cjson.decode(raw) or {holder = '', attempts = 0}
    -- A second entry for a job another worker holds is dropped: that worker crawls the source.
    if job.holder == '' then
      job.holder = ARGV[1]
      job.attempts = job.attempts + 1
      redis.call('HSET', KEYS[2], source, cjson.encode(job))
      redis.call('ZADD', KEYS[3], ARGV[3], source)
      table.insert(claimed, source)
      table.insert(claimed, job.attempts)
    end
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
    redis.call('LPUSH', KEYS[1], cjson.encode({source = source}))
  end
end
return back
"""


@dataclass(frozen=True)
class RedisJob:
    source: str
    attempts: int  # claims of this job so far, this one included

    def data(self) -> bytes:
        """The job as scrapy-redis hands data to ``make_request_from_data``: JSON bytes."""
        return json.dumps({"source": self.source, "attempts": self.attempts}).encode()

    @classmethod
    def from_data(cls, data: bytes | str) -> RedisJob:
        """The job in ``data`` (bytes or text, JSON); else ``MalformedJobError`` saying what is wrong."""
        try:
            fields = json.loads(data)
        except (UnicodeDecodeError, ValueError) as exc:
            raise MalformedJobError(f"not JSON ({exc})") from None
        source = fields.get("source") if isinstance(fields, dict) else None
        attempts = fields.get("attempts", 1) if isinstance(fields, dict) else None
        if not isinstance(source, str) or not source:
            raise MalformedJobError("no source named")
        if type(attempts) is not int or attempts < 1:
            raise MalformedJobError("attempts is not a whole number from 1")
        return cls(source, attempts)


@dataclass(frozen=True)
class Refused:
    """An entry of the queue that is no job, taken out of it."""

    entry: bytes


@dataclass(frozen=True)
class Requeued:
    source: str
    holder: str  # who had claimed it


class RedisJobQueue:
    """The queue at ``url``; every call raises ``QueueError`` (never quoting the URL's password)."""

    def __init__(self, url: str, *, client: redis.Redis | None = None, lease: timedelta = LEASE) -> None:
        """``client``: a connection already made to ``url`` (the spider's, by scrapy-redis)."""
        self.shown = shown_url(url)
        self.lease = lease
        self._keys = [QUEUE_KEY, f"{PREFIX}:jobs", f"{PREFIX}:leases"]
        self._client = client if client is not None else connection.get_redis(url=url, **CONNECTION)
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

    def claim(self, holder: str, limit: int, now: datetime) -> list[RedisJob | Refused]:
        """Up to ``limit`` jobs for ``holder``, oldest first, each leased until ``now`` plus the lease;
        and the entries met on the way that are no job."""
        if limit <= 0:
            return []
        reply = self._call(self._claim, keys=self._keys, args=[holder, limit, _seconds(now + self.lease)])
        return [_claimed(reply[i], int(reply[i + 1])) for i in range(0, len(reply), 2)]

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


def _claimed(entry: bytes, attempts: int) -> RedisJob | Refused:
    return RedisJob(_text(entry), attempts) if attempts else Refused(entry)


def _seconds(when: datetime) -> float:
    return when.timestamp()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
