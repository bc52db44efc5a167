"""A report as PDF: weasyprint over the standalone HTML document (print rules in report.css).

Chinese needs a CJK font on the machine: Debian ``fonts-wqy-zenhei`` ("WenQuanYi Zen Hei"),
which scripts/system-deps.sh installs. weasyprint is imported lazily (it loads pango).
"""

from __future__ import annotations

import logging
from pathlib import Path

# weasyprint logs every CSS rule it does not support (screen-only rules) as a warning
logging.getLogger("weasyprint").setLevel(logging.ERROR)


def report_pdf(document_html: str, path: Path) -> Path:
    from weasyprint import HTML

    HTML(string=document_html, base_url=str(path.parent)).write_pdf(str(path))
    return path
