"""The layout rules of docs/architecture.md, checked on the source so that they stay true.

Each test reads the project's Python files (not the installed ones) with `ast`: imports anywhere in a
module count, including those inside functions, since a deferred import is still a dependency.
"""

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("workflow", "contracts", "repair")
DOMAIN_APPS = ("contracts", "repair")
LAYERS = "views|view|apis|api|urls|services|service|selectors|forms|tasks|flows|serializers|models|metrics"
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


@cache
def imports_of(name: str) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import statement in module `name`."""
    path = modules()[name]
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, [], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            out.append((base, [alias.name for alias in node.names], node.lineno))
    return out


def _project_targets(base: str, names: list[str]) -> set[str]:
    """The project modules an import statement loads (a `from pkg import module` loads the module)."""
    mods = modules()
    targets = set()
    if base in mods:
        targets.add(base)
    for n in names:
        if f"{base}.{n}" in mods:
            targets.add(f"{base}.{n}")
    return targets


def graph() -> dict[str, set[str]]:
    return {
        name: {t for base, names, _ in imports_of(name) for t in _project_targets(base, names) if t != name}
        for name in modules()
    }


def test_no_module_name_carries_a_topic_and_a_layer():
    pattern = re.compile(rf"^(\w+_({LAYERS})|({LAYERS})_\w+)$")
    offenders = sorted(str(p.relative_to(ROOT)) for n, p in modules().items() if pattern.match(p.stem))
    assert offenders == []


def test_no_module_is_over_500_lines():
    long = {
        str(p.relative_to(ROOT)): n for p in modules().values() if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_app_imports_a_private_name_of_another():
    offenders = []
    for name in modules():
        app = name.split(".")[0]
        for base, names, line in imports_of(name):
            other = base.split(".")[0]
            if other in APPS and other != app:
                offenders += [f"{name}:{line} {base}.{n}" for n in names if n.startswith("_")]
                offenders += [f"{name}:{line} {base}" for part in base.split(".") if part.startswith("_")]
    assert offenders == []


def test_the_engine_names_no_domain_app():
    offenders = [
        f"{name}:{line} {base}"
        for name in modules()
        if name.startswith("workflow")
        for base, _names, line in imports_of(name)
        if base.split(".")[0] in DOMAIN_APPS
    ]
    engine_text = [
        str(p.relative_to(ROOT))
        for n, p in modules().items()
        if n.startswith("workflow") and re.search(r"[\"'](contracts|repair)\.", p.read_text())
    ]
    assert offenders == [] and engine_text == []


def test_there_are_no_import_cycles():
    g = graph()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def strongconnect(v):  # Tarjan's algorithm, iterative enough for this graph's depth
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in g[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(g):
        if v not in index:
            strongconnect(v)
    assert cycles == []


def test_views_and_api_modules_do_not_import_each_other():
    def layer(name):
        parts = name.split(".")
        if "views" in parts:
            return "views"
        if "api" in parts and parts[0] != "workflow":
            return "api"
        return None

    g = graph()
    offenders = sorted(
        f"{a} -> {b}" for a, targets in g.items() for b in targets if {layer(a), layer(b)} == {"views", "api"}
    )
    assert offenders == []


HAND_PARSERS = {"body_text", "body_bool", "body_date"}


def test_api_endpoints_read_validated_data_not_the_raw_body():
    """Endpoints take their values from an input serializer's validated_data: the old hand parsers of
    raw bodies (body_text, body_bool, body_date) are neither defined in workflow.api.parsing nor named
    (imported, called or reached as an attribute) by any module under an `api` package."""
    parsing = ast.parse(modules()["workflow.api.parsing"].read_text())
    defined = {
        node.name for node in parsing.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    defined |= {
        t.id for node in parsing.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)
    }
    assert sorted(defined & HAND_PARSERS) == []

    offenders = []
    for name, path in sorted(modules().items()):
        if "api" not in name.split(".")[:-1] and not name.endswith(".api"):
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            used = set()
            if isinstance(node, ast.ImportFrom):
                used = {alias.name for alias in node.names}
            elif isinstance(node, ast.Name):
                used = {node.id}
            elif isinstance(node, ast.Attribute):
                used = {node.attr}
            offenders.extend(f"{name}:{node.lineno} {n}" for n in sorted(used & HAND_PARSERS))
    assert offenders == []
