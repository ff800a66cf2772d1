"""Precompute the views of the shipped models and store them in their bundles (issue 17).

    python scripts/build_views.py [--only default_mnist10k] [--skip stacked_mnist] [--views singular lab stacked]

For each shipped bundle: the PCA, UMAP and t-SNE projections, the cell masses, the singular set by its
stored convex null, the default slices, and the Mode Collapse samples and scores against the shipped
baselines (``assets/baselines_<name>.npz``), computed by :func:`aeot_viz.pipeline.views.compute_views` and
written back atomically. The heights, codes and weights are not touched.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aeot_viz.models.baselines import load_baselines  # noqa: E402
from aeot_viz.pipeline.bundle import load_bundle, save_bundle  # noqa: E402
from aeot_viz.pipeline.views import compute_views  # noqa: E402

SHIPPED = {"default_mnist10k": "baselines_mnist10k.npz", "toy_grid25": "baselines_grid25.npz",
           "toy_ring8": "baselines_ring8.npz", "stacked_mnist": "baselines_stacked_mnist.npz"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=list(SHIPPED), default=None)
    ap.add_argument("--skip", choices=list(SHIPPED), nargs="*", default=[])
    ap.add_argument("--views", nargs="*", default=None,
                    help="recompute only these views (e.g. singular lab stacked), keeping the others")
    args = ap.parse_args()
    for name, base in SHIPPED.items():
        if (args.only and name != args.only) or name in args.skip:
            continue
        path = ROOT / "assets" / f"{name}.npz"
        model = load_bundle(path)
        h_before = model.h.copy()
        if args.views is None:
            model.views.clear()
            model.views_meta.clear()
        t0 = time.perf_counter()
        def report(ev, name=name, last=[t0]):  # noqa: B006  (a per-model timer)
            now = time.perf_counter()
            if ev.step:
                print(f"  {name}: {ev.step}/{ev.total} done ({now - last[0]:.1f} s)", flush=True)
            if ev.metrics.get("view") != "done":
                print(f"  {name}: computing {ev.metrics['view']}...", flush=True)
            last[0] = now

        compute_views(model, baselines=load_baselines(ROOT / "assets" / base), baselines_id=f"shipped-{base}",
                      callback=report, only=args.views)
        assert (model.h == h_before).all()
        save_bundle(model, path)
        print(f"{name}: {len(model.views)} view arrays in {time.perf_counter() - t0:.0f} s -> {path}", flush=True)


if __name__ == "__main__":
    main()
