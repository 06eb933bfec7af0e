"""The modules of ``rd_methods.publish`` import each other without a cycle, and each one imports
on its own in a fresh interpreter (no module relies on another having been imported first)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import rd_methods.publish as publish

PACKAGE = "rd_methods.publish"
FOLDER = Path(publish.__file__).parent
MODULES = sorted(m.name for m in pkgutil.iter_modules([str(FOLDER)]))


def _imports(path: Path) -> set[str]:
    """``rd_methods.publish`` modules that ``path`` imports, anywhere in the file (a function-level
    import closes a cycle as surely as a top-level one)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            # ``from rd_methods.publish import x`` imports the module x; ``from …publish.x import y`` the module x
            names = ([f"{node.module}.{a.name}" for a in node.names] if node.module == PACKAGE else [node.module])
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[:2] == PACKAGE.split(".") and len(parts) > 2 and parts[2] in MODULES:
                found.add(parts[2])
    return found


def graph() -> dict[str, set[str]]:
    return {m: _imports(FOLDER / f"{m}.py") - {m} for m in MODULES}


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``edges`` (as a path that comes back to its start), or ``None``."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_cycle_finder_finds_a_cycle_and_accepts_a_tree():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_import_graph_of_publish_is_acyclic():
    edges = graph()
    # the graph is read for real: the runner composes the three steps
    assert {"plan", "execute", "publication", "executors"} <= edges["runner"]
    assert "runner" not in set().union(*edges.values())  # nothing imports the composition back
    cycle = _cycle(edges)
    assert cycle is None, "cycle d'imports : " + " → ".join(cycle)


def test_the_fork_kernel_optimisation_has_one_entry_point():
    users = sorted(m for m, deps in graph().items() if "prefork" in deps and m != "_preload")
    assert users == ["executors"]  # through prefork.KernelPool; the worker takes a kernel launcher


@pytest.mark.slow
def test_every_module_imports_alone_in_a_fresh_interpreter():
    modules = [m for m in MODULES if m != "_preload"]  # the forkserver's preload: warms nbconvert up on import

    def load(module: str) -> tuple[str, int, str]:
        done = subprocess.run([sys.executable, "-c", f"import {PACKAGE}.{module}"], capture_output=True, text=True,
                              timeout=120)
        return module, done.returncode, done.stderr[-1500:]

    with ThreadPoolExecutor(max_workers=4) as pool:
        failed = [(m, err) for m, rc, err in pool.map(load, modules) if rc != 0]
    assert not failed, failed


def test_the_cli_starts_the_pool_before_loading_pandas():
    """``rd-methods run`` starts the local pool's forkserver (3 s of imports) before it imports the
    runner: what it needs for that must not load pandas (nor the runner)."""
    code = ("import sys\nimport rd_methods.cli\nfrom rd_methods.publish import executors, prefork, tasks\n"
            "print(sorted(m for m in ('pandas', 'numpy', 'rd_methods.publish.runner') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-1500:]
    assert done.stdout.strip() == "[]"
