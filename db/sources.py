"""The sources table kept in step with the config's ``sources:``, on every start."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from db.engine import Database
from db.queries import read
from db.redact import SECRETS


@dataclass(frozen=True)
class SourceSpec:
    name: str
    type: str
    url: str


def sync_sources(database: Database, specs: Iterable[SourceSpec]) -> None:
    """Make the sources table know every configured source; type and URL follow the config.

    The URL is stored with the config's secrets hidden (:mod:`db.redact`).

    Every command calls this on start: when nothing changed it only reads, without the ORM,
    so a `newsmon search` neither queues behind the daemon's writes nor imports the models.
    """
    # Stored for people to read (`newsmon sources`, the web pages): a secret in it is hidden.
    # The crawler fetches the URL of the config, never this one.
    wanted = {spec.name: (spec.type, SECRETS.hide(spec.url)) for spec in specs}
    current = {row.name: (row.type, row.url) for row in read(database, "name, type, url FROM sources")}
    if all(current.get(name) == value for name, value in wanted.items()):
        return
    from sqlalchemy import select

    from db.models import Source

    with database.write() as session:
        existing = {s.name: s for s in session.scalars(select(Source))}
        for name, (type_, url) in wanted.items():
            row = existing.get(name)
            if row is None:
                session.add(Source(name=name, type=type_, url=url))
            elif (row.type, row.url) != (type_, url):
                row.type, row.url = type_, url
                row.etag = row.last_modified = row.body_hash = None
