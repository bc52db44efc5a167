"""Report pages: the list with the generate form, a report (progress while it builds), downloads.

Generation runs in the background (``tasks.report_enqueue``); the report page polls its
progress with HTMX every second and reloads itself when the report is ready.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from shopops.core.errors import ShopopsError
from shopops.core.roles import Module
from shopops.metrics.dimensions import store_list
from shopops.metrics.runners import last_fact_date
from shopops.reports.builder import ReportKind, latest_complete_periods, period_label
from shopops.reports.forms import ReportForm
from shopops.reports.selectors import ReportNotFound, report_body, report_get, report_list
from shopops.reports.services import FORMATS, report_request, report_retry
from shopops.reports.tasks import report_enqueue
from shopops.ui.pages import module_required

LIST_LIMIT = 100
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


reports_page = module_required(Module.REPORTS)


def _record_or_404(report_id: str):
    try:
        return report_get(report_id=report_id)
    except ReportNotFound as exc:
        raise Http404(str(exc)) from None


def _stores() -> tuple[list, list[str]]:
    try:
        return store_list(), []
    except ShopopsError as exc:
        return [], [str(exc)]


def _initial() -> dict:
    initial = {"kind": ReportKind.WEEKLY.value, "formats": list(FORMATS)}
    try:
        as_of = last_fact_date()
    except ShopopsError:
        as_of = None
    if as_of:
        periods = latest_complete_periods(as_of)
        initial["week"] = period_label(ReportKind.WEEKLY, periods[ReportKind.WEEKLY])
        initial["month"] = period_label(ReportKind.MONTHLY, periods[ReportKind.MONTHLY])
    return initial


def _list_context(form: ReportForm, stores: list, errors: list[str]) -> dict:
    return {"form": form, "stores": stores, "errors": errors, "reports": report_list(limit=LIST_LIMIT),
            "store_names": {s.store_id: s.name for s in stores}}


@reports_page
def report_list_page(request: HttpRequest) -> HttpResponse:
    stores, errors = _stores()
    form = ReportForm(initial=_initial(), stores=stores)
    return render(request, "reports/list.html", _list_context(form, stores, errors))


@reports_page
@require_POST
def report_generate_start(request: HttpRequest) -> HttpResponse:
    stores, errors = _stores()
    form = ReportForm(request.POST, stores=stores)
    if not form.is_valid():
        return render(request, "reports/list.html", _list_context(form, stores, errors), status=400)
    data = form.cleaned_data
    try:
        record = report_request(kind=data["kind"], period=data["period"], stores=tuple(data["store"]),
                                language=get_language() or "zh-hans", formats=tuple(data["formats"]),
                                user=request.user.get_username(), base_url=request.build_absolute_uri("/"))
    except ShopopsError as exc:
        return render(request, "reports/list.html", _list_context(form, stores, [*errors, str(exc)]), status=400)
    report_enqueue(record)
    return redirect("reports:report", report_id=record.id)


@reports_page
def report_page(request: HttpRequest, report_id: str) -> HttpResponse:
    record = _record_or_404(report_id)
    stores, _errors = _stores()
    body = mark_safe(report_body(record)) if record.status == "done" else ""  # noqa: S308 - our own rendered, escaped HTML
    return render(request, "reports/report.html", {
        "record": record, "body": body, "store_names": {s.store_id: s.name for s in stores},
    })


@reports_page
@require_POST
def report_retry_start(request: HttpRequest, report_id: str) -> HttpResponse:
    """Generate a failed report again (as a new report with the same settings)."""
    record = _record_or_404(report_id)
    try:
        retry = report_retry(record=record, user=request.user.get_username())
    except ShopopsError as exc:
        stores, errors = _stores()
        form = ReportForm(initial=_initial(), stores=stores)
        return render(request, "reports/list.html", _list_context(form, stores, [*errors, str(exc)]), status=400)
    report_enqueue(retry)
    return redirect("reports:report", report_id=retry.id)


@reports_page
def report_progress(request: HttpRequest, report_id: str) -> HttpResponse:
    """The progress partial HTMX polls; once the report is ready it tells the page to reload."""
    record = _record_or_404(report_id)
    response = render(request, "reports/_progress.html", {"record": record, "polling": record.is_active})
    if not record.is_active and request.headers.get("HX-Request") == "true":
        response["HX-Refresh"] = "true"
    return response


@reports_page
def report_download(request: HttpRequest, report_id: str, fmt: str) -> FileResponse:
    record = _record_or_404(report_id)
    path = record.path(fmt) if fmt in FORMATS else None
    if path is None or not path.exists():
        raise Http404(f"report {report_id} has no {fmt} file")
    return FileResponse(path.open("rb"), as_attachment=fmt != "html", filename=path.name,
                        content_type=CONTENT_TYPES[fmt])
