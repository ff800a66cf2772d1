r"""Semi-discrete optimal transport from a continuous source to N latent codes.

Problem
-------
Let :math:`\mu` be the source measure (uniform on the cube :math:`[-\tfrac12, \tfrac12]^d`, or a
standard Gaussian) and :math:`\nu = \sum_{i=1}^N \nu_i \delta_{y_i}` the target (the latent codes,
weights :math:`\nu_i = 1/N` unless given). For heights :math:`h \in \mathbb{R}^N` the Brenier
potential is

.. math:: u_h(x) = \max_{i} \; \langle x, y_i \rangle + h_i ,

whose gradient map :math:`\nabla u_h(x) = y_{i(x)}` sends the power cell
:math:`W_i(h) = \{x : i = \arg\max_j \langle x, y_j\rangle + h_j\}` to :math:`y_i`. It transports
:math:`\mu` onto :math:`\nu` exactly when every cell carries its mass, :math:`\mu(W_i(h)) = \nu_i`.
Such :math:`h` minimise the convex energy (Gu, Luo, Sun, Yau 2016; An et al. 2020)

.. math:: E(h) = \int u_h \, d\mu - \sum_i \nu_i h_i ,
   \qquad \nabla E(h) = \big(\mu(W_i(h)) - \nu_i\big)_i ,

which is invariant to adding a constant to :math:`h` (so :math:`h` is compared up to a constant).

Solvers
-------
:class:`SemiDiscreteOT` has three: exact damped Newton for 2-D targets (:mod:`aeot_viz.ot.newton`), the *pooled*
solver for every other dimension (:mod:`aeot_viz.ot.pooled`: the iterations below run on growing pools of re-used
samples with exact candidate lists, certified on fresh pools; the default since issue 35, about 5 times less
scoring for MNIST-10k), and the *stochastic* solver of this module's loop, kept as ``method="stochastic"`` and used
for sharded runs (``distributed``). The rest of this docstring describes the stochastic solver.

Method
------
Each iteration draws a *fresh* batch of :math:`B` source samples (randomised scrambled Sobol points,
or pseudo-random ones) and estimates the cell measures by counting arg-maxes
(:mod:`aeot_viz.geometry.scoring`). Because the batch is drawn after :math:`h` is fixed, the L1 norm of each
iteration's gradient is an honest (noisy) estimate of the current transport error; a fixed sample set
would converge to itself and hide a large true error. The heights start from
:math:`h_i = -|y_i|^2/2`, where the power cells are the Voronoi cells of the targets (none empty, as
every target lies in the cube). Each iteration moves them against the relative mass errors
:math:`r_i = (\hat\mu_i - \nu_i) / \nu_i`, averaged by heavy-ball momentum
:math:`m \leftarrow \beta m + (1 - \beta) r` and clipped to [-1, 1]:

.. math:: h_i \leftarrow h_i - \eta\, \delta_i\, \mathrm{clip}(m_i, -1, 1), \qquad
   \delta_i = \frac{2}{d}\, N^{-1/d}\, \min_{j \ne i} |y_i - y_j| .

:math:`\delta_i` is the height change that moves a facet of cell :math:`i` by about a fraction of a
cell width (cells of mass :math:`1/N` have width about :math:`N^{-1/d}`, a facet moves by
:math:`\Delta h / |y_i - y_j|`, and a cell has about :math:`2d` facets), so that codes in tight
clusters and isolated codes move at their own scale: a Jacobi-type preconditioning of the gradient,
whose Hessian is the facet-graph Laplacian. Such local steps are slow to move mass between
well-separated groups of targets (a tight mode must shift all its heights together), so with
``multiscale`` the same rule also runs on nested k-means clusterings of the targets: cluster
:math:`C` moves all its heights by :math:`-\tfrac{\eta}{d}\, \delta_C\, \mathrm{clip}(m_C)`, with
:math:`m_C` the averaged relative mass error of the cluster and :math:`\delta_C` its step scale:
the rule above with the distance between centres for an isolated cluster, and with the distance
across its facets to touching clusters and the cluster's own width :math:`(s_C/N)^{1/d}` otherwise
(``_coarse_levels``). Measured on 2-D toys (2,000 codes, 600 iterations, validated L1 at 2^20
samples): 25 Gaussians 0.26 without the cluster steps, 0.04 with; swiss roll 0.17 without, 0.04 with
(0.08 with 0.1% empty cells when touching clusters also used the centre rule). Iterations run in
rounds: within a round the step size is
constant for the first half and decays linearly to zero over the second half, where the iterates are
averaged (Polyak tail averaging). After each round the averaged heights are
checked by :func:`validate_ot` on independent pseudo-random samples; the solver stops once that
validated L1 error is below ``max(tol, floor_factor * noise_floor)`` with no empty cell, else it starts
the next round from the averaged heights with twice the batch and half the step. The validation is
sequential (see ``_validate``): it scores its samples :math:`2^{18}` at a time and stops as soon as
the round clearly cannot pass, so far from convergence it costs one iteration's worth of scoring at
the largest batch, and the whole check runs only near the end. By default the check has
:func:`auto_validation_samples` samples (at least :math:`2^{23}`) and ``floor_factor = 1.3``: the final
heights then read within 1.3 times the floor of any independent check of up to :math:`2^{22}` samples.

The defaults (``lr = 1.5``, ``momentum = 0.7``) were chosen on the benchmark sets of
``benchmarks/ot_solver.py`` and a 2-D test: after 50 iterations the true L1 on MNIST PCA-32
(N = 2,000, d = 32) is 0.066 with them and 0.096 with ``lr = 3``, ``momentum = 0.9``; 0.108 and 0.133
on the Gaussian mixture (N = 5,000, d = 32). Less momentum does a little better in d = 32
(``momentum = 0.5``, ``lr = 2``: 0.064, 0.105) but fails in 2-D (240 targets, 400 iterations: exact
L1 0.12 against 0.002).

Validation
----------
With :math:`M` fresh samples the cell measures are estimated by :math:`\hat\mu_i = c_i / M`, and
the report gives :math:`\sum_i |\hat\mu_i - \nu_i|`, the share of cells with no sample, and
:math:`\max_i |\hat\mu_i - \nu_i| / \nu_i`. Even an exact solution shows an L1 error of about the
*noise floor* :math:`\sum_i \sqrt{2/\pi}\,\sqrt{\nu_i(1-\nu_i)/M}`, the mean absolute deviation of
the binomial counts, which is reported beside it.

References
----------
.. [1] D. An, Y. Guo, N. Lei, Z. Luo, S.-T. Yau, X. Gu. "AE-OT: A new generative model based on
   extended semi-discrete optimal transport." ICLR 2020.
.. [2] X. Gu, F. Luo, J. Sun, S.-T. Yau. "Variational principles for Minkowski type problems,
   discrete optimal transport, and discrete Monge-Ampere equations." Asian J. Math. 2016.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Optional

import numpy as np
import torch

from ..geometry.scoring import assign_cells, nearest_other, nearest_others
from ..geometry.sources import sample_source
from ..io.checkpoint import fingerprint, load_checkpoint, save_checkpoint
from ..utils.device import resolve_device
from ..utils.progress import Callback, emit
from .config import OTConfig, check_ot_settings
from .newton import NEWTON_MAX_ITER, newton_ot_2d
from .pooled import fit_pooled
from .result import OTResult, OTValidation, _frozen
from .steps import heavy_ball_step
from .validation import (
    VALIDATION_ABORT_Z,
    VALIDATION_CHUNK,
    _as_targets,
    _counts_kernel,
    _noise_floor,
    _running_counts,
    _summarise,
    validate_ot,
    validation_size,
)

__all__ = ["SemiDiscreteOT", "solve_ot"]

#: settings that may change between a checkpointed run and its resumption
_RESUMABLE_PARAMS = ("max_iter", "tol", "device", "memory_budget", "distributed", "n_snapshots")

#: points of the sampled check beside the exact error of a Newton solve (``validation_samples="auto"``): a
#: cross-check of the exact cells, kept cheaper than the solve (its noise floor is about 0.8 sqrt(N / 2^18); at
#: 2^20 points it took longer than the Newton steps themselves for 2,000 targets, 0.8 s against 0.7 s)
NEWTON_CHECK_SAMPLES = 2**18

#: nearest neighbours per target that tell touching clusters from isolated ones (multiscale steps)
NEIGHBOURS = 8


def _outside_distance(Y: torch.Tensor, labels: torch.Tensor, nbr: torch.Tensor):
    """For targets with a neighbour in another group: (their group, distance to that nearest outside one)."""
    if nbr.shape[1] == 0:
        return labels[:0], Y.new_zeros(0)
    outside = labels[nbr] != labels[:, None]
    has = outside.any(dim=1)
    first = nbr.gather(1, outside.to(torch.uint8).argmax(dim=1, keepdim=True))[:, 0]
    rows = torch.nonzero(has)[:, 0]
    dist = torch.cat([(Y[r] - Y[first[r]]).norm(dim=1) for r in rows.split(16_384)]) if len(rows) else Y.new_zeros(0)
    return labels[rows], dist


def _median_per_group(groups: torch.Tensor, values: torch.Tensor, k: int) -> torch.Tensor:
    """Lower median of ``values`` within each of ``k`` groups; ``inf`` for groups without values."""
    out = torch.full((k,), float("inf"), device=values.device)
    if len(values) == 0:
        return out
    o1 = torch.argsort(values)
    order = o1[torch.argsort(groups[o1], stable=True)]  # by group, then by value
    counts = torch.bincount(groups, minlength=k)
    starts = torch.cumsum(counts, 0) - counts
    present = counts > 0
    out[present] = values[order][(starts + (counts - 1) // 2)[present]]
    return out


def _is_writer(distributed: bool) -> bool:
    """Whether this process writes shared files: always, or rank 0 of a distributed run."""
    if not distributed:
        return True
    import torch.distributed as dist

    return dist.get_rank() == 0


class SemiDiscreteOT:
    r"""Solve semi-discrete OT for heights :math:`h` (see the module docstring for the math).

    Parameters
    ----------
    source : {"uniform", "gaussian"}
        Source measure: uniform on :math:`[-\tfrac12,\tfrac12]^d` or :math:`N(0, I_d)`.
    method : {"auto", "newton", "pooled", "stochastic"}
        ``"pooled"``: the pooled solver (:mod:`aeot_viz.ot.pooled`), any dimension, one process.
        ``"newton"``: the exact damped Newton method on the exact power cells (:mod:`aeot_viz.ot.newton`),
        for 2-D targets and the uniform source only; it stops at an exact mass error of ``tol`` (when positive)
        or float64's reach (:func:`~aeot_viz.ot.newton.default_tol`), and its validation carries that exact
        error beside a sampled check of ``validation_samples`` (``"auto"``: ``NEWTON_CHECK_SAMPLES``).
        ``"stochastic"``: the sampled solver of the module docstring, for any dimension. ``"auto"`` picks
        Newton where it applies, the stochastic solver for sharded runs and the pooled one otherwise. The settings
        below up to ``multiscale`` are the stochastic solver's; the pooled solver uses ``lr``, ``round_iter``,
        ``max_iter``, ``tol``, ``floor_factor``, ``validation_samples``, ``momentum`` and ``multiscale`` the same
        way, and ``candidates`` and ``pool_size``.
    batch_size : int
        Fresh source samples per iteration in the first round (doubled each round).
    max_batch_size : int
        Cap on the batch size.
    lr : float
        Step size of the first round (halved each round), in units of each target's scale
        :math:`\delta_i` (see the module docstring).
    round_iter : int
        Iterations per round (constant step, then linear decay with tail averaging).
    max_iter : int
        Total iteration budget.
    tol : float
        Absolute validated L1 error at which to stop.
    floor_factor : float
        Also stop once the validated L1 error is below ``floor_factor`` times its noise floor.
    validation_samples : int or "auto"
        Fresh pseudo-random samples of each round's validation; ``"auto"`` sizes it by the number of
        targets (:func:`auto_validation_samples`: at least :math:`2^{23}`, about 1,024 per target).
    sampler : {"sobol", "random"}
        How each iteration's batch is drawn.
    n_snapshots : int
        Roughly how many copies of :math:`h` to keep during the run (for replaying convergence).
    device : str
        ``"auto"`` (CUDA when present), ``"cpu"`` or ``"cuda"``.
    random_state : int
    memory_budget : int, optional
        Bytes of one score block, see :mod:`aeot_viz.geometry.scoring`.
    momentum : float
        Heavy-ball averaging of the relative mass errors, in [0, 1).
    multiscale : bool
        Also step on nested k-means clusters of the targets (module docstring).
    coarsening : int
        Ratio of cluster counts between consecutive levels (at least 2).
    distributed : bool
        Shard the scoring over the ranks of an initialised ``torch.distributed`` process group
        (:mod:`aeot_viz.ot.distributed`); every rank calls ``fit`` with the same targets and seeds.
    candidates : int
        Pooled solver: targets listed per pooled sample (:mod:`aeot_viz.geometry.candidates`).
    pool_size : int or "auto"
        Pooled solver: the largest pool (:func:`aeot_viz.ot.pooled.pool_sizes`).

    Attributes
    ----------
    h_ : numpy.ndarray, shape (N,)
        Heights, normalised to mean zero.
    log_ : dict of lists
        One entry per iteration: ``iteration``, ``round``, ``l1`` (estimate on that iteration's fresh
        batch), ``noise_floor`` (of that estimate), ``empty_share`` (cells without a sample in the
        batch), ``lr``, ``batch_size``, ``samples`` (cumulative), ``time`` (seconds since start).
    validation_log_ : list of dict
        The independent validation after each round, with its ``iteration``.
    validation_ : OTValidation
        The last validation (of ``h_``).
    snapshots_ : numpy.ndarray, shape (S, N)
        Copies of the heights during the run; ``snapshot_iters_`` gives their iterations.
    validation_samples_ : int
        The validation size used (``validation_samples`` with ``"auto"`` resolved).
    n_iter_ : int
    converged_ : bool
        Whether the stopping rule was met within ``max_iter``.
    samples_scored_ : int
        Pooled solver: source samples scored against all targets (pools and rescored certificates).
    n_unique_ : int
        Distinct targets. Identical targets cannot have separate power cells (their scores tie
        everywhere), so ``fit`` solves for the distinct ones, each carrying the summed weight of its
        copies, and gives every copy the same height; the copies then share one cell, which the OT map
        sends to that code. ``validation_`` refers to the distinct targets.
    """

    def __init__(
        self,
        *,
        source: str = OTConfig.source,  # the defaults are OTConfig's: one definition
        method: str = OTConfig.method,
        batch_size: int = OTConfig.batch_size,
        max_batch_size: int = OTConfig.max_batch_size,
        lr: float = OTConfig.lr,
        round_iter: int = OTConfig.round_iter,
        max_iter: int = OTConfig.max_iter,
        tol: float = OTConfig.tol,
        floor_factor: float = OTConfig.floor_factor,
        validation_samples: int | str = OTConfig.validation_samples,
        sampler: str = OTConfig.sampler,
        n_snapshots: int = OTConfig.n_snapshots,
        device: str = OTConfig.device,
        random_state: int = OTConfig.random_state,
        memory_budget: Optional[int] = None,
        momentum: float = OTConfig.momentum,
        multiscale: bool = OTConfig.multiscale,
        coarsening: int = 8,
        distributed: bool = False,
        candidates: int = OTConfig.candidates,
        pool_size: int | str = OTConfig.pool_size,
    ):
        self.source = source
        self.method = method
        self.batch_size = batch_size
        self.max_batch_size = max_batch_size
        self.lr = lr
        self.round_iter = round_iter
        self.max_iter = max_iter
        self.tol = tol
        self.floor_factor = floor_factor
        self.validation_samples = validation_samples
        self.sampler = sampler
        self.n_snapshots = n_snapshots
        self.device = device
        self.random_state = random_state
        self.memory_budget = memory_budget
        self.momentum = momentum
        self.multiscale = multiscale
        self.coarsening = coarsening
        self.distributed = distributed
        self.candidates = candidates
        self.pool_size = pool_size

    def _coarse_levels(self, Y: torch.Tensor, w: torch.Tensor, nbr: torch.Tensor) -> list:
        r"""Nested clusterings of the targets for the multiscale steps, with each cluster's step scale.

        Level 1 clusters the targets into ``N // coarsening`` groups (at most 4,096) by k-means fitted
        on at most 20,000 of them, every target joining its nearest centre; each further level
        clusters the previous centres ``coarsening`` times coarser, down to 2 groups.

        A cluster :math:`C` of :math:`s_C` targets moves all its heights together, which moves only
        its outer facets. Where :math:`C` touches other clusters (some member's nearest neighbours,
        ``nbr``, lie outside it) those facets lie between near targets, at the median distance
        :math:`b_C` from a boundary member to its nearest outside neighbour, and
        :math:`\delta_C = \tfrac{2}{d}\, b_C\, (s_C / N)^{1/d}` (the single-target rule with the
        cluster's own width). A cluster no neighbour list leaves (an isolated mode) is separated from
        the rest by the distance between centres, and takes the rule of :meth:`_step_scale` on the
        centres. (Taking the centre rule for touching clusters too over-steps by :math:`s_C^{1/d}`:
        600-target clusters of uniform 2-D codes then emptied 40% of the cells.)
        """
        from sklearn.cluster import KMeans

        levels: list[dict] = []
        N, d = Y.shape
        if not self.multiscale:
            return levels
        rng = np.random.default_rng(self.random_state)
        Yd = Y.double().cpu().numpy()
        k = min(N // self.coarsening, 4096)
        fit_pts = Yd if N <= 20_000 else Yd[rng.choice(N, 20_000, replace=False)]
        lab, pts = None, fit_pts
        while k >= 2:
            km = KMeans(n_clusters=k, n_init=1, max_iter=30, random_state=self.random_state).fit(pts)
            cent = torch.as_tensor(km.cluster_centers_, dtype=torch.float32, device=Y.device)
            if lab is None:  # every target joins its nearest centre
                labels = assign_cells(Y, cent, -0.5 * (cent * cent).sum(dim=1), memory_budget=self.memory_budget)
            else:
                labels = torch.as_tensor(km.labels_, device=Y.device)[lab]
            lab, pts = labels, km.cluster_centers_
            mass = torch.zeros(k, device=Y.device).index_add_(0, labels, w)
            size = torch.bincount(labels, minlength=k).float()
            boundary = _median_per_group(*_outside_distance(Y, labels, nbr), k)
            touch = (2.0 / d) * boundary * (size / N) ** (1.0 / d)
            scale = torch.where(torch.isfinite(boundary), touch, self._step_scale(cent))
            levels.append({"k": k, "labels": labels, "mass": mass.clamp_min(1e-30), "scale": scale,
                           "m": torch.zeros(k, device=Y.device)})
            k //= self.coarsening
        return levels

    def _step_setup(self, Y: torch.Tensor, w: torch.Tensor) -> tuple:
        """The per-target step scales and the multiscale levels, from the targets' nearest neighbours."""
        nbr = nearest_others(Y, NEIGHBOURS, memory_budget=self.memory_budget)
        return self._step_scale(Y, nbr[:, 0] if nbr.shape[1] else None), self._coarse_levels(Y, w, nbr)

    def _step_scale(self, Y: torch.Tensor, nearest: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Per-target step scale delta_i = |y_i - nearest other target| * N^(-1/d) * 2/d (floored)."""
        N, d = Y.shape
        if N < 2:
            return torch.ones(N, device=Y.device)
        if nearest is None:
            nearest = nearest_other(Y, memory_budget=self.memory_budget)
        nn = (Y - Y[nearest]).norm(dim=1)
        floor = max(float(nn.median()) * 1e-2, 1e-6)
        return nn.clamp_min(floor) * N ** (-1.0 / d) * (2.0 / d)

    def _validate(self, Y: torch.Tensor, h: torch.Tensor, w: torch.Tensor, rnd: int, dev,
                  n_full: int) -> OTValidation:
        r"""Validate round ``rnd``'s heights sequentially: stop checking as soon as the round cannot pass.

        The :math:`M` = ``n_full`` fresh samples are scored in chunks of :math:`2^{18}`. After
        :math:`m` samples the reading :math:`L_m` mixes the true error :math:`e` with its noise floor
        :math:`f_m`, roughly in quadrature (:math:`L_m^2 \approx e^2 + f_m^2`), so
        :math:`\hat e^2 = L_m^2 - f_m^2` estimates :math:`e^2`, and the full check would read about
        :math:`\sqrt{\hat e^2 + f_M^2}`. The check stops early, and the partial reading is the round's
        validation (which never stops the solver), once
        :math:`\hat e^2 - 3 \cdot 2 L_m s_m > t^2 - f_M^2` for the threshold
        :math:`t = \max(tol, floor\_factor \cdot f_M)`, where :math:`s_m = \sqrt{\sum_i \nu_i(1-\nu_i)/m}`
        bounds the standard deviation of :math:`L_m` (each :math:`|\hat\mu_i - \nu_i|` varies less than
        :math:`\hat\mu_i`), so :math:`2 L_m s_m` bounds that of :math:`\hat e^2`. Far from convergence
        one chunk settles it; near the threshold the check runs on. The quadrature rule overstates
        :math:`L_m` for errors near the noise level (:math:`E|e + \sigma Z| \le \sqrt{e^2 + \sigma^2}`),
        so :math:`\hat e` errs low and the check towards running to the end: a wrong early stop of the
        check only costs one more round, never an early stop of the solver. A check that runs to the end
        equals ``validate_ot`` with the same seed.
        """
        seed = int(self.random_state) + 104_729 * (rnd + 1)
        var = float((w * (1 - w)).sum())
        f_full = _noise_floor(w, n_full)
        t = max(self.tol, self.floor_factor * f_full)
        for counts, m in _running_counts(Y, h, n_full, self.source, seed, VALIDATION_CHUNK, dev, self.distributed):
            if m == n_full:
                break
            val, _ = _summarise(counts, m, w)
            e2 = val.l1**2 - val.noise_floor**2
            if e2 - VALIDATION_ABORT_Z * 2.0 * val.l1 * math.sqrt(var / m) > t**2 - f_full**2:
                return val
        return _summarise(counts, m, w)[0]

    def solver_for(self, d: int) -> str:
        """Which solver ``fit`` runs for targets of dimension ``d``: ``"newton"``, ``"pooled"`` or ``"stochastic"``.

        ``"auto"`` is exact Newton for 2-D targets from the uniform source on one process, the pooled solver
        (:mod:`aeot_viz.ot.pooled`) otherwise, and the stochastic one in a sharded run (``distributed``), which the
        pooled solver does not support. ``ValueError`` when the asked ``method`` cannot apply."""
        if self.method == "stochastic":
            return "stochastic"
        if self.method == "pooled":
            if self.distributed:
                raise ValueError("method='pooled' runs on one process; a sharded run (distributed=True) needs "
                                 "method='stochastic' or 'auto'.")
            return "pooled"
        fits = d == 2 and self.source == "uniform" and not self.distributed
        if self.method == "newton" and not fits:
            raise ValueError(f"method='newton' solves 2-D targets from the uniform source on one process; these "
                             f"targets have d = {d}, source {self.source!r}. Use method='auto' or 'stochastic'.")
        if fits:
            return "newton"
        return "stochastic" if self.distributed else "pooled"

    def _fit_exact(self, Y64: np.ndarray, w: torch.Tensor, h_init, callback, dev) -> SemiDiscreteOT:
        """The exact 2-D solve on the caller's targets ``Y64`` (float64, shape (N, 2)): identical rows are merged
        in float64 (rows that differ only below float32's resolution stay distinct cells), :meth:`_fit_newton`
        solves the distinct ones, and merged rows share their cell's height."""
        N = len(Y64)
        uniq, first, inverse = np.unique(Y64, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        if len(uniq) < 3:
            raise ValueError(f"Exact OT needs at least 3 distinct targets, got {len(uniq)} among {N}: with one or two "
                             "there is nothing to solve for (all mass goes to one point, or a straight cut). Use "
                             "more distinct points.")
        wd = w.double().cpu().numpy()
        if h_init is not None:
            h_init = np.asarray(h_init, dtype=np.float64).reshape(-1)
            if h_init.shape != (N,) or not np.isfinite(h_init).all():
                raise ValueError(f"h_init must be a finite array of shape ({N},).")
        self.n_unique_ = int(len(uniq))
        if len(uniq) == N:
            return self._fit_newton(Y64, wd, h_init, callback, dev)
        self._fit_newton(uniq, np.bincount(inverse, weights=wd, minlength=len(uniq)),
                         None if h_init is None else h_init[first], callback, dev)
        self.h_ = self.h_[inverse]
        self.snapshots_ = self.snapshots_[:, inverse]
        return self

    def _fit_newton(self, Yd: np.ndarray, wd: np.ndarray, h_init, callback, dev) -> SemiDiscreteOT:
        """The exact 2-D solve (:func:`~aeot_viz.ot.newton.newton_ot_2d`) of distinct float64 targets ``Yd``
        (N, 2) with weights ``wd`` (N,), and its two checks: the exact mass error from exact cells of ``Yd``
        themselves, and a sampled check of ``validation_samples`` fresh points (seed of round 0's check)."""
        Y, w = torch.as_tensor(Yd, dtype=torch.float32, device=dev), torch.as_tensor(wd, device=dev)
        max_newton = min(int(self.max_iter), NEWTON_MAX_ITER)
        run = newton_ot_2d(Yd, wd, h_init=h_init, tol=self.tol if self.tol > 0 else None, max_iter=max_newton,
                           callback=callback)
        n_check = (NEWTON_CHECK_SAMPLES if isinstance(self.validation_samples, str)
                   else int(self.validation_samples))
        t0 = time.perf_counter()
        # one whole sampled check with round 0's seed, as ``_validate`` would draw it
        val = validate_ot(Y, torch.as_tensor(run.h, dtype=torch.float32, device=Y.device), w, n_samples=n_check,
                          source=self.source, random_state=int(self.random_state) + 104_729, device=Y.device)
        val = dataclasses.replace(val, exact_l1=run.l1, exact_empty_share=float(run.log["empty_share"][-1]))
        n = len(run.log["l1"])
        elapsed = run.log["time"][-1] + time.perf_counter() - t0
        entry = {"iteration": n - 1, "round": 0, "time": elapsed, **val.to_dict()}
        emit(callback, "ot-validation", n - 1, max_newton, **entry)
        self.validation_samples_ = n_check
        self.h_ = run.h.astype(np.float64)
        steps = n - 1  # the log has one entry per Newton step, as the stochastic log has one per iteration
        self.log_ = {"iteration": run.log["iteration"][1:], "round": [0] * steps, "l1": run.log["l1"][1:],
                     "noise_floor": [0.0] * steps, "empty_share": run.log["empty_share"][1:],
                     "lr": run.log["step"][1:], "batch_size": [0] * steps, "samples": [0] * steps,
                     "time": run.log["time"][1:]}
        self.validation_log_ = [entry]
        self.validation_ = val
        self.snapshots_ = np.stack(run.snapshots)  # float64: a handful of iterates, each exact to its own error
        self.snapshot_iters_ = np.arange(n, dtype=np.int64)
        self.n_iter_ = n - 1
        self.converged_ = run.converged
        self.solver_ = "newton"
        return self

    def _check_params(self) -> None:
        check_ot_settings(self.get_params())
        if not isinstance(self.coarsening, (int, np.integer)) or self.coarsening < 2:
            raise ValueError(f"coarsening must be an integer >= 2, got {self.coarsening!r}.")

    def fit(self, Y, nu=None, *, h_init=None, callback: Optional[Callback] = None,
            checkpoint=None) -> SemiDiscreteOT:
        """Compute the heights for targets ``Y``.

        Parameters
        ----------
        Y : array-like, shape (N, d)
            Targets (latent codes, already normalised into the source domain).
        nu : array-like, shape (N,), optional
            Target weights, normalised to sum 1; uniform when omitted.
        h_init : array-like, shape (N,), optional
            Starting heights (warm start); when omitted :math:`h_i = -|y_i|^2 / 2`, whose power
            cells are the Voronoi cells of the targets.
        callback : callable, optional
            Receives a :class:`~aeot_viz.utils.progress.ProgressEvent` after every iteration (stage
            ``"ot"``; its metrics say where in its round it is: ``round``, ``round_first``, the iterations done
            before the round, and ``round_iters``, the round's length) and every validation (stage
            ``"ot-validation"``).
        checkpoint : path-like, optional
            A checkpoint file (:mod:`aeot_viz.io.checkpoint`) written after every round. When it exists the
            run resumes from it, and computes what the uninterrupted run would have; it must come from
            the same targets, weights, ``h_init`` and settings (``max_iter``, ``tol``, ``device`` and
            the memory settings may differ), else ``ValueError``. A finished run is restored at once,
            or continued when ``max_iter`` has grown.

        Returns
        -------
        self
        """
        self._check_params()
        dev = resolve_device(self.device)
        given = Y
        Y, w = _as_targets(Y, nu, dev)
        N, d = Y.shape
        if self.solver_for(d) == "newton":  # exact for the targets as given: float64, never their float32 copy
            Y64 = (given.detach().cpu().double().numpy() if torch.is_tensor(given)
                   else np.asarray(given, dtype=np.float64))
            return self._fit_exact(Y64, w, h_init, callback, dev)
        uniq, inverse = torch.unique(Y, dim=0, return_inverse=True)
        if len(uniq) < N:  # identical targets: solve for the distinct ones with merged weights
            w_u = torch.zeros(len(uniq), dtype=w.dtype, device=dev).index_add_(0, inverse, w)
            first = torch.full((len(uniq),), N, dtype=torch.long, device=dev).scatter_reduce_(
                0, inverse, torch.arange(N, device=dev), reduce="amin")
            h0 = None if h_init is None else np.asarray(h_init, dtype=np.float64).reshape(-1)
            if h0 is not None and h0.shape != (N,):
                raise ValueError(f"h_init must be a finite array of shape ({N},).")
            self.fit(uniq.cpu().numpy(), w_u.cpu().numpy(), h_init=None if h0 is None else h0[first.cpu().numpy()],
                     callback=callback, checkpoint=checkpoint)
            inv = inverse.cpu().numpy()
            self.h_ = self.h_[inv]
            self.snapshots_ = self.snapshots_[:, inv]
            self.n_unique_ = int(len(uniq))
            return self
        self.n_unique_ = int(N)
        n_full = validation_size(N, self.validation_samples)
        self.validation_samples_ = n_full
        if h_init is not None:
            h_init = np.asarray(h_init, dtype=np.float32)
            if h_init.shape != (N,) or not np.isfinite(h_init).all():
                raise ValueError(f"h_init must be a finite array of shape ({N},).")
        key = None
        if checkpoint is not None:
            settings = {k: v for k, v in self.get_params().items() if k not in _RESUMABLE_PARAMS}
            key = fingerprint(settings, Y.cpu().numpy(), w.cpu().numpy(), h_init)
        w32 = w.float()
        h = -0.5 * (Y * Y).sum(dim=1) if h_init is None else torch.as_tensor(h_init).to(dev)
        if self.solver_for(d) == "pooled":
            fit_pooled(self, Y, w, h, n_full=n_full, key=key, checkpoint=checkpoint, callback=callback,
                       scale_and_levels=lambda: self._step_setup(Y, w32), writer=_is_writer(self.distributed))
            return self
        log = {k: [] for k in ("iteration", "round", "l1", "noise_floor", "empty_share", "lr",
                               "batch_size", "samples", "time")}
        vlog: list[dict] = []
        snap_every = max(1, self.max_iter // max(self.n_snapshots, 1))
        snaps, snap_iters = [h.cpu().numpy().copy()], [0]
        m1 = torch.zeros(N, device=dev)
        count = _counts_kernel(self.distributed)
        batch, lr0 = int(self.batch_size), float(self.lr)
        it, samples, rnd, converged, elapsed0 = 0, 0, 0, False, 0.0
        val = None
        found = load_checkpoint(checkpoint, "ot", key)
        if found is not None:  # resume at the round boundary where the checkpoint was written
            meta, arrs = found
            h = torch.as_tensor(arrs["h"], dtype=torch.float32).to(dev)
            it, samples, rnd, batch = (int(meta[k]) for k in ("iteration", "samples", "round", "batch"))
            lr0 = float(meta["lr0"])
            converged, elapsed0 = bool(meta["converged"]), float(meta["elapsed"])
            log = {k: list(np.asarray(arrs[f"log.{k}"]).tolist()) for k in log}
            vlog = list(meta["validation_log"])
            val = OTValidation(**meta["validation"])
            snaps, snap_iters = list(arrs["snapshots"]), [int(i) for i in arrs["snapshot_iters"]]
        if it < self.max_iter and not converged:  # (a finished run restored from its checkpoint needs none)
            scale, levels = self._step_setup(Y, w32)
        t_start = time.perf_counter() - elapsed0
        seed_base = int(self.random_state) * 7_919 + 1
        while it < self.max_iter and not converged:
            n_round = min(self.round_iter, self.max_iter - it)
            round_first = it  # iterations done before this round (its events say where in the round they are)
            half = n_round // 2
            h_sum = torch.zeros(N, device=dev, dtype=torch.float64)
            n_avg = 0
            floor = _noise_floor(w, batch)
            coarse_lr_factor = 1.0 / d
            for j in range(n_round):
                it += 1
                X = sample_source(batch, d, self.source, sampler=self.sampler, seed=seed_base + it, device=dev)
                lr = lr0 if j < half else lr0 * (n_round - j) / (n_round - half)
                counts = count(X, Y, h, memory_budget=self.memory_budget)
                g = counts.float() / batch - w32
                heavy_ball_step(h, g, w32, m1, scale, levels, lr, self.momentum, coarse_lr_factor)
                samples += batch
                if j >= half:
                    h_sum += h
                    n_avg += 1
                l1 = float(g.abs().sum())
                empty = float((counts == 0).float().mean())
                elapsed = time.perf_counter() - t_start
                for k, v in zip(log, (it, rnd, l1, floor, empty, lr, batch, samples, elapsed)):
                    log[k].append(v)
                if it % snap_every == 0:
                    snaps.append(h.cpu().numpy().copy())
                    snap_iters.append(it)
                emit(callback, "ot", it, self.max_iter, l1=l1, noise_floor=floor, empty_share=empty,
                     lr=lr, batch_size=batch, round=rnd, round_first=round_first, round_iters=n_round,
                     time=elapsed)
            h = (h_sum / max(n_avg, 1)).float()
            h -= h.mean()
            if not bool(torch.isfinite(h).all()):
                raise ValueError(f"The OT heights diverged (non-finite after {it} iterations); lower the step "
                                 f"size lr (now {self.lr}) or check that the targets are normalised codes.")
            val = self._validate(Y, h, w, rnd, dev, n_full)
            entry = {"iteration": it, "round": rnd, "time": time.perf_counter() - t_start, **val.to_dict()}
            vlog.append(entry)
            emit(callback, "ot-validation", it, self.max_iter, **entry)
            if snap_iters[-1] != it:
                snaps.append(h.cpu().numpy().copy())
                snap_iters.append(it)
            # a partial check (one that gave up early) cannot stop the solver
            converged = (val.n_samples == n_full and val.empty_share == 0
                         and val.l1 <= max(self.tol, self.floor_factor * val.noise_floor))
            if not converged:  # the next round: twice the batch, half the step, fresh momentum
                rnd += 1
                batch = min(batch * 2, int(self.max_batch_size))
                lr0 *= 0.5
                m1.zero_()
                for lv in levels:
                    lv["m"].zero_()
            if key is not None and _is_writer(self.distributed):
                save_checkpoint(checkpoint, "ot", key, {
                    "iteration": it, "samples": samples, "round": rnd, "batch": batch, "lr0": lr0,
                    "converged": converged, "elapsed": time.perf_counter() - t_start,
                    "validation": val.to_dict(), "validation_log": vlog,
                }, {"h": h.cpu().numpy(), "snapshots": np.stack(snaps).astype(np.float32),
                    "snapshot_iters": np.asarray(snap_iters, dtype=np.int64),
                    **{f"log.{k}": np.asarray(v) for k, v in log.items()}})
        return self._set_fitted(h, log, vlog, val, snaps, snap_iters, it, converged, "stochastic")

    def _set_fitted(self, h, log, vlog, val, snaps, snap_iters, it, converged, solver) -> SemiDiscreteOT:
        """Store a sampled solve's outcome in the learned attributes (heights as float64, snapshots float32)."""
        self.h_ = h.cpu().numpy().astype(np.float64)
        self.log_ = log
        self.validation_log_ = vlog
        self.validation_ = val
        self.snapshots_ = np.stack(snaps).astype(np.float32)
        self.snapshot_iters_ = np.asarray(snap_iters, dtype=np.int64)
        self.n_iter_ = it
        self.converged_ = converged
        self.solver_ = solver
        return self

    @property
    def result_(self) -> OTResult:
        """The fitted state as a frozen value (:class:`OTResult`); ``AttributeError`` before ``fit``."""
        if not hasattr(self, "h_"):
            raise AttributeError("This SemiDiscreteOT has no result yet: call fit(Y) first.")
        return OTResult(
            h=_frozen(self.h_), n_iter=int(self.n_iter_), converged=bool(self.converged_),
            validation=self.validation_, validation_log=tuple(dict(v) for v in self.validation_log_),
            log={k: _frozen(v) for k, v in self.log_.items()}, snapshots=_frozen(self.snapshots_),
            snapshot_iters=_frozen(self.snapshot_iters_), validation_samples=int(self.validation_samples_),
            n_unique=int(self.n_unique_))

    def get_params(self) -> dict:
        """Constructor parameters, as scikit-learn estimators report them."""
        return {k: getattr(self, k) for k in (
            "source", "method", "batch_size", "max_batch_size", "lr", "round_iter", "max_iter", "tol",
            "floor_factor", "validation_samples", "sampler", "n_snapshots", "device",
            "random_state", "memory_budget", "momentum", "multiscale", "coarsening", "distributed", "candidates",
            "pool_size")}


def solve_ot(Y, nu=None, *, h_init=None, callback: Optional[Callback] = None, checkpoint=None,
             **settings) -> OTResult:
    """Solve semi-discrete OT for targets ``Y`` (N, d) and return the outcome as a value.

    ``settings`` are :class:`SemiDiscreteOT`'s parameters (the defaults are :class:`~aeot_viz.ot.config.OTConfig`'s);
    ``nu``, ``h_init``, ``callback`` and ``checkpoint`` are :meth:`SemiDiscreteOT.fit`'s.
    """
    return SemiDiscreteOT(**settings).fit(Y, nu, h_init=h_init, callback=callback, checkpoint=checkpoint).result_
