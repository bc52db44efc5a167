"""docs/security.md states the role matrix of core/roles.py; keep them equal."""

from pathlib import Path

from shopops.core.roles import ROLE_MODULES, Module, Role

DOC = Path(__file__).parents[2] / "docs" / "security.md"


def test_the_role_matrix_in_the_security_doc_is_the_code_s():
    lines = [ln for ln in DOC.read_text(encoding="utf-8").splitlines() if ln.startswith("| ")]
    header = next(ln for ln in lines if ln.startswith("| role | cockpit"))
    modules = [c.strip() for c in header.strip("|").split("|")][1:]
    assert modules == [m.value for m in Module]
    rows = {}
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        for role in Role:
            if f"`{role.value}`" in cells[0]:
                rows[role] = {Module(m) for m, mark in zip(modules, cells[1:], strict=True) if mark == "✓"}
    assert rows == dict(ROLE_MODULES)
