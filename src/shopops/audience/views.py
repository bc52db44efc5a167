"""Pages of the audience half: segment builder (live count and preview over HTMX), saved
segments with membership history and exports, outreach sends and their results.

Views parse the request, call one selector or service, and render. The day segments are
evaluated on (``?as_of=``) defaults to the last complete business day with data.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from shopops.audience import selectors as sel
from shopops.audience import services
from shopops.audience.models import Channel, MessageTemplate, OutboxMessage, Outreach, Segment
from shopops.audience.outreach.templating import VARIABLES
from shopops.audience.segment_labels import CHOICE_LABELS, describe, fields_for_editor
from shopops.core.errors import ShopopsError, ValidationError
from shopops.core.periods import business_today
from shopops.core.roles import Action, Module, action_permission
from shopops.customers import coupons
from shopops.customers.labels import error_message
from shopops.customers.masking import mask_id
from shopops.customers.permissions import can_use_segments
from shopops.ui.exports import export_response
from shopops.ui.formatting import EMPTY, format_money, format_value, store_currency
from shopops.ui.forms import pk_param
from shopops.ui.pages import module_required
from shopops.ui.tables import Column, DataTable, Row

# sending marketing messages is acting on customers: roles that run promotions (not analysts, not service)
SEND_PERMISSION = f"team.use_{Module.PROMOTIONS.value}"
# downloading the members of a segment (buyer ids or their hashes): an act of its own (director, analyst)
EXPORT_PERMISSION = action_permission(Action.EXPORT_CUSTOMER_IDS)
PREVIEW_ROWS = 20


guarded = module_required(Module.CUSTOMERS)  # sends and results: every role with the customers module


def _whole(post, field: str, default: int) -> int:
    """A posted whole number (blank: ``default``); anything else a ``ValidationError`` naming the field and value."""
    raw = (post.get(field) or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValidationError(_("%(field)s: %(value)s is not a whole number") % {"field": field, "value": raw[:40]}) from exc


def segments_guarded(view):
    """The segment pages: the customers module and a module that acts on or analyses customers."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_use_segments(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded(wrapped)


def _reference_day() -> dt.date:
    """Yesterday in the store's time zone, or the last day with paid orders when the data stop earlier."""
    from shopops.metrics.cockpit import reference_today

    today = business_today(settings.SHOPOPS_TIME_ZONE)
    try:
        return reference_today(today=today) - dt.timedelta(days=1)
    except Exception:  # no warehouse yet
        return today - dt.timedelta(days=1)


def _as_of(value: str | None) -> dt.date:
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError(_("As of: %(value)s is not a date; write it like 2025-11-30.")
                                  % {"value": value[:40]}) from exc
    return _reference_day()


def _stores() -> list:
    from shopops.metrics.dimensions import store_list

    try:
        return store_list()
    except Exception:
        return []


def _currency(store_ids) -> str:
    """The one currency of these stores (every store when none is named); "" when they mix."""
    return store_currency(_stores(), store_ids or ())


def _facts_columns() -> list[str]:
    from shopops.customers.facts import COLUMNS

    return list(COLUMNS)


def _export(request: HttpRequest, table: DataTable, filename: str) -> HttpResponse:
    """The table as ``?format=xlsx`` (default) or ``csv``, through the one export path (``ui.exports``)."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        return HttpResponse(_("Unknown format %(value)s: use xlsx or csv.") % {"value": fmt[:20]}, status=400,
                            content_type="text/plain; charset=utf-8")
    return export_response(table, fmt, filename)


# ------------------------------------------------------------------------------ segments
@segments_guarded
def segment_list(request: HttpRequest) -> HttpResponse:
    segments = list(sel.segment_list())
    rows = [(s, describe(s.rules)) for s in segments]
    if request.GET.get("format"):
        table = DataTable("segments", _("Segments"), [
            Column("name", _("Segment")), Column("rules", _("Rules")),
            Column("members", pgettext("segment", "Members"), unit="count"),
            Column("refreshed_as_of", _("Refreshed as of"), unit="date")],
            [Row({"name": s.name, "rules": d, "members": s.member_count, "refreshed_as_of": s.refreshed_as_of})
             for s, d in rows])
        return _export(request, table, "segments")
    return render(request, "audience/segments/list.html", {"rows": rows})


def _builder_context(request: HttpRequest, segment: Segment | None, *, rules, name: str, store_ids, window_days,
                     as_of: dt.date, error: str = "") -> dict:
    history = list(segment.refreshes.order_by("as_of")) if segment else []
    chart = {
        "kind": "day", "currency": "", "stack": False, "drill": [],
        "categories": [h.as_of.isoformat() for h in history],
        "series": [
            {"key": "members", "name": pgettext("segment", "Members"), "unit": "count", "type": "line", "axis": 0,
             "data": [h.members for h in history]},
            {"key": "joined", "name": _("Joined"), "unit": "count", "type": "bar", "axis": 0,
             "data": [h.joined for h in history]},
            {"key": "left", "name": _("Left"), "unit": "count", "type": "bar", "axis": 0,
             "data": [h.left for h in history]},
        ],
    }
    return {
        "segment": segment, "name": name, "store_ids": list(store_ids or []), "window_days": window_days or "",
        "as_of": as_of, "rules_json": json.dumps(rules, ensure_ascii=False),
        "fields_json": fields_for_editor(_facts_columns()), "stores": _stores(), "error": error,
        "currency": _currency(store_ids),
        "history": list(reversed(history)), "chart": chart if history else None,
        "editor_i18n": {"and": _("all of (AND)"), "or": _("any of (OR)"), "addCondition": _("+ condition"),
                        "addGroup": _("+ group"), "remove": _("Remove"), "values": _("values, comma-separated"),
                        "low": _("from"), "high": _("to"), "match": _("Match"),
                        "failed": _("The count could not be computed; edit again to retry")},
        "can_export_ids": request.user.has_perm(EXPORT_PERMISSION),
        "export_forms": [("ids", _("Customer ids")), ("sha256", _("SHA-256 of customer id")),
                         ("md5", _("MD5 of customer id"))],
    }


def _posted_segment(request: HttpRequest) -> dict:
    raw = request.POST.get("rules") or "{}"
    try:
        rules = json.loads(raw)
    except ValueError as exc:
        raise ValidationError(_("rules: the rules are not valid JSON (%(detail)s).") % {"detail": exc}) from exc
    return {"rules": rules, "name": request.POST.get("name", ""), "store_ids": request.POST.getlist("store_ids"),
            "window_days": request.POST.get("window_days") or None}


@segments_guarded
def segment_builder(request: HttpRequest, segment_id: int | None = None) -> HttpResponse:
    segment = None
    if segment_id is not None:
        try:
            segment = sel.segment_get(segment_id=segment_id)
        except Segment.DoesNotExist as exc:
            raise Http404 from exc
    try:
        as_of = _as_of(request.GET.get("as_of") or request.POST.get("as_of"))
    except ValidationError as exc:
        as_of, error = _reference_day(), str(exc)
    else:
        error = ""
    if request.method == "POST":
        data = {"rules": {}, "name": request.POST.get("name", ""), "store_ids": request.POST.getlist("store_ids"),
                "window_days": request.POST.get("window_days") or None}
        try:
            data = _posted_segment(request)
            if error:  # a bad as_of is not silently replaced by the reference day
                raise ValidationError(error)
            segment = services.segment_save(segment=segment, as_of=as_of, **data)
        except ValidationError as exc:
            context = _builder_context(request, segment, as_of=as_of, error=error_message(exc), **data)
            return render(request, "audience/segments/builder.html", context, status=400)
        messages.success(request, _("Segment saved."))
        return redirect(f"{reverse('audience:segment', args=[segment.pk])}?as_of={as_of.isoformat()}")
    if segment is not None:
        context = _builder_context(request, segment, rules=segment.rules, name=segment.name, store_ids=segment.store_ids,
                                   window_days=segment.window_days, as_of=as_of, error=error)
    else:
        example = {"op": "and", "rules": [
            {"field": "orders", "operator": "gte", "value": 2},
            {"field": "recency_days", "operator": "between", "value": [60, 180]},
            {"field": "gmv", "operator": "gt", "value": "500.00"}]}
        context = _builder_context(request, None, rules=example, name="", store_ids=[], window_days=None, as_of=as_of,
                                   error=error)
    context["preview"], context["preview_error"] = _preview(context_rules=json.loads(context["rules_json"]),
                                                            store_ids=context["store_ids"],
                                                            window_days=context["window_days"] or None, as_of=as_of)
    return render(request, "audience/segments/builder.html", context, status=400 if error else 200)


def _preview(*, context_rules, store_ids, window_days, as_of):
    try:
        window = int(window_days) if window_days else None
        preview = sel.segment_preview(rules=context_rules, as_of=as_of, store_ids=store_ids, window_days=window,
                                      limit=PREVIEW_ROWS, cached=True)
    except (ShopopsError, ValueError) as exc:
        return None, error_message(exc)
    for row in preview.rows:
        row["rfm_label"] = CHOICE_LABELS.get(row.get("rfm_segment") or "", row.get("rfm_segment"))
        row["stage_label"] = CHOICE_LABELS.get(row.get("stage") or "", row.get("stage"))
        row["masked_id"] = mask_id(row.get("customer_id"))
    return preview, ""


@segments_guarded
@require_POST
def segment_preview(request: HttpRequest) -> HttpResponse:
    """HTMX: the live count and the first rows for the rules being edited."""
    try:
        data = _posted_segment(request)
        as_of = _as_of(request.POST.get("as_of"))
        preview, error = _preview(context_rules=data["rules"], store_ids=data["store_ids"],
                                  window_days=data["window_days"], as_of=as_of)
    except ValidationError as exc:
        preview, error = None, error_message(exc)
    return render(request, "audience/segments/_preview.html", {
        "preview": preview, "preview_error": error, "currency": _currency(request.POST.getlist("store_ids"))})


@segments_guarded
@require_POST
def segment_refresh(request: HttpRequest, segment_id: int) -> HttpResponse:
    try:
        segment = sel.segment_get(segment_id=segment_id)
    except Segment.DoesNotExist as exc:
        raise Http404 from exc
    try:
        as_of = _as_of(request.POST.get("as_of"))
        r = services.segment_refresh(segment=segment, as_of=as_of)
        messages.success(request, _("Refreshed as of %(day)s: %(members)s members (+%(joined)s / −%(left)s).") % {
            "day": r.as_of.isoformat(), "members": r.members, "joined": r.joined, "left": r.left})
    except ShopopsError as exc:
        messages.error(request, error_message(exc))
        as_of = _reference_day()
    return redirect(f"{reverse('audience:segment', args=[segment.pk])}?as_of={as_of.isoformat()}")


@segments_guarded
def segment_export(request: HttpRequest, segment_id: int) -> HttpResponse:
    if not request.user.has_perm(EXPORT_PERMISSION):
        return HttpResponse(_("Exporting the customers of a segment needs the permission %(perm)s "
                              "(ops director and analyst by default).") % {"perm": EXPORT_PERMISSION},
                            status=403, content_type="text/plain; charset=utf-8")
    try:
        segment = sel.segment_get(segment_id=segment_id)
    except Segment.DoesNotExist as exc:
        raise Http404 from exc
    form = request.GET.get("form", "ids")
    fmt = request.GET.get("format", "csv")
    if form not in sel.EXPORT_FORMS or fmt not in ("csv", "xlsx"):
        return HttpResponse(_("Unknown export %(form)s / %(format)s: the form is one of %(forms)s, the format csv or "
                              "xlsx.") % {"form": form[:20], "format": fmt[:20], "forms": ", ".join(sel.EXPORT_FORMS)},
                            status=400, content_type="text/plain; charset=utf-8")
    headers = ["store_id", "customer_id" if form == "ids" else f"customer_id_{form}"]
    table = DataTable("members", segment.name, [Column(h, h) for h in headers],
                      [Row(r) for r in sel.segment_export_rows(segment=segment, form=form)])
    return export_response(table, fmt, f"segment-{segment.pk}-{form}")


# ------------------------------------------------------------------------------ outreach
def _outreach_context(request: HttpRequest, **extra) -> dict:
    return {
        "sends": sel.outreach_list(), "templates": MessageTemplate.objects.all(), "segments": Segment.objects.all(),
        "can_send": request.user.has_perm(SEND_PERMISSION),
        "channels": Channel.choices, "coupon_choices": coupons.coupon_choices(), "variables": VARIABLES,
        "form": request.POST if request.method == "POST" else {}, **extra,
    }


@guarded
def outreach_list(request: HttpRequest) -> HttpResponse:
    """Sends, templates, and the forms to add either (POST ``action=template`` / ``action=send``)."""
    if request.method == "POST":
        if not request.user.has_perm(SEND_PERMISSION):
            raise PermissionDenied
        p = request.POST
        try:
            if p.get("action") == "template":
                services.template_save(name=p.get("name", ""), body_zh=p.get("body_zh", ""), body_en=p.get("body_en", ""),
                                       subject=p.get("subject", ""))
                messages.success(request, _("Template saved."))
                return redirect("audience:outreach")
            segment = Segment.objects.filter(pk=pk).first() if (pk := pk_param(p.get("segment"))) else None
            template = MessageTemplate.objects.filter(pk=pk).first() if (pk := pk_param(p.get("template"))) else None
            if segment is None:
                raise ValidationError(_("segment: choose a saved segment"))
            if template is None:
                raise ValidationError(_("template: choose a message template"))
            send = services.outreach_create(
                name=p.get("name", ""), segment=segment, template=template, channel=p.get("channel", "sms"),
                language=p.get("language", "zh-hans"), holdout_percent=p.get("holdout_percent") or "10",
                seed=int(p["seed"]) if p.get("seed", "").strip().isdigit() else None, coupon_ref=p.get("coupon", ""),
                frequency_cap=_whole(p, "frequency_cap", 2), window_days=_whole(p, "window_days", 14))
        except (ValidationError, ValueError) as exc:
            return render(request, "audience/outreach/list.html", _outreach_context(request, error=error_message(exc)),
                          status=400)
        return redirect("audience:outreach_detail", outreach_id=send.pk)
    if request.GET.get("format"):
        counts = (("treatment", _("Treatment")), ("holdout", _("Holdout")), ("opted_out", _("Opted out")),
                  ("capped", _("Frequency cap")))
        table = DataTable("outreach", _("Outreach"), [
            Column("name", _("Send")), Column("segment", _("Segment")), Column("channel", _("Channel")),
            Column("status", _("Status")), Column("sent_at", _("Sent at"), unit="datetime"),
            *[Column(key, label, unit="count") for key, label in counts]],
            [Row({"name": s.name, "segment": s.segment.name, "channel": s.get_channel_display(),
                  "status": s.get_status_display(), "sent_at": s.sent_at,
                  **{key: getattr(s, key) for key, _label in counts}}) for s in sel.outreach_list()])
        return _export(request, table, "outreach")
    return render(request, "audience/outreach/list.html", _outreach_context(request))


def _pct(v: float | None) -> str:
    return format_value(v, "percent")


def _pp(v: float | None) -> str:
    return EMPTY if v is None else f"{v * 100:+.2f} pp"


def _money(v, currency: str) -> str:
    """Money in the send's store currency (no symbol when its stores mix currencies)."""
    return EMPTY if v is None else format_money(Decimal(repr(v) if isinstance(v, float) else v), currency)


def _signed_money(v, currency: str) -> str:
    if v is None:
        return EMPTY
    d = Decimal(repr(v) if isinstance(v, float) else v).quantize(Decimal("0.01"))
    return f"{'+' if d >= 0 else '−'}{format_money(abs(d), currency)}"


def result_rows(results, currency: str = "CNY") -> list[dict]:
    """The results table: one row per outcome, shown text and raw values (for data-value and Excel).
    Money follows ``currency`` (the send's stores')."""
    rows = []
    for key, label, diff_fmt, value_fmt in (
        ("conversion", _("Conversion (ordered in the window)"), _pp, _pct),
        ("repurchase", _("Repurchase (2+ orders in the window)"), _pp, _pct),
        ("gmv", _("GMV per recipient"), lambda v: _signed_money(v, currency), lambda v: _money(v, currency)),
    ):
        d = getattr(results, key)
        t_value = results.treatment.gmv_per_customer if key == "gmv" else d.treatment
        h_value = results.holdout.gmv_per_customer if key == "gmv" else d.holdout
        rows.append({
            "key": key, "label": label, "treatment": value_fmt(t_value), "holdout": value_fmt(h_value),
            "diff": diff_fmt(d.diff), "low": diff_fmt(d.low), "high": diff_fmt(d.high),
            "significant": d.significant,
            "raw": {"treatment": t_value, "holdout": h_value, "diff": d.diff, "low": d.low, "high": d.high},
        })
    return rows


@guarded
def outreach_detail(request: HttpRequest, outreach_id: int) -> HttpResponse:
    try:
        send = sel.outreach_get(outreach_id=outreach_id)
    except Outreach.DoesNotExist as exc:
        raise Http404 from exc
    window = request.GET.get("window", "")
    window_days = int(window) if window.isdigit() and 1 <= int(window) <= 180 else send.window_days
    results = sel.outreach_results(outreach=send, window_days=window_days)
    currency = _currency(send.segment.store_ids)
    rows = result_rows(results, currency) if results else []
    if request.GET.get("format") and results:
        def num(v):
            return None if v is None else (v if isinstance(v, Decimal) else round(float(v), 6))

        keys = ("treatment", "holdout", "diff", "low", "high")
        table = DataTable("results", send.name, [
            Column("outcome", _("Outcome")),
            *[Column(k, label, unit="percent") for k, label in zip(keys, (
                _("Treatment"), _("Holdout"), _("Difference"), _("95% CI low"), _("95% CI high")), strict=True)]],
            [Row({"outcome": str(r["label"]), **{k: num(r["raw"][k]) for k in keys}},
                 units=dict.fromkeys(keys, "money") if r["key"] == "gmv" else {}) for r in rows],
            currency=currency)
        return _export(request, table, f"outreach-{send.pk}-results")
    chart = None
    if results:
        chart = {
            "kind": "category", "currency": "", "stack": False, "drill": [],
            "categories": [str(_("Conversion")), str(_("Repurchase"))],
            "series": [
                {"key": "treatment", "name": _("Treatment"), "unit": "percent", "type": "bar", "axis": 0,
                 "data": [results.conversion.treatment, results.repurchase.treatment]},
                {"key": "holdout", "name": _("Holdout"), "unit": "percent", "type": "bar", "axis": 0,
                 "data": [results.conversion.holdout, results.repurchase.holdout]},
            ],
        }
    verdict, incremental_text = "", ""
    if results:
        gmv = next(r for r in rows if r["key"] == "gmv")
        low, high = gmv["raw"]["low"], gmv["raw"]["high"]
        verdict = ("clear_gain" if low is not None and low > 0 else
                   "clear_loss" if high is not None and high < 0 else "unclear")
        incremental_text = _signed_money(results.incremental_gmv, currency)
    return render(request, "audience/outreach/detail.html", {
        "send": send, "results": results, "rows": rows, "chart": chart, "window_days": window_days, "currency": currency,
        "results_export_url": f"?window={window_days}&format=xlsx",
        "verdict": verdict, "incremental_text": incremental_text,
        "window_open": bool(results and not results.is_complete(timezone.now())),
        "outbox": OutboxMessage.objects.filter(outreach=send)[:10], "as_of": _reference_day(),
        "can_send": request.user.has_perm(SEND_PERMISSION),
        "preview": sel.outreach_preview(outreach=send, now=timezone.now()) if send.status == Outreach.Status.DRAFT else None,
    })


@guarded
@require_POST
def outreach_send(request: HttpRequest, outreach_id: int) -> HttpResponse:
    if not request.user.has_perm(SEND_PERMISSION):
        raise PermissionDenied
    try:
        send = sel.outreach_get(outreach_id=outreach_id)
    except Outreach.DoesNotExist as exc:
        raise Http404 from exc
    try:
        as_of = _as_of(request.POST.get("as_of"))
        send = services.outreach_send(outreach=send, as_of=as_of)
        messages.success(request, _("Sent to %(n)s customers; %(h)s held out.") % {"n": send.delivered, "h": send.holdout})
    except ShopopsError as exc:
        messages.error(request, error_message(exc))
    return redirect("audience:outreach_detail", outreach_id=send.pk)
