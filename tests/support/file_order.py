"""Longest test files first under ``--dist loadfile`` (``make test``).

xdist hands whole files to the workers, most tests first. A file of one long test (a second Spark
process, the job server, a browser walkthrough) then starts last and runs alone while the other
worker idles: ~100 s of the SQLite pass on 2 cores (measured 2026-12-07). Here the files go out by
their measured seconds, longest first (the classic longest-processing-time rule), so the last
files to start are short ones.

The seconds come from ``tests/file_seconds.json`` ({file: [seconds, tests]}), written by a run with
``--file-seconds=PATH`` (each file's setup + call + teardown times, summed on the controller). A file
not in it counts its tests × the mean seconds per test of the file. Stale numbers cost balance only,
never a result: every test still runs once. Refresh after adding or reshaping slow files::

    .venv/bin/pytest -n auto --dist loadfile --file-seconds=tests/file_seconds.json
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from xdist.scheduler import LoadFileScheduling

SECONDS = Path(__file__).resolve().parent.parent / "file_seconds.json"


def load_seconds(path: Path = SECONDS) -> dict[str, tuple[float, int]]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {f: (float(s), int(n)) for f, (s, n) in data.items()}


def order(files: dict[str, int], seconds: dict[str, tuple[float, int]]) -> list[str]:
    """``files`` ({file: number of tests}) longest first: measured seconds, else tests × the mean
    seconds per test of the measured files (1 s without any); ties keep the given order."""
    tests = sum(n for _s, n in seconds.values())
    mean = sum(s for s, _n in seconds.values()) / tests if tests else 1.0
    cost = {f: seconds[f][0] if f in seconds else n * mean for f, n in files.items()}
    return sorted(files, key=lambda f: -cost[f])


class LongestFirst(LoadFileScheduling):
    """``--dist loadfile`` with the work queue in :func:`order`."""

    _ordered = False

    def _assign_work_unit(self, node) -> None:
        if not self._ordered:  # the queue is complete on the first assignment (``schedule``)
            self._ordered = True
            units = dict(self.workqueue)
            self.workqueue.clear()
            for scope in order({s: len(u) for s, u in units.items()}, load_seconds()):
                self.workqueue[scope] = units[scope]
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
