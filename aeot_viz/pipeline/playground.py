"""The Playground's AE-OT: a drawn 2-D point set solved in seconds, with its calibrated singular set.

A drawing is its own latent space (identity embedding). Its OT map is solved exactly, by damped Newton on the
exact power cells (:mod:`aeot_viz.ot.newton`, the default for 2-D codes): a 500-point drawing solves to float64
precision in well under a second on 2 cores, with a 2^18-sample cross-check. Its convex null is solved the same way,
so singular facets are judged exactly as for any other model. (The settings for the stochastic solver stay modest,
2^14 samples per iteration, for anyone who picks ``method="stochastic"``.)
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import numpy as np

from ..data.dataset import Dataset
from ..data.drawing import check_drawing
from ..models.config import AEConfig, TrainConfig
from ..ot.config import OTConfig
from ..utils.paths import asset
from ..utils.progress import Callback
from .config import AEOTConfig
from .model import AEOTModel
from .training import fit_aeot

__all__ = ["PLAYGROUND_OT", "fit_drawing", "solve_drawing", "DEFAULT_DRAWING", "DEFAULT_MODEL_PATH"]

#: the page's opening drawing (preset name, points, seed) and its solve, shipped (scripts/build_playground_default.py)
DEFAULT_DRAWING = ("ring", 500, 0)
DEFAULT_MODEL_PATH = asset("playground_ring500.npz")

#: the Playground's solver settings (see the module docstring)
PLAYGROUND_OT = OTConfig(max_iter=600, round_iter=100, max_batch_size=2**14, validation_samples=2**18, device="cpu")


def fit_drawing(points, *, random_state: int = 0, callback: Optional[Callback] = None,
                ot: Optional[OTConfig] = None) -> AEOTModel:
    """Solve the semi-discrete OT problem of a drawn point set and calibrate its singular set.

    Parameters
    ----------
    points : array-like, shape (n, 2)
        The drawing, checked by :func:`aeot_viz.data.drawing.check_drawing` (``ValueError`` with a message
        for too few, identical or collinear points).
    random_state : int
    callback : callable, optional
        Progress events, as for :func:`aeot_viz.pipeline.training.fit_aeot`.
    ot : OTConfig, optional
        Solver settings (default :data:`PLAYGROUND_OT`).

    Returns
    -------
    AEOTModel
        With identity embedding, OT heights, solver snapshots (for the replay) and the convex null.
    """
    X = check_drawing(points)
    dataset = Dataset(X, None, "points", "drawing", {"n_points": int(len(X))})
    config = AEOTConfig(ae=AEConfig(kind="identity"), train=TrainConfig(random_state=random_state),
                        ot=dataclasses.replace(ot or PLAYGROUND_OT, random_state=random_state))
    return fit_aeot(dataset, config, callback=callback)


def solve_drawing(points, *, random_state: int = 0) -> AEOTModel:
    """:func:`fit_drawing`, except that the page's opening drawing loads its shipped solve (same settings and
    seed, built by ``scripts/build_playground_default.py``) instead of solving it again."""
    from ..data.drawing import preset
    from .bundle import BundleError, load_bundle

    X = check_drawing(points)
    if random_state == 0 and DEFAULT_MODEL_PATH.is_file():
        default = preset(*DEFAULT_DRAWING)[0]
        if X.shape == default.shape and np.array_equal(X, default):
            try:
                return load_bundle(DEFAULT_MODEL_PATH)
            except BundleError:
                pass  # a damaged asset: solve it
    return fit_drawing(X, random_state=random_state)
