"""What an XML file says before its root element, checked before a parser reads it.

A DOCTYPE is refused: FRUS volumes have none, and its entities could expand or be fetched. The
prolog is read in the encoding the file's first bytes show (XML 1.0, appendix F), so a DOCTYPE
in UTF-16 is found as one in UTF-8 is. An encoding the parser cannot read (one Python does not
know, one that is not a text encoding, one of several bytes a character other than UTF-8 and
UTF-16) is refused in one line here, where the parser would raise it from deep inside a read.
"""

from __future__ import annotations

import codecs
import re
import xml.parsers.expat
from pathlib import Path

from timeline.errors import SourceFormatError
from timeline.sources.files import open_regular

__all__ = ["check_prolog"]

_PROLOG_BYTES = 1 << 16
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_ROOT = re.compile(r"<(?![?!])([A-Za-z_][\w.:-]*)")
_DECLARATION = re.compile(r"<\?xml\s[^>]*?\?>")
_ENCODING = re.compile(r"""encoding\s*=\s*["']([^"']*)["']""")

# The encodings a file's first bytes show (XML 1.0, appendix F): byte order marks, then "<?" as
# each encoding writes it.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_FIRST_BYTES = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)


def _sniffed(head: bytes) -> tuple[str | None, bytes]:
    """The encoding the first bytes show (None: one byte for each ASCII character, the
    declaration tells the rest), and the bytes after any byte order mark."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, head[len(bom) :]
    for start, codec in _FIRST_BYTES:
        if head.startswith(start):
            return codec, head
    return None, head


def _check_encoding(name: str, declaration: str) -> None:
    """Refuse the declared encoding where the parser would fail on it: tried on the
    declaration alone, with the parser the file will be read with."""
    declared = _ENCODING.search(declaration)
    if declared is None:
        return
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(declaration.encode("ascii", "replace") + b"<x/>", True)
    except (LookupError, ValueError, xml.parsers.expat.ExpatError) as exc:
        reason = str(exc).split(":")[0].split(";")[0]
        raise SourceFormatError(
            f"{name}, line 1: cannot read the encoding the XML declaration names "
            f"({declared[1]!r}: {reason})"
        ) from None


def check_prolog(path: Path) -> int:
    """Refuse a DOCTYPE or an encoding the parser cannot read; return the root element's line."""
    try:
        with open_regular(path) as handle:
            raw = handle.read(_PROLOG_BYTES)
    except OSError as exc:
        raise SourceFormatError(f"{path.name}: cannot read the file ({exc.strerror})") from None
    codec, body = _sniffed(raw)
    if codec is not None and codec.startswith("utf-32"):
        raise SourceFormatError(f"{path.name}: UTF-32, which the XML parser cannot read")
    # Bytes that may be any ASCII-compatible encoding are read one character a byte (Latin-1),
    # enough to find the markup of the prolog, which is ASCII.
    head = body.decode(codec or "latin-1", "replace")
    root = None
    at = 0
    while True:
        match = _ROOT.search(head, at)
        if match is None:
            break
        before = head[: match.start()]
        # Skip a "<" inside a comment or processing instruction of the prolog.
        if before.count("<!--") > before.count("-->") or before.count("<?") > before.count("?>"):
            at = match.end()
            continue
        root = match
        break
    prolog = head[: root.start()] if root else head
    doctype = _DOCTYPE.search(prolog)
    if doctype is not None:
        line = prolog.count("\n", 0, doctype.start()) + 1
        raise SourceFormatError(
            f"{path.name}, line {line}: refusing a DOCTYPE declaration "
            "(FRUS volumes have none, and its entities could expand or be fetched)"
        )
    declaration = _DECLARATION.match(prolog)
    if codec in (None, "utf-8") and declaration is not None:
        _check_encoding(path.name, declaration.group())
    return prolog.count("\n") + 1
