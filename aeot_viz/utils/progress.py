"""Progress events passed from long computations to whoever watches them.

The trainer and the OT solver know nothing of progress bars or Streamlit: they call
``callback(ProgressEvent(...))`` after each unit of work. The CLI turns events into a tqdm bar, the
Train page into ``st.progress`` and charts. A callback that raises :class:`Cancelled` stops the run
cleanly; the exception propagates to the caller, and nothing half-finished is returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Optional

__all__ = ["ProgressEvent", "Callback", "Cancelled", "emit", "relabelled"]


@dataclass(frozen=True)
class ProgressEvent:
    """One report from a running computation.

    Attributes
    ----------
    stage : str
        What is running: ``"autoencoder"``, ``"encode"``, ``"ot"``, ``"ot-validation"`` or
        ``"convex-null"`` / ``"convex-null-validation"`` (the OT solve that calibrates the singular set).
    step : int
        Units of work done so far in this stage (batches, iterations).
    total : int
        Units of work the stage will do at most.
    metrics : dict
        Figures of the latest step, e.g. ``{"loss": 0.02, "epoch": 3}`` or ``{"l1": 0.05}``.
    """

    stage: str
    step: int
    total: int
    metrics: dict = field(default_factory=dict)

    @property
    def fraction(self) -> float:
        """Share of the stage done, in [0, 1]."""
        return min(max(self.step / self.total, 0.0), 1.0) if self.total else 1.0


Callback = Callable[[ProgressEvent], None]


class Cancelled(RuntimeError):
    """Raised by a callback to stop a training or OT run; the run leaves no partial result."""


def emit(callback: Optional[Callback], stage: str, step: int, total: int, **metrics) -> None:
    """Send one event to ``callback`` if there is one."""
    if callback is not None:
        callback(ProgressEvent(stage, int(step), int(total), dict(metrics)))


def relabelled(callback: Optional[Callback], stages: dict) -> Optional[Callback]:
    """A callback that forwards only the events of ``stages`` (old name -> new name), renamed."""
    if callback is None:
        return None

    def forward(ev: ProgressEvent) -> None:
        if ev.stage in stages:
            callback(ProgressEvent(stages[ev.stage], ev.step, ev.total, dict(ev.metrics)))

    return forward
