"""The article body of a page built in the browser, from the state its server inlines for the app.

Next.js pages carry their data in ``<script id="__NEXT_DATA__">``, Arc XP's
Fusion pages in ``Fusion.globalContent = {...}``, others in
``window.__INITIAL_STATE__ = {...}``; the visible page is a skeleton or a
teaser until the app runs. The body is found in that JSON, whatever its
schema, as either:

- a string of HTML paragraphs (``"<p>…</p><p>…</p>"``), or
- a list of typed blocks, two or more of them text: Arc's ``content_elements``
  (``{"type": "text", "content": …}``), Slate's and Portable Text's
  paragraphs (``{"type": "paragraph", "children": [{"text": …}]}``); images,
  embeds and raw HTML blocks are left out;

with the standfirst the story states beside it (``dek``, Arc's
``subheadlines``, ``bajada``…) as its first paragraph.

The longest wins. The JSON is read once and walked for at most ``MAX_NODES``
values: a state is often a megabyte of everything the app may show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from crawler.standfirst import MAX_LENGTH, MIN_LENGTH, with_standfirst
from crawler.text import html_to_text, squash

_STATE_IDS = frozenset({"__NEXT_DATA__", "__NUXT_DATA__", "__APP_STATE__"})
_ASSIGNMENT = re.compile(r"(?:Fusion\.globalContent|window\.__[A-Z_]{3,40}__)\s*=\s*(?=[{\[])")
_TEXT_BLOCKS = frozenset((
    "text", "paragraph", "p", "header", "heading", "h2", "h3", "h4", "subheading", "block", "blockquote",
    "quote",
))  # fmt: skip
_PARAGRAPH = re.compile(r"<p[\s>]", re.IGNORECASE)
# Where a story's standfirst sits beside its body, by the names the schemas give it.
_DEK_KEYS = ("dek", "subheadlines", "subheadline", "subtitle", "standfirst", "bajada", "entradilla", "lead")
_SAME_OPENING = 60  # characters
MIN_BLOCKS = 2
MAX_NODES = 50_000
MAX_STATES = 8  # JSON values decoded a page: each decode may read to the end of its script


def app_state_body(tree: etree._Element) -> str:
    """The longest article body in the page's inline app state, one paragraph a line; "" when none."""
    bodies = [body for state in _states(tree) for body in _bodies(state)]
    return max(bodies, key=len, default="")


def _states(tree: etree._Element) -> Iterator[object]:
    decoder = json.JSONDecoder(strict=False)
    decoded = 0
    for script in tree.iter("script"):
        text = script.text or ""
        starts = [0] if script.get("id") in _STATE_IDS else (m.end() for m in _ASSIGNMENT.finditer(text))
        for start in starts:
            if decoded == MAX_STATES:
                return
            decoded += 1
            try:
                yield decoder.raw_decode(text, start)[0]
            except (ValueError, RecursionError):  # not JSON after all, or nested past Python's limit
                continue


def _bodies(state: object) -> Iterator[str]:
    stack: list[tuple[object, dict[str, Any] | None]] = [(state, None)]
    seen = 0
    while stack and seen < MAX_NODES:
        value, owner = stack.pop()
        seen += 1
        if isinstance(value, str):
            if len(_PARAGRAPH.findall(value)) >= MIN_BLOCKS:
                yield _with_dek(html_to_text(value), owner)
        elif isinstance(value, dict):
            stack.extend((v, value) for v in value.values())
        elif isinstance(value, list):
            blocks = [text for text in (_block_text(item) for item in value) if text is not None]
            if len(blocks) >= MIN_BLOCKS:
                yield _with_dek("\n".join(b for b in blocks if b), owner)
            stack.extend((v, None) for v in value)


def _with_dek(body: str, owner: dict[str, Any] | None) -> str:
    """``body`` after the standfirst its story states beside it (``dek``, Arc's ``subheadlines``…)."""
    if owner is None:
        return body
    for key in _DEK_KEYS:
        dek = owner.get(key)
        dek = dek.get("basic") if isinstance(dek, dict) else dek  # Arc: {"basic": "…"}
        if not isinstance(dek, str):
            continue
        dek = squash(html_to_text(dek))
        # A summary cut from the first paragraph ("Moderna will cut about…") is no standfirst.
        if MIN_LENGTH <= len(dek) <= MAX_LENGTH and dek[:_SAME_OPENING].casefold() not in body.casefold():
            return with_standfirst(body, dek)
    return body


def _block_text(item: object) -> str | None:
    """A text block's text ("" when empty); None for anything else."""
    if not isinstance(item, dict):
        return None
    kind = item.get("type", item.get("_type"))
    if not isinstance(kind, str) or kind.lower() not in _TEXT_BLOCKS:
        return None
    content = item.get("content")
    if isinstance(content, str):
        return html_to_text(content).replace("\n", " ")
    return squash("".join(_leaves(item.get("children"), MAX_NODES)))


def _leaves(children: Any, budget: int) -> Iterator[str]:
    # Slate's inline marks: [{"text": "a "}, {"text": "b", "italic": true}, {"type": "link", "children": …}]
    stack = [children]
    while stack and budget > 0:
        budget -= 1
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            if isinstance(value.get("text"), str):
                yield value["text"]
            stack.append(value.get("children"))
