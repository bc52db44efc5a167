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
    CAMPAIGNS = "campaigns"  # the marketing calendar, campaign plans, tasks, content, 复盘
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


MODULE_LABELS: dict[str, tuple[str, str]] = {  # (zh, en), for texts that name a module outside the sidebar
    Module.COCKPIT: ("驾驶舱", "Cockpit"),
    Module.TRAFFIC: ("流量与转化", "Traffic & funnel"),
    Module.PRODUCTS: ("商品", "Products"),
    Module.CUSTOMERS: ("客户", "Customers"),
    Module.ADS: ("推广", "Ads"),
    Module.PROMOTIONS: ("营销活动", "Promotions"),
    Module.CAMPAIGNS: ("大促与活动", "Campaign season"),
    Module.INSIGHTS: ("异常洞察", "Insights"),
    Module.INVENTORY: ("库存", "Inventory"),
    Module.SERVICE: ("客服与评价", "Service & reviews"),
    Module.REPORTS: ("报表", "Reports"),
    Module.INGEST: ("数据导入", "Data import"),
    Module.TEAM: ("团队", "Team"),
    Module.JOBS: ("定时任务", "Jobs"),
}

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
    Role.ADS_SPECIALIST: frozenset({Module.COCKPIT, Module.TRAFFIC, Module.PRODUCTS, Module.ADS, Module.CAMPAIGNS, Module.INSIGHTS, Module.REPORTS}),
    Role.DESIGNER: frozenset({Module.COCKPIT, Module.PRODUCTS, Module.PROMOTIONS, Module.CAMPAIGNS}),
    Role.COPYWRITER: frozenset({Module.COCKPIT, Module.PRODUCTS, Module.PROMOTIONS, Module.CAMPAIGNS, Module.CUSTOMERS}),
    Role.CUSTOMER_SERVICE: frozenset({Module.COCKPIT, Module.CUSTOMERS, Module.CAMPAIGNS, Module.SERVICE}),
    Role.ANALYST: _ALL - {Module.TEAM, Module.PROMOTIONS},
    Role.PROCUREMENT: frozenset({Module.COCKPIT, Module.PRODUCTS, Module.CAMPAIGNS, Module.INVENTORY, Module.REPORTS}),
}


class Action(StrEnum):
    """Acts that need more than the module: a permission ``team.<action>`` each, checked per action."""

    PUBLISH_CAMPAIGN = "publish_campaign"  # publish a promotion campaign
    OVERRIDE_FLOOR = "override_floor_price"  # publish although SKUs can be bought below their floor price
    EXPORT_CUSTOMER_IDS = "export_customer_ids"  # download segment members (ids or their hashes)
    APPROVE_CAMPAIGN = "approve_campaign_plan"  # approve a campaign plan (活动策划), or send an approved one back to draft
    PLAN_CAMPAIGN = "plan_campaign"  # create and edit campaign plans: goals, phases, budget, promotions, tasks from a template


ACTION_LABELS: dict[Action, tuple[str, str]] = {
    Action.PUBLISH_CAMPAIGN: ("发布活动", "Publish campaigns"),
    Action.OVERRIDE_FLOOR: ("破价发布（越过最低价保护）", "Override the floor-price guard"),
    Action.EXPORT_CUSTOMER_IDS: ("导出人群客户ID", "Export customer ids of segments"),
    Action.APPROVE_CAMPAIGN: ("审批活动策划", "Approve campaign plans"),
    Action.PLAN_CAMPAIGN: ("编制活动策划", "Plan campaigns"),
}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.OPS_DIRECTOR: frozenset(Action),
    Role.OPS_SPECIALIST: frozenset({Action.PUBLISH_CAMPAIGN, Action.OVERRIDE_FLOOR, Action.PLAN_CAMPAIGN}),
    Role.ADS_SPECIALIST: frozenset({Action.PLAN_CAMPAIGN}),  # the ad budget lines of a plan
    Role.DESIGNER: frozenset(),
    Role.COPYWRITER: frozenset(),
    Role.CUSTOMER_SERVICE: frozenset(),
    Role.ANALYST: frozenset({Action.EXPORT_CUSTOMER_IDS}),
    Role.PROCUREMENT: frozenset(),
}


def action_permission(action: Action) -> str:
    """The Django permission of an action (``team.publish_campaign``)."""
    return f"team.{action.value}"
