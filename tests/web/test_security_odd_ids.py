"""Odd and hostile ids on every page that links products or customers, and in every export
of them (issue 14): no 500 (a ``/`` in a product id made /products/ a NoReverseMatch), every
link opens the right page, HTML is escaped, raw buyer ids never reach the page or its URLs,
and no exported cell is a formula.
"""

from __future__ import annotations

import html as html_lib
import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import resolve, reverse

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from support.pages import workbook
from tests.web.odd_ids_shop import FORMULAS, ODD_IDS, XSS, amount, load_odd_shop
from tests.web.test_analysis_views import PERIOD

PASSWORD = "a-long-test-password"


@pytest.fixture
def as_role(client, warehouse, db):
    load_odd_shop(warehouse)
    role_groups_sync()

    def login(role: Role = Role.OPS_DIRECTOR):
        client.force_login(user_create(username=role.value, password=PASSWORD, role=role))
        return client

    return login


def _links(html: str, prefix: str) -> list[str]:
    return [html_lib.unescape(h) for h in re.findall(rf'href="({re.escape(prefix)}[^"]*)"', html)]


def _assert_no_formulas(book: openpyxl.Workbook) -> int:
    """No cell of any sheet is a formula; the number of text cells that look like one."""
    quoted = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    quoted += 1
    return quoted


@pytest.mark.parametrize("odd", ODD_IDS)
def test_product_urls_round_trip_any_id(odd):
    url = reverse("web:product", args=("tmall", odd))
    assert resolve(unquote(url)).kwargs == {"store": "tmall", "product_id": odd}
    # one path segment that a browser keeps as it is (no "/", no dot segment)
    segment = url.removeprefix("/products/tmall/").removesuffix("/")
    assert "/" not in segment and unquote(segment) not in (".", "..")


@pytest.mark.django_db
def test_products_page_links_every_odd_product_and_each_opens(as_role):
    client = as_role()
    r = client.get(reverse("web:products"), PERIOD)
    assert r.status_code == 200
    page = r.content.decode()
    assert XSS not in page and html_lib.escape(XSS) in page  # escaped text, never markup
    links = _links(page, "/products/tmall/")
    assert len(links) >= len(ODD_IDS)
    opened = set()
    for link in links:
        product = client.get(link)
        assert product.status_code == 200, link
        opened.add(product.context["product_id"])
    assert set(ODD_IDS) <= opened
    for i, odd in enumerate(ODD_IDS):  # each page is the right product: its own GMV
        product = client.get(reverse("web:product", args=("tmall", odd)), PERIOD)
        assert re.search(rf'data-kpi="item_gmv" data-value="{amount(i)}"', product.content.decode()), odd


@pytest.mark.django_db
def test_product_exports_hold_odd_ids_as_text_never_formulas(as_role):
    client = as_role()
    sheet = workbook(client.get(reverse("web:products"), {**PERIOD, "format": "xlsx"}))
    ids = {c.value for c in sheet["A"][1:]}
    assert set(ODD_IDS) <= ids  # exactly as they are: no prefix in the value
    assert _assert_no_formulas(sheet.parent) >= len(FORMULAS)
    daily = client.get(reverse("web:product", args=("tmall", FORMULAS[0])), {**PERIOD, "format": "xlsx"})
    _assert_no_formulas(workbook(daily).parent)


@pytest.mark.django_db
def test_customer_list_links_open_by_opaque_key_for_any_buyer_id(as_role):
    client = as_role()
    r = client.get(reverse("customers:list"), {"as_of": "2025-11-11"})
    assert r.status_code == 200
    page = r.content.decode()
    assert XSS not in page
    links = [link for link in _links(page, "/customers/") if not link.startswith(("/customers/list", "/customers/rfm",
                                                                                  "/customers/lifecycle", "/customers/clv",
                                                                                  "/customers/segments",
                                                                                  "/customers/outreach"))]
    links = [link for link in links if link.rstrip("/").count("/") >= 2 and link != "/customers/"]
    gmv_seen = set()
    for link in links:
        path = link.split("?")[0]
        key = path.strip("/").split("/", 1)[1]
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", key), link  # opaque: no buyer id in the URL
        customer = client.get(link)
        assert customer.status_code == 200, link
        text = customer.content.decode()
        for odd in ODD_IDS:
            assert f">{html_lib.escape(odd)}<" not in text  # the raw id is never shown
        gmv_seen.update(re.findall(r'data-tile="gmv"[^>]*>.*?data-value="([^"]+)"', text, re.S))
    assert {str(amount(i)) for i in range(len(ODD_IDS))} <= gmv_seen
    for odd in ODD_IDS:
        assert f"/{odd}/" not in page
    assert client.get("/customers/not-a-key-at-all-xxxxxxxx/").status_code == 404
    assert client.get("/customers/tmall/c1/").status_code == 404  # the old raw-id URL opens nothing


@pytest.mark.django_db
def test_customer_exports_are_formula_safe(as_role):
    client = as_role()
    r = client.get(reverse("customers:list"), {"as_of": "2025-11-11", "format": "xlsx"})
    _assert_no_formulas(workbook(r).parent)


def _segment(as_of: str = "2025-11-11"):
    import datetime as dt

    from shopops.audience import services

    segment = services.segment_save(name="全部", rules={"op": "and", "rules": [
        {"field": "orders", "operator": "gte", "value": 1}]})
    return segment, lambda: services.segment_refresh(segment=segment, as_of=dt.date.fromisoformat(as_of))


@pytest.mark.django_db
def test_a_buyer_id_too_long_for_segment_members_is_a_clear_error(as_role):
    """The app DB keeps member ids up to 128 characters: the refresh says so instead of a database error."""
    from shopops.core.errors import ValidationError
    from shopops.audience.models import SegmentMember

    client = as_role(Role.ANALYST)
    segment, refresh = _segment()
    with pytest.raises(ValidationError, match="longer than 128 characters"):
        refresh()
    assert not SegmentMember.objects.filter(segment=segment).exists()
    r = client.post(f"/customers/segments/{segment.pk}/refresh/", {"as_of": "2025-11-11"}, follow=True)
    assert r.status_code == 200 and "longer than 128 characters" in r.content.decode()


@pytest.mark.django_db
def test_segment_exports_as_csv_and_xlsx_are_formula_safe(client, warehouse):
    import csv

    fitting = [i for i in ODD_IDS if len(i) <= 128]
    load_odd_shop(warehouse, fitting)
    role_groups_sync()
    client.force_login(user_create(username="analyst", password=PASSWORD, role=Role.ANALYST))
    segment, refresh = _segment()
    refresh()
    csv_r = client.get(f"/customers/segments/{segment.pk}/export/?form=ids&format=csv")
    assert csv_r.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_r.content.decode("utf-8-sig"))))
    ids = {row[1] for row in rows[1:]}
    for odd in FORMULAS:
        assert "'" + odd in ids and odd not in ids  # OWASP: a leading ' makes it text
    assert "a/b" in ids and XSS in ids  # other ids as they are
    xlsx_r = client.get(f"/customers/segments/{segment.pk}/export/?form=ids&format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx_r.content))
    assert _assert_no_formulas(book) == len(FORMULAS)
    assert set(FORMULAS) <= {row[1] for row in book.active.iter_rows(min_row=2, values_only=True)}
