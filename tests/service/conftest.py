"""Users of the service desk tests: a lead, two agents (customer_service role), a designer (no service module)."""

from __future__ import annotations

import pytest

from shopops.core.roles import Role

PASSWORD = "pw-service-1"


@pytest.fixture
def desk(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test speed only
    from shopops.service.models import BusinessHoursSetting, Priority, SlaPolicy
    from shopops.service.selectors import calendar_register
    from shopops.service.services import agent_ensure
    from shopops.service.sla import weekdays
    from shopops.team.services import role_groups_sync, user_create

    role_groups_sync()
    users = {
        "lead": user_create(username="cslead", password=PASSWORD, role=Role.CUSTOMER_SERVICE),
        "mei": user_create(username="mei", password=PASSWORD, role=Role.CUSTOMER_SERVICE),
        "jie": user_create(username="jie", password=PASSWORD, role=Role.CUSTOMER_SERVICE),
        "designer": user_create(username="designer", password=PASSWORD, role=Role.DESIGNER),
    }
    agents = {
        "lead": agent_ensure(user=users["lead"], nickname="主管", is_lead=True),
        "mei": agent_ensure(user=users["mei"], nickname="小美"),
        "jie": agent_ensure(user=users["jie"], nickname="阿杰"),
    }
    BusinessHoursSetting.objects.create(store_id="", opens_minute=9 * 60, closes_minute=18 * 60)
    for p, (fr, res) in {Priority.LOW: (240, 2880), Priority.NORMAL: (60, 480), Priority.HIGH: (30, 240),
                         Priority.URGENT: (15, 120)}.items():
        SlaPolicy.objects.create(ticket_type="", priority=p, first_response_minutes=fr, resolution_minutes=res)
    calendar_register(weekdays)  # hand-counted cases below use Monday–Friday
    yield {"users": users, "agents": agents}
    calendar_register(None)
