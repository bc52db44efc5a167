"""Delivery of the 晨报 (daily brief): message payloads per channel and the adapters that send them.

Payload builders follow each robot's documented webhook format:

* WeCom (企业微信) group robot — ``{"msgtype": "markdown", "markdown": {"content": …}}``
* DingTalk (钉钉) custom robot — ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``
* Feishu (飞书) custom bot — ``{"msg_type": "post", "content": {"post": {"zh_cn": {"title": …, "content": [[…]]}}}}``
* email — subject, plain text and HTML bodies, sent through Django's email backend.

Channels come from ``SHOPOPS_INSIGHTS_CHANNELS`` (a list of ``{"channel": "wecom", "url": …}``
or ``{"channel": "email", "to": [...]}``). A webhook without a URL — the default, and every
development machine — goes to the **outbox**: a ``Delivery`` row holding exactly what would
be posted, shown on the outbox page. Nothing is sent over the network unless a URL is set.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.html import escape

from shopops.insights.models import Delivery


@dataclass(frozen=True)
class Message:
    """A brief as plain parts: a title and lines (each line one KPI or one finding)."""

    title: str
    lines: list[str]
    link: str = ""

    def markdown(self) -> str:
        body = "\n".join(self.lines)
        link = f"\n\n[{self.link}]({self.link})" if self.link else ""
        return f"### {self.title}\n{body}{link}"

    def text(self) -> str:
        return "\n".join([self.title, "", *self.lines, *([""] + [self.link] if self.link else [])])


def wecom_payload(m: Message) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": m.markdown()[:4096]}}


def dingtalk_payload(m: Message) -> dict:
    return {"msgtype": "markdown", "markdown": {"title": m.title, "text": m.markdown()}}


def feishu_payload(m: Message) -> dict:
    content = [[{"tag": "text", "text": line}] for line in m.lines]
    if m.link:
        content.append([{"tag": "a", "text": m.link, "href": m.link}])
    return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": m.title, "content": content}}}}


def email_payload(m: Message) -> dict:
    html_lines = "".join(f"<li>{escape(line.lstrip('· '))}</li>" for line in m.lines)
    link = f'<p><a href="{escape(m.link)}">{escape(m.link)}</a></p>' if m.link else ""
    return {"subject": m.title, "text": m.text(), "html": f"<h2>{escape(m.title)}</h2><ul>{html_lines}</ul>{link}"}


BUILDERS = {"wecom": wecom_payload, "dingtalk": dingtalk_payload, "feishu": feishu_payload, "email": email_payload}


def channels() -> list[dict]:
    configured = getattr(settings, "SHOPOPS_INSIGHTS_CHANNELS", None)
    if configured:
        return [dict(c) for c in configured]
    return [{"channel": c} for c in ("wecom", "dingtalk", "feishu", "email")]


def _mask(url: str) -> str:
    return url.split("?")[0][:60] + ("?…" if "?" in url else "") if url else ""


def deliver(*, message: Message, day, language: str, kind: str = "brief") -> list[Delivery]:
    """Build the message for every configured channel and send it or keep it in the outbox.

    One row per channel, kind, day, language and target: delivering the same brief again
    updates its row instead of sending twice.
    """
    out = []
    for conf in channels():
        channel = conf["channel"]
        if channel not in BUILDERS:
            raise ValueError(f"SHOPOPS_INSIGHTS_CHANNELS: channel {channel!r} is unknown; expected one of {', '.join(BUILDERS)}")
        payload = BUILDERS[channel](message)
        url = conf.get("url", "")
        to = list(conf.get("to", []))
        target = ",".join(to) if channel == "email" else _mask(url)
        existing = Delivery.objects.filter(channel=channel, kind=kind, day=day, language=language, target=target).first()
        if existing is not None and existing.status == Delivery.Status.SENT:
            out.append(existing)  # never send the same brief twice
            continue
        status, error = Delivery.Status.OUTBOX, ""
        if channel == "email" and to:
            try:
                mail = EmailMultiAlternatives(payload["subject"], payload["text"], to=to)
                mail.attach_alternative(payload["html"], "text/html")
                mail.send()
                status = Delivery.Status.SENT
            except Exception as exc:  # noqa: BLE001 - the row records why
                status, error = Delivery.Status.FAILED, str(exc)
        elif channel != "email" and url:
            try:
                req = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                             headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - a configured robot URL
                    resp.read()
                status = Delivery.Status.SENT
            except Exception as exc:  # noqa: BLE001
                status, error = Delivery.Status.FAILED, str(exc)
        row, _ = Delivery.objects.update_or_create(
            channel=channel, kind=kind, day=day, language=language, target=target,
            defaults={"subject": message.title, "payload": payload, "status": status, "error": error})
        out.append(row)
    return out
