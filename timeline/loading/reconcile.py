"""Finding the actors a load names among those the database holds, before making new ones.

A FRUS volume's persons list names people other volumes and the seed name too: Dean Rusk is
``p_RD1`` in vol. V and the seed's ``rusk``. An actor the plan marks as matchable is looked for by
identifier, then by the seed's FRUS id, then by name (folded, against names and aliases); only
when nothing matches is it written under its own key. Every match is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from timeline.errors import LoadError
from timeline.loading.plan import LoadPlan
from timeline.models import Actor, ActorAlias, ActorIdentifier, GlossaryTerm
from timeline.textmatch import fold

if TYPE_CHECKING:
    from timeline.loading.writer import PlanWriter


@lru_cache(maxsize=8192)  # a volume names the same few hundred people thousands of times
def name_key(name: str) -> str:
    """A name as compared: folded dashes and quotes, one space, no case, no final period."""
    return " ".join(fold(name).casefold().split()).rstrip(".")


class Reconciler:
    def __init__(self, session: Session, plan: LoadPlan) -> None:
        self.session = session
        self.plan = plan
        self.merges: list[str] = []
        self._names: dict[str, int | None] | None = None

    def names(self) -> dict[str, int | None]:
        """Folded name or alias -> actor id; None where two actors share it (no guess then)."""
        if self._names is None:
            found: dict[str, int | None] = {}
            rows = [
                *self.session.execute(select(Actor.name, Actor.id)),
                *self.session.execute(select(ActorAlias.alias, ActorAlias.actor_id)),
            ]
            for name, actor_id in rows:
                key = name_key(name)
                found[key] = actor_id if found.get(key, actor_id) == actor_id else None
            self._names = found
        return self._names

    def find(self, key: str) -> tuple[Actor, str] | None:
        match = self.plan.matches[key]
        for scheme, value in match.identifiers:
            actor = self.session.scalar(
                select(Actor)
                .join(ActorIdentifier)
                .where(ActorIdentifier.scheme == scheme, ActorIdentifier.value == value)
            )
            if actor is not None:
                return actor, f"identifier {value}"
        if match.frus_id:
            actor = self.session.scalar(select(Actor).where(Actor.frus_id == match.frus_id))
            if actor is not None:
                return actor, f"FRUS id {match.frus_id}"
        for name in match.names:
            actor_id = self.names().get(name_key(name))
            if actor_id is not None:
                actor = self.session.get(Actor, actor_id)
                if actor is not None:
                    return actor, f"name {name!r}"
        return None

    def resolve(self, writer: PlanWriter, known: Mapping[str, Actor]) -> dict[str, Actor]:
        """The stored actor for every matchable plan actor, written anew where none matches."""
        resolved: dict[str, Actor] = {}
        for key in self.plan.matches:
            found = self.find(key)
            if found is not None:
                actor, how = found
                resolved[key] = actor
                writer.touched["actors"] += 1
                if actor.key != key:
                    self.merges.append(f"{key} → {actor.key} (by {how})")
                continue
            row = self.plan.actors[key]
            (actor,) = writer.upsert(Actor, {key: writer.stored(row)}).values()
            self.session.flush()
            resolved[key] = actor
            for name in (row["name"], *self.plan.matches[key].names):
                self.names().setdefault(name_key(name), actor.id)
        return resolved

    def identifier_holders(self) -> dict[tuple[str, str], str]:
        """(scheme, value) -> key of the stored actor holding it, for the plan's identifiers:
        one query, where one per identifier made a volume's load slow."""
        values = sorted({v for wanted in self.plan.identifiers.values() for _, v in wanted})
        holders: dict[tuple[str, str], str] = {}
        for start in range(0, len(values), 5000):
            query = (
                select(ActorIdentifier.scheme, ActorIdentifier.value, Actor.key)
                .join(Actor)
                .where(ActorIdentifier.value.in_(values[start : start + 5000]))
            )
            holders.update(
                ((scheme, value), key) for scheme, value, key in self.session.execute(query)
            )
        return holders

    def write_extras(self, writer: PlanWriter, actors: Mapping[str, Actor]) -> None:
        """Identifiers (added, never taken away: other loads add theirs) and glossary terms."""
        holders = self.identifier_holders()
        for key, wanted in self.plan.identifiers.items():
            actor = actors[key]
            have = {(i.scheme, i.value) for i in actor.identifiers}
            for scheme, value in wanted:
                writer.touched["actor_identifiers"] += 1
                if (scheme, value) in have:
                    continue
                other = holders.get((scheme, value))
                if other is not None and other != actor.key:
                    raise LoadError(
                        f"identifier {scheme}:{value} of actor '{key}' belongs to actor "
                        f"'{other}' already"
                    )
                actor.identifiers.append(ActorIdentifier(scheme=scheme, value=value))
                have.add((scheme, value))
                holders[(scheme, value)] = actor.key
        if not self.plan.glossary:
            return
        volumes = {row["volume"] for row in self.plan.glossary}
        stored = {
            (term.volume, term.term_id): term
            for term in self.session.scalars(
                select(GlossaryTerm).where(GlossaryTerm.volume.in_(sorted(volumes)))
            )
        }
        for row in self.plan.glossary:
            writer.touched["glossary_terms"] += 1
            term = stored.get((row["volume"], row["term_id"]))
            if term is None:
                term = GlossaryTerm(**row)
                self.session.add(term)
                stored[(row["volume"], row["term_id"])] = term
            else:
                for name, value in row.items():
                    if getattr(term, name) != value:
                        setattr(term, name, value)
