"""Build the convex null of each shipped model's singular set and store it in its bundle.

The null (aeot_viz.analysis.convex_null) is an OT solve of as many codes as the model has, so the pages read it
from the bundle instead of solving it on a first visit. Models trained with ``python -m aeot_viz train``
already carry one; this script adds it to bundles built before it existed, or rebuilds it.

    python scripts/build_singular_nulls.py [--solve] [bundle ...]     # default: the shipped models in assets/

A null that stores its OT heights (``null_heights``, since issue 32) is measured again from them without a new solve,
unless ``--solve``; an older null is solved again. Its singular-set view is recomputed afterwards
(``scripts/build_views.py --views singular lab stacked``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aeot_viz import load_bundle, save_bundle  # noqa: E402
from aeot_viz.analysis.singularity import build_convex_null, model_singular_set  # noqa: E402

SHIPPED = ["default_mnist10k.npz", "toy_grid25.npz", "toy_ring8.npz", "stacked_mnist.npz", "playground_ring500.npz"]


def rebuild(model, solve: bool = False):
    """The model's convex null, rebuilt: from its stored heights when it has them (and not ``solve``)."""
    old = model.singular_null
    if old is not None and old.heights is not None and not solve:
        Y = np.asarray(model.targets, dtype=np.float64)
        distinct = np.unique(Y, axis=0)  # a model with repeated codes has its null built for the distinct ones
        Y = distinct if len(distinct) < len(Y) else Y
        return build_convex_null(Y, k=old.k, n_samples=old.n_samples or 2**18, random_state=old.random_state,
                                 heights=old.heights)
    model.singular_null = None
    return model_singular_set(model, random_state=model.config.ot.random_state).null


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundles", nargs="*")
    ap.add_argument("--solve", action="store_true", help="solve the null again even when its heights are stored")
    args = ap.parse_args()
    for path in args.bundles or [str(ROOT / "assets" / name) for name in SHIPPED]:
        model = load_bundle(path)
        t0 = time.perf_counter()
        model.singular_null = rebuild(model, args.solve)
        ss = model_singular_set(model)
        save_bundle(model, path)
        print(f"{path}: null of {ss.null.n_facets:,} facets in {time.perf_counter() - t0:.0f} s; {ss.verdict()}")


if __name__ == "__main__":
    main()
