"""Walkthrough B, service part: one ticket per 差评 wave that grows in place, product titles where ids were,
system-written ticket texts in the reader's language, thousands separators and a full-height review table.

The store is test_reviews_pages' (P1: 21 quiet 5★ reviews from DAY-23 to DAY-3, then eight 1★ 尺码 reviews on
DAY-2 (2), DAY-1 (3) and DAY (3); P2: the quiet reviews only), with listing titles for P1 and P2."""

from __future__ import annotations

import datetime as dt
import importlib

import pyarrow as pa
import pytest
from django.urls import reverse
from django.utils import translation

from shopops.service.models import Priority, Ticket, TicketNote, TicketSource
from shopops.service.services import ticket_create
from shopops.warehouse.loader import load

from .test_reviews_pages import DAY, UTC, client_for, store  # noqa: F401 - the fixture

P1_TITLE, P2_TITLE = "栖木棉麻衬衫", "栖木天丝浴巾"


@pytest.fixture
def titled(store):  # noqa: F811
    load(store, "products", pa.table({"store_id": ["tmall", "tmall"], "product_id": ["P1", "P2"],
                                      "title": [P1_TITLE, P2_TITLE]}))
    return store


def _bad(con, day: dt.date, n: int, tag: str) -> None:
    load(con, "reviews", pa.table({
        "store_id": ["tmall"] * n, "review_id": [f"P1-{tag}{i}" for i in range(n)], "product_id": ["P1"] * n,
        "order_id": [f"O-{tag}{i}" for i in range(n)],
        "created_at": [dt.datetime.combine(day, dt.time(4), tzinfo=UTC)] * n, "review_date": [day] * n,
        "rating": pa.array([1] * n, pa.int8()), "content": ["尺码偏小，差评"] * n}))


def test_a_growing_wave_updates_its_open_ticket_and_a_rerun_changes_nothing(titled, review_model):
    from shopops.service.review_scoring import review_scores_refresh
    from shopops.service.services_reviews import review_wave_tickets

    now = dt.datetime(2025, 11, 22, 1, tzinfo=UTC)
    assert review_wave_tickets(day=DAY, con=titled, now=now) == 1
    t = Ticket.objects.get(source=TicketSource.REVIEW_WAVE)
    # by hand: the window DAY-6…DAY holds P1's 8 bad reviews and 4 quiet ones (DAY-6…DAY-3)
    assert (t.generated["bad"], t.generated["reviews"]) == (8, 12)
    assert t.subject == f"差评集中：{P1_TITLE} 近 7 天 8 条差评"  # the product's title, not its id
    # three more 1★ the next day: the window DAY-5…DAY+1 holds 11 bad and 3 quiet ones
    _bad(titled, DAY + dt.timedelta(days=1), 3, "x")
    review_scores_refresh(con=titled, model=review_model)
    later = now + dt.timedelta(days=1)
    assert review_wave_tickets(day=DAY + dt.timedelta(days=1), con=titled, now=later) == 0  # no second ticket
    [t] = Ticket.objects.filter(source=TicketSource.REVIEW_WAVE)
    assert (t.generated["bad"], t.generated["reviews"]) == (11, 14)
    assert t.subject == f"差评集中：{P1_TITLE} 近 7 天 11 条差评" and "11 条差评 / 14 条评价" in t.description
    assert t.priority == Priority.HIGH  # 10 or more bad reviews
    [note] = TicketNote.objects.filter(ticket=t)
    assert note.internal and "近 7 天 11 条差评 / 14 条评价（之前 8 / 12 条）" in note.body
    with translation.override("en"):
        assert "11 bad of 14 reviews in 7 days (was 8 of 12)" in note.body_text
    # the same facts again: nothing changes
    before = (t.subject, t.description, t.generated, t.updated_at, t.priority)
    assert review_wave_tickets(day=DAY + dt.timedelta(days=1), con=titled, now=later + dt.timedelta(hours=1)) == 0
    t.refresh_from_db()
    assert (t.subject, t.description, t.generated, t.updated_at, t.priority) == before
    assert TicketNote.objects.filter(ticket=t).count() == 1


def test_pages_and_alerts_name_the_product_by_its_title(titled):
    from shopops.service.alerts import alerts

    c = client_for("mei")
    page = c.get(reverse("service:reviews"), {"product": "P1", "bad": "1"}).content.decode()
    assert f">{P1_TITLE}</a> <small class=\"muted svc-id\">P1</small>" in page
    page = c.get(reverse("service:review_products")).content.decode()
    row = page.split('id="product-complaints"', 1)[1].split("</tr>", 2)[1]  # the first row of the body
    assert f">{P1_TITLE}</a>" in row and '<small class="muted svc-id">P1</small>' in row and "<td>天猫旗舰店</td>" in row
    page = c.get(reverse("service:review_product", args=["tmall", "P1"])).content.decode()
    assert f'<strong id="product-title">{P1_TITLE}</strong>' in page
    [a] = alerts(DAY)
    assert a.text_zh.startswith(f"「{P1_TITLE}」差评集中出现：近 7 天 8 条差评") and "P1" not in a.text_zh
    assert a.text_en.startswith(f"Bad-review wave on “{P1_TITLE}”: 8 bad reviews in 7 days")


def test_generated_subjects_and_descriptions_follow_the_readers_language(titled):
    from shopops.service.services_reviews import review_wave_tickets

    review_wave_tickets(day=DAY, con=titled)
    refund, _ = ticket_create(store_id="tmall", ticket_type="refund", source=TicketSource.REFUND, source_ref="JDR1",
                              subject="退款 JDR1：不喜欢/效果不好", generated={
                                  "kind": "refund", "refund_id": "JDR1", "reason": "不喜欢/效果不好",
                                  "order_id": "280000630525", "amount": "338.00", "status": "requested"},
                              description="订单 280000630525 申请退款 338.00（requested）。原因：不喜欢/效果不好")
    review, _ = ticket_create(store_id="tmall", ticket_type="bad_review", source=TicketSource.REVIEW, source_ref="V1",
                              subject="差评 1★：质量太差", description="质量太差",
                              generated={"kind": "review", "rating": 1, "excerpt": "质量太差"})
    typed, _ = ticket_create(store_id="tmall", ticket_type="complaint", subject="客户来电：包裹破损")
    wave = Ticket.objects.get(source=TicketSource.REVIEW_WAVE)
    c = client_for("cslead")
    c.cookies["django_language"] = "en"
    queue = c.get(reverse("service:queue")).content.decode()
    for text in ("Refund JDR1: 不喜欢/效果不好", "1★ review: 质量太差", f"Bad-review wave: {P1_TITLE}, 8 bad reviews in 7 days",
                 "客户来电：包裹破损"):  # the buyer's words and a person's subject stay as written
        assert text in queue, text
    assert "差评集中" not in queue and "退款 JDR1" not in queue
    page = c.get(reverse("service:ticket", args=[refund.pk])).content.decode()
    assert "Order 280000630525 asked for a refund of 338.00 (requested). Reason: 不喜欢/效果不好" in page
    page = c.get(reverse("service:ticket", args=[wave.pk])).content.decode()
    # by hand: the rule first fires on DAY (8 of 12; the day before, 5 bad of 10 is not yet unlikely enough at
    # P1's usual share (0 + 20 × 9/60) / (17 + 20) = 0.081, which predicts 12 × 0.081 = 1.0 bad reviews)
    assert (f"Bad reviews bunch up on {P1_TITLE} from 2025-11-21: 8 bad of 12 reviews in 7 days (about 1.0 usual). "
            "Main issues: Size 8." in page) and "差评集中出现" not in page
    page = c.get(reverse("service:ticket", args=[review.pk])).content.decode()
    assert "#%d 1★ review: 质量太差" % review.pk in page and ">质量太差</div>" in page
    c.cookies["django_language"] = "zh-hans"
    queue = c.get(reverse("service:queue")).content.decode()
    for text in ("退款 JDR1：不喜欢/效果不好", "差评 1★：质量太差", f"差评集中：{P1_TITLE} 近 7 天 8 条差评", "客户来电：包裹破损"):
        assert text in queue, text
    page = c.get(reverse("service:ticket", args=[refund.pk])).content.decode()
    assert "订单 280000630525 申请退款 338.00（已申请）。原因：不喜欢/效果不好" in page


def test_the_migration_reads_the_parameters_back_from_old_texts():
    """The texts as the demo's old tickets have them (walkthrough B, tickets #53, #61 and #76)."""
    from types import SimpleNamespace as T

    mig = importlib.import_module("shopops.service.migrations.0004_ticket_generated_backfill")
    codes = {"尺码": "size", "描述相符": "as_described", "质量": "quality"}
    refund = T(source="refund", source_ref="JDR000000036662", subject="退款 JDR000000036662：不喜欢/效果不好",
               description="订单 280000630525 申请退款 338.00（requested）。原因：不喜欢/效果不好")
    assert mig._parse(refund, codes) == {"kind": "refund", "refund_id": "JDR000000036662", "reason": "不喜欢/效果不好",
                                         "order_id": "280000630525", "amount": "338.00", "status": "requested"}
    review = T(source="review", source_ref="V", subject="差评 2★：物流慢", description="物流慢")
    assert mig._parse(review, codes) == {"kind": "review", "rating": 2, "excerpt": "物流慢"}
    wave = T(source="review_wave", source_ref="k", subject="差评集中：商品 600002312610 近 7 天 7 条差评",
             description="2026-12-05 起商品 600002312610 差评集中出现：7 天内 7 条差评 / 7 条评价（平时约 0.6 条）。"
                         "主要问题：尺码 7, 描述相符 2, 质量 1。\n- 码数偏小两个号，穿不上，失望。\n- 尺码严重不准")
    got = mig._parse(wave, codes)
    assert got == {"kind": "review_wave", "product_id": "600002312610", "product_title": "", "first_day": "2026-12-05",
                   "bad": 7, "reviews": 7, "expected": 0.6, "top": [["size", 7], ["as_described", 2], ["quality", 1]],
                   "examples": ["码数偏小两个号，穿不上，失望。", "尺码严重不准"]}
    with translation.override("en"):
        from shopops.service import ticket_text

        assert ticket_text.subject(got) == "Bad-review wave: product 600002312610, 7 bad reviews in 7 days"
    assert mig._parse(T(source="review_wave", source_ref="k", subject="typed by hand", description=""), codes) == {}


@pytest.mark.parametrize(("language", "total", "positive"), [("en", "7,140", "6,434"), ("zh-hans", "7,140", "6,434")])
def test_review_counts_have_separators_and_the_table_takes_the_page(titled, monkeypatch, language, total, positive):
    from shopops.service import selectors_reviews

    real = selectors_reviews.review_list

    def counted(f, **kw):  # the demo's counts (walkthrough B: "Reviews: 7140 · … Positive 6434")
        page = real(f, **kw)
        page.total, page.counts, page.unscored = 7140, {"negative": 512, "unclear": 194, "positive": 6434}, 0
        return page

    monkeypatch.setattr(selectors_reviews, "review_list", counted)
    c = client_for("mei")
    c.cookies["django_language"] = language
    page = c.get(reverse("service:reviews")).content.decode()
    counts = page.split('id="review-counts"', 1)[1].split("</p>", 1)[0]
    assert f"<strong>{total}</strong>" in counts and positive in counts and "7140" not in counts
    assert '<div class="table-wrap table-main"><table class="data-table" id="review-table">' in page
