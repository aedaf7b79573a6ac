"""Candidate events of one stored document: its dated passages, with their statutes and actors.

Every sentence that carries a date expression gives a candidate for each distinct date it gives.
The quote is the sentence (the clause around the date, in a sentence of more than 400
characters); the year in an Act's name ("the Tariff Act of 1930") dates the Act, and its candidate
quotes the citation. A calendar date in a
clause supersedes a bounding phrase of the same clause ("at the time of the Korean War in 1951").
Sentences of the editors' notes are drafted too, and marked as the editors' words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from timeline.dates import HistDate
from timeline.drafting.actors import ActorIndex, Mention
from timeline.drafting.dates import DateFind, find_dates
from timeline.drafting.sentences import Sentence, body_regions, split_sentences
from timeline.drafting.statutes import Citation, StatuteIndex, find_citations

__all__ = ["Candidate", "DocumentView", "draft_candidates"]

_LONG = 400  # a sentence longer than this is quoted by its clause
_SHORT = 40  # a clause shorter than this takes in its neighbours
_CLAUSE = re.compile(r"[;:]\s|,\s|\s[—–-]{1,2}\s|\s\(|\)\s")


@dataclass(frozen=True)
class DocumentView:
    """What drafting needs of a stored document."""

    key: str
    text: str
    date: HistDate
    body: tuple[int, int]  # the part of the text that is the document (a CREST record's body)
    notes: tuple[tuple[int, int, int], ...] = ()  # (number, char_start, char_end)


@dataclass
class Candidate:
    start: int  # the quote's offsets in the document's text
    end: int
    quote: str
    found: DateFind  # offsets relative to the quote's sentence
    note: int | None
    actors: list[Mention] = field(default_factory=list)
    statutes: list[tuple[Citation, list[str]]] = field(default_factory=list)

    @property
    def date_text(self) -> str:
        return self.found.words


def _clause(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause of ``text[lo:hi]`` around ``[start, end)``, never cutting inside it."""
    left = lo
    for m in _CLAUSE.finditer(text, lo, start):
        left = m.end()
    right = hi
    m = _CLAUSE.search(text, end, hi)
    if m is not None:
        right = m.start() + (1 if text[m.start()] == ")" else 0)
    while right - left < _SHORT and (left > lo or right < hi):
        before = [m.end() for m in _CLAUSE.finditer(text, lo, max(lo, left - 2))]
        left = before[-1] if before else lo
        after = _CLAUSE.search(text, min(hi, right + 2), hi)
        right = after.start() if after else hi
    return left, right


def _supersedes(finds: list[DateFind], text: str, sentence: Sentence) -> list[DateFind]:
    """Drop a bounding phrase whose clause holds a calendar date."""
    kept = []
    for f in finds:
        if f.basis in ("bounded", "document"):
            a, b = _clause(text, sentence.start + f.start, sentence.start + f.end, *_span(sentence))
            if any(
                g is not f
                and g.basis in ("stated", "inferred")
                and a <= sentence.start + g.start < b
                for g in finds
            ):
                continue
        kept.append(f)
    return kept


def _span(sentence: Sentence) -> tuple[int, int]:
    return sentence.start, sentence.end


def draft_candidates(
    document: DocumentView, actors: ActorIndex, statutes: StatuteIndex
) -> list[Candidate]:
    """The candidates of ``document``, in the order of the text."""
    text = document.text
    regions = body_regions(len(text), document.body, document.notes)
    candidates: list[Candidate] = []
    seen: set[tuple[int, int, str]] = set()
    for sentence in split_sentences(text, regions):
        finds = _supersedes(find_dates(sentence.text, document.date), text, sentence)
        acts = [c for c in find_citations(sentence.text) if c.kind == "act"]
        for found in finds:
            act = next((c for c in acts if c.start <= found.start < c.end), None)
            if act is not None:
                # The year in an Act's name dates its enactment: quote the citation.
                start, end = sentence.start + act.start, sentence.start + act.end
            elif len(sentence.text) > _LONG:
                start, end = _clause(
                    text, sentence.start + found.start, sentence.start + found.end, *_span(sentence)
                )
            else:
                start, end = sentence.start, sentence.end
            if (start, end, found.date.edtf) in seen:
                continue
            seen.add((start, end, found.date.edtf))
            candidate = Candidate(start, end, text[start:end], found, sentence.note)
            quote = candidate.quote
            candidate.actors = _unique_actors(actors.find(quote))
            candidate.statutes = [(c, statutes.match(c)) for c in find_citations(quote)]
            candidates.append(candidate)
    return candidates


def _unique_actors(mentions: list[Mention]) -> list[Mention]:
    seen: set[str] = set()
    unique = []
    for mention in mentions:
        if mention.actor not in seen:
            seen.add(mention.actor)
            unique.append(mention)
    return unique
