"""The store settings page: each store as the warehouse knows it (name, platform, currency, time zone, from the
stores file) and the one setting the team keeps on the page as well: "runs no paid ads" (不投放付费广告).

Guarded like the stores file that sets the rest (the Data import module: the director, ops and analysts import
stores); the change is checked on the server per request, whatever the page showed.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopops.core.errors import ShopopsError
from shopops.core.roles import Module
from shopops.ingest.services import store_runs_no_ads_set
from shopops.metrics.dimensions import platform_label, store_list
from shopops.ui.pages import language, module_required

stores_page = module_required(Module.INGEST)  # the stores file (name, currency, time zone) is imported here too


@stores_page
def store_settings(request: HttpRequest) -> HttpResponse:
    try:
        stores, error = store_list(), ""
    except ShopopsError as exc:
        stores, error = [], str(exc)
    lang = language()
    rows = [{"store": s, "platform": platform_label(s.platform, lang)} for s in stores]
    return render(request, "ingest/stores.html", {"tab": "stores", "rows": rows, "store_error": error})


@stores_page
@require_POST
def store_ads_set(request: HttpRequest, store_id: str) -> HttpResponse:
    value = request.POST.get("runs_no_ads", "")
    if value not in ("0", "1"):
        messages.error(request, _("Say whether the store runs no paid ads (1) or does (0)."))
        return redirect("ingest:stores")
    runs_no_ads = value == "1"
    try:
        changed = store_runs_no_ads_set(store_id=store_id, runs_no_ads=runs_no_ads, user=request.user)
    except ShopopsError as exc:
        messages.error(request, str(exc))
        return redirect("ingest:stores")
    if changed:
        messages.success(request, (_("%(store)s set to run no paid ads: its ad spend is 0 where it has no ad reports.")
                                   if runs_no_ads else
                                   _("%(store)s set to run paid ads: without ad reports its ad spend is unknown."))
                         % {"store": store_id})
    return redirect("ingest:stores")
