"""Every timeline process (the CLI, an export's or report's worker, an import's reading
process) collects its youngest objects every timeline.collector.YOUNGEST allocations, not
CPython's 700: a streaming run spent a seventh of its time in whole-heap collections that freed
nothing. Each is checked in a fresh interpreter, whose threshold starts at CPython's own."""

from __future__ import annotations

import subprocess
import sys

import pytest

from timeline.collector import YOUNGEST

SHOW = "import gc, sys; print(gc.get_threshold()[0], file=sys.stderr, flush=True)"
PROCESSES = {
    "cli": "import sys; from timeline.cli import main\ntry:\n    main(['--version'])\n"
    "except SystemExit:\n    pass",
    "export worker": "from timeline.export import parallel; parallel.main()",
    "import reader": "import sys; sys.argv = ['', '', 'empty', '-']\n"
    "from timeline.importing import reading_process; reading_process.main()",
}


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_each_process_collects_its_youngest_objects_less_often(process: str) -> None:
    script = f"{SHOW}\n{PROCESSES[process]}\n{SHOW}"
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=b"",
        capture_output=True,
        timeout=120,
        check=True,
    )
    said = done.stderr.split()  # what the process writes on stdout is its own
    assert [int(said[0]), int(said[-1])] == [700, YOUNGEST]  # CPython's, then timeline's
