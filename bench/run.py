"""Run benchmarks and print how each subject compares with its baseline.

    python bench/run.py            # every bench/bench_*.py
    python bench/run.py loader     # bench/bench_loader.py only (name or bench_name)

A benchmark module exposes ``run() -> list[dict]``; each row has at least
``case``, ``subject_s``, ``baseline_s`` and ``ratio`` (subject / baseline: lower is
better, 1.0 = as fast as the baseline), plus whatever else it wants to record
(``rows``, ``baseline``…). Results are printed as a table and written as JSON to
bench/results/ (gitignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"


def discover(names: list[str]) -> list[Path]:
    found = sorted(BENCH_DIR.glob("bench_*.py"))
    if not names:
        return found
    wanted = {n.removeprefix("bench_").removesuffix(".py") for n in names}
    chosen = [p for p in found if p.stem.removeprefix("bench_") in wanted]
    unknown = wanted - {p.stem.removeprefix("bench_") for p in chosen}
    if unknown:
        available = ", ".join(p.stem.removeprefix("bench_") for p in found) or "none"
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))} (available: {available})")
    return chosen


def load_module(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    if not callable(getattr(module, "run", None)):
        raise TypeError(f"{path.name} has no run() function")
    return module


def environment() -> dict:
    def version(dist: str) -> str | None:
        from importlib.metadata import PackageNotFoundError, version as v

        try:
            return v(dist)
        except PackageNotFoundError:
            return None

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BENCH_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "commit": commit,
        "packages": {d: version(d) for d in ("shopops", "duckdb", "ibis-framework", "pyarrow", "psycopg")},
    }


def fmt(value, width: int) -> str:
    if isinstance(value, float):
        text = f"{value:.3f}" if value < 100 else f"{value:.1f}"
    else:
        text = "" if value is None else str(value)
    return text.rjust(width)


def print_table(rows: list[dict]) -> None:
    cols = ["bench", "case", "rows", "subject_s", "baseline_s", "ratio"]
    widths = {c: max(len(c), *(len(fmt(r.get(c), 0).strip()) for r in rows)) for c in cols}
    print("  ".join(c.ljust(widths[c]) if c in ("bench", "case") else c.rjust(widths[c]) for c in cols))
    print("  ".join("-" * widths[c] for c in cols))
    for r in rows:
        print(
            "  ".join(
                str(r.get(c, "")).ljust(widths[c]) if c in ("bench", "case") else fmt(r.get(c), widths[c])
                for c in cols
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/*.json")
    parser.add_argument("--json", metavar="PATH", help="also write the rows (as bench/results' JSON) to PATH")
    args = parser.parse_args(argv)

    paths = discover(args.names)
    if not paths:
        print("no bench/bench_*.py found", file=sys.stderr)
        return 1
    rows: list[dict] = []
    failed: list[str] = []
    for path in paths:
        name = path.stem.removeprefix("bench_")
        print(f"== {name}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            for row in load_module(path).run():
                if "ratio" not in row and row.get("baseline_s"):
                    row["ratio"] = row["subject_s"] / row["baseline_s"]
                rows.append({"bench": name, **row})
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"   {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)

    if rows:
        print_table(rows)
        sys.stdout.flush()
    if rows and not args.no_save:
        RESULTS_DIR.mkdir(exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        out = RESULTS_DIR / f"{stamp}-{'-'.join(p.stem.removeprefix('bench_') for p in paths)}.json"
        out.write_text(json.dumps({"at": stamp, "environment": environment(), "results": rows}, indent=2, default=str))
        print(f"\nwrote {out.relative_to(BENCH_DIR.parent)}", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps({"environment": environment(), "results": rows, "failed": failed},
                                              indent=2, default=str))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
