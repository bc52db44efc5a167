"""Linking insights findings to a plan's 复盘 (services and reads; docs/campaigns.md "Linked findings").

A planner (``team.plan_campaign``) links a finding of the plan's stores whose day lies in the 复盘's
window — the campaign's days and the ``AFTER_DAYS`` after them (the post-campaign dip) — with a verdict
(went well / went badly / lesson) and a short note. Linking the same finding again with the same verdict
and note writes nothing; with another verdict or note it updates the link (who and when are kept).
The findings come through ``retro_findings`` (insights is above campaigns).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shopops.campaigns import retro_findings
from shopops.campaigns.models import CampaignPlan, RetroFinding
from shopops.campaigns.services import PLAN_PERMISSION, PlanActionNotAllowed, may_plan
from shopops.core.errors import ShopopsError
from shopops.core.alerts import SEVERITIES

AFTER_DAYS = 14  # the 复盘's post-campaign dip (retro's ``side_days``): findings this long after the last day count
NOTE_MAX = RetroFinding._meta.get_field("note").max_length
SUGGESTIONS_MAX = 60  # the page lists at most this many (most severe first when there are more)


def window(plan: CampaignPlan) -> tuple[dt.date, dt.date]:
    """The days whose findings belong to the 复盘: the campaign's days and the ``AFTER_DAYS`` after them."""
    return plan.starts_on, plan.ends_on + dt.timedelta(days=AFTER_DAYS)


def _refuse_non_planner(user) -> None:
    if not may_plan(user):
        raise PlanActionNotAllowed(_("Only the people who plan campaigns (ops, ads, the director) may link findings "
                                     "to the 复盘 (permission %(perm)s).") % {"perm": PLAN_PERMISSION})


def _finding_number(finding_id) -> int:
    text = str(finding_id).strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= 2**31 - 1:  # a database integer
        raise ShopopsError(_("“%(value)s” is not a finding number.") % {"value": text[:40]})
    return int(text)


def _finding_checked(plan: CampaignPlan, finding_id) -> retro_findings.FindingFacts:
    fid = _finding_number(finding_id)
    if not retro_findings.available():
        raise ShopopsError(_("Findings cannot be linked: the insights module is not available here."))
    facts = retro_findings.finding(fid)
    if facts is None:
        raise ShopopsError(_("There is no insights finding #%(id)s.") % {"id": fid})
    if facts.store_id not in plan.store_ids:
        raise ShopopsError(_("Finding #%(id)s is about store %(store)s, which is not one of this campaign's stores "
                             "(%(stores)s); link findings of the campaign's own stores.")
                           % {"id": fid, "store": facts.store_id, "stores": ", ".join(plan.store_ids)})
    first, last = window(plan)
    if not first <= facts.day <= last:
        raise ShopopsError(_("Finding #%(id)s is of %(day)s, outside this 复盘's days %(first)s – %(last)s (the campaign "
                             "and the %(after)s days after it).")
                           % {"id": fid, "day": facts.day.isoformat(), "first": first.isoformat(),
                              "last": last.isoformat(), "after": AFTER_DAYS})
    return facts


def _verdict_checked(verdict: str) -> str:
    verdict = (verdict or "").strip()
    if verdict not in RetroFinding.Verdict.values:
        raise ShopopsError(_("Choose whether the finding went well, went badly or is a lesson (got “%(value)s”).")
                           % {"value": verdict[:40]})
    return verdict


@dataclass(frozen=True, slots=True)
class LinkResult:
    link: RetroFinding
    created: bool
    changed: bool  # False: the same finding with the same verdict and note was linked already (nothing written)


def retro_finding_link(*, plan: CampaignPlan, finding_id, verdict: str, note: str = "", user,
                       now: dt.datetime) -> LinkResult:
    """Link a finding of the plan's stores and 复盘 window to the plan's 复盘 (idempotent)."""
    _refuse_non_planner(user)
    verdict = _verdict_checked(verdict)
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise ShopopsError(_("The note is %(n)s characters long; keep it to %(max)s (a line: the 复盘's notes hold "
                             "the long story).") % {"n": len(note), "max": NOTE_MAX})
    facts = _finding_checked(plan, finding_id)
    with transaction.atomic():
        existing = RetroFinding.objects.select_for_update().filter(plan=plan, finding_id=facts.finding_id).first()
        if existing is not None:
            if existing.verdict == verdict and existing.note == note:
                return LinkResult(existing, created=False, changed=False)
            existing.verdict, existing.note, existing.updated_by, existing.updated_at = verdict, note, user, now
            existing.save(update_fields=["verdict", "note", "updated_by", "updated_at"])
            return LinkResult(existing, created=False, changed=True)
        try:
            with transaction.atomic():
                link = RetroFinding.objects.create(
                    plan=plan, finding_id=facts.finding_id, verdict=verdict, note=note, day=facts.day,
                    store_id=facts.store_id, product_id=facts.product_id, kpi=facts.kpi, actual=facts.actual,
                    expected=facts.expected, severity=facts.severity, link=facts.link, texts=facts.texts,
                    linked_by=user, linked_at=now, updated_by=user, updated_at=now)
        except IntegrityError:  # linked by someone else in the meantime: theirs stands
            return LinkResult(RetroFinding.objects.get(plan=plan, finding_id=facts.finding_id), created=False, changed=False)
    return LinkResult(link, created=True, changed=True)


def retro_finding_unlink(*, plan: CampaignPlan, finding_id, user) -> bool:
    """Remove a finding from the 复盘; False when it was not linked (nothing to do)."""
    _refuse_non_planner(user)
    deleted, _rows = RetroFinding.objects.filter(plan=plan, finding_id=_finding_number(finding_id)).delete()
    return bool(deleted)


# ------------------------------------------------------------------------------ reads
@dataclass(frozen=True, slots=True)
class LinkedRow:
    """A linked finding in the page's language."""

    link: RetroFinding
    texts: dict[str, str]


def linked(plan: CampaignPlan, language: str) -> list[LinkedRow]:
    return [LinkedRow(link, retro_findings.texts_in(link.texts, language))
            for link in RetroFinding.objects.filter(plan=plan).select_related("linked_by")]


@dataclass(frozen=True, slots=True)
class Suggestion:
    facts: retro_findings.FindingFacts
    texts: dict[str, str]
    after: bool  # a day after the campaign (the dip), not one of its days


def suggestions(plan: CampaignPlan, language: str) -> tuple[list[Suggestion], int] | None:
    """The findings of the plan's stores and 复盘 window not linked yet (oldest first; at most
    ``SUGGESTIONS_MAX``, the most severe, when there are more) and how many there were;
    None when insights is not available."""
    first, last = window(plan)
    found = retro_findings.findings_between(store_ids=plan.store_ids, start=first, end=last)
    if found is None:
        return None
    taken = set(RetroFinding.objects.filter(plan=plan).values_list("finding_id", flat=True))
    rest = [f for f in found if f.finding_id not in taken]
    total = len(rest)
    if total > SUGGESTIONS_MAX:
        rank = {s: i for i, s in enumerate(SEVERITIES)}  # low … critical
        rest = sorted(rest, key=lambda f: (-rank.get(f.severity, 0), f.day, f.store_id))[:SUGGESTIONS_MAX]
    rest.sort(key=lambda f: (f.day, f.store_id, f.finding_id))
    return [Suggestion(f, retro_findings.texts_in(f.texts, language), f.day > plan.ends_on) for f in rest], total
