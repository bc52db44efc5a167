"""Reject reasons in the reader's language.

The pipeline (no Django) stores each reject's reason in English: it is the stable text of
the rejects CSV, the API and the logs. Pages and downloads show it through
``reason_display``, which recognises every reason the pipeline writes and translates it
with its values kept; a reason it does not know is shown as stored.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

# (pattern of the stored English reason, its message id with the pattern's groups as %(name)s)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), m) for p, m in (
    (r"^required value is missing$", N_("required value is missing")),
    (r"^expected a whole number$", N_("expected a whole number")),
    (r"^expected seconds since 1970-01-01 \(a whole number\)$", N_("expected seconds since 1970-01-01 (a whole number)")),
    (r"^expected an amount like 1299\.00 or ¥1,299\.00 \(at most 2 decimals\)$",
     N_("expected an amount like 1299.00 or ¥1,299.00 (at most 2 decimals)")),
    (r"^expected an amount like 1299\.00 or ¥1,299\.00$", N_("expected an amount like 1299.00 or ¥1,299.00")),
    (r"^expected a date like (?P<example>\S+)$", N_("expected a date like %(example)s")),
    (r"^expected a date and time like 2025-11-11 00:05:00$", N_("expected a date and time like 2025-11-11 00:05:00")),
    (r"^expected 是/否 \(yes/no\)$", N_("expected 是/否 (yes/no)")),
    (r"^unknown value; expected one of: (?P<known>.*)$", N_("unknown value; expected one of: %(known)s")),
    (r"^expected an 11-digit mobile number \(or one masked as 138\*\*\*\*5678\)$",
     N_("expected an 11-digit mobile number (or one masked as 138****5678)")),
    (r"^duplicate of row (?P<row>\d+) \(same (?P<keys>.*)\)$", N_("duplicate of row %(row)s (same %(keys)s)")),
    (r"^expected a share like 85\.2% or 0\.852 \(0–100 %\)$", N_("expected a share like 85.2% or 0.852 (0–100 %)")),
    (r"^expected a duration like 25, 25秒, 25s, 1分05秒 or 00:01:05 \(seconds\)$",
     N_("expected a duration like 25, 25秒, 25s, 1分05秒 or 00:01:05 (seconds)")),
    (r"^contains a control character or a byte-order mark \(U\+FEFF\): a binary file, or two exports pasted together\?$",
     N_("contains a control character or a byte-order mark (U+FEFF): a binary file, or two exports pasted together?")),
    (r"^the value is longer than (?P<limit>[\d,]+) characters$", N_("the value is longer than %(limit)s characters")),
    (r"^expected a period like 2026-11-01~2026-11-30 \(or 2026-11-01至2026-11-30, or one date\)$",
     N_("expected a period like 2026-11-01~2026-11-30 (or 2026-11-01至2026-11-30, or one date)")),
    (r"^ends before it starts: expected (?P<last>\S+) on or after (?P<first>\S+)$",
     N_("ends before it starts: expected %(last)s on or after %(first)s")),
    # the kind of value comes from the app that registered the column (ingest.known_values): its own message id
    (r"^unknown (?P<what>.+?); known: (?P<known>.*)$", N_("unknown %(what)s; known: %(known)s")),
))
_TRANSLATED_GROUPS = ("what",)


def reason_display(reason: str) -> str:
    """``reason`` as the pipeline stored it, translated into the active language."""
    for pattern, message in _PATTERNS:
        match = pattern.match(reason or "")
        if match:
            groups = {k: _(v) if k in _TRANSLATED_GROUPS else v for k, v in match.groupdict().items()}
            return _(message) % groups if groups else _(message)
    return reason

