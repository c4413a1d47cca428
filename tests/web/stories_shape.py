"""The ``stories`` table and ``articles.story_id`` as story clustering's migration (0006, branch
``stories``) creates them, for the web's tests until that branch is merged (then: its migration)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text

from db.engine import Database
from db.search import sqlite_time

DDL = (
    """CREATE TABLE IF NOT EXISTS stories (
        id INTEGER PRIMARY KEY, title TEXT NOT NULL, first_seen DATETIME NOT NULL,
        last_seen DATETIME NOT NULL, articles INTEGER NOT NULL, outlets JSON NOT NULL,
        languages JSON NOT NULL, orgs JSON NOT NULL, events JSON NOT NULL, amount JSON,
        amounts_usd JSON NOT NULL, centroid BLOB NOT NULL)""",
    "ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories (id) ON DELETE SET NULL",
)


def add_story_tables(database: Database) -> None:
    with database.write() as session:
        for statement in DDL:
            session.execute(text(statement))


def add_story(database: Database, title: str, article_ids: list[int]) -> int:
    now = sqlite_time(datetime.now(UTC))
    amount = {"value": 10, "currency": "USD", "usd": 1e10, "text": "$10 billion"}
    with database.write() as session:
        story_id = session.execute(
            text(
                """INSERT INTO stories (title, first_seen, last_seen, articles, outlets, languages, orgs,
                   events, amount, amounts_usd, centroid)
                   VALUES (:title, :now, :now, :n, :outlets, :languages, :orgs, :events, :amount, '[]', x'00')
                   RETURNING id"""
            ),
            {
                "title": title,
                "now": now,
                "n": len(article_ids),
                "outlets": json.dumps(["wire", "blog"]),
                "languages": json.dumps(["en", "fr"]),
                "orgs": json.dumps(["Microsoft", "OpenAI"]),
                "events": json.dumps(["investment"]),
                "amount": json.dumps(amount),
            },
        ).scalar_one()
        for article_id in article_ids:
            session.execute(
                text("UPDATE articles SET story_id = :s WHERE id = :a"), {"s": story_id, "a": article_id}
            )
    return int(story_id)
