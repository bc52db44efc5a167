"""Issue 17: the 复盘's linked findings — the link model and service (window, stores, idempotence, the
snapshot), the permission per role on the server, bad input (precise messages, no 500), the exports
(XLSX formula-safe, PDF), and the demo's links. Expected values are written by hand from the findings
the tests create (and the KPI catalog's own labels), never read back from the code under test."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from shopops.campaigns import retro_findings, retro_links
from shopops.campaigns.models import RetroFinding
from shopops.campaigns.services import PlanActionNotAllowed, StoreRef
from shopops.core.errors import ShopopsError
from shopops.core.roles import Role

from .factories import OWN, TMALL, plan, user

pytestmark = pytest.mark.django_db
D = dt.date
NOW = dt.datetime(2026, 12, 30, 9, tzinfo=dt.timezone.utc)


def finding(store: str, day: dt.date, *, kpi: str = "gmv", actual: float = 180000.0, expected: float = 120000.0,
            product: str = "", severity: str = "high", evidence: list | None = None, titles: dict | None = None):
    from shopops.insights.models import SEVERITY_RANK, Finding

    return Finding.objects.create(
        store_id=store, day=day, severity=severity, severity_rank=SEVERITY_RANK[severity], kpi=kpi, product_id=product,
        actual=actual, expected=expected, low=expected * 0.8, high=expected * 1.2, relative=actual / expected - 1,
        cause=(evidence or [{}])[0].get("kind", ""),
        diagnosis={"evidence": evidence or [], "titles": titles or {}})


@pytest.fixture
def double12():
    """双12 over own and tmall, 12-10 … 12-13: the 复盘's findings run to 12-27 (14 days after)."""
    return plan("双12", starts_on=D(2026, 12, 10), ends_on=D(2026, 12, 13), stores=(OWN, TMALL))


@pytest.fixture
def director():
    return user(Role.OPS_DIRECTOR, "boss")


# ------------------------------------------------------------------------------ service
def test_link_keeps_what_the_finding_said_in_both_languages_and_is_idempotent(double12, director):
    from shopops.metrics.catalog import CATALOG

    f = finding("own", D(2026, 12, 11), actual=180000.0, expected=120000.0)
    r = retro_links.retro_finding_link(plan=double12, finding_id=f.pk, verdict="went_well", note="  主会场 流量好 ",
                                       user=director, now=NOW)
    assert r.created and r.changed
    link = RetroFinding.objects.get()
    assert (link.plan_id, link.finding_id, link.day, link.store_id, link.kpi) == (double12.pk, f.pk, D(2026, 12, 11), "own", "gmv")
    assert (link.actual, link.expected, link.verdict, link.note) == (180000.0, 120000.0, "went_well", "主会场 流量好")
    assert link.texts["zh"]["kpi"] == CATALOG["gmv"].label_zh and link.texts["en"]["kpi"] == CATALOG["gmv"].label_en
    assert link.texts["en"]["actual"] == "¥180,000.00"
    assert link.link == f"/insights/{f.pk}/" and link.linked_by == director
    # the same again: nothing written
    before = (link.updated_at, link.linked_at)
    again = retro_links.retro_finding_link(plan=double12, finding_id=str(f.pk), verdict="went_well", note="主会场 流量好",
                                           user=director, now=NOW + dt.timedelta(hours=1))
    assert not again.created and not again.changed
    link.refresh_from_db()
    assert RetroFinding.objects.count() == 1 and (link.updated_at, link.linked_at) == before
    # another verdict: the link changes, who linked it first stays
    ops = user(Role.OPS_SPECIALIST, "ops")
    changed = retro_links.retro_finding_link(plan=double12, finding_id=f.pk, verdict="lesson", note="",
                                             user=ops, now=NOW + dt.timedelta(hours=2))
    link.refresh_from_db()
    assert changed.changed and not changed.created and link.verdict == "lesson" and link.note == ""
    assert link.linked_by == director and link.updated_by == ops and RetroFinding.objects.count() == 1
    # the finding changes or goes away in insights: the 复盘 keeps what it said
    f.actual = 1.0
    f.save()
    f.delete()
    link.refresh_from_db()
    assert link.actual == 180000.0
    assert retro_links.retro_finding_unlink(plan=double12, finding_id=link.finding_id, user=director) is True
    assert retro_links.retro_finding_unlink(plan=double12, finding_id=link.finding_id, user=director) is False
    assert not RetroFinding.objects.exists()


def test_window_is_the_campaign_and_fourteen_days_after(double12, director):
    inside = [finding("own", D(2026, 12, 10)), finding("tmall", D(2026, 12, 13)), finding("own", D(2026, 12, 27))]
    for f in inside:
        retro_links.retro_finding_link(plan=double12, finding_id=f.pk, verdict="went_badly", user=director, now=NOW)
    assert RetroFinding.objects.count() == 3
    late = finding("own", D(2026, 12, 28))
    with pytest.raises(ShopopsError) as exc:
        retro_links.retro_finding_link(plan=double12, finding_id=late.pk, verdict="went_badly", user=director, now=NOW)
    assert f"#{late.pk}" in str(exc.value) and "2026-12-28" in str(exc.value) and "2026-12-10 – 2026-12-27" in str(exc.value)
    early = finding("own", D(2026, 12, 9))
    with pytest.raises(ShopopsError, match="2026-12-09"):
        retro_links.retro_finding_link(plan=double12, finding_id=early.pk, verdict="went_badly", user=director, now=NOW)
    assert RetroFinding.objects.count() == 3


def test_bad_input_gets_precise_messages(double12, director):
    jd = finding("jd", D(2026, 12, 11))
    with pytest.raises(ShopopsError) as exc:
        retro_links.retro_finding_link(plan=double12, finding_id=jd.pk, verdict="went_well", user=director, now=NOW)
    assert "jd" in str(exc.value) and "own, tmall" in str(exc.value)
    with pytest.raises(ShopopsError, match="#987654"):
        retro_links.retro_finding_link(plan=double12, finding_id=987654, verdict="went_well", user=director, now=NOW)
    with pytest.raises(ShopopsError, match="abc"):
        retro_links.retro_finding_link(plan=double12, finding_id="abc", verdict="went_well", user=director, now=NOW)
    ok = finding("own", D(2026, 12, 12))
    with pytest.raises(ShopopsError, match="great"):
        retro_links.retro_finding_link(plan=double12, finding_id=ok.pk, verdict="great", user=director, now=NOW)
    with pytest.raises(ShopopsError, match="201"):
        retro_links.retro_finding_link(plan=double12, finding_id=ok.pk, verdict="lesson", note="长" * 201, user=director, now=NOW)
    assert not RetroFinding.objects.exists()


@pytest.mark.parametrize("role,allowed", [(Role.OPS_DIRECTOR, True), (Role.OPS_SPECIALIST, True), (Role.ADS_SPECIALIST, True),
                                          (Role.DESIGNER, False), (Role.CUSTOMER_SERVICE, False), (Role.ANALYST, False)])
def test_only_planners_link(double12, role, allowed):
    f = finding("own", D(2026, 12, 11))
    who = user(role)
    if allowed:
        assert retro_links.retro_finding_link(plan=double12, finding_id=f.pk, verdict="lesson", user=who, now=NOW).created
    else:
        with pytest.raises(PlanActionNotAllowed):
            retro_links.retro_finding_link(plan=double12, finding_id=f.pk, verdict="lesson", user=who, now=NOW)
        assert not RetroFinding.objects.exists()


def test_suggestions_are_the_stores_and_window_not_linked_yet(double12, director):
    a = finding("own", D(2026, 12, 11))
    b = finding("tmall", D(2026, 12, 20), actual=50000.0, expected=90000.0)  # the dip
    finding("jd", D(2026, 12, 11))  # another store
    finding("own", D(2026, 12, 28))  # after the window
    finding("tmall", D(2026, 12, 1))  # before it
    rows, total = retro_links.suggestions(double12, "en")
    assert [s.facts.finding_id for s in rows] == [a.pk, b.pk] and total == 2
    assert [s.after for s in rows] == [False, True]
    retro_links.retro_finding_link(plan=double12, finding_id=a.pk, verdict="went_well", user=director, now=NOW)
    rows, total = retro_links.suggestions(double12, "zh-hans")
    assert [s.facts.finding_id for s in rows] == [b.pk] and total == 1


def test_without_insights_nothing_to_suggest_and_a_link_says_why(double12, director, monkeypatch):
    f = finding("own", D(2026, 12, 11))
    monkeypatch.setattr(retro_findings, "_source", None)
    assert retro_links.suggestions(double12, "en") is None
    from django.utils import translation

    with translation.override("en"), pytest.raises(ShopopsError, match="the insights module is not available"):
        retro_links.retro_finding_link(plan=double12, finding_id=f.pk, verdict="lesson", user=director, now=NOW)
    with pytest.raises(ShopopsError, match="异常洞察模块"):  # zh-Hans, the default
        retro_links.retro_finding_link(plan=double12, finding_id=f.pk, verdict="lesson", user=director, now=NOW)


# ------------------------------------------------------------------------------ pages: permissions and bad input
@pytest.mark.parametrize("role,status", [(Role.OPS_DIRECTOR, 302), (Role.OPS_SPECIALIST, 302),
                                         (Role.DESIGNER, 403), (Role.CUSTOMER_SERVICE, 403)])
def test_link_and_unlink_on_the_server_per_role(client, double12, role, status):
    f = finding("own", D(2026, 12, 11))
    client.force_login(user(role))
    url = reverse("campaigns:retro_finding_link", args=(double12.pk,))
    resp = client.post(url, {"finding": f.pk, "verdict": "went_well", "note": "好", "as_of": "2026-12-29"})
    assert resp.status_code == status
    assert RetroFinding.objects.filter(plan=double12, finding_id=f.pk).exists() == (status == 302)
    if status == 302:
        assert resp["Location"].startswith(reverse("campaigns:plan_retro", args=(double12.pk,)) + "?as_of=2026-12-29")
        assert client.post(url, {"finding": f.pk, "verdict": "went_well", "note": "好"}).status_code == 302
        assert RetroFinding.objects.count() == 1
    else:
        RetroFinding.objects.create(plan=double12, finding_id=f.pk, verdict="lesson", day=f.day, store_id="own", kpi="gmv",
                                    actual=1, expected=1, linked_at=NOW, updated_at=NOW)
    unlink = client.post(reverse("campaigns:retro_finding_unlink", args=(double12.pk, f.pk)))
    assert unlink.status_code == status
    assert RetroFinding.objects.exists() == (status == 403)
    assert client.get(url).status_code == 405  # only POST


def test_bad_input_through_the_page_is_a_400_with_the_reason_escaped(client, double12):
    client.force_login(user(Role.OPS_DIRECTOR))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("campaigns:retro_finding_link", args=(double12.pk,))
    other = finding("jd", D(2026, 12, 11))
    late = finding("own", D(2027, 1, 5))
    cases = [({"finding": other.pk, "verdict": "went_well"}, "jd"),
             ({"finding": late.pk, "verdict": "went_well"}, "2027-01-05"),
             ({"finding": "<b>x</b>", "verdict": "went_well"}, "&lt;b&gt;x&lt;/b&gt;"),
             ({"finding": "", "verdict": "went_well"}, "not a finding number"),
             ({"finding": "99999999999999999999", "verdict": "went_well"}, "not a finding number"),
             ({"finding": "-3", "verdict": "went_well"}, "not a finding number"),
             ({"finding": other.pk, "verdict": "<i>"}, "&lt;i&gt;")]
    for data, expected in cases:
        resp = client.post(url, data)
        html = resp.content.decode()
        assert resp.status_code == 400 and expected in html and "<b>x</b>" not in html, data
    assert not RetroFinding.objects.exists()
    assert client.post(reverse("campaigns:retro_finding_link", args=(999_999,)), {"finding": 1}).status_code == 404


# ------------------------------------------------------------------------------ the 复盘 page and its exports
ALL = tuple(StoreRef(s, "CNY", "Asia/Shanghai") for s in ("tmall", "jd", "pdd", "douyin", "own"))
EVIDENCE = [{"kind": "stock_out", "subject": "=HYPERLINK(\"http://x\")<script>", "product_id": "P-9",
             "facts": {"days_of_cover": 0.5, "on_hand": 3}}]


@pytest.fixture
def double11_linked(small_warehouse, db):
    p = plan("双11", starts_on=D(2025, 10, 15), ends_on=D(2025, 11, 13), stores=ALL, goal_gmv=Decimal("2400000"))
    boss = user(Role.OPS_DIRECTOR, "boss")
    linked = finding("tmall", D(2025, 11, 11), actual=420000.0, expected=300000.0)
    dip = finding("jd", D(2025, 11, 20), kpi="paid_orders", actual=150.0, expected=400.0, severity="medium",
                  product="P-9", evidence=EVIDENCE, titles={"P-9": "羽绒服 <b>轻薄</b>"})
    retro_links.retro_finding_link(plan=p, finding_id=linked.pk, verdict="went_well", note="=1+1 主会场爆发",
                                   user=boss, now=NOW)
    return p, linked, dip


def test_retro_page_lists_linked_and_suggested_findings_escaped(client, double11_linked):
    p, linked, dip = double11_linked
    client.force_login(user(Role.OPS_SPECIALIST, "ops"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("campaigns:plan_retro", args=(p.pk,))).content.decode()
    panel = html[html.index("data-retro-findings"):]
    panel = panel[:panel.index("</section>")]
    assert f'data-linked-finding="{linked.pk}"' in panel and "=1+1 主会场爆发" in panel and "Went well" in panel
    assert f'data-suggested-finding="{dip.pk}"' in panel and f'href="/insights/{dip.pk}/"' in panel
    assert "羽绒服 &lt;b&gt;轻薄&lt;/b&gt;" in panel and "<b>轻薄</b>" not in panel and "<script>" not in panel
    assert "2025-11-20" in panel and "(after)" in panel and "data-link=" in panel and "data-unlink=" in panel
    # a designer sees the linked finding, not the forms
    client.force_login(user(Role.DESIGNER, "designer"))
    html = client.get(reverse("campaigns:plan_retro", args=(p.pk,))).content.decode()
    assert f'data-linked-finding="{linked.pk}"' in html and "data-unlink=" not in html and "data-link=" not in html


def test_linked_findings_are_in_the_xlsx_and_the_pdf_in_both_languages(client, double11_linked, artifacts_dir):
    from shopops.metrics.catalog import CATALOG

    p, linked, dip = double11_linked
    boss = user(Role.OPS_SPECIALIST, "ops")
    retro_links.retro_finding_link(plan=p, finding_id=dip.pk, verdict="went_badly", note="-2 库存断货", user=boss, now=NOW)
    client.force_login(boss)
    url = reverse("campaigns:plan_retro", args=(p.pk,))
    for lang, verdict, kpi in (("en", "Went badly", CATALOG["paid_orders"].label_en),
                               ("zh-hans", "做得不好", CATALOG["paid_orders"].label_zh)):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        resp = client.get(url, {"format": "xlsx", "table": "findings"})
        assert resp.status_code == 200
        ws = openpyxl.load_workbook(io.BytesIO(resp.content)).active
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        body = {r[-2]: r for r in rows[1:]}  # by the finding column "#id"
        assert set(body) == {f"#{linked.pk}", f"#{dip.pk}"}
        mine = body[f"#{dip.pk}"]
        assert mine[0].date() == D(2025, 11, 20) and mine[3] == kpi and mine[4] == 150 and mine[5] == 400
        assert verdict in mine and "-2 库存断货" in mine
        top = body[f"#{linked.pk}"]
        assert top[4] == 420000 and top[5] == 300000 and "=1+1 主会场爆发" in top
        cells = {c.value: c for row in ws.iter_rows() for c in row}
        for text in ("=1+1 主会场爆发", "-2 库存断货"):
            assert cells[text].data_type == "s" and cells[text].quotePrefix  # text, never a formula
        cause = next(v for v in mine if isinstance(v, str) and "HYPERLINK" in v)
        assert cells[cause].data_type == "s"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    for lang, words in (("en", ("Linked findings", "Went badly", "-2 库存断货")),
                        ("zh-hans", ("关联的异常发现", "做得好", "=1+1 主会场爆发"))):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        pdf = client.get(reverse("campaigns:plan_retro_pdf", args=(p.pk,)))
        assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
        (artifacts_dir / f"campaigns-retro-findings-{lang}.pdf").write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode()
        squeezed = "".join(text.split())
        for w in words:
            assert "".join(w.split()) in squeezed, (lang, w)
        assert "2025-11-20" in text


# ------------------------------------------------------------------------------ demo
def test_demo_links_real_findings_of_reviewed_plans_once_and_says_when_there_are_none(director):
    from shopops.demo.campaigns import MARKER, retro_findings_demo_link

    def reviewed(name, first, last):
        p = plan(name, starts_on=first, ends_on=last, stores=(OWN, TMALL), festival=f"{MARKER}{name}")
        type(p).objects.filter(pk=p.pk).update(status="reviewed")
        return p

    covered = reviewed("双11", D(2026, 11, 1), D(2026, 11, 11))
    uncovered = reviewed("618", D(2026, 6, 1), D(2026, 6, 18))
    user(Role.OPS_DIRECTOR, "director")
    up_small = finding("own", D(2026, 11, 10), actual=130000.0, expected=100000.0)  # more money, a smaller rise
    up_big = finding("tmall", D(2026, 11, 11), actual=300.0, expected=100.0)
    down = finding("own", D(2026, 11, 20), actual=40.0, expected=100.0)  # the dip
    finding("own", D(2026, 12, 1), actual=10.0, expected=100.0)  # after the window: never linked
    said = []
    assert retro_findings_demo_link(echo=said.append) == 2
    got = {(r.finding_id, r.verdict) for r in RetroFinding.objects.filter(plan=covered)}
    assert got == {(up_big.pk, "went_well"), (down.pk, "went_badly")} and up_small.pk not in {g[0] for g in got}
    assert RetroFinding.objects.get(finding_id=down.pk).note == "活动后支付金额比预期低60%"
    assert not RetroFinding.objects.filter(plan=uncovered).exists()
    assert any("618" in s and "nothing faked" in s for s in said)
    assert retro_findings_demo_link(echo=said.append) == 0 and RetroFinding.objects.count() == 2
