"""The semi-discrete OT solver's settings as a dataclass: the ``ot`` part of :class:`~aeot_viz.config.AEOTConfig`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass
class OTConfig:
    """Semi-discrete OT solver settings; see :class:`aeot_viz.ot.SemiDiscreteOT`."""

    source: str = "uniform"
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

    def validate(self) -> None:
        from .ot import SemiDiscreteOT

        SemiDiscreteOT(**dataclasses.asdict(self))._check_params()
