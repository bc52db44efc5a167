"""Weekly and monthly reports on a demo store built here: the numbers equal an independent
pandas reading of the demo's export files; the XLSX holds the same numbers; the PDF has the
Chinese section titles; the CLI and the web page generate and show reports.

The oracle reads the CSV files as an analyst would in Excel (Chinese headers, local times
as written, statuses as labelled) and shares no code with shopops.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from django.urls import reverse

from shopops.core.roles import Role

END = dt.date(2025, 11, 30)  # a Sunday: W48 (11-24..30) and November are complete
DAYS = 38  # from 2025-10-24: the end of October is there, as a previous month
UNPAID = {"等待买家付款", "交易关闭"}
SECTION_TITLES_ZH = ("核心指标概览", "店铺表现", "商品排行", "流量与转化", "推广投放", "客户", "显著变化")
PASSWORD = "a-long-test-password"


# ---------------------------------------------------------------------------
# the demo store, once for the module
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_root(_duckdb_warehouse_template, tmp_path_factory, django_db_setup, django_db_blocker):
    from django.conf import settings

    from shopops.demo.services import demo_build
    from shopops.ingest.models import ImportJob
    from shopops.warehouse import connection

    path = tmp_path_factory.mktemp("reports-warehouse") / "warehouse.duckdb"
    shutil.copyfile(_duckdb_warehouse_template, path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHOPOPS_WAREHOUSE_URL", f"duckdb:///{path}")
        with django_db_blocker.unblock():
            before = ImportJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            demo_build(days=DAYS, scale="small", seed=5, end_date=END)
            ImportJob.objects.filter(pk__gt=before).delete()  # the facts stay; the job rows would leak
        connection.disconnect_all()
        yield next(p for p in (Path(settings.VAR_DIR) / "demo").iterdir() if p.name.endswith(f"seed5-{END}"))
        connection.disconnect_all()


# ---------------------------------------------------------------------------
# the oracle
# ---------------------------------------------------------------------------
@functools.cache
def read(root: Path, profile: str) -> pd.DataFrame:
    frames = []
    for path in sorted(root.glob(f"*/{profile}*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["店铺"] = path.parent.name
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def money(series) -> Decimal:
    return sum((Decimal(v) for v in series if v != ""), Decimal("0"))


def oracle(root: Path, start: dt.date, end: dt.date, stores=None, refunds_known_by: dt.date | None = None) -> dict:
    """The KPIs of start..end; with ``refunds_known_by`` only refunds completed (else asked for) by that day count."""
    def in_period(dates: pd.Series) -> pd.Series:
        return (dates >= start.isoformat()) & (dates <= end.isoformat())

    def scoped(frame):
        return frame[frame["店铺"].isin(stores)] if stores else frame

    orders = scoped(read(root, "shopops_orders"))
    all_paid = orders[(orders["付款时间"] != "") & ~orders["订单状态"].isin(UNPAID)].copy()
    all_paid["day"] = all_paid["付款时间"].str[:10]
    paid = all_paid[in_period(all_paid["day"])]
    gmv = money(paid["实付金额"])
    buyers = paid[["店铺", "买家ID"]].drop_duplicates()
    first = all_paid.groupby(["店铺", "买家ID"])["day"].min().reset_index()
    new = first[in_period(first["day"])]
    orders_per_buyer = paid.groupby(["店铺", "买家ID"]).size()
    refunds = scoped(read(root, "shopops_refunds"))
    refunds = refunds[refunds["退款状态"] == "退款成功"].merge(paid[["店铺", "订单编号"]], on=["店铺", "订单编号"])
    if refunds_known_by is not None:
        day = refunds["退款完成时间"].where(refunds["退款完成时间"] != "", refunds["申请时间"]).str[:10]
        refunds = refunds[day <= refunds_known_by.isoformat()]
    lines = scoped(read(root, "shopops_order_lines")).merge(paid[["店铺", "订单编号"]], on=["店铺", "订单编号"])
    # visitors in each store's own 口径 (issue 19): the own mini-program's distinct event visitors, the
    # platform stores' own daily reports (访客数 summed over the days: visitor-days)
    platforms = pd.read_csv(root / "stores.csv", dtype=str).set_index("店铺ID")["平台"].to_dict()
    scope = set(stores) if stores else set(platforms)
    own = {s for s in scope if platforms[s] == "own"}
    events = scoped(read(root, "shopops_events"))
    events = events[in_period(events["发生时间"].str[:10]) & events["店铺"].isin(own)]
    event_visitors = len(events[["店铺", "访客ID"]].drop_duplicates())
    shop = scoped(read(root, "shopops_shop_traffic_daily"))
    shop = shop[in_period(shop["日期"])]
    report_visitors, report_buyers = int(shop["访客数"].astype(int).sum()), int(shop["支付买家数"].astype(int).sum())
    visitors = event_visitors + report_visitors
    if not own:  # platform stores only: the platform's figures (its paying buyers over its visitors)
        visitor_kpis = {"report_visitors": report_visitors, "report_conversion_rate": report_buyers / report_visitors}
    elif own == scope:
        visitor_kpis = {"visitors": event_visitors, "conversion_rate": len(buyers) / event_visitors}
    else:  # both kinds: each store's own added up; conversion = the orders' paying buyers over those visitors
        visitor_kpis = {"channel_visitors": visitors, "channel_conversion_rate": len(buyers) / visitors}
    ads = scoped(read(root, "shopops_ad_spend_daily"))
    ads = ads[in_period(ads["日期"])]
    spend, ad_gmv = money(ads["花费"]), money(ads["成交金额"])
    refunded = money(refunds["退款金额"])
    return {
        "gmv": gmv,
        "net_sales": gmv - refunded,
        "paid_orders": len(paid),
        "paying_buyers": len(buyers),
        "aov": (gmv / len(buyers)).quantize(Decimal("0.01")),
        "units_sold": int(lines["购买数量"].astype(int).sum()),
        **visitor_kpis,
        "refund_rate": float(refunded / gmv),
        "ad_spend": spend,
        "roas": float(ad_gmv / spend),
        "new_buyers": len(new),
        "repurchase_rate": int((orders_per_buyer >= 2).sum()) / len(buyers),
    }


def assert_equal(got, want, kpi: str) -> None:
    if isinstance(want, float):
        assert float(got) == pytest.approx(want, rel=1e-9), kpi
    elif isinstance(want, Decimal):
        assert Decimal(str(got)).quantize(Decimal("0.01")) == want.quantize(Decimal("0.01")), kpi
    else:
        assert int(got) == want, kpi


# ---------------------------------------------------------------------------
# monthly report: numbers, Excel, PDF
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def monthly(demo_root, django_db_blocker):
    from shopops.reports.services import report_generate

    from shopops.metrics.models import Target
    from shopops.metrics.services import target_set

    steps = []
    with django_db_blocker.unblock():  # monthly targets live in the app DB
        target_set(kpi="gmv", month=dt.date(2025, 11, 1), value="1000000.00")  # all stores
        target_set(kpi="paid_orders", month=dt.date(2025, 11, 1), value=5, store_id="jd")  # not this report's scope
        try:
            generated = report_generate(kind="monthly", period="2025-11", language="zh-hans",
                                        on_progress=lambda done, total, step: steps.append((done, total, step)))
        finally:
            Target.objects.all().delete()
    return generated, steps


def test_monthly_overview_equals_pandas_over_the_export_files(demo_root, monthly):
    generated, steps = monthly
    report = generated.report
    want = oracle(demo_root, dt.date(2025, 11, 1), dt.date(2025, 11, 30))
    want_previous = oracle(demo_root, dt.date(2025, 10, 1), dt.date(2025, 10, 31))  # the calendar month before
    # refunds at the same order age: October's orders as they stood 31 days before the data's last day (11-30)
    same_age = oracle(demo_root, dt.date(2025, 10, 1), dt.date(2025, 10, 31), refunds_known_by=dt.date(2025, 10, 30))
    assert same_age["refund_rate"] < want_previous["refund_rate"]  # the fixture does have refunds after 10-30
    assert [line.kpi for line in report.overview] == list(want)
    for kpi, value in want.items():
        assert_equal(report.line(kpi).current, value, kpi)
        previous = same_age if kpi in ("refund_rate", "net_sales") else want_previous
        assert_equal(report.line(kpi).previous, previous[kpi], f"{kpi} (October)")
    assert "不足 30 天" in report.section("overview").note  # November's orders are not mature on 11-30
    # vs target: the all-stores GMV target; none for KPIs without one (the jd target is another scope)
    assert report.has_targets
    assert report.line("gmv").target == Decimal("1000000.00")
    assert report.line("gmv").achievement == pytest.approx(float(want["gmv"] / Decimal("1000000")), rel=1e-12)
    assert report.line("paid_orders").target is None and report.line("paid_orders").achievement is None
    assert report.previous_period.start == dt.date(2025, 10, 1)
    # the data start 2025-10-24: November 2024 has no orders, so no 同比 columns rather than ¥0.00
    assert report.last_year_period is None
    assert "last_year" not in {c.key for c in report.section("overview").tables[0].columns}
    # progress went step by step to the end
    assert [d for d, _t, _s in steps] == list(range(1, steps[-1][1] + 1))


def test_monthly_xlsx_holds_the_same_numbers(demo_root, monthly):
    from openpyxl import load_workbook

    generated, _ = monthly
    want = oracle(demo_root, dt.date(2025, 11, 1), dt.date(2025, 11, 30))
    wb = load_workbook(generated.path("xlsx"))
    assert wb.sheetnames[1:] == list(SECTION_TITLES_ZH)  # a cover, then one sheet per section
    ws = wb["核心指标概览"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in rows if r[:2] == ["指标", "本期"])
    labels = {"gmv": "支付金额", "paid_orders": "支付订单数", "channel_visitors": "访客数(各渠道口径)",
              "channel_conversion_rate": "支付转化率(各渠道口径)",
              "aov": "客单价", "roas": "投产比", "new_buyers": "新客数", "net_sales": "净销售额"}
    by_label = {r[0]: dict(zip(header, r)) for r in rows if r[0] in labels.values()}
    for kpi, label in labels.items():
        assert_equal(by_label[label]["本期"], want[kpi], kpi)
    assert ws.cell(row=rows.index(next(r for r in rows if r[0] == "支付金额")) + 1, column=2).number_format.startswith('"¥"')


def test_monthly_pdf_has_the_chinese_section_titles(monthly, artifacts_dir):
    generated, _ = monthly
    pdf = generated.path("pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: scripts/system-deps.sh test")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for title in (*SECTION_TITLES_ZH, "运营月报", "支付金额"):
        assert title in text, title
    shutil.copyfile(pdf, artifacts_dir / "report-monthly-zh.pdf")


def _pdf_pages(pdf: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: scripts/system-deps.sh test")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def test_monthly_pdf_keeps_headings_with_their_tables_and_short_tables_whole(monthly):
    """Walkthrough B #17: page 1 ended with the heading 店铺表现 and its note, the table on page 2; the 10-row
    "GMV 后 10 商品" table split 3 / 7 across pages; the last page held only the footer, which named a
    repository file (docs/kpis.md) instead of the app's KPI catalog page."""
    generated, _ = monthly
    report = generated.report
    pages = _pdf_pages(generated.path("pdf"))

    def page_of(needle: str) -> int:
        found = [i for i, page in enumerate(pages) if needle in page]
        assert found, needle
        return found[0]

    def heading_page(title: str) -> int:
        return next(i for i, page in enumerate(pages) if any(line.strip() == title for line in page.splitlines()))

    # every section's heading is on the page of its first table's first row
    firsts = {"overview": "支付金额", "stores": report.section("stores").tables[0].rows[0]["store"],
              "products": report.section("products").tables[0].rows[0]["product"],
              "customers": report.section("customers").tables[0].rows[0]["kpi"]}
    for section_id, first in firsts.items():
        title = report.section(section_id).title
        assert first in pages[heading_page(title)], (title, first)
    # the short product tables are never split: their first and last products are on one page
    for table in report.section("products").tables:
        assert len(table.rows) <= 15
        assert page_of(table.rows[0]["product"]) == page_of(table.rows[-1]["product"]), table.title
    # the footer sits under the last section, not on a page of its own, and names the app's page
    footer = "每个数字都来自指标目录中的 KPI"
    last = pages[page_of(footer)]
    assert len([line for line in last.splitlines() if line.strip()]) > 5  # more than the footer and page number
    assert page_of(footer) == len(pages) - 1
    assert "docs/kpis.md" not in "".join(pages) and "「指标说明」页(/kpis/)" in last


# ---------------------------------------------------------------------------
# weekly report from the command line, in English, one store
# ---------------------------------------------------------------------------
def test_cli_weekly_report_for_one_store_in_english(demo_root, capsys):
    from openpyxl import load_workbook

    from shopops.cli import main

    assert main(["report", "weekly", "--week", "2025-W48", "--store", "jd", "--format", "xlsx,html", "--lang", "en"]) == 0
    paths = [Path(line) for line in capsys.readouterr().out.split()]
    assert [p.suffix for p in paths] == [".xlsx", ".html"] and all(p.exists() for p in paths)
    want = oracle(demo_root, dt.date(2025, 11, 24), dt.date(2025, 11, 30), ["jd"])
    ws = load_workbook(paths[0])["Overview"]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert_equal(rows["GMV"][1], want["gmv"], "gmv")
    assert_equal(rows["Paying buyers"][1], want["paying_buyers"], "paying_buyers")
    html = paths[1].read_text(encoding="utf-8")
    assert "Operations weekly report" in html and "Notable changes" in html and 'lang="en"' in html


def test_cli_rejects_a_month_for_a_weekly_report(demo_root, capsys):
    from shopops.cli import main

    from shopops.reports.selectors import report_list

    before = len(report_list())
    assert main(["report", "weekly", "--week", "2025-11"]) == 2
    assert "one ISO week" in capsys.readouterr().err
    assert main(["report", "monthly", "--month", "2025-11", "--store", "nope"]) == 2
    assert "unknown store nope" in capsys.readouterr().err
    assert len(report_list()) == before  # nothing half written


# ---------------------------------------------------------------------------
# the web pages
# ---------------------------------------------------------------------------
class _Cells(HTMLParser):
    """{(table, column, kpi): data-value} of the report's numeric cells."""

    def __init__(self) -> None:
        super().__init__()
        self.table = ""
        self.cells: dict[tuple[str, str, str], str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-table" in a:
            self.table = a["data-table"]
        if tag == "td" and "data-kpi" in a:
            self.cells.setdefault((self.table, a["data-col"], a["data-kpi"]), a["data-value"])


@pytest.fixture
def login(client, db):
    from shopops.team.services import role_groups_sync, user_create

    role_groups_sync()

    def _login(role: Role):
        client.force_login(user_create(username=role.value, password=PASSWORD, role=role))

    return _login


def test_web_generates_and_shows_a_weekly_report(demo_root, client, login, settings):
    settings.SHOPOPS_TASKS_IMMEDIATE = True
    login(Role.OPS_SPECIALIST)
    page = client.get(reverse("reports:list"))
    assert page.status_code == 200
    assert 'value="2025-W48"' in page.content.decode() and 'value="2025-11"' in page.content.decode()

    response = client.post(reverse("reports:generate"), {"kind": "weekly", "week": "2025-W48", "month": "",
                                                         "formats": ["html", "xlsx"]})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    parser = _Cells()
    parser.feed(html)
    want = oracle(demo_root, dt.date(2025, 11, 24), dt.date(2025, 11, 30))
    for kpi, value in want.items():
        assert_equal(parser.cells[("overview", "current", kpi)], value, kpi)
    for title in SECTION_TITLES_ZH:
        assert title in html
    # the footer links to the KPI catalog page of the site the report was asked for on (walkthrough B #17)
    assert '<a href="http://testserver/kpis/">http://testserver/kpis/</a>' in html and "docs/kpis.md" not in html
    report_id = response["Location"].rstrip("/").split("/")[-1]
    progress = client.get(reverse("reports:progress", args=[report_id]), HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    download = client.get(reverse("reports:download", args=[report_id, "xlsx"]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert client.get(reverse("reports:download", args=[report_id, "pdf"])).status_code == 404  # not asked for
    assert report_id in client.get(reverse("reports:list")).content.decode()


def test_web_form_errors_and_permission(demo_root, client, login):
    login(Role.OPS_SPECIALIST)
    bad = client.post(reverse("reports:generate"), {"kind": "monthly", "month": "2025-W48", "formats": ["pdf"]})
    assert bad.status_code == 400 and "月报覆盖一个自然月（例如 2025-11），而不是 2025-11-24" in bad.content.decode()
    bad = client.post(reverse("reports:generate"), {"kind": "weekly", "week": "<b>W48", "formats": ["pdf"]})
    assert bad.status_code == 400 and "&lt;b&gt;W48 不是周（YYYY-Www" in bad.content.decode()  # translated, escaped
    assert client.get(reverse("reports:report", args=["weekly-nope"])).status_code == 404
    client.logout()
    login(Role.DESIGNER)  # designers do not use reports
    assert client.get(reverse("reports:list")).status_code == 403


def test_a_failed_report_says_so_without_internals_and_can_be_retried(demo_root, client, login, settings):
    """Issue 19 bug 15: "2026-12-0421:03", a UTC header next to Beijing-time imports, an English internal
    error naming a server path, and no way to try again."""
    from zoneinfo import ZoneInfo

    from shopops.reports.services import report_request
    from shopops.reports.tasks import report_enqueue

    settings.SHOPOPS_TASKS_IMMEDIATE = True
    login(Role.OPS_DIRECTOR)
    record = report_request(kind="weekly", period="2025-W48", formats=("html",), language="zh-hans")
    # a real failure: a folder where the HTML file must be written (IsADirectoryError names the path)
    (record.directory / "shopops-weekly-2025-W48-zh-hans.html").mkdir(parents=True)
    report_enqueue(record)
    page = client.get(reverse("reports:report", args=[record.id])).content.decode()
    assert "data-report-failed" in page and "内部错误" in page and "重新生成" in page
    assert str(settings.VAR_DIR) not in page and "Errno" not in page and "Is a directory" not in page

    listing = client.get(reverse("reports:list")).content.decode()
    created = dt.datetime.fromisoformat(record.created_at).astimezone(ZoneInfo("Asia/Shanghai"))
    assert f'data-created>{created:%Y-%m-%d %H:%M}</td>' in listing  # the store's time, with its space

    # the retry is a POST, checked server-side: a role without reports may not start one
    assert client.get(reverse("reports:retry", args=[record.id])).status_code == 405
    director = client.session["_auth_user_id"]
    login(Role.DESIGNER)
    assert client.post(reverse("reports:retry", args=[record.id])).status_code == 403
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(pk=director))
    retried = client.post(reverse("reports:retry", args=[record.id]))
    assert retried.status_code == 302 and record.id not in retried["Location"]
    new_id = retried["Location"].rstrip("/").split("/")[-1]
    html = client.get(retried["Location"]).content.decode()
    assert 'class="report' in html and "data-report-failed" not in html
    assert "(北京时间)" in html and " UTC" not in html
    from shopops.reports.selectors import report_get

    assert report_get(report_id=new_id).retry_of == record.id
    assert client.post(reverse("reports:retry", args=[new_id])).status_code == 400  # only a failed report


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_browser_generates_a_report_with_a_progress_bar(demo_root, live_server, browser_page, artifacts_dir,
                                                       jobs_worker):
    """The real thing: the form, the jobs worker running the report task, HTMX polling the progress, the page
    reloading."""
    from shopops.team.services import DEMO_PASSWORD, demo_users_create

    demo_users_create()
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "director")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.click("nav [data-module=reports]")
    page.wait_for_url(f"{live_server.url}/reports/")
    assert page.input_value("input[name=week]") == "2025-W48"
    page.uncheck("input[name=formats][value=pdf]")
    page.click("#report-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/reports/weekly-2025-W48-*/")
    page.wait_for_selector('.report[data-period="2025-W48"]', timeout=90_000)  # reloaded when ready
    want = oracle(demo_root, dt.date(2025, 11, 24), dt.date(2025, 11, 30))
    shown = page.get_attribute('table[data-table="overview"] td[data-col="current"][data-kpi="gmv"]', "data-value")
    assert_equal(shown, want["gmv"], "gmv")
    assert page.is_visible("text=显著变化")
    assert page.is_visible("[data-download=xlsx]") and not page.is_visible("[data-download=pdf]")
    page.screenshot(path=str(artifacts_dir / "report-weekly-zh.png"), full_page=True)


def test_notable_changes_are_the_largest_moves_worded_from_the_catalog(monthly):
    from shopops.metrics.catalog import CATALOG
    from shopops.metrics.dimensions import store_list

    report = monthly[0].report
    assert report.notable, "a demo month has moves vs the month before"
    moves = [abs(n.change) for n in report.notable]
    assert moves == sorted(moves, reverse=True)
    names = {s.store_id: s.name for s in store_list()}
    for n in report.notable:
        assert CATALOG[n.kpi].label_zh in n.sentence and names[n.store_id] in n.sentence
        assert n.sentence.endswith("表现向好。" if n.is_good else "需要关注。")
    assert list(report.section("notable").sentences) == [n.sentence for n in report.notable]
    # issue 19 item 4: November's refunds are immature on 11-30 — never an improvement, always at the same age
    for n in report.notable:
        if n.kpi in ("refund_rate", "net_sales"):
            assert not n.is_good and "按相同订单账龄" in n.sentence, n.sentence
    overview = {r["_kpi"]: r for r in report.section("overview").tables[0].rows}
    assert overview["refund_rate"]["_good"] is not True
