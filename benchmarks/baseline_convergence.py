"""Have the baselines converged? Their scores along training, and with twice the training (issue 23).

    taskset -c 0,1 python benchmarks/baseline_convergence.py --model mnist10k [--scales 1 2] [--seed 0]
    taskset -c 0,1 python benchmarks/baseline_convergence.py --model grid25

For each baseline kind of ``aeot_viz.analysis.lab.train_baselines`` (the shipped recipe for that model: the toy
recipe for the 2-D toys, the latent recipe for MNIST-10k), trained on the shipped model's codes with seed ``--seed``
at each multiple of the recipe's generator steps in ``--scales``: the score of 2,500 samples (a fixed noise batch)
at 5 points along training, the final losses (mean over the last 5% of steps, beside the 5% before the last
quarter), and the wall time on the machine. Toys are scored by the PacGAN protocol (high-quality share, modes);
MNIST-10k by the shipped digit classifier on the decoded samples against 2,500 training digits (recall, precision).
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aeot_viz as av  # noqa: E402
from aeot_viz.analysis.lab import LABELS, real_images, recipe_steps  # noqa: E402
from aeot_viz.analysis.metrics import image_metrics, toy_score  # noqa: E402
from aeot_viz.models.baselines import KINDS, BaselineConfig, fit_baseline, save_baselines, toy_recipe  # noqa: E402
from aeot_viz.models.classifier import default_classifier  # noqa: E402

MODELS = {"mnist10k": "default_mnist10k.npz", "grid25": "toy_grid25.npz", "ring8": "toy_ring8.npz"}


def config(model, kind: str, steps: int, seed: int) -> BaselineConfig:
    common = dict(steps=steps, random_state=seed, device="cpu", n_snapshots=5, snapshot_points=2500)
    if model.dataset["kind"] == "points":
        return toy_recipe(kind, **common)
    return BaselineConfig(kind=kind, noise_dim=max(8, model.latent_dim), **common)


def losses(hist: dict) -> str:
    out = []
    for key in ("loss_d", "loss_g"):
        v = np.asarray(hist[key], dtype=np.float64)
        if np.isnan(v).all():
            continue
        n = max(len(v) // 20, 1)
        late, mid = np.nanmean(v[-n:]), np.nanmean(v[(3 * len(v)) // 4 - n:(3 * len(v)) // 4])
        out.append(f"{key[-1].upper()} {mid:.3f} -> {late:.3f}")
    return ", ".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=list(MODELS), default="mnist10k")
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 2.0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kinds", nargs="+", default=list(KINDS))
    ap.add_argument("--save", default=None,
                    help="write the baselines trained at scale 1 here (first and last snapshots kept): the same "
                         "generators scripts/build_baselines.py trains, as training does not depend on the snapshots")
    args = ap.parse_args()
    keep = {}
    model = av.load_bundle(ROOT / "assets" / MODELS[args.model])
    steps0 = recipe_steps(model)
    images = model.dataset["kind"] == "images"
    if images:
        clf, real = default_classifier(), real_images(model, 2500)
        head = "recall / precision"
    else:
        head = "% high quality / modes"

    def score(points) -> str:
        if images:
            m = image_metrics(np.clip(model.decode(points), 0, 1), real, clf)
            return f"{m['recall']:.3f} / {m['precision']:.3f}"
        s = toy_score(args.model, points)
        return f"{100 * s.hq_share:.1f} / {s.modes_covered}"

    print(f"| generator | steps | time s | {head} along training (at 0, 1/4, 1/2, 3/4, 1 of the steps) | "
          "losses, 3/4 -> end |")
    print("|---|---:|---:|---|---|")
    for kind in args.kinds:
        for scale in args.scales:
            steps = max(1, int(round(steps0[kind] * scale)))
            t0 = time.perf_counter()
            b = fit_baseline(model.codes, config(model, kind, steps, args.seed))
            dt = time.perf_counter() - t0
            along = " -> ".join(score(s) for s in b.snapshots_)
            if scale == 1.0 and args.save:
                b.snapshots_, b.snapshot_steps_ = b.snapshots_[[0, -1], :500], b.snapshot_steps_[[0, -1]]
                b.config.n_snapshots, b.config.snapshot_points = 2, 500
                b.info = {"space": "latent" if images else "data", "dataset": model.dataset.get("name"),
                          "model_created": model.created, **{k: v for k, v in b.info.items() if k == "created"}}
                keep[kind] = b
            print(f"| {LABELS[kind]} | {steps:,} | {dt:.0f} | {along} | {losses(b.history_)} |", flush=True)
    if keep:
        print(f"saved {save_baselines(keep, args.save)}")


if __name__ == "__main__":
    main()
