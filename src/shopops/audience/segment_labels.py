"""Segment rules as people read them: field, operator and choice labels in the current
language, the rule editor's field list and a rule tree as one line of text.

The rule compiler (:mod:`shopops.audience.segments`) is a pure engine without Django; its
labels are English msgids, translated here where they are shown.
"""

from __future__ import annotations

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from shopops.audience.segments import FIELDS, OPERATOR_LABELS, available_fields, rules_validate

CHOICE_LABELS = {
    "champions": _("Champions"), "loyal": _("Loyal"), "potential_loyalists": _("Potential loyalists"),
    "new": _("New"), "promising": _("Promising"), "need_attention": _("Need attention"),
    "about_to_sleep": _("About to sleep"), "at_risk": _("At risk"), "cant_lose": _("Can't lose them"),
    "hibernating": _("Hibernating"), "lost": _("Lost"), "active": pgettext_lazy("lifecycle stage", "Active"),
    "reactivated": _("Reactivated"), "churned": _("Churned"),
}


def _t(msgid: str) -> str:
    return gettext(msgid) if msgid else ""


def fields_for_editor(columns) -> list[dict]:
    """The fields, operators and choices the browser rule editor offers (labels in the current language)."""
    return [{"name": f.name, "label": _t(f.label), "kind": f.kind, "help": _t(f.help),
             "operators": [{"value": op, "label": _t(OPERATOR_LABELS[op])} for op in f.operators],
             "choices": [{"value": c, "label": str(CHOICE_LABELS.get(c, c))} for c in f.choices]}
            for f in available_fields(columns)]


def describe(tree: dict) -> str:
    """The rule tree as one line of text in the current language."""
    tree = rules_validate(tree)

    def text(node: dict, top: bool = False) -> str:
        if "field" in node:
            f = FIELDS[node["field"]]
            value = node["value"]
            shown = "" if value is None else (" – ".join(map(str, value)) if node["operator"] == "between"
                                               else ", ".join(value) if isinstance(value, list) else str(value))
            return f"{_t(f.label)} {_t(OPERATOR_LABELS[node['operator']])} {shown}".strip()
        joiner = f" {gettext('and') if node['op'] == 'and' else gettext('or')} "
        inner = joiner.join(text(r) for r in node["rules"])
        return f"({inner})" if len(node["rules"]) > 1 and not top else inner

    return text(tree, top=True) or gettext("everyone")
