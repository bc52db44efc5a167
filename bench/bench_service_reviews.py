"""Review pages with 1M reviews (and their scores) in the warehouse: p50/p95 of the review list.

Run: SHOPOPS_VAR_DIR=$(mktemp -d) shopops manage migrate && python bench/bench_service_reviews.py
Builds ``reviews`` and ``review_scores`` (BENCH_REVIEWS rows, default 1,000,000; 4 stores, 2,000
products, 1 in 6 reviews 1–2 stars, scores and aspects like the scoring job writes) column-wise
inside DuckDB in the temporary warehouse, then times the list page (wall time through the Django
test client and the process's CPU time, which includes DuckDB's work on its threads) over the
filters users click: none, a store, 差评 only, negative sentiment, an aspect named negatively, a
product, and a later page.
"""

from __future__ import annotations

import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopops.config.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402

from shopops.core.roles import Role  # noqa: E402
from shopops.team.services import role_groups_sync, user_create  # noqa: E402
from shopops.warehouse import loader  # noqa: E402
from shopops.warehouse.connection import connect  # noqa: E402

N = int(os.environ.get("BENCH_REVIEWS", "1000000"))
con = connect()
loader.ensure_tables(con, ["reviews", "review_scores"])
have = int(con.table("reviews").count().execute())
if have < N:
    started = time.perf_counter()
    texts = ["质量很好，物流很快", "尺码偏小，建议拍大一码", "颜色和图片不一样，差评", "客服态度很好，耐心解答",
             "包装破损了，里面也有划痕", "一般般吧，价格有点贵", "默认好评", "发货太慢了，等了一个星期",
             "做工精致，和描述相符", "穿了一次就起球了，质量太差"]
    aspects = ["quality,logistics", "size", "looks", "service", "packaging,quality", "price", "", "logistics",
               "as_described", "quality"]
    negative = ["", "size", "looks", "", "packaging,quality", "price", "", "logistics", "", "quality"]
    sentiment = [0.93, 0.22, 0.08, 0.95, 0.05, 0.45, 0.8, 0.1, 0.9, 0.04]

    def sql_list(values) -> str:
        return "[" + ",".join(repr(v) for v in values) + "]"

    con.raw_sql(f"""
        INSERT INTO reviews BY NAME
        SELECT 'store' || (i % 4) AS store_id, 'r' || i AS review_id, 'o' || i AS order_id,
               'p' || (i * 7 % 2000) AS product_id, 'c' || (i % 300000) AS customer_id,
               TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(i * 30) AS created_at,
               CAST(TIMESTAMP '2025-01-01' + to_seconds(i * 30) AS DATE) AS review_date,
               CAST(CASE WHEN i % 6 = 0 THEN 1 + i % 2 ELSE 3 + i % 3 END AS TINYINT) AS rating,
               {sql_list(texts)}[1 + i % 10] AS content
        FROM range({have}, {N}) t(i)""")
    con.raw_sql(f"""
        INSERT INTO review_scores BY NAME
        SELECT 'store' || (i % 4) AS store_id, 'r' || i AS review_id, 'p' || (i * 7 % 2000) AS product_id,
               CAST(TIMESTAMP '2025-01-01' + to_seconds(i * 30) AS DATE) AS review_date,
               CAST(CASE WHEN i % 6 = 0 THEN 1 + i % 2 ELSE 3 + i % 3 END AS TINYINT) AS rating,
               {sql_list(sentiment)}[1 + i % 10] AS sentiment,
               CAST(CASE WHEN {sql_list(sentiment)}[1 + i % 10] < 0.4 THEN -1
                         WHEN {sql_list(sentiment)}[1 + i % 10] > 0.6 THEN 1 ELSE 0 END AS TINYINT) AS polarity,
               {sql_list(aspects)}[1 + i % 10] AS aspects, {sql_list(negative)}[1 + i % 10] AS negative_aspects,
               'bench' AS model_version
        FROM range({have}, {N}) t(i)""")
    print(f"built {N - have:,} reviews and scores in {time.perf_counter() - started:.0f} s", flush=True)

role_groups_sync()
if not User.objects.filter(username="bench_cs").exists():
    user_create(username="bench_cs", password="bench-password-1", role=Role.CUSTOMER_SERVICE)
c = Client()
c.login(username="bench_cs", password="bench-password-1")
pages = ["/service/reviews/", "/service/reviews/?store=store1", "/service/reviews/?bad=1",
         "/service/reviews/?sentiment=negative", "/service/reviews/?aspect=size&neg=1",
         "/service/reviews/?product=p1234", "/service/reviews/?page=40", "/service/reviews/products/"]
for url in pages:  # warm up: the first query of a process loads the tables' metadata
    assert c.get(url).status_code == 200
times, cpu, per_url = [], [], {}
for i in range(5 * len(pages)):
    url = pages[i % len(pages)]
    started, started_cpu = time.perf_counter(), time.process_time()
    r = c.get(url)
    assert r.status_code == 200
    times.append((time.perf_counter() - started) * 1000)
    cpu.append((time.process_time() - started_cpu) * 1000)
    per_url.setdefault(url, []).append(times[-1])
for url, t in per_url.items():
    print(f"  {url}: median {statistics.median(t):.0f} ms")
times.sort()
cpu.sort()
p95 = int(0.95 * len(times)) - 1
print(f"{N:,} reviews, {len(times)} page loads: review list p50 {statistics.median(times):.0f} ms, "
      f"p95 {times[p95]:.0f} ms wall; CPU p50 {statistics.median(cpu):.0f} ms, p95 {cpu[p95]:.0f} ms "
      f"(DuckDB threads included); load average {os.getloadavg()[0]:.1f}")
