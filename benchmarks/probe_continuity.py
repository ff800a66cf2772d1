"""Continuity along a probe, measured: the largest step of each map's output as the probe is sampled more finely.

    python benchmarks/probe_continuity.py

For the shipped toys (grid25, ring8) and the shipped MNIST model, a straight probe through the source cube is
mapped by AE-OT (its plain OT map) and by each shipped baseline (the segment carried into its Gaussian noise by
coordinate-wise quantiles, ``aeot_viz.analysis.probe_output``). A continuous map's largest step between
neighbouring samples shrinks in proportion to the spacing; a map that jumps keeps a step the size of its largest
jump. The peer of each baseline is AE-OT on the same probe in the same run. Outputs: the point (toys), the decoded
digit's class probabilities (MNIST).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aeot_viz.analysis.lab import LABELS  # noqa: E402
from aeot_viz.analysis.probe_output import outputs_along  # noqa: E402
from aeot_viz.models.baselines import load_baselines  # noqa: E402
from aeot_viz.models.classifier import default_classifier  # noqa: E402
from aeot_viz.pipeline.bundle import load_bundle  # noqa: E402

GRIDS = (201, 1601, 12801)
CASES = [("toy_grid25", "baselines_grid25", [-0.45, -0.3], [0.45, 0.35]),
         ("toy_ring8", "baselines_ring8", [-0.45, -0.3], [0.45, 0.35])]


def table(model, baselines, start, end, grids, classifier=None) -> None:
    gens = {LABELS[k]: b for k, b in baselines.items()}
    steps = {}
    for n in grids:
        outs = outputs_along(model, start, end, gens, classifier=classifier, n=n)
        for name, o in outs.items():
            steps.setdefault(name, []).append(o.largest_step()[0])
    print("| map | " + " | ".join(f"largest step, {n:,} points" for n in grids) + " | shrink, first / last |")
    print("|---|" + "---|" * (len(grids) + 1))
    for name, s in steps.items():
        print(f"| {name} | " + " | ".join(f"{v:.3g}" for v in s) + f" | {s[0] / max(s[-1], 1e-12):.1f}x |")


def main() -> None:
    for bundle, base, start, end in CASES:
        print(f"\n{bundle}: probe {start} -> {end}, output = the point (data units)\n")
        table(load_bundle(ROOT / "assets" / f"{bundle}.npz"), load_baselines(ROOT / "assets" / f"{base}.npz"),
              np.array(start), np.array(end), GRIDS)
    model = load_bundle(ROOT / "assets" / "default_mnist10k.npz")
    a, b = np.flatnonzero(model.labels == 1)[0], np.flatnonzero(model.labels == 7)[0]
    start, end = np.clip(model.targets[a], -0.45, 0.45), np.clip(model.targets[b], -0.45, 0.45)
    print(f"\nMNIST-10k: probe from the target of code {a} (a 1) to that of code {b} (a 7), output = class "
          "probabilities\n")
    table(model, load_baselines(ROOT / "assets" / "baselines_mnist10k.npz"), start, end, (101, 801),
          classifier=default_classifier())


if __name__ == "__main__":
    main()
