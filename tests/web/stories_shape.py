"""A story over given articles, written straight into the ``stories`` table (migration 0006) the way
story clustering leaves one, so the web's tests can show a story without running the clusterer."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text

from db.engine import Database
from db.search import sqlite_time


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
