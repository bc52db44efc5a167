"""No import circle among the modules of src/shopops (imports inside functions count too).

The import graph comes from grimp (what import-linter builds on); a circle is a strongly
connected set of two or more modules. Break one by moving the shared part down (a record
type into its own module, a read into selectors) or by passing a value in.
"""

from __future__ import annotations

import grimp


def import_cycles(package: str = "shopops") -> list[list[str]]:
    """Every strongly connected set of 2+ modules of ``package`` (Tarjan, iterative).

    Imports under ``if TYPE_CHECKING:`` are not arrows (STYLE: types from elsewhere are imported
    that way precisely to keep arrows one way); every other import is, inside functions too.
    """
    graph = grimp.build_graph(package, exclude_type_checking_imports=True)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return sorted(cycles)


def test_the_cycle_finder_finds_a_circle(tmp_path, monkeypatch):
    pkg = tmp_path / "circlepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from circlepkg import b\n")
    (pkg / "b.py").write_text("def f():\n    from circlepkg import a\n")
    (pkg / "c.py").write_text("from circlepkg import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("circlepkg") == [["circlepkg.a", "circlepkg.b"]]


def test_no_import_cycle_among_shopops_modules():
    cycles = import_cycles()
    assert not cycles, "import circles:\n" + "\n".join(" <-> ".join(c) for c in cycles)
