"""The layering, checked on the source (every `import`, at any depth, followed through the
project's own modules): transforms/ reaches neither Prefect nor DuckDB, warehouse/ never
spaCy, and no modules import each other."""

from __future__ import annotations

import ast
from functools import cache

import pytest

from tests.conftest import ROOT

PACKAGES = ("flows", "transforms", "expectations", "warehouse")


@cache
def _modules() -> dict[str, ast.Module]:
    out = {}
    for pkg in PACKAGES:
        for p in (ROOT / pkg).rglob("*.py"):
            name = ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            out[name] = ast.parse(p.read_text(encoding="utf-8"))
    return out


def _imports(name: str) -> set[str]:
    """Modules `name` imports anywhere in it (dotted names)."""
    found = set()
    for node in ast.walk(_modules()[name]):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:  # the project has no relative imports
            found.add(node.module)
            found |= {
                f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in _modules()
            }
    return found


def _project(names: set[str]) -> set[str]:
    mods = _modules()
    return {n for n in names if n in mods}


def reach(start: str) -> set[str]:
    """Every module (project and outside) `start` can import, following project modules."""
    seen, todo, outside = set(), [start], set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        for imp in _imports(m):
            if imp in _modules():
                todo.append(imp)
            elif imp.split(".")[0] not in PACKAGES:
                outside.add(imp.split(".")[0])
    return seen | outside


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("transforms", {"prefect", "duckdb", "flows", "warehouse"}),
        ("warehouse", {"spacy", "prefect", "flows"}),
    ],
)
def test_a_package_never_reaches_what_its_layer_must_not(package, forbidden):
    bad = {
        m: sorted(reach(m) & forbidden)
        for m in _modules()
        if m.split(".")[0] == package and reach(m) & forbidden
    }
    assert bad == {}


def _cycles() -> list[list[str]]:
    """Groups of project modules that import each other, directly or through others, by
    any import (a lazy one inside a function too: it is the same dependency)."""
    graph = {m: _project(_imports(m)) - {m} for m in _modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    return groups


def test_no_modules_import_each_other():
    assert _cycles() == []
