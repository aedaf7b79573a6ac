"""`timeline draft`: candidate events of a stored document, as an annotation file to edit."""

from __future__ import annotations

from pathlib import Path

import click

from timeline.cli.app import App, pass_app


@click.command()
@click.argument("key")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    metavar="FILE.toml",
    help="Write the file here. Default: stdout.",
)
@click.option("--force", is_flag=True, help="Replace FILE.toml if it exists.")
@pass_app
def draft(app: App, key: str, output: Path | None, force: bool) -> None:
    """Draft candidate events of a stored document, as an annotation file to edit.

    Every sentence that carries a date expression becomes a candidate: its quote and offsets,
    the date read against the document's date as precisely as the words allow (EDTF) with its
    basis (stated, inferred, bounded, document), the statutes it cites, matched to the stored
    ones, and the stored actors it names. Sentences of the editors' notes are marked as theirs.
    Every entry says draft = true, which `timeline load` refuses: check each, then remove the
    flag. An existing FILE.toml is kept unless --force is given.

    \b
    Examples:
      timeline draft frus1961-63v05-d37
      timeline draft frus1961-63v05-d43 -o d43.toml && $EDITOR d43.toml && timeline load d43.toml
    """
    from timeline.drafting.store import draft_document
    from timeline.drafting.writer import check_output, render_draft, write_draft

    if output is not None:
        check_output(output, force=force)
    view, candidates = draft_document(app.database, key)
    content = render_draft(view, candidates)
    if output is None:
        click.echo(content, nl=False)
        return
    write_draft(output, content, force=force)
    click.echo(f"{output}: {len(candidates)} candidate events from {key}", err=True)
