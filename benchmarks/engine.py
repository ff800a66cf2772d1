"""Engine benchmark: train the default MNIST-10k AE-OT model and report time and quality per stage.

    python benchmarks/engine.py [--epochs 20] [--device cpu] [--bundle assets/default_mnist10k.npz]

With ``--bundle`` it measures an existing model instead of training one (the figures of time then come
from the bundle's own log). Quality of the reconstructions is scored by a peer that never saw them:
a 3-nearest-neighbour classifier on raw pixels, fitted on half of the original images, labels the
reconstructions of the other half, and its accuracy is compared with its accuracy on the originals
themselves (the ratio says how much of the digit identity survives the autoencoder).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.neighbors import KNeighborsClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, no install needed
import aeot_viz as av  # noqa: E402
from aeot_viz.ot import validate_ot  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--bundle", default=None)
    args = ap.parse_args()
    ds = av.load_dataset("mnist10k")
    stage_t = {}
    if args.bundle:
        model = av.load_bundle(args.bundle)
        stage_t["autoencoder"] = (model.train_history.get("time") or [float("nan")])[-1]
        stage_t["ot"] = float(model.ot_log["time"][-1])
    else:
        last = {}

        def cb(ev):
            last[ev.stage] = ev.metrics.get("time", last.get(ev.stage))

        cfg = av.AEOTConfig(train=av.TrainConfig(epochs=args.epochs, device=args.device),
                            ot=av.OTConfig(device=args.device))
        t0 = time.perf_counter()
        model = av.fit_aeot(ds, cfg, callback=cb)
        stage_t["total"] = time.perf_counter() - t0
        stage_t["autoencoder"] = last.get("autoencoder")
        stage_t["ot"] = float(model.ot_log["time"][-1])
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(ds))
    fit_idx, test_idx = perm[:5000], perm[5000:]
    flat = ds.data.reshape(len(ds), -1)
    knn = KNeighborsClassifier(3).fit(flat[fit_idx], ds.labels[fit_idx])
    recon = model.decode(model.codes[test_idx]).reshape(len(test_idx), -1)
    acc_orig = knn.score(flat[test_idx], ds.labels[test_idx])
    acc_recon = knn.score(recon, ds.labels[test_idx])
    mse = float(((recon - flat[test_idx]) ** 2).mean())
    val = validate_ot(model.targets, model.h, n_samples=2**22, random_state=999, device=args.device)
    print(f"machine: {platform.processor() or platform.machine()}, torch threads {torch.get_num_threads()}")
    print(f"autoencoder training: {stage_t['autoencoder']:.1f} s for {len(model.train_history['loss'])} epochs, "
          f"final BCE {model.train_history['loss'][-1]:.4f}, pixel MSE {mse:.4f}")
    print(f"kNN peer accuracy: originals {acc_orig:.3f}, reconstructions {acc_recon:.3f} "
          f"(ratio {acc_recon / acc_orig:.3f})")
    print(f"OT solve: {stage_t['ot']:.1f} s, {len(model.ot_log['l1'])} iterations; independent check on 2^22 "
          f"samples: L1 {val.l1:.4f} (noise floor {val.noise_floor:.4f}), empty {val.empty_share:.2%}, "
          f"max rel. error {val.max_rel_error:.2f}")
    if "total" in stage_t:
        print(f"total fit_aeot: {stage_t['total']:.1f} s")


if __name__ == "__main__":
    main()
