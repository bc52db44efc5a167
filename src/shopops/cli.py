"""The `shopops` command.

    shopops serve [--port 8000]          run the web app (one process: web + tasks)
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
        )
        for rej in job.rejects.all()[:20]:
            print(f"  row {rej.row}, column {rej.column}, value {rej.value!r}: {rej.reason}")
        if job.rows_rejected > 20:
            print(f"  … {job.rows_rejected - 20} more: see the job page /import/jobs/{job.pk}/ (CSV/Excel download)")
        failed += job.status != "loaded"
    return 1 if failed else 0


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
        sys.stdout.write(frame.to_csv(index=False))
    else:
        print(frame.to_string(index=False) if len(frame) else "(no rows)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from django.conf import settings
    from waitress import serve

    from shopops.config.wsgi import application

    print(f"shopops serving on http://{args.host}:{args.port}/  (Ctrl+C to stop)", flush=True)
    # the upload limit is shopops' own (a clear message on the page); waitress's must not be lower
    serve(application, host=args.host, port=args.port, threads=args.threads, ident="shopops",
          max_request_body_size=settings.SHOPOPS_UPLOAD_MAX_BYTES + (16 << 20))
    return 0


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


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["manage"]:
        _django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["shopops manage", *argv[1:]])
        return 0

    parser = argparse.ArgumentParser(prog="shopops", description="shopops — operations platform")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=8)
    p.set_defaults(func=cmd_serve)

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

    p = sub.add_parser("docs", help="print generated documentation")
    p.add_argument("which", choices=["data-model", "kpis"])
    p.set_defaults(func=cmd_docs)

    args = parser.parse_args(argv)
    _django()
    from shopops.core.errors import ShopopsError

    try:
        return args.func(args)
    except (ShopopsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
