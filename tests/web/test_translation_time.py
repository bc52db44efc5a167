"""Texts are translated when a page is drawn, not when a module is imported.

``gettext`` called at import time (a module's table of columns, a class attribute) translates once, into
whatever language was active then (the default, 简体中文) — the English customer list showed 订单, 支付金额, 首单日期
as its headers. Such labels must be ``gettext_lazy``. This reads every module of the package (no import) and
names each call of a non-lazy ``gettext`` / ``ngettext`` / ``pgettext`` outside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import shopops

NON_LAZY = {"gettext", "ngettext", "pgettext"}


def _import_time_calls(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    names = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
             and n.module == "django.utils.translation" for a in n.names if a.name in NON_LAZY}
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if (not in_function and isinstance(child, ast.Call) and isinstance(child.func, ast.Name)
                    and child.func.id in names):
                found.append((child.lineno, ast.unparse(child)[:80]))
            visit(child, inside)

    if names:
        visit(tree, False)
    return found


def test_the_scanner_catches_a_label_translated_at_import():
    bad = ("from django.utils.translation import gettext as _\n"
           "COLUMNS = (('orders', _('Orders')),)\n"
           "class Form:\n    label = _('Store')\n"
           "def view():\n    return _('fine: translated per request')\n")
    assert [line for line, _call in _import_time_calls(bad)] == [2, 4]
    assert _import_time_calls("from django.utils.translation import gettext_lazy as _\nX = _('Orders')\n") == []


def test_no_module_translates_at_import_time():
    root = Path(shopops.__file__).parent
    offenders = [f"{p.relative_to(root)}:{line}: {call}" for p in sorted(root.rglob("*.py"))
                 if "migrations" not in p.parts for line, call in _import_time_calls(p.read_text(encoding="utf-8"))]
    assert offenders == []
