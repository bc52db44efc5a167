"""The deterministic demo store: a year of a multi-channel Chinese online shop as CSV files.

``generate()`` writes files in the shopops standard profiles (``ingest/profiles``) for
five stores of one invented brand (Tmall, JD, Pinduoduo, Douyin, own mini-program) and
returns a manifest listing them in load order.

Each channel gets what it really provides (``metrics.channels.has_event_stream``): the
platform stores get the platform's reports — the product/source traffic report
(``shopops_traffic_daily``) and the whole-store daily report (``shopops_shop_traffic_daily``)
— and no behaviour events; only the own mini-program gets its event stream
(``shopops_events``) and the product report. Browsing is still simulated for every store,
internally, because the reports are counted from it. It never touches a database; the
caller feeds the files through the real ingest pipeline. Same arguments ⇒ the same
bytes (numpy PCG64 streams per part, no wall clock, no set/dict-order dependence).

Work is done month by month so memory stays bounded at every scale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopops.demo.generator.aftersale import ReviewWriter, build_refunds
from shopops.metrics.channels import has_event_stream
from shopops.demo.generator.behaviour import BehaviourModel, shop_traffic_from_events, traffic_from_events
from shopops.demo.generator.calendar import build_calendar
from shopops.demo.generator.catalogue import build_catalogue, product_day_weights, store_affinity
from shopops.demo.generator.csv_out import Formatter, PartWriter, Profile, load_profile
from shopops.demo.generator.market import PLANS, build_ads, build_competitors
from shopops.demo.generator.orders import DAY, OrderModel
from shopops.demo.generator.people import build_people
from shopops.demo.generator.spec import SCALES, STORE_IDS, STORES, stream
from shopops.demo.generator.stock import build_stock
from shopops.demo.generator.tables import TableWriter, store_slices

__all__ = ["PROFILE_ORDER", "SCALES", "STORE_IDS", "DemoFile", "DemoManifest", "generate"]

# Load order: dimensions first, then facts.
PROFILE_ORDER = (
    "shopops_products", "shopops_skus", "shopops_customers", "shopops_orders", "shopops_order_lines",
    "shopops_refunds", "shopops_traffic_daily", "shopops_shop_traffic_daily", "shopops_events", "shopops_ad_spend_daily",
    "shopops_reviews", "shopops_inventory_snapshots", "shopops_competitor_snapshots",
)
_DAYS_BEFORE = 1_500  # time axis reaches back this far (launch dates, first visits)
_DAYS_AFTER = 60
_AVERAGE_ORDER_CENTS = 26_000.0


@dataclass(frozen=True, slots=True)
class DemoFile:
    path: Path
    profile_id: str
    store_id: str | None
    rows: int


@dataclass(frozen=True)
class DemoManifest:
    files: list[DemoFile]  # in load order
    stores: list[str]
    start_date: dt.date
    end_date: dt.date
    seed: int
    scale: str

    def rows(self, profile_id: str) -> int:
        return sum(f.rows for f in self.files if f.profile_id == profile_id)


def _months(start: dt.date, n_days: int) -> list[tuple[int, int]]:
    """Window day ranges [d0, d1) of each calendar month."""
    out, d0 = [], 0
    while d0 < n_days:
        day = start + dt.timedelta(days=d0)
        nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        d1 = min((nxt - start).days, n_days)
        out.append((d0, d1))
        d0 = d1
    return out


def generate(out_dir: Path, *, days: int = 365, scale: str = "small", seed: int = 7,
             end_date: dt.date, incidents=()) -> DemoManifest:
    """Write the demo store's files under ``out_dir`` and return their manifest.

    ``incidents`` (:class:`~shopops.demo.generator.incidents.Incident`) plant known causes
    of abnormal days and write their truth to ``incidents.json``; none: output unchanged."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    if days < 1:
        raise ValueError("days must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sc = SCALES[scale]
    start = end_date - dt.timedelta(days=days - 1)
    cal = build_calendar(start, end_date)
    n_days = cal.days
    cat = build_catalogue(seed, n_days)
    people, skeleton = build_people(seed, cal, sc)

    base_w = product_day_weights(cat, cal.month, n_days)  # [D, P]
    aff = store_affinity(cat)  # [S, P]
    sales_w = aff[:, None, :] * base_w[None, :, :]
    browse_w = aff[:, None, :] ** 0.9 * base_w[None, :, :] ** 0.9  # browsing is a little flatter than buying
    model = OrderModel(cal, cat, people, sales_w)
    orders_per_store = np.bincount(skeleton.store, minlength=len(STORES)).astype(np.float64)
    expected_per_day = orders_per_store / cal.order_mult.sum(axis=1)
    behaviour = BehaviourModel(cal, model, people, expected_per_day, sc.browse_sessions_per_order, browse_w)
    reviews_text = ReviewWriter(cat)
    plan = _incident_plan(seed, incidents, cal, cat, sales_w)

    fmt = Formatter(start, _DAYS_BEFORE, _DAYS_AFTER, n_days)
    tw = TableWriter(fmt, cat, people, n_days)
    profiles = {pid: load_profile(pid) for pid in ("shopops_stores", *PROFILE_ORDER)}
    writers: dict[tuple[str, int], PartWriter] = {}

    def writer(pid: str, s: int) -> PartWriter:
        key = (pid, s)
        if key not in writers:
            split = sc.part_rows if pid in _SPLIT else None
            writers[key] = PartWriter(out_dir / STORES[s].store_id, profiles[pid], STORES[s].store_id, split)
        return writers[key]

    # files of an earlier run (say with more part files) would not match the manifest
    for spec in STORES:
        for stale in sorted((out_dir / spec.store_id).glob("shopops_*.csv")):
            stale.unlink()
    stores_path = out_dir / "stores.csv"
    _write_stores(stores_path, profiles["shopops_stores"])

    for s in range(len(STORES)):
        tw.products(writer("shopops_products", s), s)
        tw.skus(writer("shopops_skus", s), s)
        tw.customers(writer("shopops_customers", s), s)

    units = np.zeros((len(STORES), cat.n_skus, n_days), dtype=np.int32)
    order_seq = np.zeros(len(STORES), dtype=np.int64)
    event_seq = [np.zeros(len(STORES), dtype=np.int64), np.zeros(len(STORES), dtype=np.int64)]
    end_sec = n_days * DAY
    for i, (d0, d1) in enumerate(_months(start, n_days)):
        lo, hi = (int(b) for b in np.searchsorted(skeleton.day, [d0, d1]))
        oc = model.build(stream(seed, "orders", i), skeleton, lo, hi, order_seq)
        if plan:
            oc = plan.orders(oc, i)
        rf = build_refunds(stream(seed, "refunds", i), oc, cat, end_sec)
        rv = reviews_text.build(stream(seed, "reviews", i), oc, rf, end_sec)
        ev = behaviour.build(stream(seed, "events", i), oc, d0, d1, event_seq)
        if plan:
            plan.reviews(rv)
            ev = plan.traffic_events(ev, i)
        tr = traffic_from_events(ev, oc, d0, cat.n_products)
        sh = shop_traffic_from_events(ev, oc, d0)
        if plan:
            ev = plan.tracking_events(ev)
        pl = oc.paid[oc.line_order]
        o = oc.line_order[pl]
        np.add.at(units, (oc.store[o], oc.line_sku[pl], oc.paid_at[o] // DAY), oc.line_qty[pl])

        oids = tw.order_ids(oc)
        order_slices = dict(store_slices(oc.store))
        for s, sl in order_slices.items():
            tw.orders(writer("shopops_orders", s), s, sl, oc, oids[s])
            tw.order_lines(writer("shopops_order_lines", s), s, sl, oc, oids[s])
            tw.refunds(writer("shopops_refunds", s), s, rf, oc, order_slices, oids)
        for s, sl in store_slices(tr.store):
            tw.traffic(writer("shopops_traffic_daily", s), s, sl, tr)
        for s, sl in store_slices(sh.store):  # the platform's store report: platform stores only
            if not has_event_stream(STORES[s].platform):
                tw.shop_traffic(writer("shopops_shop_traffic_daily", s), s, sl, sh)
        for s, sl in store_slices(ev.store):  # the behaviour events: only where the channel has an event stream
            if has_event_stream(STORES[s].platform):
                tw.events(writer("shopops_events", s), s, sl, ev)
        for s in range(len(STORES)):
            tw.reviews(writer("shopops_reviews", s), s, rv, order_slices, oids)
        del oc, rf, rv, ev, tr, sh

    gmv_per_day = expected_per_day * _AVERAGE_ORDER_CENTS
    ads = build_ads(seed, cal, gmv_per_day, _AVERAGE_ORDER_CENTS)
    if plan:
        plan.ads(ads)
    for s, sl in store_slices(ads.store):
        tw.ads(writer("shopops_ad_spend_daily", s), s, sl, ads)
    st = build_stock(seed, cat, units, sc.inventory_every)
    if plan:
        st = plan.stock(st, cat.sku_product)
    for s, sl in store_slices(st.store):
        tw.stock(writer("shopops_inventory_snapshots", s), s, sl, st)
    comp = build_competitors(seed, cal, cat, sales_w.sum(axis=0))
    if plan:
        plan.competitors(comp)
        plan.write_truth(out_dir, lambda s, p: tw.product_ids[s][p].as_py())
    for s, sl in store_slices(comp.store):
        if sl.stop > sl.start:
            tw.competitors(writer("shopops_competitor_snapshots", s), s, sl, comp)

    files = [DemoFile(stores_path, "shopops_stores", None, len(STORES))]
    for pid in PROFILE_ORDER:
        for s, spec in enumerate(STORES):
            w = writers.get((pid, s))
            if w is None:
                continue
            for path, rows in w.finish():
                files.append(DemoFile(path, pid, spec.store_id, rows))
    return DemoManifest(files=files, stores=list(STORE_IDS), start_date=start, end_date=end_date,
                        seed=seed, scale=scale)


# Tables that may be split into part files at large scales.
_SPLIT = frozenset({"shopops_orders", "shopops_order_lines", "shopops_events", "shopops_traffic_daily",
                    "shopops_reviews", "shopops_refunds", "shopops_inventory_snapshots"})


def _incident_plan(seed: int, incidents, cal, cat, sales_w):
    if not incidents:
        return None
    from shopops.demo.generator.incidents import IncidentPlan

    listed = {}
    if any(inc.kind == "competitor_cut" for inc in incidents):
        comp = build_competitors(seed, cal, cat, sales_w.sum(axis=0))
        for s in range(len(STORES)):  # product -> (first, last) day a competitor item of it is listed
            m = comp.store == s
            prods, days = comp.product[m], comp.day[m]
            order = np.lexsort((days, prods))
            prods, days = prods[order], days[order]
            uniq, first = np.unique(prods, return_index=True)
            last = np.r_[first[1:], len(prods)] - 1
            listed[s] = {int(p): (int(days[a]), int(days[b])) for p, a, b in zip(uniq, first, last)}
    return IncidentPlan(seed, incidents, cal.start, cal.days, sales_w, listed)


def _write_stores(path: Path, profile: Profile) -> None:
    values = {
        "store_id": [s.store_id for s in STORES],
        "platform": [s.platform for s in STORES],
        "name": [s.name for s in STORES],
        "currency": ["CNY"] * len(STORES),
        "time_zone": ["Asia/Shanghai"] * len(STORES),
        # the own mini-program buys no ads (market.PLANS has none for it): declared, so its ¥0 is known
        "runs_no_ads": ["是" if s.store_id not in PLANS else "否" for s in STORES],
    }
    lines = [",".join(profile.headers)]
    for i in range(len(STORES)):
        lines.append(",".join(values[f][i] for f in profile.fields))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
