"""Rebuild the shipped baselines (GAN, PacGAN, WGAN-GP, VAE) for the shipped AE-OT models, and the ring8 toy model.

    python scripts/build_baselines.py [--only default_mnist10k]

Writes assets/toy_ring8.npz (AE-OT on 1,000 ring8 points) and assets/baselines_<model>.npz for the
MNIST-10k default model (in its 32-D latent space, the latent recipe) and the two toy models (on the points, the
toy recipe), seed 0: about 10 minutes for the toys and 6 for MNIST-10k on 2 CPU cores (issue 23). Then rebuild
the models' views (``python scripts/build_views.py``): the Mode Collapse page's stored samples and scores.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aeot_viz.analysis.lab import train_baselines  # noqa: E402
from aeot_viz.models.baselines import save_baselines  # noqa: E402
from aeot_viz.pipeline.bundle import load_bundle  # noqa: E402

ASSETS = ROOT / "assets"


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["default_mnist10k", "toy_grid25", "toy_ring8"], default=None)
    args = ap.parse_args()
    ring = ASSETS / "toy_ring8.npz"
    if not ring.is_file():
        subprocess.run([sys.executable, "-m", "aeot_viz", "train", "--dataset", "ring8", "--n-samples", "1000",
                        "--seed", "0", "--quiet", "--out", str(ring)], check=True, cwd=ROOT)
    for bundle, out in (("default_mnist10k.npz", "baselines_mnist10k.npz"), ("toy_grid25.npz", "baselines_grid25.npz"),
                        ("toy_ring8.npz", "baselines_ring8.npz")):
        if args.only and bundle != f"{args.only}.npz":
            continue
        t0 = time.perf_counter()
        model = load_bundle(ASSETS / bundle)
        baselines = train_baselines(model, random_state=0, device="cpu")
        save_baselines(baselines, ASSETS / out)
        print(f"{out}: {', '.join(baselines)} in {time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
