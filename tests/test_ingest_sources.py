"""`timeline ingest crest` and `timeline ingest text`: records in, checked, all or none."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from conftest import dump

from timeline.paths import seed_dir

DATA = Path(__file__).parent / "data"
CREST = DATA / "crest"
TEXT = DATA / "text"
NUMBER = "CIA-RDP88B00443R001500070028-8"
SEED_CREST = seed_dir() / "004_cc4de62e6d221da1.txt"
COLLECTION = "collection=CIA Records Search Tool (CREST)"


def test_the_seeds_crest_record_is_recognised_as_stored(
    seeded: str, run: Callable[..., Result]
) -> None:
    before = dump(seeded)
    result = run("--db", seeded, "ingest", "crest", str(SEED_CREST))
    assert "nothing changed" in result.stdout
    assert f"unchanged {NUMBER}: this text is stored already" in result.stdout
    assert dump(seeded) == before


def test_crest_records_ingest_once(db_url: str, run: Callable[..., Result]) -> None:
    run("--db", db_url, "init")
    first = run("--db", db_url, "ingest", "crest", str(SEED_CREST))
    assert "read 1 file: 1 document, 1 event" in first.stdout
    assert "added: 1 documents, 1 event_sources, 1 events" in first.stdout
    shown = run("--db", db_url, "show", NUMBER).stdout
    for value in ("SOVIET FORCED LABOR", "16 May 1984", "RIFPUB", "May 16, 1984"):
        assert value in shown, value
    before = dump(db_url)
    again = run("--db", db_url, "ingest", "crest", str(SEED_CREST))
    assert "nothing changed" in again.stdout
    assert dump(db_url) == before
    assert "no problems" in run("--db", db_url, "check").stdout


def test_crest_fields_are_stored(db_url: str, run: Callable[..., Result]) -> None:
    run("--db", db_url, "init")
    run("--db", db_url, "ingest", "crest", str(SEED_CREST))
    rows = run(
        "--db", db_url, "sql", "--format", "csv",
        "SELECT doc_number, date_edtf, date_text, record_created, release_decision, "
        "classification, page_count, content_type, sequence_number, approved_for_release, "
        f"release_date, url, doc_type FROM documents WHERE key = '{NUMBER}'",
    ).stdout.splitlines()  # fmt: skip
    assert rows[1] == (
        f'{NUMBER},1984-05-16,"May 16, 1984",2016-12-20,RIFPUB,K,2,MEMO,28,2007-08-29,'
        "2007-08-27,https://www.cia.gov/readingroom/document/cia-rdp88b00443r001500070028-8,"
        "memorandum"
    )


def test_an_undated_crest_record_is_skipped_with_its_reason(
    db_url: str, run: Callable[..., Result]
) -> None:
    run("--db", db_url, "init")
    result = run("--db", db_url, "ingest", "crest", str(CREST / "no_publication_date.txt"))
    assert (
        f"skipped no_publication_date.txt: {NUMBER}: no Publication Date, so no date the record "
        "states" in result.stdout
    )
    assert "nothing changed" in result.stdout


def test_dry_run_writes_nothing(db_url: str, run: Callable[..., Result]) -> None:
    run("--db", db_url, "init")
    before = dump(db_url)
    result = run("--db", db_url, "ingest", "crest", "--dry-run", str(SEED_CREST))
    assert "would be added: 1 documents" in result.stdout
    assert "dry run: nothing was written" in result.stdout
    assert dump(db_url) == before


def _refused(run: Callable[..., Result], url: str, *args: str) -> str:
    before = dump(url)
    result = run("--db", url, "ingest", *args, expect=1)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert dump(url) == before
    return lines[0]


def test_bad_crest_input_is_one_line_and_changes_nothing(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    no_number = _refused(
        run, seeded, "crest", str(SEED_CREST), str(CREST / "no_document_number.txt")
    )
    assert no_number.startswith("Error: no_document_number.txt: no document number")
    # crlf.txt is the seed's record with other line ends: another text under the same number.
    stored = _refused(run, seeded, "crest", str(CREST / "crlf.txt"))
    assert stored == (
        f"Error: crlf.txt: document key '{NUMBER}' is stored with another text; nothing loaded "
        f"('timeline show {NUMBER}' shows it; --replace loads the new text)"
    )
    within = _refused(run, seeded, "crest", str(CREST / "no_nbsp.txt"), str(CREST / "crlf.txt"))
    assert within == (
        f"Error: crlf.txt: document key '{NUMBER}' is also no_nbsp.txt's, with another text"
    )
    unreadable = tmp_path / "record.txt"
    unreadable.write_bytes(b"\xff\xfe not UTF-8")
    assert _refused(run, seeded, "crest", str(unreadable)).startswith(
        "Error: record.txt: not UTF-8 text"
    )
    missing = _refused(run, seeded, "crest", str(tmp_path / "nothing.txt"))
    assert missing.endswith("nothing.txt: no such file or directory")


def test_plain_texts_ingest_with_their_actors_matched(
    seeded: str, run: Callable[..., Result]
) -> None:
    result = run("--db", seeded, "ingest", "text", str(TEXT), "--set", COLLECTION)
    assert "read 2 files: 2 documents, 2 events" in result.stdout
    assert "matched william-j-casey → casey (by name 'William J. Casey')" in result.stdout
    assert "matched secretary-of-state → shultz (by name 'Secretary of State')" in result.stdout
    assert "new actor" not in result.stdout
    shown = run("--db", seeded, "show", "casey-to-regan-1984-05-16").stdout
    assert "William J. Casey · author  (casey)" in shown
    assert "Donald T. Regan · recipient  (regan)" in shown
    before = dump(seeded)
    again = run("--db", seeded, "ingest", "text", str(TEXT), "--set", COLLECTION)
    assert "nothing changed" in again.stdout and "matched" not in again.stdout
    assert dump(seeded) == before
    assert "no problems" in run("--db", seeded, "check").stdout


def test_an_unknown_name_becomes_a_new_actor_and_is_reported(
    seeded: str, run: Callable[..., Result]
) -> None:
    result = run(
        "--db", seeded, "ingest", "text", str(TEXT / "casey_letter.txt"),
        "--set", "authors=Casey", "--set", "key=casey-letter-copy",
    )  # fmt: skip
    # "casey" is the seed's key for William J. Casey: a bare "Casey" is not matched to him.
    assert "new actor casey-2 ('Casey'): no stored name or alias matched" in result.stdout
    assert "Casey · author  (casey-2)" in run("--db", seeded, "show", "casey-letter-copy").stdout
    names = run("--db", seeded, "sql", "SELECT name FROM actors WHERE key = 'casey'").stdout
    assert "William J. Casey" in names


def test_bad_text_input_is_one_line_and_changes_nothing(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    for name in ("casey_letter.txt", "casey_letter.txt.toml"):
        shutil.copy(TEXT / name, tmp_path / name)
    sidecar = tmp_path / "casey_letter.txt.toml"
    sidecar.write_text(
        sidecar.read_text(encoding="utf-8").replace('"1984-05-16"', '"1984-13-16"'),
        encoding="utf-8",
    )
    bad_date = _refused(run, seeded, "text", str(tmp_path / "casey_letter.txt"))
    assert bad_date.startswith("Error: casey_letter.txt.toml, field 'date': ")
    collides = _refused(
        run, seeded, "text", str(TEXT / "casey_letter.txt"), "--set", f"key={NUMBER}"
    )
    assert collides.startswith(f"Error: casey_letter.txt: document key '{NUMBER}' is stored")
    no_collection = _refused(run, seeded, "text", str(TEXT / "covering_memo.md"))
    assert no_collection == (
        'Error: covering_memo.md: no collection: give collection = "..." in its sidecar or '
        "--set collection=..."
    )
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"a\x00b")
    assert _refused(run, seeded, "text", str(binary), "--set", "key=k", "--set", "title=t")
    bad_set = run("--db", seeded, "ingest", "text", str(binary), "--set", "nokey", expect=2)
    assert "'nokey' is not FIELD=VALUE" in bad_set.stderr


def test_progress_is_quiet_when_piped(db_url: str, run: Callable[..., Result]) -> None:
    run("--db", db_url, "init")
    result = run("--db", db_url, "ingest", "crest", str(SEED_CREST))
    assert result.stderr == ""
