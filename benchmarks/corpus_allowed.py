"""Where newsmon deliberately reads a feedparser case differently from feedparser: path → why.

Every entry is a case whose ``Expect:`` concerns titles, links, dates or
encodings and does not hold for newsmon's reading; ``make corpus`` lists
entries that start to hold again, so that the list stays honest.
"""

from __future__ import annotations

_CASES = "feedparser/tests/"

WEB_PRECEDENCE = (
    "text/xml without charset: feedparser applies RFC 3023 (US-ASCII, the XML declaration ignored); "
    "newsmon follows the web (WHATWG, XML 1.0 appendix F): the XML declaration, else UTF-8"
)
CONTENT_LOCATION = (
    "Content-Location is not a base URI since RFC 7231 (appendix B); newsmon resolves relative links "
    "against the URL it fetched"
)
CHARDET_LABELS = (
    "feedparser's label comes from chardet (not installed; the case says SkipUnless chardet); newsmon "
    "detects with charset-normalizer and reports labels lowercased — the text decodes correctly"
)
MOSTLY_UTF8 = (
    "a UTF-8 document with one bad byte stays UTF-8 and the byte becomes U+FFFD, as in browsers; "
    "feedparser re-reads the whole document as windows-1252"
)
MEDIA_TYPE = (
    "a feed served as text/plain is still read (the bytes say what it is) without a warning; "
    "the encoding part of the expectation holds"
)

ALLOWED: dict[str, str] = {
    **{
        f"{_CASES}encoding/{name}.xml": WEB_PRECEDENCE
        for name in (
            "bozo_http_i18n",
            "http_text_atom_xml_default",
            "http_text_atom_xml_encoding",
            "http_text_rss_xml_default",
            "http_text_rss_xml_encoding",
            "http_text_xml_bogus_charset",
            "http_text_xml_bogus_param",
            "http_text_xml_default",
            "http_text_xml_epe_default",
            "http_text_xml_epe_encoding",
            "http_text_xml_qs",
        )
    },
    f"{_CASES}encoding/bozo_http_text_plain_charset.xml": MEDIA_TYPE,
    f"{_CASES}encoding/bozo_linenoise.xml": MOSTLY_UTF8,
    **{
        f"{_CASES}illformed/chardet/{name}.xml": CHARDET_LABELS
        for name in ("big5", "eucjp", "euckr", "gb2312", "koi8r", "shiftjis", "tis620")
    },
    **{
        f"{_CASES}wellformed/base/http_{name}_base_content_location.xml": CONTENT_LOCATION
        for name in (
            "channel_link",
            "entry_link",
            "entry_title_base64",
            "entry_title",
            "entry_title_inline",
            "feed_link",
            "feed_title_base64",
            "feed_title",
            "feed_title_inline",
            "item_link",
        )
    },
    f"{_CASES}wellformed/http/headers_content_location-relative.xml": CONTENT_LOCATION,
}
