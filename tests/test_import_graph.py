"""The arrows of docs/architecture.md (the layers and which may import which), checked on the source: no import cycle between modules (imports
inside functions included, so none can hide a cycle) and none of the forbidden arrows.

Run it on its own to list the graph: `.venv/bin/python tests/test_import_graph.py`."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("backend", "surveys", "workers", "exports")

SERVICES = "surveys.services"
SELECTORS = ("surveys.selectors", "surveys.selectors_results")
ENTRY = (
    "surveys.api",
    "surveys.views",
    "surveys.views_answer",
    "surveys.views_results",
    "surveys.admin",
    "surveys.urls",
)
PAGES = ("surveys.views", "surveys.views_answer", "surveys.views_results", "surveys.staff")
# The visibility rule is applied by every layer to rows it already holds (pages, scoring, results,
# workbooks); it stands beside the models and the question types and imports nothing else of the project.
VISIBILITY = "surveys.visibility"


def _in(module, prefixes):
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(module == p or module.startswith(p + ".") for p in prefixes)


FORBIDDEN = [
    (
        "services → workers (ask through surveys.services.background)",
        lambda a, b: _in(a, SERVICES) and _in(b, "workers"),
    ),
    ("entry → workers (ask through a service)", lambda a, b: _in(a, ENTRY) and _in(b, "workers")),
    (
        "selectors → services",
        lambda a, b: _in(a, SELECTORS) and _in(b, SERVICES),
    ),
    ("workbooks → services", lambda a, b: _in(a, "exports") and _in(b, SERVICES)),
    ("workbooks → entry", lambda a, b: _in(a, "exports") and _in(b, ENTRY)),
    ("services → entry", lambda a, b: _in(a, SERVICES) and _in(b, ENTRY)),
    (
        "API → pages (share what both need through a service or a selector)",
        lambda a, b: _in(a, "surveys.api") and _in(b, PAGES),
    ),
    ("models → services", lambda a, b: a == "surveys.models" and _in(b, SERVICES)),
    (
        "the visibility rule → anything but the models and the question types",
        lambda a, b: a == VISIBILITY and not _in(b, ("surveys.models", "surveys.questiontypes")),
    ),
    (
        "question types → the rest of surveys",
        lambda a, b: (
            _in(a, "surveys.questiontypes") and _in(b, "surveys") and not _in(b, "surveys.questiontypes")
        ),
    ),
]


def modules(root, packages):
    """{module name: (path, is_package)} for every Python file of the packages (migrations left out)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            found[".".join(parts)] = (path, is_package)
    return found


def _targets(module, is_package, node, known):
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module
        names = []
        for alias in node.names:
            candidate = f"{prefix}.{alias.name}"
            names.append(candidate if candidate in known else prefix)
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            yield name


def import_graph(root=ROOT, packages=PACKAGES):
    """{module: {imported module, ...}} over the packages, every import statement wherever it stands."""
    known = modules(root, packages)
    graph = {name: set() for name in known}
    for name, (path, is_package) in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                graph[name].update(_targets(name, is_package, node, known))
    return graph


def cycles(graph):
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                group.append(other)
                if other == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def forbidden_arrows(graph):
    return sorted(
        f"{a} → {b} ({rule})"
        for a, targets in graph.items()
        for b in targets
        for rule, bad in FORBIDDEN
        if bad(a, b)
    )


def test_no_import_cycle_between_modules():
    assert cycles(import_graph()) == []


def test_no_forbidden_arrow():
    assert forbidden_arrows(import_graph()) == []


def test_check_finds_a_cycle_hidden_in_a_function(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def later():\n    from .a import something\n")
    assert cycles(import_graph(tmp_path, ("pkg",))) == [["pkg.a", "pkg.b"]]


def test_check_finds_a_service_that_imports_a_task(tmp_path):
    (tmp_path / "surveys" / "services").mkdir(parents=True)
    (tmp_path / "workers").mkdir()
    for init in ("surveys", "surveys/services", "workers"):
        (tmp_path / init / "__init__.py").write_text("")
    (tmp_path / "workers" / "tasks.py").write_text("")
    (tmp_path / "surveys" / "services" / "outbox.py").write_text(
        "def f():\n    from workers.tasks import x\n"
    )
    graph = import_graph(tmp_path, ("surveys", "workers"))
    assert forbidden_arrows(graph) == [
        "surveys.services.outbox → workers.tasks (services → workers (ask through surveys.services.background))"
    ]


if __name__ == "__main__":
    graph = import_graph()
    for name in sorted(graph):
        print(name, "→", ", ".join(sorted(graph[name])) or "-")
    problems = [" ↔ ".join(group) for group in cycles(graph)] + forbidden_arrows(graph)
    print("\n".join(problems) or "no cycle, no forbidden arrow")
    sys.exit(1 if problems else 0)
