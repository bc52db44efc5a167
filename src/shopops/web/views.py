"""Pages: parse the request, call the metrics layer, render. No business logic here."""

from __future__ import annotations

import dataclasses
import math

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext

from shopops.core.roles import Module
from shopops.metrics.catalog import CATALOG
from shopops.metrics.cockpit import COCKPIT_TILES, Cockpit, cockpit_build
from shopops.metrics.maturity import MATURITY_DAYS
from shopops.metrics.runners import BUCKET
from shopops.metrics.selectors import kpi_catalog_groups
from shopops.service.selectors_reviews import dsr_latest
from shopops.team.selectors import login_locked_until, user_can_use
from shopops.ui.pages import Page, ui_page
from shopops.ui.tables import series_empty_text
from shopops.team.services import login_failure_record, login_success_record
from shopops.web.access import kpi_visible
from shopops.web.navigation import nav_entry

# The daily trend: (KPI, y axis, series type). GMV on the left axis; paid orders and
# visitors on two right axes, as visitors outnumber orders ~30 to 1.
TREND_KPIS: tuple[tuple[str, int, str], ...] = (
    ("gmv", 0, "bar"),
    ("paid_orders", 1, "line"),
    ("visitors", 2, "line"),
)


@ui_page(Module.COCKPIT, "web/cockpit.html")
def cockpit(page: Page) -> dict:
    # every tile is computed (one cached cockpit per period and stores, whoever asks: what
    # cockpit_warm computes after an import); no ad spend / ROAS (tiles or month targets) is shown
    # to roles without the Ads module
    result = cockpit_build(period=page.period, stores=page.selected, kpis=COCKPIT_TILES)
    result = dataclasses.replace(result, tiles=tuple(t for t in result.tiles if kpi_visible(page.user, t.kpi.id)),
                                 month_targets=tuple(
        t for t in result.month_targets if kpi_visible(page.user, t.target.kpi)), month_so_far=tuple(
        m for m in result.month_so_far if kpi_visible(page.user, m[0].id)))
    page.context.update(
        dsr=_dsr_rows(page, result) if user_can_use(page.user, Module.SERVICE) else [],
        cockpit=result,
        trend_kpis=[CATALOG[result.trend_kpi(k)] for k, _axis, _type in TREND_KPIS],
        trend_rows=_trend_rows(result),
        maturity_days=MATURITY_DAYS,
        chart=_trend_chart(result, page.currency),
    )
    return {}


DSR_NAMES = (("description", gettext_lazy("Description match")), ("service", gettext_lazy("Service attitude")),
             ("logistics", gettext_lazy("Logistics")))


def _dsr_rows(page: Page, result: Cockpit) -> list[dict]:
    """The selected stores' latest shop scores (DSR, when imported) up to the period's end, each
    aspect against the industry average and against the comparison base's last day."""
    names = {s.store_id: s.name for s in page.stores}
    rows = []
    for r in dsr_latest(store_ids=page.selected, last=result.period.end, base=result.previous.end):
        aspects = []
        for key, label in DSR_NAMES:
            score, industry, base = r[key], r[f"{key}_industry"], r[f"{key}_base"]
            aspects.append({"key": key, "label": label, "score": score, "industry": industry,
                            "vs_industry": None if score is None or not industry else (score - industry) / industry,
                            "change": None if score is None or base is None else score - base})
        rows.append({"store_id": r["store_id"], "name": names.get(r["store_id"], r["store_id"]), "day": r["day"],
                     "base_day": r["base_day"], "aspects": aspects})
    return rows


def _trend_rows(result: Cockpit) -> list[dict]:
    """The daily numbers behind the chart, for its table view."""
    return [
        {"date": row[BUCKET], "values": [(CATALOG[k], row[k]) for k in (result.trend_kpi(k) for k, _a, _t in TREND_KPIS)]}
        for row in result.trend.rows
    ]


def _trend_chart(result: Cockpit, currency: str) -> dict:
    """Chart data for ``json_script``: Decimals are serialised as strings, never floats."""
    language = get_language() or settings.LANGUAGE_CODE
    return {
        "dates": [row[BUCKET].isoformat() for row in result.trend.rows],
        "currency": currency,
        "series": [
            {
                "kpi": k,
                "name": CATALOG[k].label(language),
                "unit": CATALOG[k].unit.value,
                "axis": axis,
                "type": kind,
                "data": [row[k] for row in result.trend.rows],
                # no value on any day (e.g. visitors of a store without traffic data): an empty state, not a
                # flat zero line
                "empty": series_empty_text(k, language, [row[k] for row in result.trend.rows]),
            }
            for k, axis, kind in ((result.trend_kpi(k), axis, kind) for k, axis, kind in TREND_KPIS)
        ],
    }


@login_required
def module_not_built(request: HttpRequest, module: str) -> HttpResponse:
    """The honest page of a module that is in the navigation but not built yet."""
    entry = nav_entry(module)
    if entry is None:
        raise Http404(f"no module {module!r}")
    if not user_can_use(request.user, entry.module):
        raise PermissionDenied
    if entry.is_built:
        return redirect(entry.url)
    return render(request, "web/module_not_built.html", {"entry": entry})


@login_required
def kpi_catalog(request: HttpRequest) -> HttpResponse:
    """Every KPI of the catalog, grouped and searchable (``?q=`` matches id, labels and definitions)."""
    q = (request.GET.get("q") or "").strip()
    groups = kpi_catalog_groups(q=q, language=get_language() or "zh-hans")
    return render(request, "web/kpis.html", {
        "groups": groups, "q": q, "total": len(CATALOG), "shown": sum(len(g["kpis"]) for g in groups),
    })


def client_address(request: HttpRequest) -> str:
    """The client's address: behind the TLS proxy (``SHOPOPS_BEHIND_PROXY``) the last hop of
    X-Forwarded-For, which our proxy appends (earlier entries are the client's to forge)."""
    if getattr(settings, "SHOPOPS_BEHIND_PROXY", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


class ThrottledLoginView(LoginView):
    """Django's login, refused for a while after too many failures of one username from one address.

    A locked-out pair gets the form back with status 429 and the time it may retry; its
    password is not even checked, so guessing on makes no progress.
    """

    template_name = "web/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        address = client_address(request)
        until = login_locked_until(username=username, address=address, now=timezone.now())
        if until is not None:
            # an unbound form: validating the posted one would check the password
            form = self.get_form_class()(request, initial={"username": username})
            minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
            message = ngettext(
                "Too many failed logins for this username; try again in %(n)s minute.",
                "Too many failed logins for this username; try again in %(n)s minutes.", minutes) % {"n": minutes}
            return self.render_to_response(self.get_context_data(form=form, lockout=message), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        login_failure_record(username=self.request.POST.get("username", ""), address=client_address(self.request),
                             now=timezone.now())
        return super().form_invalid(form)

    def form_valid(self, form):
        login_success_record(username=self.request.POST.get("username", ""), address=client_address(self.request))
        return super().form_valid(form)
