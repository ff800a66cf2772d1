"""Exact 2-D OT by damped Newton: judged by cell areas computed without the solver's geometry (half-space
intersection, tests/power_reference.py) and by sampled checks with a seed the solver never uses."""

import numpy as np
import pytest
from power_reference import exact_power_cell_areas
from sklearn.datasets import make_moons

from aeot_viz.ot import SemiDiscreteOT, validate_ot
from aeot_viz.ot.newton import default_tol, exact_l1, newton_ot_2d, voronoi_start

CHECK_SEED = 20_251_129


def _ring(n, rng, radius=0.35):
    t = rng.uniform(0, 2 * np.pi, n)
    return np.column_stack([np.cos(t), np.sin(t)]) * radius + 0.01 * rng.standard_normal((n, 2))


def _grid(n, rng):
    centres = np.stack(np.meshgrid(np.linspace(-0.4, 0.4, 5), np.linspace(-0.4, 0.4, 5)), -1).reshape(-1, 2)
    return centres[rng.integers(0, 25, n)] + 0.01 * rng.standard_normal((n, 2))


def _moons(n, rng):
    X = make_moons(n, noise=0.05, random_state=int(rng.integers(1000)))[0]
    return 0.9 * (X - X.mean(axis=0)) / np.ptp(X)


def _disc(n, rng):
    t, r = rng.uniform(0, 2 * np.pi, n), 0.45 * np.sqrt(rng.uniform(size=n))
    return np.column_stack([r * np.cos(t), r * np.sin(t)])


def _gaussian(n, rng):
    return 0.12 * rng.standard_normal((n, 2))


SHAPES = {"ring": _ring, "grid": _grid, "moons": _moons, "disc": _disc, "gaussian": _gaussian}


@pytest.mark.parametrize("shape, n", [("ring", 500), ("grid", 2000), ("moons", 1000), ("disc", 3000),
                                      ("gaussian", 10_000)])
def test_the_default_2d_solve_is_exact_and_a_fresh_sampled_check_reads_only_its_noise(shape, n):
    Y = SHAPES[shape](n, np.random.default_rng(n)).astype(np.float32)
    ot = SemiDiscreteOT(device="cpu").fit(Y)
    assert ot.solver_ == "newton" and ot.converged_
    v = ot.validation_
    assert v.exact_l1 <= 1e-8 and v.exact_empty_share == 0
    # the exact error, recomputed from the stored heights, agrees
    assert exact_l1(Y, ot.h_)[0] <= 1e-8
    # a check with a seed the solver never used reads its own binomial noise and nothing more
    check = validate_ot(Y, ot.h_, n_samples=2**20, random_state=CHECK_SEED, device="cpu")
    assert check.empty_share == 0
    assert 0.85 * check.noise_floor <= check.l1 <= 1.15 * check.noise_floor, check.l1 / check.noise_floor
    # so does the solver's own sampled check
    assert v.n_samples == 2**18 and v.l1 <= 1.15 * v.noise_floor
    assert ot.n_iter_ <= 25  # a handful of Newton steps, not a stochastic run


@pytest.mark.parametrize("case", ["ring", "outside the square", "near-collinear", "collinear", "weighted"])
def test_newton_areas_match_half_space_intersection(case):
    rng = np.random.default_rng(7)
    nu = None
    if case == "ring":
        Y = _ring(300, rng)
    elif case == "outside the square":  # codes need not lie in the square
        Y = _ring(200, rng, radius=0.9) + np.array([0.6, -0.2])
    elif case == "near-collinear":
        t = np.sort(rng.uniform(-0.4, 0.4, 120))
        Y = np.column_stack([t, 0.3 * t + 1e-7 * rng.standard_normal(120)])
    elif case == "collinear":
        t = np.sort(rng.uniform(-0.4, 0.4, 120))
        Y = np.column_stack([t, -0.5 * t])
    else:
        Y = _disc(250, rng)
        nu = rng.uniform(0.2, 3.0, 250)
    run = newton_ot_2d(Y, nu)
    target = np.full(len(Y), 1 / len(Y)) if nu is None else nu / nu.sum()
    areas = exact_power_cell_areas(Y, run.h)  # no code shared with the solver's cells
    assert run.converged and run.min_mass > 0
    assert np.abs(areas - target).sum() <= 1e-8
    assert abs(run.l1 - np.abs(areas - target).sum()) <= 1e-9


def test_every_newton_step_keeps_cells_alive_and_decreases_the_error():
    Y = _grid(800, np.random.default_rng(3))
    run = newton_ot_2d(Y)
    l1 = np.array(run.log["l1"])
    assert run.log["iteration"] == list(range(len(l1))) and len(run.snapshots) == len(l1)
    assert l1[-1] <= default_tol(800) and len(l1) <= 20
    assert (np.array(run.log["empty_share"]) == 0).all()
    steps = np.array(run.log["step"][1:])
    assert ((steps > 0) & (steps <= 1)).all()
    # quadratic convergence at the end: the last full steps square the error (up to a constant)
    full = np.nonzero(steps == 1)[0] + 1
    assert len(full) >= 3 and l1[full[-2]] <= 1e-3 * l1[full[-3]]


def test_warm_start_and_voronoi_start():
    rng = np.random.default_rng(5)
    Y = _ring(400, rng)
    cold = newton_ot_2d(Y)
    warm = newton_ot_2d(Y, h_init=cold.h)
    assert warm.log["iteration"] == [0] and warm.converged  # already solved: no step needed
    far = _ring(100, rng) * 6 + 3  # every code outside the square: the start still gives each a cell
    areas = exact_power_cell_areas(far, voronoi_start(far))
    assert (areas > 0).all() and abs(areas.sum() - 1) < 1e-12


@pytest.mark.parametrize("shape, n", [("ring", 500), ("disc", 1500)])
def test_float64_targets_are_solved_as_given_not_as_their_float32_rounding(shape, n):
    """Exact means exact for the caller's targets: float64 in, float64 Newton, and the reported exact error is the
    one of the caller's own cells (exact_cells_2d, independent of the solver's bookkeeping)."""
    from aeot_viz.geometry.power_diagram import exact_cells_2d

    Y = SHAPES[shape](n, np.random.default_rng(n + 1))  # float64, not representable in float32
    Y32 = Y.astype(np.float32).astype(np.float64)
    assert np.abs(Y - Y32).max() > 0
    ot = SemiDiscreteOT(device="cpu").fit(Y)
    assert ot.solver_ == "newton" and ot.converged_ and ot.n_unique_ == n
    own = np.abs(exact_cells_2d(Y, ot.h_).areas - 1 / n)
    assert own.sum() <= 1e-12 and ot.validation_.exact_l1 <= 1e-12 and ot.validation_.exact_empty_share == 0
    # also by half-space intersection, a second construction of the cells
    assert np.abs(exact_power_cell_areas(Y, ot.h_) - 1 / n).sum() <= 1e-11
    # the float32 rounding is far off on these heights: the test would catch a solve of float32(Y)
    assert np.abs(exact_cells_2d(Y32, ot.h_).areas - 1 / n).sum() > 1e-7
    # the float32 targets' own solve is exact for them, and different
    ot32 = SemiDiscreteOT(device="cpu").fit(Y.astype(np.float32))
    assert np.abs(exact_cells_2d(Y32, ot32.h_).areas - 1 / n).sum() <= 1e-12
    assert np.abs(exact_cells_2d(Y, ot32.h_).areas - 1 / n).sum() > 1e-7


def test_float64_duplicates_merge_exactly_and_float32_ties_stay_apart():
    """Merging identical rows is decided on the given float64 values: two rows equal in float32 but not in float64
    are two cells."""
    rng = np.random.default_rng(4)
    base = _disc(120, rng)
    base[0] = base[0].astype(np.float32)  # a float32 point, so that a nudge far below its spacing rounds back to it
    near = base[:1] + np.array([[1e-9, 0.0]])
    assert (near.astype(np.float32) == base[:1].astype(np.float32)).all()
    Y = np.concatenate([base, base[5:10], near])
    ot = SemiDiscreteOT(device="cpu").fit(Y)
    assert ot.n_unique_ == 121
    np.testing.assert_array_equal(ot.h_[120:125], ot.h_[5:10])
    uniq = np.concatenate([base, near])
    target = np.where(np.isin(np.arange(121), np.arange(5, 10)), 2, 1) / len(Y)
    assert np.abs(exact_power_cell_areas(uniq, np.concatenate([ot.h_[:120], ot.h_[125:]])) - target).sum() <= 1e-8


def test_duplicates_are_merged_and_share_their_summed_mass():
    rng = np.random.default_rng(9)
    base = _disc(150, rng).astype(np.float32)
    Y = np.concatenate([base, base[:20]])
    ot = SemiDiscreteOT(device="cpu").fit(Y)
    assert ot.solver_ == "newton" and ot.n_unique_ == 150
    np.testing.assert_array_equal(ot.h_[150:], ot.h_[:20])
    areas = exact_power_cell_areas(base.astype(np.float64), ot.h_[:150])
    target = np.where(np.arange(150) < 20, 2 / 170, 1 / 170)
    assert np.abs(areas - target).sum() <= 1e-8


def test_solver_choice():
    rng = np.random.default_rng(1)
    Y2, Y3 = _disc(60, rng).astype(np.float32), rng.uniform(-0.4, 0.4, (60, 3)).astype(np.float32)
    assert SemiDiscreteOT().solver_for(2) == "newton"
    assert SemiDiscreteOT().solver_for(3) == "pooled"  # the default above 2-D since issue 35
    assert SemiDiscreteOT(source="gaussian").solver_for(2) == "pooled"
    assert SemiDiscreteOT(method="stochastic").solver_for(2) == "stochastic"
    st = SemiDiscreteOT(method="stochastic", max_iter=20, round_iter=10, validation_samples=2**14).fit(Y2)
    assert st.solver_ == "stochastic" and st.validation_.exact_l1 is None
    with pytest.raises(ValueError, match="method='newton' solves 2-D targets"):
        SemiDiscreteOT(method="newton").fit(Y3)
    with pytest.raises(ValueError, match="method='newton'"):
        SemiDiscreteOT(method="newton", source="gaussian").fit(Y2)
    with pytest.raises(ValueError, match="method must be one of"):
        SemiDiscreteOT(method="exact").fit(Y2)
    # the log, snapshots and validation follow the stochastic solver's layout
    ot = SemiDiscreteOT().fit(Y2)
    assert len(ot.log_["l1"]) == ot.n_iter_ == len(ot.snapshots_) - 1
    assert list(ot.snapshot_iters_) == list(range(ot.n_iter_ + 1))
    assert ot.validation_log_[-1]["exact_l1"] == ot.validation_.exact_l1
    assert "Exact error" in ot.validation_.in_words()


@pytest.mark.parametrize("Y, match", [
    (np.zeros((12, 2)), "at least 3 distinct targets, got 1"),
    (np.array([[0.1, 0.2], [-0.3, 0.1]]), "at least 3 distinct targets, got 2"),
    (np.array([[0.1, 0.2], [-0.3, 0.1], [0.1, 0.2], [-0.3, 0.1]]), "at least 3 distinct targets, got 2"),
    (np.array([[0.1, 0.2], [np.nan, 0.1], [0.3, 0.3]]), "NaN"),
])
def test_bad_targets_raise_a_clear_error(Y, match):
    with pytest.raises(ValueError, match=match):
        SemiDiscreteOT(device="cpu").fit(Y)
    if "NaN" in match or "got 1" in match:
        with pytest.raises(ValueError, match=match):
            newton_ot_2d(Y)
