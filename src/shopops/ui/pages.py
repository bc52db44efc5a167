"""The page decorator every app's pages use, and the context object its view gets.

::

    @ui_page(Module.TRAFFIC, "web/analysis/traffic.html", tables=("sources", "daily"))
    def traffic(page: Page) -> dict[str, DataTable]:
        page.context["tiles"] = ...
        return {"sources": DataTable(...), "daily": DataTable(...)}

What :func:`ui_page` does, in order: login; the module permission ``team.use_<module>``
(403 without it) and the optional action permission ``team.<action>``; the store list (503
when the warehouse cannot be read); the filter form (period and store pickers, ``format``
and ``table``; 400 with its messages when invalid); the empty state when the warehouse has
no data yet (``empty`` in the context); the period (``period=True``: presets relative to the
data's "today") or the as-of day (``as_of=True``); the currency of the selected stores; then
the view. The view fills ``page.context`` and returns its tables by id (or an
``HttpResponse``). ``?format=xlsx|csv&table=<id>`` answers with that table through
:mod:`shopops.ui.exports` instead of the page; otherwise the template gets ``tables``,
``export_urls`` (XLSX) and ``csv_urls``. ``BadRequest``/``ValueError`` raised by the view
become a 400 with the message, ``ShopopsError`` a 503, ``not_found`` exceptions a 404.

Templates extend their app's base and include ``ui/_filters.html`` (period and stores),
``ui/_period_meta.html``, ``ui/_alerts.html`` (errors, mixed currencies, the empty state),
``ui/_panel.html`` / ``ui/_table.html`` and ``ui/_export.html``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shopops.core.errors import ShopopsError
from shopops.core.periods import Period, business_today
from shopops.core.roles import Action, Module, action_permission
from shopops.metrics.cockpit import cockpit_period, reference_today
from shopops.metrics.dimensions import StoreInfo, store_list
from shopops.metrics.runners.kpis import last_fact_date
from shopops.metrics.sources import Filter
from shopops.ui.exports import FORMATS, export_response
from shopops.ui.forms import PERIOD_CHOICES, PageFilterForm
from shopops.ui.formatting import store_currencies
from shopops.ui.tables import DataTable
from shopops.warehouse.versions import versions_memo


class BadRequest(Exception):
    """Input the page cannot use; shown to the user with status 400."""


def module_permission(module: Module) -> str:
    """The Django permission that opens a module's pages (roles grant it: ``core.roles``)."""
    return f"team.use_{module.value}"


def user_can_use(user, module: Module) -> bool:
    return bool(user.is_authenticated and user.has_perm(module_permission(module)))


def link_opens_for(user, link: str) -> bool:
    """Whether ``user`` may open the in-app page ``link`` points at: a page of a module (its URL namespace is
    the module's name) needs that module; any other page checks for itself. A path that resolves to no page: False."""
    try:
        namespace = resolve(urlsplit(link).path).namespace
    except Resolver404:
        return False
    module = Module._value2member_map_.get(namespace)
    return module is None or user_can_use(user, module)


def user_may(user, action: Action) -> bool:
    return bool(user.is_authenticated and user.has_perm(action_permission(action)))


def language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def page_url(request: HttpRequest, name: str | None = None, args: tuple = (), **changes) -> str:
    """This page's URL (or another page's) with the current query, some keys changed; None drops a key.

    ``format`` and ``table`` (an export) are never carried over.
    """
    query = request.GET.copy()
    for key in ("format", "table"):
        query.pop(key, None)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        elif isinstance(value, list | tuple):
            query.setlist(key, [str(v) for v in value])
        else:
            query[key] = str(value)
    path = reverse(name, args=args) if name else request.path
    encoded = query.urlencode()
    return f"{path}?{encoded}" if encoded else path


@dataclass(slots=True)
class Page:
    """What a page view gets: the request, stores, cleaned filters, period or as-of day, and its context."""

    request: HttpRequest
    stores: list[StoreInfo]
    selected: tuple[str, ...]
    data: dict
    currency: str  # the selected stores' one currency, "" when they mix currencies
    period: Period | None = None
    as_of: dt.date | None = None
    context: dict = field(default_factory=dict)
    export: str = ""  # the table an export asks for; "" for the HTML page
    export_format: str = ""  # xlsx / csv, "" for the HTML page

    @property
    def is_html(self) -> bool:
        return not self.export

    @property
    def user(self):
        return self.request.user

    def wants(self, table_id: str) -> bool:
        """Whether this request needs that table (an export computes only its own)."""
        return not self.export or self.export == table_id

    def url(self, name: str | None = None, args: tuple = (), **changes) -> str:
        return page_url(self.request, name, args, **changes)

    def day_url(self, day: dt.date, name: str | None = None, args: tuple = ()) -> str:
        return self.url(name, args, period="custom", start=day.isoformat(), end=day.isoformat())

    def kpi_filter(self, dimension: str, key: str) -> tuple[Filter, ...]:
        value = self.data.get(key)
        return (Filter(dimension, (value,)),) if value else ()

    def require(self, action: Action) -> None:
        """Refuse (403) unless the user holds this action's permission; call it before acting."""
        if not user_may(self.request.user, action):
            raise PermissionDenied

    def may(self, action: Action) -> bool:
        return user_may(self.request.user, action)


def module_required(module: Module, action: Action | None = None):
    """Login, then the module permission (and ``action``'s, when given); 403 otherwise.

    The access check of :func:`ui_page`, alone: for views that are not pages of tables
    (a POST that acts, a partial, a file download).
    """

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not user_can_use(request.user, module):
                raise PermissionDenied
            if action is not None and not user_may(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def ui_page(
    module: Module,
    template: str,
    *,
    warehouse: bool = True,
    tables: Sequence[str] = (),
    sorts: Sequence[str] = (),
    form=PageFilterForm,
    period: bool = True,
    as_of: bool = False,
    action: Action | None = None,
    section: str = "",
    not_found: tuple[type[Exception], ...] = (),
    filename: Callable[[Page, str], str] | None = None,
):
    """Decorate a page view ``build(page, *args, **kwargs) -> dict[str, DataTable] | HttpResponse``.

    ``tables``: the ids the page can export (the first is the default); ``sorts``: values the
    form's ``sort`` accepts (when the form has one); ``form``: the filter form class (called
    with ``stores=``, ``tables=`` and, when given, ``sorts=``); ``period``: parse the period
    picker; ``as_of``: the as-of day (the form's ``as_of``, default the last day with data);
    ``action``: a permission needed for every request of the view besides the module's;
    ``filename``: the export's file name (default ``<module>-<table>-<period or as-of>``);
    ``warehouse=False``: a page of the app DB only (no store list, empty state, period or
    as-of day; ``form`` may be None) that still gets the access checks, errors and exports.
    """
    tables = tuple(tables)
    if not warehouse:
        period = as_of = False

    def decorate(build: Callable[..., dict[str, DataTable] | HttpResponse | None]):
        @module_required(module, action)
        @wraps(build)
        def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            # one read of the data versions for every cached result the page asks for (a GET
            # writes nothing to the warehouse)
            with versions_memo() if request.method == "GET" else contextlib.nullcontext():
                return _view(request, *args, **kwargs)

        def _view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            context: dict = {"period_choices": PERIOD_CHOICES, "errors": [], "empty": False, "module": module.value,
                             "section": section}
            extra = {"sorts": sorts} if sorts else {}
            stores: list[StoreInfo] = []
            if warehouse:
                try:
                    stores = store_list()
                except ShopopsError as exc:
                    context.update(form=form(stores=(), tables=tables, **extra) if form is not None else None,
                                   stores=[], errors=[str(exc)])
                    return render(request, template, context, status=503)
            data: dict = {}
            if form is not None:
                bound = form(request.GET, stores=stores, tables=tables, **extra)
                context.update(form=bound, stores=stores, selected_stores=request.GET.getlist("store"))
                if not bound.is_valid():
                    context["errors"] = [m for msgs in bound.errors.values() for m in msgs]
                    return render(request, template, context, status=400)
                data = bound.cleaned_data
            else:
                try:
                    data = _export_choice(request, tables)
                except BadRequest as exc:
                    context["errors"] = [str(exc)]
                    return render(request, template, context, status=400)
            selected = tuple(data.get("store") or ())
            context["selected_stores"] = list(selected)
            if period:
                context["selected_period"] = data["period"]
            fmt = data.get("format") or ""
            wanted = (data.get("table") or (tables[0] if tables else "")) if fmt in FORMATS else ""
            try:
                last = last_fact_date() if warehouse else None
                if warehouse and (not stores or last is None):
                    context["empty"] = True
                    return render(request, template, context)
                codes = store_currencies(stores, selected)
                page = Page(request, stores, selected, data, codes[0] if len(codes) == 1 else "",
                            export=wanted, export_format=fmt if wanted else "")
                if period:
                    # the presets ("yesterday", "last 7 days" …) end at the selected stores' own data date
                    today = reference_today(today=business_today(settings.SHOPOPS_TIME_ZONE), stores=selected)
                    page.period = cockpit_period(data["period"], start=data["start"], end=data["end"], today=today)
                    context.update(period=page.period, previous=page.period.previous(),
                                   as_of=last_fact_date(stores=selected) if selected else last)
                if as_of:
                    page.as_of = data.get("as_of") or last
                    context.update(as_of=page.as_of, last_fact_date=last)
                context.update(currency=page.currency, mixed_currencies=codes if len(codes) > 1 else [])
                page.context.update(context)
                built = build(page, *args, **kwargs)
            except not_found as exc:
                raise Http404(str(exc)) from exc
            except (BadRequest, ValueError) as exc:
                context["errors"] = [str(exc)]
                return render(request, template, context, status=400)
            except ShopopsError as exc:
                context["errors"] = [str(exc)]
                return render(request, template, context, status=503)
            if isinstance(built, HttpResponse):
                return built
            built = built or {}
            if fmt in FORMATS:
                table_id = data.get("table") or next(iter(built), "")
                if table_id not in built:
                    context["errors"] = [_("This page has no table %(table)s to export.") % {"table": table_id}]
                    return render(request, template, context, status=400)
                name = filename(page, table_id) if filename else _default_filename(module, page, table_id)
                return export_response(built[table_id], fmt, name)
            page.context["tables"] = built
            page.context["export_urls"] = {tid: page.url(format="xlsx", table=tid) for tid in built}
            page.context["csv_urls"] = {tid: page.url(format="csv", table=tid) for tid in built}
            return render(request, template, page.context)

        return view

    return decorate


def _export_choice(request: HttpRequest, tables: tuple[str, ...]) -> dict:
    """``format`` and ``table`` of a page without a filter form; an unknown one is a 400 (BadRequest)."""
    fmt = request.GET.get("format") or ""
    table = request.GET.get("table") or ""
    if fmt and fmt not in FORMATS:
        raise BadRequest(_("Unknown format %(value)s: use xlsx, or leave it out for the page.") % {"value": fmt})
    if table and table not in tables:
        raise BadRequest(_("Unknown table %(value)s: this page has %(tables)s.")
                         % {"value": table, "tables": ", ".join(tables) or "—"})
    return {"format": fmt, "table": table}


def _default_filename(module: Module, page: Page, table_id: str) -> str:
    if page.period is not None:
        return f"{module.value}-{table_id}-{page.period.start}-{page.period.end}"
    if page.as_of is not None:
        return f"{module.value}-{table_id}-{page.as_of}"
    return f"{module.value}-{table_id}"
