r"""Singular sets of the semi-discrete OT map: where :math:`\nabla u_h` jumps across a gap in the codes.

Every facet between adjacent cells :math:`i, j` is a jump of the map from :math:`y_i` to :math:`y_j`. Convexity of
the support means that the segment between two of its points stays in it; a facet whose two codes have **empty
space between them** is therefore evidence of a gap, however long or short the jump. The **midpoint test** (the
default rule) measures that emptiness, :math:`\mu_{ij}` (:func:`aeot_viz.geometry.facets.midpoint_emptiness`: the
distance from the segment's midpoint to the nearest other code, in units of the local spacing), and calls a facet
**singular** when its :math:`\mu_{ij}` is beyond every facet of the **convex null**
(:mod:`aeot_viz.analysis.convex_null`): a convex, gap-free support of the same shape, size and number of codes,
solved the same way. The count of such facets is a test of non-convexity with a p-value, and the facets are called
singular only when that test finds the support non-convex (a convex support puts a facet or two beyond the null's
maximum by chance). Each facet carries a calibrated score, the share of null facets it exceeds.

Two other rules are kept for comparison: the **jump rule** (issue 13: beyond the null's largest angle *and*
largest relative jump, :meth:`SingularSet.with_jump_rule`) and a plain angle threshold (``threshold=``,
:meth:`SingularSet.with_threshold`).

:class:`SingularSet` also splits the targets into the connected components of the non-singular facet
graph, which recover well-separated modes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..geometry.facets import (
    facet_angles,
    facet_degree,
    kth_neighbour_distance,
    midpoint_emptiness,
    midpoint_rank,
    relative_jumps,
)
from ..geometry.power_diagram import adjacency_from_samples, exact_cells_2d, top_k
from .convex_null import SIGNIFICANCE, ConvexNull, ellipsoid_codes, exceedance_p_value

__all__ = ["SingularSet", "singular_set", "model_singular_set", "build_convex_null", "facet_angles", "RULES"]

#: the rules a :class:`SingularSet` can be judged by, and how the pages name them
RULES = {"midpoint": "midpoint test (empty space between the two codes, against the convex null)",
         "jump": "jump rule (angle and relative jump, against the convex null; issue 13)",
         "threshold": "plain angle threshold"}


@dataclass
class SingularSet:
    """Facets of a power diagram scored for singularity.

    Attributes
    ----------
    pairs : numpy.ndarray of int64, shape (E, 2)
        Adjacent cells (i < j).
    facet_measure : numpy.ndarray, shape (E,)
        Facet size (edge length in 2-D; sampled estimate in higher dimension).
    angles : numpy.ndarray, shape (E,)
        :math:`\\theta_{ij}` in radians.
    relative_jump : numpy.ndarray, shape (E,)
        :math:`\\rho_{ij} = |y_i - y_j| / \\max(r_i, r_j)` (:mod:`aeot_viz.geometry.facets`).
    threshold : float
        The rule's threshold: the null's largest midpoint emptiness (midpoint test), the null's largest angle (jump
        rule, whose relative jump must also pass ``null.jump_threshold``), or the chosen angle (radians).
    singular : numpy.ndarray of bool, shape (E,)
    n_targets : int
    spacing : numpy.ndarray, shape (N,)
        Local spacing :math:`r_i` of each code (distance to its ``k``-th nearest other code).
    k : int
        Neighbour rank of the spacing.
    score : numpy.ndarray, shape (E,), or None
        Calibrated score in [0, 1] of the null's test (:attr:`test`): under the midpoint test the share of the
        null's facets whose midpoint emptiness this facet exceeds, else the jump score (None without a null).
    null : ConvexNull or None
        The convex null the rules are calibrated on.
    rule : {"midpoint", "jump", "threshold"}
        What ``singular`` was judged by (:data:`RULES`).
    emptiness : numpy.ndarray, shape (E,), or None
        :math:`\\mu_{ij}`, the midpoint emptiness of each facet (:func:`~aeot_viz.geometry.facets.midpoint_emptiness`).
    midpoint_spacing : numpy.ndarray, shape (N,), or None
        The midpoint emptiness's spacing of each code: the distance to its
        :func:`~aeot_viz.geometry.facets.midpoint_rank` ``(k)``-th nearest other code.
    jump_score : numpy.ndarray, shape (E,), or None
        The jump rule's calibrated score :math:`\\min(F_\\theta, F_\\rho)` (None without a null).

    A set is a value: derive another with :func:`dataclasses.replace` rather than editing its arrays in place
    (:meth:`pair_is` keeps its sorted lookup tables).
    """

    pairs: np.ndarray
    facet_measure: np.ndarray
    angles: np.ndarray
    relative_jump: np.ndarray
    threshold: float
    singular: np.ndarray
    n_targets: int
    spacing: np.ndarray
    k: int
    score: Optional[np.ndarray] = None
    null: Optional[ConvexNull] = None
    rule: str = "midpoint"
    emptiness: Optional[np.ndarray] = None
    jump_score: Optional[np.ndarray] = None
    midpoint_spacing: Optional[np.ndarray] = None
    _tables: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    def with_threshold(self, threshold: float) -> SingularSet:
        """The same facets judged by a plain angle threshold (radians); scores are kept."""
        threshold = check_threshold(threshold)
        return dataclasses.replace(self, threshold=threshold, singular=self.angles > threshold, rule="threshold")

    @property
    def has_midpoint_test(self) -> bool:
        """Whether the midpoint test can judge this set (a null with emptiness, and the facets' emptiness)."""
        return self.null is not None and self.null.has_emptiness and self.emptiness is not None

    def with_null_rule(self) -> SingularSet:
        """The same facets judged by the midpoint test against the convex null (needs a null with emptiness)."""
        if not self.has_midpoint_test:
            raise ValueError("This singular set has no convex null with midpoint emptiness; call singular_set "
                             "without threshold= (or model_singular_set) to build one.")
        beyond = self.null.beyond(self.emptiness)
        # facets are called singular only once the support is found non-convex: a convex support puts a facet or
        # two beyond the null's maximum by chance (with E ~ E0, about half the time), and the test says so
        significant = exceedance_p_value(int(beyond.sum()), len(self.pairs), self.null.n_facets) < SIGNIFICANCE
        return dataclasses.replace(self, threshold=self.null.emptiness_threshold, rule="midpoint",
                                   singular=beyond & significant)

    def with_jump_rule(self) -> SingularSet:
        """The same facets judged by issue 13's jump rule: beyond the null's largest angle and relative jump."""
        if self.null is None:
            raise ValueError("This singular set has no convex null; call singular_set without threshold= to build "
                             "one.")
        return dataclasses.replace(self, threshold=self.null.angle_threshold, rule="jump",
                                   singular=self.null.beyond_jump(self.angles, self.relative_jump))

    @property
    def n_singular(self) -> int:
        return int(self.singular.sum())

    @property
    def test(self) -> Optional[str]:
        """Which null test the p-value and the verdict report: ``"jump"`` when this set is judged by the jump rule
        or has no emptiness, else ``"midpoint"``; None without a null."""
        if self.null is None:
            return None
        return "midpoint" if self.has_midpoint_test and self.rule != "jump" else "jump"

    def _beyond_null(self) -> int:
        """Facets beyond the null under :attr:`test` (whatever rule ``singular`` was judged by)."""
        if self.test == "midpoint":
            return int(self.null.beyond(self.emptiness).sum())
        return int(self.null.beyond_jump(self.angles, self.relative_jump).sum())

    @property
    def n_beyond_null(self) -> Optional[int]:
        """How many facets lie beyond the convex null under :attr:`test` (None without a null)."""
        return None if self.null is None else self._beyond_null()

    @property
    def p_value(self) -> Optional[float]:
        """Chance of this many singular facets or more if the support were convex (None without a null)."""
        if self.null is None:
            return None
        return exceedance_p_value(self._beyond_null(), len(self.pairs), self.null.n_facets)

    @property
    def non_convex(self) -> Optional[bool]:
        """The non-convexity test at level ``SIGNIFICANCE`` (None without a null)."""
        p = self.p_value
        return None if p is None else p < SIGNIFICANCE

    def verdict(self) -> str:
        """One sentence with its evidence: is the support of the codes non-convex?"""
        if self.null is None:
            return (f"{self.n_singular:,} of {len(self.pairs):,} facets are steeper than the chosen angle "
                    f"{self.threshold:.3g} rad; without a convex null this says nothing about convexity.")
        k = self._beyond_null()
        E = len(self.pairs)
        p = exceedance_p_value(k, E, self.null.n_facets)
        chance = f"{p:.1e}" if p >= 1e-300 else "below 1e-300"
        what = ("have empty space between their two codes beyond" if self.test == "midpoint" else
                "jump, in angle and relative to the local spacing, beyond")
        if p < SIGNIFICANCE:
            return (f"Latent support non-convex: {k:,} of {E:,} facets ({k / E:.2%}) {what} anything a convex "
                    f"support of this shape produces (chance of {k:,} or more if it were convex: {chance}).")
        if k == 0:
            return (f"No evidence of non-convexity: none of the {E:,} facets {what.replace('have', 'has')} what a "
                    f"convex support of this shape produces.")
        return (f"No evidence of non-convexity: only {k:,} of {E:,} facets ({k / E:.2%}) {what} the convex null, "
                f"as a convex support of this shape does by chance with probability {chance}.")

    @property
    def singular_pairs(self) -> np.ndarray:
        """Singular pairs, most singular first (by midpoint emptiness under the midpoint test, else by angle),
        shape (S, 2)."""
        key = self.emptiness if self.rule == "midpoint" and self.emptiness is not None else self.angles
        order = np.argsort(-key[self.singular], kind="stable")
        return self.pairs[self.singular][order]

    def components(self) -> tuple[int, np.ndarray]:
        """Connected components of the non-singular facet graph.

        Returns
        -------
        n_components : int
        labels : numpy.ndarray of int64, shape (N,)
            Component of each target; -1 for targets without any facet (empty cells), which belong
            to no component.
        """
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        keep = ~self.singular
        p = self.pairs[keep]
        g = coo_matrix((np.ones(len(p)), (p[:, 0], p[:, 1])), shape=(self.n_targets, self.n_targets))
        _, lab = connected_components(g, directed=False)
        has_facet = np.bincount(self.pairs.ravel(), minlength=self.n_targets) > 0
        out = np.full(self.n_targets, -1, dtype=np.int64)
        _, out[has_facet] = np.unique(lab[has_facet], return_inverse=True)
        return int(out.max() + 1), out

    def _keys(self, mask) -> np.ndarray:
        p = self.pairs[mask]
        return np.sort(p[:, 0] * self.n_targets + p[:, 1])

    def pair_is(self, i, j, which: str = "singular") -> np.ndarray:
        """Whether each pair (i[k], j[k]) is an adjacent pair that is ``"singular"`` / ``"regular"``."""
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        keys = np.minimum(i, j) * self.n_targets + np.maximum(i, j)
        table = self._tables.get(which)
        if table is None:  # the sorted keys of one kind, built once per set (the extended map asks k - 1 times)
            table = self._tables[which] = self._keys(self.singular if which == "singular" else ~self.singular)
        if not len(table):
            return np.zeros(keys.shape, dtype=bool)
        # membership by binary search in the sorted table: what np.isin answers, without hashing every key
        pos = np.minimum(np.searchsorted(table, keys), len(table) - 1)
        return table[pos] == keys

    def near_singular(self, X, Y, h, eps: float, cells=None) -> np.ndarray:
        """Whether each point lies within distance ``eps`` of a singular facet of its best cell.

        The distance from :math:`x` to the facet between its best cell :math:`i` and a cell :math:`j` is
        :math:`(s_i(x) - s_j(x)) / |y_i - y_j|`.

        Parameters
        ----------
        X : array-like, shape (M, d)
        Y : array-like, shape (N, d)
        h : array-like, shape (N,)
        eps : float
        cells : array-like of int, shape (M, k), optional
            Cells of each point ranked by score, best first (e.g. the neighbours the extended map used);
            by default its best two.
        """
        Y = np.asarray(Y, dtype=np.float64)
        if cells is None:
            idx, val = top_k(X, Y, h, k=2)
        else:
            idx = np.asarray(cells, dtype=np.int64)
            val = np.einsum("md,mkd->mk", np.asarray(X, dtype=np.float64), Y[idx]) + np.asarray(h)[idx]
        best = np.broadcast_to(idx[:, :1], idx[:, 1:].shape)
        dist = (val[:, :1] - val[:, 1:]) / np.maximum(np.linalg.norm(Y[best] - Y[idx[:, 1:]], axis=2), 1e-12)
        flagged = self.pair_is(best.ravel(), idx[:, 1:].ravel(), "singular").reshape(dist.shape)
        return ((dist < eps) & flagged).any(axis=1)

    def segments_2d(self, cells) -> np.ndarray:
        """The singular edges of exact 2-D cells (:class:`~aeot_viz.geometry.power_diagram.PowerCells2D`) as
        line segments, shape (S, 2, 2), most singular first."""
        mask = self.pair_is(cells.edges[:, 0], cells.edges[:, 1], "singular")
        key = cells.edges[mask, 0] * self.n_targets + cells.edges[mask, 1]
        own = self.pairs[:, 0] * self.n_targets + self.pairs[:, 1]
        order = np.argsort(own)
        ang = self.angles[order][np.searchsorted(own[order], key)]
        return cells.segments[mask][np.argsort(-ang, kind="stable")]

    def boundaries(self, labels: np.ndarray) -> np.ndarray:
        """Pixels of a label raster (e.g. :func:`~aeot_viz.geometry.power_diagram.slice_labels`) on a singular
        boundary."""
        lab = np.asarray(labels)
        out = np.zeros(lab.shape, dtype=bool)
        pairs = [(lab[1:, :], lab[:-1, :], (slice(1, None), slice(None)), (slice(None, -1), slice(None))),
                 (lab[:, 1:], lab[:, :-1], (slice(None), slice(1, None)), (slice(None), slice(None, -1)))]
        for a, b, sa, sb in pairs:
            edge = (a != b) & (a >= 0) & (b >= 0)
            hit = np.zeros(a.shape, dtype=bool)
            hit[edge] = self.pair_is(a[edge], b[edge], "singular")
            out[sa] |= hit
            out[sb] |= hit
        return out


def build_convex_null(Y, *, k: int, n_samples: int = 2**18, solver_params: Optional[dict] = None,
                      random_state: int = 0, callback=None, heights=None) -> ConvexNull:
    """Build the convex null of codes ``Y`` (:mod:`aeot_viz.analysis.convex_null`): draw, solve, find facets, measure.

    Parameters
    ----------
    Y : array-like, shape (N, d)
        Targets in the source domain.
    k : int
        Neighbour rank of the local spacing; use :func:`facet_degree` of the data's own diagram.
    n_samples : int
        Samples of the adjacency estimate for d > 2 (use the data's).
    solver_params : dict, optional
        Settings of :class:`~aeot_viz.ot.SemiDiscreteOT` (the data's own; defaults otherwise).
        ``random_state`` is replaced by one derived from ``random_state`` here.
    random_state : int
    callback : callable, optional
        Progress events of the null's OT solve.
    heights : array-like, shape (N,), optional
        The null's heights from an earlier build with the same codes and ``random_state`` (``ConvexNull.heights``):
        its statistics are measured again without the OT solve.
    """
    from ..ot import solve_ot

    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim != 2 or len(Y) < 2 or not np.isfinite(Y).all():
        raise ValueError(f"The convex null needs at least 2 finite codes of shape (N, d), got {Y.shape}.")
    if not 1 <= int(k) < len(Y):
        raise ValueError(f"k must be between 1 and N - 1 = {len(Y) - 1}, got {k}.")
    seed = int(random_state) + 7919  # never the data solve's seed
    Z = ellipsoid_codes(Y, random_state=seed)
    if heights is not None:
        h0 = np.asarray(heights, dtype=np.float64)
        if h0.shape != (len(Y),) or not np.isfinite(h0).all():
            raise ValueError(f"heights must be the null's {len(Y)} finite heights, got shape {h0.shape}.")
    else:
        params = dict(solver_params or {})
        params["random_state"] = seed
        h0 = np.array(solve_ot(Z.astype(np.float32), callback=callback, **params).h, dtype=np.float64)
    if Y.shape[1] == 2:
        pairs, used = exact_cells_2d(Z, h0).edges, 0
    else:
        pairs, used = adjacency_from_samples(Z, h0, n_samples=n_samples, random_state=seed).pairs, int(n_samples)
    pairs = np.sort(np.asarray(pairs, dtype=np.int64).reshape(-1, 2), axis=1)
    spacing = kth_neighbour_distance(Z, int(k))
    angles = facet_angles(Z, pairs)
    rel = relative_jumps(Z, pairs, int(k), radius=spacing)
    # the midpoint test needs a third code to be near the segment; with two codes only the jump rule applies
    empt = np.sort(midpoint_emptiness(Z, pairs, midpoint_rank(k))) if len(Y) >= 3 else None
    return ConvexNull(np.sort(angles), np.sort(rel), int(k), len(Y), Y.shape[1], used, int(random_state),
                      emptiness=empt, heights=h0)


def check_threshold(threshold) -> float:
    """A plain angle threshold (radians) as a float; ``TypeError`` / ``ValueError`` for anything else."""
    try:
        t = float(threshold)
    except (TypeError, ValueError):
        raise TypeError(f"threshold must be a number (an angle in radians), got {threshold!r}.") from None
    if not t >= 0:  # also refuses NaN
        raise ValueError(f"threshold must be a non-negative angle in radians, got {threshold}.")
    return t


def check_targets(Y, h) -> tuple[np.ndarray, np.ndarray]:
    """Targets (N, d) and heights (N,) as float64, refused with a message when they cannot have facets."""
    Y = np.asarray(Y, dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    if Y.ndim != 2 or h.shape != (Y.shape[0],) or len(Y) < 2:
        raise ValueError(f"Need targets Y (N, d) with N >= 2 and heights h (N,), got {Y.shape}, {h.shape}.")
    if not np.isfinite(Y).all():
        raise ValueError("The targets contain NaN or infinite values; encode finite data.")
    if not np.isfinite(h).all():
        raise ValueError("The heights contain NaN or infinite values; solve the OT problem again (finite heights).")
    if len(np.unique(Y, axis=0)) < len(Y):
        raise ValueError("The targets contain duplicates, which share one power cell; pass the distinct "
                         "targets (np.unique(Y, axis=0)) with their heights.")
    return Y, h


def singular_set(Y, h, *, pairs=None, facet_measure=None, threshold: Optional[float] = None,
                 null: Optional[ConvexNull] = None, n_samples: int = 2**18, solver_params: Optional[dict] = None,
                 random_state: int = 0, callback=None) -> SingularSet:
    """Score the facets of the power diagram of ``(Y, h)`` for singularity (module docstring).

    Parameters
    ----------
    Y : array-like, shape (N, d)
        Distinct targets in the source domain.
    h : array-like, shape (N,)
        Finite heights.
    pairs : array-like, shape (E, 2), optional
        Adjacent pairs; by default the exact edges for d = 2, else estimated from samples
        (:func:`~aeot_viz.geometry.power_diagram.adjacency_from_samples`).
    facet_measure : array-like, shape (E,), optional
        Facet sizes of ``pairs`` (ones when ``pairs`` is given without them).
    threshold : float, optional
        Angle (radians) above which a facet is singular, replacing the convex-null rule. No null is built
        then unless ``null`` is given (for the scores).
    null : ConvexNull, optional
        A null built for these codes (stored in bundles); by default one is built, which costs an OT solve
        of N codes (:func:`build_convex_null`).
    n_samples : int
        Samples of the adjacency estimate for d > 2 (a given ``null`` uses its own).
    solver_params : dict, optional
        OT settings for building the null (the codes' own solver settings).
    random_state : int
    callback : callable, optional
        Progress of the null's OT solve.
    """
    Y, h = check_targets(Y, h)
    N, d = Y.shape
    if threshold is not None:
        threshold = check_threshold(threshold)
    if null is not None:
        if not isinstance(null, ConvexNull):
            raise TypeError(f"null must be a ConvexNull, got {type(null).__name__}.")
        if (null.n_codes, null.dim) != (N, d):
            raise ValueError(f"This convex null was built for {null.n_codes} codes in {null.dim}-D, not {N} in "
                             f"{d}-D; build one for these codes (leave null= out).")
        n_samples = null.n_samples or n_samples
    if pairs is None:
        if d == 2:
            cells = exact_cells_2d(Y, h)
            pairs, facet_measure = cells.edges, cells.edge_lengths
        else:
            adj = adjacency_from_samples(Y, h, n_samples=n_samples, random_state=random_state)
            pairs, facet_measure = adj.pairs, adj.facet_measure
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(pairs) and (pairs.min() < 0 or pairs.max() >= N):
        raise ValueError("pairs refer to targets that do not exist.")
    pairs = np.sort(pairs, axis=1)
    fm = np.ones(len(pairs)) if facet_measure is None else np.asarray(facet_measure, dtype=np.float64)
    angles = facet_angles(Y, pairs)
    k = null.k if null is not None else facet_degree(len(pairs), N)
    spacing = kth_neighbour_distance(Y, k)
    rel = relative_jumps(Y, pairs, k, radius=spacing)
    mid_spacing = kth_neighbour_distance(Y, midpoint_rank(k)) if N >= 3 else None
    empt = midpoint_emptiness(Y, pairs, midpoint_rank(k), radius=mid_spacing) if N >= 3 else None
    if null is None and threshold is None:
        null = build_convex_null(Y, k=k, n_samples=0 if d == 2 else n_samples, solver_params=solver_params,
                                 random_state=random_state, callback=callback)
    ss = SingularSet(pairs, fm, angles, rel, 0.0, np.zeros(len(pairs), dtype=bool), N, spacing, k, None, null,
                     "threshold", empt, None if null is None else null.jump_score(angles, rel), mid_spacing)
    if null is not None:  # the calibrated score of the null's test: the midpoint test's when it can run
        ss = dataclasses.replace(ss, score=null.score(empt) if ss.has_midpoint_test else ss.jump_score)
    if threshold is not None:
        return ss.with_threshold(threshold)
    return ss.with_null_rule() if ss.has_midpoint_test else ss.with_jump_rule()


def model_singular_set(model, *, callback=None, random_state: int = 0, rebuild_null: bool = True) -> SingularSet:
    """The singular set of a trained :class:`~aeot_viz.pipeline.model.AEOTModel` by its convex null.

    Uses the null stored with the model (``model.singular_null``) and builds one with the model's own
    OT settings when it has none, or when its null predates the midpoint test and ``rebuild_null`` (an OT solve
    of N codes; the caller stores ``.null`` in ``model.singular_null`` to keep it). With ``rebuild_null=False`` such a
    model is judged by the jump rule of its old null. Identical codes share one power cell (the
    first copy's, see :class:`~aeot_viz.ot.SemiDiscreteOT`): the facets are found among the distinct codes
    and reported with the first copy's index; the other copies have no facet.

    Parameters
    ----------
    model : AEOTModel
    callback : callable, optional
        Progress of a null's OT solve, when one is built.
    random_state : int
    rebuild_null : bool
        Replace a null without midpoint emptiness (bundles from before the midpoint test) by a new one.
    """
    null = model.singular_null
    if null is not None and not null.has_emptiness and rebuild_null:
        null = None
    Y = np.asarray(model.targets, dtype=np.float64)
    h = np.asarray(model.h, dtype=np.float64)
    _, first, inverse = np.unique(Y, axis=0, return_index=True, return_inverse=True)
    params = dataclasses.asdict(model.config.ot)
    if len(first) == len(Y):
        return singular_set(Y, h, null=null, solver_params=params, random_state=random_state, callback=callback)
    ss = singular_set(Y[first], h[first], null=null, solver_params=params,
                      random_state=random_state, callback=callback)
    inverse = inverse.reshape(-1)
    return dataclasses.replace(ss, pairs=np.sort(first[ss.pairs], axis=1), spacing=ss.spacing[inverse],
                               midpoint_spacing=None if ss.midpoint_spacing is None else ss.midpoint_spacing[inverse],
                               n_targets=len(Y))
