"""Importing the whole (large) demo vs DuckDB's own read_csv of the same files; one more day.

Subject: ``shopops.ingest.pipeline.import_file`` of every file of a generated demo (the files
``shopops demo`` writes under ``<var>/demo/<scale>-<days>d-seed<seed>-<end>/``, in the demo's
load order: stores, then each profile store by store) into a fresh DuckDB warehouse, strict, as
``shopops demo`` imports them. Per file: wall-clock and CPU time (``time.process_time``: every
thread of the process), the import's own stages, and the loader's phases (staging in DuckDB,
merge, rollup refresh), summed per table; the load average before and after.
Baseline: ``CREATE TABLE t AS SELECT * FROM read_csv('same file')`` in a plain DuckDB database,
file by file, alternating with the subject (file i's baseline, then file i's import), so both
see the same load. Ratio = sum over files of the subject / sum of the baseline (wall and CPU).

One more day (``BENCH_DAY=1``, default on): the demo's last day, every fact file's rows of that
day with their dates moved one day on and their ids made new (``N`` before order, refund, review
and event ids), imported into the warehouse holding the whole demo vs into one holding only the
demo's last 7 days (plus the dimension files: stores, products, SKUs, customers). The ratio
says whether a day costs more with a year of history stored.

Knobs: ``BENCH_DEMO_FILES`` (the folder of generated files; default: the large demo at
``/work/large-var/demo/large-365d-seed7-2025-12-31``), ``BENCH_LARGE_STORES`` (comma-separated
store ids: only their files; default all), ``BENCH_DAY=0`` skips the one-more-day pair,
``BENCH_TMP`` (where the warehouses go; default the system's temporary directory: needs room
for a copy of the demo's warehouse, ~10 GB for the large demo).
Not part of ``make bench`` by default: the large demo takes 30-60 minutes to import on 2 cores.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import duckdb

DEMO = Path(os.environ.get("BENCH_DEMO_FILES", "/work/large-var/demo/large-365d-seed7-2025-12-31"))
STORES_ONLY = [s for s in os.environ.get("BENCH_LARGE_STORES", "").split(",") if s]
DAY = os.environ.get("BENCH_DAY", "1") != "0"
DIMENSIONS = ("shopops_stores", "shopops_products", "shopops_skus", "shopops_customers")
NEW_IDS = ("order_id", "refund_id", "review_id", "event_id")  # made new (N…) in the one-more-day files


def manifest(folder: Path) -> list[tuple[Path, str, str | None]]:
    """(path, profile id, store id) of every file of a generated demo, in the demo's load order."""
    from shopops.demo.generator import PROFILE_ORDER
    from shopops.demo.generator.spec import STORES

    files: list[tuple[Path, str, str | None]] = [(folder / "stores.csv", "shopops_stores", None)]
    for pid in PROFILE_ORDER:
        for spec in STORES:
            if STORES_ONLY and spec.store_id not in STORES_ONLY:
                continue
            one = folder / spec.store_id / f"{pid}.csv"
            parts = sorted((folder / spec.store_id).glob(f"{pid}.part-*.csv"))
            files += [(p, pid, spec.store_id) for p in ([one] if one.exists() else parts)]
    return files


class Phases:
    """CPU and wall seconds of the loader's phases, by wrapping them (restored on exit)."""

    def __init__(self) -> None:
        self.spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        self._undo: list = []

    def wrap(self, owner, attr: str, name: str) -> None:
        original = getattr(owner, attr)
        spent = self.spent

        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[name][0] += time.perf_counter() - wall
                spent[name][1] += time.process_time() - cpu

        setattr(owner, attr, timed)
        self._undo.append((owner, attr, original))

    def __enter__(self) -> Phases:
        from shopops.ingest import fast_csv
        from shopops.warehouse import loader, rollups
        from shopops.warehouse.backends.sql import Session

        self.wrap(fast_csv, "stage_file", "fast: read+type+check")
        self.wrap(Session, "merge", "merge")
        self.wrap(rollups.Touched, "before", "touched before")
        self.wrap(rollups.Touched, "after", "touched after")
        self.wrap(loader.rollups, "refresh", "rollup refresh")
        return self

    def __exit__(self, *exc) -> None:
        for owner, attr, original in reversed(self._undo):
            setattr(owner, attr, original)

    def take(self) -> dict[str, list[float]]:
        out = {k: [round(w, 3), round(c, 3)] for k, (w, c) in self.spent.items()}
        self.spent.clear()
        return out


def import_one(path: Path, pid: str, store: str | None, con) -> dict:
    from shopops.ingest.pipeline import import_file
    from shopops.ingest.profiles import profile_get

    wall, cpu = time.perf_counter(), time.process_time()
    out = import_file(path, profile=profile_get(pid), con=con, store_id=store, tz="Asia/Shanghai", strict=True,
                      pii_key="bench-large-import")
    if not out.loaded:
        first = out.rejects[0] if out.rejects else None
        raise RuntimeError(f"{path}: not loaded ({out.rows_rejected} rejects; first {first})")
    return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu, "rows": out.rows_read,
            "fast": out.fast, "stages": {k: [round(w, 3), round(c, 3)] for k, (w, c) in out.stages.items()}}


def read_csv_one(path: Path, plain, n: int) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    plain.execute(f"CREATE TABLE f{n} AS SELECT * FROM read_csv('{path}')")
    return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}


def import_all(files, warehouse: Path, *, baseline_db: Path | None) -> dict:
    """Import ``files`` into ``warehouse`` (and read each with read_csv first when ``baseline_db``)."""
    from shopops.warehouse.connection import connect, disconnect_all

    con = connect(f"duckdb:///{warehouse}")
    plain = duckdb.connect(str(baseline_db)) if baseline_db else None
    per_file, by_table = [], defaultdict(lambda: defaultdict(float))
    loads = [os.getloadavg()[0]]
    with Phases() as phases:
        for n, (path, pid, store) in enumerate(files):
            base = read_csv_one(path, plain, n) if plain is not None else None
            got = import_one(path, pid, store, con)
            got["phases"] = phases.take()
            got.update(file=str(path.relative_to(path.parents[1] if store else path.parent)), profile=pid,
                       load=os.getloadavg()[0])
            if base:
                got.update(base_wall_s=round(base["wall_s"], 3), base_cpu_s=round(base["cpu_s"], 3))
            got["wall_s"], got["cpu_s"] = round(got["wall_s"], 3), round(got["cpu_s"], 3)
            per_file.append(got)
            t = by_table[pid]
            t["files"] += 1
            t["rows"] += got["rows"]
            t["wall_s"] += got["wall_s"]
            t["cpu_s"] += got["cpu_s"]
            t["base_wall_s"] += got.get("base_wall_s", 0)
            t["base_cpu_s"] += got.get("base_cpu_s", 0)
            for phase, (w, c) in got["phases"].items():
                t[f"{phase} cpu_s"] += c
            loads.append(got["load"])
            print(json.dumps({k: got[k] for k in ("file", "rows", "wall_s", "cpu_s", "load")}
                             | {"base_cpu_s": got.get("base_cpu_s"), "phases": got["phases"]}), file=sys.stderr, flush=True)
    if plain is not None:
        plain.close()
    disconnect_all()
    return {"files": per_file, "by_table": {k: {m: round(v, 3) for m, v in d.items()} for k, d in by_table.items()},
            "load_avg": f"{min(loads):.1f}–{max(loads):.1f}"}


# --- one more day ---------------------------------------------------------------------------

def _date_sources(pid: str) -> tuple[list[str], str | None, list[str]]:
    """(headers of date and date-time fields, the header placing a row on its business date, id headers to renew)."""
    from shopops.ingest.profiles import FieldType, profile_get
    from shopops.warehouse.schema import TABLES

    profile = profile_get(pid)
    table = TABLES[profile.table]
    dated = [f.source for f in profile.fields if f.type in (FieldType.DATE, FieldType.DATETIME)]
    placing = next((f.source for f in profile.fields if f.to in (table.business_date_of, table.business_date)
                    and f.to is not None), None)
    renew = [f.source for f in profile.fields if f.to in NEW_IDS]
    return dated, placing, renew


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write_day_files(files, out: Path, *, first: str, last: str, shift_from: str | None = None,
                    shift_to: str | None = None) -> list[tuple[Path, str, str | None]]:
    """The rows of each fact file whose business date lies in [first, last] (the dimension files whole),
    as new CSV files under ``out``; with ``shift_from``/``shift_to``: that date moved to the next day
    in every date column and the ids renewed (a day that was never loaded)."""
    con = duckdb.connect()
    picked = []
    for path, pid, store in files:
        target = out / (store or ".") / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if pid in DIMENSIONS:
            if shift_from is None:
                shutil.copyfile(path, target)
                picked.append((target, pid, store))
            continue
        dated, placing, renew = _date_sources(pid)
        if placing is None:
            continue
        with path.open(encoding="utf-8") as fh:
            headers = next(csv.reader(fh))
        cols = []
        for h in headers:
            expr = _q(h)
            if shift_from is not None and h in dated:
                expr = f"replace({expr}, '{shift_from}', '{shift_to}')"
            if shift_from is not None and h in renew:
                expr = f"CASE WHEN {expr} IS NULL OR {expr} = '' THEN {expr} ELSE 'N' || {expr} END"
            cols.append(f"{expr} AS {_q(h)}")
        where = f"substr({_q(placing)}, 1, 10) BETWEEN '{first}' AND '{last}'"
        n = con.execute(f"SELECT count(*) FROM read_csv('{path}', all_varchar=true, header=true) WHERE {where}").fetchone()[0]
        if not n:
            continue
        con.execute(f"COPY (SELECT {', '.join(cols)} FROM read_csv('{path}', all_varchar=true, header=true) "
                    f"WHERE {where}) TO '{target}' (HEADER, DELIMITER ',')")
        picked.append((target, pid, store))
    con.close()
    return picked


def one_more_day(files, year_warehouse: Path, tmp: Path) -> dict:
    import datetime as dt

    from shopops.warehouse.connection import connect, disconnect_all

    end = max(_last_day(files))
    day = (end + dt.timedelta(days=1)).isoformat()
    week = write_day_files(files, tmp / "week", first=(end - dt.timedelta(days=6)).isoformat(), last=end.isoformat())
    next_day = write_day_files(files, tmp / "day", first=end.isoformat(), last=end.isoformat(),
                               shift_from=end.isoformat(), shift_to=day)
    week_wh = tmp / "week.duckdb"
    import_all(week, week_wh, baseline_db=None)
    out = {}
    for name, wh in (("week", week_wh), ("year", year_warehouse)):
        con = connect(f"duckdb:///{wh}")
        wall, cpu, loads = time.perf_counter(), time.process_time(), [os.getloadavg()[0]]
        with Phases() as phases:
            rows = sum(import_one(p, pid, store, con)["rows"] for p, pid, store in next_day)
            out[name] = {"wall_s": round(time.perf_counter() - wall, 3), "cpu_s": round(time.process_time() - cpu, 3),
                         "rows": rows, "phases": phases.take(), "load": f"{loads[0]:.1f}–{os.getloadavg()[0]:.1f}"}
        disconnect_all()
    return {"case": f"one more day ({day}) into the whole demo vs into its last 7 days", "rows": out["year"]["rows"],
            "subject_s": out["year"]["wall_s"], "baseline_s": out["week"]["wall_s"],
            "ratio": out["year"]["wall_s"] / out["week"]["wall_s"],
            "cpu_ratio": round(out["year"]["cpu_s"] / out["week"]["cpu_s"], 2),
            "subject_cpu_s": out["year"]["cpu_s"], "baseline_cpu_s": out["week"]["cpu_s"],
            "detail": out, "load_avg": f"{out['week']['load']} / {out['year']['load']}"}


def _last_day(files):
    import datetime as dt

    con = duckdb.connect()
    for path, pid, _store in files:
        if pid != "shopops_orders":
            continue
        _dated, placing, _renew = _date_sources(pid)
        got = con.execute(f"SELECT max(substr({_q(placing)}, 1, 10)) FROM read_csv('{path}', all_varchar=true, "
                          f"header=true) WHERE {_q(placing)} IS NOT NULL AND {_q(placing)} <> ''").fetchone()[0]
        if got:
            yield dt.date.fromisoformat(got)
    con.close()


def run() -> list[dict]:
    if not (DEMO / "stores.csv").exists():
        return [{"case": f"skipped: no generated demo at {DEMO} (BENCH_DEMO_FILES)", "subject_s": None, "baseline_s": None}]
    files = manifest(DEMO)
    rows = []
    with tempfile.TemporaryDirectory(prefix="shopops-bench-large-", dir=os.environ.get("BENCH_TMP")) as tmp:
        tmp = Path(tmp)
        wh = tmp / "year.duckdb"
        got = import_all(files, wh, baseline_db=tmp / "plain.duckdb")
        with contextlib.suppress(OSError):
            (tmp / "plain.duckdb").unlink()
        f = got["files"]
        subject, base = sum(x["wall_s"] for x in f), sum(x["base_wall_s"] for x in f)
        s_cpu, b_cpu = sum(x["cpu_s"] for x in f), sum(x["base_cpu_s"] for x in f)
        rows.append({"case": "import the whole demo vs duckdb read_csv of the same files", "files": len(f),
                     "rows": sum(x["rows"] for x in f), "subject_s": subject, "baseline_s": base,
                     "ratio": subject / base, "cpu_ratio": round(s_cpu / b_cpu, 2), "subject_cpu_s": round(s_cpu, 1),
                     "baseline_cpu_s": round(b_cpu, 1), "goal": 3.0, "load_avg": got["load_avg"],
                     "by_table": got["by_table"], "per_file": f, "demo": str(DEMO)})
        if DAY:
            rows.append(one_more_day(files, wh, tmp))
    return rows


if __name__ == "__main__":
    for row in run():
        print(json.dumps({k: v for k, v in row.items() if k != "per_file"}, default=str, indent=1))
