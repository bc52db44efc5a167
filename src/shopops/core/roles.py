"""The eight roles of the operations team and the modules each may use.

A role is a Django group (created by the team app); a module permission is
``team.use_<module>``. Kept here as plain data so every layer can read it.
"""

from __future__ import annotations

from enum import StrEnum


class Module(StrEnum):
    COCKPIT = "cockpit"
    TRAFFIC = "traffic"
    PRODUCTS = "products"
    CUSTOMERS = "customers"
    ADS = "ads"
    PROMOTIONS = "promotions"
    INSIGHTS = "insights"
    INVENTORY = "inventory"
    SERVICE = "service"
    REPORTS = "reports"
    INGEST = "ingest"
    TEAM = "team"
    JOBS = "jobs"  # the job log and "run now"


class Role(StrEnum):
    OPS_DIRECTOR = "ops_director"
    OPS_SPECIALIST = "ops_specialist"
    ADS_SPECIALIST = "ads_specialist"
    DESIGNER = "designer"
    COPYWRITER = "copywriter"
    CUSTOMER_SERVICE = "customer_service"
    ANALYST = "analyst"
    PROCUREMENT = "procurement"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.OPS_DIRECTOR: ("运营总监", "Ops director"),
    Role.OPS_SPECIALIST: ("运营", "Ops specialist"),
    Role.ADS_SPECIALIST: ("推广", "Ads specialist"),
    Role.DESIGNER: ("美工/设计", "Designer"),
    Role.COPYWRITER: ("文案", "Copywriter"),
    Role.CUSTOMER_SERVICE: ("客服", "Customer service"),
    Role.ANALYST: ("数据分析", "Analyst"),
    Role.PROCUREMENT: ("采购", "Procurement"),
}

_ALL = frozenset(Module)

ROLE_MODULES: dict[Role, frozenset[Module]] = {
    Role.OPS_DIRECTOR: _ALL,
    Role.OPS_SPECIALIST: _ALL - {Module.TEAM, Module.JOBS},
    Role.ADS_SPECIALIST: frozenset({Module.COCKPIT, Module.TRAFFIC, Module.PRODUCTS, Module.ADS, Module.INSIGHTS, Module.REPORTS}),
    Role.DESIGNER: frozenset({Module.COCKPIT, Module.PRODUCTS, Module.PROMOTIONS}),
    Role.COPYWRITER: frozenset({Module.COCKPIT, Module.PRODUCTS, Module.PROMOTIONS, Module.CUSTOMERS}),
    Role.CUSTOMER_SERVICE: frozenset({Module.COCKPIT, Module.CUSTOMERS, Module.SERVICE}),
    Role.ANALYST: _ALL - {Module.TEAM, Module.PROMOTIONS},
    Role.PROCUREMENT: frozenset({Module.COCKPIT, Module.PRODUCTS, Module.INVENTORY, Module.REPORTS}),
}
