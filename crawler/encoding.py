"""Feed bytes → text: which character encoding, decided the way browsers decide, then verified.

Precedence, as on the web (WHATWG Encoding, XML 1.0 appendix F):

1. a byte order mark (UTF-8, UTF-16, UTF-32) — or, without one, the
   unmistakable zero-byte pattern of UTF-16/32 around the first ``<``;
2. the ``charset`` of the HTTP Content-Type;
3. the ``encoding`` of the XML declaration;
4. detection: UTF-8 when the bytes are (mostly) valid UTF-8, else
   charset-normalizer, preferring windows-1252 among equally clean Latin
   guesses — with a warning, since such a document declares nothing.

Labels mean what browsers make them mean: ISO-8859-1 and US-ASCII are read as
windows-1252 (``€`` and curly quotes in the 0x80–0x9F range), GB2312 as
GB18030, EUC-KR as windows-949, and so on.

A declaration is only believed when it reads cleanly. It loses, with a warning
naming it, when it fails to decode; when it names a single-byte charset while
the bytes are UTF-8 (UTF-8 read as Latin-1 is the commonest mojibake there
is); or when it reads as gibberish that another candidate reads cleanly. A
document of valid UTF-8 with a few bad bytes stays UTF-8, the bad bytes
replaced by U+FFFD as browsers do: damage, not another encoding.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

# A decoding this messy is gibberish (charset-normalizer's own cut-off).
MESSY = 0.2
# What a detected encoding is called; Python's codec names otherwise.
_DETECTED_LABELS = {f"cp{n}": f"windows-{n}" for n in range(1250, 1259)} | {"latin_1": "iso-8859-1"}
_LATIN = frozenset({"cp1252", "latin_1", "iso8859_15"})

_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32be"),
    (codecs.BOM_UTF32_LE, "utf-32le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_CHARSET_PARAM = re.compile(r";\s*charset\s*=\s*[\"']?\s*([^\"';\s]+)", re.IGNORECASE)

# Labels browsers decode with a superset codec: label → (Python codec, what to call the result).
# None keeps the declared label; ISO-8859-1 and US-ASCII become windows-1252 only when bytes need it.
_ASCII_LABELS = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us"})
_LATIN1_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819", "csisolatin1"}
)
_WEB_ALIASES: dict[str, tuple[str, str | None]] = {
    **dict.fromkeys(_ASCII_LABELS | _LATIN1_LABELS, ("cp1252", None)),
    **dict.fromkeys(("windows-1252", "cp1252", "x-cp1252"), ("cp1252", "windows-1252")),
    **dict.fromkeys(("iso-8859-9", "iso8859-9", "latin5", "l5"), ("cp1254", None)),
    **dict.fromkeys(("tis-620", "iso-8859-11", "iso8859-11"), ("cp874", None)),
    **dict.fromkeys(("gb2312", "gb_2312", "gb_2312-80", "gbk", "x-gbk", "csgb2312"), ("gb18030", "gb18030")),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "ksc5601", "windows-949", "cseuckr"), ("cp949", None)),
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j"), ("cp932", None)),
    **dict.fromkeys(("big5", "big5-hkscs", "cn-big5", "x-x-big5"), ("big5hkscs", None)),
    **dict.fromkeys(("utf8", "unicode-1-1-utf-8", "unicode11utf8"), ("utf-8", "utf-8")),
}
_NOT_ASCII = re.compile(rb"[\x80-\xff]")
_C1_BYTES = re.compile(rb"[\x80-\x9f]")  # where windows-1252 and ISO-8859-1 differ
_C1_CHARS = re.compile("[\x80-\x9f]")
# Browsers turn bytes that windows-1252 leaves undefined into C1 controls instead of failing.
_C1 = "newsmon-c1-as-latin-1"


def _c1_as_latin_1(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_C1, _c1_as_latin_1)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the label of what was used: "utf-8", "windows-1252", "koi8-r", "utf-16le", ...
    warning: str | None = None  # why the declared encoding was not the one used, or what was replaced


@dataclass(frozen=True)
class _Candidate:
    label: str  # as declared, lowercased
    codec: str | None  # Python codec name; None for a label that cannot be right (unknown, UTF-16 in ASCII)


def charset_of(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type, lowercased; None when absent."""
    match = _CHARSET_PARAM.search(content_type or "")
    return match.group(1).lower() if match else None


def decode_feed(body: bytes, content_type: str | None = None) -> Decoded:
    """The text of a feed document, decoded by BOM > HTTP charset > XML declaration > detection."""
    for bom, label in _BOMS:
        if body.startswith(bom):
            return _decode_wide(body[len(bom) :], label, "a byte order mark")
    if wide := _sniff_wide(body):
        return _decode_wide(body, wide, "its zero bytes")
    if body.isascii():
        # Every ASCII-compatible reading agrees; keep the declared name for the record.
        declared = _declarations(body, content_type)
        usable = [c for c in declared if c.codec]
        label = _label_used(body, usable[0]) if usable else "utf-8"
        return _chosen(body.decode("ascii"), label, [c for c in declared if not c.codec], declared)
    return _decode_legacy(body, content_type)


def _decode_wide(body: bytes, label: str, evidence: str) -> Decoded:
    try:
        return Decoded(body.decode(label), label)
    except UnicodeDecodeError as exc:
        warning = f"invalid {label} bytes (detected by {evidence}) replaced: {exc.reason} at {exc.start}"
        return Decoded(body.decode(label, "replace"), label, warning)


def _sniff_wide(body: bytes) -> str | None:
    """UTF-16/32 without a BOM: the document starts with ``<`` or white space, so zeros pair up."""
    head = body[:4]
    if len(head) < 4:
        return None
    if head[:3] == b"\0\0\0" and head[3]:
        return "utf-32be"
    if head[0] and head[1:] == b"\0\0\0":
        return "utf-32le"
    if not head[0] and head[1] and not head[2] and head[3]:
        return "utf-16be"
    if head[0] and not head[1] and head[2] and not head[3]:
        return "utf-16le"
    return None


def _declarations(body: bytes, content_type: str | None) -> list[_Candidate]:
    """The declared encodings, HTTP Content-Type first, then the XML declaration."""
    match = _XML_DECLARATION.match(body[:1024])
    found: list[_Candidate] = []
    for label in (charset_of(content_type), match.group(1).decode("ascii").lower() if match else None):
        if label and all(c.label != label for c in found):
            found.append(_Candidate(label, _codec(label)))
    return found


def _codec(label: str) -> str | None:
    if label in _WEB_ALIASES:
        return _WEB_ALIASES[label][0]
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # An ASCII-compatible document that declares UTF-16/32 is wrong about itself (browsers read UTF-8).
    return None if name.startswith(("utf-16", "utf-32")) else name


def _decode_legacy(body: bytes, content_type: str | None) -> Decoded:
    """Non-ASCII bytes without BOM: the first declaration that reads cleanly, else detection."""
    utf8, invalid = _utf8(body)
    # A few bad bytes in a document of valid multibyte sequences are damage, not another encoding.
    mostly_utf8 = sum(1 for c in utf8 if c > "\x7f" and c != "\ufffd") > invalid
    declared = _declarations(body, content_type)
    rejected: list[_Candidate] = []
    messy: list[tuple[float, str, str]] = []  # (mess, text, label) of declarations that read as gibberish
    for candidate in declared:
        if candidate.codec == "utf-8" and mostly_utf8:
            return _chosen(utf8, _label_used(body, candidate), rejected, declared, _replaced(invalid))
        if candidate.codec is None or candidate.codec == "utf-8" or mostly_utf8:
            rejected.append(candidate)  # unknown, invalid UTF-8, or UTF-8 read as single bytes (mojibake)
            continue
        text = _try(body, candidate.codec)
        if text is None:
            rejected.append(candidate)
            continue
        mess = _mess(text)
        if mess < MESSY:
            return _chosen(text, _label_used(body, candidate), rejected, declared)
        messy.append((mess, text, _label_used(body, candidate)))
        rejected.append(candidate)
    if mostly_utf8:
        return _chosen(utf8, "utf-8", rejected, declared, _replaced(invalid))
    detected = _detect(body)
    if detected is not None and (not messy or _mess(detected[0]) < min(messy)[0]):
        return _chosen(detected[0], detected[1], rejected, declared)
    if messy:
        mess, text, label = min(messy)
        return Decoded(text, label)  # nothing reads better than what was declared
    return _chosen(body.decode("cp1252", _C1), "windows-1252", rejected, declared)


def _chosen(
    text: str, label: str, rejected: list[_Candidate], declared: list[_Candidate], note: str | None = None
) -> Decoded:
    """The decoding, with a warning when it is not what the document said (or said nothing)."""
    if rejected and rejected[0].label != label:
        warning: str | None = f"document declared as {rejected[0].label}, but parsed as {label}"
    elif not declared and label != "utf-8":
        warning = f"no encoding declared and not UTF-8: parsed as {label}"
    else:
        warning = None
    if note:
        warning = f"{warning} ({note})" if warning else note
    return Decoded(text, label, warning)


def _utf8(body: bytes) -> tuple[str, int]:
    """The UTF-8 reading (bad sequences replaced) and how many sequences were bad."""
    text = body.decode("utf-8", "replace")
    return text, text.count("\ufffd") - body.count("\ufffd".encode())


def _replaced(invalid: int) -> str | None:
    return f"{invalid} invalid UTF-8 sequence(s) replaced" if invalid else None


def _label_used(body: bytes, candidate: _Candidate) -> str:
    """The declared label, unless the browser's superset codec read bytes the label does not have."""
    alias = _WEB_ALIASES.get(candidate.label)
    if alias is None:
        return candidate.label
    if alias[1] is not None:
        return alias[1]
    if candidate.label in _ASCII_LABELS:
        return candidate.label if _NOT_ASCII.search(body) is None else "windows-1252"
    if candidate.label in _LATIN1_LABELS:
        return candidate.label if _C1_BYTES.search(body) is None else "windows-1252"
    return candidate.label


def _try(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec, _C1 if codec == "cp1252" else "strict")
    except UnicodeDecodeError:
        return None


def _mess(text: str) -> float:
    """How garbled the non-ASCII words of a text look (0 clean, ≥ 0.2 gibberish)."""
    # C1 controls only come from the few bytes windows-1252 leaves undefined: a stray byte, not a script.
    sample = " ".join(word for word in _C1_CHARS.sub("", text).split() if not word.isascii())[:20000]
    return mess_ratio(sample, maximum_threshold=1.0) if sample else 0.0


def _detect(body: bytes) -> tuple[str, str] | None:
    """charset-normalizer's guess; windows-1252 when it ties with the other Latin guesses."""
    matches = list(from_bytes(body))
    if not matches:
        return None
    cleanest = min(m.chaos for m in matches)
    tied = [m for m in matches if m.chaos <= cleanest + 0.01]
    if any(m.encoding in _LATIN for m in tied):
        return body.decode("cp1252", _C1), "windows-1252"
    best = tied[0]
    label = _DETECTED_LABELS.get(best.encoding, best.encoding.replace("_", "-"))
    return str(best), _WEB_ALIASES.get(label, ("", None))[1] or label
