"""Issue #13's "77M events" for `bench/run.py large_import`: a demo's files plus copies of one store's events.

The demo's platform stores have no event stream (a platform gives none), so the large demo holds ~10M events,
all the own store's. This writes a folder that `BENCH_DEMO_FILES` can point at: every file of the demo linked as
it is, plus further parts of the store's `shopops_events` profile — whole copies of its event files and, to reach a
row count, copies of single parts — each copy's event, visitor and session ids made new (prefix ``k<copy>`` /
suffix ``-<copy>``); buyers, pages, products, sources and times kept, every other text unchanged (DuckDB ``COPY``,
all columns read as text).

    python bench/make_more_events.py DEMO_FOLDER OUT_FOLDER --copies 6 --extra-parts 1
    BENCH_DEMO_FILES=OUT_FOLDER BENCH_TMP=… python bench/run.py large_import

With the seed-7 large demo (10,254,081 events in three parts), ``--copies 6 --extra-parts 1`` gives 76,616,865
events (bench/README, session 10). Needs ~1.1 GB of disk per copy.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

COLUMNS = ("事件ID", "访客ID", "买家ID", "会话ID", "事件类型", "页面", "商品ID", "流量来源", "发生时间")


def link_demo(demo: Path, out: Path) -> None:
    for src in demo.rglob("*.csv"):
        dst = out / src.relative_to(demo)
        dst.parent.mkdir(parents=True, exist_ok=True)
        if not dst.exists():
            dst.symlink_to(src.resolve())


def copy_select(path: Path, k: int) -> str:
    renamed = [f"'k{k}' || \"事件ID\" AS \"事件ID\"", f"\"访客ID\" || '-{k}' AS \"访客ID\"", '"买家ID"',
               f"\"会话ID\" || '-{k}' AS \"会话ID\"", *(f'"{c}"' for c in COLUMNS[4:])]
    return f"SELECT {', '.join(renamed)} FROM read_csv('{path}', all_varchar = true, header = true)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("demo", type=Path, help="a generated demo's folder (…/demo/large-365d-seed7-2025-12-31)")
    parser.add_argument("out", type=Path, help="the folder to write (links to the demo's files + the new parts)")
    parser.add_argument("--store", default="own", help="whose events are copied (the store with an event stream)")
    parser.add_argument("--copies", type=int, default=6, help="whole copies of the store's event files")
    parser.add_argument("--extra-parts", type=int, default=1, help="one more copy of this many of its first parts")
    args = parser.parse_args(argv)
    link_demo(args.demo, args.out)
    parts = sorted((args.demo / args.store).glob("shopops_events.part-*.csv"))
    if not parts:
        parser.error(f"no shopops_events parts under {args.demo / args.store}")
    jobs = [(k, p) for k in range(1, args.copies + 1) for p in parts]
    jobs += [(args.copies + 1, p) for p in parts[:args.extra_parts]]
    con = duckdb.connect()
    con.execute("SET threads = 1")
    n = len(parts)
    for k, part in jobs:
        n += 1
        target = args.out / args.store / f"shopops_events.part-{n:03d}.csv"
        con.execute(f"COPY ({copy_select(part, k)}) TO '{target}' (HEADER, DELIMITER ',')")
        print(f"{target.name}: copy {k} of {part.name}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
