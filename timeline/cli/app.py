"""What every command shares: the database on ``ctx.obj``, option types, and the error edge."""

from __future__ import annotations

import errno
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import click

from timeline.dates import parse_bound
from timeline.db import Database, SchemaState
from timeline.errors import DateError, TimelineError
from timeline.records import holds_no_records
from timeline.seed import load_seed


@dataclass
class App:
    """The ``--db`` the user gave; the database is opened on first use, not at start-up."""

    db_arg: str | None
    _database: Database | None = field(default=None, init=False)

    @property
    def database(self) -> Database:
        if self._database is None:
            self._database = Database.open(self.db_arg)
        return self._database

    def ready(self) -> Database:
        """The database, created and seeded first if it does not exist yet (said on stderr)."""
        database = self.database
        state = database.state()
        if state in (SchemaState.MISSING, SchemaState.EMPTY):
            click.echo(
                f"timeline: {database.name} has no timeline yet; creating it and loading the seed",
                err=True,
            )
            database.upgrade()
            summary = load_seed(database)
            click.echo(f"timeline: {seed_line(summary.counts)}", err=True)
        else:
            database.require_current(state)
        return database


pass_app = click.make_pass_decorator(App)


def seed_line(counts: dict[str, int] | Any) -> str:
    names = ("documents", "events", "actors", "statutes", "sources")
    return "loaded " + ", ".join(f"{counts[n]} {n}" for n in names)


class PartialDate(click.ParamType):
    """YYYY, YYYY-MM or YYYY-MM-DD, as the report's window bounds."""

    name = "YYYY[-MM[-DD]]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            parse_bound(str(value))
        except DateError as exc:
            self.fail(str(exc), param, ctx)
        return str(value)


class TimelineGroup(click.Group):
    """Turns domain errors into one-line messages, once, for every command."""

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
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.UsageError as exc:
            # Click would print the usage block too; one line says it, with where to look.
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            click.echo(f"Error: {exc.format_message()}{hint}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # `timeline report | head`
                sys.stderr.close()
                sys.exit(1)
            raise
        sys.exit(code if isinstance(code, int) else 0)


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
    with database.session() as session:
        if holds_no_records(session):
            click.echo(
                f"timeline: {database.name} holds no records yet; run 'timeline seed' to load "
                "the seed, or 'timeline import FILE'",
                err=True,
            )
