"""What a request says about where its URL came from, in ``Request.meta``.

- ``newsmon_trusted``: the URL is the operator's (a source URL from the
  configuration); any address is allowed.
- ``newsmon_source_origin``: ``(scheme, host, port)`` of the source the URL
  was discovered in (a feed entry link, a listing link); the URL must reach
  a public address, or that same host and port.
- ``newsmon_raw_url``: the link as written in content, checked for
  ambiguous forms that Scrapy's normalisation would hide.

A redirect copies the meta of the request it answers; the policy ignores
``newsmon_trusted`` on a redirect hop and judges the hop as discovered in
the first URL of the chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

from crawler.policy.urls import DEFAULT_PORTS, canonical_host

TRUSTED = "newsmon_trusted"
SOURCE_ORIGIN = "newsmon_source_origin"
RAW_URL = "newsmon_raw_url"

Origin = tuple[str, str, int]


def trusted_request_meta() -> dict[str, Any]:
    """Meta for a request to a URL the operator configured."""
    return {TRUSTED: True}


def discovered_request_meta(source_url: str, raw_url: str | None = None) -> dict[str, Any]:
    """Meta for a request to a URL found in the content of the source at ``source_url``.

    Pass ``raw_url``, the link as it was written, to have ambiguous spellings
    (``http://a\\@b/``) refused before Scrapy normalises them away.
    """
    meta: dict[str, Any] = {SOURCE_ORIGIN: origin_of(source_url)}
    if raw_url is not None:
        meta[RAW_URL] = raw_url
    return meta


def origin_of(url: str) -> Origin:
    """``(scheme, host, port)`` of ``url`` as the HTTP client will read it."""
    parts = urlsplit(safe_url_string(url.strip()))
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return (scheme, canonical_host(parts.hostname or ""), port or DEFAULT_PORTS.get(scheme, 0))


@dataclass(frozen=True)
class Provenance:
    """How the policy treats one request: trusted, or discovered with an optional own origin."""

    trusted: bool
    own: Origin | None


def provenance(meta: dict[str, Any], *, trust_start_requests: bool) -> Provenance:
    """Read a request's meta. Start requests count as trusted when ``trust_start_requests``.

    A request with no newsmon meta and no trust is judged as discovered with
    no own origin: any configured source's host and port still count.
    """
    redirects: list[str] = meta.get("redirect_urls") or []
    source = meta.get(SOURCE_ORIGIN)
    if source is not None:
        scheme, host, port = source
        return Provenance(trusted=False, own=(str(scheme), str(host), int(port)))
    operator = bool(meta.get(TRUSTED)) or (trust_start_requests and bool(meta.get("is_start_request")))
    if not operator:
        return Provenance(trusted=False, own=None)
    if redirects:
        return Provenance(trusted=False, own=origin_of(redirects[0]))
    return Provenance(trusted=True, own=None)
