"""Tests for timeline.textmatch: locating quotes in messy primary-source texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.errors import QuoteNotFoundError
from timeline.sources.spans import read_text
from timeline.textmatch import _bit_masks, find_all, find_quote, fold

SEED = Path(__file__).resolve().parent.parent / "seed"


def _read(name: str) -> str:
    return read_text(SEED / name)


FRUS = _read("000_b383fc1ab894f415.txt")
CREST = _read("004_cc4de62e6d221da1.txt")

# Known marker positions in the FRUS seed, found independently of the parser.
HEADING_MARKER = FRUS.index("Kennedy0") + len("Kennedy")
CRAB_MARKER = FRUS.index("meat.1 It") + len("meat.")
RUSK_MARKER = FRUS.index("Dean Rusk2") + len("Dean Rusk")
PAGE_START = FRUS.index("[Page 87]")
FRUS_IGNORE: tuple[tuple[int, int], ...] = (
    (HEADING_MARKER, HEADING_MARKER + 1),
    (CRAB_MARKER, CRAB_MARKER + 1),
    (PAGE_START, PAGE_START + len("[Page 87]")),
    (RUSK_MARKER, RUSK_MARKER + 1),
)


def _assert_clean(text: str, span: tuple[int, int], ignore=()) -> None:
    start, end = span
    assert 0 <= start < end <= len(text)
    piece = text[start:end]
    assert piece == piece.strip()
    for a, b in ignore:
        assert not a <= start < b
        assert not a < end <= b


# --- fold -----------------------------------------------------------------------------------


def test_fold_apostrophes_quotes_dashes() -> None:
    assert fold("Departmentʼs ’x‘ 1′") == "Department's 'x' 1'"
    assert fold("“quoted”") == '"quoted"'
    assert fold("1961–1963 — a − b") == "1961-1963 - a - b"


def test_fold_whitespace_is_collapsed_and_stripped_case_kept() -> None:
    assert fold("  Body:\u00a0\n\tText\u2007and\u202fMore  ") == "Body: Text and More"
    assert fold("ABC def") == "ABC def"
    assert fold(" \n\u00a0 ") == ""


# --- tier 1: exact --------------------------------------------------------------------------


def test_exact_match() -> None:
    quote = "the ban against imported Soviet crab meat be lifted"
    start, end = find_quote(FRUS, quote)
    assert FRUS[start:end] == quote
    assert start == FRUS.index(quote)


def test_quote_is_stripped_before_matching() -> None:
    start, end = find_quote(FRUS, "  Dillon concurs \n")
    assert FRUS[start:end] == "Dillon concurs"


def test_exact_match_may_not_start_on_an_ignored_marker() -> None:
    with pytest.raises(QuoteNotFoundError):
        find_quote(FRUS, "1 It is my", ignore=FRUS_IGNORE)
    # Without the ignore spans the digit is ordinary text.
    start, end = find_quote(FRUS, "1 It is my")
    assert FRUS[start:end] == "1 It is my"


# --- tier 2: folded ---------------------------------------------------------------------------


def test_folded_modifier_apostrophe() -> None:
    start, end = find_quote(FRUS, "In the Department's opinion")
    assert FRUS[start:end] == "In the Department\u02bcs opinion"


def test_folded_nbsp_and_line_breaks() -> None:
    start, end = find_quote(CREST, "Document Type: Collection:")
    assert CREST[start:end] == "Document Type:\u00a0\nCollection:"


def test_folded_en_dash() -> None:
    start, end = find_quote(FRUS, "Foreign Relations, 1961-1963, vol. VI")
    assert FRUS[start:end] == "Foreign Relations, 1961–1963, vol. VI"


def test_folded_across_footnote_marker() -> None:
    quote = "prohibition against the importation of Soviet crab meat. It is my recommendation"
    start, end = find_quote(FRUS, quote, ignore=FRUS_IGNORE)
    assert FRUS[start:end] == quote.replace("meat. It", "meat.1 It")
    with pytest.raises(QuoteNotFoundError):
        find_quote(FRUS, quote)


def test_folded_across_page_marker() -> None:
    quote = "concurs in this recommendation. We believe that it is of great importance"
    start, end = find_quote(FRUS, quote, ignore=FRUS_IGNORE)
    assert FRUS[start:end] == (
        "concurs in this recommendation.\n\n[Page 87]\n\nWe believe that it is of great importance"
    )


def test_folded_match_ends_before_a_trailing_marker() -> None:
    span = find_quote(FRUS, "to President Kennedy", ignore=FRUS_IGNORE)
    assert FRUS[span[0] : span[1]] == "to President Kennedy"
    span = find_quote(FRUS, "national interest. Dean Rusk", ignore=FRUS_IGNORE)
    assert FRUS[span[0] : span[1]] == "national interest.\n\nDean Rusk"
    _assert_clean(FRUS, span, FRUS_IGNORE)


def test_quote_that_includes_the_marker_itself_is_not_the_source_span() -> None:
    with pytest.raises(QuoteNotFoundError):
        find_quote(FRUS, "President Kennedy0", ignore=FRUS_IGNORE)


# --- tier 3: OCR space splits ---------------------------------------------------------------


def test_ocr_split_name() -> None:
    start, end = find_quote(CREST, "William J. Casey")
    assert CREST[start:end] == "Wil iam J. Casey"
    start, end = find_quote(CREST, "Yours, William J. Casey")
    assert CREST[start:end] == "Yours, Wil iam J. Casey"


def test_ocr_whitespace_optional_on_both_sides() -> None:
    text = "see Washington, D.C. 20220"
    assert find_quote(text, "D. C. 20220") == (text.index("D.C."), len(text))
    text = "the Sec retary of State"  # a split with no lost glyph
    start, end = find_quote(text, "Secretary of")
    assert text[start:end] == "Sec retary of"


def test_ocr_tier_does_not_invent_word_final_letters() -> None:
    # A space may stand for a glyph lost inside a word, not for a plural "s" at a word's end.
    assert find_all("various official denied it", "officials denied") == []
    text = "various official s denied it"
    assert find_all(text, "officials denied") == [(8, text.index(" it"))]


def test_ocr_tier_is_linear_on_repetitive_text() -> None:
    text = "aaaa " * 50_000
    assert find_all(text, "aaaaaaaaaaaaaab") == []


# --- occurrences and find_all -----------------------------------------------------------------


def test_occurrence_counts_in_text_order() -> None:
    stamp = "Approved For Release 2007/08/29"
    spans = find_all(CREST, stamp)
    assert len(spans) == 4
    assert spans == sorted(spans)
    second = find_quote(CREST, stamp, occurrence=2)
    assert second == spans[1]
    assert second != find_quote(CREST, stamp)
    assert CREST[second[0] : second[1]] == stamp
    with pytest.raises(QuoteNotFoundError, match="5 times"):
        find_quote(CREST, stamp, occurrence=5)


def test_occurrence_must_be_positive() -> None:
    with pytest.raises(ValueError):
        find_quote(CREST, "Casey", occurrence=0)


def test_find_all_is_non_overlapping() -> None:
    assert find_all("aaaa", "aa") == [(0, 2), (2, 4)]


def test_find_all_uses_first_tier_that_matches() -> None:
    text = "the Departmentʼs view; the Department's view"
    assert find_all(text, "Department's") == [(27, 39)]
    assert find_all(text, "Departmentʼs view") == [(4, 21)]
    assert find_all(text, "Department\u2019s") == [(4, 16), (27, 39)]


def test_find_all_absent_is_empty() -> None:
    assert find_all(FRUS, "Bay of Pigs") == []


def test_find_quote_uses_a_looser_tier_for_a_later_occurrence() -> None:
    text = "the Departmentʼs view; the Department's view"
    assert find_quote(text, "Department's", occurrence=2) == (27, 39)
    assert find_quote(text, "Department's", occurrence=1) == (27, 39)


# --- errors ---------------------------------------------------------------------------------


def test_not_found_raises_with_quote_preview() -> None:
    quote = "The Bay of Pigs operation " * 5
    with pytest.raises(QuoteNotFoundError) as caught:
        find_quote(FRUS, quote)
    message = str(caught.value)
    assert "The Bay of Pigs operation The Bay of Pigs" in message
    assert quote.strip() not in message  # truncated at about 60 characters
    assert isinstance(caught.value, LookupError)


@pytest.mark.parametrize("quote", ["", "   ", "\u00a0\n\t"])
def test_blank_quote_raises(quote: str) -> None:
    with pytest.raises(QuoteNotFoundError):
        find_quote(FRUS, quote)
    with pytest.raises(QuoteNotFoundError):
        find_all(FRUS, quote)


# --- spans are always clean -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quote", "ignore"),
    [
        (FRUS, "Soviet crab meat", ()),
        (FRUS, "crab meat. It is", FRUS_IGNORE),
        (FRUS, "recommendation. We", FRUS_IGNORE),
        (FRUS, "SUBJECT • Soviet Crab Meat", FRUS_IGNORE),
        (FRUS, "Kennedy SUBJECT", FRUS_IGNORE),
        (CREST, "Approved For Release", ()),
        (CREST, "William J. Casey cc:", ()),
        (CREST, "Body: Approved", ()),
    ],
)
def test_returned_spans_never_start_or_end_on_whitespace(
    text: str, quote: str, ignore: tuple[tuple[int, int], ...]
) -> None:
    spans = find_all(text, quote, ignore=ignore)
    assert spans
    for span in spans:
        _assert_clean(text, span, ignore)


# --- properties -------------------------------------------------------------------------------


def _word_bounds(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\S+", text)]


def _without(text: str, span: tuple[int, int], ignore) -> str:
    """``text[span]`` with the ignored characters removed, for comparing folded forms."""
    start, end = span
    return "".join(
        ch for i, ch in enumerate(text[start:end], start) if not any(a <= i < b for a, b in ignore)
    )


@st.composite
def _word_slices(draw: st.DrawFn, text: str) -> str:
    words = _word_bounds(text)
    first = draw(st.integers(0, len(words) - 1))
    last = draw(st.integers(first, min(first + 12, len(words) - 1)))
    return text[words[first][0] : words[last][1]]


@settings(max_examples=150, deadline=None)
@given(data=st.data(), which=st.sampled_from(["frus", "crest"]))
def test_property_any_word_slice_is_found(data: st.DataObject, which: str) -> None:
    text = FRUS if which == "frus" else CREST
    quote = data.draw(_word_slices(text))
    span = find_quote(text, quote)
    assert text[span[0] : span[1]] == quote
    # A folded rendering (ASCII apostrophes, single spaces) finds a span with the same fold.
    span = find_quote(text, fold(quote))
    _assert_clean(text, span)
    assert fold(text[span[0] : span[1]]) == fold(quote)


def _cleaned(text: str, ignore) -> str:
    return "".join(ch for i, ch in enumerate(text) if not any(a <= i < b for a, b in ignore))


FRUS_CLEAN = fold(_cleaned(FRUS, FRUS_IGNORE))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_property_quotes_written_without_markers_are_found(data: st.DataObject) -> None:
    quote = data.draw(_word_slices(FRUS_CLEAN))
    span = find_quote(FRUS, quote, ignore=FRUS_IGNORE)
    _assert_clean(FRUS, span, FRUS_IGNORE)
    assert fold(_without(FRUS, span, FRUS_IGNORE)) == quote


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_property_quotes_without_spaces_are_found(data: st.DataObject) -> None:
    quote = data.draw(_word_slices(CREST))
    squeezed = "".join(quote.split())
    span = find_quote(CREST, squeezed)
    _assert_clean(CREST, span)
    assert "".join(fold(CREST[span[0] : span[1]]).split()) == "".join(fold(quote).split())


def test_loose_matching_never_starts_inside_a_word() -> None:
    """Regression: "ofthe" once matched "t|o the" (a space standing for the lost "f")."""
    text = "We went to the camp. Most of the men stayed."
    start, end = find_quote(text, "ofthe")
    assert text[start:end] == "of the"


def test_spaces_made_optional_win_over_lost_glyphs() -> None:
    text = "Wil iam J. Casey and William Casey"
    assert find_quote(text, "WilliamJ. Casey") == (0, 16)


def test_bit_masks_set_each_position_of_each_character() -> None:
    needle = "officials denied it" * 40
    masks = _bit_masks(needle)
    assert set(masks) == set(needle)
    for ch, mask in masks.items():
        assert [i for i in range(len(needle)) if mask >> i & 1] == [
            i for i, c in enumerate(needle) if c == ch
        ]


def test_a_quote_longer_than_the_text_is_not_found() -> None:
    # Two million words, loosely matched, once built a Shift-And mask of four million bits one
    # bit at a time (quadratic); a quote with more letters than the text is never looked for.
    text = "The Secretary said that the officials denied it."
    with pytest.raises(QuoteNotFoundError, match="quote not found"):
        find_quote(text, "x " * 2_000_000 + "officials denied it")
