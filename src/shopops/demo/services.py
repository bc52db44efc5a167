"""Build the demo store: generate platform-style export files, then import them through
the same ingest pipeline real exports go through — never straight into tables."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from shopops.audience.services import audience_demo_ensure
from shopops.core.periods import business_today
from shopops.demo.campaigns import campaigns_demo_ensure
from shopops.demo.generator import generate
from shopops.demo.generator.incidents import Incident
from shopops.demo.inventory import inventory_demo_ensure
from shopops.demo.promotions_plan import outreach_coupon_ensure, promotions_plan_ensure
from shopops.demo.service import service_demo_ensure
from shopops.ingest.models import ImportJob
from shopops.ingest.services import import_job_run
from shopops.metrics.runners import last_fact_date
from shopops.team.services import DEMO_PASSWORD, demo_users_create


def demo_build(
    *,
    days: int = 365,
    scale: str = "small",
    seed: int = 7,
    end_date: dt.date | None = None,
    with_incidents: bool = False,
    echo: Callable[[str], None] = lambda _: None,
) -> str:
    """Generate the demo store's export files and import them. ``with_incidents`` plants three
    known causes of abnormal days at the end (a 差评 wave on Tmall's best seller: a week of 1-star
    尺码 reviews up to the last day, its buyers walking away on the last two days; a price rise on
    Tmall's second best seller on the same two days; an ad budget cut at JD on the two days before), for
    the insights inbox and the service desk (a review_wave alert and a 差评跟进 ticket on first run).
    The wave is on Tmall's best seller because a 差评 wave needs ≥ 4 bad reviews in 7 days
    (``service.waves``): only that product gets enough reviews in the small demo (≈ 9 a week; Douyin's
    best seller ≈ 4, too few on some days). The price rise was on the best seller before; on Douyin's or
    JD's best seller it was not detected in the 90-day test demo, on Tmall's second it is."""
    started = time.perf_counter()
    end_date = end_date or business_today(settings.SHOPOPS_TIME_ZONE) - dt.timedelta(days=1)
    incidents = ()
    if with_incidents:
        incidents = (Incident("bad_reviews", "tmall", end_date - dt.timedelta(days=1)),
                     Incident("price_rise", "tmall", end_date - dt.timedelta(days=1), rank=1),
                     Incident("ad_cut", "jd", end_date - dt.timedelta(days=3)))
    suffix = "-incidents" if incidents else ""
    out_dir = Path(settings.VAR_DIR) / "demo" / f"{scale}-{days}d-seed{seed}-{end_date.isoformat()}{suffix}"
    manifest = generate(out_dir, days=days, scale=scale, seed=seed, end_date=end_date, incidents=incidents)
    generated = time.perf_counter() - started
    echo(f"generated {len(manifest.files)} export files in {generated:.1f} s under {out_dir}")
    rows = 0
    for demo_file in manifest.files:
        job = import_job_run(
            path=demo_file.path,
            profile_id=demo_file.profile_id,
            store_id=demo_file.store_id,
            strict=True,
            source=ImportJob.Source.DEMO,
            archive=False,
        )
        if job.status != ImportJob.Status.LOADED:
            first = job.rejects.first()
            raise RuntimeError(f"demo file {demo_file.path} was rejected: {first.row} {first.column} {first.reason}")
        rows += job.rows_read
    total = time.perf_counter() - started
    return (
        f"demo store ({scale}, {days} days to {end_date}, seed {seed}): {rows:,} rows "
        f"from {len(manifest.files)} files loaded in {total:.1f} s"
    )


def _insights_demo_ensure(*, echo: Callable[[str], None]) -> None:
    """The insights inbox of a fresh demo: the last five days detected and explained (once)."""
    from shopops.insights.models import Finding
    from shopops.insights.services import insights_run, module_alerts_collect

    if Finding.objects.exists():  # the app DB answers first: a restart opens no warehouse here
        return
    last = last_fact_date()
    if last is None:
        return
    echo("first run: detecting unusual days in the demo store (insights, last 5 days) …")
    insights_run(days=[last - dt.timedelta(days=k) for k in range(5)], echo=echo)
    echo(module_alerts_collect(day=last).text())  # inventory, service and campaign alerts, as the morning job does
    from shopops.demo.campaigns import retro_findings_demo_link

    retro_findings_demo_link(echo=echo)  # the reviewed plans' 复盘 link findings of their windows, when there are any


def demo_setup(*, echo: Callable[[str], None] = print) -> None:
    """First run: the demo users, and the demo store when the warehouse has no orders."""
    names = demo_users_create()
    if last_fact_date() is None:
        echo("first run: building the demo store (small, 365 days) …")
        echo(demo_build(with_incidents=True, echo=echo))
    promotions_plan_ensure(echo=echo)
    last = last_fact_date()
    coupon_ref = outreach_coupon_ensure(last_day=last) if last is not None else ""
    audience_demo_ensure(echo=echo, coupon_ref=coupon_ref)  # customers: segments and a past send with results
    # campaign season: a year of plans, tasks, content around the data's last day (a demo built to a
    # past --end gets that year's campaigns, with their 复盘); needs the 双11 promotions
    campaigns_demo_ensure(today=last + dt.timedelta(days=1) if last is not None else None, echo=echo)
    inventory_demo_ensure(echo=echo)  # suppliers, PO history and open POs over the demo stock
    service_demo_ensure(echo=echo)  # service desk: agents, SLA, templates, tickets, chat data, surveys
    from shopops.demo.reviews import reviews_demo_ensure

    reviews_demo_ensure(last_day=last, echo=echo)  # reviews scored, DSR history, 差评-wave tickets (docs/reviews.md)
    _insights_demo_ensure(echo=echo)
    (Path(settings.VAR_DIR) / "demo_ready").touch()
    echo("")
    echo("  shopops is ready:  http://127.0.0.1:8000/")
    echo(f"  login: director / {DEMO_PASSWORD}   (ops director; every role has a demo user: {', '.join(names[1:])})")
    echo("")
