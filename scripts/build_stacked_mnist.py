"""Build the shipped Stacked-MNIST AE-OT model and its baselines (issue 19).

    python scripts/build_stacked_mnist.py [--epochs 6] [--max-iter 300] [--validation-samples 2097152]

Writes ``assets/stacked_mnist.npz`` (AE-OT: a channel-wise convolutional autoencoder, 16 dimensions per channel,
its codes, OT heights, solver log, convex null and views) and ``assets/baselines_stacked_mnist.npz`` (GAN,
WGAN-GP and VAE trained on the same codes, seed 0). The data: :func:`aeot_viz.data.load_stacked_mnist` with its
defaults (25,600 images from the shipped MNIST-10k digits, every mode 25 or 26 times, seed 0).

Prints each stage's time on this machine, the bundle's size, the OT validation beside its noise floor, an
independent 2^22-sample check with a seed the solver never used, and the acceptance protocol: 26,000 samples of
the default generation, each channel read by the shipped digit classifier, modes covered and KL to uniform.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aeot_viz.analysis.lab import stacked_scores, train_baselines  # noqa: E402
from aeot_viz.analysis.singularity import model_singular_set  # noqa: E402
from aeot_viz.data import load_stacked_mnist  # noqa: E402
from aeot_viz.models.baselines import load_baselines, save_baselines  # noqa: E402
from aeot_viz.models.classifier import default_classifier  # noqa: E402
from aeot_viz.models.config import STACKED_LATENT_DIM, AEConfig, TrainConfig  # noqa: E402
from aeot_viz.ot import OTConfig, validate_ot  # noqa: E402
from aeot_viz.pipeline.bundle import load_bundle, save_bundle  # noqa: E402
from aeot_viz.pipeline.config import AEOTConfig  # noqa: E402
from aeot_viz.pipeline.training import fit_aeot  # noqa: E402
from aeot_viz.pipeline.views import compute_views  # noqa: E402

ASSETS = ROOT / "assets"
CHECK_SEED = 20_251_129
#: what the shipped file keeps of the training images and of the solver's height snapshots (the size budget)
SHIPPED_IMAGES, SHIPPED_SNAPSHOTS = 2000, 10


def thin_for_shipping(model) -> None:
    """Keep :data:`SHIPPED_IMAGES` of the display images (a seeded random subset, in order) and
    :data:`SHIPPED_SNAPSHOTS` evenly spaced height snapshots (the last included) for the replay: about 5 MiB less.
    Neither enters the codes, the heights, the views or any score."""
    if model.images is not None and len(model.images) > SHIPPED_IMAGES:
        keep = np.sort(np.random.default_rng(0).choice(len(model.images), SHIPPED_IMAGES, replace=False))
        model.images, model.images_index = model.images[keep], model.images_index[keep]
    S = len(model.h_snapshots)
    if S > SHIPPED_SNAPSHOTS:
        keep = np.unique(np.linspace(0, S - 1, SHIPPED_SNAPSHOTS).round().astype(int))
        model.h_snapshots, model.snapshot_iters = model.h_snapshots[keep], model.snapshot_iters[keep]
#: the shipped model's autoencoder: one conv autoencoder shared by the three channels, 16 dimensions each (a joint
#: 3-channel one with 48 dimensions reads back worse, docs/BENCHMARKS.md "Stacked MNIST")
CHANNELS = (64, 128)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--max-iter", type=int, default=300, help="OT iterations at most (the model and its null)")
    ap.add_argument("--validation-samples", type=int, default=2**21,
                    help="samples of the solver's stopping check (the default 'auto' would take 26 million)")
    ap.add_argument("--latent-dim", type=int, default=STACKED_LATENT_DIM)
    args = ap.parse_args()
    out, base_out = ASSETS / "stacked_mnist.npz", ASSETS / "baselines_stacked_mnist.npz"
    t0 = time.perf_counter()
    data = load_stacked_mnist(random_state=0)
    config = AEOTConfig(ae=AEConfig(kind="channelwise", latent_dim=args.latent_dim, channels=CHANNELS),
                        train=TrainConfig(epochs=args.epochs, batch_size=128, device="cpu", random_state=0),
                        ot=OTConfig(max_iter=args.max_iter, validation_samples=args.validation_samples, device="cpu",
                                    random_state=0))
    starts: list = []  # (stage, time it started)

    def progress(ev):
        if not starts or ev.stage != starts[-1][0]:
            starts.append((ev.stage, time.perf_counter()))
            print(f"  {ev.stage}...", flush=True)

    model = fit_aeot(data, config, callback=progress)
    t_fit = time.perf_counter() - t0
    ends = [t for _, t in starts[1:]] + [t0 + t_fit]
    stages = {}
    for (stage, start), end in zip(starts, ends):
        stages[stage] = stages.get(stage, 0.0) + end - start
    save_bundle(model, out)
    v = model.ot_validation
    print(f"AE-OT fitted in {t_fit:.0f} s: autoencoder loss {model.train_history['loss'][-1]:.4f}; OT "
          f"{int(model.ot_log['iteration'][-1])} iterations, validation L1 {v['l1']:.4f} on {v['n_samples']:,} "
          f"samples, floor {v['noise_floor']:.4f} ({v['l1'] / v['noise_floor']:.2f}x)", flush=True)
    t1 = time.perf_counter()
    baselines = train_baselines(model, random_state=0, device="cpu")
    save_baselines(baselines, base_out)
    t_base = time.perf_counter() - t1
    print(f"baselines {', '.join(baselines)} in {t_base:.0f} s -> {base_out} "
          f"({base_out.stat().st_size / 2**20:.1f} MiB)", flush=True)
    t2 = time.perf_counter()
    model = load_bundle(out)
    compute_views(model, baselines=load_baselines(base_out), baselines_id=f"shipped-{base_out.name}")
    thin_for_shipping(model)
    save_bundle(model, out)
    t_views = time.perf_counter() - t2
    print(f"views in {t_views:.0f} s; total {time.perf_counter() - t0:.0f} s; {out} "
          f"{out.stat().st_size / 2**20:.1f} MiB", flush=True)
    check = validate_ot(model.targets, model.h, n_samples=2**22, random_state=CHECK_SEED, device="cpu")
    print(f"independent 2^22 check: L1 {check.l1:.4f}, floor {check.noise_floor:.4f} "
          f"({check.l1 / check.noise_floor:.2f}x), empty cells {check.empty_share:.2%}", flush=True)
    ss = model_singular_set(model)
    print(ss.verdict(), flush=True)
    scores = stacked_scores(model, {}, default_classifier(), singular=ss, random_state=CHECK_SEED)
    for name, s in scores.items():
        print(f"{name}: {s['modes_covered']} modes, KL {s['kl']:.4f} over {s['n_samples']:,} samples "
              f"(seed {CHECK_SEED})", flush=True)
    print("stage seconds:", {k: round(v) for k, v in stages.items()}, flush=True)


if __name__ == "__main__":
    main()
