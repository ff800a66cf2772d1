"""The package's import graph: layers, no cycle, and no module importing the package's own ``__init__``.

The layers (lowest first) are ``LAYERS`` below; docs/ARCHITECTURE.md draws them.

Every ``import`` and ``from ... import`` in every module counts, those inside functions included (a lazy
import is still a dependency). Relative imports are resolved against the importing module's package.
"""

import ast

from repo import REPO

PACKAGE = REPO / "aeot_viz"


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


#: The layers, lowest first. A module may import modules of its own group and of lower layers only; the groups
#: on one layer (``data`` and ``geometry``, ``ot`` and ``models``) do not import each other.
LAYERS = (
    ("_version", "utils"),
    ("io",),
    ("data", "geometry"),
    ("ot", "models"),
    ("analysis",),
    ("pipeline",),
    ("viz",),
    ("apps",),
)
#: modules at the package's top level that belong to a layer's group
TOP_LEVEL = {"aeot_viz.__main__": "apps", "aeot_viz.ui": "apps"}
#: subpackages that only re-export another group under an older name (issue 20: ``import aeot_viz.ui`` works)
ALIASES = {"ui": "apps"}


def group_of(module: str) -> str:
    """The layer group of a package module: its first name below ``aeot_viz``; the package ``__init__`` is 'top'."""
    if module == "aeot_viz":
        return "top"
    return TOP_LEVEL.get(module, module.split(".")[1])


def rank_of(group: str) -> int:
    if group == "top":
        return len(LAYERS)
    return next(i for i, groups in enumerate(LAYERS) if group in groups)


def layer_violations(graph: dict) -> list:
    """Edges ``(importer, imported)`` that go up a layer or across to another group on the same layer."""
    bad = []
    for mod, deps in graph.items():
        g = group_of(mod)
        for dep in deps:
            h = group_of(dep)
            if g != h and rank_of(h) >= rank_of(g):
                bad.append((mod, dep))
    return sorted(bad)


def test_every_module_belongs_to_a_layer():
    groups = {g for layer in LAYERS for g in layer}
    unplaced = sorted(m for m in import_graph() if group_of(m) not in groups | {"top"})
    assert unplaced == [], f"place these modules in a layer of LAYERS: {unplaced}"
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert subpackages - set(ALIASES) <= groups and len(subpackages) >= 5, subpackages


def test_the_layer_rule_catches_upward_and_sideways_imports():
    graph = {
        "aeot_viz.ot.solver": {"aeot_viz.pipeline.model"},  # up
        "aeot_viz.data.toys": {"aeot_viz.geometry.scoring"},  # sideways on one layer
        "aeot_viz.pipeline.model": {"aeot_viz.ot.solver", "aeot_viz.pipeline.config"},  # down, own group
        "aeot_viz": {"aeot_viz.apps.cli"},  # the package __init__ re-exports from anywhere
    }
    assert layer_violations(graph) == [("aeot_viz.data.toys", "aeot_viz.geometry.scoring"),
                                       ("aeot_viz.ot.solver", "aeot_viz.pipeline.model")]


def test_imports_go_down_the_layers_only():
    assert layer_violations(import_graph()) == []


def test_the_package_init_only_re_exports():
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    body = tree.body[1:] if ast.get_docstring(tree) else tree.body
    kinds = {type(node).__name__ for node in body}
    assert kinds <= {"ImportFrom", "Assign"}, kinds
    assigned = [t.id for node in body if isinstance(node, ast.Assign) for t in node.targets]
    assert assigned == ["__all__"]


#: ``aeot_viz.__all__`` before the package was split into layers (commit c6a111d): every name must stay
PUBLIC_BEFORE_THE_LAYERS = (
    "AEConfig", "AEOTConfig", "AEOTModel", "BundleError", "Cancelled", "ConvexNull", "Dataset", "Generated",
    "LatentNormalizer", "OTConfig", "OTResult", "OTValidation", "Probe", "ProgressEvent", "SemiDiscreteOT",
    "SingularSet", "TrainConfig", "__version__", "adjacency_from_samples", "build_convex_null", "bundle_to_bytes",
    "exact_cells_2d", "fit_aeot", "generate", "load_bundle", "load_dataset", "model_singular_set", "probe",
    "save_bundle", "singular_set", "slice_labels", "solve_ot", "train_autoencoder", "validate_ot",
)


def test_public_names_stay_importable_from_the_package():
    import aeot_viz

    missing = [n for n in PUBLIC_BEFORE_THE_LAYERS if n not in aeot_viz.__all__ or not hasattr(aeot_viz, n)]
    assert missing == []
    from aeot_viz.ot import SemiDiscreteOT, validate_ot

    assert SemiDiscreteOT is aeot_viz.SemiDiscreteOT and validate_ot is aeot_viz.validate_ot
    assert callable(aeot_viz.probe)  # the function: the module is analysis.discontinuity_probe


def test_every_family_re_exports_what_it_lists():
    import importlib

    for sub in sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()):
        family = importlib.import_module(f"aeot_viz.{sub}")
        names = getattr(family, "__all__", [])
        assert [n for n in names if not hasattr(family, n)] == [], sub
        assert len(names) == len(set(names)), sub


def test_the_tests_mirror_the_package():
    """``tests/<layer>/`` tests ``aeot_viz/<layer>/``: every test folder is named for a subpackage."""
    tests = REPO / "tests"
    folders = {p.name for p in tests.iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders - subpackages == set()
    assert len(folders) >= 5
