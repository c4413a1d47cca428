"""A project with a config file and a database holding articles, for CLI tests that need no crawl."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from db.store import NewArticle, store_article, url_key
from newsmon.cli import cli
from newsmon.wiring import App

CONFIG = """\
database: sqlite:///{db}
sources:
  - name: wire
    type: feed
    url: http://127.0.0.1:9/feed.xml
  - name: blog
    type: feed
    url: http://127.0.0.1:9/blog.xml
rules:
  - name: ai-money
    query: OpenAI AND invest*
    channels: [out]
channels:
  - name: out
    type: console
{extra}"""


@dataclass
class Project:
    root: Path
    config: Path

    @classmethod
    def create(cls, root: Path, extra: str = "") -> Project:
        config = root / "config.yaml"
        config.write_text(CONFIG.format(db=root / "newsmon.db", extra=extra), encoding="utf-8")
        return cls(root, config)

    def app(self) -> App:
        return App.open(self.config)

    def store(self, title: str, *, source: str = "wire", text: str = "", **fields: Any) -> int:
        app = self.app()
        url = f"https://example.org/{abs(hash(title))}"
        article = NewArticle(source=source, url=url, title=title, keys=(url_key(url),), text=text, **fields)
        assessment = app.assess()(article)
        article = replace(article, facts=assessment.facts)
        article_id = store_article(app.database, article, matches=assessment.matches)
        app.database.dispose()
        assert article_id is not None
        return article_id

    def run(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return self.run_exact(*args, "--config", str(self.config), env=env)

    def run_exact(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), env=env)


def published(text: str) -> datetime:
    return datetime.fromisoformat(text)
