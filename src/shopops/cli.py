"""The `shopops` command.

    shopops serve [--port 8000]          run the web app (one process: web + job worker + scheduler)
    shopops worker [--no-scheduler]      the job worker and scheduler without the web (PostgreSQL/Spark)
    shopops jobs list|log|tick|run       the periodic jobs, their log, a scheduler tick, a run now
    shopops setup-demo                   first run: demo users and the demo store, when absent
    shopops demo --days 365 --scale small --seed 7
    shopops import PATH... --profile ID [--store ID] [--strict]
    shopops kpi gmv conversion_rate --by store_id --period 2025-11
    shopops report weekly --week 2025-W45 [--store ID] [--format pdf,xlsx,html] [--lang en]
    shopops createuser NAME --role ops_director
    shopops apikey create --store own --kind server --name backend   (the key is printed once)
    shopops apikey list | shopops apikey revoke PREFIX
    shopops docs data-model|kpis         print docs/data-model.md or docs/kpis.md
    shopops manage ARGS...               any Django management command

While `shopops serve` holds a DuckDB warehouse, the commands that touch it (kpi, report, insights,
import, demo, setup-demo, manage audience_daily|promotions_flush) are handed to the server over its
local, token-authenticated channel and print its result (docs/jobs.md); otherwise they run here.
SHOPOPS_CLI_DIRECT=1 always runs them here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopops.config.settings")
    import django

    django.setup()


def _progress(desc: str):
    """A tqdm bar over the rows of one file; its total is the job's up-front row estimate."""
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit=" rows", unit_scale=True, leave=False, disable=not sys.stderr.isatty())

    def update(progress) -> None:  # services.ImportProgress
        if progress.rows_estimate and bar.total != max(progress.rows_estimate, progress.rows_read):
            bar.total = max(progress.rows_estimate, progress.rows_read)
        bar.update(progress.rows_read - bar.n)

    return bar, update


def cmd_import(args: argparse.Namespace) -> int:
    """Import files with one profile (a file profile or a mapping saved on the mapping page)."""
    from shopops.core.errors import ShopopsError
    from shopops.ingest.services import import_job_run

    failed = 0
    for path in args.paths:
        bar, update = _progress(Path(path).name)
        try:
            job = import_job_run(
                path=Path(path), profile_id=args.profile, store_id=args.store, strict=args.strict, on_progress=update
            )
        except ShopopsError as exc:
            bar.close()
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        bar.close()
        print(
            f"{job.file_name}: {job.status} — read {job.rows_read}, inserted {job.rows_inserted}, "
            f"updated {job.rows_updated}, rejected {job.rows_rejected} ({job.seconds:.1f} s, job #{job.pk})"
            + ("; the same file was loaded before and its table has not changed since: nothing to do"
               if getattr(job, "unchanged_file", False) else "")
        )
        for warning in job.warnings or ():
            print(f"  warning: {warning}")
        for rej in job.rejects.all()[:20]:
            print(f"  row {rej.row}, column {rej.column}, value {rej.value!r}: {rej.reason}")
        if job.rows_rejected > 20:
            print(f"  … {job.rows_rejected - 20} more: see the job page /import/jobs/{job.pk}/ (CSV/Excel download)")
        failed += job.status != "loaded"
    return 1 if failed else 0


def _migrate_if_needed() -> None:
    """Bring the app database up to date first, as ``make run`` does (one look at the migration graph, ~50 ms):
    the demo commands on a new var dir (``SHOPOPS_VAR_DIR``) failed on the first table (``no such table:
    ingest_importjob``), ``serve`` after pulling new code answered 500 on every page reading a new column
    (``insights_task.board_task_id``), and ``import`` stopped on ``no such column: warnings``."""
    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("app database not up to date: migrating first", flush=True)
        call_command("migrate", interactive=False, verbosity=0)


def cmd_demo(args: argparse.Namespace) -> int:
    from shopops.demo.services import demo_build

    end = dt.date.fromisoformat(args.end) if args.end else None
    summary = demo_build(days=args.days, scale=args.scale, seed=args.seed, end_date=end, echo=print)
    print(summary)
    return 0


def cmd_setup_demo(args: argparse.Namespace) -> int:
    from shopops.demo.services import demo_setup

    demo_setup(echo=print)
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    import getpass

    from shopops.team.services import user_create

    password = args.password or getpass.getpass("Password: ")
    user_create(username=args.username, password=password, role=args.role, email=args.email or "",
                is_superuser=args.admin)
    print(f"user {args.username} ({args.role}) ready")
    return 0


def cmd_apikey(args: argparse.Namespace) -> int:
    """Keys of a store's own site: create (the raw key is printed once, only its hash is kept), list, revoke."""
    from shopops.ingest.selectors import api_key_list
    from shopops.ingest.services import api_key_create, api_key_revoke

    if args.action == "create":
        key, raw = api_key_create(store_id=args.store, kind=args.kind, name=args.name, rate_per_minute=args.rate)
        print(raw)
        print(f"{key.kind} key {key.prefix} for store {key.store_id} ({key.rate_per_minute}/min): "
              "store it now, it is not shown again", file=sys.stderr)
    elif args.action == "list":
        print(f"{'prefix':<14}{'kind':<9}{'store':<12}{'per min':>8}  {'created':<17}{'revoked':<17}name")
        for key in api_key_list():
            created = key.created_at.strftime("%Y-%m-%d %H:%M")
            revoked = key.revoked_at.strftime("%Y-%m-%d %H:%M") if key.revoked_at else "-"
            print(f"{key.prefix:<14}{key.kind:<9}{key.store_id:<12}{key.rate_per_minute:>8}  {created:<17}{revoked:<17}{key.name}")
    else:
        key = api_key_revoke(prefix=args.prefix)
        print(f"key {key.prefix} ({key.name}, store {key.store_id}) revoked at {key.revoked_at:%Y-%m-%d %H:%M:%S %Z}")
    return 0


def cmd_kpi(args: argparse.Namespace) -> int:
    from shopops.metrics.runners import query

    try:
        frame = query(args.kpis, args.period, grain=args.grain, by=args.by or (), stores=args.store or ())
    except KeyError as exc:  # an unknown KPI: the message lists the known ones
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.format == "csv":
        sys.stdout.write(frame.to_csv(index=False))  # an unknown value is an empty cell
    else:
        shown = frame.astype(object).where(frame.notna(), "—")  # unknown or undefined: —, never 0
        print(shown.to_string(index=False) if len(frame) else "(no rows)")
    for note in (_cost_note(args), _traffic_note(args), _ads_note(args), _sku_note(args)):
        if note:
            print(note, file=sys.stderr)
    return 0


def _store_data_note(args: argparse.Namespace, dependent, coverage, missing: str, partial: str) -> str:
    """Asked for a KPI that is ``dependent`` on a kind of the stores' data: ``missing`` when the stores have
    none of it in the period (the values are unknown), ``partial`` (with ``{covered}``, ``{stores}`` and
    ``{share}``) when only some of them have (``coverage``: ``metrics.runners.traffic_coverage`` …); for ads,
    stores set to run no paid ads (known ¥0) and such stores with ad reports anyway."""
    from shopops.core.periods import Period

    if not any(dependent(k) for k in args.kpis):
        return ""
    cov = coverage(Period.parse(args.period), stores=tuple(args.store or ()))
    if cov.status == "missing":
        return missing
    notes = []
    if cov.status == "partial":
        share = "" if cov.gmv_share is None else f" ({cov.gmv_share:.2%} of the GMV)"
        notes.append(partial.format(covered=cov.known, stores=cov.stores, share=share))
    if cov.status == "no_ads":
        notes.append("note: these stores run no paid ads (store settings): ad spend is 0; ROAS, ROI, CPC and CPM "
                     "do not apply (— / empty)")
    if cov.contradicted:
        notes.append(f"warning: {', '.join(cov.contradicted)} set to run no paid ads, yet ad reports are imported "
                     "for the period: their spend is counted; check the store settings")
    return "\n".join(notes)


def _traffic_note(args: argparse.Namespace) -> str:
    """Asked for a KPI built on visitors: no traffic data, or only some stores' (``traffic_coverage``)."""
    from shopops.metrics.catalog import traffic_dependent
    from shopops.metrics.runners import traffic_coverage

    return _store_data_note(
        args, traffic_dependent, traffic_coverage,
        "note: no traffic data imported for these stores in the period (no events, no platform traffic report): "
        "visitors and the KPIs computed from them are unknown (— / empty), not 0; import the traffic report or "
        "the site's events",
        "note: traffic data cover {covered} of {stores} stores{share}: visitors count only those stores, so "
        "conversion rate and UV value (every store's buyers and GMV) read high")


def _ads_note(args: argparse.Namespace) -> str:
    """Asked for a KPI built on the ad reports (ad spend, ROAS, CPC …): no ad report, or only some stores'
    (``metrics.runners.ad_coverage``)."""
    from shopops.metrics.catalog import ad_dependent
    from shopops.metrics.runners import ad_coverage

    return _store_data_note(
        args, ad_dependent, ad_coverage,
        "note: no ad data imported for these stores in the period (no ad tool's plan report): ad spend and the "
        "KPIs computed from it are unknown (— / empty), not 0; import the ad tools' reports",
        "note: ad data cover {covered} of {stores} stores{share}: ad spend adds only those stores, so the ad "
        "spend ratio (every store's GMV) reads low")


def _sku_note(args: argparse.Namespace) -> str:
    """Asked for SKUs sold (or the SKU sales rate): say when no order line sold carries a SKU id (unknown)
    or only some do (catalog ``sku_coverage``)."""
    from shopops.core.periods import Period
    from shopops.metrics.catalog import data_status, sku_dependent
    from shopops.metrics.runners import sku_coverage

    if not any(sku_dependent(k) for k in args.kpis):
        return ""
    coverage = sku_coverage(Period.parse(args.period), stores=tuple(args.store or ()))
    status = data_status(coverage)
    if status == "missing":
        return ("note: the order lines sold in the period carry no SKU id: SKUs sold and the SKU sales rate are "
                "unknown (— / empty), not 0; import orders with a SKU column")
    if status == "partial":
        return f"note: SKU ids cover {coverage:.2%} of the item GMV: SKUs sold counts only those lines"
    return ""


def _cost_note(args: argparse.Namespace) -> str:
    """Asked for a KPI built on the cost of goods: say when the SKU costs are missing (the values are
    unknown) or cover only part of the item GMV (catalog ``cost_coverage``)."""
    from shopops.metrics.catalog import cost_dependent, cost_status
    from shopops.metrics.runners import query

    if not any(cost_dependent(k) for k in args.kpis):
        return ""
    coverage = query(["cost_coverage"], args.period, stores=args.store or ())["cost_coverage"].iloc[0]
    status = cost_status(None if coverage is None or coverage != coverage else float(coverage))
    if status == "missing":
        return ("note: no SKU costs imported for what these stores sold in the period: cost of goods and the "
                "margins are unknown (— / empty), not 0; import the SKU list with a cost column")
    if status == "partial":
        return (f"note: SKU costs cover {float(coverage):.2%} of the item GMV: cost of goods is understated and "
                "the margins overstated until the missing costs are imported")
    return ""


def cmd_serve(args: argparse.Namespace) -> int:
    import signal

    from django.conf import settings
    from waitress import create_server

    from shopops.config.wsgi import application
    from shopops.jobs import handoff
    from shopops.jobs.host import Host

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly: withdraw server.json, stop the jobs
    if _local_warehouse():
        from shopops.warehouse.connection import connect

        connect()  # hold the warehouse from the start: from now on the CLI hands its commands over
    # the upload limit is shopops' own (a clear message on the page); waitress's must not be lower
    server = create_server(application, host=args.host, port=args.port, threads=args.threads, ident="shopops",
                           max_request_body_size=settings.SHOPOPS_UPLOAD_MAX_BYTES + (16 << 20))
    from shopops.web.startup import settle

    settle()  # every page imported, the long-lived objects out of the garbage collector's walks
    host = Host(scheduler=settings.SHOPOPS_SCHEDULER and not args.no_scheduler, worker=not args.no_worker).start()
    handoff.server_announce(port=args.port)
    print(f"shopops serving on http://{args.host}:{args.port}/  (Ctrl+C to stop)", flush=True)
    print(f"jobs: {_jobs_banner(host)}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        handoff.server_withdraw()
        host.stop()
    return 0


def _jobs_banner(host) -> str:
    from django.utils import timezone

    from shopops.jobs import registry

    zone = timezone.get_default_timezone()
    now = timezone.now()
    jobs = sorted(registry.periodic_jobs().values(), key=lambda j: j.schedule.next_after(now, zone))
    parts = [("worker" if host.worker else "no worker") + (" + scheduler" if host.scheduler else ", no scheduler"),
             f"{len(jobs)} periodic jobs"]
    if jobs and host.scheduler:
        parts.append(f"next {jobs[0].name} at {jobs[0].schedule.next_after(now, zone):%Y-%m-%d %H:%M %Z}")
    return "; ".join(parts) + " (/jobs/)"


def cmd_worker(args: argparse.Namespace) -> int:
    """The job worker (and scheduler) without the web: for PostgreSQL/Spark deployments."""
    from django.conf import settings

    from shopops.jobs.host import Host, work_pending

    if args.batch:
        print(f"ran {work_pending()} queued task(s)")
        return 0
    print("shopops worker: running queued jobs" + (" and the scheduler" if settings.SHOPOPS_SCHEDULER
                                                 and not args.no_scheduler else "") + " (Ctrl+C to stop)", flush=True)
    host = Host(scheduler=settings.SHOPOPS_SCHEDULER and not args.no_scheduler, worker=True).start()
    print(f"jobs: {_jobs_banner(host)}", flush=True)
    try:
        host.join()
    except KeyboardInterrupt:
        host.stop()
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    """The periodic jobs: list (next run, last run), log, a scheduler tick, run one now."""
    import time

    from django.utils import timezone

    from shopops.core.errors import ValidationError
    from shopops.jobs import handoff, selectors, services
    from shopops.jobs.host import work_pending

    def line(run) -> str:
        took = f"{run.seconds:.1f} s" if run.seconds is not None else ""
        when = timezone.localtime(run.scheduled_for).strftime("%Y-%m-%d %H:%M") if run.scheduled_for else "-"
        return f"#{run.pk}\t{run.name}\t{run.trigger}\t{when}\t{run.status}\t{took}"

    if args.action == "list":
        for row in selectors.job_rows(language="en"):
            last = f"{row.last.status} {timezone.localtime(row.last.enqueued_at):%Y-%m-%d %H:%M}" if row.last else "never"
            print(f"{row.job.name}\t{row.schedule}\tnext {timezone.localtime(row.next_run):%Y-%m-%d %H:%M}\tlast {last}")
        return 0
    if args.action == "log":
        for run in selectors.runs_recent(name=args.job or "", limit=args.limit):
            print(line(run))
            if args.verbose and (run.output or run.error):
                print("\n".join(f"    {t}" for t in (run.output + run.error).strip().splitlines()))
        return 0
    if args.action == "tick":
        try:
            now = dt.datetime.fromisoformat(args.now) if args.now else None
        except ValueError:
            raise ValidationError(f"--now: {args.now!r} is not a time; expected e.g. 2026-12-01T07:00+08:00") from None
        if now is not None and timezone.is_naive(now):
            now = timezone.make_aware(now)  # a wall-clock time in the store's zone
        fired = services.scheduler_tick(now=now)
        for run in fired:
            print(f"queued {line(run)}")
        if not fired:
            print("nothing due")
        return 0
    if not args.job:
        raise ValidationError("jobs run needs the job's name (see `shopops jobs list`)")
    run = services.job_run_now(name=args.job, requested_by="cli")
    if handoff.server_running() is None:
        work_pending()  # no server: this process is the worker
    while not run.is_done:
        time.sleep(0.5)
        run.refresh_from_db()
    print(line(run))
    sys.stdout.write(run.output + ("\n" if run.output and not run.output.endswith("\n") else ""))
    sys.stderr.write(run.error + ("\n" if run.error and not run.error.endswith("\n") else ""))
    return 0 if run.status == run.Status.SUCCEEDED else 1


def cmd_docs(args: argparse.Namespace) -> int:
    from shopops.metrics.catalog import kpis_markdown
    from shopops.warehouse.schema import data_model_markdown

    print({"data-model": data_model_markdown, "kpis": kpis_markdown}[args.which](), end="")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Generate a weekly or monthly report (files under VAR_DIR/reports/<id>/), with a tqdm bar."""
    from tqdm import tqdm

    from shopops.reports.services import report_generate

    period = args.week if args.kind == "weekly" else args.month
    if not period:
        print(f"error: a {args.kind} report needs --{'week' if args.kind == 'weekly' else 'month'}", file=sys.stderr)
        return 2
    bar = tqdm(desc=f"{args.kind} {period}", total=1, unit=" steps", leave=False, disable=not sys.stderr.isatty())

    def update(done: int, total: int, step: str) -> None:
        bar.total = total
        bar.set_postfix_str(step)
        bar.update(done - bar.n)

    try:
        generated = report_generate(kind=args.kind, period=period, stores=tuple(args.store or ()), language=args.lang,
                                    formats=tuple(args.format.split(",")), on_progress=update)
    finally:
        bar.close()
    for fmt in generated.record.formats:
        print(generated.path(fmt))
    return 0


def cmd_insights(args: argparse.Namespace) -> int:
    from shopops.insights.commands import main as insights_main

    return insights_main(args)


def cmd_forecast(args: argparse.Namespace) -> int:
    """``forecast backtest``: the demand forecaster on the user's own series file (no warehouse)."""
    from shopops.inventory.forecasting.backtest_file import backtest, read_series

    for line in backtest(read_series(args.series), freq=args.freq, horizon=args.horizon):
        print(line)
    return 0


# Commands that touch the warehouse: handed to a running server that holds a DuckDB warehouse.
HANDOFF = frozenset({"kpi", "report", "insights", "import", "demo", "setup-demo"})
# the commands that write the app database (jobs, users, keys, findings, import jobs): they migrate it first
APP_DB_COMMANDS = frozenset({"serve", "worker", "jobs", "setup-demo", "demo", "import", "insights", "createuser",
                             "apikey"})
MANAGE_HANDOFF = frozenset({"audience_daily", "promotions_flush"})


def _handoff_target():
    """The running server to hand a warehouse command to, or None to run it here."""
    if os.environ.get("SHOPOPS_CLI_DIRECT") == "1":
        return None
    from shopops.jobs import handoff

    if not _local_warehouse():
        return None  # PostgreSQL/Spark take writers from many processes
    return handoff.server_running()


def _local_warehouse() -> bool:
    """A DuckDB file: one process at a time may open it."""
    from shopops.warehouse.connection import warehouse_url

    url = warehouse_url()
    return url.engine == "duckdb" and url.duckdb_path != ":memory:"


def _handed_off(argv: list[str]) -> int | None:
    """Run ARGV in the server when one holds the warehouse; None when this process should run it."""
    wanted = argv[0] in HANDOFF or (argv[0] == "manage" and len(argv) > 1 and argv[1] in MANAGE_HANDOFF)
    if not wanted:
        return None
    info = _handoff_target()
    if info is None:
        return None
    from shopops.jobs import handoff

    if argv[0] == "import":  # the server resolves paths from its own directory: send absolute ones
        argv = [str(Path(a).resolve()) if not a.startswith("-") and Path(a).exists() else a for a in argv]
    print(f"(run by the shopops server, pid {info.pid})", file=sys.stderr, flush=True)
    try:
        return handoff.handoff(info, argv)
    except handoff.HandoffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3


def run_here(argv: list[str]) -> int:
    """Run one command in this (Django-ready) process, never handing it off: the server's worker
    runs the commands other processes hand to it with this."""
    if argv[:1] == ["manage"]:
        from django.core.management import call_command
        from django.core.management.base import CommandError

        try:
            call_command(*argv[1:])
        except CommandError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse printed why
        return int(exc.code or 0)
    return _dispatch(args)


def _dispatch(args: argparse.Namespace) -> int:
    from shopops.core.errors import ShopopsError

    try:
        return args.func(args)
    except (ShopopsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["manage"]:
        _django()
        if (code := _handed_off(argv)) is not None:
            return code
        from django.core.management import execute_from_command_line

        execute_from_command_line(["shopops manage", *argv[1:]])
        return 0
    args = _parser().parse_args(argv)
    _django()
    if (code := _handed_off(argv)) is not None:
        return code
    if args.command in APP_DB_COMMANDS:
        _migrate_if_needed()  # a command run here that keeps something in the app database finds it up to date
    return _dispatch(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shopops", description="shopops — operations platform")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--no-worker", action="store_true", help="run no job worker here (`shopops worker` processes do)")
    p.add_argument("--no-scheduler", action="store_true", help="fire no scheduled jobs from here")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="the job worker and scheduler, without the web server")
    p.add_argument("--no-scheduler", action="store_true", help="only run queued jobs; another process schedules")
    p.add_argument("--batch", action="store_true", help="run what is queued now, then exit")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("jobs", help="periodic jobs: list, log, tick (fire what is due), run NAME")
    p.add_argument("action", choices=["list", "log", "tick", "run"])
    p.add_argument("job", nargs="?", help="run: the job's name; log: only this job")
    p.add_argument("--now", help="tick: the scheduler's clock (ISO time; store zone when no offset)")
    p.add_argument("--limit", type=int, default=30)
    p.add_argument("--verbose", "-v", action="store_true", help="log: each run's output and error")
    p.set_defaults(func=cmd_jobs)

    p = sub.add_parser("setup-demo", help="first run: demo users and demo store when absent")
    p.set_defaults(func=cmd_setup_demo)

    p = sub.add_parser("demo", help="generate the demo store and load it through the ingest pipeline")
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--scale", choices=["small", "medium", "large"], default="small")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--end", help="last day (YYYY-MM-DD); default: yesterday in the store time zone")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import", help="import export files")
    p.add_argument("paths", nargs="+")
    p.add_argument("--profile", required=True, help="profile id: a file profile or a saved mapping")
    p.add_argument("--store")
    p.add_argument("--strict", action="store_true", help="all or nothing: load nothing if any row is rejected")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("kpi", help="print KPIs")
    p.add_argument("kpis", nargs="+")
    p.add_argument("--period", required=True, help="2025-11, 2025-W45, 2025-11-11 or START..END")
    p.add_argument("--grain", choices=["day", "week", "month"])
    p.add_argument("--by", action="append", help="dimension, e.g. store (= store_id), platform, category (repeatable)")
    p.add_argument("--store", action="append", help="store id filter (repeatable)")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.set_defaults(func=cmd_kpi)

    p = sub.add_parser("report", help="generate the weekly (周报) or monthly (月报) operations report")
    p.add_argument("kind", choices=["weekly", "monthly"])
    p.add_argument("--week", help="ISO week of a weekly report, e.g. 2025-W45")
    p.add_argument("--month", help="month of a monthly report, e.g. 2025-11")
    p.add_argument("--store", action="append", help="store id (repeatable); default: all stores")
    p.add_argument("--format", default="pdf,xlsx,html", help="comma-separated: pdf, xlsx, html (default: all)")
    p.add_argument("--lang", choices=["zh-hans", "en"], default="zh-hans", help="language of the report")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("insights", help="detect and explain abnormal KPI days; the daily brief (晨报)")
    from shopops.insights.commands import add_arguments as insights_arguments

    insights_arguments(p)
    p.set_defaults(func=cmd_insights)

    p = sub.add_parser("createuser", help="create a user with one role")
    p.add_argument("username")
    p.add_argument("--role", required=True)
    p.add_argument("--password")
    p.add_argument("--email")
    p.add_argument("--admin", action="store_true")
    p.set_defaults(func=cmd_createuser)

    p = sub.add_parser("apikey", help="keys of a store's own site: create, list, revoke")
    keys = p.add_subparsers(dest="action", required=True)
    k = keys.add_parser("create", help="a new key; printed once (only its hash is kept)")
    k.add_argument("--store", required=True, help="store id")
    k.add_argument("--kind", choices=["server", "collect"], required=True,
                   help="server: secret, orders/refunds/promotions/customers; collect: publishable, the event snippet")
    k.add_argument("--name", required=True, help="what uses it, e.g. mini-program backend")
    k.add_argument("--rate", type=int, default=600, help="requests a minute (default 600)")
    keys.add_parser("list", help="every key, revoked ones too")
    k = keys.add_parser("revoke", help="revoke a key by its prefix (it stops working at once)")
    k.add_argument("prefix")
    p.set_defaults(func=cmd_apikey)

    p = sub.add_parser("forecast", help="demand forecasts: backtest the forecaster on your own series")
    fsub = p.add_subparsers(dest="action", required=True)
    f = fsub.add_parser("backtest", help="hold out the last H periods of a CSV (id,date,value); print MASE per model")
    f.add_argument("--series", required=True, type=Path, help="CSV with columns id,date,value (UTF-8 or GBK)")
    f.add_argument("--freq", choices=["D", "W"], default="D")
    f.add_argument("--horizon", type=int, default=28)
    p.set_defaults(func=cmd_forecast)

    from shopops.service.commands_reviews import add_parser as reviews_parser

    reviews_parser(sub)  # shopops reviews score|train (docs/reviews.md)

    p = sub.add_parser("docs", help="print generated documentation")
    p.add_argument("which", choices=["data-model", "kpis"])
    p.set_defaults(func=cmd_docs)

    return parser


if __name__ == "__main__":
    sys.exit(main())
