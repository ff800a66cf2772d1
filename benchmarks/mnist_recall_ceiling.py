"""The autoencoder's ceiling on AE-OT's MNIST recall (issue 19, item 5): how far its own reconstructions reach.

    python benchmarks/mnist_recall_ceiling.py [--seeds 3] [--bandwidths 0.5 0.25]

AE-OT's samples are decoded codes, so they can be no more varied than the decoder's reconstructions of the
training digits. This scores, with the shipped digit classifier's features and the same k = 3 precision /
recall as the Mode Collapse table, (a) the reconstructions of 5,000 training digits and (b) 5,000 AE-OT samples
(extended map, the stored convex null; and the plain map), all against 5,000 real training digits, for several seeds.
The peer in the same run is a second subset of 5,000 real digits scored the same way, the most a perfect generator
could reach with these sample sizes. ``--bandwidths`` adds extended-map rows at other bandwidths, in units of the
typical cell width N^(-1/d) (the default is aeot_viz.analysis.generation.BANDWIDTH_FACTOR).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from aeot_viz.analysis.generation import BANDWIDTH_FACTOR, generate  # noqa: E402
from aeot_viz.analysis.metrics import image_metrics  # noqa: E402
from aeot_viz.analysis.singularity import model_singular_set  # noqa: E402
from aeot_viz.models.classifier import default_classifier  # noqa: E402
from aeot_viz.pipeline.bundle import load_bundle  # noqa: E402


def spread(x: list) -> str:
    return f" ± {statistics.stdev(x):.3f}" if len(x) > 1 else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--bandwidths", type=float, nargs="*", default=[])
    ap.add_argument("--bundle", default=str(ROOT / "assets" / "default_mnist10k.npz"))
    args = ap.parse_args()
    model = load_bundle(args.bundle)
    N, d = model.targets.shape
    clf = default_classifier()
    ss = model_singular_set(model)
    ext = f"AE-OT samples (extended, default bandwidth {BANDWIDTH_FACTOR:g} N^(-1/d))"
    rows = {"real digits (another 5,000)": [], "autoencoder reconstructions": [], ext: [],
            "AE-OT samples (plain map)": []}
    rows.update({f"AE-OT samples (extended, bandwidth {b:g} N^(-1/d))": [] for b in args.bandwidths})
    blended: dict = {}  # generator row -> mean number of codes with a positive weight per sample, per seed
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(model.images_index))
        real_rows, other_rows = order[:5000], order[5000:10000]
        real = model.images[real_rows].astype(np.float32) / 255.0
        other = model.images[other_rows].astype(np.float32) / 255.0
        codes_rows = np.array([model.images_index[r] for r in other_rows])
        recon = np.clip(model.decode(model.codes[codes_rows]), 0, 1)
        made = [generate(model, 5000, singular=ss, random_state=100 + seed),
                generate(model, 5000, rule="plain", random_state=100 + seed)]
        made += [generate(model, 5000, singular=ss, random_state=100 + seed, bandwidth=b * N ** (-1.0 / d))
                 for b in args.bandwidths]
        gen = [np.clip(model.decode(g.codes), 0, 1) for g in made]
        for name, g in zip(list(rows)[2:], made):
            blended.setdefault(name, []).append(float((g.weights > 0).sum(axis=1).mean()))
        for name, fake in zip(rows, (other, recon, *gen)):
            m = image_metrics(fake, real, clf)
            rows[name].append((m["precision"], m["recall"]))
    print(f"Model: {args.bundle}, {N:,} codes in {d}-D, {model.ae_kind} autoencoder, channels "
          f"{tuple(model.config.ae.channels)}, {len(model.train_history['epoch'])} epochs.\n")
    print("| images (5,000 each, vs 5,000 real training digits) | precision | recall | codes blended per sample "
          "| seeds |")
    print("|---|---|---|---|---|")
    for name, vals in rows.items():
        p = [v[0] for v in vals]
        r = [v[1] for v in vals]
        b = f"{statistics.mean(blended[name]):.2f}" if name in blended else "-"
        print(f"| {name} | {statistics.mean(p):.3f}{spread(p)} | {statistics.mean(r):.3f}{spread(r)} | {b} | "
              f"{len(vals)} |")


if __name__ == "__main__":
    main()
