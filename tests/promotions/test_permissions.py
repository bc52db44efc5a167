"""Publishing and overriding the floor-price guard are acts of their own (issue 14).

Designer and copywriter use the promotions module but may not publish a campaign, nor
override the floor guard with any reason; director and ops may. Every refusal is a clear
403 and an audit row; the campaign stays a draft. The floor check runs inside the publishing
transaction with the promotions locked: an edit that commits while a publish waits is seen.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, connections, transaction
from django.utils import timezone

from shopops.core.roles import Role
from shopops.promotions import services
from shopops.promotions.models import AuditLog, Campaign, Promotion
from shopops.team.services import role_groups_sync, user_create

PASSWORD = "a-long-test-password"


def _campaign(*, rate: str = "0.8", with_filler: bool = True) -> Campaign:
    """TEE list 100, cost 60 -> floor 63. 8折 + 每满300减50 (with 凑单 filler) -> 66.67 > 63: no violation;
    at 7折 70 -> 58.33 < 63: a violation. Alone, 8折 gives 80 (no violation)."""
    d = services.promotion_create(name="折扣", kind="item_discount", parameters={"rate": rate}, stackable=True)
    promos = [d]
    if with_filler:
        promos.append(services.promotion_create(name="每满300减50", kind="every_reduction",
                                                parameters={"threshold": "300", "amount": "50"}, stackable=True))
    services.floor_price_set(sku="TEE", list_price=Decimal("100"), cost=Decimal("60"))
    now = timezone.now()
    return services.campaign_create(name="双11", starts_at=now - dt.timedelta(hours=1),
                                    ends_at=now + dt.timedelta(days=1), promotions=promos)


@pytest.fixture
def login(client):
    role_groups_sync()

    def as_role(role: Role):
        user = user_create(username=role.value, password=PASSWORD, role=role)
        client.force_login(user)
        return user

    return as_role


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DESIGNER, Role.COPYWRITER])
def test_designer_and_copywriter_cannot_publish_even_with_a_reason(client, login, role):
    user = login(role)
    campaign = _campaign(rate="0.7")
    page = client.get(f"/promotions/campaigns/{campaign.pk}/")
    assert page.status_code == 200
    assert b"publish-form" not in page.content and b"data-publish-not-allowed" in page.content
    r = client.post(f"/promotions/campaigns/{campaign.pk}/publish/", {"override_reason": "老板说可以"})
    assert r.status_code == 403
    assert "team.publish_campaign" in r.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT
    log = AuditLog.objects.get(campaign=campaign)
    assert (log.action, log.user) == ("campaign_publish_denied", user)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OPS_DIRECTOR, Role.OPS_SPECIALIST])
def test_director_and_ops_publish_over_the_floor_with_a_reason(client, login, role):
    user = login(role)
    campaign = _campaign(rate="0.7")
    assert b"override_reason" in client.get(f"/promotions/campaigns/{campaign.pk}/").content
    assert client.post(f"/promotions/campaigns/{campaign.pk}/publish/", {"override_reason": ""}).status_code == 400
    r = client.post(f"/promotions/campaigns/{campaign.pk}/publish/", {"override_reason": "引流款, 总监批准"})
    assert r.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.PUBLISHED
    log = AuditLog.objects.get(campaign=campaign)
    assert (log.action, log.user, log.reason) == ("campaign_publish_override", user, "引流款, 总监批准")


@pytest.mark.django_db
def test_publish_without_the_override_permission_refuses_only_a_broken_floor(client, django_user_model):
    user = django_user_model.objects.create_user("pub", password=PASSWORD)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["use_promotions", "publish_campaign"]))
    client.force_login(user)
    broken = _campaign(rate="0.7")
    page = client.get(f"/promotions/campaigns/{broken.pk}/")
    assert b"publish-form" in page.content and b"override_reason" not in page.content
    r = client.post(f"/promotions/campaigns/{broken.pk}/publish/", {"override_reason": "我觉得可以"})
    assert r.status_code == 403 and "team.override_floor_price" in r.content.decode()
    assert Campaign.objects.get(pk=broken.pk).status == Campaign.Status.DRAFT
    denied = AuditLog.objects.get(campaign=broken)
    assert denied.action == "campaign_publish_override_denied" and denied.detail["violations"][0]["sku"] == "TEE"

    fine = _campaign(rate="0.8")
    assert client.post(f"/promotions/campaigns/{fine.pk}/publish/", {}).status_code == 302
    assert Campaign.objects.get(pk=fine.pk).status == Campaign.Status.PUBLISHED
    assert AuditLog.objects.get(campaign=fine).action == "campaign_publish"


@pytest.mark.django_db
def test_the_service_checks_the_permission_itself(django_user_model):
    """Not only the page: any caller of the service (API, CLI) is refused the same way."""
    nobody = django_user_model.objects.create_user("nobody", password=PASSWORD)
    campaign = _campaign()
    with pytest.raises(services.PublishNotAllowedError):
        services.campaign_publish(campaign=campaign, user=nobody, now=timezone.now())
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT


@pytest.mark.django_db(transaction=True)
def test_an_edit_committed_while_publish_waits_is_seen_by_the_floor_check(django_user_model):
    """PostgreSQL: a transaction holds the discount row and lowers it to 7折 (breaking the floor).
    A publish started meanwhile must wait for it and then refuse; before the fix it checked the
    old 8折 outside its transaction and published a campaign that sells below the floor."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (make test re-runs app-DB tests on it); "
                    f"the app DB here is {connection.vendor}")
    role_groups_sync()
    director = user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    campaign = _campaign(rate="0.8")
    discount = campaign.promotions.get(kind="item_discount")
    locked, release = threading.Event(), threading.Event()

    def editor() -> None:
        try:
            with transaction.atomic():
                row = Promotion.objects.select_for_update().get(pk=discount.pk)
                row.parameters = {"rate": "0.7"}
                row.save()
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    outcome: dict = {}

    def publisher() -> None:
        try:
            services.campaign_publish(campaign=campaign, user=director, now=timezone.now())
            outcome["published"] = True
        except services.FloorViolationError as exc:
            outcome["violations"] = [v.sku for v in exc.violations]
        finally:
            connections.close_all()

    t_edit = threading.Thread(target=editor)
    t_edit.start()
    assert locked.wait(10)
    t_pub = threading.Thread(target=publisher)
    t_pub.start()
    t_pub.join(0.5)
    still_waiting = t_pub.is_alive()  # blocked on the promotion row lock
    release.set()
    t_edit.join(10)
    t_pub.join(10)
    assert still_waiting
    assert outcome == {"violations": ["TEE"]}
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT
