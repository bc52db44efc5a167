"""Masking personal data for display (PIPL): what a page shows of a phone, a name or a buyer id.

The warehouse already holds phones masked and names hashed (ingest does it); these helpers
mask again for display whatever a page is given, so a raw value that slipped through is
never shown whole. Pure functions, no Django import.
"""

from __future__ import annotations

import re

MASK = "*"


def mask_phone(value: str | None) -> str:
    """``13812345678`` -> ``138****5678``; an already masked or short value keeps at most 3 + 4 visible."""
    if not value:
        return ""
    digits = re.sub(r"[\s-]", "", str(value))
    if len(digits) <= 7:
        return digits[:1] + MASK * (len(digits) - 1)
    return digits[:3] + MASK * (len(digits) - 7) + digits[-4:]


def mask_name(value: str | None) -> str:
    """``张三丰`` -> ``张**``; ``Alice Smith`` -> ``A**** S****``: the first character of each word."""
    if not value:
        return ""
    words = str(value).split()
    if len(words) == 1 and re.search(r"[\u4e00-\u9fff]", words[0]):
        w = words[0]
        return w[0] + MASK * max(1, len(w) - 1)
    return " ".join(w[0] + MASK * max(1, len(w) - 1) for w in words)


def mask_id(value: str | None) -> str:
    """A buyer id / nickname: the first 3 and last 2 characters, the middle masked (``tb1******03``).

    Ids of 5 characters or fewer keep only their first character.
    """
    if not value:
        return ""
    s = str(value)
    if len(s) <= 5:
        return s[:1] + MASK * (len(s) - 1)
    return s[:3] + MASK * (len(s) - 5) + s[-2:]
