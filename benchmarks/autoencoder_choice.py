"""How the autoencoder bounds what AE-OT can show: reconstructions of MNIST-10k and Stacked MNIST, by architecture.

    python benchmarks/autoencoder_choice.py mnist 16:32,64:20 32:32,64:20 32:64,128:20
    python benchmarks/autoencoder_choice.py stacked conv:24:10 conv:32:10 conv:48:10 channelwise:48:4

``mnist`` specs are ``latent:widths:epochs`` for the conv autoencoder; each is trained (seed 0, Adam, batch 128) on the
10,000 shipped digits and scored by the precision / recall (k = 3, the shipped classifier's features) of the
reconstructions of 5,000 digits against the other 5,000, the ceiling of AE-OT's recall (issue 19).
``stacked`` specs are ``kind:latent:epochs`` (widths 64, 128) on the default Stacked-MNIST set (25,600 images); each
is scored by how often the shipped classifier reads a reconstructed channel, and all three channels (the mode), as
the digits that were stacked. The peer row, in the same run, is the classifier on the real images.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aeot_viz.analysis.metrics import channel_digits, precision_recall, stacked_modes  # noqa: E402
from aeot_viz.data import load_dataset  # noqa: E402
from aeot_viz.models.autoencoder import build_autoencoder, encode_array  # noqa: E402
from aeot_viz.models.classifier import default_classifier  # noqa: E402
from aeot_viz.models.config import AEConfig, TrainConfig  # noqa: E402
from aeot_viz.pipeline.training import train_autoencoder  # noqa: E402


def reconstruct(config: AEConfig, data: np.ndarray, epochs: int, rows: np.ndarray) -> tuple[np.ndarray, float]:
    torch.manual_seed(0)
    ae = build_autoencoder(config, "images", data.shape[1:])
    t0 = time.perf_counter()
    train_autoencoder(ae, data, TrainConfig(epochs=epochs, device="cpu"))
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        rec = ae.decode(torch.from_numpy(encode_array(ae, data[rows]))).numpy()
    return np.clip(rec, 0, 1), seconds


def mnist(specs: list[str]) -> None:
    clf, X = default_classifier(), load_dataset("mnist10k").data
    order = np.random.default_rng(0).permutation(len(X))
    real, other = order[:5000], order[5000:]
    F = clf.features(X[real])
    p, r = precision_recall(F, clf.features(X[other]))
    print("| autoencoder | latent | epochs | train s | precision | recall |\n|---|---:|---:|---:|---:|---:|")
    print(f"| real digits (the other 5,000) | - | - | - | {p:.3f} | {r:.3f} |")
    for spec in specs:
        lat, widths, epochs = spec.split(":")
        cfg = AEConfig(kind="conv", latent_dim=int(lat), channels=tuple(int(w) for w in widths.split(",")))
        rec, s = reconstruct(cfg, X, int(epochs), other)
        p, r = precision_recall(F, clf.features(rec))
        print(f"| conv {tuple(cfg.channels)} | {lat} | {epochs} | {s:.0f} | {p:.3f} | {r:.3f} |", flush=True)


def stacked(specs: list[str]) -> None:
    clf, ds = default_classifier(), load_dataset("stacked_mnist")
    rows = np.arange(5000)
    truth = np.stack([ds.labels // 100, ds.labels // 10 % 10, ds.labels % 10], axis=1)[rows]
    read = channel_digits(ds.data[rows], clf)
    print("| autoencoder | latent | epochs | train s | channel read right | mode read right |\n"
          "|---|---:|---:|---:|---:|---:|")
    print(f"| real images (no autoencoder) | - | - | - | {(read == truth).mean():.2%} | "
          f"{(stacked_modes(read) == ds.labels[rows]).mean():.2%} |")
    for spec in specs:
        kind, lat, epochs = spec.split(":")
        rec, s = reconstruct(AEConfig(kind=kind, latent_dim=int(lat), channels=(64, 128)), ds.data, int(epochs), rows)
        read = channel_digits(rec, clf)
        print(f"| {kind} (64, 128) | {lat} | {epochs} | {s:.0f} | {(read == truth).mean():.2%} | "
              f"{(stacked_modes(read) == ds.labels[rows]).mean():.2%} |", flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("mnist", "stacked"):
        sys.exit(__doc__)
    {"mnist": mnist, "stacked": stacked}[sys.argv[1]](sys.argv[2:])
