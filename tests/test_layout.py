"""The package's layout holds (../shared/STYLE.md): capabilities depend on each other in one
direction only, core depends on none of them, surfaces hold no SQL, each capability owns its
tables and its command group, and settings are the only reader of the environment."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import recoque

ROOT = Path(recoque.__file__).parent


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(("recoque", *path.relative_to(ROOT).with_suffix("").parts)).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


MODULES = _modules()


def _imports(tree: ast.Module) -> set[str]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def _capability(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else module


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for name, tree in MODULES.items():
        for target in _imports(tree):
            if target.startswith("recoque.") and _capability(target) != _capability(name):
                graph[_capability(name)].add(_capability(target))
    return graph


def test_capabilities_depend_on_each_other_in_one_direction():
    graph = _graph()
    cycles = sorted({tuple(sorted((a, b))) for a, targets in graph.items() for b in targets if a in graph.get(b, ())})
    assert cycles == [], f"capabilities importing each other: {cycles}"

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in graph.get(start, ()))
    longer = sorted(c for c in graph if reaches(c, c, {c}))
    assert longer == [], f"capabilities on a dependency cycle: {longer}"


def test_core_depends_on_no_capability():
    assert _graph().get("core", set()) == set()


def test_pages_and_routers_hold_no_sql():
    for name, tree in MODULES.items():
        if _capability(name) not in ("api", "web"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
                assert [a.name for a in node.names] == ["Engine"], f"{name} imports {[a.name for a in node.names]}"
            if isinstance(node, ast.ImportFrom) and node.module == "recoque.core.store":
                raise AssertionError(f"{name} opens the store itself: move the query to its capability's service")


def test_only_settings_read_the_environment():
    readers = []
    for name, tree in MODULES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                    isinstance(node.value, ast.Name) and node.value.id == "os" and \
                    not (name == "recoque.core.jobs" and node.attr == "environ"):   # hands the settings to a child
                readers.append(name)
    assert readers == [], f"modules reading the environment instead of the settings: {sorted(set(readers))}"


def test_each_capability_owns_its_tables_and_command_group():
    from recoque.cli import app

    tables = {name for name in MODULES if name.endswith(".models")}
    assert "recoque.core.models" in tables and len(tables) >= 5
    groups = {g.name: g.typer_instance for g in app.registered_groups}
    for group, typer_app in groups.items():
        if group == "db":
            continue
        homes = {cmd.callback.__module__ for cmd in typer_app.registered_commands}
        assert len(homes) == 1 and homes.pop().endswith(".cli"), (group, homes)
    assert not any(name.startswith("recoque.cli_") for name in MODULES)
