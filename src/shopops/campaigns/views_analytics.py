"""The live campaign page and the 复盘 page of a plan (tables export to XLSX/CSV through
``shopops.ui``; the 复盘 also as a PDF document)."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import replace
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _, gettext_noop, pgettext
from django.views.decorators.http import require_POST

from shopops.campaigns import analytics, live_alerts, retro_links, selectors, stocking
from shopops.campaigns.models import CampaignPlan, RetroFinding
from shopops.campaigns.retro import CARRIED_FORWARD_ERROR, MIN_DAYS_BEFORE, Retro, RetroNotReady
from shopops.campaigns.services import PlanActionNotAllowed, may_plan
from shopops.campaigns.views import module_required
from shopops.core.errors import ShopopsError
from shopops.core.roles import Module
from shopops.metrics.catalog import CATALOG
from shopops.metrics.dimensions import ad_tool_label, store_names
from shopops.metrics.formatting import format_value
from shopops.ui.costs import cost_note
from shopops.ui.coverage import coverage_note, coverage_short
from shopops.ui.pages import BadRequest, Page, language, link_opens_for, ui_page
from shopops.ui.tables import Column, DataTable, Row, chart_from_table

RETRO_TABLES = ("summary", "daily", "channels", "buyers", "findings")
LIVE_TABLES = ("days", "hours", "products", "channels")
LIVE_ALERT_DAYS_BEFORE = 7  # the live page's alerts: from a week before the first day (stock, pace of the warm-up)
CHANNEL_NOTE = gettext_noop("Assumes each tool's attributed GMV grows as spend^elasticity (fitted on its daily history), that "
                "attributed GMV is what the tool reports (not incremental) and that tools do not take sales from "
                "each other; the split equalises marginal ROAS for the same total.")


def _plan(plan_id: int) -> CampaignPlan:
    return CampaignPlan.objects.prefetch_related("budget_lines").get(pk=plan_id)


def _label(kpi_id: str) -> str:
    return CATALOG[kpi_id].label(language())


def retro_tables(retro: Retro, currency: str) -> dict[str, DataTable]:
    f = retro.figures
    units = {"gmv": "money", "paid_orders": "count", "paying_buyers": "count", "new_buyers": "count",
             "gross_margin": "money", "ad_spend": "money"}
    summary = DataTable("summary", _("Actual, target and baseline"), [
        Column("kpi", _("KPI")), Column("actual", _("Actual"), unit="money"),
        Column("target", pgettext("campaign goal", "Target"), unit="money"), Column("achievement", _("Target achievement"), unit="percent"),
        Column("baseline", _("Baseline (no campaign)"), unit="money"),
        Column("incremental", _("Incremental"), unit="money"), Column("lift", _("Lift"), unit="percent"),
    ], [Row({"kpi": _label(k), "actual": f[k].actual, "target": f[k].target, "achievement": f[k].achievement,
             "baseline": f[k].baseline if k != "new_buyers" else None,
             "incremental": f[k].incremental if k != "new_buyers" else None,
             "lift": f[k].lift if k != "new_buyers" else None},
            units={c: units[k] for c in ("actual", "target", "baseline", "incremental")})
        for k in ("gmv", "paid_orders", "paying_buyers", "new_buyers", "gross_margin", "ad_spend")],
        currency=currency, note=cost_note(retro.margin_coverage))
    d = retro.daily
    daily = DataTable("daily", _("GMV by day: actual and baseline"), [
        Column("day", _("Day"), unit="date"), Column("actual", _("Actual GMV"), unit="money"),
        Column("baseline", _("Baseline GMV"), unit="money"), Column("in_window", _("Campaign day"))],
        [Row({"day": day, "actual": _dec(a), "baseline": _dec(b), "in_window": "✓" if w else ""},
             header=day.isoformat())
         for day, a, b, w in zip(d["day"], d["actual"], d["baseline"], d["in_window"])
         if retro.plan.window.first - dt.timedelta(days=42) <= day <= retro.plan.window.last + dt.timedelta(days=42)],
        currency=currency)
    channels = DataTable("channels", _("Ad tools: ROI and next budget"), [
        Column("ad_tool", _("Ad tool")), Column("spend", _("Ad spend"), unit="money"),
        Column("ad_gmv", _("Ad-attributed GMV"), unit="money"), Column("roas", _("ROAS"), unit="ratio"),
        Column("roi", _("ROI ((GMV − cost) / cost)"), unit="ratio"),
        Column("marginal_roas", _("Marginal ROAS"), unit="ratio"),
        Column("suggested_share", _("Suggested budget share"), unit="percent"),
        Column("current_share", _("Current share"), unit="percent")],
        [Row({"ad_tool": ad_tool_label(c.ad_tool, language()), "spend": c.spend, "ad_gmv": c.ad_gmv, "roas": c.roas, "roi": c.roi,
              "marginal_roas": c.marginal_roas, "suggested_share": c.suggested_share,
              "current_share": float(c.spend / retro.ad_spend) if retro.ad_spend else None})
         for c in retro.channels], currency=currency,
        note=_(CHANNEL_NOTE))
    buyers = DataTable("buyers", _("New-buyer quality: bought again within"), [
        Column("cohort", _("New buyers")), Column("buyers", _("Buyers"), unit="count"),
        Column("r30", _("30 days"), unit="percent"), Column("r60", _("60 days"), unit="percent"),
        Column("r90", _("90 days"), unit="percent")],
        [Row({"cohort": _("Acquired in the campaign") if b.cohort == "campaign" else _("Ordinary days before it"),
              "buyers": b.buyers, "r30": b.repurchase[30], "r60": b.repurchase[60], "r90": b.repurchase[90]})
         for b in retro.buyers], currency=currency, note=_("Empty: not enough days observed after their first order yet."))
    return {"summary": summary, "daily": daily, "channels": channels, "buyers": buyers}


def _percent(x: float) -> str:
    return f"{round(x * 100)}%"


def baseline_caveat(retro: Retro) -> str:
    """What the GMV baseline cannot see (``retro.limits``), in words for the page, the PDF and the summary
    export; "" when ordinary days follow the window and every month of it has ordinary days of its own."""
    limits = retro.limits
    parts = []
    if limits.carried_forward:
        mean, worst = CARRIED_FORWARD_ERROR
        parts.append(_("No ordinary day follows this window in the data yet (春节, another sale or the end of the data "
                       "comes next): the baseline is carried forward from the days before the campaign, not read across "
                       "it. Measured on the demo data, where the true uplift is known, the incremental GMV of a 年货节 "
                       "read before 春节 was off by %(mean)s on average and by up to %(worst)s: read it as an order of "
                       "magnitude, with the ~90 %% interval.")
                     % {"mean": _percent(mean), "worst": _percent(worst)})
    if limits.borrowed_months:
        parts.append(_("%(months)s: no ordinary day of that month in the data, so its days take the level of the month "
                       "before; a step into it (such as February's) is not seen.")
                     % {"months": ", ".join(m.strftime("%Y-%m") for m in limits.borrowed_months)})
    return " ".join(parts)


def findings_table(linked: list[retro_links.LinkedRow], currency: str) -> DataTable:
    """The findings linked to the 复盘 (the page's export, XLSX/CSV): each as it was when linked; actual and
    expected are numbers in the KPI's unit (money, count, percent …)."""
    rows = []
    for r in linked:
        link, t = r.link, r.texts
        kpi = CATALOG.get(link.kpi)
        unit = kpi.unit.value if kpi is not None else "count"
        shown = _dec if unit == "money" else float
        rows.append(Row({"day": link.day, "store": t.get("store") or link.store_id, "product": t.get("product", ""),
                         "kpi": t.get("kpi") or link.kpi, "actual": shown(link.actual), "expected": shown(link.expected),
                         "cause": t.get("cause", ""), "verdict": str(RetroFinding.Verdict(link.verdict).label),
                         "note": link.note, "finding": f"#{link.finding_id}",
                         "linked_by": link.linked_by.get_username() if link.linked_by else ""},
                        units={"actual": unit, "expected": unit}))
    return DataTable("findings", _("Linked findings"), [
        Column("day", _("Day"), unit="date"), Column("store", _("Store")), Column("product", _("Product")),
        Column("kpi", _("KPI")), Column("actual", _("Actual"), unit="count"),
        Column("expected", _("Expected"), unit="count"), Column("cause", _("Named cause")),
        Column("verdict", pgettext("retro finding", "Verdict")), Column("note", _("Note")),
        Column("finding", pgettext("retro finding", "Finding")), Column("linked_by", _("Linked by"))], rows, currency=currency,
        note=_("Insights findings of the campaign's stores and days (and the %(after)s days after) a planner linked to "
               "the 复盘, as they read when linked.") % {"after": retro_links.AFTER_DAYS})


def _dec(x):
    from decimal import Decimal

    return Decimal(str(round(float(x), 2)))


def _as_of(page: Page) -> dt.date:
    """The ``as_of`` day asked for (never after the last day with data), else the last day with data."""
    text = page.request.GET.get("as_of", "")
    if not text:
        return page.as_of
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest(_("as_of must be a date written YYYY-MM-DD, not %(value)s.") % {"value": text[:40]}) from exc
    return min(day, page.as_of)


def _money(value, currency: str) -> str:
    return format_value(value, "money", currency)


def _shown(retro: Retro, currency: str) -> dict[str, str]:
    lo_hi = retro.incremental_interval
    return {"incremental_gmv": _money(retro.figures["gmv"].incremental, currency),
            "incremental_low": _money(lo_hi[0], currency) if lo_hi else "",
            "incremental_high": _money(lo_hi[1], currency) if lo_hi else "",
            "incremental_margin": _money(retro.incremental_margin, currency),
            "pre": _money(retro.pre, currency), "post": _money(retro.post, currency),
            "fixed_cost": _money(retro.plan.fixed_cost, currency)}


def not_ready_text(exc: RetroNotReady) -> str:
    """Why the 复盘 cannot be made yet, in the reader's language."""
    if exc.reason == "running":
        return _("The 复盘 opens once the campaign's last day, %(last)s, is in the data (the data end on "
                 "%(as_of)s). Until then the live campaign page shows the pace against the goals.") % {
            "last": exc.day.isoformat(), "as_of": exc.as_of.isoformat()}
    if exc.reason == "no_history":
        return _("These stores have no sale before the campaign's first day (%(first)s): there is nothing to learn "
                 "the no-campaign baseline from.") % {"first": exc.day.isoformat()}
    return _("Only %(count)s ordinary days (no campaign) before %(first)s: the baseline needs at least %(min)s to "
             "know the level the campaign started from.") % {
        "count": exc.count, "first": exc.day.isoformat(), "min": MIN_DAYS_BEFORE}


def _retro_or_400(plan: CampaignPlan, as_of: dt.date) -> Retro:
    try:
        return analytics.plan_retro(plan, as_of=as_of)
    except RetroNotReady as exc:
        raise BadRequest(not_ready_text(exc)) from exc


@ui_page(Module.CAMPAIGNS, "campaigns/retro.html", tables=RETRO_TABLES, form=None, period=False, as_of=True,
         not_found=(CampaignPlan.DoesNotExist,),
         filename=lambda page, table: f"retro-{page.context.get('plan_id', '')}-{table}")
def plan_retro(page: Page, plan_id: int):
    plan = _plan(plan_id)
    page.context.update(plan=plan, plan_id=plan.pk)
    as_of = _as_of(page)
    if page.is_html:  # a link to a 复盘 not ready yet is a page that says why, not an error
        try:
            retro = analytics.plan_retro(plan, as_of=as_of)
        except RetroNotReady as exc:
            page.context.update(not_ready=not_ready_text(exc), running=exc.reason == "running")
            return {}
    else:
        retro = _retro_or_400(plan, as_of)
    currency = page.currency or plan.currency
    linked = retro_links.linked(plan, language())
    tables = {**retro_tables(retro, currency), "findings": findings_table(linked, currency)}
    caveat = baseline_caveat(retro)
    if caveat and not page.is_html:  # the exported summary carries it as its last line
        summary = tables["summary"]
        tables["summary"] = replace(summary, rows=[*summary.rows, Row({"kpi": f"{_('Baseline caveat')}: {caveat}"})])
    user = page.request.user
    may_open_insights = user.has_perm(f"team.use_{Module.INSIGHTS.value}")  # the suggestions link to insights' pages
    suggested = retro_links.suggestions(plan, language()) if page.is_html and may_open_insights else None
    first, last = retro_links.window(plan)
    page.context.update(
        linked=linked, suggestions=suggested[0] if suggested else [],
        suggestions_total=suggested[1] if suggested else 0, insights_available=suggested is not None,
        may_link=may_plan(user), may_open_insights=may_open_insights,
        finding_window=(first, last), finding_after_days=retro_links.AFTER_DAYS,
        verdicts=RetroFinding.Verdict.choices, note_max=retro_links.NOTE_MAX)
    page.context.update(
        retro=retro, figures=retro.figures, as_of=as_of,
        shown=_shown(retro, currency), caveat=caveat,
        daily_chart=chart_from_table(tables["daily"], series=[("actual", "bar", 0), ("baseline", "line", 0)]),
        channels_chart=chart_from_table(tables["channels"], series=[("roas", "bar", 0), ("marginal_roas", "line", 0)]),
        pdf_url=page.url("campaigns:plan_retro_pdf", args=(plan.pk,)))
    return tables


@ui_page(Module.CAMPAIGNS, "campaigns/retro.html", tables=RETRO_TABLES, form=None, period=False, as_of=True,
         not_found=(CampaignPlan.DoesNotExist,))
def plan_retro_pdf(page: Page, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    page.context.update(plan=plan, plan_id=plan.pk)
    as_of = _as_of(page)
    retro = _retro_or_400(plan, as_of)
    currency = page.currency or plan.currency
    tables = retro_tables(retro, currency)  # the linked findings as lines below: 11 columns do not fit A4
    html = render_to_string("campaigns/retro_document.html", {
        "plan": plan, "retro": retro, "tables": [tables[t] for t in RETRO_TABLES if t in tables], "as_of": as_of,
        "linked": retro_links.linked(plan, language()), "finding_after_days": retro_links.AFTER_DAYS,
        "shown": _shown(retro, currency), "caveat": baseline_caveat(retro),
        "lang": language()}, request=page.request)
    from weasyprint import HTML  # lazy: it loads pango

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "retro.pdf"
        HTML(string=html, base_url=tmp).write_pdf(str(path))
        data = path.read_bytes()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="retro-{plan.pk}-{as_of.isoformat()}.pdf"'
    return response


def _retro_url(plan_id: int, as_of: str) -> str:
    url = reverse("campaigns:plan_retro", args=(plan_id,))
    try:
        return url + "?" + urlencode({"as_of": dt.date.fromisoformat(as_of).isoformat()}) if as_of else url
    except ValueError:
        return url


def _link_refused(request: HttpRequest, plan: CampaignPlan, message: str, status: int) -> HttpResponse:
    return render(request, "campaigns/retro_finding_refused.html", {
        "plan": plan, "error": message, "back": _retro_url(plan.pk, request.POST.get("as_of", ""))}, status=status)


@module_required
@require_POST
def retro_finding_link(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Link a finding to the 复盘 (planners; 403 for others, 400 with the reason for a finding that does not fit)."""
    plan = get_object_or_404(CampaignPlan, pk=plan_id)
    try:
        result = retro_links.retro_finding_link(plan=plan, finding_id=request.POST.get("finding", ""),
                                                verdict=request.POST.get("verdict", ""), note=request.POST.get("note", ""),
                                                user=request.user, now=timezone.now())
    except PlanActionNotAllowed as exc:
        return _link_refused(request, plan, str(exc), 403)
    except ShopopsError as exc:
        return _link_refused(request, plan, str(exc), 400)
    if result.created:
        messages.success(request, _("Finding #%(id)s linked to the 复盘.") % {"id": result.link.finding_id})
    elif result.changed:
        messages.success(request, _("Finding #%(id)s: verdict and note updated.") % {"id": result.link.finding_id})
    else:
        messages.info(request, _("Finding #%(id)s was linked already; nothing changed.") % {"id": result.link.finding_id})
    return redirect(_retro_url(plan.pk, request.POST.get("as_of", "")) + "#retro-findings-title")


@module_required
@require_POST
def retro_finding_unlink(request: HttpRequest, plan_id: int, finding_id: int) -> HttpResponse:
    plan = get_object_or_404(CampaignPlan, pk=plan_id)
    try:
        removed = retro_links.retro_finding_unlink(plan=plan, finding_id=finding_id, user=request.user)
    except PlanActionNotAllowed as exc:
        return _link_refused(request, plan, str(exc), 403)
    if removed:
        messages.success(request, _("Finding #%(id)s removed from the 复盘.") % {"id": finding_id})
    else:
        messages.info(request, _("Finding #%(id)s was not linked; nothing changed.") % {"id": finding_id})
    return redirect(_retro_url(plan.pk, request.POST.get("as_of", "")) + "#retro-findings-title")


def live_tables(pace, currency: str) -> dict[str, DataTable]:
    days = DataTable("days", _("Pace by day"), [
        Column("day", _("Day"), unit="date"), Column("gmv", _("GMV"), unit="money"),
        Column("cum_gmv", _("Cumulative GMV"), unit="money"), Column("target_cum", _("Target (cumulative)"), unit="money"),
        Column("paying_buyers", _("Paying buyers"), unit="count"), Column("ad_spend", _("Ad spend"), unit="money"),
        Column("roi", _("ROI so far"), unit="ratio")],
        [Row({"day": d.day, "gmv": d.gmv, "cum_gmv": d.cum_gmv, "target_cum": d.target_cum,
              "paying_buyers": d.paying_buyers, "ad_spend": d.ad_spend, "roi": d.roi}, header=d.day.isoformat())
         for d in pace.days], currency=currency)
    h = pace.hours
    hours = DataTable("hours", _("Hours of %(day)s") % {"day": pace.as_of.isoformat()}, [
        Column("hour", _("Hour")), Column("gmv", _("GMV"), unit="money"),
        Column("cum_gmv", _("Cumulative GMV"), unit="money"), Column("expected_cum", _("Expected (cumulative)"), unit="money")],
        [Row({"hour": f"{int(r.hour):02d}:00", "gmv": _dec(r.gmv), "cum_gmv": _dec(r.cum_gmv),
              "expected_cum": None if r.expected_cum != r.expected_cum else _dec(r.expected_cum)})
         for r in h.itertuples()] if "gmv" in h else [], currency=currency)
    names = store_names()
    products = DataTable("products", _("Top products"), [
        Column("store_id", _("Store")), Column("title", _("Product")), Column("item_gmv", _("Item GMV"), unit="money"),
        Column("units", _("Units"), unit="count")],
        [Row({**p, "store_id": names.get(p["store_id"], p["store_id"])}) for p in pace.top_products], currency=currency)
    channels = DataTable("channels", _("Ad spend by tool"), [
        Column("ad_tool", _("Ad tool")), Column("ad_spend", _("Ad spend"), unit="money"),
        Column("ad_gmv", _("Ad-attributed GMV"), unit="money"), Column("roas", _("ROAS"), unit="ratio")],
        [Row({**c, "ad_tool": ad_tool_label(c["ad_tool"], language())}) for c in pace.ad_by_channel],
        currency=currency)
    return {"days": days, "hours": hours, "products": products, "channels": channels}


@ui_page(Module.CAMPAIGNS, "campaigns/live.html", tables=LIVE_TABLES, form=None, period=False, as_of=True,
         not_found=(CampaignPlan.DoesNotExist,),
         filename=lambda page, table: f"campaign-live-{page.context.get('plan_id', '')}-{table}")
def plan_live(page: Page, plan_id: int):
    plan = _plan(plan_id)
    page.context.update(plan=plan, plan_id=plan.pk)
    pace = analytics.plan_pace(plan, as_of=_as_of(page))
    currency = page.currency or plan.currency
    tables = live_tables(pace, currency)
    alerts = None
    if page.request.user.has_perm(f"team.use_{Module.INSIGHTS.value}"):  # the alerts link to insights' pages
        alerts = live_alerts.alerts_for(plan_id=plan.pk, store_ids=plan.store_ids,
                                        start=plan.starts_on - dt.timedelta(days=LIVE_ALERT_DAYS_BEFORE),
                                        end=plan.ends_on, language=language())
        # an alert's page in a module this user lacks (stock for the ads specialist): its text, without the link
        alerts = alerts and [a if not a.link or link_opens_for(page.request.user, a.link) else replace(a, link="")
                             for a in alerts]
    page.context.update(
        alerts=alerts, alert_days_before=LIVE_ALERT_DAYS_BEFORE,
        pace=pace, stock=selectors.hero_stock(plan), not_started=pace.as_of < plan.starts_on,
        stocking_url=stocking.stocking_url(plan, page.request.user),
        shown={"gmv": _money(pace.gmv, currency),
               "ad_spend": _money(pace.ad_spend, currency) if pace.ad_spend is not None else "—",
               # unknown (a store without ad reports), ¥0 of stores that run no ads, or a contradicting setting
               "ads_note": coverage_short(pace.ads) if pace.ads is not None else "",
               "ads_sentence": coverage_note(pace.ads) if pace.ads is not None else "",
               "projected": _money(pace.projected_gmv, currency) if pace.projected_gmv is not None else "—",
               "fixed_cost": _money(pace.plan.fixed_cost, currency)},
        days_chart=chart_from_table(tables["days"], series=[("cum_gmv", "bar", 0), ("target_cum", "line", 0)],
                                    kind="day"),
        hours_chart=chart_from_table(tables["hours"], series=[("cum_gmv", "bar", 0), ("expected_cum", "line", 0)]),
        achievement=float(pace.gmv / plan.goal_gmv) if plan.goal_gmv else None,
        projected_achievement=float(pace.projected_gmv / plan.goal_gmv) if plan.goal_gmv and pace.projected_gmv else None)
    return tables
