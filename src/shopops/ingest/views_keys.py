"""The API keys page: directors create, see and revoke the keys of the stores' own sites.

A new key's secret is shown once, in the response to the POST that created it (never stored,
never in a URL, not cached); the list shows prefixes only. The same as ``shopops apikey``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopops.core.errors import ShopopsError
from shopops.core.roles import Module
from shopops.ingest.forms import ApiKeyForm
from shopops.ingest.selectors import api_key_list
from shopops.ingest.services import api_key_create, api_key_revoke
from shopops.metrics.dimensions import store_list
from shopops.ui.pages import module_required

keys_page = module_required(Module.TEAM)  # the director's module: keys open the store's API


def _store_choices() -> tuple[list[tuple[str, str]], str]:
    try:
        return [(s.store_id, f"{s.name} ({s.store_id})") for s in store_list()], ""
    except ShopopsError as exc:
        return [], str(exc)


@keys_page
def api_keys(request: HttpRequest) -> HttpResponse:
    choices, store_error = _store_choices()
    created = raw = None
    status = 200
    if request.method == "POST":
        form = ApiKeyForm(request.POST, store_choices=choices)
        if form.is_valid():
            try:
                created, raw = api_key_create(store_id=form.cleaned_data["store"], kind=form.cleaned_data["kind"],
                                              name=form.cleaned_data["name"], user=request.user,
                                              rate_per_minute=form.cleaned_data["rate_per_minute"])
                form = ApiKeyForm(store_choices=choices)
            except ShopopsError as exc:
                form.add_error(None, str(exc))
                status = 400
        else:
            status = 400
    else:
        form = ApiKeyForm(store_choices=choices)
    response = render(request, "ingest/api_keys.html", {
        "tab": "keys", "form": form, "keys": api_key_list(), "created": created, "raw": raw,
        "store_error": store_error,
    }, status=status)
    add_never_cache_headers(response)  # the page may hold a secret shown once
    return response


@keys_page
@require_POST
def api_key_revoke_view(request: HttpRequest, prefix: str) -> HttpResponse:
    try:
        key = api_key_revoke(prefix=prefix)
    except ShopopsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Key %(prefix)s (%(name)s) revoked: it stops working at once.")
                         % {"prefix": key.prefix, "name": key.name})
    return redirect("ingest:api_keys")
