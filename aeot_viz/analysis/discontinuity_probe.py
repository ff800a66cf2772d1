r"""Discontinuity probe: follow a segment through the source cube and list where the OT map jumps.

On the segment :math:`x(t) = x_0 + t\,(x_1 - x_0)`, :math:`t \in [0, 1]`, each cell's score is a line in
:math:`t`,

.. math:: s_i(t) = \langle x_0, y_i\rangle + h_i + t\,\langle x_1 - x_0, y_i\rangle = a_i + t\, b_i ,

and the OT map :math:`T(x(t)) = y_{i(t)}` follows the upper envelope of these N lines. Walking the
envelope is exact: from the current cell :math:`i` at :math:`t`, the next cell is the line that overtakes
it first, :math:`j = \arg\min_{b_j > b_i} (a_i - a_j) / (b_j - b_i)` (ties to the steeper line). The
slope grows strictly at every step, so the walk ends after at most N crossings, each one costing O(N).

At each crossing the map jumps from :math:`y_i` to :math:`y_j`. Given the model's
:class:`~aeot_viz.analysis.singularity.SingularSet`, each crossing gets the facet's angle, its relative jump, its
midpoint emptiness :math:`\mu_{ij}` and its calibrated score against the convex null
(:mod:`aeot_viz.analysis.convex_null`), measured on the crossing's own pair of codes (whether or not the sampled
adjacency found that facet), and is singular by the same rule as the facets; given a plain ``threshold``, it is
singular when its angle exceeds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..geometry.facets import facet_angles, midpoint_emptiness, midpoint_rank, relative_jumps
from .singularity import check_threshold

__all__ = ["SegmentCells", "segment_cells", "Probe", "probe", "probe_summary", "probe_notice"]


@dataclass
class SegmentCells:
    """Cells met along a segment, in order.

    Attributes
    ----------
    breaks : numpy.ndarray, shape (K + 1,)
        Parameters where a cell begins: ``breaks[0] == 0``; cell ``cells[k]`` owns
        ``[breaks[k], breaks[k + 1])`` (the last one up to t = 1).
    cells : numpy.ndarray of int64, shape (K + 1,)
    """

    breaks: np.ndarray
    cells: np.ndarray

    def cell_at(self, t) -> np.ndarray:
        """Cell owning each parameter in ``t`` (array-like in [0, 1])."""
        k = np.searchsorted(self.breaks, np.asarray(t, dtype=np.float64), side="right") - 1
        return self.cells[np.clip(k, 0, len(self.cells) - 1)]


def _check_points(x, d, name):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if x.shape != (d,) or not np.isfinite(x).all():
        raise ValueError(f"{name} must be a finite point of length {d}.")
    if (np.abs(x) > 0.5 + 1e-9).any():
        raise ValueError(f"{name} lies outside the source cube [-1/2, 1/2]^{d}; choose a point inside it.")
    return x


def segment_cells(start, end, Y, h) -> SegmentCells:
    """The exact sequence of cells along the segment from ``start`` to ``end`` (module docstring).

    Parameters
    ----------
    start, end : array-like, shape (d,)
        End points inside the source cube.
    Y : array-like, shape (N, d)
        Targets in the source domain.
    h : array-like, shape (N,)
    """
    Y = np.asarray(Y, dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    if Y.ndim != 2 or h.shape != (len(Y),) or len(Y) < 1:
        raise ValueError(f"Need targets Y (N, d) and heights h (N,), got {Y.shape} and {h.shape}.")
    x0 = _check_points(start, Y.shape[1], "start")
    x1 = _check_points(end, Y.shape[1], "end")
    a, b = Y @ x0 + h, Y @ (x1 - x0)
    scale = max(np.abs(a).max(), np.abs(b).max(), 1e-300)
    top = np.flatnonzero(a >= a.max() - 1e-12 * scale)
    i = int(top[np.argmax(b[top])])  # a tie at t = 0 goes to the line that wins just after it
    breaks, cells, t = [0.0], [i], 0.0
    while True:
        steeper = np.flatnonzero(b > b[i] + 1e-15 * scale)
        if len(steeper) == 0:
            break
        tj = (a[i] - a[steeper]) / (b[steeper] - b[i])
        t_next = max(float(tj.min()), t)
        if t_next >= 1.0:
            break
        ties = steeper[tj <= t_next + 1e-12]
        i = int(ties[np.argmax(b[ties])])
        if t_next == breaks[-1]:  # several lines meet at one point: keep the last cell
            cells[-1] = i
        else:
            breaks.append(t_next)
            cells.append(i)
        t = t_next
    return SegmentCells(np.asarray(breaks), np.asarray(cells, dtype=np.int64))


@dataclass
class Probe:
    """A discontinuity probe along one segment.

    Attributes
    ----------
    start, end : numpy.ndarray, shape (d,)
    path : SegmentCells
    t : numpy.ndarray, shape (K,)
        Where the map jumps (crossings of a facet), in (0, 1).
    pairs : numpy.ndarray of int64, shape (K, 2)
        The cells before and after each crossing.
    jump : numpy.ndarray, shape (K,)
        :math:`|y_i - y_j|` in the source domain.
    angles : numpy.ndarray, shape (K,)
    singular : numpy.ndarray of bool, shape (K,)
        Crossings of a singular facet.
    relative_jump : numpy.ndarray, shape (K,), or None
        :math:`\\rho_{ij}` of each crossing (with a singular set).
    score : numpy.ndarray, shape (K,), or None
        Calibrated score of each crossing against the convex null, under the singular set's null test (midpoint
        test: the share of null facets with less empty space between their codes; jump rule: its jump score).
    emptiness : numpy.ndarray, shape (K,), or None
        :math:`\\mu_{ij}` of each crossing (with a singular set that has midpoint emptiness).
    """

    start: np.ndarray
    end: np.ndarray
    path: SegmentCells
    t: np.ndarray
    pairs: np.ndarray
    jump: np.ndarray
    angles: np.ndarray
    singular: np.ndarray
    relative_jump: Optional[np.ndarray] = None
    score: Optional[np.ndarray] = None
    emptiness: Optional[np.ndarray] = None

    def points(self, t) -> np.ndarray:
        """Source points at parameters ``t``, shape (len(t), d)."""
        t = np.asarray(t, dtype=np.float64).reshape(-1, 1)
        return self.start + t * (self.end - self.start)


def probe(start, end, Y, h, threshold: Optional[float] = None, *, singular=None) -> Probe:
    """Walk the segment ``start -> end`` and judge each crossing.

    Parameters
    ----------
    start, end : array-like, shape (d,)
    Y : array-like, shape (N, d)
    h : array-like, shape (N,)
    threshold : float, optional
        Facet angle (radians) above which a crossing is singular; overrides ``singular``'s rule.
    singular : SingularSet, optional
        The model's singular set (:func:`aeot_viz.analysis.singularity.singular_set`): crossings are judged by its
        rule and scored against its convex null. One of ``threshold`` and ``singular`` is needed.
    """
    if threshold is None and singular is None:
        raise ValueError("Give the model's singular set (singular=) or an angle threshold (threshold=).")
    if threshold is not None:
        threshold = check_threshold(threshold)
    Y = np.asarray(Y, dtype=np.float64)
    path = segment_cells(start, end, Y, h)
    pairs = np.column_stack([path.cells[:-1], path.cells[1:]])
    angles = facet_angles(Y, pairs)
    jump = np.linalg.norm(Y[pairs[:, 0]] - Y[pairs[:, 1]], axis=1)
    x0 = np.asarray(start, dtype=np.float64).reshape(-1)
    x1 = np.asarray(end, dtype=np.float64).reshape(-1)
    rel = score = empt = None
    if singular is not None:
        if singular.n_targets != len(Y):
            raise ValueError(f"The singular set has {singular.n_targets} targets, not {len(Y)}: use the model's own.")
        rel = relative_jumps(Y, pairs, singular.k, radius=singular.spacing)
        if singular.midpoint_spacing is not None and len(Y) >= 3:
            empt = midpoint_emptiness(Y, pairs, midpoint_rank(singular.k), radius=singular.midpoint_spacing)
        if singular.test == "midpoint":
            score = singular.null.score(empt)
        elif singular.null is not None:
            score = singular.null.jump_score(angles, rel)
    if threshold is not None or singular.rule == "threshold":
        flagged = angles > (threshold if threshold is not None else singular.threshold)
    elif singular.rule == "midpoint":  # beyond the null, once the set's test finds the support non-convex
        flagged = singular.null.beyond(empt) & bool(singular.non_convex)
    else:
        flagged = singular.null.beyond_jump(angles, rel)
    return Probe(x0, x1, path, path.breaks[1:], pairs, jump, angles, flagged, rel, score, empt)


def _label_pair(labels, pair) -> str:
    return f"{labels[pair[0]]} -> {labels[pair[1]]}"


def probe_summary(pr: Probe, labels=None) -> str:
    """What the probe table shows, in sentences: how often the OT map changes code, which crossings are singular,
    and, with ``labels``, which crossings change label and why each of those is or is not singular.

    Every number is read off ``pr``; a probe without singular crossings says so plainly.

    Parameters
    ----------
    pr : Probe
    labels : array-like, shape (N,), optional
        Label of each code (digits, mixture components).
    """
    if not isinstance(pr, Probe):
        raise TypeError(f"probe_summary needs a Probe (aeot_viz.analysis.discontinuity_probe.probe), got "
                        f"{type(pr).__name__}.")
    n = len(pr.t)
    if n == 0:
        return "Along the segment the OT map keeps one code: the probe stays inside one power cell."
    s = int(pr.singular.sum())
    head = f"Along the segment the OT map changes code {n} time{'' if n == 1 else 's'}"
    if s == 0:
        text = (f"{head} and crosses only regular facets: none of {'this jump' if n == 1 else 'these jumps'} is "
                "singular, so the picture has no red crossing.")
    else:
        where = ", ".join(f"{x:.2f}" for x in pr.t[pr.singular])
        text = (f"{head}; **{s}** of these jumps {'crosses' if s == 1 else 'cross'} the singular set (red, at "
                f"t = {where}).")
    if labels is None:
        return text
    labels = np.asarray(labels)
    change = labels[pr.pairs[:, 0]] != labels[pr.pairs[:, 1]]
    if not change.any():
        return text + " Every code along it has the same label."
    parts = []
    for c in np.flatnonzero(change):
        what = f"{_label_pair(labels, pr.pairs[c])} at t = {pr.t[c]:.2f}"
        if pr.singular[c]:
            parts.append(f"{what} is singular")
        elif pr.score is not None:
            parts.append(f"{what} is not: its score {pr.score[c]:.3f} means {pr.score[c]:.1%} of the convex "
                         "null's facets are below it, and a crossing is singular only beyond all of them")
        else:
            parts.append(f"{what} is not singular")
    m = int(change.sum())
    return text + f" {m} crossing{'' if m == 1 else 's'} change{'s' if m == 1 else ''} the label: " + "; ".join(
        parts) + "."


def probe_notice(pr: Probe, *, generator: bool = False) -> str:
    """The "what to notice" sentence of a probe, written from what its pictures show (red crossings only when the
    probe has some).

    Parameters
    ----------
    pr : Probe
    generator : bool
        Whether a neural generator's curve is drawn beside AE-OT's.
    """
    if not isinstance(pr, Probe):
        raise TypeError(f"probe_notice needs a Probe, got {type(pr).__name__}.")
    n, s = len(pr.t), int(pr.singular.sum())
    gan = (" The GAN's output, a continuous map of the same segment, slides through instead of jumping."
           if generator else "")
    if n == 0:
        return "This probe stays inside one power cell: AE-OT's output is one code all along it." + gan
    if s == 0:
        return (f"AE-OT's output is flat inside each cell and steps at each of this probe's {n} crossings, but none "
                "of them is singular: every jump here joins codes with other codes between them, so there is no red "
                "crossing. Move an end of the probe across a gap between modes to see one." + gan)
    return (f"AE-OT's output is flat inside each cell and steps at each of its {n} crossings; the {s} red "
            f"crossing{'' if s == 1 else 's'} jump{'s' if s == 1 else ''} across empty space between two codes (the "
            "singular set)." + gan)
