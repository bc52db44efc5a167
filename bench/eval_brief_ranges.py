"""The 晨报's ranges: how wide (relative to the expected level) and how well calibrated (share of
normal days inside), for the alert band (z = 3.5) and the usual range the brief shows (z = 1.28).

    .venv/bin/python bench/eval_brief_ranges.py [--seeds 201,202] [--season ordinary]

Uses the warehouses ``bench/eval_insights.py`` built (same seeds and seasons; built when missing).
Normal store-days: no planted incident on the day or the day before, no campaign. Days without
an expectation (campaign days) are not counted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import ibis
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_insights import CONFIGS, SETS, build  # noqa: E402

from shopops.core.periods import Period  # noqa: E402
from shopops.insights import queries  # noqa: E402
from shopops.insights.calendar import CampaignCalendar  # noqa: E402
from shopops.insights.detection import Settings, expected_band  # noqa: E402
from shopops.insights.evaluation import SEASONS  # noqa: E402
from shopops.insights.pipeline import BRIEF_KPIS, _series_from, positive_kpi, usual_range  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default=",".join(str(s) for s in SETS["heldout"]))
    ap.add_argument("--season", default="ordinary")
    ap.add_argument("--scale", default="eval", help="the demo scale (eval; small is the demo's first run)")
    ap.add_argument("--config", choices=sorted(CONFIGS), default="now",
                    help="the detection settings of a bench/eval_insights.py config (now: Settings())")
    args = ap.parse_args(argv)
    season = SEASONS[args.season]
    st = CONFIGS[args.config].settings if CONFIGS[args.config] is not None else Settings()
    cal = CampaignCalendar()
    stats = defaultdict(lambda: {"alert_w": [], "usual_w": [], "alert_in": 0, "usual_in": 0, "n": 0, "zero": 0})
    for seed in (int(s) for s in args.seeds.split(",")):
        path, truth = build(seed, season, args.scale)
        bad = set()
        for t in truth:
            d0 = dt.date.fromisoformat(t["day"])
            for k in range(-1, t["days"] + 1):
                bad.add((t["store_id"], d0 + dt.timedelta(days=k)))
        con = ibis.duckdb.connect(path, read_only=True)
        period = Period(season.first - dt.timedelta(days=st.lookback_days), season.last)
        frame = queries.store_daily(period, BRIEF_KPIS, con=con)
        dates = period.dates()
        for s in _series_from(frame, dates, BRIEF_KPIS, ["store_id"]):
            skip = cal.days([s.store_id], period.start, season.last)[s.store_id]
            for day in season.days:
                if day in skip or (s.store_id, day) in bad or day not in s.dates:
                    continue
                v = s.values[s.dates.index(day)]
                band = expected_band(s.dates, s.values, day, kind=s.spec.kind, settings=st, skip=skip,
                                     volumes=s.volumes, is_ratio=s.spec.is_ratio)
                if band is None or np.isnan(v) or not band.expected:
                    continue
                lo, hi = usual_range(band, positive=positive_kpi(s.spec))
                c = stats[s.spec.kpi]
                c["alert_w"].append((band.high - max(band.low, 0)) / abs(band.expected))
                c["usual_w"].append((hi - max(lo, 0)) / abs(band.expected))
                c["alert_in"] += band.low <= v <= band.high
                c["usual_in"] += lo <= v <= hi
                c["zero"] += lo <= 0
                c["n"] += 1
        con.disconnect()
    print("| KPI | store-days | alert band: width / level (median) | inside | usual range: width / level | inside | usual range from 0 |")
    print("|---|---|---|---|---|---|---|")
    for kpi in BRIEF_KPIS:
        c = stats[kpi]
        if not c["n"]:
            continue
        print(f"| {kpi} | {c['n']} | {statistics.median(c['alert_w']):.0%} | {c['alert_in'] / c['n']:.1%} | "
              f"{statistics.median(c['usual_w']):.0%} | {c['usual_in'] / c['n']:.1%} | {c['zero'] / c['n']:.1%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
