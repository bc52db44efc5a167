"""Chat-service KPIs per agent and day, read through the metrics layer (catalog KPIs ``chat_*``)."""

from __future__ import annotations

from dataclasses import dataclass

from shopops.core.periods import Grain, Period

CHAT_KPIS = ("chat_consultations", "chat_inquiries", "chat_inquiry_conversion", "chat_first_response_seconds",
             "chat_avg_response_seconds", "chat_response_3min_rate", "chat_satisfaction")


@dataclass(frozen=True, slots=True)
class ChatTable:
    kpis: tuple[str, ...]
    by_agent: list[dict]  # agent_name, agent (nickname or ""), one value per KPI
    by_day: list[dict]  # bucket (date), agent_name, agent, values
    total: dict
    by_person: tuple[dict, ...] = ()  # agent (nickname), accounts (chat names with data), values over all of them


def chat_kpis(*, period: Period, stores: tuple[str, ...] = (), con=None) -> ChatTable:
    """The period per agent (computed from summed parts over the period) and per agent and day."""
    from shopops.metrics.runners.base import run_query
    from shopops.metrics.runners.kpis import KpiQuery
    from shopops.service.selectors import agent_by_chat_name

    names = agent_by_chat_name()
    per_agent = run_query(KpiQuery(CHAT_KPIS, period, by=("agent_name",), stores=stores), con=con).rows
    per_day = run_query(KpiQuery(CHAT_KPIS, period, grain=Grain.DAY, by=("agent_name",), stores=stores), con=con).rows
    total = run_query(KpiQuery(CHAT_KPIS, period, stores=stores), con=con).rows
    for row in per_agent + per_day:
        agent = names.get(str(row.get("agent_name")))
        row["agent"] = agent.nickname if agent else ""
    per_agent.sort(key=lambda r: -(r.get("chat_consultations") or 0))
    per_day.sort(key=lambda r: (str(r.get("bucket")), str(r.get("agent_name"))), reverse=False)
    # one person works several platforms' chat accounts: their values over all of them, again from summed
    # parts (a query filtered on the person's accounts), for the agents with more than one account with data
    from shopops.metrics.sources import Filter

    accounts: dict[int, list[str]] = {}
    people = {}
    for row in per_agent:
        agent = names.get(str(row.get("agent_name")))
        if agent is not None:
            accounts.setdefault(agent.pk, []).append(str(row["agent_name"]))
            people[agent.pk] = agent
    by_person = []
    for pk, chat_names in accounts.items():
        if len(chat_names) < 2:
            continue
        rows = run_query(KpiQuery(CHAT_KPIS, period, stores=stores, filters=(Filter("agent_name", tuple(chat_names)),)),
                         con=con).rows
        if rows:
            by_person.append({**rows[0], "agent": people[pk].nickname, "accounts": sorted(chat_names)})
    by_person.sort(key=lambda r: -(r.get("chat_consultations") or 0))
    return ChatTable(CHAT_KPIS, per_agent, per_day, total[0] if total else {}, tuple(by_person))
