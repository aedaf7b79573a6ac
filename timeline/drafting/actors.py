"""The known actors a sentence mentions: every actor's name and alias, matched as whole words.

An alias that reads as a description ("the President", "the Department") names its actor only in
the document it was read in; elsewhere it may be someone else, so it is matched only there. Proper
names and abbreviations ("Dillon", "Mr. Dillon", "DCI") are matched in every document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["ActorIndex", "Mention"]


@dataclass(frozen=True)
class Mention:
    start: int  # offsets in the text searched
    end: int
    actor: str  # the actor's key
    words: str


def _descriptive(alias: str) -> bool:
    return alias[:1].islower()


class ActorIndex:
    """Names and aliases of the stored actors, longest first, for one document."""

    def __init__(self, spellings: Iterable[tuple[str, str]]) -> None:
        # (spelling, actor key); a spelling shared by two actors names neither for sure.
        owners: dict[str, set[str]] = {}
        for spelling, key in spellings:
            spelling = " ".join(spelling.split())
            if len(spelling) >= 2 and any(c.isalpha() for c in spelling):
                owners.setdefault(spelling, set()).add(key)
        self.owner = {s: next(iter(k)) for s, k in owners.items() if len(k) == 1}
        words = sorted(self.owner, key=len, reverse=True)
        body = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
        self._pattern = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])") if words else None

    @classmethod
    def for_document(
        cls,
        names: Iterable[tuple[str, str]],
        aliases: Iterable[tuple[str, str, str | None]],
        key: str,
    ) -> ActorIndex:
        """``names`` are (name, actor key); ``aliases`` (alias, actor key, document key or None)."""
        spellings = list(names)
        spellings += [
            (alias, actor)
            for alias, actor, document in aliases
            if not _descriptive(alias) or document in (None, key)
        ]
        return cls(spellings)

    def find(self, text: str) -> list[Mention]:
        if self._pattern is None:
            return []
        mentions = []
        for m in self._pattern.finditer(text):
            words = m.group(0)
            mentions.append(Mention(m.start(), m.end(), self.owner[" ".join(words.split())], words))
        return mentions
