"""Flash-sale reservations on PostgreSQL: the service code path vs raw SQL, and a naive one.

64 threads x 200 attempts on 1,000 units (BENCH_FS_THREADS / BENCH_FS_ATTEMPTS / BENCH_FS_UNITS).

subject:   ``services.flash_sale_reserve`` (per-buyer counter + conditional stock UPDATE +
           reservation row, one transaction) through the Django ORM;
baseline:  raw ``UPDATE … SET remaining = remaining - 1 WHERE id = %s AND remaining > 0
           RETURNING remaining`` on a psycopg connection per thread (the floor of what any
           correct path costs);
gated:     the same service with the Redis gate (``SHOPOPS_REDIS_URL``; the bench uses
           SHOPOPS_TEST_REDIS_URL or SHOPOPS_REDIS_URL when set, else skips the rows): sold-out
           and over-limit attempts answered by Redis, admitted ones recorded by PostgreSQL —
           twice: with the sold-out memo (SHOPOPS_FLASH_MEMO_SECONDS, default 1 s: once Redis
           said sold out, the process refuses on its own until a restock message) and without
           (every refusal one Redis round trip);
naive:     read-then-write (``SELECT remaining`` then ``UPDATE … SET remaining = <read - 1>``)
           — what not to do: it oversells.

Needs SHOPOPS_TEST_POSTGRES_URL (scripts/postgres-test.sh prints one); without it the
benchmark says so and returns no rows. A throwaway database is created and dropped.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

THREADS = int(os.environ.get("BENCH_FS_THREADS", "64"))
ATTEMPTS = int(os.environ.get("BENCH_FS_ATTEMPTS", "200"))
UNITS = int(os.environ.get("BENCH_FS_UNITS", "1000"))
NOW = dt.datetime(2026, 11, 11, 0, 0, tzinfo=dt.timezone.utc)


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _threads(work) -> float:
    barrier = threading.Barrier(THREADS)

    def runner(k: int) -> None:
        barrier.wait()
        work(k)

    threads = [threading.Thread(target=runner, args=(k,)) for k in range(THREADS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def _service_buyer(sale_id: int, ok: list[int], last_sale: list[float]):
    """Thread k's work: ATTEMPTS reservations of one unit through the service (``ok[k]`` counts the
    units it got, ``last_sale[k]`` when it got the last one)."""
    from django.db import connections

    from shopops.promotions import services

    def buyer(k: int) -> None:
        try:
            for _ in range(ATTEMPTS):
                try:
                    services.flash_sale_reserve(flash_sale_id=sale_id, buyer_id=f"b{k}", quantity=1, now=NOW)
                    ok[k] += 1
                    last_sale[k] = time.perf_counter()
                except services.FlashSaleError:
                    pass
        finally:
            connections.close_all()

    return buyer


def run() -> list[dict]:
    admin_url = os.environ.get("SHOPOPS_TEST_POSTGRES_URL")
    if not admin_url:
        print("bench_flash_sale: SHOPOPS_TEST_POSTGRES_URL is not set (SHOPOPS_TEST_POSTGRES_URL=$(scripts/postgres-test.sh)); "
              "skipped", file=sys.stderr)
        return []
    import psycopg

    name = f"shopops_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_db(admin_url, name)
    try:
        return _run(url)
    finally:
        from django.db import connections

        from shopops.promotions import writers

        connections.close_all()
        writers.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(url: str) -> list[dict]:
    import psycopg

    os.environ["SHOPOPS_DATABASE_URL"] = url
    os.environ.setdefault("SHOPOPS_VAR_DIR", tempfile.mkdtemp(prefix="shopops-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopops.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from shopops.promotions import services
    from shopops.promotions.models import FlashSale, Reservation

    call_command("migrate", verbosity=0)
    window = {"starts_at": NOW - dt.timedelta(hours=1), "ends_at": NOW + dt.timedelta(hours=1)}

    # --- subject: the service --------------------------------------------------------
    sale = services.flash_sale_create(sku="BENCH", price=1, quantity=UNITS, per_buyer_limit=ATTEMPTS, **window)
    ok = [0] * THREADS
    last_sale = [0.0] * THREADS  # when each thread last got a unit: the sell-out time

    t0 = time.perf_counter()
    subject_s = _threads(_service_buyer(sale.pk, ok, last_sale))
    subject_sellout_s = max(last_sale) - t0
    sale.refresh_from_db()
    sold = Reservation.objects.filter(flash_sale=sale).count()
    assert sold == sum(ok)

    # --- baseline: raw atomic UPDATE … RETURNING ---------------------------------------
    raw_sale = services.flash_sale_create(sku="RAW", price=1, quantity=UNITS, **window)
    raw_ok = [0] * THREADS
    raw_last = [0.0] * THREADS

    def raw_buyer(k: int) -> None:
        with psycopg.connect(url, autocommit=True) as con:
            for _ in range(ATTEMPTS):
                row = con.execute("UPDATE promotions_flashsale SET remaining = remaining - 1 "
                                  "WHERE id = %s AND remaining > 0 RETURNING remaining", (raw_sale.pk,)).fetchone()
                if row is not None:
                    raw_ok[k] += 1
                    raw_last[k] = time.perf_counter()

    t0 = time.perf_counter()
    baseline_s = _threads(raw_buyer)
    baseline_sellout_s = max(raw_last) - t0

    # --- gated: the service behind the Redis gate, with the sold-out memo and without ------
    gated_rows = []
    redis_url = os.environ.get("SHOPOPS_TEST_REDIS_URL") or os.environ.get("SHOPOPS_REDIS_URL")
    if redis_url:
        from django.conf import settings

        settings.SHOPOPS_REDIS_URL = redis_url
        memo_seconds = settings.SHOPOPS_FLASH_MEMO_SECONDS
        for memo in (memo_seconds, 0.0) if memo_seconds else (0.0,):
            settings.SHOPOPS_FLASH_MEMO_SECONDS = memo
            gated_rows.append(_gated(url, window, baseline_s, memo))
        settings.SHOPOPS_FLASH_MEMO_SECONDS = memo_seconds
        settings.SHOPOPS_REDIS_URL = ""
    else:
        print("bench_flash_sale: no SHOPOPS_TEST_REDIS_URL/SHOPOPS_REDIS_URL (scripts/redis-test.sh DIR): "
              "the gated rows are skipped", file=sys.stderr)

    # --- naive: read then write ---------------------------------------------------------
    naive_sale = services.flash_sale_create(sku="NAIVE", price=1, quantity=UNITS, **window)
    naive_ok = [0] * THREADS

    def naive_buyer(k: int) -> None:
        with psycopg.connect(url, autocommit=True) as con:
            for _ in range(ATTEMPTS):
                (remaining,) = con.execute("SELECT remaining FROM promotions_flashsale WHERE id = %s",
                                           (naive_sale.pk,)).fetchone()
                if remaining > 0:
                    con.execute("UPDATE promotions_flashsale SET remaining = %s WHERE id = %s",
                                (remaining - 1, naive_sale.pk))
                    naive_ok[k] += 1

    naive_s = _threads(naive_buyer)
    attempts = THREADS * ATTEMPTS
    common = {"rows": attempts, "units": UNITS, "threads": THREADS}
    return [
        {"case": "reserve: service vs raw UPDATE … RETURNING", **common, "subject_s": subject_s, "baseline_s": baseline_s,
         "ratio": subject_s / baseline_s, "sold": sold, "oversold": max(0, sold - UNITS),
         "remaining": FlashSale.objects.get(pk=sale.pk).remaining,
         "attempts_per_s": attempts / subject_s, "reservations_per_s": sold / subject_s, "statements": services._reserve_batcher(sale.pk).batches,
         "sellout_s": subject_sellout_s, "baseline_sellout_s": baseline_sellout_s,
         "sellout_ratio": subject_sellout_s / baseline_sellout_s,
         "baseline_sold": sum(raw_ok), "baseline_oversold": max(0, sum(raw_ok) - UNITS),
         "baseline_attempts_per_s": attempts / baseline_s,
         "baseline": "raw atomic UPDATE … WHERE remaining > 0 RETURNING (psycopg, autocommit)"},
        *gated_rows,
        {"case": "naive read-then-write (what not to do)", **common, "subject_s": naive_s, "baseline_s": baseline_s,
         "ratio": naive_s / baseline_s, "sold": sum(naive_ok), "oversold": max(0, sum(naive_ok) - UNITS),
         "attempts_per_s": attempts / naive_s,
         "baseline": "raw atomic UPDATE … RETURNING"},
    ]


def _gated(url: str, window: dict, baseline_s: float, memo: float) -> dict:
    """The service behind the Redis gate (``memo``: SHOPOPS_FLASH_MEMO_SECONDS, 0 = every refusal asks Redis)."""
    from shopops.promotions import services
    from shopops.promotions.models import FlashSale, Reservation

    gated_sale = services.flash_sale_create(sku="GATED", price=1, quantity=UNITS, per_buyer_limit=ATTEMPTS, **window)
    services.flash_sale_gate_forget(flash_sale_id=gated_sale.pk)  # this run's database reuses the id
    gate = services._gate()
    memo_before = gate.memo_refusals
    gated_ok = [0] * THREADS
    cpu0 = time.process_time()

    gated_s = _threads(_service_buyer(gated_sale.pk, gated_ok, [0.0] * THREADS))
    cpu_s = time.process_time() - cpu0
    gated_sold = Reservation.objects.filter(flash_sale=gated_sale).count()
    assert gated_sold == sum(gated_ok)
    # a gate that refused the whole sale (stale state) would look faster than raw: not a result
    assert gated_sold == UNITS, f"the gated service sold {gated_sold} of {UNITS}"
    label = f"sold-out memo {memo:g} s" if memo else "no memo: every refusal asks Redis"
    return {"case": f"reserve through the Redis gate ({label}) vs raw UPDATE … RETURNING", "rows": THREADS * ATTEMPTS,
            "units": UNITS, "threads": THREADS, "subject_s": gated_s, "baseline_s": baseline_s,
            "ratio": gated_s / baseline_s, "sold": gated_sold, "oversold": max(0, gated_sold - UNITS),
            "remaining": FlashSale.objects.get(pk=gated_sale.pk).remaining,
            "attempts_per_s": THREADS * ATTEMPTS / gated_s, "speed_vs_raw": baseline_s / gated_s,
            "client_cpu_s": cpu_s, "memo_refusals": gate.memo_refusals - memo_before,
            "statements": services._reserve_batcher(gated_sale.pk).batches,
            "baseline": "raw atomic UPDATE … WHERE remaining > 0 RETURNING (psycopg, autocommit)"}


if __name__ == "__main__":
    for row in run():
        print(row)
