"""Reads of the insights app: the inbox, a finding as a page shows it, the 晨报, the outbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils import translation
from django.utils.translation import gettext, ngettext

from shopops.core.roles import MODULE_LABELS
from shopops.insights import texts
from shopops.insights.models import SEVERITY_RANK, Delivery, Finding, ModuleAlert, Severity
from shopops.insights.pipeline import brief_rows
from shopops.metrics.dimensions import store_list, store_names
from shopops.ui.formatting import format_money, store_currency
from shopops.metrics.runners.breakdown import OTHERS
from shopops.ui.pages import link_opens_for


def finding_list(*, status: str = "active", severity: str = "", store: str = "", start: dt.date | None = None,
                 end: dt.date | None = None) -> QuerySet[Finding]:
    qs = Finding.objects.select_related("assignee")
    if status == "active":
        qs = qs.exclude(status=Finding.Status.MUTED)
    elif status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity_rank__gte=SEVERITY_RANK[severity])
    if store:
        qs = qs.filter(store_id=store)
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    return qs


def finding_get(*, finding_id: int) -> Finding:
    return Finding.objects.select_related("assignee").get(pk=finding_id)


def latest_day() -> dt.date | None:
    f = Finding.objects.order_by("-day").values_list("day", flat=True).first()
    return f


@dataclass
class FindingView:
    """A finding with every text and link a page or a message shows."""

    finding: Finding
    store_name: str
    headline: str
    product_title: str
    signals: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    factors: list[dict] = field(default_factory=list)
    by_product: list[dict] = field(default_factory=list)
    by_source: list[dict] = field(default_factory=list)
    conversion_by_source: list[dict] = field(default_factory=list)
    by_customer_type: list[dict] = field(default_factory=list)
    chart: dict = field(default_factory=dict)
    band_rows: list[tuple] = field(default_factory=list)
    waterfall: dict = field(default_factory=dict)
    cause_text: str = ""
    product_factors: list[dict] = field(default_factory=list)  # a product finding: its own item GMV factors …
    product_waterfall: dict = field(default_factory=dict)
    product_days: list[dict] = field(default_factory=list)  # … and its last 14 days (product_facts.py)


def _period_query(day: dt.date, store: str) -> str:
    start = day - dt.timedelta(days=27)
    return urlencode({"period": "custom", "start": start.isoformat(), "end": day.isoformat(), "store": store})


def evidence_link(e: dict, store: str, day: dt.date) -> str:
    q = _period_query(day, store)
    if e.get("product_id"):
        return reverse("web:product", kwargs={"store": store, "product_id": e["product_id"]}) + "?" + q
    if e["kind"] in ("ad_spend",):
        return reverse("web:ads") + "?" + q
    return reverse("web:traffic") + "?" + q


def finding_view(f: Finding, names: dict[str, str] | None = None) -> FindingView:
    names = names if names is not None else store_names()
    d = f.diagnosis or {}
    titles = d.get("titles", {})
    store_name = names.get(f.store_id, f.store_id)
    title = titles.get(f.product_id, f.product_id) if f.product_id else ""
    head = texts.headline(store_name=store_name, kpi=f.kpi, product_title=title, actual=f.actual, low=f.low,
                          high=f.high, window=f.window, expected=f.expected)
    v = FindingView(finding=f, store_name=store_name, headline=head, product_title=title)
    for s in f.signals:
        label = texts.kpi_label(s["kpi"], bool(s.get("product_id")))
        v.signals.append({**s, "label": label, "severity_label": Severity(s["severity"]).label, "title": titles.get(s.get("product_id", ""), s.get("product_id", "")),
                          "actual_text": texts.fmt_value(s["kpi"], s["actual"]),
                          "band_text": texts.band_text(s["kpi"], s["low"], s["high"]),
                          "expected_text": texts.expected_text(s["kpi"], s.get("expected"), s["low"], s["high"]),
                          "relative_text": texts.fmt_pct(s["relative"])})
    for e in d.get("evidence", []):
        v.evidence.append({**e, "label": texts.cause_label(e["kind"]), "text": texts.evidence_text(e),
                           "link": evidence_link(e, f.store_id, f.day)})
    if v.evidence:
        top = v.evidence[0]
        v.cause_text = f"{top['label']}: {top['text']}"
    v.factors = _factor_rows(d.get("factors", []))
    product = d.get("product") or {}
    v.product_factors = _factor_rows(product.get("factors", []), product=True)
    v.product_days = [{**row, "visitors_text": texts.fmt_value("visitors", row["visitors"]),
                       "buyers_text": texts.fmt_value("paying_buyers", row["buyers"]),
                       "conversion_text": texts.fmt_value("conversion_rate", row["conversion"]),
                       "units_text": texts.fmt_value("units_sold", row["units"]),
                       "gmv_text": texts.fmt_value("item_gmv", row["item_gmv"]),
                       "paid_price_text": texts.fmt_value("aov", row["paid_price"]),
                       "listed_price_text": texts.fmt_value("aov", row["listed_price"]),
                       "on_hand_text": texts.fmt_value("units_sold", row["on_hand"]),
                       "bad_reviews_text": texts.fmt_value("units_sold", row["bad_reviews"])}
                      for row in product.get("days", [])]
    for c in d.get("by_product", []):
        name = c["name"]
        others = name == OTHERS
        v.by_product.append({**c, "is_others": others, "label": "—" if others else titles.get(name, name)})
    v.by_source = [{**c, "label": texts.source_label(c["name"])} for c in d.get("by_source", [])]
    v.conversion_by_source = [{**c, "label": texts.source_label(c["name"]), "before_text": f"{c['before'] * 100:.2f}%",
                               "after_text": f"{c['after'] * 100:.2f}%", "mix_text": f"{c['mix'] * 100:+.2f}",
                               "rate_text": f"{c['rate'] * 100:+.2f}"} for c in d.get("conversion_by_source", [])]
    v.by_customer_type = [{**c, "label": c["name"]} for c in d.get("by_customer_type", [])]
    label = texts.kpi_label(f.kpi, bool(f.product_id))
    if d.get("chart", {}).get("window", 1) > 1:  # each point is the sum of the days up to it, like the signal
        label = gettext("%(kpi)s, sum of %(days)s days") % {"kpi": label, "days": d["chart"]["window"]}
    v.chart = {**d.get("chart", {}), "label": label, "expected_label": gettext("Expected")}
    ch = d.get("chart", {})
    kpi = ch.get("kpi", f.kpi)
    v.band_rows = [(day, texts.fmt_value(kpi, a), texts.fmt_value(kpi, e), texts.fmt_value(kpi, lo), texts.fmt_value(kpi, hi))
                   for day, a, e, lo, hi in zip(ch.get("dates", []), ch.get("actual", []), ch.get("expected", []),
                                                ch.get("low", []), ch.get("high", []))]
    v.waterfall = _waterfall(v.factors, gettext("GMV change"))
    v.product_waterfall = _waterfall(v.product_factors, gettext("Item GMV change"))
    return v


def _factor_rows(factors: list[dict], *, product: bool = False) -> list[dict]:
    """Factors of a GMV (visitors × conversion × AOV) with their labels and values as a page shows them."""
    total = sum(c["value"] for c in factors)
    return [{**c, "label": texts.kpi_label(c["name"], product), "share": c["value"] / total if total else 0.0,
             "before_text": texts.fmt_value(c["name"], c["before"]), "after_text": texts.fmt_value(c["name"], c["after"])}
            for c in factors]


def _waterfall(factors: list[dict], total_label: str) -> dict:
    if len(factors) != 3:
        return {}
    before = factors[0]["before"] * factors[1]["before"] * factors[2]["before"]
    return {"start": round(before, 2), "labels": [c["label"] for c in factors],
            "values": [round(c["value"], 2) for c in factors], "total_label": total_label}


def module_alert_list(*, status: str = "active", store: str = "", start: dt.date | None = None,
                      end: dt.date | None = None) -> QuerySet[ModuleAlert]:
    """Alerts of other modules (inventory, service…): ``active`` = open or acknowledged."""
    qs = ModuleAlert.objects.all()
    if status == "active":
        qs = qs.filter(status__in=[ModuleAlert.Status.OPEN, ModuleAlert.Status.ACKNOWLEDGED])
    elif status:
        qs = qs.filter(status=status)
    if store:
        qs = qs.filter(store_id=store)
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    return qs


def module_alert_get(*, alert_id: int) -> ModuleAlert:
    return ModuleAlert.objects.get(pk=alert_id)


def module_alert_rows(alerts, names: dict[str, str], *, user=None) -> list[dict]:
    """Alerts as a page shows them: text in the page's language, store name, money in the store's currency;
    ``link`` is the alert's page when ``user`` (if given) may open it, else "" (the text alone: no dead end)."""
    stores = store_list()
    language = translation.get_language() or "zh-hans"
    zh = language.lower().startswith("zh")
    rows = []
    for a in alerts:
        label = MODULE_LABELS.get(a.source)
        rows.append({"alert": a, "text": a.text(language),
                     "link": a.link if a.link and (user is None or link_opens_for(user, a.link)) else "",
                     "module": (label[0] if zh else label[1]) if label else a.source,
                     "store": names.get(a.store_id, a.store_id) if a.store_id else "",
                     "money": format_money(a.money_at_stake, store_currency(stores, [a.store_id] if a.store_id else []))
                     if a.money_at_stake else ""})
    return rows


@dataclass
class Brief:
    day: dt.date
    rows: list[dict]
    findings: list[FindingView]
    alerts: list[ModuleAlert] = field(default_factory=list)


def brief(*, day: dt.date) -> Brief:
    """The 晨报 of ``day`` (usually yesterday): headline KPIs vs their expected range, and the day's findings."""
    names = store_names()
    rows = []
    for r in brief_rows(day):
        rows.append({"kpi": r.kpi, "label": texts.kpi_label(r.kpi), "store_id": r.store_id,
                     "store": names.get(r.store_id, r.store_id) if r.store_id else "",
                     "actual": texts.fmt_value(r.kpi, r.actual),
                     "band": texts.band_text(r.kpi, r.usual_low, r.usual_high) if r.usual_low is not None else "",
                     "state": r.state, "campaign": r.campaign, "raw": r})
    findings = [finding_view(f, names) for f in finding_list(status="active", start=day, end=day)]
    alerts = list(module_alert_list(status=ModuleAlert.Status.OPEN, start=day, end=day)[:50])
    return Brief(day=day, rows=rows, findings=findings, alerts=alerts)


def brief_lines(b: Brief) -> list[str]:
    """The brief as lines for a robot message or an email."""
    lines = []
    for r in b.rows:
        if r["store_id"]:
            continue
        mark = {"below": "▼", "above": "▲", "within": "·"}.get(r["state"], "·")
        band = f" ({r['band']})" if r["band"] else ""
        lines.append(f"{mark} {r['label']} {r['actual']}{band}")
    for v in b.findings:
        line = f"· [{v.finding.get_severity_display()}] {v.headline}"
        if v.cause_text:
            line += f" — {v.cause_text}"
        lines.append(line)
    language = translation.get_language() or "zh-hans"
    names = store_names() if b.alerts else {}
    shown: dict[tuple[str, str], int] = {}
    for a in b.alerts:  # most severe first, then the most money (the model's order)
        group = (a.source, a.kind)
        shown[group] = shown.get(group, 0) + 1
        if shown[group] > BRIEF_ALERTS_PER_KIND:
            continue
        text = a.text(language)
        store = names.get(a.store_id, a.store_id) if a.store_id else ""
        if store and store not in text:  # the same SKU code in two stores read as one line repeated
            text = f"{store} · {text}"
        lines.append(f"· [{a.get_severity_display()}] {text}")
    for (source, kind), n in shown.items():
        if n > BRIEF_ALERTS_PER_KIND:
            label = ALERT_KIND_LABELS.get(kind) or MODULE_LABELS.get(source)
            what = (label[0] if language.lower().startswith("zh") else label[1]) if label else kind
            more = n - BRIEF_ALERTS_PER_KIND
            lines.append("· " + ngettext("… and %(n)s more alert: %(kind)s", "… and %(n)s more alerts: %(kind)s", more)
                         % {"n": f"{more:,}", "kind": what})
    return lines


BRIEF_ALERTS_PER_KIND = 5  # a robot message is read on a phone: 25 积压 lines drowned the KPI headline
# what the alerts of one kind are about, for the 晨报's "… and N more" line (other kinds: their module's name)
ALERT_KIND_LABELS: dict[str, tuple[str, str]] = {
    "overstock": ("积压", "overstock"), "stockout_risk": ("断货风险", "stock-out risk"),
    "supplier_late": ("供应商逾期交货", "late supplier deliveries"), "sla_breach": ("工单超时", "SLA breaches"),
    "review_wave": ("差评集中", "bad-review waves"), "task_overdue": ("任务逾期", "overdue tasks"),
}


def outbox_list(limit: int = 100) -> QuerySet[Delivery]:
    return Delivery.objects.all()[:limit]


def rows_for_export(findings, names: dict[str, str]) -> list[list]:
    out = []
    for f in findings:
        v = finding_view(f, names)
        out.append([f.day, v.store_name, f.get_severity_display(), texts.kpi_label(f.kpi, bool(f.product_id)),
                    v.product_title, f.actual, f.expected, max(f.low, 0.0), f.high, f.relative,
                    float(f.money_at_stake), texts.cause_label(f.cause) if f.cause else "", v.cause_text,
                    f.get_status_display(), f.assignee.get_username() if f.assignee else ""])
    return out

