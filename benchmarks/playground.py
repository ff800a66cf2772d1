"""Playground (issue 18): time to solve and draw a 500-point drawing, against the default-settings solve.

    python benchmarks/playground.py [--repeats 3]

For each preset drawing (500 points): ``fit_drawing`` (OT with the Playground's settings and the convex null
that calibrates the singular set), the exact 2-D power cells, the singular set and 300 generated points, i.e.
everything the page draws. Peer, in the same run: the same drawing solved by ``fit_aeot`` with the product's
default OT settings (the stricter stop rule of issue 15). Imports are warmed first and not counted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aeot_viz.analysis.generation import generate  # noqa: E402
from aeot_viz.analysis.singularity import model_singular_set  # noqa: E402
from aeot_viz.data import Dataset  # noqa: E402
from aeot_viz.data.drawing import PRESETS, preset  # noqa: E402
from aeot_viz.geometry.power_diagram import exact_cells_2d  # noqa: E402
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig  # noqa: E402
from aeot_viz.pipeline.playground import fit_drawing  # noqa: E402
from aeot_viz.pipeline.training import fit_aeot  # noqa: E402


def playground(X) -> tuple[float, int, float, float]:
    t0 = time.perf_counter()
    model = fit_drawing(X)
    exact_cells_2d(model.targets, model.h)
    ss = model_singular_set(model)
    generate(model, 300, singular=ss, random_state=0)
    v = model.ot_validation
    return time.perf_counter() - t0, ss.n_singular, v["l1"], v["noise_floor"]


def default_solve(X) -> float:
    t0 = time.perf_counter()
    fit_aeot(Dataset(X, None, "points", "drawing"), AEOTConfig(ae=AEConfig(kind="identity"), ot=OTConfig(device="cpu")))
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    playground(preset("convex blob", 100)[0])  # warm the imports
    print("| preset (500 points) | solve + draw, Playground (s, median) | singular facets | L1 / noise floor | "
          "default-settings solve (s, median) | Playground / default |")
    print("|---|---|---|---|---|---|")
    for name in PRESETS:
        X = preset(name, 500)[0]
        runs = [playground(X) for _ in range(args.repeats)]
        t = statistics.median(r[0] for r in runs)
        peer = statistics.median(default_solve(X) for _ in range(args.repeats))
        _, n_sing, l1, floor = runs[0]
        print(f"| {name} | {t:.2f} | {n_sing} | {l1:.3f} / {floor:.3f} | {peer:.2f} | {t / peer:.2f} |", flush=True)


if __name__ == "__main__":
    main()
