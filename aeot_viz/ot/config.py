"""The semi-discrete OT solver's settings as a dataclass.

The ``ot`` part of :class:`~aeot_viz.pipeline.config.AEOTConfig`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..geometry.sources import SAMPLERS, SOURCES

__all__ = ["OTConfig", "SOURCES", "SAMPLERS", "METHODS", "check_ot_settings"]

#: how :class:`~aeot_viz.ot.SemiDiscreteOT` solves: ``"auto"`` is exact Newton for 2-D targets from the uniform
#: square (:mod:`aeot_viz.ot.newton`) and the stochastic solver otherwise
METHODS = ("auto", "newton", "pooled", "stochastic")


@dataclass
class OTConfig:
    """Semi-discrete OT solver settings; see :class:`aeot_viz.ot.SemiDiscreteOT`."""

    source: str = "uniform"
    method: str = "auto"
    batch_size: int = 16384
    max_batch_size: int = 2**18
    lr: float = 1.5
    round_iter: int = 200
    max_iter: int = 2000
    tol: float = 0.0
    floor_factor: float = 1.3
    validation_samples: int | str = "auto"
    momentum: float = 0.7
    multiscale: bool = True
    sampler: str = "sobol"
    n_snapshots: int = 30
    device: str = "auto"
    random_state: int = 0
    candidates: int = 4
    pool_size: int | str = "auto"

    def validate(self) -> None:
        check_ot_settings(dataclasses.asdict(self))


def check_ot_settings(params: dict) -> None:
    """Check the solver settings that :class:`OTConfig` holds; ``ValueError`` says which and why.

    The one place these rules live: :class:`~aeot_viz.ot.SemiDiscreteOT` checks its parameters with it,
    and :meth:`OTConfig.validate` too. Keys other than :class:`OTConfig`'s fields are ignored.
    """
    if params["source"] not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {params['source']!r}.")
    if params.get("method", "auto") not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {params.get('method')!r}.")
    if params["sampler"] not in SAMPLERS:
        raise ValueError(f"sampler must be 'sobol' or 'random', got {params['sampler']!r}.")
    names = ("batch_size", "max_batch_size", "round_iter", "max_iter") + (
        () if isinstance(params["validation_samples"], str) and params["validation_samples"] == "auto"
        else ("validation_samples",))
    for name in names:
        v = params[name]
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            extra = ' or "auto"' if name == "validation_samples" else ""
            raise ValueError(f"{name} must be a positive integer{extra}, got {v!r}.")
    if params["round_iter"] < 2:
        raise ValueError("round_iter must be at least 2 (half constant steps, half averaged).")
    lr = params["lr"]
    if not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be a positive finite number, got {lr!r}.")
    k = params.get("candidates", 4)
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"candidates must be a positive integer (targets listed per pooled sample), got {k!r}.")
    ps = params.get("pool_size", "auto")
    if not (ps == "auto" or (isinstance(ps, (int, np.integer)) and not isinstance(ps, bool) and ps >= 1)):
        raise ValueError(f'pool_size must be a positive integer or "auto", got {ps!r}.')
    if not 0 <= params["momentum"] < 1:
        raise ValueError(f"momentum must be in [0, 1), got {params['momentum']!r}.")
    if not (params["tol"] >= 0 and params["floor_factor"] >= 0):
        raise ValueError("tol and floor_factor must be non-negative.")
