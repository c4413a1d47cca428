"""A page's element tree cut down to what extraction can afford, before trafilatura and htmldate see it.

They pass over every element with dozens of XPath expressions, about 0.1 ms
an element here: 100,000 empty ``<div>``s (1 MB) cost 12 s, 24 times an
ordinary page's CPU per byte; 50,000 links or a 300×300 table 9–10 times.
And trafilatura is quadratic in the inline elements of one block: 8,000
``<span>``s in a paragraph cost 3.4 s, 50,000 minutes. Real news pages have a
few thousand elements and a few dozen inline ones a paragraph; only a page
past these bounds is touched:

- an element with more than ``MAX_INLINE`` inline children (``<span>``,
  ``<a>``, ``<b>``…) becomes its text alone (lxml's ``strip_tags`` is
  quadratic there too: it joins each child's text to the growing run);
- a page with more than ``MAX_ELEMENTS`` elements loses those that hold
  nothing (no text, no children, no tail; media, times and ``meta`` stay),
  then, if still over, the elements past the bound in document order, where
  a page's comments and footers are.
"""

from __future__ import annotations

from lxml import etree
from trafilatura.xml import delete_element

MAX_ELEMENTS = 10_000
MAX_INLINE = 500
_INLINE = frozenset(
    {
        *("a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "font", "i", "ins", "kbd"),
        *("mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "u", "var"),
    }
)
# Empty, and still meaningful: media, line breaks, and the attributes dates and links are read from.
_KEPT_EMPTY = frozenset(
    {
        *("area", "audio", "base", "br", "col", "embed", "hr", "iframe", "img", "input", "link", "meta"),
        *("object", "param", "picture", "source", "time", "track", "video", "wbr"),
    }
)


def thinned(tree: etree._Element) -> etree._Element:
    """``tree``, changed in place to within the bounds."""
    for element in [e for e in tree.iter() if len(e) > MAX_INLINE]:
        if sum(1 for child in element if child.tag in _INLINE) > MAX_INLINE:
            _as_text(element)
    elements = list(tree.iter())
    if len(elements) <= MAX_ELEMENTS:
        return tree
    for element in elements:
        if _holds_nothing(element):
            delete_element(element, keep_tail=False)
    for element in reversed(list(tree.iter())[MAX_ELEMENTS:]):
        delete_element(element, keep_tail=False)
    return tree


def _as_text(element: etree._Element) -> None:
    etree.strip_elements(element, "script", "style", with_tail=False)
    text, tail, attributes = "".join(element.itertext()), element.tail, dict(element.attrib)
    element.clear()
    element.text, element.tail = text, tail
    element.attrib.update(attributes)


def _holds_nothing(element: etree._Element) -> bool:
    return (
        len(element) == 0
        and isinstance(element.tag, str)
        and element.tag not in _KEPT_EMPTY
        and not (element.text or "").strip()
        and not (element.tail or "").strip()
    )
