"""What "nothing stored runs in the browser" means, checked on a rendered page."""

from __future__ import annotations

import lxml.html

# Every element the templates write; stored text can only ever be text inside them.
TEMPLATE_TAGS = frozenset(
    {
        "html",
        "head",
        "meta",
        "title",
        "link",
        "script",
        "body",
        "header",
        "nav",
        "a",
        "form",
        "input",
        "button",
        "main",
        "section",
        "h1",
        "h2",
        "p",
        "ol",
        "ul",
        "li",
        "div",
        "span",
        "mark",
        "details",
        "summary",
        "label",
        "select",
        "option",
        "article",
        "br",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "strong",
        "small",
        "code",
        "svg",
        "rect",
        "circle",
        "line",
    }
)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href")


def assert_inert(page: str) -> None:
    """No element but the templates' own, no event handler, no script but ours, no script URL."""
    tree = lxml.html.document_fromstring(page)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        assert element.tag in TEMPLATE_TAGS, f"unexpected <{element.tag}> in the page"
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"event handler {name}={value!r} on <{element.tag}>"
            assert name.lower() != "style", f"inline style on <{element.tag}>"
            if name.lower() in URL_ATTRIBUTES:
                target = value.strip().lower()
                assert target.startswith(("/", "#", "http://", "https://")), f"{name}={value!r}"
        if element.tag == "script":
            assert element.get("src", "").startswith("/static/") and not (element.text or "").strip()
