"""Pages of the web app: access, navigation, the cockpit's numbers, bad input, assets.

Expected numbers are counted by hand from the tiny store below, never read back from
the metrics layer.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from shopops.core.roles import ROLE_MODULES, Module, Role
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse import connection
from shopops.warehouse.loader import load
from shopops.web.navigation import NAVIGATION
from shopops.web.templatetags.shopops_format import format_change, format_value

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-test-password"
UTC = dt.UTC


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
class _Collect(HTMLParser):
    """Every start tag as (tag, attrs) plus the text inside elements that carry data-kpi."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[list[str]] = []
        self._open: list[int | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attrs))
        self.texts.append([])
        self._open.append(len(self.elements) - 1)

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for index in self._open:
            self.texts[index].append(data)


def parse(html: str) -> _Collect:
    parser = _Collect()
    parser.feed(html)
    return parser


def tile_values(html: str) -> dict[str, tuple[str, str]]:
    """{kpi id: (data-value, shown text)} of the cockpit tiles."""
    parser = parse(html)
    out = {}
    for i, (_tag, attrs) in enumerate(parser.elements):
        if "tile-value" in attrs.get("class", "").split() and "data-kpi" in attrs:
            out[attrs["data-kpi"]] = (attrs["data-value"], "".join(parser.texts[i]).strip())
    return out


def tile_changes(html: str) -> dict[str, tuple[str, str]]:
    """{kpi id: (css class of the change, shown change text)}."""
    parser = parse(html)
    out, current = {}, None
    for i, (_tag, attrs) in enumerate(parser.elements):
        if "data-tile" in attrs:
            current = attrs["data-tile"]
        classes = attrs.get("class", "").split()
        if "change" in classes and current:
            css = next(c for c in classes if c.startswith("change-"))
            text = "".join(parser.texts[i]).split("(")[0].strip()
            out[current] = (css, text)
    return out


def nav_modules(html: str) -> set[str]:
    return {attrs["data-module"] for _tag, attrs in parse(html).elements if "data-module" in attrs}


@pytest.fixture
def role_groups(db):
    # The team app creates the groups after migrate; syncing again is idempotent.
    role_groups_sync()


@pytest.fixture
def login(client, role_groups):
    def _login(role: Role | None = Role.OPS_DIRECTOR, username: str = "") -> object:
        username = username or (role.value if role else "norole")
        if role is None:
            user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        else:
            user = user_create(username=username, password=PASSWORD, role=role)
        client.force_login(user)
        return user

    return _login


def _ts(day: str, hour: int = 4) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


def load_tiny_store(con) -> None:
    """Two CNY own-site stores (events); the period 2025-11-10..11 and the one before it (2025-11-08..09).

    current period, all stores: paid orders t1 100.00 (c1), t2 250.50 (c2), j1 49.50 (c9)
      GMV 400.00, paid orders 3, paying buyers 3, AOV 400.00 / 3 = 133.33
      refund of t2 50.50 (success) -> refund rate 50.50 / 400.00 = 12.625% -> 12.63%
      visitors v1..v4 (v1 on both days) -> 4; conversion 3 / 4 = 75.00%
      ad spend (tmall) 20.00 with attributed GMV 64.00 -> ROAS 3.20
    previous period: t4 200.00 (c1) -> GMV +100.00%; 2 visitors; no ad spend
    not paid: t3 (pending_payment) 999.00
    """
    load(
        con,
        "stores",
        pa.Table.from_pylist(
            [
                # own-site stores (platform own): their visitors are their events (issue 19 item 1)
                {"store_id": "tmall", "platform": "own", "name": "天猫旗舰店", "currency": "CNY", "time_zone": "Asia/Shanghai"},
                {"store_id": "jd", "platform": "own", "name": "京东旗舰店", "currency": "CNY", "time_zone": "Asia/Shanghai"},
            ]
        ),
    )

    def order(store, oid, customer, paid_day, amount, status="paid"):
        return {
            "store_id": store,
            "order_id": oid,
            "customer_id": customer,
            "status": status,
            "created_at": _ts(paid_day or "2025-11-10"),
            "paid_at": _ts(paid_day) if paid_day else None,
            "paid_date": dt.date.fromisoformat(paid_day) if paid_day else None,
            "paid_amount": Decimal(amount),
        }

    load(
        con,
        "orders",
        pa.Table.from_pylist(
            [
                order("tmall", "t1", "c1", "2025-11-10", "100.00"),
                order("tmall", "t2", "c2", "2025-11-11", "250.50"),
                order("tmall", "t3", "c3", None, "999.00", status="pending_payment"),
                order("tmall", "t4", "c1", "2025-11-09", "200.00"),
                order("jd", "j1", "c9", "2025-11-11", "49.50"),
            ]
        ),
    )
    load(
        con,
        "refunds",
        pa.Table.from_pylist(
            [{"store_id": "tmall", "refund_id": "r1", "order_id": "t2", "amount": Decimal("50.50"), "status": "success"}]
        ),
    )

    def event(store, eid, visitor, day):
        return {
            "store_id": store,
            "event_id": eid,
            "visitor_id": visitor,
            "event_type": "page_view",
            "occurred_at": _ts(day),
            "event_date": dt.date.fromisoformat(day),
        }

    load(
        con,
        "events",
        pa.Table.from_pylist(
            [
                event("tmall", "e1", "v1", "2025-11-10"),
                event("tmall", "e2", "v2", "2025-11-10"),
                event("tmall", "e3", "v1", "2025-11-11"),
                event("jd", "e4", "v3", "2025-11-11"),
                event("jd", "e5", "v4", "2025-11-11"),
                event("tmall", "e6", "v1", "2025-11-09"),
                event("tmall", "e7", "v5", "2025-11-08"),
            ]
        ),
    )
    load(
        con,
        "ad_spend_daily",
        pa.Table.from_pylist(
            [
                {
                    "store_id": "tmall",
                    "date": dt.date(2025, 11, 10),
                    "ad_tool": "ztc",
                    "plan_id": "p1",
                    "cost": Decimal("20.00"),
                    "attributed_gmv": Decimal("64.00"),
                }
            ]
        ),
    )


@pytest.fixture
def tiny_store(warehouse):
    load_tiny_store(warehouse)
    return warehouse


CUSTOM = {"period": "custom", "start": "2025-11-10", "end": "2025-11-11"}


# ---------------------------------------------------------------------------
# access
# ---------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/m/ads/"])
def test_pages_redirect_anonymous_users_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={path}"


@pytest.mark.django_db
def test_a_user_without_the_cockpit_permission_gets_403(client, login, warehouse):
    login(role=None)
    response = client.get(reverse("web:cockpit"))
    assert response.status_code == 403


@pytest.mark.django_db
def test_login_page_renders_and_logs_in(client, role_groups, warehouse):
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    response = client.post(reverse("login"), {"username": "director", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:cockpit")


@pytest.mark.django_db
def test_demo_hint_shows_only_when_the_demo_is_set_up_and_demo_mode_or_debug_is_on(client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.DEBUG = False
    settings.SHOPOPS_DEMO_MODE = True
    assert "data-demo-hint" not in client.get(reverse("login")).content.decode()  # no demo here
    (tmp_path / "demo_ready").touch()
    html = client.get(reverse("login")).content.decode()
    assert "data-demo-hint" in html
    assert "<code>director</code> / <code>shopops-demo</code>" in html
    settings.SHOPOPS_DEMO_MODE = False  # a production server that once ran the demo
    assert "data-demo-hint" not in client.get(reverse("login")).content.decode()
    settings.DEBUG = True
    assert "data-demo-hint" in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_logout_and_language_switch_are_post_forms(client, login, warehouse):
    login()
    html = client.get(reverse("web:cockpit")).content.decode()
    forms = [attrs for tag, attrs in parse(html).elements if tag == "form"]
    assert {"action": reverse("logout"), "method": "post"}.items() <= next(
        f for f in forms if f.get("action") == reverse("logout")
    ).items()
    assert any(f.get("action") == reverse("set_language") and f.get("method") == "post" for f in forms)


# ---------------------------------------------------------------------------
# navigation and modules not built yet
# ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_nav_lists_every_module_once():
    assert [entry.module for entry in NAVIGATION] == list(Module)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_nav_shows_exactly_the_modules_of_the_role(client, login, warehouse, role):
    login(role)
    html = client.get(reverse("web:cockpit")).content.decode()
    assert nav_modules(html) == {m.value for m in ROLE_MODULES[role]}


@pytest.mark.django_db
def test_designer_sees_no_ads_entry_and_cannot_open_it(client, login, warehouse):
    login(Role.DESIGNER)
    html = client.get(reverse("web:cockpit")).content.decode()
    assert "ads" not in nav_modules(html)
    assert {"cockpit", "products", "promotions"} <= nav_modules(html)
    assert client.get(reverse("web:module", kwargs={"module": "ads"})).status_code == 403


@pytest.mark.django_db
def test_module_not_built_page_says_so(client, login, team_not_built):
    login()
    response = client.get(reverse("web:module", kwargs={"module": "team"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-not-built="team"' in html
    assert "此模块尚未建成" in html  # the default UI language is Chinese
    assert "将管理用户和角色" in html  # the one sentence of what Team will do
    assert "data-kpi" not in html  # no numbers on a page that has none


@pytest.mark.django_db
def test_a_built_module_redirects_to_its_page(client, login):
    login()
    response = client.get(reverse("web:module", kwargs={"module": "inventory"}))
    assert response.status_code == 302 and response["Location"] == reverse("inventory:stock")


@pytest.mark.django_db
def test_unknown_module_is_404(client, login):
    login()
    assert client.get("/m/no-such-module/").status_code == 404


@pytest.mark.django_db
def test_built_module_url_redirects_to_its_page(client, login):
    login()
    response = client.get(reverse("web:module", kwargs={"module": "cockpit"}))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:cockpit")


# ---------------------------------------------------------------------------
# the cockpit
# ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_cockpit_with_an_empty_warehouse_shows_the_empty_state(client, login, warehouse):
    login()
    response = client.get(reverse("web:cockpit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "shopops setup-demo" in html
    assert "empty-state" in html
    assert tile_values(html) == {}


@pytest.mark.django_db
def test_cockpit_with_a_warehouse_without_tables_shows_the_empty_state(client, login, tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPOPS_WAREHOUSE_URL", f"duckdb:///{tmp_path / 'nothing.duckdb'}")
    login()
    try:
        response = client.get(reverse("web:cockpit"))
    finally:
        connection.disconnect_all()
    assert response.status_code == 200
    assert "shopops setup-demo" in response.content.decode()


@pytest.mark.django_db
def test_cockpit_tiles_show_the_hand_counted_numbers(client, login, tiny_store):
    login()
    response = client.get(reverse("web:cockpit"), CUSTOM)
    assert response.status_code == 200
    values = tile_values(response.content.decode())
    assert values["gmv"] == ("400.00", "¥400.00")
    assert values["paid_orders"] == ("3", "3")
    assert values["paying_buyers"] == ("3", "3")
    assert values["visitors"] == ("4", "4")
    assert Decimal(values["conversion_rate"][0]) == Decimal("0.75")
    assert values["conversion_rate"][1] == "75.00%"
    assert values["aov"] == ("133.33", "¥133.33")
    assert values["refund_rate"][1] == "12.63%"
    assert values["ad_spend"] == ("20.00", "¥20.00")
    assert values["roas"][1] == "3.20"


@pytest.mark.django_db
def test_cockpit_changes_have_arrow_and_good_or_bad_colour(client, login, tiny_store):
    login()
    changes = tile_changes(client.get(reverse("web:cockpit"), CUSTOM).content.decode())
    assert changes["gmv"] == ("change-good", "▲ 100.00%")  # 400.00 vs 200.00
    assert changes["paid_orders"] == ("change-good", "▲ 200.00%")  # 3 vs 1
    assert changes["visitors"] == ("change-good", "▲ 100.00%")  # 4 vs 2 (v1, v5)
    assert changes["ad_spend"] == ("change-flat", "—")  # nothing to compare with


@pytest.mark.django_db
def test_cockpit_shows_period_previous_period_and_data_as_of(client, login, tiny_store):
    login()
    html = client.get(reverse("web:cockpit"), CUSTOM).content.decode()
    assert "2025-11-10 – 2025-11-11" in html
    assert "2025-11-08 – 2025-11-09" in html
    assert 'data-as-of="2025-11-11"' in html
    assert "数据截至" in html


@pytest.mark.django_db
def test_cockpit_preset_ends_on_the_last_day_with_data(client, login, tiny_store):
    login()
    html = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    assert 'data-period-start="2025-11-11"' in html
    assert tile_values(html)["gmv"] == ("300.00", "¥300.00")  # t2 250.50 + j1 49.50


@pytest.mark.django_db
def test_cockpit_store_filter(client, login, tiny_store):
    login()
    html = client.get(reverse("web:cockpit"), {**CUSTOM, "store": ["tmall"]}).content.decode()
    assert tile_values(html)["gmv"] == ("350.50", "¥350.50")
    assert tile_values(html)["paid_orders"] == ("2", "2")
    assert re.search(r'value="tmall"\s+checked', html)


@pytest.mark.django_db
def test_cockpit_tiles_carry_the_kpi_definition(client, login, tiny_store):
    login()
    html = client.get(reverse("web:cockpit"), CUSTOM).content.decode()
    parser = parse(html)
    definition = "统计期内付款订单的实付金额之和(扣除所有优惠,不含运费,未扣退款)。"
    labels = [a for t, a in parser.elements if a.get("id") == "label-gmv"]
    assert labels and labels[0]["title"] == definition  # on hover
    # behind the ⓘ toggle, with a link to the KPI's entry in the catalog
    assert f'<p id="def-gmv" class="kpi-def-text">{definition} <span class="def-source">来源: 订单</span> <a href="/kpis/#kpi-gmv">指标说明 →</a></p>' in html
    value = next(a for t, a in parser.elements if a.get("data-kpi") == "gmv" and "tile-value" in a.get("class", ""))
    assert value["aria-describedby"] == "def-gmv"


@pytest.mark.django_db
def test_cockpit_trend_chart_data_and_table(client, login, tiny_store):
    login()
    html = client.get(reverse("web:cockpit"), CUSTOM).content.decode()
    match = re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "chart data is passed with json_script"
    data = json.loads(match.group(1))
    assert data["dates"] == ["2025-11-10", "2025-11-11"]
    series = {s["kpi"]: s for s in data["series"]}
    assert series["gmv"]["data"] == ["100.00", "300.00"]  # Decimals travel as strings
    assert series["paid_orders"]["data"] == [1, 2]
    assert series["visitors"]["data"] == [2, 3]
    assert series["gmv"]["axis"] == 0 and series["paid_orders"]["axis"] != 0
    # the table view holds the same numbers
    trend = html[html.index('id="trend-table"'):]
    cells = [(a["data-kpi"], a["data-value"]) for t, a in parse(trend).elements if t == "td"]
    assert cells == [
        ("gmv", "100.00"), ("paid_orders", "1"), ("visitors", "2"),
        ("gmv", "300.00"), ("paid_orders", "2"), ("visitors", "3"),
    ]
    assert "vendor/echarts.min.js" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, message",
    [
        ({"period": "custom", "start": "2025-11-10", "end": "2025-11-01"}, "结束日期 2025-11-01 早于开始日期 2025-11-10"),
        ({"period": "custom", "start": "2025-11-10"}, "自定义周期需要同时填写开始日期和结束日期"),
        ({"period": "custom", "start": "2025-13-01", "end": "2025-13-02"}, "请按 YYYY-MM-DD 格式输入日期"),
        ({"period": "custom", "start": "2020-01-01", "end": "2025-01-01"}, "自定义周期最长 366 天"),
        ({"period": "fortnight"}, "未知的统计周期 fortnight"),
        ({"period": "last7", "store": "nowhere"}, "未知的店铺 nowhere"),
    ],
)
def test_bad_filters_show_an_error_not_a_500(client, login, tiny_store, params, message):
    login()
    response = client.get(reverse("web:cockpit"), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="alert alert-error"' in html
    assert message in html
    assert tile_values(html) == {}
    assert 'name="period"' in html  # the filters stay there to fix the input


@pytest.mark.django_db
def test_stores_in_different_currencies_are_flagged(client, login, tiny_store):
    load(tiny_store, "stores", pa.Table.from_pylist(
        [{"store_id": "jd", "platform": "jd", "name": "京东旗舰店", "currency": "HKD", "time_zone": "Asia/Shanghai"}]
    ))
    login()
    html = client.get(reverse("web:cockpit"), CUSTOM).content.decode()
    assert "CNY, HKD" in html
    assert tile_values(html)["gmv"] == ("400.00", "400.00")  # no symbol on a sum of two currencies
    single = client.get(reverse("web:cockpit"), {**CUSTOM, "store": "jd"}).content.decode()
    assert tile_values(single)["gmv"] == ("49.50", "HK$49.50")
    assert "CNY, HKD" not in single


@pytest.mark.django_db
def test_an_unavailable_warehouse_is_a_message_not_a_500(client, login, monkeypatch):
    from shopops.core.errors import ConfigurationError
    from shopops.ui import pages

    def locked():
        raise ConfigurationError("the warehouse is open in another shopops process")

    monkeypatch.setattr(pages, "store_list", locked)
    login()
    response = client.get(reverse("web:cockpit"))
    assert response.status_code == 503
    assert "the warehouse is open in another shopops process" in response.content.decode()


# ---------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, unit, currency, shown",
    [
        (Decimal("1234567.89"), "money", "CNY", "¥1,234,567.89"),
        (Decimal("0.00"), "money", "CNY", "¥0.00"),
        (Decimal("-12.50"), "money", "CNY", "-¥12.50"),
        (Decimal("99.90"), "money", "USD", "US$99.90"),
        (Decimal("5.00"), "money", "", "5.00"),
        (0.0321, "percent", "CNY", "3.21%"),
        (0.12625, "percent", "CNY", "12.63%"),
        (3.2, "ratio", "CNY", "3.20"),
        (12345, "count", "CNY", "12,345"),
        (None, "money", "CNY", "—"),
        (None, "percent", "CNY", "—"),
    ],
)
def test_format_value(value, unit, currency, shown):
    assert format_value(value, unit, currency) == shown


@pytest.mark.parametrize(
    "change, shown",
    [(0.1234, "▲ 12.34%"), (-0.031, "▼ 3.10%"), (0.0, "0.00%"), (None, "—"), (12.5, "▲ 1,250.00%")],
)
def test_format_change(change, shown):
    assert format_change(change) == shown


# ---------------------------------------------------------------------------
# vendored front-end assets
# ---------------------------------------------------------------------------
def _vendor_module():
    spec = importlib.util.spec_from_file_location("vendor_assets", REPO_ROOT / "scripts" / "vendor_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vendor_assets_fails_clearly_without_node_modules(tmp_path):
    vendor_assets = _vendor_module()
    with pytest.raises(SystemExit) as excinfo:
        vendor_assets.vendor(node_modules=tmp_path / "node_modules", target=tmp_path / "vendor")
    assert "npm ci" in str(excinfo.value)
    assert not (tmp_path / "vendor").exists()


def test_vendor_assets_copies_the_pinned_files(tmp_path):
    vendor_assets = _vendor_module()
    node_modules = tmp_path / "node_modules"
    for src, _name in vendor_assets.ASSETS:
        (node_modules / src).parent.mkdir(parents=True, exist_ok=True)
        (node_modules / src).write_text(f"// {src}")
    copied = vendor_assets.vendor(node_modules=node_modules, target=tmp_path / "vendor")
    assert sorted(p.name for p in copied) == ["echarts.LICENSE.txt", "echarts.min.js", "htmx.LICENSE.txt", "htmx.min.js"]
    assert (tmp_path / "vendor" / "echarts.min.js").read_text() == "// echarts/dist/echarts.min.js"


def test_package_json_pins_exact_versions():
    package = json.loads((REPO_ROOT / "package.json").read_text())
    deps = package["dependencies"]
    assert set(deps) == {"echarts", "htmx.org"}
    for version in deps.values():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"not an exact pin: {version}"
    assert deps["htmx.org"].startswith("2.")
    assert deps["echarts"].split(".")[0] in {"5", "6"}


# ---------------------------------------------------------------------------
# in a real browser
# ---------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_cockpit_in_the_browser(browser_page, live_server, tiny_store, artifacts_dir):
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "director")
    page.fill("#id_password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/?period=custom&start=2025-11-10&end=2025-11-11")

    assert page.locator('.tile-value[data-kpi="gmv"]').inner_text() == "¥400.00"
    # the chart draws from the vendored ECharts (make assets); without it the table shows instead
    page.wait_for_selector("#trend-chart canvas", timeout=10_000)
    assert page.locator("#trend-table").is_hidden()
    page.click('button[data-view="table"]')
    assert page.locator("#trend-table").is_visible()
    assert page.locator("#trend-chart").is_hidden()
    # the ⓘ toggle opens the definition
    page.click('[data-tile="gmv"] .kpi-def summary')
    assert "实付金额" in page.locator("#def-gmv").inner_text()
    page.screenshot(path=str(artifacts_dir / "web-cockpit.png"), full_page=True)
    assert errors == []
