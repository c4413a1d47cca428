"""The delivery loop: pending deliveries in the outbox → notifiers → sent, retried or failed.

Rules it keeps:
- A delivery is marked sent only after the channel's server accepted it.
- Channels are independent: each has its own task, so a slow or failing
  channel never delays another. Within a channel, sends are sequential;
  after a transient failure the rest of its batch is put back, unattempted,
  for the same retry time (hammering a server that just refused helps nobody).
- Transient failures back off exponentially from ``retry_min`` (doubling,
  capped at ``retry_max``) with jitter — each wait is drawn between half and
  all of that step, so the first retry comes within ``retry_min`` — and never
  sooner than the server's ``Retry-After``. A delivery still pending
  ``give_up_after`` after it was raised fails with its last reason.
- Held deliveries (a rule's digest, quiet hours, max_per_hour) are never
  sent alone: when their time comes, each pass first makes their digest
  (db/digests.py) and sends it as one message, before single alerts. A
  digest is claimed, retried and failed like a delivery, its members with it.
- A delivery for a channel that is no longer configured stays pending (with
  a note in last_error), so configuring the channel again delivers it.
- Sends sharing a notifier ``rate_key`` (one Slack webhook URL) start at
  least ``per_webhook_interval`` seconds apart.
- Claims carry a lease and name their holder (this process: db/holders.py).
  A deliverer starting, and every heartbeat after, takes back the claims of
  holders that are gone (killed, crashed, their host silent), so a crash
  mid-send is retried within seconds of a restart rather than when the lease
  ends; on a graceful stop, in-flight sends get ``stop_grace`` seconds, then
  whatever was claimed but not finished is put back, due at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from alerts.delivery_errors import PermanentDeliveryError, TransientDeliveryError
from alerts.digest import message_from_digest
from alerts.message import message_from_job
from alerts.notifiers.base import Notifier
from db import claims, digests, holders, outbox
from db.digests import DigestJob
from db.durations import format_duration
from db.engine import Database
from db.models import utcnow
from db.outbox import DeliveryJob

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
MAX_STOP_GRACE = 30.0


@dataclass(frozen=True)
class RetryPolicy:
    """The ``delivery:`` section of config.yaml."""

    retry_min: timedelta = timedelta(seconds=30)
    retry_max: timedelta = timedelta(minutes=15)
    give_up_after: timedelta = timedelta(days=2)

    def __post_init__(self) -> None:
        if self.retry_min <= timedelta(0):
            raise ValueError("delivery.retry_min must be positive")
        if self.retry_max < self.retry_min:
            raise ValueError("delivery.retry_max must be at least retry_min")
        if self.give_up_after <= timedelta(0):
            raise ValueError("delivery.give_up_after must be positive")

    def backoff(self, retry: int, rng: random.Random) -> timedelta:
        """The wait before retry number ``retry`` (1 for the first), jittered."""
        doublings: int = min(max(retry - 1, 0), 30)
        step = min(self.retry_max.total_seconds(), self.retry_min.total_seconds() * 2**doublings)
        return timedelta(seconds=step * rng.uniform(0.5, 1.0))


@dataclass(frozen=True)
class DeliveryReport:
    """What a pass did: ``deferred`` were claimed but put back unattempted."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    deferred: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            self.sent + other.sent,
            self.retrying + other.retrying,
            self.failed + other.failed,
            self.deferred + other.deferred,
        )


@dataclass
class _Outcome:
    report: DeliveryReport
    retry_at: datetime | None = None


@dataclass
class _Throttle:
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    next_slot: dict[str, float] = field(default_factory=dict)


class Deliverer:
    def __init__(
        self,
        database: Database,
        notifiers: Mapping[str, Notifier],
        policy: RetryPolicy | None = None,
        *,
        per_webhook_interval: float = 1.0,
        clock: Clock = utcnow,
        batch_size: int = 10,
        lease: timedelta = claims.DEFAULT_LEASE,
        stop_grace: float = 10.0,
        idle_poll: float = 30.0,
        rng: random.Random | None = None,
        timezone: tzinfo = UTC,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if lease <= timedelta(0):
            raise ValueError("lease must be positive")
        self.database = database
        self.notifiers = dict(notifiers)
        self.policy = policy or RetryPolicy()
        self.per_webhook_interval = per_webhook_interval
        self.clock = clock
        self.batch_size = batch_size
        self.lease = lease
        self.stop_grace = min(stop_grace, MAX_STOP_GRACE)
        self.idle_poll = idle_poll
        self.timezone = timezone  # the config's: what a digest's period is told in
        self._rng = rng or random.Random()
        self._throttle = _Throttle()
        self._warned_unconfigured: set[str] = set()
        self._holder: str | None = None
        self.heartbeat_every = holders.HEARTBEAT_EVERY.total_seconds()

    # ------------------------------------------------------------ one pass

    async def deliver_due(self) -> DeliveryReport:
        """Send everything due now, all channels in parallel; return what happened."""
        async with self._holding():
            return await self._deliver_due()

    async def _deliver_due(self) -> DeliveryReport:
        self._flag_unconfigured()
        # Every channel finishes its pass even if another one's database work fails.
        results = await asyncio.gather(
            *(self._drain(name) for name in self.notifiers), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return sum((r for r in results if isinstance(r, DeliveryReport)), DeliveryReport())

    # -------------------------------------------------------------- daemon

    async def run(self, stop: asyncio.Event, wake: asyncio.Event | None = None) -> None:
        """Deliver until ``stop`` is set; ``wake`` (set after a crawl raised alerts) means look now."""
        kicks = {name: asyncio.Event() for name in self.notifiers}

        def look_now() -> None:
            for kick in kicks.values():
                kick.set()

        async with self._holding(on_released=look_now):
            await self._run(stop, wake, kicks)

    async def _run(
        self, stop: asyncio.Event, wake: asyncio.Event | None, kicks: dict[str, asyncio.Event]
    ) -> None:
        self._flag_unconfigured()
        workers = [
            asyncio.create_task(self._worker(name, stop, kick), name=f"newsmon-deliver-{name}")
            for name, kick in kicks.items()
        ]
        try:
            while not stop.is_set():
                await _wait_any([stop, wake])
                if wake is not None and wake.is_set():
                    wake.clear()
                    self._flag_unconfigured()
                    for kick in kicks.values():
                        kick.set()
        except asyncio.CancelledError:
            await _cancel(workers)
            raise
        if workers:
            _, unfinished = await asyncio.wait(workers, timeout=self.stop_grace)
            if unfinished:
                log.warning(
                    "stopping: %d channel(s) still sending after %g s; left pending",
                    len(unfinished),
                    self.stop_grace,
                )
            await _cancel(list(unfinished))

    async def aclose(self) -> None:
        for notifier in self.notifiers.values():
            await notifier.aclose()

    # ------------------------------------------------------------- claims

    @asynccontextmanager
    async def _holding(self, on_released: Callable[[], None] | None = None) -> AsyncIterator[None]:
        """Claim as a registered holder: first take back the claims of gone holders, then heartbeat."""
        if self._holder is not None:
            yield  # already holding (a pass inside the running loop)
            return
        me = holders.ProcessIdentity.current()
        self._take_back(me)
        holder: str | None = None
        try:
            holder = holders.register(self.database, me, self.clock())
        except Exception:
            # Delivering matters more: unnamed claims are still bounded by their lease.
            log.exception("could not record this process as the holder of its delivery claims")
        if holder is None:
            yield
            return
        self._holder = holder
        beating = asyncio.create_task(
            self._heartbeat(holder, me, on_released), name="newsmon-deliver-heartbeat"
        )
        try:
            yield
        finally:
            self._holder = None
            await _cancel([beating])
            try:
                holders.unregister(self.database, holder, self.clock())
            except Exception:
                log.exception("could not hand back the delivery claims; they are due when their lease ends")

    async def _heartbeat(
        self, holder: str, me: holders.ProcessIdentity, on_released: Callable[[], None] | None
    ) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_every)
            try:
                holders.beat(self.database, holder, self.clock())
            except Exception:
                log.exception("could not renew the delivery claims' heartbeat")
            if self._take_back(me) and on_released is not None:
                on_released()

    def _take_back(self, me: holders.ProcessIdentity) -> bool:
        """Make the claims of gone holders due now; whether there were any."""
        try:
            gone = holders.reap(self.database, me, self.clock())
        except Exception:
            log.exception("could not look for the delivery claims of stopped processes")
            return False
        for holder in gone:
            if holder.released:
                log.warning(
                    "%s is gone: its %d delivery claim(s) are due again",
                    holder.identity.describe(),
                    holder.released,
                )
        return any(holder.released for holder in gone)

    async def _worker(self, channel: str, stop: asyncio.Event, kick: asyncio.Event) -> None:
        while not stop.is_set():
            kick.clear()
            due: datetime | None = None
            try:
                await self._drain(channel, stop)
                due = outbox.next_due_time(self.database, [channel])
            except Exception:
                log.exception(
                    "channel %s: delivery pass failed; trying again in %g s", channel, self.idle_poll
                )
            wait = self.idle_poll
            if due is not None:
                # A floor keeps a delivery claimed elsewhere (due but not claimable) from spinning the loop.
                wait = min(wait, max(0.1, (due - self.clock()).total_seconds()))
            await _wait_any([stop, kick], seconds=wait)

    # ------------------------------------------------------------ internals

    async def _drain(self, channel: str, stop: asyncio.Event | None = None) -> DeliveryReport:
        """Send what is due on ``channel``: first the digests whose time has come, then single alerts."""
        digests.make_due_digests(self.database, self.clock(), [channel])
        report = DeliveryReport()
        for queue in (_DIGESTS, _ALERTS):
            batch = await self._drain_queue(queue, channel, stop)
            report += batch
            if batch.retrying or batch.deferred:
                break  # the channel is failing (or we are stopping): wait for its next due time
        return report

    async def _drain_queue(self, queue: _Queue, channel: str, stop: asyncio.Event | None) -> DeliveryReport:
        report = DeliveryReport()
        while stop is None or not stop.is_set():
            jobs = queue.claim(
                self.database,
                self.clock(),
                self.batch_size,
                channels=[channel],
                lease=self.lease,
                holder=self._holder,
            )
            if not jobs:
                break
            batch = await self._send_batch(self.notifiers[channel], queue, jobs, stop)
            report += batch
            if batch.retrying or batch.deferred:
                break
        return report

    async def _send_batch(
        self, notifier: Notifier, queue: _Queue, jobs: Sequence[Job], stop: asyncio.Event | None
    ) -> DeliveryReport:
        report = DeliveryReport()
        unfinished = list(jobs)
        put_back_at: datetime | None = None
        try:
            while unfinished and (stop is None or not stop.is_set()):
                outcome = await self._attempt(notifier, queue, unfinished[0])
                unfinished.pop(0)
                report += outcome.report
                if outcome.retry_at is not None:
                    put_back_at = outcome.retry_at
                    break
        finally:
            # Runs on cancellation too: what was claimed but not finished is due again, not lost.
            if unfinished:
                queue.release(
                    self.database, [queue.id_of(job) for job in unfinished], put_back_at or self.clock()
                )
                report += DeliveryReport(deferred=len(unfinished))
        return report

    async def _attempt(self, notifier: Notifier, queue: _Queue, job: Job) -> _Outcome:
        what = f"{_label(job)} to {job.channel}"
        try:
            await self._wait_turn(notifier.rate_key)
            if isinstance(job, DigestJob):
                await notifier.send_digest(message_from_digest(job, self.timezone))
            else:
                await notifier.send(message_from_job(job))
        except TransientDeliveryError as exc:
            return self._retry_later(queue, job, exc.reason, exc.retry_after)
        except PermanentDeliveryError as exc:
            log.warning("%s failed for good: %s", what, exc.reason)
            queue.mark_failed(self.database, queue.id_of(job), exc.reason)
            return _Outcome(DeliveryReport(failed=1))
        except Exception as exc:
            # A bug, not the channel's fault: keep the delivery and say where to look.
            log.exception("%s: unexpected error", what)
            return self._retry_later(queue, job, f"internal error ({type(exc).__name__}), see the log", None)
        queue.mark_sent(self.database, queue.id_of(job), self.clock())
        log.info("%s sent to %s", _label(job), job.channel)
        return _Outcome(DeliveryReport(sent=1))

    def _retry_later(self, queue: _Queue, job: Job, reason: str, retry_after: float | None) -> _Outcome:
        now = self.clock()
        what = f"{_label(job)} to {job.channel}"
        if now - job.created >= self.policy.give_up_after:
            reason = f"gave up after {format_duration(self.policy.give_up_after, parts=2)}: {reason}"
            log.warning("%s: %s", what, reason)
            queue.mark_failed(self.database, queue.id_of(job), reason)
            return _Outcome(DeliveryReport(failed=1))
        wait = self.policy.backoff(job.attempts + 1, self._rng)
        if retry_after is not None:
            wait = max(wait, timedelta(seconds=retry_after))
        log.warning("%s: %s; retrying in %s", what, reason, format_duration(wait, parts=2))
        queue.mark_retry(self.database, queue.id_of(job), reason, now + wait)
        return _Outcome(DeliveryReport(retrying=1), retry_at=now + wait)

    async def _wait_turn(self, key: str | None) -> None:
        if key is None or self.per_webhook_interval <= 0:
            return
        loop = asyncio.get_running_loop()
        lock = self._throttle.locks.setdefault(key, asyncio.Lock())
        async with lock:
            wait = self._throttle.next_slot.get(key, 0.0) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._throttle.next_slot[key] = loop.time() + self.per_webhook_interval

    def _flag_unconfigured(self) -> None:
        try:
            missing = outbox.flag_unconfigured(self.database, self.notifiers)
        except Exception:
            log.exception("could not note the deliveries waiting for unconfigured channels")
            return
        for channel in missing:
            if channel not in self._warned_unconfigured:
                self._warned_unconfigured.add(channel)
                log.warning("deliveries to channel %r wait: the channel is not configured", channel)


Job = DeliveryJob | DigestJob


def _label(job: Job) -> str:
    return job.label if isinstance(job, DigestJob) else f"alert {job.alert_id} ({job.rule})"


@dataclass(frozen=True)
class _Queue:
    """Claimed work of one kind, single alerts or digests: how it is claimed, finished and put back."""

    claim: Callable[..., Sequence[Job]]
    id_of: Callable[[Any], int]
    mark_sent: Callable[[Database, int, datetime], bool]
    mark_failed: Callable[[Database, int, str], bool]
    mark_retry: Callable[[Database, int, str, datetime], bool]
    release: Callable[[Database, Sequence[int], datetime], None]


_ALERTS = _Queue(
    outbox.due_deliveries,
    lambda job: job.delivery_id,
    outbox.mark_sent,
    outbox.mark_failed,
    outbox.mark_retry,
    outbox.release,
)
_DIGESTS = _Queue(
    digests.due_digests,
    lambda job: job.digest_id,
    digests.mark_sent,
    digests.mark_failed,
    digests.mark_retry,
    digests.release,
)


async def _wait_any(events: Sequence[asyncio.Event | None], seconds: float | None = None) -> None:
    waiters = [asyncio.ensure_future(event.wait()) for event in events if event is not None]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        await _cancel(waiters)


async def _cancel(tasks: Sequence[asyncio.Future[Any]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
