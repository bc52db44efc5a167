"""Test files to the xdist workers under ``--dist loadfile`` (``make test``): every Spark file on one
worker, longest work first.

xdist hands whole files to the workers, most tests first. Two things went wrong with that on 2 cores:

* a file of one long test (a second Spark process, the job server, a browser walkthrough) started
  last and ran alone while the other worker idled (~100 s of the SQLite pass, measured 2026-12-07);
* ordered longest first, the Spark files ran on both workers at once: two JVMs on two cores made
  them ~20 % slower (the Spark files' seconds 735 → 849 between two runs), which ate the gain.

So the files with a Spark test form **one unit** (``SPARK``: one worker, one Spark session, one JVM
start), and the units go out by their measured seconds, longest first (the longest-processing-time
rule): the Spark unit and the long files start first, short files end the run.

The seconds come from ``tests/file_seconds.json`` ({file: [seconds, tests]}), written by a run with
``--file-seconds=PATH`` (each file's setup + call + teardown times, summed on the controller). A file
not in it counts its tests × the mean seconds per test of the file. Stale numbers cost balance only,
never a result: every test still runs once. Refresh after adding or reshaping slow files::

    .venv/bin/pytest -n auto --dist loadfile --file-seconds=tests/file_seconds.json
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from xdist.scheduler import LoadFileScheduling

SECONDS = Path(__file__).resolve().parent.parent / "file_seconds.json"
SPARK = "spark"  # the scope of every file with a Spark test
_SPARK_ID = re.compile(r"\[spark[\]-]")  # the engine parameter first: ``[spark]``, ``[spark-product_day]``


def load_seconds(path: Path = SECONDS) -> dict[str, tuple[float, int]]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {f: (float(s), int(n)) for f, (s, n) in data.items()}


def spark_files(nodeids) -> set[str]:
    """The files with a Spark test: a Spark engine parameter in a test id, or Spark in the file name."""
    out = set()
    for nodeid in nodeids:
        file, _, rest = nodeid.partition("::")
        if "spark" in Path(file).name or _SPARK_ID.search(rest):
            out.add(file)
    return out


def order(units: dict[str, dict[str, int]], seconds: dict[str, tuple[float, int]]) -> list[str]:
    """The units ({unit: {file: number of tests}}) longest first. A file costs its measured seconds,
    else its tests × the mean seconds per test of the measured files (1 s without any); a unit the sum
    of its files. Ties keep the given order."""
    tests = sum(n for _s, n in seconds.values())
    mean = sum(s for s, _n in seconds.values()) / tests if tests else 1.0
    cost = {u: sum(seconds[f][0] if f in seconds else n * mean for f, n in files.items()) for u, files in units.items()}
    return sorted(units, key=lambda u: -cost[u])


class LongestFirst(LoadFileScheduling):
    """``--dist loadfile`` with the Spark files as one unit and the work queue in :func:`order`."""

    _ordered = False
    _spark: set[str] | None = None

    def _split_scope(self, nodeid: str) -> str:
        if self._spark is None and self.collection is not None:  # set by ``schedule`` before its first call
            self._spark = spark_files(self.collection)
        file = nodeid.split("::", 1)[0]
        return SPARK if file in (self._spark or ()) else file

    def _assign_work_unit(self, node) -> None:
        if not self._ordered:  # the queue is complete on the first assignment (``schedule``)
            self._ordered = True
            queue = dict(self.workqueue)
            units: dict[str, dict[str, int]] = {}
            for scope, work in queue.items():
                files = units.setdefault(scope, {})
                for nodeid in work:
                    file = nodeid.split("::", 1)[0]
                    files[file] = files.get(file, 0) + 1
            self.workqueue.clear()
            for scope in order(units, load_seconds()):
                self.workqueue[scope] = queue[scope]
        super()._assign_work_unit(node)


class Recorder:
    """Sums each file's phase durations from the reports (on the xdist controller) and writes them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seconds: dict[str, float] = defaultdict(float)
        self.tests: dict[str, set[str]] = defaultdict(set)

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        file = report.nodeid.split("::", 1)[0]
        self.seconds[file] += report.duration
        self.tests[file].add(report.nodeid)

    @pytest.hookimpl
    def pytest_sessionfinish(self) -> None:
        if self.seconds:
            write_seconds(self.path, {f: (self.seconds[f], len(self.tests[f])) for f in self.seconds})


def write_seconds(path: Path, seconds: dict[str, tuple[float, int]]) -> None:
    """One line per file, sorted, so a refresh reads as a diff."""
    lines = [f"{json.dumps(f)}: [{round(s, 1)}, {n}]" for f, (s, n) in sorted(seconds.items())]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n")
