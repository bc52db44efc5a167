"""Suppliers, what they supply and at what price, purchase orders and their receipts: what
the procurement team sets up and records (the app DB). Stock on hand is a warehouse fact
(``inventory_snapshots``); a receipt recorded here adds to it until the next snapshot.

Rules that must hold under concurrency are database constraints: a supplier code, a PO
number and a supplier's delivery-note number exist once; a PO line never receives more
than it ordered; quantities and prices are never negative.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MONEY = {"max_digits": 18, "decimal_places": 2}
UNIT_PRICE = {"max_digits": 18, "decimal_places": 4}  # suppliers quote to the fen and below


class Supplier(models.Model):
    code = models.CharField(_("Code"), max_length=32, unique=True)
    name = models.CharField(_("Name"), max_length=200)
    currency = models.CharField(_("Currency"), max_length=3, default="CNY")
    promised_lead_days = models.PositiveIntegerField(_("Promised lead time (days)"), default=14)
    payment_terms = models.CharField(_("Payment terms"), max_length=100, blank=True)
    notes = models.TextField(_("Notes"), blank=True)
    is_active = models.BooleanField(_("Active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(promised_lead_days__gte=1), name="supplier_lead_days_positive")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SupplierContact(models.Model):
    """A person to call at a supplier. Minimised personal data (PIPL): a name and a work phone
    or e-mail for ordering, nothing else (no ID numbers, no home addresses)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("Name"), max_length=60)
    role = models.CharField(_("Role"), max_length=60, blank=True)
    work_phone = models.CharField(_("Work phone"), max_length=32, blank=True)
    work_email = models.EmailField(_("Work e-mail"), blank=True)

    class Meta:
        ordering = ["id"]


class SupplierItem(models.Model):
    """Goods (one merchant code, 商家编码, the same in every store) a supplier sells us."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="items")
    merchant_code = models.CharField(_("Merchant code"), max_length=64, db_index=True)
    unit_price = models.DecimalField(_("Unit price"), **UNIT_PRICE)
    moq = models.PositiveIntegerField(_("MOQ"), default=1)
    case_pack = models.PositiveIntegerField(_("Case pack"), default=1)
    lead_days = models.PositiveIntegerField(_("Lead time (days)"), null=True, blank=True,
                                            help_text="when it differs from the supplier's promised lead time")
    is_preferred = models.BooleanField(_("Preferred"), default=True)

    class Meta:
        ordering = ["merchant_code"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "merchant_code"], name="supplier_item_unique"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="supplier_item_price_nonnegative"),
            models.CheckConstraint(condition=Q(moq__gte=1) & Q(case_pack__gte=1), name="supplier_item_moq_case_positive"),
        ]

    @property
    def effective_lead_days(self) -> int:
        return self.lead_days or self.supplier.promised_lead_days


class PriceBreak(models.Model):
    """From ``min_quantity`` units on, each unit costs ``unit_price`` (阶梯价)."""

    item = models.ForeignKey(SupplierItem, on_delete=models.CASCADE, related_name="price_breaks")
    min_quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**UNIT_PRICE)

    class Meta:
        ordering = ["min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["item", "min_quantity"], name="price_break_unique"),
            models.CheckConstraint(condition=Q(unit_price__gte=0) & Q(min_quantity__gte=1), name="price_break_valid"),
        ]


class PriceRecord(models.Model):
    """The supplier's list price of an item from a day on: the price history."""

    item = models.ForeignKey(SupplierItem, on_delete=models.CASCADE, related_name="price_records")
    unit_price = models.DecimalField(**UNIT_PRICE)
    valid_from = models.DateField()

    class Meta:
        ordering = ["valid_from", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "valid_from"], name="price_record_once_a_day")]


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", pgettext_lazy("purchase order status", "Sent")
        PARTLY_RECEIVED = "partly_received", _("Partly received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("PO number"), max_length=32, unique=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(max_length=3)
    ordered_on = models.DateField(_("Order date"), help_text="business date the PO was created (or sent)")
    expected_on = models.DateField(_("Expected delivery"))
    notes = models.TextField(_("Notes"), blank=True)
    # a replenishment submission's key: the same suggestion list submitted twice makes one PO
    source_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="received in full or cancelled")

    class Meta:
        ordering = ["-ordered_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(expected_on__gte=F("ordered_on")), name="po_expected_after_order")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.PARTLY_RECEIVED)


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField()
    store_id = models.CharField(_("Store"), max_length=64)
    sku_id = models.CharField(_("SKU"), max_length=64)
    merchant_code = models.CharField(_("Merchant code"), max_length=64)
    description = models.CharField(_("Description"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("Quantity"))
    unit_price = models.DecimalField(_("Unit price"), **UNIT_PRICE)
    expected_on = models.DateField(_("Expected delivery"))
    received_quantity = models.PositiveIntegerField(_("Received"), default=0)

    class Meta:
        ordering = ["purchase_order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "line_no"], name="po_line_no_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="po_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="po_line_price_nonnegative"),
            models.CheckConstraint(condition=Q(received_quantity__lte=F("quantity")), name="po_line_received_within_quantity"),
        ]
        indexes = [models.Index(fields=["store_id", "sku_id"], name="po_line_store_sku")]

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.received_quantity


class Receipt(models.Model):
    """A delivery from the supplier against a PO (partial or full), identified by the supplier's
    delivery-note number: recording the same note twice changes nothing."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    reference = models.CharField(_("Delivery note"), max_length=64)
    received_on = models.DateField(_("Received on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [models.UniqueConstraint(fields=["purchase_order", "reference"], name="receipt_reference_unique")]


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["receipt", "line"], name="receipt_line_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="receipt_line_quantity_positive"),
        ]
