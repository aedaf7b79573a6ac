"""Locate a quotation in a messy primary-source text and return its verbatim raw offsets.

Offsets are Python ``str`` indices (code points) into the raw text exactly as stored, so that
``text[start:end]`` is the source's own rendering of the quote, whatever typography or OCR damage
it carries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from timeline.errors import QuoteNotFoundError

__all__ = ["find_all", "find_quote", "fold", "whole_occurrences"]

_CHAR_FOLDS: dict[str, str] = {
    "\u02bc": "'",  # modifier letter apostrophe
    "\u2019": "'",
    "\u2018": "'",
    "\u2032": "'",  # prime, a common OCR reading of an apostrophe
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
}

# str.isspace() already covers U+00A0, U+2007 and U+202F; listed so the contract is explicit.
_EXTRA_SPACES = frozenset("\u00a0\u2007\u202f")

_QUOTE_PREVIEW = 60

Span = tuple[int, int]


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch in _EXTRA_SPACES


def _fold_with_map(text: str, skip: bytearray | None = None) -> tuple[str, list[int]]:
    """Fold ``text``, dropping positions flagged in ``skip``; map each folded char to its raw index.

    Whitespace runs become one space mapped to the run's first character; a run is only emitted
    once a non-space character follows it, so the result is already stripped.
    """
    out: list[str] = []
    index: list[int] = []
    pending_space = -1
    for i, ch in enumerate(text):
        if skip is not None and skip[i]:
            continue
        if _is_space(ch):
            if pending_space < 0 and out:
                pending_space = i
            continue
        if pending_space >= 0:
            out.append(" ")
            index.append(pending_space)
            pending_space = -1
        out.append(_CHAR_FOLDS.get(ch, ch))
        index.append(i)
    return "".join(out), index


def fold(text: str) -> str:
    """Return the comparison form of ``text``: typographic quotes and dashes made ASCII, whitespace
    runs (including no-break and narrow spaces) collapsed to one space, and the ends stripped.
    Case is kept."""
    return _fold_with_map(text)[0]


def _preview(quote: str) -> str:
    if len(quote) <= _QUOTE_PREVIEW:
        return repr(quote)
    return repr(quote[:_QUOTE_PREVIEW] + "…")


def _skip_mask(length: int, ignore: Sequence[Span]) -> bytearray:
    mask = bytearray(length)
    for start, end in ignore:
        start, end = max(start, 0), min(end, length)
        if start < end:
            mask[start:end] = b"\x01" * (end - start)
    return mask


def _scan(haystack: str, needle: str, accept: Callable[[int, int], bool]) -> list[Span]:
    """Non-overlapping occurrences of ``needle`` in ``haystack``, left to right, that ``accept``."""
    found: list[Span] = []
    pos = haystack.find(needle)
    while pos >= 0:
        end = pos + len(needle)
        if accept(pos, end):
            found.append((pos, end))
            pos = haystack.find(needle, end)
        else:
            pos = haystack.find(needle, pos + 1)
    return found


def _bit_masks(needle: str) -> dict[str, int]:
    """For each character of ``needle``, the int whose bit i is set where ``needle[i]`` is it.

    Built from a bitmap a character, not by or-ing one bit at a time into a growing int, which
    copied the int at every bit: quadratic in the length of the quote."""
    bitmaps: dict[str, bytearray] = {}
    size = len(needle) // 8 + 1
    for i, ch in enumerate(needle):
        bitmap = bitmaps.get(ch)
        if bitmap is None:
            bitmap = bitmaps[ch] = bytearray(size)
        bitmap[i >> 3] |= 1 << (i & 7)
    return {ch: int.from_bytes(bitmap, "little") for ch, bitmap in bitmaps.items()}


def _ocr_scan(folded: str, folded_quote: str, *, lost_glyphs: bool) -> list[Span]:
    """Non-overlapping matches of ``folded_quote`` in ``folded`` (both folded) with OCR tolerance.

    Spaces on either side are optional, and a space in the text may also stand for one glyph the
    OCR lost inside a word ("Wil iam" for "William"). Only word-internal quote characters may be
    lost, so the quote "officials denied" does not match "official denied". Bit-parallel
    Shift-And keeps the scan linear in the text; each hit's start is found by running the mirrored
    automaton backwards from its end. Returns folded-index spans that start and end on non-spaces.
    """
    words = folded_quote.split(" ")
    needle = "".join(words)
    inner = 0
    pos = 0
    for word in words:
        for i in range(1, len(word) - 1):
            inner |= 1 << (pos + i)
        pos += len(word)
    if not lost_glyphs:
        inner = 0
    m = len(needle)
    full = 1 << (m - 1)
    masks = _bit_masks(needle)
    back_masks = _bit_masks(needle[::-1])
    back_inner = int(format(inner, f"0{m}b")[::-1], 2) if inner else 0

    def start_of(end: int) -> int:
        state = 0
        for k in range(end, -1, -1):
            ch = folded[k]
            if ch == " ":
                state |= (state << 1) & back_inner
                continue
            state = ((state << 1) | 1) & back_masks.get(ch, 0)
            if state & full:
                return k
        raise AssertionError("forward match without a backward one")  # pragma: no cover

    hits: list[Span] = []
    state = 0
    for k, ch in enumerate(folded):
        if ch == " ":
            state |= (state << 1) & inner
            continue
        state = ((state << 1) | 1) & masks.get(ch, 0)
        if state & full:
            hits.append((start_of(k), k + 1))
            state = 0
    return hits


class _Matcher:
    """Builds each tier's comparison string lazily, once, and answers matches in raw offsets."""

    def __init__(self, text: str, quote: str, ignore: Sequence[Span]) -> None:
        self.text = text
        self.raw_quote = quote.strip()
        self.folded_quote = fold(quote)
        if not self.folded_quote:
            raise QuoteNotFoundError(f"empty quote: {_preview(quote)}")
        self.quote = quote
        self.mask = _skip_mask(len(text), ignore)
        self._folded: tuple[str, list[int]] | None = None

    def tier_exact(self) -> list[Span]:
        mask = self.mask

        # A verbatim hit that begins or ends on a footnote or page marker is not the quote itself.
        def accept(start: int, end: int) -> bool:
            return not mask[start] and not mask[end - 1]

        return _scan(self.text, self.raw_quote, accept)

    def _folded_text(self) -> tuple[str, list[int]]:
        if self._folded is None:
            self._folded = _fold_with_map(self.text, self.mask)
        return self._folded

    def tier_folded(self) -> list[Span]:
        folded, index = self._folded_text()
        hits = _scan(folded, self.folded_quote, lambda _s, _e: True)
        return [(index[s], index[e - 1] + 1) for s, e in hits]

    def tier_unspaced(self) -> list[Span]:
        folded, index = self._folded_text()
        quote = self.folded_quote
        if len(quote) - quote.count(" ") > len(folded) - folded.count(" "):
            return []  # more letters than the text has: no scan (its cost grows with the quote)

        # Loose matching must not start or end inside a word: "ofthe" is not "t|o the".
        def on_word_edges(start: int, end: int) -> bool:
            before = folded[start - 1] if start else " "
            after = folded[end] if end < len(folded) else " "
            return not (quote[0].isalnum() and before.isalnum()) and not (
                quote[-1].isalnum() and after.isalnum()
            )

        # Spaces made optional first; only then may a space stand for a glyph the OCR lost.
        for lost_glyphs in (False, True):
            hits = [
                (index[s], index[e - 1] + 1)
                for s, e in _ocr_scan(folded, quote, lost_glyphs=lost_glyphs)
                if on_word_edges(s, e)
            ]
            if hits:
                return hits
        return []

    def tiers(self) -> tuple[Callable[[], list[Span]], ...]:
        return (self.tier_exact, self.tier_folded, self.tier_unspaced)

    def not_found(self, detail: str = "") -> QuoteNotFoundError:
        return QuoteNotFoundError(f"quote not found{detail}: {_preview(self.quote)}")


def find_quote(
    text: str,
    quote: str,
    *,
    ignore: Sequence[Span] = (),
    occurrence: int = 1,
) -> Span:
    """Return the raw ``(start, end)`` of the ``occurrence``-th (1-based) match of ``quote``.

    Tiers, loosest last: exact substring; folded comparison with the ``ignore`` spans (footnote and
    page markers) removed; the same with whitespace made optional (OCR word splits). The first tier
    with at least ``occurrence`` matches is used. Raises QuoteNotFoundError for a blank quote or
    one that cannot be found.
    """
    if occurrence < 1:
        raise ValueError(f"occurrence is 1-based, got {occurrence}")
    matcher = _Matcher(text, quote, ignore)
    best = 0
    for tier in matcher.tiers():
        hits = tier()
        if len(hits) >= occurrence:
            return hits[occurrence - 1]
        best = max(best, len(hits))
    if best:
        raise matcher.not_found(f" {occurrence} times (only {best})")
    raise matcher.not_found()


def find_all(text: str, quote: str, *, ignore: Sequence[Span] = ()) -> list[Span]:
    """Return every non-overlapping raw span of ``quote`` in the first tier that matches at all.

    Callers use it to check that a quote is unambiguous. Raises QuoteNotFoundError for a blank
    quote; an absent one gives an empty list.
    """
    matcher = _Matcher(text, quote, ignore)
    for tier in matcher.tiers():
        hits = tier()
        if hits:
            return hits
    return []


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
