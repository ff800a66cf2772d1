"""AE-OT vs GAN, PacGAN, WGAN-GP and VAE: mode coverage on 8 and 25 Gaussians and MNIST-10k, over 3 seeds.

    python benchmarks/mode_collapse.py [--seeds 0 1 2] [--only ring8 grid25 mnist10k]

Toy mixtures (PacGAN / VEEGAN protocol, aeot_viz.analysis.metrics): per seed, 2,000 training points; AE-OT with the
identity embedding (default solver: exact Newton) and the four baselines (the toy recipe,
``aeot_viz.models.baselines.TOY_RECIPE``) trained on them; 2,500 samples each. MNIST-10k: the shipped default
model's autoencoder and OT map (assets/default_mnist10k.npz); per seed the four baselines are trained on its codes
(32-D) and every generator draws 5,000 codes that the shared decoder turns into images, judged by the shipped digit
classifier against 5,000 training digits drawn at random.
Prints markdown tables of mean +- standard deviation over the seeds.
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
from aeot_viz.analysis.lab import GENERATORS, LABELS, generate_all, real_images, score_all, train_baselines  # noqa: E402
from aeot_viz.analysis.metrics import PUBLISHED  # noqa: E402
from aeot_viz.models.baselines import KINDS  # noqa: E402
from aeot_viz.models.classifier import default_classifier  # noqa: E402

TOY_COLS = [("modes_covered", "modes >= 1 HQ", "{:.1f}"), ("modes_covered_strict", "modes >= 20 HQ", "{:.1f}"),
            ("hq_share", "% HQ", "{:.1f}"), ("reverse_kl", "reverse KL", "{:.3f}")]
IMG_COLS = [("classes_at_1pct", "classes >= 1%", "{:.1f}"), ("min_class_share", "smallest class %", "{:.1f}"),
            ("class_kl", "KL(classes)", "{:.3f}"), ("confidence", "confidence", "{:.3f}"),
            ("precision", "precision", "{:.3f}"), ("recall", "recall", "{:.3f}"),
            ("feature_frechet", "Fréchet (classifier feat.)", "{:.2f}")]


def fmt(vals, f, pct=False):
    v = np.asarray(vals, dtype=np.float64) * (100 if pct else 1)
    return f"{f.format(v.mean())} ± {f.format(v.std())}"


def table(title, runs, cols, pct_keys, published=()):
    print(f"\n**{title}** (mean ± std over {len(runs)} seeds)\n")
    print("| generator | " + " | ".join(c[1] for c in cols) + " | train s |")
    print("|---" * (len(cols) + 2) + "|")
    for g in GENERATORS:
        cells = [fmt([r["scores"][g][k] for r in runs], f, k in pct_keys) for k, _, f in cols]
        t = fmt([r["seconds"][g] for r in runs], "{:.0f}")
        print(f"| {LABELS[g]} | " + " | ".join(cells) + f" | {t} |")
    for name, modes, hq, kl in published:
        print(f"| {name} (PacGAN Table 1) | {modes} | - | {hq} | {kl} | - |")


def timed_baselines(model, seed, seconds: dict) -> dict:
    """The baselines for ``model``, each one's training time written into ``seconds``."""
    baselines = {}
    for kind in KINDS:
        t0 = time.perf_counter()
        baselines.update(train_baselines(model, kinds=(kind,), random_state=seed, device="cpu"))
        seconds[kind] = time.perf_counter() - t0
    return baselines


def toy(name, seed):
    ds = av.load_dataset(name, n_samples=2000, random_state=seed)
    t0 = time.perf_counter()
    model = av.fit_aeot(ds, av.AEOTConfig(ot=av.OTConfig(device="cpu", random_state=seed)))
    seconds = {"AE-OT": time.perf_counter() - t0}
    samples = generate_all(model, timed_baselines(model, seed, seconds), 2500, random_state=seed)
    return {"scores": score_all(model, samples), "seconds": seconds}


def mnist(model, real, clf, seed):
    seconds = {"AE-OT": float(model.ot_log["time"][-1])}  # the stored OT solve of the shipped model
    samples = generate_all(model, timed_baselines(model, seed, seconds), 5000, random_state=seed)
    return {"scores": score_all(model, samples, classifier=clf, real_images=real), "seconds": seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--only", nargs="+", default=["ring8", "grid25", "mnist10k"])
    args = ap.parse_args()
    for name in ("ring8", "grid25"):
        if name in args.only:
            runs = [toy(name, s) for s in args.seeds]
            table(f"{'8 Gaussians (ring)' if name == 'ring8' else '25 Gaussians (grid)'}", runs, TOY_COLS,
                  {"hq_share"}, PUBLISHED[name])
    if "mnist10k" in args.only:
        model = av.load_bundle(ROOT / "assets" / "default_mnist10k.npz")
        real = real_images(model, 5000)
        clf = default_classifier()
        runs = [mnist(model, real, clf, s) for s in args.seeds]
        table(f"MNIST-10k (shared autoencoder, {model.latent_dim}-D latent; AE-OT train s = its OT solve)", runs,
              IMG_COLS,
              {"min_class_share"})


if __name__ == "__main__":
    main()
