"""Inventory's alerts for the insights inbox and the 晨报 (``shopops.core.alerts``), on the demand forecast.

Three conditions, each with the money at stake:

* ``stockout_risk`` — a top seller (the top 10 % of a store's SKUs by units sold in 90 days, at
  least 10 units) whose stock runs out on the **forecast** (the store's cached forecast: festivals
  and planned promotions with their learned uplift) before an order placed today could arrive (its
  supplier's lead time; 14 days without one). The walk (``stock_health.forecast_shortfall``) starts
  from on hand; open PO lines arrive on their expected day (an overdue one tomorrow), the rest of the
  in-transit (ERP POs, the snapshot's) tomorrow. It is the stock page's rule: the walk is made once, in
  ``positions.stock_health`` (its ``risk_*`` fields), and a top seller's 断货 / 断货风险 there is this alert. Stake = the forecast units lost over the lead time ×
  the selling price (GMV of the days out of stock); the text also gives the margin (price − cost);
* ``overstock`` — on hand beyond 120 days of **forecast** demand (the 56-day forecast with its
  uplift, then its ordinary level), at cost, when worth at least ``OVERSTOCK_MIN`` (the 20 largest);
  At most ``STOCKOUT_LIMIT`` (30) are raised one by one — the ones already out or out within 3
  days first, then by money — and the rest as one ``stockout_risk_more`` summary (count and money);
* ``supplier_late`` — an open purchase order with lines past their expected delivery: stake =
  the late units × their unit price; the text adds the forecast sales lost over the lead time if
  those units do not come (the same walk without them).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from shopops.core.alerts import Alert
from shopops.core.errors import ShopopsError
from shopops.inventory import selectors
from shopops.inventory.models import PurchaseOrder, PurchaseOrderLine
from shopops.inventory.positions import arrival_days
from shopops.inventory.stock_health import Shortfall, forecast_demand_over, forecast_shortfall
from shopops.metrics.dimensions import store_list
from shopops.ui.formatting import format_money

TOP_SHARE = 0.10
TOP_MIN_UNITS = 10
OVERSTOCK_MIN = Decimal("5000")
OVERSTOCK_LIMIT = 20
STOCKOUT_LIMIT = 30  # stock-out risks raised one by one (critical first, then the money); the rest in one summary


def _top_sellers(rows: list[dict]) -> set[tuple[str, str]]:
    by_store: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["units_90"] >= TOP_MIN_UNITS:
            by_store[r["store_id"]].append(r)
    top = set()
    for store, members in by_store.items():
        members.sort(key=lambda r: -r["units_90"])
        n = max(1, math.ceil(len(members) * TOP_SHARE))
        top.update((r["store_id"], r["sku_id"]) for r in members[:n])
    return top


OVERSTOCK_DAYS = 120


def _money(value, units: float) -> Decimal:
    if value is None or units <= 0 or (isinstance(value, float) and math.isnan(value)):
        return Decimal("0.00")
    return (Decimal(value) * Decimal(repr(round(float(units), 6)))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class _Forecasts:
    """The stores' forecast paths (``selectors.store_forecast_paths``, each store's read once) and open PO arrivals."""

    def __init__(self, day: dt.date, stores: tuple[str, ...]):
        self.day = day
        self.arrivals = selectors.open_po_arrivals(stores=stores)
        self._paths: dict[str, dict] = {}

    def path(self, store: str, sku: str):
        if store not in self._paths:
            self._paths[store] = selectors.store_forecast_paths(store_id=store, day=self.day)
        return self._paths[store].get(sku)

    def shortfall(self, row: dict, *, without: int = 0):
        """(Shortfall over the row's lead time, path, uplift), or None without a forecast; ``without``: open
        units of overdue lines (tomorrow's arrivals) left out — a late delivery that does not come."""
        path = self.path(row["store_id"], row["sku_id"])
        if path is None:
            return None
        means, ups = path
        arr = arrival_days(in_transit=int(row["in_transit"]), dated=self.arrivals.get((row["store_id"], row["sku_id"]), []),
                           day=self.day)
        if without:
            arr[1] = max(arr.get(1, 0.0) - without, 0.0)
        return forecast_shortfall(row["on_hand"], means, days=int(row["lead_days"]), arrivals=arr), means, ups


def _stockout_capped(risks: list[Alert], day: dt.date, *, currency: str = "") -> list[Alert]:
    """The ``STOCKOUT_LIMIT`` most urgent stock-out risks (already out or within 3 days first, then
    the money at stake) one by one; the others in one summary alert with their count and money, so a
    large catalogue's inbox and 晨报 stay readable (the stock page lists every SKU)."""
    ranked = sorted(risks, key=lambda a: (a.severity != "critical", -a.money_at_stake, a.key))
    kept, rest = ranked[:STOCKOUT_LIMIT], ranked[STOCKOUT_LIMIT:]
    if rest:
        money = sum((a.money_at_stake for a in rest), Decimal("0.00"))
        stores = {a.store_id for a in rest}
        kept.append(Alert(
            source="inventory", kind="stockout_risk_more", key="stockout_risk:more", day=day, severity="high",
            store_id=stores.pop() if len(stores) == 1 else "", money_at_stake=money, link="/inventory/?status=at_risk",
            text_zh=f"另有 {len(rest)} 个畅销款在交期内有断货风险（销售额 {format_money(money, currency)}），见库存页的“断货风险”",
            text_en=f"{len(rest)} more top sellers may run out within their lead time (sales {format_money(money, currency)}): "
                    "see the stock page's at-risk list"))
    return kept


def _store_currencies() -> dict[str, str]:
    """{store_id: currency}, and "*": the one currency of every store ("" when they mix)."""
    try:
        stores = store_list()
    except ShopopsError:  # no warehouse yet: the texts go without a symbol
        return {"*": ""}
    out = {s.store_id: s.currency for s in stores}
    currencies = set(out.values())
    out["*"] = currencies.pop() if len(currencies) == 1 else ""
    return out


def alerts(day: dt.date, *, store_ids=None) -> list[Alert]:
    stores = tuple(store_ids or ())
    currencies = _store_currencies()  # the texts' money as on the pages: ¥12,345.60

    def money(value, store_id: str) -> str:
        return format_money(value, currencies.get(store_id, currencies["*"]))

    from shopops.metrics.dimensions import store_names

    names = store_names()  # the same merchant code in two stores is two alerts: each says its store

    def where(store_id: str) -> str:
        return names.get(store_id, store_id)
    last = selectors.stock_day()
    out: list[Alert] = []
    if last is not None:
        as_of = min(day, last)
        health = selectors.stock_health(stores=stores, day=as_of)
        top = _top_sellers(health.rows)
        fc = _Forecasts(as_of, stores)
        rows_by = {(r["store_id"], r["sku_id"]): r for r in health.rows}
        short = {key: got for key, r in rows_by.items() if r["on_hand"] > 0
                 and (got := fc.shortfall(r)) is not None}
        for r in health.rows:
            key = (r["store_id"], r["sku_id"])
            # the stock page's 断货风险 / 断货 rule (``positions.stock_health``: the same walk on the same forecast)
            if key not in top or r["risk_day"] is None:
                continue
            fall = Shortfall(r["risk_day"], r["risk_units"], r["risk_days"])
            lead = int(r["lead_days"])
            units = fall.lost_units
            stake = _money(r["price"], units)
            margin = _money(None if r["cost"] is None or r["price"] is None else Decimal(r["price"]) - Decimal(r["cost"]),
                            units)
            out_now = r["on_hand"] == 0
            out_on = as_of + dt.timedelta(days=fall.stockout_day)
            out.append(Alert(
                source="inventory", kind="stockout_risk", key=f"{r['store_id']}:{r['sku_id']}", store_id=r["store_id"],
                day=day, severity="critical" if out_now or fall.stockout_day <= 3 else "high", money_at_stake=stake,
                product_id=r["product_id"], link=f"/inventory/forecast/?store={r['store_id']}&sku={r['sku_id']}",
                text_zh=(f"{where(r['store_id'])} · 畅销款 {r['merchant_code']}（{r['title']}）"
                         + ("已断货" if out_now else f"按预测 {out_on:%Y-%m-%d} 断货")
                         + f"，补货周期 {lead} 天，在途 {r['in_transit']} 件：交期内预计少卖 {units:.0f} 件"
                         + f"（{fall.lost_days} 天缺货，销售额 {money(stake, r['store_id'])}，"
                         f"毛利 {money(margin, r['store_id'])}）"),
                text_en=(f"{where(r['store_id'])} · top seller {r['merchant_code']} ({r['title']}) "
                         + ("is out of stock" if out_now else f"runs out on {out_on:%Y-%m-%d} on the forecast")
                         + f"; lead time {lead} days, {r['in_transit']} in transit: about {units:.0f} units of demand "
                         f"lost within the lead time ({fall.lost_days} days out of stock, sales {money(stake, r['store_id'])}, "
                         f"margin {money(margin, r['store_id'])})"),
            ))
        out = _stockout_capped(out, day, currency=currencies["*"])
        over = []
        for r in health.rows:
            key = (r["store_id"], r["sku_id"])
            if r["on_hand"] <= 0 or key not in short:
                continue
            _fall, means, ups = short[key]
            demand = forecast_demand_over(means, ups, days=OVERSTOCK_DAYS)
            excess = int(math.floor(r["on_hand"] - demand + 1e-9))
            value = _money(r["cost"], excess)
            if value >= OVERSTOCK_MIN:
                over.append((value, excess, demand, r))
        over.sort(key=lambda x: (-x[0], x[3]["store_id"], x[3]["sku_id"]))
        for value, excess, demand, r in over[:OVERSTOCK_LIMIT]:
            out.append(Alert(
                source="inventory", kind="overstock", key=f"{r['store_id']}:{r['sku_id']}", store_id=r["store_id"],
                day=day, severity="medium", money_at_stake=value, product_id=r["product_id"],
                link=f"/inventory/?store={r['store_id']}&q={r['sku_id']}",
                text_zh=(f"{where(r['store_id'])} · {r['merchant_code']}（{r['title']}）积压 {excess} 件：库存 {r['on_hand']} 件，"
                         f"预测未来 {OVERSTOCK_DAYS} 天销量 {demand:.0f} 件，超出部分按成本 {money(value, r['store_id'])}"),
                text_en=(f"{where(r['store_id'])} · {r['merchant_code']} ({r['title']}): {excess} units beyond the {demand:.0f} forecast to sell in "
                         f"{OVERSTOCK_DAYS} days (on hand {r['on_hand']}), {money(value, r['store_id'])} at cost"),
            ))
    else:
        fc, rows_by = None, {}
    late: dict[int, list[PurchaseOrderLine]] = defaultdict(list)
    lines = PurchaseOrderLine.objects.filter(
        purchase_order__status__in=[PurchaseOrder.Status.SENT, PurchaseOrder.Status.PARTLY_RECEIVED],
        expected_on__lt=day).select_related("purchase_order__supplier")
    if stores:
        lines = lines.filter(store_id__in=stores)
    for line in lines:
        if line.open_quantity > 0:
            late[line.purchase_order_id].append(line)
    for po_id, po_lines in sorted(late.items()):
        po = po_lines[0].purchase_order
        units = sum(line.open_quantity for line in po_lines)
        stake = sum((line.unit_price * line.open_quantity for line in po_lines), Decimal("0")).quantize(Decimal("0.01"))
        overdue = (day - min(line.expected_on for line in po_lines)).days
        store_set = {line.store_id for line in po_lines}
        at_risk, lost_units = Decimal("0.00"), 0.0
        for line in po_lines:
            r = rows_by.get((line.store_id, line.sku_id))
            got = fc.shortfall(r, without=line.open_quantity) if r is not None and fc is not None else None
            if got is not None and got[0].stockout_day is not None:
                lost_units += got[0].lost_units
                at_risk += _money(r["price"], got[0].lost_units)
        sales = format_money(at_risk, currencies.get(po_lines[0].store_id, "") if len(store_set) == 1 else currencies["*"])
        risk_zh = f"；若不到货，交期内预计少卖 {lost_units:.0f} 件（销售额 {sales}）" if at_risk > 0 else ""
        risk_en = f"; without them about {lost_units:.0f} units of demand are lost within the lead time (sales {sales})" \
            if at_risk > 0 else ""
        out.append(Alert(
            source="inventory", kind="supplier_late", key=f"po:{po_id}",
            store_id=store_set.pop() if len(store_set) == 1 else "", day=day,
            severity="high" if overdue > 7 else "medium", money_at_stake=stake, link=f"/inventory/orders/{po_id}/",
            text_zh=f"供应商 {po.supplier.name} 的采购单 {po.number} 已逾期 {overdue} 天，未到 {units} 件"
                    f"（{format_money(stake, po.currency)}）" + risk_zh,
            text_en=f"Supplier {po.supplier.name} is {overdue} days late on {po.number}: {units} units not delivered "
                    f"({format_money(stake, po.currency)})"
                    + risk_en,
        ))
    return out
