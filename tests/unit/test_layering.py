"""The package's layers, read from its source: imports point down DESIGN.md's picture, never up, and no two modules
import each other at load time.

Both rules are checked on the import statements themselves (``ast``), so a lazy import inside a function counts for
the layers (it still couples the code) but not for cycles (it runs after both modules have loaded).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "maestro_jupyter"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE

#: Layer -> the layers it must never import (its own sub-packages and the leaves below are always fine).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "entities": ("contract", "services", "backends", "server", "sdk", "magics", "analysis"),
    "contract": ("services", "backends", "server", "sdk", "magics"),
    "analysis": ("services", "backends", "server", "sdk", "magics", "contract"),
    "backends": ("services", "server", "sdk", "magics"),
    "services": ("server", "sdk", "magics"),
    "sdk": ("server", "magics", "backends"),
    "server": ("sdk", "magics"),
    "server.handlers": ("sdk", "magics", "backends"),
    "magics": ("services", "backends", "server", "analysis"),
    # A leaf package: charts for every layer's results, so it may use none of them.
    "charts": ("entities", "contract", "analysis", "services", "backends", "server", "sdk", "magics"),
}
#: Layer -> the modules of a forbidden layer it may import all the same, and why. A member's Jupyter server on a team
#: forwards every operation to the team's service over HTTP (server/forwarding.py): it uses the SDK's HTTP transport
#: (and the transport protocol it implements) as a client, exactly as a kernel does; nothing else of the SDK.
ALLOWED: dict[str, tuple[str, ...]] = {
    "server": ("sdk.http", "sdk.transport"),
}
#: Modules at the package root that everything may use: they import nothing of the layers.
LEAVES = ("errors", "naming", "settings", "tagkeys", "_version")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in ROOT.rglob("*.py") if "labextension" not in p.parts}


def imports(path: Path, name: str, *, load_time_only: bool) -> Iterator[str]:
    """The package modules ``name`` imports. With ``load_time_only``, only those imported when it loads (not inside
    functions, not under ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    known = modules()

    def visit(node: ast.AST, top: bool) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                if not load_time_only:
                    yield from visit(child, top)
                continue
            nested = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if not target.startswith(PACKAGE):
                    continue
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    yield sub if sub in known else target
            elif isinstance(child, ast.Import):
                yield from (a.name for a in child.names if a.name.startswith(PACKAGE))
            if not (nested and load_time_only):
                yield from visit(child, top and not nested)

    yield from visit(tree, True)


def layer_of(name: str) -> str | None:
    rest = name.removeprefix(PACKAGE + ".")
    for layer in sorted(FORBIDDEN, key=len, reverse=True):
        if rest == layer or rest.startswith(layer + "."):
            return layer
    return None


def upward_imports() -> list[str]:
    found = []
    for name, path in sorted(modules().items()):
        layer = layer_of(name)
        if layer is None:
            continue
        for target in imports(path, name, load_time_only=False):
            rest = target.removeprefix(PACKAGE + ".")
            if rest in ALLOWED.get(layer, ()):
                continue
            if any(rest == bad or rest.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                found.append(f"{name} -> {target}")
    return sorted(set(found))


def load_time_cycles() -> list[list[str]]:
    graph = {name: set(imports(path, name, load_time_only=True)) - {name} for name, path in modules().items()}
    # Tarjan's strongly connected components; a component of two or more modules is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return cycles


def test_no_import_runs_up_the_layers():
    assert upward_imports() == []


def test_no_two_modules_import_each_other_at_load_time():
    assert load_time_cycles() == []


def test_the_leaves_import_no_layer():
    for leaf in LEAVES:
        path = ROOT / f"{leaf}.py"
        targets = set(imports(path, f"{PACKAGE}.{leaf}", load_time_only=False))
        assert targets <= {f"{PACKAGE}.{other}" for other in LEAVES}, (leaf, targets)


def test_the_checker_sees_an_upward_import(tmp_path):
    """The rules are not vacuous: a backend importing a service is reported, a lazy one too."""
    fake = tmp_path / PACKAGE
    (fake / "backends").mkdir(parents=True)
    (fake / "services").mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "services" / "__init__.py").write_text("from ..backends import store\n")
    (fake / "backends" / "__init__.py").write_text("")
    (fake / "backends" / "store.py").write_text("def f():\n    from ..services import x\n")
    (fake / "services" / "x.py").write_text("from ..backends.store import f\n")
    globals()["ROOT"] = fake
    try:
        assert upward_imports() == [f"{PACKAGE}.backends.store -> {PACKAGE}.services.x"]
        assert load_time_cycles() == []  # the lazy import is not a load-time cycle
        (fake / "backends" / "store.py").write_text("from ..services import x\n")
        assert load_time_cycles() == [[f"{PACKAGE}.backends.store", f"{PACKAGE}.services.x"]]
    finally:
        globals()["ROOT"] = Path(__file__).resolve().parents[2] / PACKAGE


def test_the_servers_one_allowance_is_the_http_transport(tmp_path):
    """The server may use the SDK's HTTP transport (forwarding to the team's service), and nothing else of the SDK:
    not the client, not a resource API, not the package."""
    fake = tmp_path / PACKAGE
    for folder in ("server", "sdk"):
        (fake / folder).mkdir(parents=True)
        (fake / folder / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    for name in ("http", "transport", "client"):
        (fake / "sdk" / f"{name}.py").write_text("")
    (fake / "server" / "forwarding.py").write_text(
        "from ..sdk.http import HttpTransport\nfrom ..sdk import transport\n"
    )
    (fake / "server" / "other.py").write_text("from ..sdk.client import MaestroClient\nfrom .. import sdk\n")
    globals()["ROOT"] = fake
    try:
        assert upward_imports() == [
            f"{PACKAGE}.server.other -> {PACKAGE}.sdk",
            f"{PACKAGE}.server.other -> {PACKAGE}.sdk.client",
        ]
    finally:
        globals()["ROOT"] = Path(__file__).resolve().parents[2] / PACKAGE
