from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    """``{{ names|get_item:id }}``: a dict lookup by a variable key."""
    return mapping.get(key, "") if mapping else ""


@register.filter
def said(reason):
    """An offer's reason in the page's language (the engine's ``Said`` carries both); other text as it is."""
    from django.utils.translation import get_language

    pick = getattr(reason, "pick", None)
    return pick(get_language()) if callable(pick) else reason
