"""How long a running computation has left, from the wall times of its progress reports.

A long job runs through stages at very different speeds (a few milliseconds per autoencoder batch, a second
per OT iteration on a large batch, a minute for one UMAP), so one rate for the whole job is wrong in every
stage: the old estimate ``elapsed / fraction - elapsed`` on the job's progress bar counted *up* as soon as a
slow stage followed a fast one. :class:`TimeLeft` measures each *segment* (a stage, or one round of an OT
solve) on its own: its rate is the median of the segment's own step rates, seconds per unit of the segment's
fraction, measured from the segment's first report on (so the start-up before it, an import or building a
neighbour list, is not counted as work). Between reports the estimate counts down with the clock, by at most
one typical step: during a stall (a pause that no report explains) it waits rather than run to zero and then
jump back up. The median makes one slow step (a garbage collection, an epoch's bookkeeping) move the rate by
at most the gap between two neighbouring rates, where a mean would move by the outlier over the step count.
"""

from __future__ import annotations

import math
from bisect import insort
from collections.abc import Hashable
from typing import Optional

__all__ = ["TimeLeft"]


class TimeLeft:
    """Seconds left in the running segment of a job, fed ``(time, segment, fraction)`` reports.

    Parameters
    ----------
    min_steps : int
        Step rates a segment needs before it gives an estimate (default 3: two steps give no scatter).

    Notes
    -----
    A segment's estimate after a report at time ``t`` with fraction ``f`` is ``(1 - f) * r`` where ``r`` is the
    median of the rates ``(t_i - t_{i-1}) / (f_i - f_{i-1})`` of the segment's steps so far. :meth:`left` at a
    later time ``now`` subtracts ``min(now - t, s)``, where ``s`` is the median seconds per step, and never goes
    below 0. A new segment starts from nothing: its first report only marks when its work began.

    Examples
    --------
    >>> eta = TimeLeft()
    >>> for i in range(5):
    ...     eta.update(2.0 + i, "autoencoder", i / 10)
    >>> round(eta.left(), 6)  # 6 steps of 1 s left
    6.0
    """

    def __init__(self, min_steps: int = 3):
        if int(min_steps) < 1:
            raise ValueError(f"min_steps must be at least 1, got {min_steps}.")
        self.min_steps = int(min_steps)
        self.segment: Optional[Hashable] = None
        self._last_t = self._last_f = math.nan
        self._rates: list[float] = []  # sorted, seconds per unit fraction
        self._step_s: list[float] = []  # sorted, seconds per step
        self._estimate = math.nan

    def update(self, t: float, segment: Hashable, fraction: float) -> None:
        """Add one report: at wall time ``t`` (seconds), ``segment`` is done to ``fraction`` (in [0, 1]).

        Reports must come in time order; a report with a smaller fraction than the last one of its segment
        starts the segment again (a resumed or restarted run).
        """
        t, f = float(t), min(max(float(fraction), 0.0), 1.0)
        if not math.isfinite(t):
            raise ValueError(f"A report's time must be a finite number of seconds, got {t}.")
        if segment != self.segment or f < self._last_f:
            self.segment, self._rates, self._step_s = segment, [], []
        elif t < self._last_t:
            raise ValueError(f"Reports must come in time order: {t} s after {self._last_t} s.")
        elif f > self._last_f:
            dt = t - self._last_t
            insort(self._rates, dt / (f - self._last_f))
            insort(self._step_s, dt)
        self._last_t, self._last_f = t, f
        self._estimate = ((1.0 - f) * _median(self._rates) if len(self._rates) >= self.min_steps
                          else (0.0 if f >= 1.0 else math.nan))

    def left(self, now: Optional[float] = None) -> float:
        """Seconds left in the current segment at wall time ``now`` (default: the last report's time); NaN while
        the segment has fewer than ``min_steps`` measured steps."""
        if math.isnan(self._estimate):
            return math.nan
        waited = 0.0 if now is None else max(float(now) - self._last_t, 0.0)
        if self._step_s:
            waited = min(waited, _median(self._step_s))
        return max(self._estimate - waited, 0.0)

    @property
    def steps(self) -> int:
        """Steps measured in the current segment."""
        return len(self._rates)


def _median(sorted_values: list) -> float:
    n = len(sorted_values)
    if n == 0:
        return math.nan
    mid = n // 2
    return float(sorted_values[mid]) if n % 2 else 0.5 * (sorted_values[mid - 1] + sorted_values[mid])
