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

from ..models.baselines import DEFAULT_STEPS, KINDS, BaselineConfig, fit_baseline, toy_recipe
from ..utils.progress import Callback, emit
from .generation import generate, plain_map
from .metrics import (
    STACKED_SAMPLES,
    TOY_PROTOCOLS,
    histogram_coverage,
    image_metrics,
    stacked_histogram,
    toy_score,
)

__all__ = ["train_baselines", "recipe_steps", "failure_in_words", "baselines_in_words", "generate_all", "score_all",
           "real_images", "GENERATORS", "noise_path", "source_path", "straight_paths", "is_stacked_mnist",
           "stacked_scores", "decoded_stacked_score"]

#: the generators compared, in display order
GENERATORS = ("AE-OT",) + KINDS
LABELS = {"AE-OT": "AE-OT", "AE-OT (plain map)": "AE-OT (plain map)", "gan": "GAN", "pacgan": "PacGAN",
          "wgan-gp": "WGAN-GP", "vae": "VAE"}


#: each baseline kind with what it is, for sentences that introduce the baselines of a model
_DESCRIBED = {"gan": "a GAN", "pacgan": "a PacGAN (the GAN whose discriminator judges packs of samples, the field's "
                                      "own fix for mode collapse)", "wgan-gp": "a WGAN-GP", "vae": "a VAE"}
_COUNT = {1: "one", 2: "two", 3: "three", 4: "four"}


def baselines_in_words(kinds) -> str:
    """The baselines a model has, in words: "three continuous generators trained on the same codes: a GAN, a WGAN-GP
    and a VAE". Only the kinds given are named, in the order of :data:`~aeot_viz.models.baselines.KINDS`.

    Parameters
    ----------
    kinds : iterable of str
        Baseline kinds (keys of a baselines dict: "gan", "pacgan", "wgan-gp", "vae").

    Returns
    -------
    str
        A phrase without a final full stop; "no continuous generator yet" when ``kinds`` is empty.

    Raises
    ------
    ValueError
        A kind that is not one of :data:`~aeot_viz.models.baselines.KINDS`.
    """
    given = set(kinds)
    unknown = given - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown baseline kinds {sorted(unknown)}; the baselines are {list(KINDS)}.")
    named = [_DESCRIBED[k] for k in KINDS if k in given]
    if not named:
        return "no continuous generator yet"
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    n = len(named)
    return f"{_COUNT.get(n, str(n))} continuous generator{'s' if n > 1 else ''} trained on the same codes: {listed}"


def recipe_steps(model) -> dict:
    """The generator steps :func:`train_baselines` gives each kind for ``model`` by default: the toy recipe's for
    2-D point models, :data:`~aeot_viz.models.baselines.DEFAULT_STEPS` otherwise."""
    if model.dataset["kind"] == "points" and model.latent_dim == 2:
        return {k: toy_recipe(k).steps for k in KINDS}
    return dict(DEFAULT_STEPS)


def train_baselines(model, *, kinds=KINDS, steps: Optional[dict] = None, random_state: int = 0,
                    callback: Optional[Callback] = None, device: str = "auto") -> dict:
    """Fit each baseline kind to ``model.codes``.

    2-D point models take the toy recipe (:func:`~aeot_viz.models.baselines.toy_recipe`: PacGAN's protocol with
    2-D noise, trained until the scores level off) and keep 20 training snapshots for the page's replay;
    latent-space models take the latent recipe (noise dimension: the latent dimension, at least 8; steps
    :data:`~aeot_viz.models.baselines.DEFAULT_STEPS`) and keep the first and last snapshots. ``steps`` overrides
    the recipe's generator steps per kind."""
    out = {}
    points = model.dataset["kind"] == "points" and model.latent_dim == 2
    for kind in kinds:
        common = dict(random_state=random_state, device=device, n_snapshots=20 if points else 2)
        if (steps or {}).get(kind) is not None:
            common["steps"] = int(steps[kind])
        cfg = (toy_recipe(kind, **common) if points
               else BaselineConfig(kind=kind, noise_dim=max(8, model.latent_dim), **common))
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
        if is_stacked_mnist(model) and classifier is not None:
            out[key] = decoded_stacked_score(model, codes, classifier)
        elif name in TOY_PROTOCOLS and model.dataset["kind"] == "points":
            out[key] = toy_score(name, codes).as_row()
        elif model.dataset["kind"] == "images" and classifier is not None and real_images is not None:
            out[key] = image_metrics(np.clip(model.decode(codes), 0, 1), real_images, classifier)
        else:
            raise ValueError(f"No metric for dataset {name!r}: the lab scores ring8 / grid25 points, MNIST "
                             "and Stacked-MNIST images (with the digit classifier).")
    return out


def is_stacked_mnist(model) -> bool:
    """Whether ``model`` was trained on Stacked MNIST (images (3, 28, 28) with the 1,000-mode labels)."""
    return model.dataset.get("name") == "stacked_mnist" and tuple(model.dataset.get("shape", ())) == (3, 28, 28)


def decoded_stacked_score(model, codes, classifier, *, chunk: int = 4096, callback: Optional[Callback] = None,
                          stage: str = "score") -> dict:
    """:func:`~aeot_viz.analysis.metrics.stacked_mnist_score` of the images decoded from ``codes`` (n, d), decoded and
    counted (:func:`~aeot_viz.analysis.metrics.stacked_histogram`) in chunks of ``chunk``, so 26,000 images never
    sit in memory at once."""
    codes = np.asarray(codes, dtype=np.float32)
    hist = np.zeros(1000, dtype=np.int64)
    for i in range(0, len(codes), chunk):
        hist += stacked_histogram(np.clip(model.decode(codes[i:i + chunk]), 0, 1), classifier)
        emit(callback, stage, min(i + chunk, len(codes)), len(codes))
    covered, kl = histogram_coverage(hist)
    return {"modes_covered": covered, "kl": kl, "n_samples": int(hist.sum()), "histogram": hist}


def stacked_scores(model, baselines: dict, classifier, *, n: int = STACKED_SAMPLES, random_state: int = 0,
                   singular=None, callback: Optional[Callback] = None) -> dict:
    """The Stacked-MNIST protocol for AE-OT (extended and plain map) and every baseline: ``n`` samples each
    (26,000 by default), each channel read by ``classifier``; name -> :func:`decoded_stacked_score` dict.

    Progress goes to ``callback`` with the generator's name as the stage.
    """
    if not is_stacked_mnist(model):
        raise ValueError("The Stacked-MNIST protocol needs a model trained on stacked_mnist (3 x 28 x 28 images).")
    gens = {"AE-OT": lambda: generate(model, n, singular=singular, random_state=random_state).codes,
            "AE-OT (plain map)": lambda: generate(model, n, rule="plain", random_state=random_state).codes}
    gens.update({kind: (lambda b=b: b.sample(n, random_state=random_state)) for kind, b in baselines.items()})
    return {name: decoded_stacked_score(model, make(), classifier, callback=callback, stage=name)
            for name, make in gens.items()}


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


def straight_paths(model, baselines: dict, n: int = 12, random_state: int = 0) -> dict:
    """One straight path of ``n`` points through each map: AE-OT's plain OT map along :func:`source_path`, each
    baseline along one :func:`noise_path` (a model's baselines share their noise dimension).

    Parameters
    ----------
    model : AEOTModel
    baselines : dict of str -> Baseline
        Kind -> baseline trained on ``model``'s codes (may be empty).
    n : int
        Points along each path.
    random_state : int
        Seeds both paths' ends.

    Returns
    -------
    dict of str -> numpy.ndarray, shape (n, d)
        ``"AE-OT"`` and each baseline's kind -> the codes along its path, in order.
    """
    x = source_path(model.latent_dim, n, random_state)
    out = {"AE-OT": model.codes[plain_map(x, model.targets, model.h)[1]]}
    if baselines:
        z = noise_path(next(iter(baselines.values())).config.noise_dim, n, random_state)
        out.update({kind: b.generate_from_noise(z) for kind, b in baselines.items()})
    return out


def failure_in_words(score: dict, n_modes: Optional[int] = None) -> str:
    """What a generator's scores say about it, in words a table cannot contradict (they are read off it).

    Toy scores (:func:`~aeot_viz.analysis.metrics.mode_score` rows, with ``n_modes``): **collapse** is modes with no
    high-quality sample, or with a small share of them (modes below a fifth of the uniform share); **mixture** is
    samples off every mode (not high quality). Image scores (:func:`~aeot_viz.analysis.metrics.image_metrics`):
    collapse is missing recall and under-drawn classes, mixture is missing precision and low classifier confidence.

    Parameters
    ----------
    score : dict
        One generator's row of :func:`score_all`.
    n_modes : int, optional
        Modes of the toy mixture (required for toy scores).
    """
    parts = []
    if "hq_share" in score:
        if n_modes is None:
            raise ValueError("n_modes is needed to describe a toy score.")
        missing = n_modes - int(score["modes_covered"])
        thin = int(score["modes_covered"]) - int(score.get("modes_covered_strict", score["modes_covered"]))
        off = 1.0 - float(score["hq_share"])
        if missing:
            parts.append(f"collapse: misses {missing} of {n_modes} modes")
        if thin > 0:
            parts.append(f"{thin} more mode{'s' if thin > 1 else ''} barely drawn (under 20 good samples)")
        if off >= 0.05:
            parts.append(f"mixture: {off:.0%} of its samples lie off every mode")
        if not parts:
            return f"covers all {n_modes} modes with {float(score['hq_share']):.0%} of its samples on them"
        return "; ".join(parts)
    recall, precision = float(score["recall"]), float(score["precision"])
    if recall < 0.8:
        parts.append(f"collapse: recall {recall:.2f} (part of the data is never generated), smallest class "
                     f"{float(score['min_class_share']):.1%} of samples")
    if precision < 0.9:
        parts.append(f"mixture: precision {precision:.2f} (samples off the data), mean confidence "
                     f"{float(score['confidence']):.2f}")
    return "; ".join(parts) if parts else f"recall {recall:.2f} and precision {precision:.2f}: no clear failure"
