"""Pages read the warehouse once per data version (issue 13): the cockpit is cached whole and warmed
after an import, a repeat visit makes no query but one version lookup, and the numbers are those
of the uncached build. Expected values counted by hand:

  one own-site store "s1" (CNY); paid orders 2025-11-10 100.00 and 2025-11-11 250.00 -> GMV of
  the last 7 days (2025-11-05..11) 350.00, 2 paid orders; a later import adds 2025-11-11 50.00
  -> 400.00, 3 orders.
"""

from __future__ import annotations

import datetime as dt
import pickle
import re
from decimal import Decimal

import pyarrow as pa
import pytest
from django.core.cache import caches
from django.urls import reverse

from shopops.core.periods import Period
from shopops.core.roles import Role
from shopops.metrics import cockpit as cockpit_module
from shopops.metrics.catalog import CATALOG
from shopops.metrics.dimensions import ad_plan_names, product_titles, store_list
from shopops.metrics.products import product_style_codes
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse import versions
from shopops.warehouse.backends import versions as engine_versions
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db


def _at(day: str) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, 4, tzinfo=dt.UTC)


def _orders(rows: dict[str, tuple[str, str]]) -> pa.Table:
    return pa.Table.from_pylist([
        {"store_id": "s1", "order_id": k, "customer_id": f"c{k}", "status": "paid", "created_at": _at(day),
         "paid_at": _at(day), "paid_date": dt.date.fromisoformat(day), "paid_amount": Decimal(amount)}
        for k, (day, amount) in rows.items()])


@pytest.fixture
def shop(warehouse):
    caches["default"].clear()
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "s1", "platform": "own", "name": "小程序", "currency": "CNY", "time_zone": "Asia/Shanghai"},
        {"store_id": "s2", "platform": "tmall", "name": "天猫店", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    load(warehouse, "orders", _orders({"o1": ("2025-11-10", "100.00"), "o2": ("2025-11-11", "250.00")}))
    load(warehouse, "products", pa.Table.from_pylist([
        {"store_id": "s1", "product_id": "P1", "title": "羊绒围巾"},
        {"store_id": "s1", "product_id": "P2", "title": "羊毛帽"},
        {"store_id": "s2", "product_id": "P1", "title": "天猫围巾"}]))
    load(warehouse, "skus", pa.Table.from_pylist([
        {"store_id": "s1", "sku_id": "K1", "product_id": "P1", "merchant_code": "QM-01-A"},
        {"store_id": "s1", "sku_id": "K2", "product_id": "P1", "merchant_code": "QM-01-B"},
        {"store_id": "s1", "sku_id": "K3", "product_id": "P2", "merchant_code": "QM-02-A"}]))
    return warehouse


@pytest.fixture
def director(client):
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    return client


def _gmv_tile(html: str) -> str:
    tile = re.search(r'<article class="tile" data-tile="gmv">.*?</article>', html, re.S).group(0)
    return re.search(r'data-value="([^"]*)"', tile).group(1)


def test_a_kpi_pickles_as_its_catalog_entry():
    assert pickle.loads(pickle.dumps(CATALOG["gmv"])) is CATALOG["gmv"]


def test_the_cockpit_is_built_once_per_data_version_and_shows_a_new_import(shop, director, monkeypatch):
    calls = []
    compute = cockpit_module._cockpit_compute
    monkeypatch.setattr(cockpit_module, "_cockpit_compute", lambda **kw: calls.append(1) or compute(**kw))
    first = director.get(reverse("web:cockpit"), {"period": "last7"}).content.decode()
    again = director.get(reverse("web:cockpit"), {"period": "last7"}).content.decode()
    assert _gmv_tile(first) == _gmv_tile(again) == "350.00"
    assert len(calls) == 1  # the repeat visit read the cache
    load(shop, "orders", _orders({"o3": ("2025-11-11", "50.00")}))  # an import: a new data version
    after = director.get(reverse("web:cockpit"), {"period": "last7"}).content.decode()
    assert _gmv_tile(after) == "400.00" and len(calls) == 2


def test_the_warm_up_builds_the_default_cockpit_before_the_first_visitor(shop, director, monkeypatch):
    load(shop, "orders", _orders({"o3": ("2025-11-11", "50.00")}))
    # every store together and each store alone, the page's default period (last 7 days)
    assert cockpit_module.cockpit_warm(today=dt.date(2025, 11, 30)) == 3

    def refuse(**kw):
        raise AssertionError("the cockpit was computed again")

    monkeypatch.setattr(cockpit_module, "_cockpit_compute", refuse)
    html = director.get(reverse("web:cockpit")).content.decode()  # no period: the page's default
    assert 'data-period-start="2025-11-05"' in html and _gmv_tile(html) == "400.00"
    html = director.get(reverse("web:cockpit"), {"store": "s1"}).content.decode()
    assert _gmv_tile(html) == "400.00"


def test_a_role_without_ads_reads_the_directors_cached_cockpit_without_the_ad_tiles(shop, director, client,
                                                                                    monkeypatch):
    html = director.get(reverse("web:cockpit"), {"period": "last7"}).content.decode()
    assert {"ad_spend", "roas"} <= set(re.findall(r'data-tile="([a-z_]+)"', html))

    def refuse(**kw):
        raise AssertionError("the cockpit was computed again")

    monkeypatch.setattr(cockpit_module, "_cockpit_compute", refuse)
    client.force_login(user_create(username="designer", password="a-long-test-password", role=Role.DESIGNER))
    html = client.get(reverse("web:cockpit"), {"period": "last7"}).content.decode()
    tiles = set(re.findall(r'data-tile="([a-z_]+)"', html))
    assert "gmv" in tiles and not tiles & {"ad_spend", "roas"} and _gmv_tile(html) == "350.00"


def test_one_version_read_per_page_gives_the_same_versions_as_each_read(shop):
    cases = [(("orders",), ()), (("orders", "stores"), ("s1",)), (("products",), ("s2", "s9")), ((), ())]
    alone = [versions.data_version(shop, t, s) for t, s in cases]
    reads = []
    real = engine_versions.read

    def counted(*args, **kwargs):
        reads.append(1)
        return real(*args, **kwargs)

    with versions.versions_memo():
        import shopops.warehouse.versions as v

        original = v._engine.read
        v._engine.read = counted
        try:
            memo = [versions.data_version(shop, t, s) for t, s in cases]
        finally:
            v._engine.read = original
    assert memo == alone and len(reads) == 1


def test_titles_and_style_codes_of_the_asked_products_only(shop):
    keys = [("s1", "P1"), ("s2", "P1"), ("s1", "P9")]
    assert product_titles(keys) == {("s1", "P1"): "羊绒围巾", ("s2", "P1"): "天猫围巾"}
    assert product_style_codes([("s1", "P1"), ("s1", "P2")]) == {("s1", "P1"): "QM-01", ("s1", "P2"): "QM-02"}
    load(shop, "products", pa.Table.from_pylist([{"store_id": "s1", "product_id": "P9", "title": "新品"}]))
    assert product_titles(keys)[("s1", "P9")] == "新品"  # a new version of the products: read again
    assert [s.store_id for s in store_list()] == ["s1", "s2"]



def test_ad_plan_names_read_once_per_data_version(shop):
    """The ads page asks for its plans' names on every visit: read once per version of ad_spend_daily
    (a change the loader did not make is not seen until the next load; the loader's is)."""
    def day(date: str, name: str) -> dict:
        return {"store_id": "s1", "date": dt.date.fromisoformat(date), "ad_tool": "ztc", "plan_id": "p1",
                "plan_name": name, "cost": Decimal("10.00")}

    days = [day("2025-11-10", "老名字"), day("2025-11-11", "双11计划")]
    load(shop, "ad_spend_daily", pa.Table.from_pylist(days))
    keys = [("ztc", "p1"), ("ztc", "p9")]
    assert ad_plan_names(keys) == {("ztc", "p1"): "双11计划"}  # the latest day's name; p9 has none
    shop.raw_sql("UPDATE ad_spend_daily SET plan_name = '改名' WHERE plan_id = 'p1'")  # behind the loader's back
    assert ad_plan_names(keys) == {("ztc", "p1"): "双11计划"}  # same version: not read again
    load(shop, "ad_spend_daily", pa.Table.from_pylist([day("2025-11-12", "返场计划")]))
    assert ad_plan_names(keys) == {("ztc", "p1"): "返场计划"}  # a new version: read again

def test_the_customers_warm_up_runs_the_customers_pages_queries_before_the_first_visitor(shop, director, monkeypatch):
    """New and returning buyers and cohorts read every order (31 s on the large demo): ``customers_warm``
    (after an import, and the job) runs the page's default queries, so the first visitor only reads the
    cache — every query the page runs comes back cached."""
    from shopops.metrics.customer_overview import customers_warm
    from shopops.metrics.runners import base

    load(shop, "orders", _orders({"o3": ("2025-11-11", "50.00")}))  # an import: a new data version
    assert customers_warm(today=dt.date(2025, 11, 30)) == 3  # tiles, buyers by day, cohorts
    seen: list[tuple[str, bool]] = []
    calculate = base.Runner.calculate

    def recording(self):
        result = calculate(self)
        seen.append((type(self.query).__name__, result.cached))
        return result

    monkeypatch.setattr(base.Runner, "calculate", recording)
    r = director.get("/customers/")
    assert r.status_code == 200 and 'data-period-start="2025-11-05"' in r.content.decode()
    assert {"ComparisonQuery", "KpiQuery", "CohortQuery"} <= {kind for kind, _ in seen}
    assert all(hit for _, hit in seen), seen
    # a new import: the page computes again (the warm-up's results belong to the old data version)
    load(shop, "orders", _orders({"o4": ("2025-11-10", "20.00")}))
    seen.clear()
    assert director.get("/customers/").status_code == 200
    assert not any(hit for _, hit in seen), seen


def test_the_customers_job_warms_the_rfm_page_and_keeps_it(shop, director, monkeypatch):
    """The RFM grid of the page's default view (every store, the last day with a paid order) is computed
    by the ``customers_warm`` job after an import: the first visitor computes nothing; the job keeps what
    it warmed past the cache's own timeout; a new import computes again."""
    from shopops.customers import jobs, selectors
    from shopops.metrics import cache as result_cache

    load(shop, "orders", _orders({"o3": ("2025-11-11", "50.00")}))  # an import: a new data version
    built = []
    compute = selectors._rfm_overview
    monkeypatch.setattr(selectors, "_rfm_overview", lambda *a: built.append(a[1]) or compute(*a))
    touched = []
    touch = caches["default"].touch
    monkeypatch.setattr(caches["default"], "touch", lambda key, timeout=None: touched.append(timeout) or touch(key, timeout))
    assert jobs.customers_warm() == "3 customers page queries and 1 RFM view warm"
    assert built == [dt.date(2025, 11, 11)]
    # kept for the job's own span, not the cache's 5 minutes: every result it warmed (3 queries + the grid)
    kept_before = len(touched)
    jobs.customers_warm()  # a second run at the same version: cache reads, each kept again
    assert built == [dt.date(2025, 11, 11)] and len(touched) - kept_before == 4
    assert min(touched) >= result_cache.WARM_TIMEOUT  # (the grid: its own hour, the longer)
    assert director.get(reverse("customers:rfm")).status_code == 200
    assert built == [dt.date(2025, 11, 11)]  # the visitor read the warmed grid
    grid = selectors.rfm_overview(as_of=dt.date(2025, 11, 11))
    assert (grid.customers, grid.gmv) == (3, Decimal("400.00"))  # o1 + o2 + o3, one customer each
    load(shop, "orders", _orders({"o4": ("2025-11-10", "20.00")}))
    assert director.get(reverse("customers:rfm")).status_code == 200
    assert built == [dt.date(2025, 11, 11)] * 2  # a new version: computed again


def test_keep_gives_a_cached_result_a_new_life():
    from shopops.metrics.cache import LocalCache, keep

    local = LocalCache(timeout=0.05)
    local.set("a", {"rows": 1})
    assert keep("a", cache=local, timeout=60) and not keep("b", cache=local) and not keep(None, cache=local)
    import time

    time.sleep(0.1)
    assert local.get("a") == {"rows": 1}  # would have expired after 0.05 s
    local.set("c", 1, timeout=0.01)
    time.sleep(0.05)
    assert not local.touch("c", 60) and local.get("c") is None  # expired before the touch: gone
