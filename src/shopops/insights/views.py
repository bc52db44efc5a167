"""Pages of insights: the inbox, a finding, the 晨报 and the outbox (parse, call, render)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from shopops.core.errors import ShopopsError
from shopops.core.roles import Module
from shopops.insights import selectors, services
from shopops.insights.models import Finding, ModuleAlert, Severity
from shopops.ui.exports import FORMATS, export_response
from shopops.ui.forms import pk_param
from shopops.ui.pages import module_required
from shopops.ui.tables import Column, DataTable, Row

_DATE = {"invalid": gettext_lazy("Enter a date as YYYY-MM-DD.")}


class InboxFilter(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("active", gettext_lazy("Not muted")), ("", gettext_lazy("All"))]
                               + list(Finding.Status.choices))
    severity = forms.ChoiceField(required=False, choices=[("", gettext_lazy("Any severity"))] + list(Severity.choices))
    store = forms.CharField(required=False, max_length=64)
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"], error_messages=_DATE)
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d"], error_messages=_DATE)


@module_required(Module.INSIGHTS)
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilter(request.GET or {"status": "active"})
    errors = []
    if not form.is_valid():
        errors = [f"{form.fields[k].label or k}: {' '.join(v)}" for k, v in form.errors.items()]
        data = {"status": "active"}
    else:
        data = form.cleaned_data
    data.setdefault("status", "active")
    latest = selectors.latest_day()
    if not data.get("start") and not data.get("end") and latest:
        data["start"], data["end"] = latest - dt.timedelta(days=13), latest
    findings = selectors.finding_list(status=data.get("status", "active") if request.GET else "active",
                                      severity=data.get("severity") or "", store=data.get("store") or "",
                                      start=data.get("start"), end=data.get("end"))
    names = selectors.store_names()
    if request.GET.get("export") in FORMATS and not errors:  # never the default filter's rows under a bad one
        columns = [("day", _("Day"), "date"), ("store", _("Store"), ""), ("severity", _("Severity"), ""),
                   ("kpi", _("KPI"), ""), ("product", _("Product"), ""), ("actual", _("Actual"), ""),
                   ("expected", _("Expected"), ""), ("low", _("Expected low"), ""), ("high", _("Expected high"), ""),
                   ("change", _("Change vs expected"), "percent"), ("money", _("Money at stake"), "money"),
                   ("cause", _("Cause"), ""), ("evidence", _("Evidence"), ""), ("status", _("Status"), ""),
                   ("assignee", _("Assignee"), "")]
        keys = [k for k, _h, _u in columns]
        table = DataTable("findings", _("Insights"), [Column(k, h, unit=u) for k, h, u in columns],
                          [Row(dict(zip(keys, r, strict=True))) for r in selectors.rows_for_export(findings, names)])
        return export_response(table, request.GET["export"], f"insights-{data.get('start')}-{data.get('end')}")
    views = [selectors.finding_view(f, names) for f in findings[:200]]
    alert_rows = selectors.module_alert_rows(
        selectors.module_alert_list(status="active", store=data.get("store") or "")[:200], names, user=request.user)
    query = request.GET.copy()
    query["export"] = "xlsx"
    return render(request, "insights/inbox.html", {
        "form": form, "views": views, "errors": errors, "names": names, "data": data,
        "export_url": f"{reverse('insights:inbox')}?{query.urlencode()}", "latest": latest, "module": "insights",
        "tab": "inbox", "alert_rows": alert_rows, "can_act": True,
    }, status=400 if errors else 200)


def _finding(finding_id: int) -> Finding:
    try:
        return selectors.finding_get(finding_id=finding_id)
    except Finding.DoesNotExist as exc:
        raise Http404 from exc


@module_required(Module.INSIGHTS)
def finding_detail(request: HttpRequest, finding_id: int) -> HttpResponse:
    f = _finding(finding_id)
    view = selectors.finding_view(f)
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    return render(request, "insights/finding.html", {"v": view, "f": f, "users": users, "module": "insights",
                                                     "tasks": f.tasks.select_related("assignee", "board_task"), "tab": "inbox"})


@module_required(Module.INSIGHTS)
@require_POST
def finding_action(request: HttpRequest, finding_id: int, action: str) -> HttpResponse:
    f = _finding(finding_id)
    try:
        if action == "acknowledge":
            services.finding_acknowledge(finding=f, user=request.user)
            messages.success(request, _("Acknowledged."))
        elif action == "assign":
            User = get_user_model()
            pk = pk_param(request.POST.get("assignee"))
            assignee = User.objects.filter(pk=pk, is_active=True).first() if pk else None
            if assignee is None:
                raise ShopopsError(_("Assignee: choose a person from the list."))
            services.finding_assign(finding=f, assignee=assignee, by=request.user, note=request.POST.get("note", ""))
            messages.success(request, _("Assigned to %(name)s; the task is on the team's task board.") % {"name": assignee.get_username()})
        elif action == "mute":
            try:
                days = int(request.POST.get("days", "7"))
            except ValueError as exc:
                raise ShopopsError(_("Mute days: %(value)s is not a whole number.") % {"value": request.POST.get("days")}) from exc
            services.finding_mute(finding=f, days=days, by=request.user)
            messages.success(request, _("Muted until %(day)s.") % {"day": f.muted_until})
        else:
            raise Http404
    except ShopopsError as exc:
        messages.error(request, str(exc))
    return redirect("insights:finding", finding_id=f.pk)


@module_required(Module.INSIGHTS)
@require_POST
def alert_action(request: HttpRequest, alert_id: int, action: str) -> HttpResponse:
    try:
        alert = selectors.module_alert_get(alert_id=alert_id)
    except ModuleAlert.DoesNotExist as exc:
        raise Http404 from exc
    if action != "acknowledge":
        raise Http404
    services.module_alert_acknowledge(alert=alert, user=request.user)
    messages.success(request, _("Acknowledged."))
    return redirect("insights:inbox")


def _brief_day(request: HttpRequest) -> tuple[dt.date | None, str]:
    raw = request.GET.get("day") or request.POST.get("day") or ""
    if raw:
        try:
            return dt.date.fromisoformat(raw), ""
        except ValueError:
            return None, _("Day: %(value)s is not a date; expected YYYY-MM-DD.") % {"value": raw}
    from shopops.metrics.cockpit import data_day

    # the morning brief is about the last complete business day with data, found or not
    return data_day() or selectors.latest_day(), ""


@module_required(Module.INSIGHTS)
def brief(request: HttpRequest) -> HttpResponse:
    day, error = _brief_day(request)
    b = selectors.brief(day=day) if day else None
    lines = selectors.brief_lines(b) if b else []
    alert_rows = selectors.module_alert_rows(b.alerts, selectors.store_names(), user=request.user) if b else []
    return render(request, "insights/brief.html", {"brief": b, "day": day, "error": error, "lines": lines,
                                                   "module": "insights", "tab": "brief", "alert_rows": alert_rows,
                                                   "can_act": True}, status=400 if error else 200)


@module_required(Module.INSIGHTS)
@require_POST
def brief_send(request: HttpRequest) -> HttpResponse:
    day, error = _brief_day(request)
    if error or day is None:
        messages.error(request, error or _("No day to send."))
        return redirect("insights:brief")
    rows = services.brief_deliver(day=day, language=get_language() or "zh-hans",
                                  link=request.build_absolute_uri(reverse("insights:brief") + f"?day={day}"))
    messages.success(request, _("%(n)s messages built; see the outbox.") % {"n": len(rows)})
    return redirect(f"{reverse('insights:outbox')}")


@module_required(Module.INSIGHTS)
def outbox(request: HttpRequest) -> HttpResponse:
    return render(request, "insights/outbox.html", {"deliveries": selectors.outbox_list(), "module": "insights",
                                                    "tab": "outbox"})


@module_required(Module.INSIGHTS)
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    day, error = _brief_day(request)
    if error or day is None:
        messages.error(request, error or _("No data to run on."))
        return redirect("insights:inbox")
    try:
        summary = services.insights_run(days=[day])
        messages.success(request, _("Detection ran for %(day)s: %(n)s findings.") % {"day": day, "n": len(summary.findings)})
    except ShopopsError as exc:
        messages.error(request, str(exc))
    return redirect(f"{reverse('insights:inbox')}?start={day}&end={day}&status=")
