"""Writes of the inventory app: suppliers, purchase orders and their receipts.

Every write checks the user's right to do it (the module ``team.use_inventory``; approving a
PO above the approval threshold is the ops director's) and validates everything before the
first row is written, inside one transaction: a rejected call leaves nothing half written.
Stock-changing writes are conditional UPDATEs checked by their row count, never
read-then-write, and a delivery note recorded twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shopops.core.errors import ShopopsError, ValidationError
from shopops.core.roles import Module, Role
from shopops.inventory.models import (
    PriceBreak, PriceRecord, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine, Supplier, SupplierContact,
    SupplierItem,
)
from shopops.ui.formatting import format_money

PERMISSION = f"team.use_{Module.INVENTORY.value}"
# a PO whose total (in its currency) is above this needs the ops director's approval before it is sent
DEFAULT_APPROVAL_THRESHOLD = Decimal("50000")


class InventoryPermissionError(ShopopsError):
    """The user may not do this (the view answers 403)."""


class PurchaseOrderStateError(ShopopsError):
    """The PO is not in a status that allows this."""


def approval_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "SHOPOPS_PO_APPROVAL_THRESHOLD", DEFAULT_APPROVAL_THRESHOLD)))


def _require(user, *, action: str) -> None:
    if user is None or not user.has_perm(PERMISSION):
        raise InventoryPermissionError(_("%(action)s: needs the inventory module (%(permission)s)")
                                     % {"action": _(action), "permission": PERMISSION})


def user_can_approve(user) -> bool:
    """The ops director (or a superuser) approves POs above the threshold."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.groups.filter(name=Role.OPS_DIRECTOR.value).exists()


def _decimal(value, *, where: str, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("%(where)s: %(field)s %(value)r is not a number")
                              % {"where": where, "field": _(field), "value": value}) from exc
    if not number.is_finite():
        raise ValidationError(_("%(where)s: %(field)s %(value)r is not a number")
                              % {"where": where, "field": _(field), "value": value})
    return number


def _count(value, *, where: str, field: str, minimum: int = 0) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("%(where)s: %(field)s %(value)r is not a whole number")
                              % {"where": where, "field": _(field), "value": value}) from exc
    if number < minimum:
        raise ValidationError(_("%(where)s: %(field)s %(number)s must be at least %(minimum)s")
                              % {"where": where, "field": _(field), "number": number, "minimum": minimum})
    return number


# ---------------------------------------------------------------------------- suppliers
def supplier_create(*, user, code: str, name: str, currency: str = "CNY", promised_lead_days: int = 14,
                    payment_terms: str = "", notes: str = "") -> Supplier:
    _require(user, action="create a supplier")
    code, name, currency = code.strip(), name.strip(), currency.strip().upper()
    if not code or not name:
        raise ValidationError(_("supplier: code and name are required"))
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError(_("supplier %(code)s: currency %(currency)r is not an ISO 4217 code (e.g. CNY)")
                              % {"code": code, "currency": currency})
    lead = _count(promised_lead_days, where=_("supplier %(code)s") % {"code": code}, field="promised lead time", minimum=1)
    if Supplier.objects.filter(code=code).exists():
        raise ValidationError(_("supplier %(code)s exists already") % {"code": code})
    return Supplier.objects.create(code=code, name=name, currency=currency, promised_lead_days=lead,
                                   payment_terms=payment_terms.strip(), notes=notes.strip())


def supplier_contact_add(*, user, supplier: Supplier, name: str, role: str = "", work_phone: str = "",
                         work_email: str = "") -> SupplierContact:
    """A person to order from: a name and a work phone or e-mail, nothing more (minimised personal data)."""
    _require(user, action="add a supplier contact")
    if not name.strip():
        raise ValidationError(_("supplier %(code)s: a contact needs a name") % {"code": supplier.code})
    if not work_phone.strip() and not work_email.strip():
        raise ValidationError(_("supplier %(code)s: contact %(name)s needs a work phone or e-mail")
                              % {"code": supplier.code, "name": name.strip()})
    return SupplierContact.objects.create(supplier=supplier, name=name.strip(), role=role.strip(),
                                          work_phone=work_phone.strip(), work_email=work_email.strip())


def supplier_item_set(*, user, supplier: Supplier, merchant_code: str, unit_price, moq: int = 1, case_pack: int = 1,
                      lead_days: int | None = None, price_breaks: Sequence[tuple[int, object]] = (),
                      valid_from: dt.date) -> SupplierItem:
    """Create or change what a supplier charges for one merchant code; a new price is recorded in
    the price history from ``valid_from``."""
    _require(user, action="set a supplier item")
    code = merchant_code.strip()
    where = _("supplier %(supplier)s, merchant code %(code)s") % {"supplier": supplier.code, "code": code or _("(empty)")}
    if not code:
        raise ValidationError(_("%(where)s: the merchant code is required") % {"where": where})
    price = _decimal(unit_price, where=where, field="unit price")
    if price < 0:
        raise ValidationError(_("%(where)s: unit price %(price)s is negative") % {"where": where, "price": price})
    moq = _count(moq, where=where, field="MOQ", minimum=1)
    case_pack = _count(case_pack, where=where, field="case pack", minimum=1)
    lead = None if lead_days in (None, "") else _count(lead_days, where=where, field="lead time", minimum=1)
    breaks = []
    for n, (qty, brk_price) in enumerate(price_breaks, start=1):
        at = _("%(where)s, price break %(n)s") % {"where": where, "n": n}
        q = _count(qty, where=at, field="minimum quantity", minimum=1)
        p = _decimal(brk_price, where=at, field="unit price")
        if p < 0:
            raise ValidationError(_("%(where)s: unit price %(price)s is negative") % {"where": at, "price": p})
        breaks.append((q, p))
    if len({q for q, _ in breaks}) != len(breaks):
        raise ValidationError(_("%(where)s: two price breaks start at the same quantity") % {"where": where})
    with transaction.atomic():
        item, created = SupplierItem.objects.select_for_update().get_or_create(
            supplier=supplier, merchant_code=code,
            defaults={"unit_price": price, "moq": moq, "case_pack": case_pack, "lead_days": lead})
        changed_price = created or item.unit_price != price
        if not created:
            SupplierItem.objects.filter(pk=item.pk).update(unit_price=price, moq=moq, case_pack=case_pack, lead_days=lead)
            item.refresh_from_db()
        item.price_breaks.all().delete()
        PriceBreak.objects.bulk_create([PriceBreak(item=item, min_quantity=q, unit_price=p) for q, p in breaks])
        if changed_price:
            PriceRecord.objects.update_or_create(item=item, valid_from=valid_from, defaults={"unit_price": price})
    return item


def unit_price_for(item: SupplierItem, quantity: int) -> Decimal:
    """The item's price for an order of ``quantity`` units: the highest price break reached, else the list price."""
    price = item.unit_price
    for brk in item.price_breaks.all():
        if quantity >= brk.min_quantity:
            price = min(price, brk.unit_price)
    return price


# ---------------------------------------------------------------------------- purchase orders
@dataclass(frozen=True, slots=True)
class LineIn:
    store_id: str
    sku_id: str
    merchant_code: str
    quantity: object
    unit_price: object = None  # None: the supplier's price for the quantity
    expected_on: dt.date | None = None
    description: str = ""


def _next_number(today: dt.date) -> str:
    prefix = f"PO{today:%Y%m%d}-"
    taken = PurchaseOrder.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


def _validate_lines(*, supplier: Supplier, lines: Sequence[LineIn], ordered_on: dt.date,
                    known_skus: Mapping[tuple[str, str], str] | None) -> list[dict]:
    if not lines:
        raise ValidationError(_("PO for %(supplier)s: no lines") % {"supplier": supplier.code})
    items = {i.merchant_code: i for i in supplier.items.prefetch_related("price_breaks")}
    out = []
    default_expected = ordered_on + dt.timedelta(days=supplier.promised_lead_days)
    for n, line in enumerate(lines, start=1):
        where = _("line %(n)s (store %(store)s, SKU %(sku)s)") % {"n": n, "store": line.store_id, "sku": line.sku_id}
        if not line.store_id or not line.sku_id:
            raise ValidationError(_("line %(n)s: store and SKU are required") % {"n": n})
        if known_skus is not None:
            if (line.store_id, line.sku_id) not in known_skus:
                raise ValidationError(_("%(where)s: unknown SKU — no such SKU in store %(store)s in the warehouse")
                                      % {"where": where, "store": line.store_id})
            code = known_skus[(line.store_id, line.sku_id)]
            if line.merchant_code and code and line.merchant_code != code:
                raise ValidationError(_("%(where)s: merchant code %(code)r does not match the SKU's %(sku_code)r")
                                      % {"where": where, "code": line.merchant_code, "sku_code": code})
        qty = _count(line.quantity, where=where, field="quantity", minimum=1)
        item = items.get(line.merchant_code)
        if item is None:
            raise ValidationError(_("%(where)s: supplier %(supplier)s does not supply merchant code %(code)r")
                                  % {"where": where, "supplier": supplier.code, "code": line.merchant_code})
        if qty < item.moq:
            raise ValidationError(_("%(where)s: quantity %(qty)s is below the supplier's MOQ %(moq)s")
                                  % {"where": where, "qty": qty, "moq": item.moq})
        if qty % item.case_pack:
            raise ValidationError(_("%(where)s: quantity %(qty)s is not a multiple of the case pack %(pack)s")
                                  % {"where": where, "qty": qty, "pack": item.case_pack})
        price = unit_price_for(item, qty) if line.unit_price in (None, "") else \
            _decimal(line.unit_price, where=where, field="unit price")
        if price < 0:
            raise ValidationError(_("%(where)s: unit price %(price)s is negative") % {"where": where, "price": price})
        expected = line.expected_on or ordered_on + dt.timedelta(days=item.effective_lead_days) or default_expected
        if expected < ordered_on:
            raise ValidationError(_("%(where)s: expected delivery %(expected)s is before the order date %(ordered)s")
                                  % {"where": where, "expected": expected, "ordered": ordered_on})
        out.append({"line_no": n, "store_id": line.store_id, "sku_id": line.sku_id, "merchant_code": line.merchant_code,
                    "description": line.description[:200], "quantity": qty, "unit_price": price, "expected_on": expected})
    return out


def purchase_order_create(*, user, supplier: Supplier, lines: Sequence[LineIn], ordered_on: dt.date, now: dt.datetime,
                          notes: str = "", source_key: str | None = None,
                          known_skus: Mapping[tuple[str, str], str] | None = None) -> PurchaseOrder:
    """A draft PO. ``known_skus`` ({(store, SKU): merchant code} of the warehouse) rejects unknown SKUs.
    With ``source_key`` the call is idempotent: a second call with the same key returns the first PO."""
    _require(user, action="create a purchase order")
    if source_key:
        existing = PurchaseOrder.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing
    rows = _validate_lines(supplier=supplier, lines=lines, ordered_on=ordered_on, known_skus=known_skus)
    expected = max(r["expected_on"] for r in rows)
    for attempt in range(5):
        try:
            with transaction.atomic():
                po = PurchaseOrder.objects.create(
                    number=_next_number(ordered_on), supplier=supplier, currency=supplier.currency, ordered_on=ordered_on,
                    expected_on=expected, notes=notes, source_key=source_key or None,
                    created_by=user if getattr(user, "is_authenticated", False) else None, created_at=now)
                PurchaseOrderLine.objects.bulk_create([PurchaseOrderLine(purchase_order=po, **r) for r in rows])
            return po
        except IntegrityError:
            if source_key:
                existing = PurchaseOrder.objects.filter(source_key=source_key).first()
                if existing is not None:  # a concurrent submission of the same list won
                    return existing
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def purchase_order_total(po: PurchaseOrder) -> Decimal:
    return sum((line.unit_price * line.quantity for line in po.lines.all()), Decimal("0")).quantize(Decimal("0.01"))


def needs_approval(po: PurchaseOrder) -> bool:
    """A draft above the threshold that the director has not approved yet (an order already sent needs nothing)."""
    return (po.status == PurchaseOrder.Status.DRAFT and po.approved_at is None
            and purchase_order_total(po) > approval_threshold())


def _transition(po: PurchaseOrder, *, allowed: Iterable[str], to: str, action: str, **fields) -> PurchaseOrder:
    """Move ``po`` to ``to`` only if it is still in one of ``allowed`` (one conditional UPDATE)."""
    done = PurchaseOrder.objects.filter(pk=po.pk, status__in=list(allowed)).update(status=to, **fields)
    po.refresh_from_db()
    if not done:
        raise PurchaseOrderStateError(_("%(po)s: cannot %(action)s a PO that is %(status)s")
                                      % {"po": po.number, "action": _(action), "status": str(po.get_status_display()).lower()})
    return po


def purchase_order_approve(*, user, po: PurchaseOrder, now: dt.datetime) -> PurchaseOrder:
    _require(user, action="approve a purchase order")
    if not user_can_approve(user):
        raise InventoryPermissionError(_("%(po)s: only the ops director approves purchase orders") % {"po": po.number})
    done = PurchaseOrder.objects.filter(pk=po.pk, status=PurchaseOrder.Status.DRAFT).update(approved_by=user, approved_at=now)
    po.refresh_from_db()
    if not done:
        raise PurchaseOrderStateError(_("%(po)s: only a draft can be approved (it is %(status)s)")
                                      % {"po": po.number, "status": str(po.get_status_display()).lower()})
    return po


def purchase_order_send(*, user, po: PurchaseOrder, now: dt.datetime) -> PurchaseOrder:
    """Draft -> sent. Above the approval threshold, the director must have approved it first."""
    _require(user, action="send a purchase order")
    if po.status == PurchaseOrder.Status.DRAFT and needs_approval(po):
        raise PurchaseOrderStateError(
            _("%(po)s: the total %(total)s is above the approval threshold %(threshold)s; the ops director "
              "must approve it before it is sent") % {"po": po.number, "total": format_money(purchase_order_total(po), po.currency),
                                                       "threshold": format_money(approval_threshold(), po.currency)})
    return _transition(po, allowed=[PurchaseOrder.Status.DRAFT], to=PurchaseOrder.Status.SENT, action="send", sent_at=now)


def purchase_order_cancel(*, user, po: PurchaseOrder, now: dt.datetime) -> PurchaseOrder:
    """Draft, sent or partly received -> cancelled (what was received stays received)."""
    _require(user, action="cancel a purchase order")
    S = PurchaseOrder.Status
    return _transition(po, allowed=[S.DRAFT, S.SENT, S.PARTLY_RECEIVED], to=S.CANCELLED, action="cancel", closed_at=now)


def purchase_order_receive(*, user, po: PurchaseOrder, reference: str, received_on: dt.date,
                           quantities: Mapping[int, object], now: dt.datetime) -> tuple[Receipt, bool]:
    """Record a delivery: ``quantities`` maps PO line numbers to units received (zero lines are skipped).

    Returns (receipt, created). The same delivery note recorded again with the same quantities
    returns the first receipt and changes nothing; with other quantities it is rejected."""
    _require(user, action="receive a purchase order")
    reference = reference.strip()
    if not reference:
        raise ValidationError(_("%(po)s: the delivery note number is required") % {"po": po.number})
    lines = {line.line_no: line for line in po.lines.all()}
    wanted: dict[int, int] = {}
    for line_no, raw in quantities.items():
        if raw in (None, ""):
            continue
        if int(line_no) not in lines:
            raise ValidationError(_("%(po)s, delivery note %(note)s: the PO has no line %(line)s")
                                  % {"po": po.number, "note": reference, "line": line_no})
        line = lines[int(line_no)]
        qty = _count(raw, where=_("%(po)s line %(line)s (SKU %(sku)s)") % {"po": po.number, "line": line_no, "sku": line.sku_id},
                     field="received quantity")
        if qty:
            wanted[int(line_no)] = qty
    existing = Receipt.objects.filter(purchase_order=po, reference=reference).first()
    if existing is not None:
        return _same_receipt(po, existing, wanted), False
    if not wanted:
        raise ValidationError(_("%(po)s, delivery note %(note)s: no quantities received") % {"po": po.number, "note": reference})
    if received_on < po.ordered_on:
        raise ValidationError(_("%(po)s: received on %(day)s, before the order date %(ordered)s")
                              % {"po": po.number, "day": received_on, "ordered": po.ordered_on})
    S = PurchaseOrder.Status
    try:
        with transaction.atomic():
            locked = PurchaseOrder.objects.select_for_update().get(pk=po.pk)
            if locked.status not in (S.SENT, S.PARTLY_RECEIVED):
                raise PurchaseOrderStateError(
                    _("%(po)s: cannot receive goods on a PO that is %(status)s")
                    % {"po": po.number, "status": str(locked.get_status_display()).lower()})
            receipt = Receipt.objects.create(purchase_order=po, reference=reference, received_on=received_on,
                                             created_by=user if getattr(user, "is_authenticated", False) else None,
                                             created_at=now)
            for line_no, qty in sorted(wanted.items()):
                line = lines[line_no]
                done = PurchaseOrderLine.objects.filter(
                    pk=line.pk, received_quantity__lte=F("quantity") - qty).update(received_quantity=F("received_quantity") + qty)
                if not done:
                    line.refresh_from_db()
                    raise ValidationError(
                        _("%(po)s line %(line)s (SKU %(sku)s): receiving %(qty)s would exceed the %(open)s units "
                          "still open of %(ordered)s ordered")
                        % {"po": po.number, "line": line_no, "sku": line.sku_id, "qty": qty,
                           "open": line.open_quantity, "ordered": line.quantity})
                ReceiptLine.objects.create(receipt=receipt, line=line, quantity=qty)
            fully = not locked.lines.filter(received_quantity__lt=F("quantity")).exists()
            PurchaseOrder.objects.filter(pk=po.pk).update(status=S.RECEIVED if fully else S.PARTLY_RECEIVED,
                                                          closed_at=now if fully else None)
    except IntegrityError:  # the same note recorded concurrently: that one won
        existing = Receipt.objects.filter(purchase_order=po, reference=reference).first()
        if existing is None:
            raise
        return _same_receipt(po, existing, wanted), False
    po.refresh_from_db()
    return receipt, True


def _same_receipt(po: PurchaseOrder, receipt: Receipt, wanted: dict[int, int]) -> Receipt:
    recorded = {rl.line.line_no: rl.quantity for rl in receipt.lines.select_related("line")}
    if wanted and recorded != wanted:
        raise ValidationError(
            _("%(po)s: delivery note %(note)s was recorded on %(day)s with other quantities (%(lines)s)")
            % {"po": po.number, "note": receipt.reference, "day": receipt.received_on,
               "lines": ", ".join(_("line %(line)s: %(qty)s") % {"line": k, "qty": v} for k, v in sorted(recorded.items()))})
    return receipt


# ---------------------------------------------------------------------------- replenishment
@dataclass(frozen=True, slots=True)
class SuggestionIn:
    supplier_id: int
    store_id: str
    sku_id: str
    merchant_code: str
    quantity: object
    description: str = ""


def replenishment_submit(*, user, suggestions: Sequence[SuggestionIn], key: str, ordered_on: dt.date,
                         now: dt.datetime, known_skus: Mapping[tuple[str, str], str] | None = None
                         ) -> list[PurchaseOrder]:
    """Turn the (edited) suggested purchase list into one draft PO per supplier, all or none.

    ``key`` identifies the submitted list (the page's form token): submitting it again returns
    the POs made the first time instead of new ones. Lines with quantity 0 are dropped."""
    _require(user, action="create purchase orders")
    if not key or len(key) > 40:
        raise ValidationError(_("replenishment: the submission key is missing"))
    by_supplier: dict[int, list[LineIn]] = {}
    for n, s in enumerate(suggestions, start=1):
        qty = _count(s.quantity, where=_("row %(n)s (store %(store)s, SKU %(sku)s)") % {"n": n, "store": s.store_id, "sku": s.sku_id},
                     field="quantity")
        if qty:
            by_supplier.setdefault(int(s.supplier_id), []).append(
                LineIn(store_id=s.store_id, sku_id=s.sku_id, merchant_code=s.merchant_code, quantity=qty,
                       description=s.description))
    if not by_supplier:
        raise ValidationError(_("replenishment: every quantity is 0; nothing to order"))
    suppliers = Supplier.objects.in_bulk(list(by_supplier))
    missing = sorted(set(by_supplier) - set(suppliers))
    if missing:
        raise ValidationError(_("replenishment: unknown supplier id %(id)s") % {"id": missing[0]})
    with transaction.atomic():
        return [purchase_order_create(user=user, supplier=suppliers[sid], lines=lines, ordered_on=ordered_on, now=now,
                                      source_key=f"{key}:{sid}", known_skus=known_skus,
                                      notes="replenishment")
                for sid, lines in sorted(by_supplier.items())]
