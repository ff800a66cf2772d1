"""The package's import graph: no cycle among its modules, and no module imports the package's own ``__init__``.

Every ``import`` and ``from ... import`` in every module counts, those inside functions included (a lazy
import is still a dependency). Relative imports are resolved against the importing module's package.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "aeot_viz"


def _modules() -> dict:
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = path
    return mods


def import_graph() -> dict:
    """Module name -> set of package modules it imports (anywhere in its source)."""
    mods = _modules()
    graph = {m: set() for m in mods}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            graph[name] |= {c for c in candidates if c in mods and c != name}
    return graph


def cycles(graph: dict) -> list:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    # model.py imports the autoencoder at the top; ot.py imports the sharded kernel inside a function
    assert "aeot_viz.models.autoencoder" in graph["aeot_viz.pipeline.model"]
    assert "aeot_viz.ot.sharded" in graph["aeot_viz.ot.validation"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_among_the_package_modules():
    assert cycles(import_graph()) == []


def test_no_module_imports_the_package_init():
    graph = import_graph()
    assert sorted(m for m, deps in graph.items() if "aeot_viz" in deps and m != "aeot_viz") == []

