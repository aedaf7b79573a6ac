"""The description rule: every sentence of an event's description rests on the event's quotes, or is
bracketed as the editor's words.

The comparison is deliberately simple, so that a curator can predict it. A description is cut
into sentences; text inside square brackets (``[…]``) is the editor's and is not compared. Each
remaining word is folded (case, typographic apostrophes, a possessive ``'s``) and, unless it is a
stop word (:data:`STOP_WORDS`: function words and the few verbs that report speech), reduced to
a light stem (:func:`stem`: a plural, ``-ed``, ``-ing``, ``-ly`` dropped). A word rests on the
quotes when its stem is a stem of a word of the quotes, or begins one or is begun by one, five
letters at least in common ("recommends" rests on "recommendation"). Words of the event's own
actors' names and aliases, and of the words the text dates it with, rest on them too: the event
links them with their evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from timeline.loading.plan import EventPlan

STOP_WORDS = frozenset(
    """
    a about above after again against all also although among an and any are as at be been
    before being between both but by can could did do does doing during each either for from
    had has have having he her here hers him his how however i if in into is it its itself
    later least less many may more most much must my neither no nor not of off on once one only
    or other others our out over own per same she should since so some such than that the
    their theirs them then there these they this those though through thus to too under until
    up upon very was we were what when where whether which while who whom whose why will with
    within without would yet you your
    according said says say stated states told tells wrote writes write
    """.split()  # noqa: SIM905 (a word list reads better as prose)
)

_ENDINGS = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("ly", ""))
_MIN_SHARED = 5  # letters a stem and a quote's word must share when one begins the other
_WORD = re.compile(r"[^\W_]+(?:['ʼ’][^\W_]+)*")
_ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Dr|vol|pp|p|no|Stat|ch)|\b[A-Z])\.$")
_BRACKETED = re.compile(r"\[[^\[\]]*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])[\"”’)]*\s+(?=[\[\"“(A-Z0-9])")


def stem(word: str) -> str:
    """A light stem: folded, a possessive and one common ending dropped."""
    word = word.casefold().replace("ʼ", "'").replace("’", "'")
    word = re.sub(r"'s?$", "", word)
    for ending, keep in (
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("ly", ""),
    ):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)] + keep
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def unbracketed(description: str) -> str:
    """The description less its editor's words: every ``[…]``, however many sentences it spans."""
    while True:
        stripped = _BRACKETED.sub(" ", description)
        if stripped == description:
            return stripped
        description = stripped


def sentences(description: str) -> list[str]:
    """The sentences, not cut after an abbreviation ("Mr. McNamar", "vol. VI", "46 Stat. 689")."""
    found: list[str] = []
    for part in _SENTENCE_END.split(description):
        if found and _ABBREVIATION.search(found[-1]):
            found[-1] = f"{found[-1]} {part}"
        else:
            found.append(part)
    return [part.strip() for part in found if part.strip()]


@dataclass(frozen=True)
class UnquotedSentence:
    """A sentence of a description with content words the event's quotes do not hold."""

    sentence: str
    words: tuple[str, ...]


class _Pool:
    def __init__(self, texts: Iterable[str]) -> None:
        self.stems = {stem(w) for text in texts for w in words(text)}

    def holds(self, word: str) -> bool:
        wanted = stem(word)
        if wanted in self.stems:
            return True
        if len(wanted) < _MIN_SHARED:
            return False
        return any(
            len(have) >= _MIN_SHARED and (have.startswith(wanted) or wanted.startswith(have))
            for have in self.stems
        )


def unquoted_sentences(
    description: str, quotes: Sequence[str], also: Iterable[str] = ()
) -> list[UnquotedSentence]:
    """The sentences of ``description`` whose content words are in none of ``quotes`` (nor in
    ``also``: the event's actors' names and aliases, its date's words)."""
    pool = _Pool([*quotes, *also])
    found = []
    for sentence in sentences(unbracketed(description)):
        missing = [
            w for w in words(sentence) if w.casefold() not in STOP_WORDS and not pool.holds(w)
        ]
        if missing:
            found.append(UnquotedSentence(sentence, tuple(dict.fromkeys(missing))))
    return found


def unquoted_message(found: UnquotedSentence) -> str:
    shown = found.sentence if len(found.sentence) <= 80 else found.sentence[:77] + "…"
    return (
        f'description words in none of its quotes ({", ".join(found.words)}): "{shown}" '
        "(quote them, or bracket the sentence [...])"
    )


def description_warnings(
    key: str, description: str, quotes: Sequence[str], also: Iterable[str] = ()
) -> Iterator[str]:
    """One warning per sentence that neither rests on the quotes nor is bracketed."""
    for found in unquoted_sentences(description, quotes, also):
        yield f"event {key}: {unquoted_message(found)}"


def plan_warnings(
    events: Mapping[str, EventPlan],
    names: Mapping[str, Sequence[str]],
    readings: Sequence[tuple[str, str]] = (),
) -> Iterator[str]:
    """The warnings for every event of a load plan. ``names`` maps actor keys to their names and
    aliases; ``readings`` are (damaged passage, reading) of the texts' OCR damage: a quote with
    the damaged passage holds the reading's words too ("DIRECTOR OF CENTRAL INTELLIGENCE")."""
    for key, event in events.items():
        also = [name for actor, _role in event.actors for name in names.get(actor, ())]
        if event.values["date"].text:
            also.append(event.values["date"].text)
        quotes = [source["quote"] for source in event.sources]
        also.extend(read for damaged, read in readings if any(damaged in q for q in quotes))
        yield from description_warnings(key, event.values["description"], quotes, also)
