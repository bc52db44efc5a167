"""Channel adapters: SMS, WeChat template message, WeCom, app push, email — and the
development outbox, the default for every channel, which records what would be sent.

Settings (``SHOPOPS_OUTREACH``)::

    SHOPOPS_OUTREACH = {
        "adapters": {"sms": "outbox", "email": "email", ...},     # channel -> adapter name
        "sms": {"endpoint": "https://…", "sign_name": "某某旗舰店", "template_code": "SMS_1"},
        "wechat_template": {"endpoint": "https://…", "template_id": "…"},
        "wecom": {"endpoint": "https://…", "sender": "…"},
        "app_push": {"endpoint": "https://…"},
    }

The warehouse holds no raw phone, open id or e-mail (PIPL: masked or hashed at ingest),
so the real adapters need the store's own address book: an *address resolver*
registered with :func:`register_address_resolver` (``fn(store_id, customer_id, channel)
-> str | None``). Without it, or without an endpoint, they refuse with a message naming
the missing setting — nothing is half sent. The HTTP adapters build each provider's
payload in :meth:`payload` (tested) and POST it as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings

from shopops.core.errors import ConfigurationError

OUTBOX = "outbox"


@dataclass(frozen=True, slots=True)
class Message:
    channel: str
    store_id: str
    customer_id: str
    recipient: str  # masked, for records
    text: str
    subject: str = ""
    outreach_id: int | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    ok: bool
    error: str = ""
    external_id: str = ""


class Adapter:
    name = ""

    def send(self, messages: Sequence[Message], *, now: dt.datetime) -> list[Delivery]:
        raise NotImplementedError


class OutboxAdapter(Adapter):
    """Records every message in ``OutboxMessage`` (channel, masked recipient, text, time)."""

    name = OUTBOX

    def send(self, messages: Sequence[Message], *, now: dt.datetime) -> list[Delivery]:
        from shopops.audience.models import OutboxMessage

        rows = OutboxMessage.objects.bulk_create([
            OutboxMessage(channel=m.channel, recipient=m.recipient, store_id=m.store_id, subject=m.subject,
                          text=m.text, created_at=now, outreach_id=m.outreach_id) for m in messages])
        return [Delivery(True, external_id=f"outbox:{r.pk}" if r.pk else "outbox") for r in rows]


_resolver: Callable[[str, str, str], str | None] | None = None


def register_address_resolver(fn: Callable[[str, str, str], str | None] | None) -> None:
    global _resolver
    _resolver = fn


def _config(channel: str) -> dict:
    return dict(getattr(settings, "SHOPOPS_OUTREACH", {}).get(channel, {}))


class HttpAdapter(Adapter):
    """POSTs one JSON payload per message to the provider endpoint configured for the channel."""

    channel = ""
    required: tuple[str, ...] = ("endpoint",)

    def __init__(self, config: dict | None = None, transport: Callable[[str, bytes], tuple[int, str]] | None = None):
        self.config = _config(self.channel) if config is None else config
        self.transport = transport or _post

    def check(self) -> None:
        missing = [k for k in self.required if not self.config.get(k)]
        if missing:
            raise ConfigurationError(
                f"SHOPOPS_OUTREACH['{self.channel}'] needs {', '.join(missing)} to send by {self.channel}; "
                "use the outbox adapter in development")
        if _resolver is None:
            raise ConfigurationError(
                f"sending by {self.channel} needs the store's address book: register an address resolver "
                "(shopops.audience.outreach.channels.register_address_resolver)")

    def payload(self, message: Message, address: str) -> dict:
        raise NotImplementedError

    def send(self, messages: Sequence[Message], *, now: dt.datetime) -> list[Delivery]:
        self.check()
        out = []
        for m in messages:
            address = _resolver(m.store_id, m.customer_id, m.channel) if _resolver else None
            if not address:
                out.append(Delivery(False, error="no address for this customer on this channel"))
                continue
            try:
                status, body = self.transport(self.config["endpoint"], json.dumps(self.payload(m, address)).encode())
            except OSError as exc:
                out.append(Delivery(False, error=f"{type(exc).__name__}: {exc}"[:300]))
                continue
            out.append(Delivery(200 <= status < 300, error="" if 200 <= status < 300 else f"HTTP {status}: {body[:200]}"))
        return out


def _post(url: str, data: bytes) -> tuple[int, str]:
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - configured provider endpoint
        return resp.status, resp.read().decode("utf-8", "replace")


class SmsAdapter(HttpAdapter):
    """SMS through a provider's template API (signature + template code + parameters)."""

    name = channel = "sms"
    required = ("endpoint", "sign_name", "template_code")

    def payload(self, message: Message, address: str) -> dict:
        return {"PhoneNumbers": address, "SignName": self.config["sign_name"],
                "TemplateCode": self.config["template_code"],
                "TemplateParam": json.dumps({"content": message.text}, ensure_ascii=False)}


class WeChatTemplateAdapter(HttpAdapter):
    """WeChat official-account template message (模板消息) to an open id."""

    name = channel = "wechat_template"
    required = ("endpoint", "template_id")

    def payload(self, message: Message, address: str) -> dict:
        data = {"thing1": {"value": message.subject or message.text[:20]}, "thing2": {"value": message.text}}
        return {"touser": address, "template_id": self.config["template_id"], "data": data}


class WeComAdapter(HttpAdapter):
    """WeCom (企业微信) customer-contact message to an external contact."""

    name = channel = "wecom"
    required = ("endpoint", "sender")

    def payload(self, message: Message, address: str) -> dict:
        return {"chat_type": "single", "external_userid": [address], "sender": self.config["sender"],
                "text": {"content": message.text}}


class AppPushAdapter(HttpAdapter):
    """App push to a device / user alias."""

    name = channel = "app_push"

    def payload(self, message: Message, address: str) -> dict:
        return {"audience": {"alias": [address]},
                "notification": {"title": message.subject, "alert": message.text}}


class EmailAdapter(Adapter):
    """E-mail through Django's configured e-mail backend."""

    name = channel = "email"

    def send(self, messages: Sequence[Message], *, now: dt.datetime) -> list[Delivery]:
        from django.core.mail import EmailMessage, get_connection

        if _resolver is None:
            raise ConfigurationError("sending e-mail needs the store's address book: register an address resolver")
        out = []
        with get_connection() as connection:
            for m in messages:
                address = _resolver(m.store_id, m.customer_id, m.channel)
                if not address:
                    out.append(Delivery(False, error="no e-mail address for this customer"))
                    continue
                sent = EmailMessage(m.subject, m.text, to=[address], connection=connection).send()
                out.append(Delivery(bool(sent)))
        return out


ADAPTERS: dict[str, type[Adapter]] = {a.name: a for a in (
    OutboxAdapter, SmsAdapter, WeChatTemplateAdapter, WeComAdapter, AppPushAdapter, EmailAdapter)}


def adapter_for(channel: str) -> Adapter:
    """The adapter configured for ``channel`` (the outbox unless configured otherwise)."""
    name = getattr(settings, "SHOPOPS_OUTREACH", {}).get("adapters", {}).get(channel, OUTBOX)
    try:
        return ADAPTERS[name]()
    except KeyError as exc:
        raise ConfigurationError(
            f"SHOPOPS_OUTREACH['adapters']['{channel}'] = {name!r}: unknown adapter; expected one of {', '.join(ADAPTERS)}"
        ) from exc
