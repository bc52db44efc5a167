"""Suppliers, purchase orders and receipts: the status flow, partial and duplicate deliveries,
who may do what, and bad input with precise messages and nothing half written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shopops.core.errors import ValidationError
from shopops.core.roles import Role
from shopops.inventory import services
from shopops.inventory.models import PriceRecord, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine
from shopops.team.services import role_groups_sync, user_create

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
TODAY = dt.date(2026, 11, 30)
KNOWN = {("tmall", "SKU-1"): "M-1", ("tmall", "SKU-2"): "M-2", ("jd", "SKU-9"): "M-1"}


@pytest.fixture(autouse=True)
def _english():
    """The services' messages are translated (zh-Hans is the default language): these tests read the English
    ones; ``test_service_messages_in_chinese`` reads the Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def users(db):
    role_groups_sync()
    return {role: user_create(username=role.value, password=PASSWORD, role=role) for role in
            (Role.PROCUREMENT, Role.OPS_DIRECTOR, Role.DESIGNER)}


@pytest.fixture
def buyer(users):
    return users[Role.PROCUREMENT]


@pytest.fixture
def supplier(buyer):
    s = services.supplier_create(user=buyer, code="SUP-A", name="杭州甲供应商", promised_lead_days=10)
    services.supplier_item_set(user=buyer, supplier=s, merchant_code="M-1", unit_price="12.50", moq=50, case_pack=10,
                               price_breaks=[(200, "11.80")], valid_from=TODAY - dt.timedelta(days=30))
    services.supplier_item_set(user=buyer, supplier=s, merchant_code="M-2", unit_price="30", moq=20, case_pack=5,
                               valid_from=TODAY - dt.timedelta(days=30))
    return s


def _po(buyer, supplier, *lines, **kw):
    return services.purchase_order_create(user=buyer, supplier=supplier, ordered_on=TODAY, now=timezone.now(),
                                          lines=list(lines), known_skus=KNOWN, **kw)


def test_status_flow_with_partial_deliveries(buyer, supplier):
    now = timezone.now()
    po = _po(buyer, supplier, services.LineIn("tmall", "SKU-1", "M-1", 200), services.LineIn("tmall", "SKU-2", "M-2", 20))
    assert po.status == PurchaseOrder.Status.DRAFT
    line1, line2 = po.lines.all()
    assert line1.unit_price == Decimal("11.80")  # the price break at 200
    assert line2.unit_price == Decimal("30")
    assert line1.expected_on == TODAY + dt.timedelta(days=10)
    assert services.purchase_order_total(po) == Decimal("2960.00")  # 200 x 11.80 + 20 x 30, by hand
    with pytest.raises(services.PurchaseOrderStateError, match="cannot receive goods on a PO that is draft"):
        services.purchase_order_receive(user=buyer, po=po, reference="DN1", received_on=TODAY, quantities={1: 10}, now=now)
    services.purchase_order_send(user=buyer, po=po, now=now)
    receipt, created = services.purchase_order_receive(user=buyer, po=po, reference="DN1", received_on=TODAY,
                                                       quantities={1: 120, 2: ""}, now=now)
    assert created and po.status == PurchaseOrder.Status.PARTLY_RECEIVED
    assert [line.received_quantity for line in po.lines.all()] == [120, 0]
    services.purchase_order_receive(user=buyer, po=po, reference="DN2", received_on=TODAY, quantities={1: 80, 2: 20},
                                    now=now)
    po.refresh_from_db()
    assert po.status == PurchaseOrder.Status.RECEIVED and po.closed_at is not None
    with pytest.raises(services.PurchaseOrderStateError, match="cannot cancel a PO that is received"):
        services.purchase_order_cancel(user=buyer, po=po, now=now)


def test_the_same_delivery_note_twice_changes_nothing(buyer, supplier):
    now = timezone.now()
    po = _po(buyer, supplier, services.LineIn("tmall", "SKU-1", "M-1", 100))
    services.purchase_order_send(user=buyer, po=po, now=now)
    first, created = services.purchase_order_receive(user=buyer, po=po, reference="DN-7", received_on=TODAY,
                                                     quantities={1: 40}, now=now)
    again, created_again = services.purchase_order_receive(user=buyer, po=po, reference="DN-7", received_on=TODAY,
                                                           quantities={1: 40}, now=now)
    assert created and not created_again and again.pk == first.pk
    assert PurchaseOrderLine.objects.get().received_quantity == 40
    assert ReceiptLine.objects.count() == 1
    with pytest.raises(ValidationError, match="DN-7 was recorded on .* with other quantities \\(line 1: 40\\)"):
        services.purchase_order_receive(user=buyer, po=po, reference="DN-7", received_on=TODAY, quantities={1: 45}, now=now)
    assert PurchaseOrderLine.objects.get().received_quantity == 40


def test_an_over_receipt_writes_nothing(buyer, supplier):
    now = timezone.now()
    po = _po(buyer, supplier, services.LineIn("tmall", "SKU-1", "M-1", 50), services.LineIn("tmall", "SKU-2", "M-2", 20))
    services.purchase_order_send(user=buyer, po=po, now=now)
    with pytest.raises(ValidationError, match=r"line 2 \(SKU SKU-2\): receiving 25 would exceed the 20 units still open"):
        services.purchase_order_receive(user=buyer, po=po, reference="DN1", received_on=TODAY,
                                        quantities={1: 50, 2: 25}, now=now)
    assert Receipt.objects.count() == 0 and ReceiptLine.objects.count() == 0
    assert [line.received_quantity for line in po.lines.all()] == [0, 0]
    po.refresh_from_db()
    assert po.status == PurchaseOrder.Status.SENT


@pytest.mark.parametrize("line, message", [
    (services.LineIn("tmall", "NOPE", "M-1", 50), "line 1 (store tmall, SKU NOPE): unknown SKU"),
    (services.LineIn("tmall", "SKU-1", "M-1", 30), "quantity 30 is below the supplier's MOQ 50"),
    (services.LineIn("tmall", "SKU-1", "M-1", 55), "quantity 55 is not a multiple of the case pack 10"),
    (services.LineIn("tmall", "SKU-1", "M-1", "-5"), "quantity -5 must be at least 1"),
    (services.LineIn("tmall", "SKU-1", "M-1", "ten"), "quantity 'ten' is not a whole number"),
    (services.LineIn("tmall", "SKU-1", "M-1", 50, unit_price="abc"), "unit price 'abc' is not a number"),
    (services.LineIn("tmall", "SKU-1", "M-2", 50), "merchant code 'M-2' does not match the SKU's 'M-1'"),
])
def test_bad_lines_are_named_and_nothing_is_written(buyer, supplier, line, message):
    good = services.LineIn("tmall", "SKU-2", "M-2", 20)
    with pytest.raises(ValidationError) as exc:
        _po(buyer, supplier, line, good)
    assert message in str(exc.value)
    assert PurchaseOrder.objects.count() == 0 and PurchaseOrderLine.objects.count() == 0


def test_negative_or_unknown_receipt_quantities(buyer, supplier):
    now = timezone.now()
    po = _po(buyer, supplier, services.LineIn("tmall", "SKU-1", "M-1", 50))
    services.purchase_order_send(user=buyer, po=po, now=now)
    with pytest.raises(ValidationError, match="received quantity -3 must be at least 0"):
        services.purchase_order_receive(user=buyer, po=po, reference="X", received_on=TODAY, quantities={1: -3}, now=now)
    with pytest.raises(ValidationError, match="the PO has no line 7"):
        services.purchase_order_receive(user=buyer, po=po, reference="X", received_on=TODAY, quantities={7: 3}, now=now)
    with pytest.raises(ValidationError, match="before the order date"):
        services.purchase_order_receive(user=buyer, po=po, reference="X", received_on=TODAY - dt.timedelta(days=1),
                                        quantities={1: 3}, now=now)
    assert Receipt.objects.count() == 0


def test_approval_above_the_threshold(users, supplier, settings):
    settings.SHOPOPS_PO_APPROVAL_THRESHOLD = "1000"
    buyer, director = users[Role.PROCUREMENT], users[Role.OPS_DIRECTOR]
    now = timezone.now()
    small = _po(buyer, supplier, services.LineIn("tmall", "SKU-2", "M-2", 20))  # 600
    services.purchase_order_send(user=buyer, po=small, now=now)
    big = _po(buyer, supplier, services.LineIn("tmall", "SKU-1", "M-1", 200))  # 2360
    with pytest.raises(services.PurchaseOrderStateError, match="above the approval threshold ¥1,000.00"):
        services.purchase_order_send(user=buyer, po=big, now=now)
    with pytest.raises(services.InventoryPermissionError, match="only the ops director approves"):
        services.purchase_order_approve(user=buyer, po=big, now=now)
    services.purchase_order_approve(user=director, po=big, now=now)
    services.purchase_order_send(user=buyer, po=big, now=now)
    assert big.status == PurchaseOrder.Status.SENT and big.approved_by == director


def test_a_role_without_inventory_may_do_nothing(users, supplier):
    designer = users[Role.DESIGNER]
    with pytest.raises(services.InventoryPermissionError):
        services.supplier_create(user=designer, code="X", name="X")
    with pytest.raises(services.InventoryPermissionError):
        _po(designer, supplier, services.LineIn("tmall", "SKU-2", "M-2", 20))
    assert PurchaseOrder.objects.count() == 0


def test_replenishment_submitted_twice_makes_one_po_per_supplier(buyer, supplier):
    other = services.supplier_create(user=buyer, code="SUP-B", name="乙")
    services.supplier_item_set(user=buyer, supplier=other, merchant_code="M-1", unit_price="12", valid_from=TODAY)
    rows = [services.SuggestionIn(supplier.pk, "tmall", "SKU-1", "M-1", 50),
            services.SuggestionIn(supplier.pk, "tmall", "SKU-2", "M-2", 0),
            services.SuggestionIn(other.pk, "jd", "SKU-9", "M-1", 7)]
    now = timezone.now()
    first = services.replenishment_submit(user=buyer, suggestions=rows, key="abc", ordered_on=TODAY, now=now,
                                          known_skus=KNOWN)
    second = services.replenishment_submit(user=buyer, suggestions=rows, key="abc", ordered_on=TODAY, now=now,
                                           known_skus=KNOWN)
    assert [p.pk for p in first] == [p.pk for p in second]
    assert PurchaseOrder.objects.count() == 2
    assert sorted(PurchaseOrderLine.objects.values_list("sku_id", "quantity")) == [("SKU-1", 50), ("SKU-9", 7)]
    # a bad row rejects the whole list: no PO for the good supplier either
    with pytest.raises(ValidationError, match="quantity 30 is below the supplier's MOQ 50"):
        services.replenishment_submit(user=buyer, key="def", ordered_on=TODAY, now=now, known_skus=KNOWN, suggestions=[
            services.SuggestionIn(other.pk, "jd", "SKU-9", "M-1", 5),
            services.SuggestionIn(supplier.pk, "tmall", "SKU-1", "M-1", 30)])
    assert PurchaseOrder.objects.count() == 2


def test_price_history_records_changes_only(buyer, supplier):
    services.supplier_item_set(user=buyer, supplier=supplier, merchant_code="M-1", unit_price="12.50", moq=50,
                               case_pack=10, valid_from=TODAY - dt.timedelta(days=5))  # same price: no record
    services.supplier_item_set(user=buyer, supplier=supplier, merchant_code="M-1", unit_price="13.10", moq=50,
                               case_pack=10, valid_from=TODAY)
    prices = list(PriceRecord.objects.filter(item__merchant_code="M-1").values_list("valid_from", "unit_price"))
    assert prices == [(TODAY - dt.timedelta(days=30), Decimal("12.5000")), (TODAY, Decimal("13.1000"))]


def test_contacts_keep_minimal_personal_data(buyer, supplier):
    with pytest.raises(ValidationError, match="needs a work phone or e-mail"):
        services.supplier_contact_add(user=buyer, supplier=supplier, name="王经理")
    contact = services.supplier_contact_add(user=buyer, supplier=supplier, name="王经理", work_phone="0571-1234")
    assert {f.name for f in contact._meta.fields} == {"id", "supplier", "name", "role", "work_phone", "work_email"}


def test_service_messages_in_chinese(buyer, supplier):
    """In the zh UI (the default language) a service's refusal is Chinese, with its values: the same delivery
    note recorded again with other quantities, a quantity below the MOQ, a PO in the wrong status."""
    from django.utils import translation

    now = timezone.now()
    with translation.override("zh-hans"):
        po = services.purchase_order_create(user=buyer, supplier=supplier, ordered_on=TODAY, now=now, known_skus=KNOWN,
                                            lines=[services.LineIn("tmall", "SKU-1", "M-1", 50)])
        with pytest.raises(services.PurchaseOrderStateError) as exc:
            services.purchase_order_receive(user=buyer, po=po, reference="DN-1", received_on=TODAY, quantities={1: 10},
                                            now=now)
        assert str(exc.value) == f"{po.number}：采购单状态为「草稿」，不能收货"
        services.purchase_order_send(user=buyer, po=po, now=now)
        services.purchase_order_receive(user=buyer, po=po, reference="DN-1", received_on=TODAY, quantities={1: 10}, now=now)
        with pytest.raises(ValidationError) as exc:
            services.purchase_order_receive(user=buyer, po=po, reference="DN-1", received_on=TODAY, quantities={1: 20},
                                            now=now)
        assert str(exc.value) == f"{po.number}：送货单 DN-1 已于 {TODAY} 登记，数量不同（第 1 行：10）"
        with pytest.raises(ValidationError) as exc:
            services.purchase_order_create(user=buyer, supplier=supplier, ordered_on=TODAY, now=now, known_skus=KNOWN,
                                           lines=[services.LineIn("tmall", "SKU-1", "M-1", 30)])
        assert str(exc.value) == "第 1 行（店铺 tmall，SKU SKU-1）：数量 30 低于供应商的起订量 50"
    assert ReceiptLine.objects.get().quantity == 10  # the second note wrote nothing
