"""Plans, tasks and users for the campaign tests."""

from __future__ import annotations

import datetime as dt

from shopops.campaigns import services
from shopops.campaigns.services import StoreRef
from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create

PASSWORD = "a-long-test-password"
OWN = StoreRef("own", "CNY", "Asia/Shanghai")
TMALL = StoreRef("tmall", "CNY", "Asia/Shanghai")
HK = StoreRef("hk", "HKD", "Asia/Hong_Kong")


def user(role: Role, username: str | None = None):
    role_groups_sync()
    return user_create(username=username or role.value, password=PASSWORD, role=role)


def plan(name: str = "双12", *, starts_on=dt.date(2026, 12, 10), ends_on=dt.date(2026, 12, 13), stores=(OWN,), **kw):
    return services.plan_create(name=name, stores=list(stores), starts_on=starts_on, ends_on=ends_on, **kw)
