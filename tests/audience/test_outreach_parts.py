"""The pieces of outreach on their own: templates, masking, the seeded holdout draw, the
Welch interval (against numbers worked by hand), and the channel adapters."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from shopops.core.errors import ConfigurationError, ValidationError
from shopops.audience.outreach import channels
from shopops.audience.outreach.holdout import assign_holdout, holdout_size
from shopops.audience.outreach.stats import Moments, welch_difference
from shopops.audience.outreach.templating import mask_id, template_check, template_render
from shopops.audience.selectors import normalise_phone

NOW = dt.datetime(2026, 11, 11, tzinfo=dt.UTC)


def test_templates_render_known_variables_and_refuse_typos():
    text = "{name}，送您 {coupon_code}，{{不变}}"
    assert template_check(text) == ["name", "coupon_code"]
    assert template_render(text, {"name": "亲爱的顾客", "coupon_code": "AB12"}) == "亲爱的顾客，送您 AB12，{不变}"
    for bad, message in (("{nmae}", "unknown variable {nmae}"), ("{name:>10}", "takes no format"),
                         ("{name", "write a literal brace"), ("  ", "the text is empty")):
        with pytest.raises(ValidationError, match=message.replace("{", r"\{").replace("}", r"\}")):
            template_check(bad)


def test_masking_keeps_ids_apart_but_unreadable():
    assert mask_id("c12345678") == "c1*****78"
    assert mask_id("2088123412341234") == "208**********234"
    assert mask_id("abc") == "a**"


def test_phone_normalisation_for_hashed_lists():
    assert normalise_phone("+86 138-0013-8000") == "13800138000"
    assert normalise_phone("0086 13800138000") == "13800138000"
    assert normalise_phone("138****8000") is None


@pytest.mark.parametrize(("n", "pct", "k"), [(0, 10, 0), (1, 10, 0), (9, 10, 1), (15, 10, 2), (449, 10, 45),
                                             (449, 20, 90), (100, 0, 0), (3, 50, 2), (2, 50, 1)])
def test_holdout_size_is_rounded_half_up_and_leaves_a_treatment(n, pct, k):
    assert holdout_size(n, pct) == k


def test_holdout_draw_is_seeded_order_free_and_uniform():
    members = [("s", f"c{i:03d}") for i in range(200)]
    t1, h1 = assign_holdout(members, percent=10, seed=42)
    t2, h2 = assign_holdout(list(reversed(members)), percent=10, seed=42)
    assert (t1, h1) == (t2, h2) and len(h1) == 20 and set(t1) | set(h1) == set(members) and not set(t1) & set(h1)
    assert assign_holdout(members, percent=10, seed=43)[1] != h1
    # over many seeds every member is held out about 10% of the time (binomial: 1000 draws, sd ~9.5)
    counts = dict.fromkeys(members, 0)
    for seed in range(1000):
        for m in assign_holdout(members, percent=10, seed=seed)[1]:
            counts[m] += 1
    assert 50 < min(counts.values()) and max(counts.values()) < 150


def test_welch_interval_worked_by_hand():
    # treatment 3 of 10 converted, holdout 1 of 10:
    # p 0.3 and 0.1; s² = p(1-p)·n/(n-1) = 0.23333… and 0.1; SE = √(0.023333 + 0.01) = 0.182574
    d = welch_difference(Moments(10, 3.0, 3.0), Moments(10, 1.0, 1.0))
    assert d.diff == pytest.approx(0.2)
    assert d.se == pytest.approx(math.sqrt(0.7 / 30 + 0.1 / 10))
    assert (d.low, d.high) == (pytest.approx(0.2 - 1.959964 * 0.182574, abs=1e-6), pytest.approx(0.2 + 1.959964 * 0.182574, abs=1e-6))
    assert d.significant is False
    one = welch_difference(Moments(1, 1.0, 1.0), Moments(10, 1.0, 1.0))
    assert one.diff == pytest.approx(0.9) and one.low is None and one.significant is None


@pytest.mark.django_db
def test_outbox_records_every_message_masked():
    from shopops.audience.models import OutboxMessage

    msgs = [channels.Message("sms", "tmall", f"c{i}", f"tmall:{mask_id(f'c{i}')}", "hi") for i in range(3)]
    out = channels.adapter_for("sms").send(msgs, now=NOW)
    assert all(d.ok for d in out) and OutboxMessage.objects.count() == 3
    assert set(OutboxMessage.objects.values_list("recipient", flat=True)) == {"tmall:c*"}  # masked: no digit shown


def test_provider_adapters_refuse_without_settings_or_address_book(settings):
    settings.SHOPOPS_OUTREACH = {"adapters": {"sms": "sms"}}
    with pytest.raises(ConfigurationError, match=r"SHOPOPS_OUTREACH\['sms'\] needs endpoint, sign_name, template_code"):
        channels.adapter_for("sms").send([], now=NOW)
    settings.SHOPOPS_OUTREACH = {"adapters": {"sms": "fax"}}
    with pytest.raises(ConfigurationError, match="unknown adapter"):
        channels.adapter_for("sms")


def test_sms_and_wechat_payloads_through_a_local_transport(settings):
    sent = []

    def transport(url, data):
        sent.append((url, json.loads(data)))
        return (200, "{}") if len(sent) == 1 else (500, "quota")

    book = {("tmall", "c1"): "13800138000", ("tmall", "c2"): "13900139000"}
    channels.register_address_resolver(lambda s, c, ch: book.get((s, c)))
    try:
        sms = channels.SmsAdapter({"endpoint": "http://sms.local", "sign_name": "旗舰店", "template_code": "SMS_1"},
                                  transport=transport)
        msgs = [channels.Message("sms", "tmall", c, "x", "您好") for c in ("c1", "c2", "c3")]
        out = sms.send(msgs, now=NOW)
        assert [d.ok for d in out] == [True, False, False]
        assert out[1].error == "HTTP 500: quota" and out[2].error.startswith("no address")
        assert sent[0] == ("http://sms.local", {"PhoneNumbers": "13800138000", "SignName": "旗舰店",
                                                "TemplateCode": "SMS_1", "TemplateParam": '{"content": "您好"}'})
        wx = channels.WeChatTemplateAdapter({"endpoint": "x", "template_id": "T1"})
        assert wx.payload(msgs[0], "openid-1")["touser"] == "openid-1"
    finally:
        channels.register_address_resolver(None)


def test_result_money_follows_the_send_stores_currency():
    """No hard-coded ¥: a USD store's results read US$, stores of several currencies show no symbol."""
    from decimal import Decimal
    from types import SimpleNamespace as Values

    from shopops.audience.views import result_rows

    share = Values(treatment=0.25, holdout=0.2, diff=0.05, low=-0.01, high=0.11, significant=False)
    gmv = Values(treatment=None, holdout=None, diff=Decimal("1.5"), low=Decimal("-2"), high=Decimal("1234.5"),
                 significant=False)
    results = Values(conversion=share, repurchase=share, gmv=gmv, treatment=Values(gmv_per_customer=Decimal("12.5")),
                     holdout=Values(gmv_per_customer=Decimal("11")))
    shown = {cur: {r["key"]: r for r in result_rows(results, cur)}["gmv"] for cur in ("USD", "CNY", "")}
    assert [shown["USD"][k] for k in ("treatment", "holdout", "diff", "low", "high")] == [
        "US$12.50", "US$11.00", "+US$1.50", "−US$2.00", "+US$1,234.50"]
    assert (shown["CNY"]["treatment"], shown["CNY"]["diff"]) == ("¥12.50", "+¥1.50")
    assert (shown[""]["treatment"], shown[""]["low"]) == ("12.50", "−2.00")
    conversion = {r["key"]: r for r in result_rows(results, "USD")}["conversion"]
    assert (conversion["treatment"], conversion["diff"]) == ("25.00%", "+5.00 pp")
