"""Rendering rows and reports: table (tabulate), Markdown, CSV, JSON, NDJSON.

CSV, JSON and NDJSON stream row by row; only tabulate needs every row at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TextIO

from tabulate import tabulate

from timeline.fitting import fitted_widths, terminal_width
from timeline.json_text import write_array

ROW_FORMATS = ("table", "markdown", "csv", "json", "ndjson")

Escape = Callable[[str], str]

TABLE_STYLE = "simple_grid"


def render_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: str,
    out: TextIO,
    *,
    headers: Sequence[str] | None = None,
    maxcolwidths: Sequence[int | None] | None = None,
) -> None:
    """Write ``rows`` (mappings with at least ``columns``) to ``out`` in ``fmt``."""
    if fmt in ("table", "markdown"):
        table = [[_cell(row[c]) for c in columns] for row in rows]
        heads = list(headers or columns)
        widths = list(maxcolwidths) if maxcolwidths else None
        terminal = terminal_width(out) if fmt == "table" else None
        if terminal is not None and table:
            widths = fitted_widths(table, heads, widths, terminal)
        text = tabulate(
            table,
            headers=heads,
            tablefmt=TABLE_STYLE if fmt == "table" else "github",
            maxcolwidths=widths if widths and fmt == "table" else None,
            disable_numparse=True,
        )
        out.write(text + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(headers or columns)
        for row in rows:
            writer.writerow([_cell(row[c]) for c in columns])
    elif fmt == "json":
        _write_json_array(({c: row[c] for c in columns} for row in rows), out)
    elif fmt == "ndjson":
        for row in rows:
            out.write(_json({c: row[c] for c in columns}) + "\n")
    else:  # the CLI's Choice keeps this out of reach; a library caller gets told
        raise ValueError(f"unknown format '{fmt}' (known: {', '.join(ROW_FORMATS)})")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def _write_json_array(items: Iterable[Any], out: TextIO) -> None:
    write_array(items, out)


# --- the chronological report -----------------------------------------------------------------


EDITOR_MARK = " [the editor's identification]"


def _editor(identified_by: str | None) -> str:
    return EDITOR_MARK if identified_by == "editor" else ""


def actor_text(name: str, role: str, identified_by: str | None) -> str:
    return f"{name} ({role}){_editor(identified_by)}"


def statute_text(citation: str, relation: str, identified_by: str | None) -> str:
    return f"{citation} ({relation}){_editor(identified_by)}"


def source_text(document: str, char_start: int, char_end: int) -> str:
    return f"{document} [{char_start}:{char_end}]"


def actors_text(record: Mapping[str, Any]) -> str:
    return "; ".join(
        actor_text(a["name"], a["role"], a.get("identified_by")) for a in record["actors"]
    )


def statutes_text(record: Mapping[str, Any]) -> str:
    return "; ".join(
        statute_text(s["citation"], s["relation"], s.get("identified_by"))
        for s in record["statutes"]
    )


def sources_text(record: Mapping[str, Any]) -> str:
    return "; ".join(
        source_text(s["document"], s["char_start"], s["char_end"]) for s in record["sources"]
    )


# The pieces of the Markdown chronology, shared with the streaming export
# (timeline.export.document). `escape` is applied to the text that comes from the database;
# the report passes it through as it is.

MARKDOWN_NOTES_RULE = "\n---\n\n"


def _same(text: str) -> str:
    return text


def markdown_header(title: str, events: int, documents: int, escape: Escape = _same) -> str:
    return (
        f"# {escape(title)}\n\n"
        f"{events} event{'s' if events != 1 else ''} "
        f"from {documents} document{'s' if documents != 1 else ''}. "
        "Each event cites the passages that support it; the notes cite each passage to its page "
        "(in full the first time a document is cited, in short after), with its character "
        "offsets in the stored text. Words a scan or typesetting damaged are followed by their "
        "reading in brackets; names and offices that sources beyond the texts supply are "
        "bracketed, with those sources.\n"
    )


def markdown_event(
    record: Mapping[str, Any],
    note_numbers: Iterable[int],
    escape: Escape = _same,
    actors: str | None = None,
) -> str:
    """One event's section; ``note_numbers`` are the notes of its sources, in order; ``actors``
    names them as cited (:class:`timeline.citations.Identities`) in place of their names."""
    marks = "".join(f"[^{number}]" for number in note_numbers)
    parts = [f"\n## {escape(record['date'])} — {escape(record['title'])}\n\n"]
    parts.append(f"*{escape(record['kind'])}* · date basis: {escape(record['date_basis'])}")
    if record["date_note"]:
        parts.append(f" · {escape(record['date_note'])}")
    parts.append("\n\n")
    parts.append(f"{escape(record['description'])}{marks}\n")
    if record.get("editorial_note"):
        parts.append(f"\n*Editor's note:* {escape(record['editorial_note'])}\n")
    if record["actors"]:
        named = actors if actors is not None else actors_text(record)
        parts.append(f"\n- **Actors:** {escape(named)}\n")
    if record["statutes"]:
        prefix = "" if record["actors"] else "\n"
        parts.append(f"{prefix}- **Statutes:** {escape(statutes_text(record))}\n")
    if record["external_source"]:
        prefix = "" if record["actors"] or record["statutes"] else "\n"
        parts.append(f"{prefix}- **Also from:** {escape(record['external_source'])}\n")
    return "".join(parts)


def markdown_note(source: Mapping[str, Any], with_quotes: bool, escape: Escape = _same) -> str:
    """A source note: the document's citation, key and span, and (``with_quotes``) the passage."""
    span = f"characters {source['char_start']}–{source['char_end']}"
    note = f"{escape(source['citation'])} (`{source['document']}`, {span})"
    if with_quotes:
        quote = " ".join(source["quote"].split())
        note += f": “{escape(quote)}”"
    return note + "."


def markdown_cited_note(
    source: Mapping[str, Any], with_quotes: bool, escape: Escape = _same
) -> str:
    """A note on a passage cited by :meth:`timeline.citations.Citations.source`: its citation
    to the page, the passage as the reader should see it, and where it stands in the text."""
    shown = source["shown"] if with_quotes else None
    return markdown_note_on(source, source["cited"], shown, escape)


def markdown_note_on(
    source: Mapping[str, Any], cited: str, shown: str | None, escape: Escape = _same
) -> str:
    """:func:`markdown_cited_note` of ``source`` (its document, char_start and char_end), its
    citation and its passage as shown given (None: the passage not printed)."""
    span = f"characters {source['char_start']}–{source['char_end']}"
    note = f"{escape(cited)} (`{source['document']}`, {span})"
    if shown is not None:
        note += f": “{escape(' '.join(shown.split()))}”"
    return note + "."


def markdown_documents(documents: Iterable[Any], escape: Escape = _same) -> str:
    """The documents cited, in the order first cited (:class:`timeline.citations.CitedDocument`):
    each one's full citation, short form, and source note, classification and release data."""
    parts = [markdown_cited_document(doc, escape) for doc in documents]
    return MARKDOWN_DOCUMENTS_HEADING + "".join(parts) if parts else ""


MARKDOWN_DOCUMENTS_HEADING = "\n## Documents cited\n"


def markdown_cited_document(doc: Any, escape: Escape = _same) -> str:
    """One entry of the documents cited (:func:`markdown_documents`), for writing as they come."""
    facts = "".join(f"  - {label}: {escape(value)}\n" for label, value in doc.facts)
    return f"\n- **{escape(doc.short)}**: {escape(doc.citation)}\n{facts}"


# --- one record (`timeline show`) -------------------------------------------------------------


def render_record(record: Mapping[str, Any], fmt: str, out: TextIO) -> None:
    """A record as JSON, or as text: its fields, then each list of linked things."""
    if fmt == "json":
        out.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        return
    scalars = {k: v for k, v in record.items() if not isinstance(v, list) and v not in (None, "")}
    heading = f"{record['type']} {record['key']}"
    out.write(heading + "\n" + "=" * len(heading) + "\n")
    width = max(len(k) for k in scalars)
    for name, value in scalars.items():
        if name in ("type", "key"):
            continue
        out.write(f"{name.replace('_', ' '):<{width}}  {_indent(_cell(value), width + 2)}\n")
    for name, items in record.items():
        if not isinstance(items, list) or not items:
            continue
        out.write(f"\n{name.replace('_', ' ')} ({len(items)})\n")
        for item in items:
            out.write(_item_text(item) + "\n")


def _indent(text: str, by: int) -> str:
    return text.replace("\n", "\n" + " " * by)


def _item_text(item: Any) -> str:
    if not isinstance(item, Mapping):
        return f"  - {item}"
    if "quotes" in item or ("title" in item and "date" in item):  # an event line
        role = f" [{item['role']}]" if item.get("role") else ""
        line = f"  - {item['date']}  {item['title']}{role}  ({item['key']})"
        for quote in item.get("quotes", []):
            text = " ".join(quote.get("shown", quote["quote"]).split())
            page = f"{quote['page']}, " if quote.get("page") else ""
            note = " (editors' note, not the document's text)" if quote.get("editors_note") else ""
            line += f"\n      “{text}” [{page}{quote['char_start']}:{quote['char_end']}]{note}"
        return line
    if "quote" in item:  # an event's source, cited to its page where it has one
        cited = item.get("cited", item["document"])
        return (
            f"  - {cited} [{item['document']} {item['char_start']}:{item['char_end']}]: "
            f"“{' '.join(item.get('shown', item['quote']).split())}”"
        )
    editor = " · the editor's identification" if item.get("identified_by") == "editor" else ""
    if "as_cited" in item:  # an actor named as the text names it, identified in brackets
        return f"  - {item['as_cited']} · {item['role']}{editor}  ({item['key']})"
    parts = [
        f"{v}" if k != "identified_by" else "the editor's identification"
        for k, v in item.items()
        if v not in (None, "") and k != "key" and (k, v) != ("identified_by", "text")
    ]
    key = f"  ({item['key']})" if item.get("key") else ""
    return "  - " + " · ".join(parts) + key


# --- query results ----------------------------------------------------------------------------

QUERY_FORMATS = ("table", "markdown", "csv", "tsv", "json", "ndjson")


def render_query(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    out: TextIO,
    *,
    tablefmt: str = TABLE_STYLE,
) -> None:
    """Write a query's rows in ``fmt``; every format but ``table`` streams row by row.

    SQL results can repeat a column name (``SELECT a.key, e.key``); the JSON formats keep each
    value by suffixing repeats (``key``, ``key_2``) rather than letting one overwrite the other.
    """
    if fmt == "table":
        table = [[_cell(v) for v in row] for row in rows]
        terminal = terminal_width(out) if tablefmt == TABLE_STYLE else None
        fitted = fitted_widths(table, columns, None, terminal) if terminal and table else None
        text = tabulate(
            table,
            headers=list(columns),
            tablefmt=tablefmt,
            maxcolwidths=fitted if fitted and any(fitted) else None,
            disable_numparse=True,
        )
        out.write(text + "\n")
    elif fmt == "markdown":
        out.write("| " + " | ".join(_md_cell(c) for c in columns) + " |\n")
        out.write("|" + "|".join("---" for _ in columns) + "|\n")
        for row in rows:
            out.write("| " + " | ".join(_md_cell(_cell(v)) for v in row) + " |\n")
    elif fmt in ("csv", "tsv"):
        writer = csv.writer(
            out, lineterminator="\n", dialect="excel-tab" if fmt == "tsv" else "excel"
        )
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
    elif fmt in ("json", "ndjson"):
        keys = _unique_names(columns)
        records = ({k: _json_value(v) for k, v in zip(keys, row, strict=True)} for row in rows)
        if fmt == "json":
            _write_json_array(records, out)
        else:
            for record in records:
                out.write(_json(record) + "\n")
    else:
        raise ValueError(f"unknown format '{fmt}' (known: {', '.join(QUERY_FORMATS)})")


def _md_cell(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")
    )


def _unique_names(columns: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for column in columns:
        seen[column] = seen.get(column, 0) + 1
        names.append(column if seen[column] == 1 else f"{column}_{seen[column]}")
    return names


def _json_value(value: Any) -> Any:
    """SQL values as JSON: dates in ISO form, exact decimals as numbers, bytes in hex; an
    infinity or NaN, which JSON cannot hold, as null (as JavaScript's JSON.stringify writes
    them), never the ``Infinity`` of Python's encoder that JSON parsers refuse."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


# --- the schema -------------------------------------------------------------------------------

SCHEMA_FORMATS = ("text", "markdown", "json")


def render_schema(relations: Sequence[Any], fmt: str, out: TextIO) -> None:
    """Tables and views (``timeline.schema.Relation``s) as text, Markdown or JSON."""
    if fmt == "json":
        _write_json_array((_relation_record(r) for r in relations), out)
        return
    for index, relation in enumerate(relations):
        rows = [
            [
                column.name,
                column.type,
                _column_notes(column),
                column.comment or "",
            ]
            for column in relation.columns
        ]
        if fmt == "markdown":
            out.write(f"{'' if index == 0 else chr(10)}## {relation.kind} `{relation.name}`\n\n")
            out.write(f"{relation.description}\n\n")
            headers = ["column", "type", "key", "about"]
            out.write(tabulate(rows, headers=headers, tablefmt="github") + "\n")
        else:
            out.write(f"{'' if index == 0 else chr(10)}{relation.kind.upper()} {relation.name}\n")
            out.write(f"  {relation.description}\n")
            table = tabulate(rows, tablefmt="plain", disable_numparse=True)
            out.write("".join(f"    {line.rstrip()}\n" for line in table.splitlines()))


def _column_notes(column: Any) -> str:
    notes = []
    if column.primary_key:
        notes.append("primary key")
    if column.unique:
        notes.append("unique")
    if column.references:
        notes.append(f"→ {column.references}")
    if not column.nullable and not column.primary_key:
        notes.append("not null")
    return ", ".join(notes)


def _relation_record(relation: Any) -> dict[str, Any]:
    return {
        "name": relation.name,
        "kind": relation.kind,
        "description": relation.description,
        "columns": [vars(column) for column in relation.columns],
    }
