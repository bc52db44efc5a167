"""The replenishment page one supplier at a time: the picker's line counts and money are those of the
lines each supplier's page shows (read back from the HTML, summed here), every suggestion of the
store is on exactly one supplier's page, only the ticked lines become PO lines, and the cached plan
follows the app DB at once (a draft PO just created counts as on order on the next render)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from shopops.core.roles import Role
from shopops.inventory import selectors, services
from shopops.inventory.models import PurchaseOrder
from shopops.team.services import role_groups_sync, user_create
from tests.inventory import app_shop

pytestmark = pytest.mark.django_db
LEAD_DAYS = 60  # a long lead time: most SKUs of the small shop fall below their reorder point



@pytest.fixture
def buyer(db):
    role_groups_sync()
    return user_create(username="buyer", password="a-long-test-password", role=Role.PROCUREMENT)


@pytest.fixture
def suppliers(warehouse, buyer):
    """SUP-B supplies every code (60 days' lead time); then SUP-A (the lower id: preferred) takes over all but one of the
    codes store s1 needs, so that both suppliers have suggestions there."""
    app_shop.build(warehouse)
    a = services.supplier_create(user=buyer, code="SUP-A", name="供应商A")
    b = services.supplier_create(user=buyer, code="SUP-B", name="供应商B")
    for item in app_shop.CODES:
        services.supplier_item_set(user=buyer, supplier=b, merchant_code=item, unit_price="10.50", moq=1,
                                   case_pack=1, lead_days=LEAD_DAYS, valid_from=app_shop.DAY)
    _, groups = selectors.replenishment_suggestions(store_id="s1")
    needed = sorted({line["merchant_code"] for g in groups for line in g["lines"]})
    assert len(needed) >= 3, needed
    for item in needed[:-1]:
        services.supplier_item_set(user=buyer, supplier=a, merchant_code=item, unit_price="10.50", moq=1,
                                   case_pack=1, lead_days=LEAD_DAYS, valid_from=app_shop.DAY)
    split = {"SUP-A": set(needed[:-1]), "SUP-B": set(app_shop.CODES) - set(needed[:-1])}
    return {"SUP-A": a, "SUP-B": b, "split": split}


ROW = re.compile(r'<tr data-suggestion="([^"]+)">.*?name="qty\|([^"]+)" value="(\d+)"', re.S)


def _page(client, store: str, supplier_id=None) -> tuple[str, list[tuple[str, str, int]]]:
    url = f"/inventory/replenishment/?store={store}" + (f"&supplier={supplier_id}" if supplier_id else "")
    r = client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    return html, [(m[0], m[1], int(m[2])) for m in ROW.findall(html)]


def test_one_supplier_a_page_and_the_picker_counts_what_each_page_shows(client, buyer, suppliers):
    client.force_login(buyer)
    _, groups = selectors.replenishment_suggestions(store_id="s1")
    assert len(groups) == 2, "the fixture is meant to need goods from both suppliers"
    html, first_rows = _page(client, "s1")
    picker = re.findall(r'data-supplier="(\d+)">\s*<strong>([^<]+)</strong>[^<]*<span class="muted">(\d+) [^·]+· ¥(\d{1,3}(?:,\d{3})*\.\d\d)</span>',
                        html)
    assert {code for _, code, _, _ in picker} == {"SUP-A", "SUP-B"}
    seen: set[str] = set()
    for supplier_id, code, count, total in picker:
        page, rows = _page(client, "s1", supplier_id)
        assert f'data-supplier-group="{code}"' in page and page.count("data-supplier-group=") == 1
        # every line of the page is this supplier's goods, at 10.50 a unit (set above)
        assert all(key.split("|")[0] == supplier_id and key.split("|")[3] in suppliers["split"][code] for _, key, _ in rows)
        assert int(count) == len(rows)
        assert Decimal(total.replace(",", "")) == sum(Decimal("10.50") * q for _, _, q in rows)
        assert not seen & {r for r, _, _ in rows}
        seen |= {r for r, _, _ in rows}
    assert first_rows == _page(client, "s1", picker[0][0])[1]  # the first supplier is the default
    assert seen == {f"{line['store_id']}|{line['sku_id']}" for g in groups for line in g["lines"]}


def test_only_ticked_lines_are_ordered_and_the_next_render_counts_them(client, buyer, suppliers):
    client.force_login(buyer)
    supplier = suppliers["SUP-A"]
    html, rows = _page(client, "s1", supplier.pk)
    assert len(rows) >= 2, "the fixture is meant to suggest two lines or more from SUP-A"
    token = re.search(r'name="token" value="([0-9a-f]+)"', html)[1]
    (row1, key1, qty1), (_, key2, _) = rows[0], rows[1]
    # the second line is unticked: its checkbox is not posted, its quantity is
    r = client.post("/inventory/replenishment/", {"token": token, "store": "s1", "supplier": supplier.pk,
                                                  "row": [key1], f"qty|{key1}": qty1, f"qty|{key2}": 7})
    assert r.status_code == 302
    po = PurchaseOrder.objects.get(supplier=supplier)
    assert [(line.sku_id, line.quantity) for line in po.lines.all()] == [(row1.split("|")[1], qty1)]
    _, after = _page(client, "s1", supplier.pk)
    after_keys = {k for _, k, _ in after}
    assert key2 in after_keys  # not ordered: still suggested
    on_order = re.search(rf'<tr data-suggestion="{re.escape(row1)}">.*?data-col="on_order" data-value="(\d+)"',
                         _page(client, "s1", supplier.pk)[0], re.S)
    # the draft PO counts as on order at once (not a plan cached from before it): either the line is no
    # longer suggested or it shows the ordered units on order
    assert key1 not in after_keys or int(on_order[1]) >= qty1


def test_a_bad_row_goes_back_to_the_supplier_it_came_from(client, buyer, suppliers):
    client.force_login(buyer)
    supplier = suppliers["SUP-B"]
    r = client.post("/inventory/replenishment/", {"token": "t1", "store": "s2", "supplier": supplier.pk,
                                                  "row": ["not-a-row"]})
    assert r.status_code == 302 and r["Location"] == f"/inventory/replenishment/?store=s2&supplier={supplier.pk}"
    assert not PurchaseOrder.objects.exists()


def test_the_cached_plan_follows_a_supplier_price_change(buyer, suppliers):
    _, before = selectors.replenishment_suggestions(store_id="s1")
    code = before[0]["lines"][0]["merchant_code"]
    supplier = suppliers[before[0]["code"]]
    services.supplier_item_set(user=buyer, supplier=supplier, merchant_code=code, unit_price="12.25", moq=1,
                               case_pack=1, lead_days=LEAD_DAYS, valid_from=app_shop.DAY)
    _, after = selectors.replenishment_suggestions(store_id="s1")
    prices = {line["merchant_code"]: line["unit_price"] for g in after for line in g["lines"]}
    assert prices[code] == Decimal("12.25")


def test_a_budget_fits_the_plan_and_says_what_it_leaves_out(client, buyer, suppliers):
    """Every line costs 10.50 a unit: with a budget of a third of the plan, what is ordered (summed from the
    pages) stays within it, and the lines left out are exactly those of the free plan not ordered now."""
    client.force_login(buyer)
    _, free = selectors.replenishment_suggestions(store_id="s1")
    free_total = sum(line["amount"] for g in free for line in g["lines"])
    free_keys = {f"{line['store_id']}|{line['sku_id']}" for g in free for line in g["lines"]}
    budget = (free_total / 3).quantize(Decimal("0.01"))
    r = client.get(f"/inventory/replenishment/?store=s1&budget={budget}")
    assert r.status_code == 200
    html = r.content.decode()
    pickers = re.findall(r'data-supplier="(\d+)"', html)
    ordered: dict[str, int] = {}
    for supplier_id in dict.fromkeys(pickers):
        page = client.get(f"/inventory/replenishment/?store=s1&budget={budget}&supplier={supplier_id}").content.decode()
        assert f"budget={budget}" in page  # the picker keeps the limit
        ordered |= {row: int(q) for row, _, q in ROW.findall(page)}
    spent = sum(Decimal("10.50") * q for q in ordered.values())
    assert 0 < spent <= budget
    left = int(re.search(r'data-left-out="(\d+)"', html)[1])
    assert left == len(free_keys - set(ordered)) > 0
    # bad input: a precise message, nothing planned
    bad = client.get("/inventory/replenishment/?store=s1&budget=5万")
    assert bad.status_code == 400 and "5万" in bad.content.decode() and "data-suggestion=" not in bad.content.decode()
    assert client.get("/inventory/replenishment/?store=s1&capacity=-3").status_code == 400


def test_the_limits_are_a_form_naming_each_wrong_value_with_what_was_expected(client, buyer, suppliers):
    """Both wrong limits are named at once, each under its field's label, with the value typed and what was
    expected; nothing is planned. A budget written as money (¥, thousands separators) is a budget."""
    client.force_login(buyer)
    r = client.get("/inventory/replenishment/?store=s1&budget=5万&capacity=1.5")
    html = r.content.decode()
    assert r.status_code == 400 and "data-suggestion=" not in html
    errors = re.search(r"data-form-errors>(.*?)</div>", html, re.S)[1]
    assert "预算: &#x27;5万&#x27; 不是金额" in errors and "仓容（件）: &#x27;1.5&#x27; 不是件数" in errors
    assert 'value="5万"' in html and 'value="1.5"' in html  # what was typed stays in the boxes
    r = client.get("/inventory/replenishment/?store=s1&capacity=99999999999")
    assert r.status_code == 400 and "&#x27;99999999999&#x27; 超过上限 1,000,000,000 件" in r.content.decode()
    assert client.get("/inventory/replenishment/?store=s1&budget=-3").status_code == 400
    _, free = selectors.replenishment_suggestions(store_id="s1")
    total = sum(line["amount"] for g in free for line in g["lines"])
    budget = (total / 2).quantize(Decimal("1"))
    plain = client.get(f"/inventory/replenishment/?store=s1&budget={budget}")
    money = client.get(f"/inventory/replenishment/?store=s1&budget=¥{budget:,}")
    assert plain.status_code == money.status_code == 200
    assert re.search(r'data-left-out="(\d+)"', plain.content.decode())[1] == \
        re.search(r'data-left-out="(\d+)"', money.content.decode())[1]
