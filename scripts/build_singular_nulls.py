"""Build the convex null of each shipped model's singular set and store it in its bundle.

The null (aeot_viz.analysis.convex_null) is an OT solve of as many codes as the model has, so the pages read it
from the bundle instead of solving it on a first visit. Models trained with ``python -m aeot_viz train``
already carry one; this script adds it to bundles built before it existed, or rebuilds it.

    python scripts/build_singular_nulls.py [bundle ...]     # default: the shipped models in assets/
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aeot_viz import load_bundle, model_singular_set, save_bundle  # noqa: E402

SHIPPED = ["default_mnist10k.npz", "toy_grid25.npz", "toy_ring8.npz"]


def main(paths: list[str]) -> None:
    for path in paths or [str(ROOT / "assets" / name) for name in SHIPPED]:
        model = load_bundle(path)
        model.singular_null = None
        t0 = time.perf_counter()
        ss = model_singular_set(model, random_state=model.config.ot.random_state)
        model.singular_null = ss.null
        save_bundle(model, path)
        print(f"{path}: null of {ss.null.n_facets:,} facets in {time.perf_counter() - t0:.0f} s; {ss.verdict()}")


if __name__ == "__main__":
    main(sys.argv[1:])
