"""What every command shares: the database on ``ctx.obj``, option types, and the error edge.

Nothing here imports SQLAlchemy or Alembic at start-up: `timeline --version` and `--help` load
neither, and each command's module is imported only when that command runs (``LazyCommands``).
"""

from __future__ import annotations

import codecs
import errno
import importlib
import io
import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from timeline import collector
from timeline.errors import DateError, TimelineError

if TYPE_CHECKING:
    from timeline.db import Database


class App:
    """The ``--db`` the user gave; the database is opened on first use, not at start-up. A
    plain class: a dataclass is built when its module is imported, and every command, `--help`
    too, imports this one."""

    def __init__(self, db_arg: str | None) -> None:
        self.db_arg = db_arg
        self._database: Database | None = None

    @property
    def database(self) -> Database:
        if self._database is None:
            from timeline.db import Database

            self._database = Database.open(self.db_arg)
        return self._database

    def ready(self) -> Database:
        """The database, created and seeded first if it does not exist yet (said on stderr).

        A first run that fails leaves no file behind (see ``Database.creating``).
        """
        from timeline.db import SchemaState

        database = self.database
        state = database.state()
        if state in (SchemaState.MISSING, SchemaState.EMPTY):
            database.check_creatable()
            click.echo(
                f"timeline: {database.name} has no timeline yet; creating it and loading the seed",
                err=True,
            )
            from timeline.seed import load_seed  # the models and the seed texts: only here

            with database.creating():
                database.upgrade()
                summary = load_seed(database)
            for warning in summary.warnings:
                click.echo(f"timeline: warning: {warning}", err=True)
            click.echo(f"timeline: {seed_line(summary.counts)}", err=True)
        else:
            database.require_current(state)
        return database


pass_app = click.make_pass_decorator(App)


def seed_line(counts: dict[str, int] | Any) -> str:
    names = ("documents", "events", "actors", "statutes", "sources")
    return "loaded " + ", ".join(f"{counts[n]} {n}" for n in names)


def printable(value: str) -> str:
    """``value`` as it can be shown: bytes that are not UTF-8 as \\x escapes."""
    return os.fsencode(value).decode("utf-8", "backslashreplace")


def is_utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Text(click.ParamType):
    """Text that goes into the database or a query: it must be valid UTF-8.

    Click hands over bytes that are not UTF-8 as lone surrogates (Python's surrogateescape),
    which no driver can encode.
    """

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if not is_utf8(text):
            self.fail(f"'{printable(text)}' is not valid UTF-8", param, ctx)
        return text


class PartialDate(click.ParamType):
    """YYYY, YYYY-MM or YYYY-MM-DD, as the report's window bounds."""

    name = "YYYY[-MM[-DD]]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from timeline.dates import parse_bound

        try:
            parse_bound(str(value))
        except DateError as exc:
            self.fail(printable(str(exc)), param, ctx)
        return str(value)


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands, each imported from ``module:attribute`` the first time it is used.

    Iterating gives every name without importing anything; ``summaries`` gives the first
    paragraph of each command's help, for the command list of ``timeline --help`` (a test keeps
    them equal to the commands' own help).
    """

    def __init__(self, lazy: Mapping[str, tuple[str, str]]) -> None:
        self._paths = {name: path for name, (path, _summary) in lazy.items()}
        self.summaries = {name: summary for name, (_path, summary) in lazy.items()}
        self._loaded: dict[str, click.Command] = {}

    def is_loaded(self, name: str) -> bool:
        return name in self._loaded

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, _, attribute = self._paths[name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._loaded.pop(name, None)
        self._paths.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(set(self._paths) | set(self._loaded)))

    def __len__(self) -> int:
        return len(set(self._paths) | set(self._loaded))


class TimelineGroup(click.Group):
    """Turns domain errors into one-line messages, once, for every command."""

    def __init__(
        self, *args: Any, lazy_commands: Mapping[str, tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if lazy_commands is not None:
            commands = LazyCommands(lazy_commands)
            commands.update(self.commands)
            self.commands = commands

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = self.commands
        if not isinstance(commands, LazyCommands):
            super().format_commands(ctx, formatter)
            return
        # The list of commands without importing them: their summaries stand in for their help.
        names = list(commands)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [
            (
                name,
                commands[name].get_short_help_str(limit)
                if commands.is_loaded(name) or name not in commands.summaries
                else click.Command(name, help=commands.summaries[name]).get_short_help_str(limit),
            )
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TimelineError as exc:
            raise click.ClickException(str(exc)) from exc

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        if not extra.pop("standalone_mode", True):
            return super().main(args, prog_name, standalone_mode=False, **extra)
        args = list(sys.argv[1:] if args is None else args)
        whole_writes()
        collector.for_streaming()
        for arg in args:
            if "\x00" in arg:  # no real argv holds one, but a caller's list can
                _fail(f"Error: argument {printable(arg)!r} contains a NUL character", 2)
        previous = _terminate_like_interrupt()
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
            _flush_stdout()
        except Terminated:
            _fail("Terminated", 128 + signal.SIGTERM)
        except click.exceptions.NoArgsIsHelpError as exc:
            # A bare `timeline` asks for the help: print it, as --help does.
            click.echo(exc.ctx.get_help(), color=exc.ctx.color)
            sys.exit(0)
        except click.UsageError as exc:
            # Click would print the usage block too; one line says it, with where to look.
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            _fail(f"Error: {exc.format_message()}{hint}", exc.exit_code)
        except click.ClickException as exc:
            _fail(f"Error: {exc.format_message()}", exc.exit_code)
        except click.Abort:
            _fail("Aborted!", 1)
        except (UnicodeEncodeError, UnicodeDecodeError) as exc:
            # The last net: a command that does not check its text itself.
            _fail(f"Error: {_unicode_message(args, exc)}", 1)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # `timeline report | head`
                _silence_stdout()
                sys.stderr.close()
                sys.exit(1)
            _fail(f"Error: {_os_message(exc)}", 1)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        sys.exit(code if isinstance(code, int) else 0)


class Terminated(BaseException):
    """SIGTERM (``kill``, ``timeout``, a service stopping), raised where the command is."""


def _raise_terminated(_signum: int, _frame: object) -> None:
    raise Terminated


def _terminate_like_interrupt() -> Any:
    """Have SIGTERM end a command as Ctrl-C does: by an exception, so that the cleanup that
    removes a half-written export or a half-made database runs (it only killed the process).
    Returns the handler it replaced, None where none was replaced (not the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _raise_terminated)


def whole_writes() -> None:
    """Under PYTHONUNBUFFERED (``python -u``), sys.stdout's text layer writes to the raw file
    and ignores a short write (a disk that fills): the rest of the output would be lost and the
    command end with status 0. A buffer put between them writes everything or raises."""
    stream = sys.stdout
    raw = getattr(stream, "buffer", None)
    if isinstance(stream, io.TextIOWrapper) and isinstance(raw, io.RawIOBase):
        sys.stdout = io.TextIOWrapper(
            io.BufferedWriter(raw),
            encoding=stream.encoding,
            errors=stream.errors,
            line_buffering=True,  # as unbuffered as the caller asked, a line at a time
        )


def _flush_stdout() -> None:
    # Here, so that a full disk under `timeline report > file` is reported like any other error,
    # not at exit by the interpreter.
    sys.stdout.flush()


def _silence_stdout() -> None:
    # Output still buffered would fail again when the interpreter flushes it at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _fail(message: str, code: int) -> None:
    _silence_stdout_if_broken()
    click.echo(printable(message), err=True)
    sys.exit(code)


def _silence_stdout_if_broken() -> None:
    try:
        sys.stdout.flush()
    except OSError:
        _silence_stdout()
    except ValueError:  # closed
        pass


def _unicode_message(args: Sequence[str], exc: UnicodeError) -> str:
    for arg in args:
        if not is_utf8(arg):
            return f"argument '{printable(arg)}' is not valid UTF-8"
    if isinstance(exc, UnicodeEncodeError) and _is_stdout_encoding(exc.encoding):
        # Text that is UTF-8 all the way, met by an output that is not (PYTHONIOENCODING=ascii,
        # a C locale on an old system): the output cannot carry it, the input is fine.
        character = exc.object[exc.start : exc.start + 1]
        return (
            f"the standard output's encoding, {exc.encoding}, cannot write "
            f"{character!r} (U+{ord(character):04X}); set PYTHONIOENCODING=utf-8"
        )
    return f"the input is not valid UTF-8 text ({exc.reason})"


def _is_stdout_encoding(name: str) -> bool:
    """Whether ``name`` is the standard output's encoding, and that is not UTF-8 (which can
    write any text but surrogate escapes: bytes read that were not UTF-8, the input's fault)."""
    stdout = getattr(sys.stdout, "encoding", None)
    try:
        codec = codecs.lookup(name).name
        return stdout is not None and codec == codecs.lookup(stdout).name != "utf-8"
    except LookupError:
        return False


def _os_message(exc: OSError) -> str:
    what = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"'{printable(os.fsdecode(exc.filename))}': {what}"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG):
        return f"cannot write the output: {what}"
    return what


def format_option(choices: Sequence[str], default: str = "table") -> Any:
    return click.option(
        "--format",
        "-f",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="Output format.",
    )


def hint_if_empty(database: Database) -> None:
    """One line on stderr when a reading command meets a database that was never loaded."""
    from timeline.records import holds_no_records

    with database.session() as session:
        if holds_no_records(session):
            click.echo(
                f"timeline: {database.name} holds no records yet; run 'timeline seed' to load "
                "the seed, or 'timeline import FILE'",
                err=True,
            )
