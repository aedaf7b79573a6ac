"""Moving what points into a document's old text onto its new text (``--replace``).

Quotes, aliases and notes are found in the new text as the seed finds them (exactly, or folded,
markers skipped); a quote that is not there is looked for again as the old text's readings say
it (the new text may have the passage undamaged); one still not there refuses the whole load, by
name. A reading records damage
in the old text: where the new text does not have the damaged passage, the damage is gone with
the old text, and the reading goes too (reported).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from timeline.errors import LoadError, QuoteNotFoundError
from timeline.loading.plan import DocumentPlan
from timeline.models import ActorAlias, Document, EventSource
from timeline.textmatch import find_quote


def whole_occurrences(text: str, passage: str) -> list[tuple[int, int]]:
    """Where ``passage`` occurs verbatim, not as part of a longer word."""
    spans = []
    pos = text.find(passage)
    while pos >= 0:
        end = pos + len(passage)
        glued_before = pos > 0 and passage[0].isalnum() and text[pos - 1].isalnum()
        glued_after = end < len(text) and passage[-1].isalnum() and text[end].isalnum()
        if not glued_before and not glued_after:
            spans.append((pos, end))
        pos = text.find(passage, pos + 1)
    return spans


def move_to_new_text(session: Session, old: Document, new: DocumentPlan) -> list[str]:
    """Re-point every span into ``old``'s text at ``new``'s; return what was dropped, and why."""
    text, ignore = new.values["text"], new.ignore

    def locate(passage: str, what: str) -> tuple[int, int]:
        try:
            return find_quote(text, passage, ignore=ignore)
        except QuoteNotFoundError:
            raise LoadError(
                f"{new.key}: cannot replace the stored text: {what} is not in the new text "
                f"({passage[:60]!r}); nothing was changed"
            ) from None

    def read(quote: str, start: int, end: int) -> str:
        """The quote at ``start``–``end`` of the old text with the old text's readings in it:
        what it says where the old text is damaged ("pp. 56" read as "pp. 5–6")."""
        for reading in sorted(old.readings, key=lambda r: r.char_start, reverse=True):
            if start <= reading.char_start and reading.char_end <= end:
                at = reading.char_start - start
                quote = quote[:at] + reading.reading + quote[reading.char_end - start :]
        return quote

    for source in session.scalars(
        select(EventSource).where(EventSource.document_id == old.id).order_by(EventSource.id)
    ):
        what = f"a quote of event '{source.event.key}'"
        try:
            start, end = find_quote(text, source.quote, ignore=ignore)
        except QuoteNotFoundError:
            start, end = locate(read(source.quote, source.char_start, source.char_end), what)
        source.char_start, source.char_end, source.quote = start, end, text[start:end]
    for alias in session.scalars(
        select(ActorAlias).where(ActorAlias.document_id == old.id).order_by(ActorAlias.id)
    ):
        if alias.char_start is None:
            continue
        start, end = locate(alias.alias, f"alias {alias.alias!r} of actor '{alias.actor.key}'")
        alias.char_start, alias.char_end, alias.alias = start, end, text[start:end]
    if not new.notes:  # the new text brings its own notes when it has any
        for note in old.notes:
            start, end = locate(note.text, f"note {note.number}")
            note.char_start, note.char_end, note.text = start, end, text[start:end]
            note.marker_start = note.marker_end = None
    dropped = []
    for reading in list(old.readings):
        spans = whole_occurrences(text, reading.text)
        if spans:
            reading.char_start, reading.char_end = spans[0]
        else:
            old.readings.remove(reading)
            session.delete(reading)
            dropped.append(
                f"{new.key}: dropped the reading of {reading.text!r}: the new text does not "
                "have that damage"
            )
    return dropped
