"""The sidebar: one entry per module of ``shopops.core.roles.Module``, as data.

An entry whose ``url_name`` is empty is not built yet: it links to ``/m/<module>/``, a
page that says so and what the module will do. When a module ships, give its entry the
URL name of its page and drop ``planned``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shopops.core.roles import Module
from shopops.team.selectors import user_can_use


@dataclass(frozen=True, slots=True)
class NavEntry:
    module: Module
    label: str | Promise
    planned: str | Promise = ""  # what a module not built yet will do: one honest sentence
    url_name: str = ""  # empty: not built yet

    @property
    def is_built(self) -> bool:
        return bool(self.url_name)

    @property
    def url(self) -> str:
        if self.url_name:
            return reverse(self.url_name)
        return reverse("web:module", kwargs={"module": self.module.value})


NAVIGATION: tuple[NavEntry, ...] = (
    NavEntry(Module.COCKPIT, _("Cockpit"), url_name="web:cockpit"),
    NavEntry(
        Module.TRAFFIC,
        _("Traffic & funnel"),
        _(
            "Will show visitors, page views and the funnel from home page to payment by traffic "
            "source, with the conversion of each step."
        ),
        url_name="web:traffic",
    ),
    NavEntry(
        Module.PRODUCTS,
        _("Products"),
        _(
            "Will rank products and SKUs by GMV, units and conversion, and mark each one as new, "
            "best-seller, steady or slow-moving."
        ),
        url_name="web:products",
    ),
    NavEntry(
        Module.CUSTOMERS,
        _("Customers"),
        _(
            "Will show new and returning buyers, repurchase rate, cohort retention, RFM segments "
            "and customer lifetime value."
        ),
        url_name="web:customers",
    ),
    NavEntry(
        Module.ADS,
        _("Ads"),
        _(
            "Will compare the spend, clicks, CPC and ROAS of every ad tool and plan with the GMV "
            "they bring."
        ),
        url_name="web:ads",
    ),
    NavEntry(Module.PROMOTIONS, _("Promotions"), url_name="promotions:campaigns"),
    NavEntry(
        Module.CAMPAIGNS,
        _("Campaign season"),
        _(
            "Will hold the marketing calendar, campaign plans with targets and budgets, the "
            "team's tasks from plan to review, and content."
        ),
    ),
    NavEntry(Module.INSIGHTS, _("Insights"), url_name="insights:inbox"),
    NavEntry(
        Module.INVENTORY,
        _("Inventory"),
        _(
            "Will show stock on hand, days of cover and sell-through per SKU, and suggest "
            "replenishment orders from the demand forecast."
        ),
    ),
    NavEntry(Module.SERVICE, _("Service & reviews"), url_name="service:queue"),
    NavEntry(Module.REPORTS, _("Reports"), url_name="reports:list"),
    NavEntry(Module.INGEST, _("Data import"), url_name="ingest:upload"),
    NavEntry(
        Module.TEAM,
        _("Team"),
        _("Will manage users and roles, and track the team's KPIs against their targets."),
    ),
    NavEntry(Module.JOBS, _("Jobs"), url_name="jobs:list"),
)

_BY_MODULE: dict[str, NavEntry] = {entry.module.value: entry for entry in NAVIGATION}


def nav_entry(module: str) -> NavEntry | None:
    return _BY_MODULE.get(module)


def nav_for_user(user) -> list[NavEntry]:
    """The entries this user's role may use, in sidebar order."""
    if not user.is_authenticated:
        return []
    return [entry for entry in NAVIGATION if user_can_use(user, entry.module)]
