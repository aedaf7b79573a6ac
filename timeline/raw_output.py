"""Text written as the bytes under it: a report's parts, written by other processes as UTF-8
files, are copied to the output's bytes without decoding and encoding them again (0.6 s of
120 MB), where the output's text is UTF-8 with its line ends left as they are."""

from __future__ import annotations

import codecs
import io
import os
import shutil
from pathlib import Path
from typing import BinaryIO, TextIO

COPIED = 2**20  # bytes a file is copied to the output by


def copy_file_bytes(path: Path, out: TextIO, raw: BinaryIO, *, skip: int = 0) -> None:
    """A UTF-8 file after its first ``skip`` bytes to ``raw``, the bytes under ``out`` (as
    :func:`utf8_bytes` gives them), once the text written to ``out`` before it has gone there."""
    out.flush()
    with path.open("rb") as file:
        file.seek(skip)
        shutil.copyfileobj(file, raw, COPIED)


def utf8_bytes(stream: TextIO) -> BinaryIO | None:
    """The bytes under ``stream``, a :class:`io.TextIOWrapper` that writes line ends as the
    platform's (as ``sys.stdout`` does), where its text goes to them unchanged: as UTF-8, on a
    platform whose line end is ``"\\n"`` (``write_report``'s ``raw``). None elsewhere."""
    buffer = getattr(stream, "buffer", None)
    if not isinstance(stream, io.TextIOWrapper) or buffer is None or os.linesep != "\n":
        return None
    try:
        utf8 = codecs.lookup(stream.encoding).name == "utf-8"
    except LookupError:
        return None
    return buffer if utf8 else None  # type: ignore[no-any-return]
