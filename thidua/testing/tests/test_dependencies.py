"""The import graph: dependencies point one way, down from the areas to the base.

Read from the source with `ast`; nothing is imported. Two rules:
- no cycle among thidua's modules at module level (an import inside a function, or under
  TYPE_CHECKING, is how a module names one that imports it without a cycle at load);
- a package imports, anywhere in its code but its tests, only the packages the table below
  lets it. The base and the infrastructure never import an area: the areas plug into them
  through hooks and registries (cycle.hooks, orgs.hooks, jobs.registry).

A new import between packages is a decision: whoever adds one writes it in the table.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the thidua package

# Who may import whom (outside the tests), one package or top-level module a line.
MAY_IMPORT = """
# package       may import
errors
lib             errors
audit           lib
orgs            access audit errors lib
cycle           access audit concurrency errors lib orgs
access          audit cycle orgs
concurrency     audit errors
jobs            access audit errors lib orgs
health          jobs
menu            audit
middleware
indicators      access audit cycle errors lib orgs
scoring         access audit cycle demo errors lib orgs
voting          access audit cycle demo errors lib orgs
award_history   access audit cycle errors jobs lib orgs
awards          access audit award_history concurrency cycle demo errors jobs lib orgs
conference      access audit award_history awards cycle demo errors indicators jobs lib orgs
conference      scoring voting
demo            cycle lib orgs
api             access audit award_history awards cycle errors indicators lib orgs scoring voting
api             concurrency conference dossier jobs notifications signing
maintenance     audit
notifications   access audit cycle errors lib orgs
signing         access audit award_history awards conference cycle demo errors lib orgs
signing         testing
dossier         access audit awards conference cycle errors jobs lib orgs signing voting
testing         audit cycle demo lib orgs
urls            health
settings
wsgi
gunicorn_conf
__main__
"""

# The base and the infrastructure: what the areas stand on.
INFRASTRUCTURE = {
    "errors", "lib", "audit", "orgs", "cycle", "access", "concurrency", "jobs", "health",
    "middleware",
}  # fmt: skip
AREAS = {
    "indicators", "scoring", "voting", "award_history", "awards", "conference", "api", "demo",
    "maintenance", "signing", "dossier",
}  # fmt: skip


def table() -> dict[str, set[str]]:
    """The table as {package: what it may import}; a long row goes on over two lines."""
    rows = [line.split() for line in MAY_IMPORT.splitlines() if line and not line.startswith("#")]
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row[0], set()).update(row[1:])
    return found


def module_files() -> dict[str, Path]:
    """Every module of thidua by dotted name (migrations aside: they name no other app's code)."""
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.relative_to(ROOT).parts:
            continue
        parts = ("thidua", *path.relative_to(ROOT).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = module_files()


def is_test(name: str) -> bool:
    return ".tests" in name or name.startswith("thidua.hostile")


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST, *, module_level: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements under `node`; at module level, not in functions or TYPE_CHECKING."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif module_level and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        elif module_level and isinstance(child, ast.If) and _type_checking(child):
            yield from (i for n in child.orelse for i in _imports_of(n, module_level=True))
        else:
            yield from _imports(child, module_level=module_level)


def _imports_of(node: ast.AST, *, module_level: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _imports(node, module_level=module_level)


def imported(name: str, *, module_level: bool) -> set[str]:
    """The thidua modules `name` imports (a name imported from a package: its submodule)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _imports(ast.parse(path.read_text("utf-8")), module_level=module_level):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        found |= {target for target in targets if target in MODULES and target != name}
    return found


def package_of(name: str) -> str:
    return name.split(".")[1] if name.count(".") else name


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of `graph` as the list of its modules, or [] when it has none."""
    state: dict[str, int] = {}  # 1: on the path being followed, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for after in sorted(graph.get(node, ())):
            if state.get(after) == 1:
                return [*path[path.index(after) :], after]
            if after not in state and (cycle := visit(after)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_no_module_of_thidua_imports_itself_back_at_module_level() -> None:
    graph = {name: imported(name, module_level=True) for name in MODULES}
    cycle = find_cycle(graph)
    assert not cycle, "an import cycle: " + " -> ".join(cycle)


def test_every_package_imports_only_what_the_table_lets_it() -> None:
    allowed = table()
    unlisted = sorted(
        {package_of(n) for n in MODULES if not is_test(n)} - set(allowed) - {"thidua"}
    )
    assert unlisted == [], "packages the table does not list"
    refused = sorted(
        f"{name} -> {target}"
        for name in MODULES
        if not is_test(name)
        for target in imported(name, module_level=False)
        if package_of(target) != package_of(name)
        and package_of(target) not in allowed.get(package_of(name), set())
    )
    assert not refused, "imports the table does not allow:\n" + "\n".join(refused)


def test_the_base_and_the_infrastructure_import_no_area() -> None:
    allowed = table()
    assert {package: sorted(allowed[package] & AREAS) for package in INFRASTRUCTURE} == {
        package: [] for package in INFRASTRUCTURE
    }


def test_the_table_lists_no_import_the_code_does_not_make() -> None:
    """A package that stops importing another loses its line: the table stays the truth."""
    made: dict[str, set[str]] = {}
    for name in MODULES:
        if not is_test(name):
            for target in imported(name, module_level=False):
                if package_of(target) != package_of(name):
                    made.setdefault(package_of(name), set()).add(package_of(target))
    assert {p: sorted(t - made.get(p, set())) for p, t in table().items() if t} == {
        p: [] for p, t in table().items() if t
    }


def test_a_cycle_is_found_and_named() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []
