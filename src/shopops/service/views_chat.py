"""The chat-service KPI page: per agent over a period, and per agent and day."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shopops.core.periods import Period, PeriodPreset, business_today, preset_period
from shopops.core.roles import Module
from shopops.metrics.catalog import kpi as kpi_def
from shopops.service import selectors_chat
from shopops.ui.exports import FORMATS, export_response
from shopops.ui.forms import period_param
from shopops.ui.pages import module_required
from shopops.ui.tables import Column, DataTable, kpi_column


def _period(request: HttpRequest) -> tuple[Period, str]:
    default = preset_period(PeriodPreset.LAST_30, today=business_today(settings.SHOPOPS_TIME_ZONE))
    try:
        return period_param(request.GET.get("period")) or default, ""
    except BadRequest as exc:
        return default, str(exc)


@module_required(Module.SERVICE)
def chat_kpis(request: HttpRequest) -> HttpResponse:
    period, error = _period(request)
    table = chat_kpis_or_empty(period)
    language = get_language() or "zh-hans"
    columns = [(k, kpi_def(k).label(language), kpi_def(k).unit.value, kpi_def(k).definition(language)) for k in table.kpis]
    if request.GET.get("format") in FORMATS and not error:  # never the default period's rows under a bad one
        export = DataTable.from_dicts(
            "chat", _("Chat KPIs per agent and day"),
            [Column("bucket", _("Date"), unit="date"), Column("agent_name", _("Chat account")), Column("agent", _("Agent"))]
            + [kpi_column(k, language) for k in table.kpis], table.by_day)
        return export_response(export, request.GET["format"], "chat-kpis")
    return render(request, "service/chat_kpis.html", {
        "table": table, "columns": columns, "period": period, "period_text": request.GET.get("period", ""),
        "error": error}, status=400 if error else 200)


def chat_kpis_or_empty(period: Period):
    from shopops.service.selectors_chat import CHAT_KPIS, ChatTable

    try:
        return selectors_chat.chat_kpis(period=period)
    except Exception as exc:  # no warehouse yet / table missing: an empty page, not a 500
        if "service_chat_daily" in str(exc) or "does not exist" in str(exc).lower() or "not found" in str(exc).lower():
            return ChatTable(CHAT_KPIS, [], [], {})
        raise

