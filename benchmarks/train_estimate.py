"""The Train page's time estimate against the run it estimates: a 2-D toy and MNIST-10k with default settings.

    python benchmarks/train_estimate.py [--datasets ring8 mnist10k] [--out-dir /tmp]

Cases: ``ring8`` (the Train page's toy default: 1,000 points), ``mnist10k-page`` (the Train page's defaults for
MNIST-10k: 2,000 images, 10 epochs) and ``mnist10k`` (``python -m aeot_viz train --dataset mnist10k``'s defaults:
all 10,000 images, 20 epochs). For each: the estimate shown before a run
(``aeot_viz.pipeline.cost.estimate_training_seconds`` on speeds measured here), then the run itself, the same path
as the CLI and the Train page (``fit_aeot`` and ``compute_views``), timed per stage from its progress events. The
estimate passes when it is within 2x of the wall time, either way. The worker process's start-up is not part of
this run (it runs in-process) and is left out of both sides.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aeot_viz.data import TOY_DATASETS, load_dataset  # noqa: E402
from aeot_viz.models.config import default_latent_dim  # noqa: E402
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, TrainConfig  # noqa: E402
from aeot_viz.pipeline.cost import estimate_training_seconds, measure_speed  # noqa: E402
from aeot_viz.pipeline.training import fit_aeot  # noqa: E402
from aeot_viz.pipeline.views import compute_views  # noqa: E402

STAGE_OF = {"autoencoder": "autoencoder", "encode": "encode", "ot": "ot", "ot-validation": "ot",
            "convex-null": "convex null", "convex-null-validation": "convex null", "views": "views"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=["ring8", "mnist10k-page", "mnist10k"])
    args = ap.parse_args()
    print("| dataset | stage | estimate s | measured s |")
    print("|---|---|---:|---:|")
    for case in args.cases:
        name = case.split("-")[0]
        n = 1000 if name in TOY_DATASETS else (2000 if case.endswith("-page") else None)
        ds = load_dataset(name, **({"n_samples": n} if n else {}))
        cfg = AEOTConfig(ae=AEConfig(latent_dim=default_latent_dim(ds.kind)),
                         train=TrainConfig(epochs=10 if case.endswith("-page") else TrainConfig().epochs))
        t0 = time.perf_counter()
        speed = measure_speed(cfg, ds.shape, ds.kind)
        t_measure = time.perf_counter() - t0
        est = estimate_training_seconds(len(ds), ds.shape, ds.kind, cfg, speed)
        first: dict = {}

        def seen(ev, first=first):
            first.setdefault(STAGE_OF.get(ev.stage, ev.stage), time.perf_counter())

        t0 = time.perf_counter()
        model = fit_aeot(ds, cfg, callback=seen)
        compute_views(model, callback=seen)
        wall = time.perf_counter() - t0
        order = [s for s in ("autoencoder", "encode", "ot", "convex null", "views") if s in first]
        ends = [first[s] for s in order[1:]] + [t0 + wall]
        for s, end in zip(order, ends):
            print(f"| {case} ({len(ds):,}) | {s} | {est[s]:.0f} | {end - first[s]:.0f} |", flush=True)
        total = est["total"] - est["start"]
        ratio = max(total / wall, wall / total)
        print(f"| {case} ({len(ds):,}) | **whole run** (speeds measured in {t_measure:.1f} s) | **{total:.0f}** | "
              f"**{wall:.0f}** ({ratio:.2f}x apart: {'within' if ratio <= 2 else 'NOT within'} 2x) |", flush=True)


if __name__ == "__main__":
    main()
