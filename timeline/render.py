"""Rendering rows and reports: table (tabulate), Markdown, CSV, JSON, NDJSON.

CSV, JSON and NDJSON stream row by row; only tabulate needs every row at once.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from tabulate import tabulate

ROW_FORMATS = ("table", "markdown", "csv", "json", "ndjson")
REPORT_FORMATS = ("table", "markdown", "csv", "json")

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
        text = tabulate(
            table,
            headers=list(headers or columns),
            tablefmt=TABLE_STYLE if fmt == "table" else "github",
            maxcolwidths=list(maxcolwidths) if maxcolwidths and fmt == "table" else None,
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
    out.write("[")
    first = True
    for item in items:
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  "))
        first = False
    out.write("\n]\n" if not first else "]\n")


# --- the chronological report -----------------------------------------------------------------


def actors_text(record: Mapping[str, Any]) -> str:
    return "; ".join(f"{a['name']} ({a['role']})" for a in record["actors"])


def statutes_text(record: Mapping[str, Any]) -> str:
    return "; ".join(f"{s['citation']} ({s['relation']})" for s in record["statutes"])


def sources_text(record: Mapping[str, Any]) -> str:
    return "; ".join(
        f"{s['document']} [{s['char_start']}:{s['char_end']}]" for s in record["sources"]
    )


def quotes_text(record: Mapping[str, Any]) -> str:
    return "\n".join(f"“{s['quote']}”" for s in record["sources"])


def render_report(
    records: Sequence[Mapping[str, Any]],
    fmt: str,
    out: TextIO,
    *,
    with_quotes: bool = False,
    title: str = "Chronology",
) -> None:
    """The chronology in one of :data:`REPORT_FORMATS`."""
    if fmt == "json":
        _write_json_array(records, out)
    elif fmt == "markdown":
        _markdown_report(records, out, with_quotes=with_quotes, title=title)
    elif fmt == "csv":
        columns = [
            "key",
            "date",
            "edtf",
            "date_start",
            "date_end",
            "precision",
            "kind",
            "title",
            "description",
            "actors",
            "statutes",
            "sources",
        ]
        rows = (
            {
                **record,
                "actors": actors_text(record),
                "statutes": statutes_text(record),
                "sources": sources_text(record),
                "quotes": " | ".join(s["quote"] for s in record["sources"]),
            }
            for record in records
        )
        render_rows(rows, [*columns, "quotes"] if with_quotes else columns, "csv", out)
    elif fmt == "table":
        rows = (
            {
                "date": record["date"],
                "kind": record["kind"],
                "event": record["title"] + (f"\n\n{quotes_text(record)}" if with_quotes else ""),
                "actors": "\n".join(f"{a['name']} ({a['role']})" for a in record["actors"]),
                "sources": "\n".join(dict.fromkeys(s["document"] for s in record["sources"])),
            }
            for record in records
        )
        render_rows(
            rows,
            ["date", "kind", "event", "actors", "sources"],
            "table",
            out,
            headers=["Date", "Kind", "Event", "Actors", "Documents"],
            maxcolwidths=[12, 14, 44, 28, 30],
        )
    else:
        raise ValueError(f"unknown report format '{fmt}' (known: {', '.join(REPORT_FORMATS)})")


def _markdown_report(
    records: Sequence[Mapping[str, Any]], out: TextIO, *, with_quotes: bool, title: str
) -> None:
    out.write(f"# {title}\n\n")
    documents = {s["document"] for r in records for s in r["sources"]}
    out.write(
        f"{len(records)} event{'s' if len(records) != 1 else ''} "
        f"from {len(documents)} document{'s' if len(documents) != 1 else ''}. "
        "Each event cites the passages that support it; the notes give the document and "
        "the character offsets of each passage in its stored text.\n"
    )
    notes: list[str] = []
    for record in records:
        marks = []
        for source in record["sources"]:
            notes.append(_markdown_note(source, with_quotes))
            marks.append(f"[^{len(notes)}]")
        out.write(f"\n## {record['date']} — {record['title']}\n\n")
        out.write(f"*{record['kind']}*")
        if record["date_note"]:
            out.write(f" · {record['date_note']}")
        out.write("\n\n")
        out.write(f"{record['description']}{''.join(marks)}\n")
        if record["actors"]:
            out.write(f"\n- **Actors:** {actors_text(record)}\n")
        if record["statutes"]:
            prefix = "" if record["actors"] else "\n"
            out.write(f"{prefix}- **Statutes:** {statutes_text(record)}\n")
        if record["external_source"]:
            prefix = "" if record["actors"] or record["statutes"] else "\n"
            out.write(f"{prefix}- **Also from:** {record['external_source']}\n")
    if notes:
        out.write("\n---\n\n")
        for number, note in enumerate(notes, start=1):
            out.write(f"[^{number}]: {note}\n")


def _markdown_note(source: Mapping[str, Any], with_quotes: bool) -> str:
    span = f"characters {source['char_start']}–{source['char_end']}"
    note = f"{source['citation']} (`{source['document']}`, {span})"
    if with_quotes:
        quote = " ".join(source["quote"].split())
        note += f": “{quote}”"
    return note + "."


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
        out.write(f"{name.replace('_', ' '):<{width}}  {_indent(str(value), width + 2)}\n")
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
            text = " ".join(quote["quote"].split())
            line += f"\n      “{text}” [{quote['char_start']}:{quote['char_end']}]"
        return line
    if "quote" in item:  # an event's source
        return (
            f"  - {item['document']} [{item['char_start']}:{item['char_end']}]: "
            f"“{' '.join(item['quote'].split())}”"
        )
    parts = [f"{v}" for k, v in item.items() if v not in (None, "") and k != "key"]
    key = f"  ({item['key']})" if item.get("key") else ""
    return "  - " + " · ".join(parts) + key
