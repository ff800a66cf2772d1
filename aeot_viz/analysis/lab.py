"""The mode-collapse lab: AE-OT and continuous baselines side by side, on one model's data or latent space.

One code path for the Mode Collapse page and ``benchmarks/mode_collapse.py``:
:func:`train_baselines` fits a GAN, a WGAN-GP and a VAE to a model's codes (the 2-D points themselves for
toy models), :func:`generate_all` draws the same number of samples from AE-OT and each baseline, and
:func:`score_all` scores them: the PacGAN / VEEGAN mode protocol for ``ring8`` and ``grid25`` data,
classifier metrics (:mod:`aeot_viz.analysis.metrics`) for MNIST images.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from ..models.baselines import KINDS, BaselineConfig, fit_baseline
from ..utils.progress import Callback
from .generation import generate
from .metrics import TOY_PROTOCOLS, image_metrics, toy_score

__all__ = ["train_baselines", "generate_all", "score_all", "real_images", "GENERATORS", "noise_path", "source_path"]

#: the generators compared, in display order
GENERATORS = ("AE-OT",) + KINDS
LABELS = {"AE-OT": "AE-OT", "gan": "GAN", "wgan-gp": "WGAN-GP", "vae": "VAE"}


def train_baselines(model, *, kinds=KINDS, steps: Optional[dict] = None, random_state: int = 0,
                    callback: Optional[Callback] = None, device: str = "auto") -> dict:
    """Fit each baseline kind to ``model.codes`` (noise dimension: the latent dimension, at least 8)."""
    out = {}
    for kind in kinds:
        cfg = BaselineConfig(kind=kind, noise_dim=max(8, model.latent_dim), random_state=random_state,
                             steps=(steps or {}).get(kind), device=device)
        info = {"space": "latent" if model.dataset["kind"] == "images" else "data",
                "dataset": model.dataset.get("name"), "model_created": model.created}
        out[kind] = fit_baseline(model.codes, cfg, callback=callback, info=info)
    return out


def generate_all(model, baselines: dict, n: int, *, random_state: int = 0, singular=None) -> dict:
    """``n`` codes from AE-OT (extended map) and from every baseline: name -> array (n, d)."""
    out = {"AE-OT": generate(model, n, singular=singular, random_state=random_state).codes}
    for kind, b in baselines.items():
        out[kind] = b.sample(n, random_state=random_state)
    return out


def score_all(model, samples: dict, *, classifier=None, real_images: Optional[np.ndarray] = None) -> dict:
    """Score every generator's codes: name -> dict of metrics.

    Toy data (``ring8`` / ``grid25``) use the mode protocol on the codes (the points themselves); image
    models decode the codes and use ``classifier`` against ``real_images`` (n, 1, 28, 28) in [0, 1].
    """
    name = model.dataset.get("name")
    out = {}
    for key, codes in samples.items():
        if name in TOY_PROTOCOLS and model.dataset["kind"] == "points":
            out[key] = toy_score(name, codes).as_row()
        elif model.dataset["kind"] == "images" and classifier is not None and real_images is not None:
            out[key] = image_metrics(np.clip(model.decode(codes), 0, 1), real_images, classifier)
        else:
            raise ValueError(f"No metric for dataset {name!r}: the lab scores ring8 / grid25 points and MNIST "
                             "images (with the digit classifier).")
    return out


def real_images(model, n: int = 5000, random_state: int = 0) -> np.ndarray:
    """A random subset (not the first rows: stored datasets may be sorted by class) of the model's
    training images as floats in [0, 1], shape (min(n, available), C, H, W)."""
    if model.images is None:
        raise ValueError("This model keeps no training images to compare with.")
    rows = np.random.default_rng(random_state).permutation(len(model.images))[:n]
    return model.images[np.sort(rows)].astype(np.float32) / 255.0


def noise_path(dim: int, n: int = 12, random_state: int = 0) -> np.ndarray:
    """A straight path between two Gaussian noise vectors, (n, dim)."""
    z = np.random.default_rng(random_state).standard_normal((2, dim))
    t = np.linspace(0, 1, n)[:, None]
    return ((1 - t) * z[0] + t * z[1]).astype(np.float32)


def source_path(dim: int, n: int = 12, random_state: int = 0) -> np.ndarray:
    """A straight path between two uniform points of the source cube, (n, dim)."""
    x = np.random.default_rng(random_state).uniform(-0.45, 0.45, (2, dim))
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) * x[0] + t * x[1]
