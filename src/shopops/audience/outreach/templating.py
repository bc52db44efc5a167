"""Message templates with variables: ``{name}``, ``{coupon_code}``, ``{store_name}``, ``{customer}``.

A template is checked when saved: an unknown variable, a format spec or an unbalanced
brace is an error naming the variable, so a send never fails half way on a typo.
Literal braces are written doubled (``{{`` and ``}}``). No Django import.
"""

from __future__ import annotations

from string import Formatter

from shopops.core.errors import ValidationError, translatable

_ = str  # marks a msgid for the catalog; the page translates it (ui.forms.error_text)

VARIABLES = {
    "name": "the customer's name or the greeting given for customers without one",
    "coupon_code": "code of the coupon attached to the send (empty without a coupon)",
    "store_name": "the store's name",
    "customer": "the customer id, masked",
}
MAX_LENGTH = {"sms": 300, "wechat_template": 600, "wecom": 2000, "app_push": 200, "email": 20000}


def template_check(text: str, *, where: str = "text") -> list[str]:
    """The variables ``text`` uses, or ValidationError naming the problem."""
    if not text or not text.strip():
        raise translatable(ValidationError, _("%(where)s: the text is empty."), where=where)
    used: list[str] = []
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as exc:
        raise translatable(ValidationError, _("%(where)s: %(detail)s (write a literal brace as {{ or }})."),
                           where=where, detail=str(exc)) from exc
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in VARIABLES:
            raise translatable(ValidationError, _("%(where)s: unknown variable {%(field)s}; expected one of %(known)s."),
                               where=where, field=field, known=", ".join("{" + v + "}" for v in VARIABLES))
        if spec or conversion:
            raise translatable(ValidationError, _("%(where)s: variable {%(field)s} takes no format (':' or '!')."),
                               where=where, field=field)
        used.append(field)
    return used


def template_render(text: str, variables: dict[str, str]) -> str:
    template_check(text)
    values = {k: str(variables.get(k, "") or "") for k in VARIABLES}
    return text.format_map(values)


def sms_signed(text: str, *, signature: str) -> str:
    """An SMS as the gateways require it: it starts with the sender's 【签名】.

    A text that already starts with one keeps it; otherwise 【signature】 is put in front.
    """
    text = text.strip()
    if text.startswith("【") and "】" in text[:40]:
        return text
    return f"【{signature.strip() or 'shopops'}】{text}"


def mask_id(value: str) -> str:
    """``c12345678`` -> ``c1*****78``: enough to tell rows apart, not to identify anyone."""
    value = str(value)
    if len(value) <= 4:
        return value[:1] + "*" * (len(value) - 1)
    keep = 2 if len(value) < 12 else 3
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]
