"""``shopops insights …``: the CLI hook (parse, call one service, print)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["run", "brief"], help="run: detect and diagnose; brief: print (and --send) the 晨报")
    p.add_argument("--date", help="the day (YYYY-MM-DD); default: the last day with paid orders")
    p.add_argument("--from", dest="first", help="backfill from this day (with --date as the last day)")
    p.add_argument("--sensitivity", choices=["low", "medium", "high"])
    p.add_argument("--lang", choices=["zh-hans", "en"], default="zh-hans")
    p.add_argument("--send", action="store_true", help="brief: hand it to the channels (or the outbox)")


def _day(text: str | None, name: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not a date; expected YYYY-MM-DD") from None


def main(args: argparse.Namespace) -> int:
    from django.utils import translation

    from shopops.insights import selectors, services
    from shopops.metrics.cockpit import data_day

    day = _day(args.date, "--date") or data_day()
    if day is None:
        print("error: the warehouse has no paid orders; give --date", file=sys.stderr)
        return 2
    if args.action == "run":
        first = _day(args.first, "--from") or day
        if first > day:
            raise ValueError(f"--from {first} is after --date {day}")
        days = [first + dt.timedelta(days=i) for i in range((day - first).days + 1)]
        summary = services.insights_run(days=days, sensitivity=args.sensitivity)
        print(summary.text())
        with translation.override(args.lang):
            for f in summary.findings:
                v = selectors.finding_view(f)
                print(f"  [{f.severity}] {f.day} {v.headline}" + (f" — {v.cause_text}" if v.cause_text else ""))
        return 0
    with translation.override(args.lang):
        b = selectors.brief(day=day)
        print(f"{day}")
        for line in selectors.brief_lines(b):
            print(line)
    if args.send:
        rows = services.brief_deliver(day=day, language=args.lang)
        for r in rows:
            print(f"{r.channel}: {r.get_status_display()}")
    return 0
