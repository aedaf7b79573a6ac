"""Statute citations in English prose, matched to the statutes the database holds.

The formal citations ("19 U.S.C. 1307", "section 1307 of title 19, United States Code", "46 Stat.
590, 689", "Pub. L. 71-361") are read by citeurl's own federal templates, which know the
variants (U.S.C./USC, §§, pincites) a few regexes would miss; it works offline from the patterns
it ships. The way memoranda cite an Act, "Section 307 of the Tariff Act of 1930" or "the Trade
Act of 1974", is a custom template of ours.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Citation", "StatuteIndex", "find_citations"]

_ACT = r"(?:[A-Z][\w'’.-]*\s+){1,6}?Act(?:\s+of\s+[12][0-9]{3})?"
_NAMED_ACT = {
    "Named Acts": {
        "tokens": {
            "section": {"regex": r"\d+[A-Za-z]?(?:\([a-z0-9]+\))*"},
            "act": {"regex": _ACT},
        },
        "patterns": [
            r"(?:[Ss]ection|[Ss]ec\.|§)\s?{section},?\s+of\s+the\s+{act}",
            r"\b[Tt]he\s{act}",
        ],
    }
}
_FEDERAL = ("U.S. Code", "U.S. Public Laws", "U.S. Statutes at Large")


@dataclass(frozen=True)
class Citation:
    start: int
    end: int
    text: str
    kind: str  # "us_code", "statutes_at_large", "public_law" or "act"
    tokens: tuple[tuple[str, str], ...]

    def token(self, name: str) -> str | None:
        return dict(self.tokens).get(name)


@functools.cache
def _citator() -> Any:
    # Only the general federal templates: the state codes and case law would cost seconds to load
    # and find nothing a statute row can match.
    from citeurl import Citator, Template

    citator = Citator(defaults=["general federal law"])
    for name, values in _NAMED_ACT.items():
        citator.templates[name] = Template.from_dict(name, values)
    return citator


_KINDS = {
    "U.S. Code": "us_code",
    "U.S. Public Laws": "public_law",
    "U.S. Statutes at Large": "statutes_at_large",
    "Named Acts": "act",
}


def find_citations(text: str) -> list[Citation]:
    """Every statute citation in ``text``, in order; a longer one hides those inside it."""
    found: list[Citation] = []
    citator = _citator()
    for name in (*_FEDERAL, "Named Acts"):
        for cite in citator.templates[name].list_longform_cites(text):
            start, end = cite.span
            if name == "Named Acts" and text[start : start + 4].lower() == "the ":
                start += 4  # the article is the sentence's, not the citation's
            if any(start < c.end and c.start < end for c in found):
                continue
            tokens = tuple((k, v) for k, v in cite.tokens.items() if v is not None)
            found.append(Citation(start, end, text[start:end], _KINDS[name], tokens))
    return sorted(found, key=lambda c: c.start)


def _norm(title: str) -> str:
    return " ".join(re.sub(r"^the\s+", "", title.strip(), flags=re.I).split()).casefold()


@dataclass(frozen=True)
class StoredStatute:
    key: str
    parent: str | None
    section: str | None
    titles: tuple[str, ...]
    us_code: str | None
    statutes_at_large: str | None
    public_law: str | None


class StatuteIndex:
    """The stored statutes, looked up by what a citation gives."""

    def __init__(self, statutes: Iterable[StoredStatute]) -> None:
        self.statutes = list(statutes)
        self.by_key = {s.key: s for s in self.statutes}
        self._formal: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for statute in self.statutes:
            for column in ("us_code", "statutes_at_large", "public_law"):
                value = getattr(statute, column)
                for cite in find_citations(value) if value else ():
                    self._formal.setdefault(self._formal_key(cite), []).append(statute.key)

    @staticmethod
    def _formal_key(cite: Citation) -> tuple[str, tuple[str, ...]]:
        if cite.kind == "us_code":
            return cite.kind, (cite.token("title") or "", cite.token("section") or "")
        if cite.kind == "statutes_at_large":
            return cite.kind, (cite.token("volume") or "", cite.token("page") or "")
        return cite.kind, (cite.token("congress") or "", cite.token("law") or "")

    def match(self, cite: Citation) -> list[str]:
        """The keys of the stored statutes ``cite`` names (none if it names no stored one)."""
        if cite.kind == "act":
            return self._match_act(cite)
        keys = list(self._formal.get(self._formal_key(cite), []))
        pin = cite.token("pincite")
        if cite.kind == "statutes_at_large" and pin:
            pinned = ("statutes_at_large", (cite.token("volume") or "", pin))
            keys += [k for k in self._formal.get(pinned, []) if k not in keys]
        return keys

    def _match_act(self, cite: Citation) -> list[str]:
        act = _norm(re.sub(r"^[Ss]ection\s+", "", cite.token("act") or ""))
        acts = [s for s in self.statutes if s.parent is None and act in map(_norm, s.titles)]
        section = cite.token("section")
        if section is None:
            return [s.key for s in acts]
        keys = [
            s.key
            for s in self.statutes
            if s.section == section and s.parent in {a.key for a in acts}
        ]
        return keys or [s.key for s in acts]
