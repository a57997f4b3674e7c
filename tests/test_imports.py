"""The package's shape: no import cycle, phases and interventions independent of the Mesa model, small modules.

The import graph is read from the source (module-level imports, ``TYPE_CHECKING`` blocks included), so a
cycle that happens to import fine in one order is still found.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cogov_sim"
MAX_LINES = 450
LATE_IMPORTS_ALLOWED = {"cogov_sim.cli"}  # a late import keeps the command's start-up fast


def module_name(path: Path) -> str:
    """Dotted module name of a file in the package (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """Package modules named by one import statement."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif node.level or not node.module:
        return []
    else:
        names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module for a in node.names]
    return [n for n in names if n in MODULES and n != "cogov_sim"]


def imports(path: Path) -> tuple[set[str], list[int]]:
    """Package modules a file imports outside functions, and the lines of imports inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: set[str] = set()
    late: list[int] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found = imported(child)
                if in_function and found:
                    late.append(child.lineno)
                elif not in_function:
                    top.update(found)
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

    visit(tree, False)
    return top, late


GRAPH = {name: imports(path)[0] for name, path in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a list of modules, or [] when the graph has none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := dfs(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (cycle := dfs(start)):
            return cycle
    return []


def test_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycle() -> None:
    assert find_cycle(GRAPH) == []


def test_no_package_import_inside_a_function() -> None:
    late = {name: imports(path)[1] for name, path in MODULES.items() if name not in LATE_IMPORTS_ALLOWED}
    assert {name: lines for name, lines in late.items() if lines} == {}


def test_modules_are_small() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
    assert sizes["cogov_sim.model"] < 200


INDEPENDENT = sorted(n for n in MODULES if n.startswith(("cogov_sim.mechanisms", "cogov_sim.interventions")))


def test_independent_modules_exist() -> None:
    assert {"cogov_sim.mechanisms.presence", "cogov_sim.mechanisms.supply", "cogov_sim.interventions"} <= set(
        INDEPENDENT
    )


def test_phase_and_intervention_modules_do_not_import_the_model() -> None:
    # each module imported with no package module loaded (third-party modules stay cached, which is faster)
    code = (
        "import importlib, sys\n"
        "for m in sys.argv[1:]:\n"
        "    for k in [k for k in sys.modules if k.startswith('cogov_sim')]:\n"
        "        del sys.modules[k]\n"
        "    importlib.import_module(m)\n"
        "    print(m, 'cogov_sim.model' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *INDEPENDENT], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == [w for name in INDEPENDENT for w in (name, "False")]


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\nprint('ok')"
    out = subprocess.run([sys.executable, "-c", code, *MODULES], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"
