"""Crawling that survives the real web: the address policy and the download limits.

Address policy. Only http and https are fetched. A source URL from the
configuration is the operator's choice and may point anywhere; every URL
found in content (feed entry links, listing links, redirects) is fetched
only if it reaches a public address or its source's own host and port.
Loopback, private, link-local, CGNAT, multicast, reserved and unspecified
addresses, IPv6 forms embedding them, non-canonical numeric hosts and
userinfo are refused — on the URL (``AddressPolicyMiddleware``) and again
on the addresses actually connected to (``PolicyResolver``), on every
redirect hop. Spiders mark their requests with ``trusted_request_meta()``
or ``discovered_request_meta(source_url)``.

Limits. Bodies are capped at ``DOWNLOAD_MAXSIZE`` raw and decompressed,
requests at ``DOWNLOAD_TIMEOUT``, redirects at ``REDIRECT_MAX_TIMES``; a
``Retry-After`` on 429/503 pauses the host (``RetryAfterMiddleware``).

Errbacks turn any failure into one sentence with ``describe_failure``; the
crawler's stats count refusals and cuts under ``newsmon/``.

Settings to enable all of it are in ``SETTINGS`` (crawler/settings.py
carries the same entries).
"""

from __future__ import annotations

from typing import Any

from crawler.policy.describe import describe_failure
from crawler.policy.errors import (
    BodyTooLargeError,
    HostBackedOffError,
    HostDownError,
    PolicyConfigError,
    PolicyError,
    RequestRefusedError,
)
from crawler.policy.meta import discovered_request_meta, trusted_request_meta

_P = "crawler.policy"

SETTINGS: dict[str, Any] = {
    # Only http(s): Scrapy's other download handlers would read files or talk to S3/FTP.
    "DOWNLOAD_HANDLERS": {"file": None, "data": None, "ftp": None, "s3": None},
    "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 4 * 1024 * 1024,
    "DOWNLOAD_TIMEOUT": 30,
    "REDIRECT_MAX_TIMES": 5,
    "TWISTED_DNS_RESOLVER": f"{_P}.resolver.PolicyResolver",
    "DOWNLOADER_MIDDLEWARES": {
        f"{_P}.middlewares.AddressPolicyMiddleware": 40,
        f"{_P}.retry_after.RetryAfterMiddleware": 560,
        "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
        f"{_P}.limits.BoundedHttpCompressionMiddleware": 590,
        f"{_P}.guard.DownloadGuardMiddleware": 950,
    },
    "NEWSMON_RETRY_AFTER_MAX": 3600,
}

__all__ = [
    "SETTINGS",
    "BodyTooLargeError",
    "HostBackedOffError",
    "HostDownError",
    "PolicyConfigError",
    "PolicyError",
    "RequestRefusedError",
    "describe_failure",
    "discovered_request_meta",
    "trusted_request_meta",
]
