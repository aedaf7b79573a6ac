"""Reading source files strictly, and expanding the paths a user names into the files to read.

Every failure is a SourceFormatError of one line that names the file, so a loader can stop before
it writes anything.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from timeline.errors import SourceFormatError, too_many_digits

__all__ = ["SIDECAR_SUFFIX", "iter_paths", "open_regular", "parse_toml", "read_source"]

SIDECAR_SUFFIX = ".toml"
_BOM = "\ufeff"


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading if it is a regular file; OSError otherwise.

    Opened without blocking first, so a FIFO with no writer (or a device) is refused at once
    instead of hanging the command; a directory raises IsADirectoryError, as ``open`` would.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def parse_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads``, every way it can fail a ``TOMLDecodeError``: a number of more digits
    than ``int()`` takes (a ValueError) and nesting deeper than the interpreter's stack (a
    RecursionError) included, which tomllib lets through."""
    try:
        return tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError is one: it passes through as it is
        if not too_many_digits(exc):
            raise
        limit = sys.get_int_max_str_digits()
        raise tomllib.TOMLDecodeError(f"a number of more than {limit} digits") from None
    except RecursionError:
        raise tomllib.TOMLDecodeError("arrays or tables nested too deeply") from None


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file (see :func:`open_regular`)."""
    with open_regular(path) as handle:
        return handle.read()


def read_source(path: Path) -> str:
    """The file's text exactly (line endings untouched, so offsets point into the file).

    UTF-8 only; a leading byte-order mark is dropped (it is an encoding marker, not text). An
    empty file, invalid UTF-8 and NUL characters (a binary file) are refused.
    """
    try:
        data = read_bytes(path)
    except IsADirectoryError:
        raise SourceFormatError(f"{path.name}: is a directory, not a file") from None
    except OSError as exc:
        raise SourceFormatError(f"{path.name}: cannot read the file ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            f"{path.name}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte offset "
            f"{exc.start})"
        ) from None
    text = text.removeprefix(_BOM)
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise SourceFormatError(
            f"{path.name}, line {line}: NUL character at offset {nul} (a binary file?)"
        )
    if not text.strip():
        raise SourceFormatError(f"{path.name}: the file is empty")
    return text


def _skipped(path: Path) -> bool:
    return path.name.startswith(".") or path.suffix.lower() == SIDECAR_SUFFIX


def iter_paths(
    paths: Iterable[Path | str], suffixes: Iterable[str] | None = None
) -> Iterator[Path]:
    """The files named by ``paths``, in the order given; a directory stands for its files.

    A directory is read one level deep (its subdirectories are not entered, so a folder of
    finished or rejected files beside the sources is not swept in), its files sorted by name,
    skipping hidden files and ``.toml`` sidecars, and, when ``suffixes`` is given (".txt"),
    files with other suffixes. A file named explicitly is always yielded, so that its parser can
    say what is wrong with it. A missing path, or a directory with nothing to read, is an error.
    """
    wanted = {s.lower() for s in suffixes} if suffixes is not None else None
    for item in paths:
        path = Path(item)
        if path.is_dir():
            try:
                entries = sorted(path.iterdir(), key=lambda p: p.name)
            except OSError as exc:
                raise SourceFormatError(
                    f"{path.name or path}: cannot list the directory ({exc.strerror})"
                ) from None
            files = [
                p
                for p in entries
                if p.is_file()
                and not _skipped(p)
                and (wanted is None or p.suffix.lower() in wanted)
            ]
            if not files:
                raise SourceFormatError(f"{path.name or path}: no files to read in the directory")
            yield from files
        elif path.exists():
            yield path
        else:
            raise SourceFormatError(f"{path}: no such file or directory")
