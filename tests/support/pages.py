"""Reading numbers back from rendered pages: tiles, data tables and XLSX exports."""

from __future__ import annotations

import io
import re

import openpyxl


def table_rows(html: str, table_id: str) -> list[dict[str, str]]:
    """{column key: data-value} per body row of the table ``data-table=table_id``."""
    match = re.search(rf'<table[^>]*data-table="{table_id}"[^>]*>(.*?)</table>', html, re.S)
    assert match, f"no table {table_id}"
    body = match.group(1).split("<tbody>", 1)[1]
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = dict(re.findall(r'data-col="([^"]+)"[^>]*?data-value="([^"]*)"', tr))
        if cells:
            rows.append(cells)
    return rows


def tiles(html: str) -> dict[str, str]:
    return dict(re.findall(r'class="tile-value" data-kpi="([^"]+)" data-value="([^"]*)"', html))


def workbook(response) -> openpyxl.worksheet.worksheet.Worksheet:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def browser_login(page, base_url: str, username: str, password: str) -> None:
    """Log in through the real login form in Chromium and wait for the cockpit."""
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(f"{base_url}/")
