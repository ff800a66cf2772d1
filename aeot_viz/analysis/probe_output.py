r"""Where a map sends the probe: a generator's output against the parameter ``t`` of a straight segment.

The discontinuity probe (:mod:`aeot_viz.analysis.discontinuity_probe`) walks the segment
:math:`x(t) = x_0 + t\,(x_1 - x_0)` of the source cube :math:`[-\tfrac12, \tfrac12]^d`. This module records what
each map *outputs* along it:

* **AE-OT** (the plain OT map, :math:`T(x) = \nabla u_h(x)`): the code of the cell that owns :math:`x(t)`,
  read off the exact cell sequence of the segment. :math:`t \mapsto T(x(t))` is a **step function**: constant inside
  a cell, a jump :math:`|y_i - y_j|` at each crossing; the big steps are the singular crossings.
* **A neural generator** :math:`G` (GAN, PacGAN, WGAN-GP, VAE decoder) reads Gaussian noise
  :math:`z \sim N(0, I_k)`. The same segment is carried into its noise by the coordinate-wise quantile map
  :math:`z_j = \Phi^{-1}(x_j + \tfrac12)` for :math:`j < \min(d, k)`, the other coordinates held at 0 (the median).
  That map pushes the uniform cube onto the Gaussian (on the first coordinates) and is continuous, so
  :math:`t \mapsto G(z(t))` is **continuous**: as the grid of ``t`` is refined its largest step shrinks towards 0,
  while a step function's does not.

The output is the point itself for 2-D data, or the class probabilities of the decoded images (a digit classifier)
for image models: a jump from a 1 to a 7 is then a step in the probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .discontinuity_probe import segment_cells

__all__ = ["ProbeOutput", "probe_grid", "source_to_noise", "ot_output_along", "generator_output_along",
           "class_probabilities_along", "outputs_along"]

#: the quantile map keeps the noise finite by clipping u = x + 1/2 to [U_CLIP, 1 - U_CLIP] (|z| <= 3.7)
U_CLIP = 1e-4


@dataclass
class ProbeOutput:
    """A map's output sampled along the probe.

    Attributes
    ----------
    t : numpy.ndarray, shape (T,)
        Increasing parameters in [0, 1].
    values : numpy.ndarray, shape (T, m)
        The output at each ``t``: coordinates (m = data dimension) or class probabilities (m = classes).
    names : list of str, length m
        Name of each output column (e.g. ``"x1"``, ``"P(7)"``).
    kind : str
        ``"coordinates"`` or ``"class probabilities"``.
    breaks : numpy.ndarray, shape (K,)
        For AE-OT: the ``t`` of every cell crossing (empty for a generator).
    """

    t: np.ndarray
    values: np.ndarray
    names: list
    kind: str = "coordinates"
    breaks: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def steps(self) -> np.ndarray:
        """Euclidean length of each step between consecutive samples, :math:`|v(t_{k+1}) - v(t_k)|`, shape (T-1,)."""
        return np.linalg.norm(np.diff(self.values, axis=0), axis=1)

    def largest_step(self) -> tuple[float, float]:
        """The largest step and where it happens (the midpoint of its two ``t``): (size, t)."""
        s = self.steps()
        if len(s) == 0:
            return 0.0, float(self.t[0]) if len(self.t) else 0.0
        k = int(np.argmax(s))
        return float(s[k]), float(0.5 * (self.t[k] + self.t[k + 1]))

    def every(self, k: int) -> ProbeOutput:
        """Every ``k``-th sample: on a :func:`probe_grid` of ``k m + 1`` points, the same probe sampled ``k`` times
        more coarsely (``probe_grid(m + 1)``), without mapping it again."""
        if int(k) < 1:
            raise ValueError(f"k must be a positive step, got {k}.")
        return replace(self, t=self.t[:: int(k)], values=self.values[:: int(k)])

    def total_variation(self) -> float:
        """Sum of the step lengths: the length of the output's path."""
        return float(self.steps().sum())


def probe_grid(n: int = 401) -> np.ndarray:
    """Equally spaced parameters along a probe.

    Parameters
    ----------
    n : int
        How many (at least 2).

    Returns
    -------
    numpy.ndarray, shape (n,)
        ``0, 1/(n-1), ..., 1``.
    """
    if int(n) < 2:
        raise ValueError(f"A probe needs at least 2 points along it, got {n}.")
    return np.linspace(0.0, 1.0, int(n))


def _segment_points(start, end, t) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x0 = np.asarray(start, dtype=np.float64).reshape(-1)
    x1 = np.asarray(end, dtype=np.float64).reshape(-1)
    if x0.shape != x1.shape or not (np.isfinite(x0).all() and np.isfinite(x1).all()):
        raise ValueError(f"start and end must be finite points of one dimension, got {x0.shape} and {x1.shape}.")
    if (np.abs(np.concatenate([x0, x1])) > 0.5 + 1e-9).any():
        raise ValueError("The probe must lie inside the source cube [-1/2, 1/2]^d; move its ends inside.")
    t = np.asarray(t, dtype=np.float64).reshape(-1)
    if len(t) < 2 or (np.diff(t) <= 0).any() or t[0] < 0 or t[-1] > 1:
        raise ValueError("t must be at least 2 increasing parameters in [0, 1] (e.g. probe_grid()).")
    return x0, x1, t


def _names(names, m: int) -> list:
    if names is None:
        return [f"x{j + 1}" for j in range(m)]
    names = [str(n) for n in names]
    if len(names) != m:
        raise ValueError(f"Give one name per output column: {m} needed, got {len(names)}.")
    return names


def source_to_noise(x, noise_dim: int) -> np.ndarray:
    r"""Carry source points of the cube to a generator's Gaussian noise (module docstring).

    Parameters
    ----------
    x : array-like, shape (M, d)
        Points of :math:`[-\tfrac12, \tfrac12]^d`.
    noise_dim : int
        The generator's noise dimension k.

    Returns
    -------
    numpy.ndarray, float32, shape (M, k)
        :math:`z_j = \Phi^{-1}(x_j + \tfrac12)` for :math:`j < \min(d, k)`, 0 elsewhere.
    """
    from scipy.special import ndtri

    X = np.asarray(x, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"x must have shape (M, d), got {X.shape}.")
    k = int(noise_dim)
    if k < 1:
        raise ValueError(f"noise_dim must be at least 1, got {noise_dim}.")
    Z = np.zeros((len(X), k))
    m = min(X.shape[1], k)
    Z[:, :m] = ndtri(np.clip(X[:, :m] + 0.5, U_CLIP, 1.0 - U_CLIP))
    return Z.astype(np.float32)


def ot_output_along(start, end, codes, Y, h, t=None, names=None) -> ProbeOutput:
    """AE-OT's plain map along the probe: the code of the cell owning each :math:`x(t)`.

    Parameters
    ----------
    start, end : array-like, shape (d,)
        The probe's ends in the source cube.
    codes : array-like, shape (N, m)
        What each cell outputs (the model's codes, or 2-D data points for a toy).
    Y : array-like, shape (N, d)
        Targets in the source domain; ``h`` : array-like, shape (N,), the heights.
    t : array-like, shape (T,), optional
        Parameters (default :func:`probe_grid`).
    names : list of str, length m, optional
        Names of the output columns (default ``x1`` ... ``xm``).

    Returns
    -------
    ProbeOutput
        With ``breaks``: the exact ``t`` of every cell crossing.
    """
    x0, x1, t = _segment_points(start, end, probe_grid() if t is None else t)
    C = np.asarray(codes, dtype=np.float64)
    if C.ndim != 2 or len(C) != len(np.asarray(Y)):
        raise ValueError(f"codes must have one row per target, shape ({len(np.asarray(Y))}, m), got {C.shape}.")
    path = segment_cells(x0, x1, Y, h)
    names = _names(names, C.shape[1])
    return ProbeOutput(t, C[path.cell_at(t)], names, "coordinates", path.breaks[1:].copy())


def generator_output_along(generator, start, end, t=None, names=None) -> ProbeOutput:
    """A neural generator's output along the same probe, fed through :func:`source_to_noise`.

    Parameters
    ----------
    generator : object
        With ``config.noise_dim`` and ``generate_from_noise(z) -> (M, m)`` (a
        :class:`~aeot_viz.models.baselines.Baseline`).
    start, end : array-like, shape (d,)
    t : array-like, shape (T,), optional
    names : list of str, length m, optional

    Returns
    -------
    ProbeOutput
        The generator's outputs (T, m) at ``t``; no ``breaks`` (a continuous map has none).
    """
    if not (hasattr(generator, "generate_from_noise") and hasattr(getattr(generator, "config", None), "noise_dim")):
        raise TypeError("generator must be a trained baseline (with config.noise_dim and generate_from_noise), got "
                        f"{type(generator).__name__}.")
    x0, x1, t = _segment_points(start, end, probe_grid() if t is None else t)
    z = source_to_noise(x0 + t[:, None] * (x1 - x0), generator.config.noise_dim)
    V = np.asarray(generator.generate_from_noise(z), dtype=np.float64)
    return ProbeOutput(t, V, _names(names, V.shape[1]), "coordinates")


def class_probabilities_along(output: ProbeOutput, decode, classifier) -> ProbeOutput:
    """The same probe read as digits: decode each output code to an image and take the classifier's class
    probabilities.

    Parameters
    ----------
    output : ProbeOutput
        Codes along the probe (``kind="coordinates"`` in the latent space).
    decode : callable
        Codes (T, m) -> images (T, C, H, W) in [0, 1] (``model.decode``).
    classifier : object
        With ``predict_proba(images) -> (T, n_classes)``; stacked (3-channel) images are read channel 0.

    Returns
    -------
    ProbeOutput
        ``kind="class probabilities"``, values (T, n_classes), columns ``P(0)`` ..., the same ``breaks``.
    """
    if output.kind != "coordinates":
        raise ValueError("class_probabilities_along needs codes along the probe, not probabilities.")
    images = np.clip(np.asarray(decode(output.values.astype(np.float32)), dtype=np.float32), 0.0, 1.0)
    if images.ndim != 4:
        raise ValueError(f"decode must return images (T, C, H, W), got shape {images.shape}.")
    P = np.asarray(classifier.predict_proba(images[:, :1]), dtype=np.float64)
    return ProbeOutput(output.t, P, [f"P({c})" for c in range(P.shape[1])], "class probabilities",
                       output.breaks)


def outputs_along(model, start, end, generators=None, *, classifier=None, n: int = 401) -> dict:
    """Every map's output along one probe of ``model``'s source cube: AE-OT first, then each generator.

    Parameters
    ----------
    model : AEOTModel
    start, end : array-like, shape (d,)
        The probe's ends in the source cube.
    generators : dict of str -> Baseline, optional
        Neural generators trained on the model's codes (e.g. ``{"GAN": baselines["gan"]}``).
    classifier : object, optional
        For image models: read each output as class probabilities (:func:`class_probabilities_along`); without it
        (or for point models) the outputs are the codes themselves.
    n : int
        Points along the probe.

    Returns
    -------
    dict of str -> ProbeOutput
    """
    t = probe_grid(n)
    images = model.dataset.get("kind") == "images"
    outs = {"AE-OT": ot_output_along(start, end, model.codes, model.targets, model.h, t)}
    for name, g in (generators or {}).items():
        outs[name] = generator_output_along(g, start, end, t)
    if images and classifier is not None:
        outs = {name: class_probabilities_along(o, model.decode, classifier) for name, o in outs.items()}
    return outs
