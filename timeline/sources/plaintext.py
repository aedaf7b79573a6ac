"""Read a plain-text or Markdown source whose metadata is in a TOML sidecar or on the command line.

The sidecar of ``notes.txt`` is ``notes.txt.toml`` (preferred) or ``notes.toml``; command-line
``field=value`` overrides win over it. Every problem is one SourceFormatError line that names the
file (and the field) at fault.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from timeline.dates import HistDate
from timeline.errors import DateError, SourceFormatError
from timeline.sources.files import SIDECAR_SUFFIX, parse_toml, read_bytes, read_source
from timeline.sources.parsed import EventRecord, PlainTextRecord
from timeline.sources.spans import Span, line_spans, strip_span
from timeline.sources.tei_meta import event_kind

__all__ = ["FIELDS", "NAME_SEPARATOR", "TEXT_SUFFIXES", "read_plaintext", "sidecar_for"]

FIELDS = (
    "key",
    "title",
    "type",
    "date",
    "collection",
    "citation",
    "url",
    "authors",
    "recipients",
)
TEXT_SUFFIXES = (".txt", ".md")
# A command-line value holds one string; names are split on ";" since a name may hold a comma.
NAME_SEPARATOR = ";"
_NAME_LISTS = ("authors", "recipients")
_MAX_KEY = 100  # documents.key is String(100)
_MAX_TYPE = 40  # documents.doc_type is String(40)
_COMMAND_LINE = "the command line"

Value = str | tuple[str, ...] | None


def sidecar_for(path: Path) -> Path | None:
    """The sidecar describing ``path``, None if there is none; an ambiguous one is an error."""
    long = path.with_name(path.name + SIDECAR_SUFFIX)
    short = path.with_suffix(SIDECAR_SUFFIX)
    if long.is_file() and short.is_file():
        raise SourceFormatError(
            f"{path.name}: both {long.name} and {short.name} are sidecars of it; keep one"
        )
    if long.is_file():
        return long
    if not short.is_file():
        return None
    siblings = [
        path.with_suffix(s).name
        for s in TEXT_SUFFIXES
        if s != path.suffix.lower() and path.with_suffix(s).is_file()
    ]
    if siblings:
        raise SourceFormatError(
            f"{short.name} could describe {path.name} or {', '.join(siblings)}: name it {long.name}"
        )
    return short


def _names(raw: object, where: str, name: str) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise SourceFormatError(f"{where}: {name!r} must be a name or a list of names")
    names = tuple(" ".join(i.split()) for i in items)
    if any(not n for n in names):
        raise SourceFormatError(f"{where}: {name!r} has an empty name")
    return names


def _read_sidecar(sidecar: Path) -> dict[str, Value]:
    where = sidecar.name
    try:
        data = read_bytes(sidecar)
    except OSError as exc:
        raise SourceFormatError(f"{where}: cannot read the file ({exc.strerror})") from None
    try:
        table = parse_toml(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SourceFormatError(f"{where}: not UTF-8 (byte offset {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceFormatError(f"{where}: bad TOML ({exc})") from None
    _refuse_unknown(where, table)
    values: dict[str, Value] = {}
    for name, raw in table.items():
        if name in _NAME_LISTS:
            values[name] = _names(raw, where, name)
        elif name == "date" and type(raw) is datetime.date:
            values[name] = raw.isoformat()  # an unquoted TOML date: 1984-05-16
        elif isinstance(raw, str):
            values[name] = raw.strip() or None
        else:
            raise SourceFormatError(f"{where}: {name!r} must be a string")
    return values


def _refuse_unknown(where: str, names: Iterable[str]) -> None:
    unknown = sorted(set(names) - set(FIELDS))
    if unknown:
        raise SourceFormatError(
            f"{where}: unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(expected: {', '.join(FIELDS)})"
        )


def _read_overrides(overrides: Mapping[str, str]) -> dict[str, Value]:
    _refuse_unknown(_COMMAND_LINE, overrides)
    values: dict[str, Value] = {}
    for name, raw in overrides.items():
        if name in _NAME_LISTS:
            values[name] = tuple(
                n for n in (" ".join(p.split()) for p in raw.split(NAME_SEPARATOR)) if n
            )
        else:
            values[name] = raw.strip() or None
    return values


def _title_span(text: str, title: str) -> Span | None:
    at = text.find(title)
    return (at, at + len(title)) if at >= 0 else None


def _opening(text: str) -> Span:
    """The first non-blank line: the quote for an event whose title the text does not print."""
    line = next(s for s in line_spans(text) if text[s[0] : s[1]].strip())
    return strip_span(text, *line)


def read_plaintext(path: Path | str, overrides: Mapping[str, str] | None = None) -> PlainTextRecord:
    """Read a ``.txt``/``.md`` file and its metadata; key and title are required.

    The text is kept verbatim (UTF-8, no NUL). ``date`` is EDTF (``1984``, ``1984-05``,
    ``1984-05-16``, ``1984-05~``, ``1983/1984``…). The event is the act the document records,
    of the kind its type implies (``memorandum``, ``letter``, ``telegram`` → message, otherwise
    ``document``; none for an editorial note); it quotes the title where the text prints it,
    else the text's first line.
    """
    path = Path(path)
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise SourceFormatError(
            f"{path.name}: not a plain-text file (expected {' or '.join(TEXT_SUFFIXES)})"
        )
    if not path.is_file():
        raise SourceFormatError(f"{path.name}: no such file")
    sidecar = sidecar_for(path)
    meta = _read_sidecar(sidecar) if sidecar is not None else {}
    origin = dict.fromkeys(meta, sidecar.name if sidecar is not None else _COMMAND_LINE)
    given = _read_overrides(overrides or {})
    meta.update(given)
    origin.update(dict.fromkeys(given, _COMMAND_LINE))

    def text_field(name: str) -> str | None:
        value = meta.get(name)
        assert value is None or isinstance(value, str)
        return value

    for required in ("key", "title"):
        if text_field(required) is None:
            how = f'{required} = "..." in the sidecar or {required}=... on the command line'
            if sidecar is None:
                raise SourceFormatError(
                    f"{path.name}: no sidecar ({path.name}{SIDECAR_SUFFIX} or "
                    f"{path.stem}{SIDECAR_SUFFIX}) and no {required} given: give {how}"
                )
            raise SourceFormatError(f"{sidecar.name}: no {required}: give {how}")
    key, title = text_field("key"), text_field("title")
    assert key is not None and title is not None
    if any(c.isspace() for c in key) or len(key) > _MAX_KEY:
        raise SourceFormatError(
            f"{origin['key']}: key {key!r} must be one word of at most {_MAX_KEY} characters"
        )
    doc_type = text_field("type") or "document"
    if len(doc_type) > _MAX_TYPE:
        raise SourceFormatError(f"{origin['type']}: type is longer than {_MAX_TYPE} characters")
    url = text_field("url")
    if url is not None and not url.startswith(("http://", "https://")):
        raise SourceFormatError(f"{origin['url']}: url {url!r} is not an http(s) address")
    date_text = text_field("date")
    date = None
    if date_text is not None:
        try:
            date = HistDate.parse(date_text, text=date_text)
        except DateError as exc:
            raise SourceFormatError(f"{origin['date']}, field 'date': {exc}") from None

    text = read_source(path)
    title_span = _title_span(text, title)
    authors = meta.get("authors") or ()
    recipients = meta.get("recipients") or ()
    assert isinstance(authors, tuple) and isinstance(recipients, tuple)
    kind = event_kind(doc_type)
    event = None
    if kind is not None:
        event = EventRecord(
            key=f"{key}-event",
            kind=kind,
            title=title,
            date=date,
            time=None,
            place=None,
            actors=(
                *((None, name, "author") for name in authors),
                *((None, name, "recipient") for name in recipients),
            ),
            quote=title_span if title_span is not None else _opening(text),
        )
    return PlainTextRecord(
        key=key,
        title=title,
        title_span=title_span,
        doc_type=doc_type,
        date=date,
        date_text=date_text,
        collection=text_field("collection"),
        citation=text_field("citation"),
        url=url,
        authors=authors,
        recipients=recipients,
        event=event,
        text=text,
    )
