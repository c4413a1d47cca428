"""Which values read from the environment are secrets, for logs and the database never to show.

A value is a secret when it lands where the config keeps secrets: a field
typed ``Secret`` (passwords, tokens, webhook and Apprise URLs, header values),
or the part of any URL that carries credentials — its user info, path, query
and fragment (``https://example.org/feed?token=${TOKEN}``, the password in
``database:``). A value the schema does not know is a secret too.

Anything else — a port, a host, a sender's address, a name — is settings,
not secrets: hiding it everywhere would garble every log line where the same
digits or word happen to appear (``port: ${SMTP_PORT}`` = 2525 in counts,
ids and timings). Config errors still hide every value read from the
environment (:func:`newsmon.config.environ.hide_values`): they are few, and
quote the values themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from newsmon.config.environ import EnvValue
from newsmon.config.schema import annotation_of, holds_secret

# scheme://[userinfo@]host[:port] — the part of a URL before its path.
_AUTHORITY = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*://(?P<netloc>[^/?#]*)")


def secret_values(read: Iterable[EnvValue], data: Any) -> list[str]:
    """The values among ``read`` that are secrets, in the parsed (substituted) config ``data``."""
    return [found.value for found in read if is_secret(found, data)]


def is_secret(found: EnvValue, data: Any) -> bool:
    annotation = annotation_of(found.path, data)
    if annotation is None or holds_secret(annotation):
        return True
    return not _in_url_address(found)


def _in_url_address(found: EnvValue) -> bool:
    """Whether the value is text that is no URL, or lies in a URL's scheme, host and port only."""
    authority = _AUTHORITY.match(found.text)
    if authority is None:
        return True
    start, end = authority.span("netloc")
    at = authority.group("netloc").rfind("@")
    in_userinfo = at >= 0 and found.start < start + at + 1 and found.end > start
    return not in_userinfo and found.end <= end
