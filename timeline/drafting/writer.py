"""Write candidates as an annotation file `timeline load` reads once the curator has edited it.

Every entry is marked ``draft = true``, which `timeline load` refuses: the curator checks the
kind, title, description, date and links, then removes the flag. Actors are written as comments
to be given a role, since "mentioned" is a document's role, not an event's.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from timeline.drafting.candidates import Candidate, DocumentView
from timeline.errors import ExportError

__all__ = ["render_draft", "write_draft"]

# Words that suggest an event kind; the first found wins. A guess for the curator to check.
_KIND_WORDS = (
    ("ban", r"\bban\b|\bbanned\b|\bprohibit|\bembargo"),
    ("enactment", r"\benact|\bAct of [0-9]{4}\b"),
    ("finding", r"\bfinding\b|\bfound that\b"),
    ("denial", r"\bdenied\b|\bdeny\b|\bdenies\b"),
    ("testimony", r"\baffidavit|\btestif|\btestimony"),
    ("recommendation", r"\brecommend"),
    ("estimate", r"\bestimat"),
    ("meeting", r"\bmeeting\b|\bmet\b|\bdiscussion\b|\bdiscussed\b|\bconversation\b|\btalks\b"),
    ("message", r"\bmessage\b|\btelegram\b|\bcable\b"),
    ("letter", r"\bletter\b"),
    ("memorandum", r"\bmemorandum\b"),
    ("assistance", r"\bfurnished\b|\bprovided\b|\bassist"),
    ("release", r"\brelease\b"),
    ("distribution", r"\bdistribution\b|\bcopies\b|\bAddressee\b"),
    ("assessment", r"\bconclude|\bassess|\bconvinced\b|\bbelieve\b"),
)


def _kind(quote: str) -> str:
    for kind, pattern in _KIND_WORDS:
        if re.search(pattern, quote, re.IGNORECASE):
            return kind
    return "document"


def _s(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's."""
    return json.dumps(value, ensure_ascii=False)


def _title(quote: str) -> str:
    words = " ".join(quote.split())
    return words if len(words) <= 90 else words[:89].rsplit(" ", 1)[0] + "…"


def _key_stem(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


def _entry(document: DocumentView, number: int, candidate: Candidate) -> list[str]:
    found = candidate.found
    quote = " ".join(candidate.quote.split())
    lines = ["[[event]]", f"key = {_s(f'{_key_stem(document.key)}-draft-{number:03d}')}"]
    lines.append("draft = true")
    lines.append(f"# at characters {candidate.start}–{candidate.end} of {document.key}")
    if candidate.note is not None:
        lines.append(
            f"# from the editors' note {candidate.note}: the editors' words, not the text's"
        )
    lines.append(f"kind = {_s(_kind(quote))}  # guessed from the words; check it")
    description = quote
    if candidate.note is not None:
        description = f"[The editors' note {candidate.note}:] {quote}"
    lines.append(f"title = {_s(_title(quote))}")
    lines.append(f"description = {_s(description)}")
    lines.append(f"date = {_s(found.date.edtf)}")
    lines.append(f"date_text = {_s(found.words)}")
    lines.append(f"date_basis = {_s(found.basis)}")
    lines.append(
        f"date_note = {_s(f'{found.words!r} read as {found.date.display()}: {found.note}.')}"
    )
    if candidate.actors:
        lines.append("# the quote mentions these actors; list those who act, each with a role:")
        lines.extend(f"# mentions {_s(m.actor)} as {_s(m.words)}" for m in candidate.actors)
    linked = [(c, k) for c, keys in candidate.statutes for k in keys]
    for citation, keys in candidate.statutes:
        if not keys:
            lines.append(f"# cites {_s(citation.text)}, which no stored statute matches")
    if linked:
        lines.append("statutes = [")
        seen: set[str] = set()
        for citation, key in linked:
            if key not in seen:
                seen.add(key)
                lines.append(f'  {{ statute = {_s(key)}, relation = "cited" }},  # {citation.text}')
        lines.append("]")
    lines.append(f"quotes = [{_s(candidate.quote)}]")
    return lines


def render_draft(document: DocumentView, candidates: list[Candidate]) -> str:
    """The annotation file, as text."""
    lines = [
        f"# Candidate events drafted by `timeline draft` from {document.key} "
        f"(dated {document.date.display()}).",
        "# Every entry is a draft: check its kind, title, description, date and links against the",
        "# text, then delete its `draft = true`. `timeline load` refuses an entry still marked.",
        "",
        f"document = {_s(document.key)}",
    ]
    for number, candidate in enumerate(candidates, start=1):
        lines.append("")
        lines.extend(_entry(document, number, candidate))
    return "\n".join(lines) + "\n"


def check_output(path: Path, *, force: bool) -> None:
    """Refuse, before any work, a path the draft cannot be written to."""
    parent = path.parent
    if not parent.is_dir():
        raise ExportError(f"cannot write '{path}': directory '{parent}' does not exist")
    if path.exists() or path.is_symlink():
        if not path.is_file():
            raise ExportError(f"'{path}' is not a regular file; not replacing it")
        if not force:
            raise ExportError(f"'{path}' already exists; use --force to replace it")
    if not os.access(parent, os.W_OK):
        raise ExportError(f"cannot write '{path}': directory '{parent}' is not writable")


def write_draft(path: Path, content: str, *, force: bool) -> None:
    """Write ``content`` to ``path`` whole or not at all (a temporary beside it, then renamed)."""
    check_output(path, force=force)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ExportError(f"cannot write '{path}': {exc.strerror or exc}") from exc
    try:
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(content)
            os.replace(name, path)
        except OSError as exc:  # a full disk, a quota, an I/O error
            raise ExportError(f"cannot write '{path}': {exc.strerror or exc}") from exc
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
