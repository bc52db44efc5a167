"""The eight roles exist as groups with exactly their modules; users get one role."""

import pytest
from django.contrib.auth.models import Group

from shopops.core.roles import ROLE_ACTIONS, ROLE_MODULES, Action, Module, Role
from shopops.team.selectors import user_can_use, user_role, user_role_label
from shopops.team.services import demo_users_create, role_groups_sync, user_create

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_its_module_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}
    for role, modules in ROLE_MODULES.items():
        perms = set(Group.objects.get(name=role.value).permissions.values_list("codename", flat=True))
        assert perms == {f"use_{m.value}" for m in modules} | {a.value for a in ROLE_ACTIONS[role]}, role


def test_actions_beyond_the_module_default_to_the_roles_that_own_them():
    """Publishing and overriding the floor guard: director and ops; raw segment exports: director and analyst."""
    holders = {a: {r for r, actions in ROLE_ACTIONS.items() if a in actions} for a in Action}
    assert holders[Action.PUBLISH_CAMPAIGN] == {Role.OPS_DIRECTOR, Role.OPS_SPECIALIST}
    assert holders[Action.OVERRIDE_FLOOR] == {Role.OPS_DIRECTOR, Role.OPS_SPECIALIST}
    assert holders[Action.EXPORT_CUSTOMER_IDS] == {Role.OPS_DIRECTOR, Role.ANALYST}


def test_sync_is_idempotent():
    role_groups_sync()
    role_groups_sync()
    assert Group.objects.filter(name=Role.ANALYST.value).count() == 1


def test_user_gets_one_role_and_its_modules():
    user = user_create(username="li", password="a-long-pass", role="ads_specialist")
    assert user_role(user) is Role.ADS_SPECIALIST
    assert user_role_label(user, "zh-hans") == "推广" and user_role_label(user, "en") == "Ads specialist"
    assert user_can_use(user, Module.ADS) and not user_can_use(user, Module.TEAM)
    user = user_create(username="li", password="a-long-pass", role="designer")  # role change replaces
    assert user_role(user) is Role.DESIGNER and not user_can_use(user, Module.ADS)


def test_demo_users_one_per_role_and_the_director_can_log_in(client):
    names = demo_users_create()
    assert len(names) == 8 and names[0] == "director"
    assert client.login(username="director", password="shopops-demo")


def test_createuser_command(capsys):
    from shopops.cli import main

    assert main(["createuser", "wang", "--role", "procurement", "--password", "a-long-pass"]) == 0
    assert "wang (procurement) ready" in capsys.readouterr().out
