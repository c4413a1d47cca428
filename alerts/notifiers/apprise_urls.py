"""Any service Apprise knows (Discord, Telegram, Teams, ntfy…) from a list of Apprise URLs.

Apprise's ``notify`` is synchronous, so it runs in a worker thread with an
overall timeout. It reports success or failure, never why: a failure could
be a timeout as well as a revoked token. So a failure is treated as
transient, but only ``max_attempts`` times in all; the attempt after that
fails the delivery for good — a revoked token must not be retried for days.

Each URL gets its own Apprise instance so that, within this process, a retry
goes only to the services that failed. (Across a restart the retry goes to
all of them: one channel per URL avoids that duplicate.)
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Any

from alerts.delivery_errors import PermanentDeliveryError, TransientDeliveryError
from alerts.message import AlertMessage
from alerts.notifiers.base import Notifier
from alerts.notifiers.options import AppriseOptions


class AppriseNotifier(Notifier):
    type = "apprise"

    def __init__(self, name: str, options: AppriseOptions) -> None:
        super().__init__(name)
        urls = [url.get_secret_value() for url in options.urls]
        for url in urls:
            self.keep_secret(url)
        self.timeout = options.timeout.total_seconds()
        self.max_attempts = options.max_attempts
        self._services = [self._service(i, url) for i, url in enumerate(urls, 1)]
        self._done: dict[int, set[int]] = {}  # delivery id -> services that already accepted it

    def _service(self, number: int, url: str) -> tuple[str, Any]:
        instance = _import_apprise().Apprise()
        if not instance.add(url):
            # AppriseOptions checked every URL: only a changed Apprise install gets here.
            raise self.config_error(f"URL #{number} ({_scheme(url)}://…) is not a valid Apprise URL")
        return f"#{number} ({_scheme(url)})", instance

    async def send(self, message: AlertMessage) -> None:
        done = self._done.setdefault(message.delivery_id, set())
        failed = []
        for index, (label, instance) in enumerate(self._services):
            if index in done:
                continue
            if await self._notify_alert(instance, message):
                done.add(index)
            else:
                failed.append(label)
        if not failed:
            self._done.pop(message.delivery_id, None)
            return
        attempt = message.attempts + 1
        reason = f"apprise reported a failure for service {', '.join(failed)} (attempt {attempt})"
        if attempt >= self.max_attempts:
            self._done.pop(message.delivery_id, None)
            raise PermanentDeliveryError(f"{reason}; giving up after {self.max_attempts} attempts")
        raise TransientDeliveryError(reason)

    async def send_text(self, title: str, text: str) -> None:
        failed = [
            label for label, instance in self._services if not await self._notify(instance, title, text)
        ]
        if failed:
            raise TransientDeliveryError(f"apprise reported a failure for service {', '.join(failed)}")

    async def _notify_alert(self, instance: Any, message: AlertMessage) -> bool:
        body = f"{message.url}\n{message.source} · {message.date_label}\n\n{message.snippet_text}"
        return await self._notify(instance, f"[{message.rule}] {message.title}", body)

    async def _notify(self, instance: Any, title: str, body: str) -> bool:
        try:
            result = await asyncio.wait_for(
                asyncio.to_thread(instance.notify, body=body, title=title), self.timeout
            )
        except TimeoutError:
            return False  # the thread finishes on its own; Apprise has its own socket timeouts
        return bool(result)


def apprise_rejects(url: str) -> bool:
    """Whether Apprise cannot make a service of ``url`` (AppriseOptions checks each URL with it)."""
    apprise = _import_apprise()
    logger = logging.getLogger("apprise")
    # Apprise logs a rejected URL nearly whole; it may hold a token, and the caller says what is wrong.
    silence = _Silence()
    logger.addFilter(silence)
    try:
        return not apprise.Apprise().add(url)
    finally:
        logger.removeFilter(silence)


class _Silence(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def _import_apprise() -> Any:
    with warnings.catch_warnings():
        # Apprise's plugins import the deprecated imghdr module when first loaded.
        warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
        # Imported here: loading its plugins takes ~0.2 s, paid only when a channel uses it.
        import apprise

        apprise.Apprise().add("json://localhost")  # loads every plugin now, inside the filter
    return apprise


def _scheme(url: str) -> str:
    return url.partition("://")[0] if "://" in url else "?"
