"""Playground (issues 18, 22): time to solve and draw a 500-point drawing, exact Newton against the stochastic solver.

    python benchmarks/playground.py [--repeats 3]

For each preset drawing (500 points): ``fit_drawing`` (the OT solve, exact Newton since issue 22, and the convex null
that calibrates the singular set, solved the same way), the exact 2-D power cells, the singular set and 300
generated points, i.e. everything the page draws. Peer, in the same run: the same pipeline with the stochastic
solver and the Playground's issue-18 settings (``PLAYGROUND_OT`` with ``method="stochastic"``). Both report the
exact L1 mass error of their heights. Imports are warmed first and not counted.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aeot_viz.analysis.generation import generate  # noqa: E402
from aeot_viz.analysis.singularity import model_singular_set  # noqa: E402
from aeot_viz.data.drawing import PRESETS, preset  # noqa: E402
from aeot_viz.geometry.power_diagram import exact_cells_2d  # noqa: E402
from aeot_viz.pipeline.playground import PLAYGROUND_OT, fit_drawing  # noqa: E402


def playground(X, method: str = "auto") -> tuple[float, int, float]:
    t0 = time.perf_counter()
    model = fit_drawing(X, ot=dataclasses.replace(PLAYGROUND_OT, method=method))
    cells = exact_cells_2d(model.targets, model.h)
    ss = model_singular_set(model)
    generate(model, 300, singular=ss, random_state=0)
    exact = float(np.abs(cells.areas - 1.0 / model.n_codes).sum())
    return time.perf_counter() - t0, ss.n_singular, exact


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    playground(preset("convex blob", 100)[0])  # warm the imports
    print("| preset (500 points) | solve + draw, Newton (s, median) | singular facets | exact L1 | "
          "stochastic (issue 18) (s, median) | its singular facets | its exact L1 | Newton / stochastic time |")
    print("|---|---|---|---|---|---|---|---|")
    for name in PRESETS:
        X = preset(name, 500)[0]
        runs = [playground(X) for _ in range(args.repeats)]
        peers = [playground(X, "stochastic") for _ in range(args.repeats)]
        t, tp = statistics.median(r[0] for r in runs), statistics.median(r[0] for r in peers)
        print(f"| {name} | {t:.2f} | {runs[0][1]} | {runs[0][2]:.1e} | {tp:.2f} | {peers[0][1]} | {peers[0][2]:.1e} | "
              f"{t / tp:.2f} |", flush=True)


if __name__ == "__main__":
    main()
