"""Data migration: the tickets the system made before ``Ticket.generated`` existed get their parameters read
back from the Chinese texts it wrote (refund, 1–2 star review and 差评-wave tickets), so pages show their
subjects in the reader's language too. A text that does not parse (edited, or of an older shape) is left as
it is: the page shows it as stored."""

import re

from django.db import migrations

REFUND_DESCRIPTION = re.compile(r"^订单 (?P<order_id>\S+) 申请退款 (?P<amount>-?[\d.]+)（(?P<status>[^）]*)）。原因：(?P<reason>.*)$",
                                re.S)
REVIEW_SUBJECT = re.compile(r"^差评 (?P<rating>[1-5])★：")
WAVE_SUBJECT = re.compile(r"^差评集中：商品 (?P<product_id>.+) 近 7 天 (?P<bad>\d+) 条差评$")
WAVE_DESCRIPTION = re.compile(
    r"^(?P<first_day>\d{4}-\d{2}-\d{2}) 起商品 .+? 差评集中出现：7 天内 (?P<bad>\d+) 条差评 / (?P<reviews>\d+) 条评价"
    r"（平时约 (?P<expected>[\d.]+) 条）。主要问题：(?P<top>.*?)。\n?(?P<examples>.*)$", re.S)


def _aspect_codes() -> dict[str, str]:
    try:
        from shopops.service.aspects import LABEL_ZH
    except ImportError:  # pragma: no cover - the labels moved: keep the Chinese label as the code
        return {}
    return {label: code for code, label in LABEL_ZH.items()}


def _parse(ticket, codes) -> dict:
    if ticket.source == "refund":
        m = REFUND_DESCRIPTION.match(ticket.description or "")
        if not m or not ticket.source_ref:
            return {}
        reason = m["reason"].strip()
        return {"kind": "refund", "refund_id": ticket.source_ref, "reason": "" if reason == "-" else reason,
                "order_id": m["order_id"], "amount": m["amount"], "status": m["status"]}
    if ticket.source == "review":
        m = REVIEW_SUBJECT.match(ticket.subject or "")
        return {"kind": "review", "rating": int(m["rating"]), "excerpt": (ticket.description or "")[:60]} if m else {}
    if ticket.source == "review_wave":
        s, d = WAVE_SUBJECT.match(ticket.subject or ""), WAVE_DESCRIPTION.match(ticket.description or "")
        if not s or not d:
            return {}
        top = []
        for part in d["top"].split(", "):
            label, _, n = part.rpartition(" ")
            if label and n.isdigit():
                top.append([codes.get(label, label), int(n)])
        return {"kind": "review_wave", "product_id": s["product_id"], "product_title": "",
                "first_day": d["first_day"], "bad": int(d["bad"]), "reviews": int(d["reviews"]),
                "expected": float(d["expected"]), "top": top,
                "examples": [line[2:] for line in d["examples"].splitlines() if line.startswith("- ")]}
    return {}


def backfill(apps, schema_editor):
    Ticket = apps.get_model("service", "Ticket")
    codes = _aspect_codes()
    for ticket in Ticket.objects.filter(source__in=["refund", "review", "review_wave"], generated={}).iterator():
        generated = _parse(ticket, codes)
        if generated:
            Ticket.objects.filter(pk=ticket.pk).update(generated=generated)


class Migration(migrations.Migration):

    dependencies = [
        ("service", "0003_ticket_generated"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
