"""One JSON POST with the status mapping Slack and plain webhooks share.

2xx: accepted. 429, 408 and 5xx: transient, ``Retry-After`` honoured.
Other statuses (4xx, and redirects, which are not followed: a webhook that
moved must be reconfigured): permanent. Connection errors and timeouts:
transient. Error texts from httpx carry the URL, so they go through
``redact`` and the httpx exception is never chained.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from alerts.delivery_errors import PermanentDeliveryError, TransientDeliveryError
from db.retry_after import parse_retry_after

BODY_IN_ERROR = 200
USER_AGENT = "newsmon (+https://github.com/newsmon)"
IDEMPOTENCY_HEADER = "Idempotency-Key"  # the same on every attempt of one delivery


async def post_json(
    url: str,
    payload: Mapping[str, Any],
    *,
    time_limit: float,
    redact: Callable[[str], str],
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """POST ``payload``; return the response if accepted, else raise a DeliveryError."""
    response = await post(url, payload, time_limit=time_limit, redact=redact, headers=headers)
    check_status(response, redact)
    return response


async def post(
    url: str,
    payload: Mapping[str, Any],
    *,
    time_limit: float,
    redact: Callable[[str], str],
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """POST ``payload`` and return the response, whatever its status; transport failures raise."""
    try:
        # httpx's timeout bounds each phase; the outer one bounds the whole exchange.
        async with asyncio.timeout(time_limit):
            async with httpx.AsyncClient(timeout=time_limit, follow_redirects=False, verify=_tls()) as client:
                return await client.post(
                    url, json=payload, headers={"User-Agent": USER_AGENT, **(headers or {})}
                )
    except (TimeoutError, httpx.TimeoutException):
        raise TransientDeliveryError(f"no answer within {time_limit:g} s") from None
    except httpx.TransportError as exc:
        raise TransientDeliveryError(f"connection failed: {_describe(exc, redact)}") from None
    except httpx.HTTPError as exc:
        raise PermanentDeliveryError(f"request failed: {_describe(exc, redact)}") from None


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every post: building one loads the CA bundle, 10-200 ms a post."""
    return httpx.create_ssl_context()


def check_status(response: httpx.Response, redact: Callable[[str], str]) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    body = redact(" ".join(response.text.split()))[:BODY_IN_ERROR]
    reason = f"HTTP {status}" + (f": {body}" if body else "")
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status in (408, 429) or status >= 500:
        raise TransientDeliveryError(reason, retry_after)
    if 300 <= status < 400:
        reason += " (redirects are not followed: configure the final URL)"
    raise PermanentDeliveryError(reason)


def _describe(exc: Exception, redact: Callable[[str], str]) -> str:
    return redact(str(exc)) or type(exc).__name__
