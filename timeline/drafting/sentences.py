"""Split a stored text into sentences, with their offsets, as a reader of English prose would.

A period ends a sentence only when a capital, a digit or an opening quote follows it and the word
before it is not an abbreviation ("Mr.", "U.S.", "p.", "Stat."), an initial ("J.") or a run of
initials ("D. C."). Paragraph breaks always end one. A footnote marker glued to the end of a
sentence ("meat.1 It is") is left outside it, and the number of a numbered paragraph ("2146.",
"1.") is left outside the sentence it opens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

__all__ = ["Region", "Sentence", "split_sentences"]

Span = tuple[int, int]

# Words a period follows without ending the sentence. Lowercased, without their final period.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "messrs",
        "dr",
        "st",
        "jr",
        "sr",
        "sen",
        "sens",
        "rep",
        "reps",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "adm",
        "amb",
        "ambs",
        "gov",
        "govt",
        "pres",
        "prof",
        "hon",
        "rev",
        "fr",
        "no",
        "nos",
        "nr",
        "p",
        "pp",
        "para",
        "paras",
        "sec",
        "secs",
        "ch",
        "chap",
        "art",
        "arts",
        "vol",
        "vols",
        "stat",
        "pub",
        "cf",
        "ibid",
        "op",
        "cit",
        "viz",
        "vs",
        "etc",
        "al",
        "approx",
        "dept",
        "depts",
        "assn",
        "corp",
        "co",
        "inc",
        "ltd",
        "bros",
        "fig",
        "figs",
        "ed",
        "eds",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "a.m",
        "p.m",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "u.n",
        "u.s.s.r",
        "ussr",
        "u.s.c",
    ]
)

_PARAGRAPH = re.compile(r"\n[ \t\u00a0]*\n|\n(?=[ \t]*(?:[•\u2022*-]|\d{1,4}\.\s)\s*)")
# A sentence end: the punctuation, any closing quotes or brackets, then an optional footnote
# marker of one or two digits run into it, then white space and what may open a sentence.
_END = re.compile(r"[.?!]+[\"'”’)\]]*(?P<marker>\d{1,2})?(?=\s+[\"“‘(\[]?[A-Z0-9])")
_NUMBERED = re.compile(r"(?:\d{1,4}|[a-z]|[ivxIVX]{1,4})\.\s+(?=\S)")
_NUMBER_ONLY = re.compile(r"\s*(?:\d{1,4}|[a-z]|[ivxIVX]{1,4})\.")
_BULLET = re.compile(r"[•\u2022*-]\s+")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_INITIAL = re.compile(r"(?:^|[\s(])[A-Z]$")


@dataclass(frozen=True)
class Region:
    """A part of the text to split: the body, or one of its notes (``note`` is its number)."""

    start: int
    end: int
    note: int | None = None


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    note: int | None = None  # the number of the editors' note it stands in, if any


def _abbreviation_before(text: str, end: int) -> bool:
    """Whether the period at ``text[end - 1]`` closes an abbreviation or an initial."""
    head = text[max(0, end - 24) : end]
    if _INITIAL.search(head[:-1]):
        return True  # "J." in "William J. Casey", "D." in "D. C."
    m = _LAST_WORD.search(head)
    return m is not None and m.group(1).lower().rstrip(".") in _ABBREVIATIONS


def _paragraphs(text: str, region: Region) -> Iterator[Span]:
    start = region.start
    for m in _PARAGRAPH.finditer(text, region.start, region.end):
        yield start, m.start()
        start = m.end()
    yield start, region.end


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    m = _NUMBERED.match(text, start, end) or _BULLET.match(text, start, end)
    if m is not None:
        start = m.end()
    return start, end


def _split(text: str, start: int, end: int) -> Iterator[Span]:
    begin = start
    for m in _END.finditer(text, start, end):
        stop = m.end() - len(m.group("marker") or "")
        if text[m.start()] == "." and _abbreviation_before(text, m.start() + 1):
            continue
        if _NUMBER_ONLY.fullmatch(text, begin, m.end()):
            continue  # "1. Mr. Dillon": the number of a numbered paragraph
        if m.group("marker") and text[m.start() - 1].isdigit():
            continue  # "in 1951. 2 The": a number, not a marker, stands before the period
        yield begin, stop
        begin = m.end()
    yield begin, end


def split_sentences(text: str, regions: Iterable[Region]) -> list[Sentence]:
    """The sentences of ``text`` within ``regions``, in order, each with its offsets."""
    sentences: list[Sentence] = []
    for region in regions:
        for p_start, p_end in _paragraphs(text, region):
            for s_start, s_end in _split(text, p_start, p_end):
                start, end = _trim(text, s_start, s_end)
                if end > start and any(ch.isalnum() for ch in text[start:end]):
                    sentences.append(Sentence(start, end, text[start:end], region.note))
    return sentences


def body_regions(length: int, body: Span, notes: Sequence[tuple[int, int, int]]) -> list[Region]:
    """The body (less its notes) and each note as its own region; ``notes`` are (number, start,
    end)."""
    regions: list[Region] = []
    cursor = body[0]
    for _number, start, end in sorted(notes, key=lambda n: n[1]):
        if body[0] <= start < body[1] and start > cursor:
            regions.append(Region(cursor, start))
        cursor = max(cursor, min(end, body[1]))
    if cursor < body[1]:
        regions.append(Region(cursor, body[1]))
    regions.extend(Region(start, end, number) for number, start, end in notes if end <= length)
    return sorted(regions, key=lambda r: r.start)
