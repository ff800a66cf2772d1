"""Rebuild assets/mnist_classifier.npz: the CNN judge of generated digits (aeot_viz.models.classifier).

    python scripts/build_classifier.py [--epochs 12] [--seed 0]

Trains on 8,000 of the 10,000 shipped MNIST digits (assets/mnist10k.npz), a split drawn with the seed,
and reports the accuracy on the other 2,000, which is stored in the file (and in docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aeot_viz.data import load_mnist10k  # noqa: E402
from aeot_viz.models.classifier import DEFAULT_PATH, save_classifier, train_classifier  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(DEFAULT_PATH))
    args = ap.parse_args()
    ds = load_mnist10k()
    perm = np.random.default_rng(args.seed).permutation(len(ds))
    train, test = perm[:8000], perm[8000:]
    t0 = time.perf_counter()
    model = train_classifier(ds.data[train], ds.labels[train], epochs=args.epochs, random_state=args.seed)
    seconds = time.perf_counter() - t0
    acc = float((model.predict_proba(ds.data[test]).argmax(1) == ds.labels[test]).mean())
    model.meta = {"trained_on": "assets/mnist10k.npz, 8,000 digits (permutation of numpy default_rng(seed))",
                  "tested_on": "the other 2,000 digits", "seed": args.seed, "epochs": args.epochs,
                  "test_accuracy": acc, "train_seconds": round(seconds, 1)}
    save_classifier(model, args.out)
    print(f"test accuracy {acc:.4f} on 2,000 held-out digits; trained in {seconds:.0f} s -> {args.out}")


if __name__ == "__main__":
    main()
