"""An ``[[event]]`` of an annotation file: its date and how it was reached, its links, its quotes.

Shared by the seed's files and `timeline load`'s (docs/annotations.md). The date basis is
required where the date alone does not say it: ``date_from = "document"`` is the document's date,
``resolve`` is inferred from it (unless ``date_basis = "stated"``: the words give the year too).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from timeline import vocabulary
from timeline.dates import HistDate, resolve
from timeline.errors import DateError, QuoteNotFoundError
from timeline.loading.entries import Entry, check_key, check_word, parse_date
from timeline.loading.plan import DocumentPlan, EventPlan, LoadPlan, Row
from timeline.textmatch import find_quote

__all__ = ["read_event", "read_events"]


def read_events(
    plan: LoadPlan, document: DocumentPlan, top: Entry
) -> Iterator[tuple[Entry, EventPlan]]:
    """Each ``[[event]]`` of an annotation file (``top``) about ``document``, its quotes
    located in the document's text; the caller keeps the events' keys unique."""
    key, text = top.data["document"], document.values["text"]

    def locate(quote: str, where: Entry) -> tuple[int, int]:
        try:
            return find_quote(text, quote, ignore=document.ignore)
        except QuoteNotFoundError as exc:
            raise where.fail(f"not found in {key}: {exc}") from exc

    entries = top.data.get("event", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise top.fail("'event' must be a list of [[event]] tables")
    for number, data in enumerate(entries, start=1):
        entry = Entry(data, f"{top.where}: event {data.get('key', number)!s}")
        yield entry, read_event(plan, document, locate, entry)


def read_event(
    plan: LoadPlan,
    document: DocumentPlan,
    locate: Callable[[str, Entry], tuple[int, int]],
    entry: Entry,
) -> EventPlan:
    entry.check_fields(
        {"key", "kind", "title", "description", "quotes"},
        {
            "date",
            "resolve",
            "date_from",
            "date_text",
            "date_note",
            "date_basis",
            "editorial_note",
            "source",
            "sequence",
            "actors",
            "statutes",
            "draft",
        },
    )
    key = entry.str("key")
    draft = entry.data.get("draft", False)
    if not isinstance(draft, bool):
        raise entry.fail("'draft' must be true or false")
    if draft:
        # `timeline draft` marks what it guessed; only the curator's edit may load.
        raise entry.fail(
            "still marked draft = true: check the entry against the text, then remove the flag"
        )
    date, basis = _event_date(document, locate, entry)
    source = entry.str("source")
    if basis == "external" and source is None:
        raise entry.fail("'date_basis' is \"external\": name the outside source in 'source'")
    values: Row = {
        "kind": check_word(entry, "event kind", entry.str("kind"), vocabulary.EVENT_KINDS),
        "title": entry.str("title"),
        "description": entry.str("description"),
        "date": date,
        "date_note": entry.str("date_note"),
        "date_basis": basis,
        "editorial_note": entry.str("editorial_note"),
        "sequence": entry.int("sequence", 0),
        "source": source and check_key(entry, "source", source, plan.sources),
    }
    actors: list[tuple[str, str]] = []
    statutes: list[tuple[str, str]] = []
    editor: set[tuple[str, str, str]] = set()
    for field, target, word, known, words, links in (
        ("actors", "actor", "role", plan.actors, vocabulary.EVENT_ROLES, actors),
        ("statutes", "statute", "relation", plan.statutes, vocabulary.STATUTE_RELATIONS, statutes),
    ):
        for number, link in enumerate(entry.list(field), start=1):
            link_entry = Entry(link, f"{entry.where}, {target} {number}")
            link_entry.check_fields({target, word}, {"identified_by"})
            pair = (
                check_key(link_entry, target, link_entry.str(target), known),
                check_word(link_entry, word, link_entry.str(word), words),
            )
            links.append(pair)
            by = link_entry.str("identified_by", "text")
            if check_word(link_entry, "identified_by", by, vocabulary.IDENTIFIED_BY) == "editor":
                editor.add((target, *pair))
    quotes = entry.list("quotes")
    if not quotes:
        raise entry.fail("an event needs at least one quote from its document")
    sources = []
    for number, quote in enumerate(quotes, start=1):
        quote_entry = Entry({}, f"{entry.where}, quote {number}")
        if not isinstance(quote, str) or not quote.strip():
            raise quote_entry.fail("a quote must be a non-empty string")
        start, end = locate(quote, quote_entry)
        text = document.values["text"]
        sources.append(
            {
                "document": document.key,
                "quote": text[start:end],
                "char_start": start,
                "char_end": end,
            }
        )
    for what, pairs in (("actor", actors), ("statute", statutes)):
        repeated = [pair for pair, count in Counter(pairs).items() if count > 1]
        if repeated:
            raise entry.fail(f"{what} link {repeated[0]} is listed twice")
    return EventPlan(
        key=key,
        values=values,
        actors=actors,
        statutes=statutes,
        sources=sources,
        editor_links=editor,
    )


def _event_date(
    document: DocumentPlan, locate: Callable[[str, Entry], tuple[int, int]], entry: Entry
) -> tuple[HistDate, str]:
    """The event's date, and its basis: given, or what ``date_from``/``resolve`` imply."""
    given = [name for name in ("date", "resolve", "date_from") if name in entry.data]
    if len(given) != 1:
        raise entry.fail("give exactly one of 'date', 'resolve' or 'date_from'")
    basis = entry.str("date_basis")
    if basis is not None:
        check_word(entry, "date basis", basis, vocabulary.DATE_BASES)
    anchor: HistDate = document.values["date"]
    if "date" in entry.data:
        if basis is None:
            raise entry.fail(
                "'date' needs a 'date_basis' (one of: " + ", ".join(_BASES_IN_ORDER) + ")"
            )
        date = parse_date(entry, entry.str("date"), entry.str("date_text"))
    elif "resolve" in entry.data:
        if "date_text" in entry.data:
            raise entry.fail("'resolve' gives the date's words already; drop 'date_text'")
        if basis not in (None, "inferred", "stated"):
            raise entry.fail(
                "'resolve' reads the date from the text: its basis is \"inferred\" (the "
                'document\'s date gives what the words leave out) or "stated"'
            )
        basis = basis or "inferred"
        try:
            date = resolve(entry.str("resolve"), anchor)
        except DateError as exc:
            raise entry.fail(str(exc)) from exc
    else:
        if entry.str("date_from") != "document":
            raise entry.fail("'date_from' can only be \"document\"")
        if basis not in (None, "document"):
            raise entry.fail("'date_from' is the basis \"document\"; drop 'date_basis'")
        basis = "document"
        date = HistDate.parse(str(anchor), text=entry.str("date_text"))
    if date.text:
        locate(date.text, entry)
    return date, basis


_BASES_IN_ORDER = ("stated", "document", "inferred", "bounded", "external")
