"""Template filters of the campaign pages."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from shopops.core.roles import ROLE_LABELS, Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    """A role's label in the page's language ("" for no role)."""
    try:
        zh, en = ROLE_LABELS[Role(value)]
    except ValueError:
        return ""
    return en if (get_language() or "").startswith("en") else zh


@register.simple_tag
def calendar_day_items(items) -> str:
    """A calendar day's items as one escaped ``<ul>`` (one tag per day cell, not a template loop per
    item: the 500-item month renders in a fraction of the time)."""
    from django.utils.html import format_html, format_html_join

    if not items:
        return ""
    rows = []
    for i in items:
        title = " · ".join(x for x in (i.title, i.detail, i.owner) if x)
        label = format_html('<a href="{}">{}</a>', i.url, i.title) if i.url else i.title
        rows.append((i.kind, " is-overdue" if i.overdue else "", title, i.uid, label))
    return format_html('<ul class="cal-items">{}</ul>',
                       format_html_join("", '<li class="cal-item k-{}{}" title="{}" data-item="{}">{}</li>', rows))


@register.simple_tag
def calendar_month_rows(weeks, today) -> str:
    """The ``<tr>`` rows of a month grid (``selectors.calendar_month_grid``), escaped, in one tag:
    a year view is 12 × 42 cells, too many for a template loop to stay fast."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    out = []
    for week in weeks:
        cells = []
        for d in week:
            classes = ("" if d["in_month"] else "out") + (" today" if d["date"] == today else "")
            day_attr = format_html(' data-day="{}"', d["date"].isoformat()) if d["in_month"] else ""
            items = calendar_day_items(d["items"]) if d["in_month"] else ""
            cells.append(format_html('<td class="{}"{}><div class="cal-day">{}</div>{}</td>', classes.strip(), day_attr,
                                     d["date"].day, items))
        out.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("".join(out))  # every part above is format_html-escaped
