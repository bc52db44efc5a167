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
    (r"^below (?P<floor>-?\d+): expected a whole number ≥ (?P=floor)$", N_("below %(floor)s: expected a whole number ≥ %(floor)s")),
    (r"^below (?P<floor>-?\d+): expected an amount ≥ (?P=floor)$", N_("below %(floor)s: expected an amount ≥ %(floor)s")),
    (r"^less than the shipping fee it includes \((?P<shipping>.+)\): expected an amount ≥ (?P=shipping)$",
     N_("less than the shipping fee it includes (%(shipping)s): expected an amount ≥ %(shipping)s")),
    # the kind of value comes from the app that registered the column (ingest.known_values): its own message id
    (r"^unknown (?P<what>.+?); known: (?P<known>.*)$", N_("unknown %(what)s; known: %(known)s")),
))
_TRANSLATED_GROUPS = ("what",)

# Whole-file messages of ingest.readers ("<file>: <what is wrong>"): the file's name is kept
# as written, the rest translated; details quoted from a library (an exception's text) stay as they are.
_FILE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.DOTALL), m) for p, m in (
    (r"^(?P<file>.+?): the file is empty \(0 bytes\)$", N_("%(file)s: the file is empty (0 bytes)")),
    (r"^(?P<file>.+?): (?P<member>.+?) is empty \(0 bytes\)$", N_("%(file)s: %(member)s is empty (0 bytes)")),
    (r"^(?P<file>.+?): no such file$", N_("%(file)s: no such file")),
    (r"^(?P<file>.+?): the first line is empty; expected a header row$",
     N_("%(file)s: the first line is empty; expected a header row")),
    (r"^(?P<file>.+?): the text is UTF-16 \(what Excel's \"Unicode text\" writes\); save the export as UTF-8 or GBK CSV$",
     N_("%(file)s: the text is UTF-16 (what Excel's \"Unicode text\" writes); save the export as UTF-8 or GBK CSV")),
    (r"^(?P<file>.+?): the text is neither UTF-8 nor GBK/GB18030; save the export as UTF-8 or GBK CSV$",
     N_("%(file)s: the text is neither UTF-8 nor GBK/GB18030; save the export as UTF-8 or GBK CSV")),
    (r"^(?P<file>.+?): the header repeats column\(s\) (?P<columns>.+?)(; each column must be named once)?$",
     N_("%(file)s: the header repeats column(s) %(columns)s; each column must be named once")),
    (r"^(?P<file>.+?): (the compressed file|the file|the zip file|the zip/xlsx file) is truncated or corrupt(?P<detail> \(.*\))?$",
     N_("%(file)s: the file is truncated or corrupt%(detail)s")),
    (r"^(?P<file>.+?): not a readable \.xlsx workbook \(corrupt or truncated: (?P<detail>.*)\)$",
     N_("%(file)s: not a readable .xlsx workbook (corrupt or truncated: %(detail)s)")),
    (r"^(?P<file>.+?): the workbook is password-protected \(or an old \.xls\); remove the password or save it as \.xlsx, then import again$",
     N_("%(file)s: the workbook is password-protected (or an old .xls); remove the password or save it as .xlsx, then import again")),
    (r"^(?P<file>.+?): the workbook has no sheet with a header row$", N_("%(file)s: the workbook has no sheet with a header row")),
    (r"^(?P<file>.+?): a zip must hold exactly one data file; it holds (?P<n>\d+)$",
     N_("%(file)s: a zip must hold exactly one data file; it holds %(n)s")),
    (r"^(?P<file>.+?): (?P<member>.+?) is password-protected; zip it again without a password$",
     N_("%(file)s: %(member)s is password-protected; zip it again without a password")),
    (r"^(?P<file>.+?): row (?P<row>\d+) has a different number of fields than the header \((?P<detail>.*)\); "
     r"the file may be truncated or its delimiter/quoting broken$",
     N_("%(file)s: row %(row)s has a different number of fields than the header (%(detail)s); "
        "the file may be truncated or its delimiter/quoting broken")),
    (r"^(?P<file>.+?): a row has a different number of fields than the header \((?P<detail>.*)\); "
     r"the file may be truncated or its delimiter/quoting broken$",
     N_("%(file)s: a row has a different number of fields than the header (%(detail)s); "
        "the file may be truncated or its delimiter/quoting broken")),
    (r"^(?P<file>.+?): the workbook unpacks to (?P<size>\S+ MiB) from (?P<packed>\S+ MiB) \(ratio (?P<ratio>[\d,]+):1, "
     r"at most (?P<limit>[\d,]+):1, SHOPOPS_IMPORT_MAX_RATIO\); this looks like a zip bomb, not an export$",
     N_("%(file)s: the workbook unpacks to %(size)s from %(packed)s (ratio %(ratio)s:1, at most %(limit)s:1, "
        "SHOPOPS_IMPORT_MAX_RATIO); this looks like a zip bomb, not an export")),
    (r"^(?P<file>.+?): (?P<member>.+?) unpacks to (?P<size>\S+ MiB) from (?P<packed>\S+ MiB) \(ratio (?P<ratio>[\d,]+):1, "
     r"at most (?P<limit>[\d,]+):1, SHOPOPS_IMPORT_MAX_RATIO\); this looks like a zip bomb, not an export$",
     N_("%(file)s: %(member)s unpacks to %(size)s from %(packed)s (ratio %(ratio)s:1, at most %(limit)s:1, "
        "SHOPOPS_IMPORT_MAX_RATIO); this looks like a zip bomb, not an export")),
    (r"^(?P<file>.+?): the workbook unpacks to (?P<size>\S+ MiB); at most (?P<limit>\S+ MiB) "
     r"\(SHOPOPS_IMPORT_MAX_UNCOMPRESSED_BYTES\); split the export or import the uncompressed file$",
     N_("%(file)s: the workbook unpacks to %(size)s; at most %(limit)s (SHOPOPS_IMPORT_MAX_UNCOMPRESSED_BYTES); "
        "split the export or import the uncompressed file")),
    (r"^(?P<file>.+?): (?P<member>.+?) unpacks to (?P<size>\S+ MiB); at most (?P<limit>\S+ MiB) "
     r"\(SHOPOPS_IMPORT_MAX_UNCOMPRESSED_BYTES\); split the export or import the uncompressed file$",
     N_("%(file)s: %(member)s unpacks to %(size)s; at most %(limit)s (SHOPOPS_IMPORT_MAX_UNCOMPRESSED_BYTES); "
        "split the export or import the uncompressed file")),
    (r"^(?P<file>.+?): unpacks to more than (?P<limit>\S+ MiB) \(the cap for a file of this size: "
     r"SHOPOPS_IMPORT_MAX_UNCOMPRESSED_BYTES, SHOPOPS_IMPORT_MAX_RATIO\); refused as a possible zip bomb$",
     N_("%(file)s: unpacks to more than %(limit)s (the cap for a file of this size: "
        "SHOPOPS_IMPORT_MAX_UNCOMPRESSED_BYTES, SHOPOPS_IMPORT_MAX_RATIO); refused as a possible zip bomb")),
    (r"^(?P<file>.+?): the compressed data is truncated or corrupt(?P<detail> \(.*\))?$",
     N_("%(file)s: the file is truncated or corrupt%(detail)s")),
    (r"^(?P<file>.+?): holds (?P<member>.+?), which is itself an archive or a workbook; "
     r"a zip must hold one CSV file \(upload a workbook or a \.csv\.gz as it is\)$",
     N_("%(file)s: holds %(member)s, which is itself an archive or a workbook; "
        "a zip must hold one CSV file (upload a workbook or a .csv.gz as it is)")),
    (r"^(?P<file>.+?): cannot read (?P<member>.+?) \((?P<detail>.*)\)$", N_("%(file)s: cannot read %(member)s (%(detail)s)")),
    (r"^(?P<file>.+?): line 1 has (?P<n>\d+) fields; this headerless layout has (?P<m>\d+) \((?P<names>.*)\)$",
     N_("%(file)s: line 1 has %(n)s fields; this headerless layout has %(m)s (%(names)s)")),
    (r"^(?P<file>.+?): cannot parse as CSV: (?P<detail>.*)$", N_("%(file)s: cannot parse as CSV: %(detail)s")),
    # a layout told apart from another by its values (profile option detect_values; pipeline._check_headers)
    (r"^(?P<file>.+?): row (?P<row>\d+), column (?P<column>.+?): (?P<value>.*) is not this layout's value for profile "
     r"(?P<profile>\S+) \(expected to match (?P<pattern>.*)\); it looks like a .+ file \(profile (?P<likely>\S+)\)$",
     N_("%(file)s: row %(row)s, column %(column)s: %(value)s is not this layout's value for profile %(profile)s "
        "(expected to match %(pattern)s); it looks like a file of profile %(likely)s")),
    (r"^(?P<file>.+?): row (?P<row>\d+), column (?P<column>.+?): (?P<value>.*) is not this layout's value for profile "
     r"(?P<profile>\S+) \(expected to match (?P<pattern>.*)\)$",
     N_("%(file)s: row %(row)s, column %(column)s: %(value)s is not this layout's value for profile %(profile)s "
        "(expected to match %(pattern)s)")),
))


def reason_display(reason: str) -> str:
    """``reason`` as the pipeline stored it, translated into the active language."""
    for pattern, message in _PATTERNS:
        match = pattern.match(reason or "")
        if match:
            groups = {k: _(v) if k in _TRANSLATED_GROUPS else v for k, v in match.groupdict().items()}
            return _(message) % groups if groups else _(message)
    return reason


def file_error_display(message: str) -> str:
    """A whole-file error of the readers (``"<file>: …"``), translated into the active language."""
    for pattern, text in _FILE_PATTERNS:
        match = pattern.match(message or "")
        if match:
            translated = _(text)
            if translated == text:  # English (or no catalogue): the reader's own words, as stored
                return message
            return translated % {k: v or "" for k, v in match.groupdict().items()}
    return message


# Warnings of an import (``ImportOutcome.warnings``, kept on the job in English like the reasons)
_WARNING_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.DOTALL), m) for p, m in (
    (r"^(?P<file>.+?): (?P<count>\d+) row\(s\) dated after the import \((?P<at>.+?)\) in column (?P<column>.+?), "
     r"imported as they are; check the export: (?P<rows>.*)$",
     N_("%(file)s: %(count)s row(s) dated after the import (%(at)s) in column %(column)s, imported as they are; "
        "check the export: %(rows)s")),
    (r"^(?P<file>.+?): column\(s\) not in profile (?P<profile>\S+), ignored: (?P<columns>.*)$",
     N_("%(file)s: column(s) not in profile %(profile)s, ignored: %(columns)s")),
))
_ROW_AT = re.compile(r"row (\d+) \(([^)]*)\)")


def warning_display(message: str) -> str:
    """An import warning as stored, in the active language (as stored when it is not recognised)."""
    for pattern, text in _WARNING_PATTERNS:
        match = pattern.match(message or "")
        if match:
            groups = match.groupdict()
            if "rows" in groups:
                groups["rows"] = ", ".join(_("row %(row)s (%(at)s)") % {"row": r, "at": at}
                                           for r, at in _ROW_AT.findall(groups["rows"]))
            return _(text) % groups
    return message


_DESCRIPTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), m) for p, m in (
    (r"^csv (?P<encoding>\S+) gzip delimiter (?P<delimiter>.+)$", N_("csv %(encoding)s gzip, delimiter %(delimiter)s")),
    (r"^csv (?P<encoding>\S+) in zip \((?P<member>.+)\) delimiter (?P<delimiter>.+)$",
     N_("csv %(encoding)s in zip (%(member)s), delimiter %(delimiter)s")),
    (r"^csv (?P<encoding>\S+) delimiter (?P<delimiter>.+)$", N_("csv %(encoding)s, delimiter %(delimiter)s")),
    (r"^xlsx sheet (?P<sheet>.+)$", N_("xlsx, sheet %(sheet)s")),
))


def description_display(description: str) -> str:
    """How a file reads (``readers.TabularSource.description``: "csv utf-8-sig delimiter ','") in the active language."""
    for pattern, text in _DESCRIPTIONS:
        match = pattern.match(description or "")
        if match:
            return _(text) % match.groupdict()
    return description
