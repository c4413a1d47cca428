"""URL canonicalisation: one spelling per article URL.

``canonicalize`` decides, for every URL the crawler stores or keys on:

- scheme and host are lowercased, the host is IDNA-encoded, a default port
  (80 for http, 443 for https) and the fragment are dropped, an empty path
  becomes ``/``;
- tracking parameters are dropped (``utm_*``, ``fbclid``, ``gclid``,
  ``xtor``, ``at_medium`` and the others in ``TRACKING_PARAMS``); the others
  are kept, blank values too, and sorted by name (stable for equal names);
- percent-encoding is normalised: escapes of unreserved characters are
  decoded (``%7E`` → ``~``), other escapes are uppercased, non-ASCII
  characters and spaces are UTF-8 escaped;
- a trailing slash is removed from the path, except the root: ``/a/`` and
  ``/a`` are one article (servers that tell them apart redirect one to the
  other), and ``/a`` is the shorter spelling.
- the scheme is kept as given, so that a stored link still opens on a site
  that serves only http. An article seen under http and https is still one
  article because its identity key (``identity``) leaves the scheme out.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import tldextract

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc",
        "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking", "mkt_tok", "oly_anon_id",
        "oly_enc_id", "vero_id", "vero_conv", "wickedid", "ref_src", "ref_url", "spm", "scm",
        "xtor", "xts", "at_medium", "at_campaign", "at_platform", "at_send_date", "at_creation",
        "at_recipient_id", "at_ptr_name", "at_link", "at_format", "cmpid", "ncid", "sr_share",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_")

DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 3986 unreserved characters: their escapes mean the same as the character itself.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# Kept literally in a path (RFC 3986 pchar and "/"), everything else is escaped.
_PATH_SAFE = "/:@!$&'()*+,;=%"
_QUERY_SAFE = "/:@!$'()*,;?%"


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize(url: str) -> str:
    """The canonical spelling of an absolute http(s) URL; other URLs come back stripped only."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url
    host = _host(parts.hostname)
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address: urlsplit's hostname drops its brackets
    try:
        port = parts.port
    except ValueError:
        return url  # a port out of range or not a number: dropping it would name another address
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password:
            userinfo += f":{parts.password}"
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, _path(parts.path), _query(parts.query), ""))


def identity(url: str) -> str:
    """The scheme-less canonical form an article is keyed on: ``//host/path?query``."""
    canonical = canonicalize(url)
    _, sep, rest = canonical.partition("://")
    return f"//{rest}" if sep else canonical


def resolve(base: str, href: str) -> str | None:
    """``href`` made absolute against ``base``; None unless it is an http(s) URL."""
    href = href.strip()
    if not href:
        return None
    absolute = urljoin(base, href)
    parts = urlsplit(absolute)
    return absolute if parts.scheme.lower() in DEFAULT_PORTS and parts.hostname else None


def site_of(url: str) -> str:
    """The registrable domain (``lemonde.fr`` for ``www.lemonde.fr``); IPs and local names as they are."""
    host = urlsplit(url).hostname or ""
    extracted = _extractor()(host)
    return f"{extracted.domain}.{extracted.suffix}" if extracted.suffix else extracted.domain


@cache
def _extractor() -> tldextract.TLDExtract:
    # The bundled public suffix list: the crawler never fetches it from the network.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _host(hostname: str) -> str:
    host = hostname.rstrip(".").lower()
    if host.startswith("[") or host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return quote(host, safe="")


def _normalise_escapes(text: str) -> str:
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(fix, text)


def _path(path: str) -> str:
    path = quote(_normalise_escapes(path), safe=_PATH_SAFE)
    path = re.sub(r"%(?![0-9A-F]{2})", "%25", path)
    if not path:
        return "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


def _query(query: str) -> str:
    if not query:
        return ""
    pairs = [(name, value) for name, value in _split_query(query) if not is_tracking_param(unquote(name))]
    pairs.sort(key=lambda pair: pair[0])
    return "&".join(f"{name}={value}" if value is not None else name for name, value in pairs)


def _split_query(query: str) -> list[tuple[str, str | None]]:
    """Query pairs with their escapes normalised but not decoded: ``a%26b=c`` stays one pair."""
    pairs: list[tuple[str, str | None]] = []
    for field in query.split("&"):
        if not field:
            continue
        name, sep, value = field.partition("=")
        pairs.append((_query_part(name), _query_part(value) if sep else None))
    return pairs


def _query_part(text: str) -> str:
    text = quote(_normalise_escapes(text.replace("+", "%20")), safe=_QUERY_SAFE)
    return re.sub(r"%(?![0-9A-F]{2})", "%25", text)
