"""The reviews side of a fresh demo: every review scored (sentiment, aspects), a DSR history for
the Tmall store imported through the real DSR profile, and tickets for the 差评 waves."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
from django.conf import settings

DSR_DAYS = 180


def dsr_demo_file(*, last_day: dt.date, seed: int = 7) -> Path:
    """A 生意参谋 店铺DSR export (profile ``dsr_tmall``) for the demo's Tmall store: slow random walks
    around 4.8 against an industry average around 4.76."""
    rng = np.random.default_rng(seed)
    out = Path(settings.VAR_DIR) / "demo" / f"dsr_tmall-{last_day.isoformat()}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    level = {"描述相符": 4.81, "服务态度": 4.84, "物流服务": 4.79}
    industry = {"描述相符": 4.76, "服务态度": 4.78, "物流服务": 4.80}
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["统计日期", *[c for k in level for c in (k, f"{k}行业均值", f"{k}较同行业")]])
        for k in range(DSR_DAYS):
            day = last_day - dt.timedelta(days=DSR_DAYS - 1 - k)
            row = [day.isoformat()]
            for name in level:
                level[name] = float(np.clip(level[name] + rng.normal(0, 0.006), 4.6, 4.95))
                industry[name] = float(np.clip(industry[name] + rng.normal(0, 0.002), 4.7, 4.85))
                vs = (level[name] - industry[name]) / industry[name] * 100
                row += [f"{level[name]:.2f}", f"{industry[name]:.2f}",
                        f"{'高于' if vs >= 0 else '低于'}同行业{abs(vs):.2f}%"]
            w.writerow(row)
    return out


def reviews_demo_ensure(*, last_day: dt.date | None, echo: Callable[[str], None] = print) -> None:
    """Once per demo warehouse: score the reviews, import the DSR history, open wave tickets."""
    from shopops.ingest.models import ImportJob
    from shopops.ingest.services import import_job_run
    from shopops.service.services_reviews import review_scores_run, review_wave_tickets
    from shopops.warehouse.connection import connect

    if last_day is None:
        return
    con = connect()
    tables = set(con.list_tables())
    if "review_scores" in tables and con.table("review_scores").count().execute() > 0:
        return
    echo("first run: scoring the demo reviews (sentiment and aspects) …")
    result = review_scores_run(echo=lambda _: None)
    adapted = f", adapted to {len(result.store_versions)} stores' reviews" if result.store_versions else ""
    echo(f"  {result.scored:,} reviews scored in {result.seconds:.1f} s (model {result.model_version}{adapted})")
    if "shop_scores" not in tables or con.table("shop_scores").count().execute() == 0:
        job = import_job_run(path=dsr_demo_file(last_day=last_day), profile_id="dsr_tmall", store_id="tmall",
                             strict=True, source=ImportJob.Source.DEMO, archive=False)
        if job.status != ImportJob.Status.LOADED:
            raise RuntimeError("demo DSR file was rejected")
    review_wave_tickets(day=last_day)
