"""How the wording tests read a sentence: as an article's headline, alone."""

from __future__ import annotations

from alerts.events.detect import EventDetector


def news(detector: EventDetector, text: str, language: str = "en") -> set[str]:
    """The event types ``text`` reports as news when it is a headline."""
    return set(detector.analyse(text, "", language).news_types)


def article_news(detector: EventDetector, title: str, text: str, language: str = "en") -> set[str]:
    """The event types a whole article (its headline and text) reports as news."""
    return set(detector.analyse(title, text, language).news_types)
