"""Semi-discrete OT solver, checked against independent references."""

import math

import numpy as np
import pytest
import torch
from power_reference import exact_power_cell_areas

from aeot_viz.geometry.scoring import assign_cells
from aeot_viz.ot import SemiDiscreteOT, sample_source, validate_ot


def _two_d_targets(n, seed):
    """A few hundred targets in the square: three blobs of different spread plus uniform points."""
    rng = np.random.default_rng(seed)
    centres = np.array([[-0.25, -0.2], [0.2, 0.25], [0.25, -0.25]])
    k = n // 4
    blobs = [c + s * rng.standard_normal((k, 2)) for c, s in zip(centres, (0.05, 0.08, 0.03))]
    pts = np.concatenate(blobs + [rng.uniform(-0.45, 0.45, (n - 3 * k, 2))])
    return np.clip(pts, -0.49, 0.49).astype(np.float32)


def test_exact_2d_cell_areas_match_target_masses():
    Y = _two_d_targets(240, seed=1)
    ot = SemiDiscreteOT(max_iter=400, validation_samples=2**20, random_state=0, device="cpu").fit(Y)
    areas = exact_power_cell_areas(Y, ot.h_)
    assert areas.sum() == pytest.approx(1.0, abs=1e-9)  # the cells tile the square
    l1 = np.abs(areas - 1 / len(Y)).sum()
    assert l1 <= 0.02, f"exact L1 {l1:.4f}"
    assert (areas > 0).all()


def test_weighted_targets_get_their_weights_exactly():
    rng = np.random.default_rng(3)
    Y = rng.uniform(-0.45, 0.45, (120, 2)).astype(np.float32)
    nu = rng.uniform(0.2, 1.0, 120)
    nu /= nu.sum()
    ot = SemiDiscreteOT(max_iter=400, validation_samples=2**20, random_state=1, device="cpu").fit(Y, nu)
    areas = exact_power_cell_areas(Y, ot.h_)
    assert np.abs(areas - nu).sum() <= 0.02
    # and the solution differs from the uniform one: weights matter
    uniform = exact_power_cell_areas(Y, SemiDiscreteOT(max_iter=200, device="cpu").fit(Y).h_)
    assert np.abs(uniform - nu).sum() > 0.1


@pytest.mark.slow
def test_d8_validation_within_three_noise_floors():
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((10, 8))
    Y = centres[rng.integers(0, 10, 2000)] + 0.35 * rng.standard_normal((2000, 8))
    Y = (0.5 * Y / np.abs(Y).max()).astype(np.float32)
    ot = SemiDiscreteOT(max_iter=300, validation_samples=2**20, random_state=0, device="cpu").fit(Y)
    # a check independent of the solver's own validation: other seed, more samples
    val = validate_ot(Y, ot.h_, n_samples=2**21, random_state=2024, device="cpu")
    assert val.l1 <= 3 * val.noise_floor, val
    assert val.empty_share == 0.0
    # honest iteration log: the first estimate is far worse than the end
    assert ot.log_["l1"][0] > 3 * val.l1
    assert ot.validation_log_[-1]["l1"] <= ot.validation_log_[0]["l1"] + 1e-9


def test_validate_ot_agrees_with_exact_areas_for_any_heights():
    rng = np.random.default_rng(5)
    Y = rng.uniform(-0.5, 0.5, (60, 2)).astype(np.float32)
    h = -0.5 * (Y.astype(np.float64) ** 2).sum(1) + 0.01 * rng.standard_normal(60)
    exact = exact_power_cell_areas(Y, h)
    val, mu = validate_ot(Y, h, n_samples=2**20, random_state=3, device="cpu", return_mu=True)
    assert np.abs(mu - exact).sum() <= 3 * val.noise_floor
    assert val.l1 == pytest.approx(np.abs(mu - 1 / 60).sum())
    assert val.noise_floor == pytest.approx(60 * math.sqrt(2 / math.pi) * math.sqrt((1 / 60) * (59 / 60) / 2**20))


def test_noise_floor_is_what_an_exact_solution_shows():
    """Heights whose exact cells are all equal (a symmetric grid): the validated L1 is the noise floor."""
    g = (np.arange(4) + 0.5) / 4 - 0.5
    Y = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2).astype(np.float32)
    h = -0.5 * (Y.astype(np.float64) ** 2).sum(1)  # Voronoi cells of a regular grid: equal squares
    assert np.allclose(exact_power_cell_areas(Y, h), 1 / 16)
    l1s = [validate_ot(Y, h, n_samples=2**14, random_state=s, device="cpu").l1 for s in range(40)]
    floor = validate_ot(Y, h, n_samples=2**14, device="cpu").noise_floor
    assert np.mean(l1s) == pytest.approx(floor, rel=0.15)


def test_adding_a_constant_to_h_leaves_the_map_unchanged():
    rng = np.random.default_rng(2)
    Y = torch.as_tensor(rng.uniform(-0.5, 0.5, (300, 3)), dtype=torch.float32)
    h = torch.as_tensor(rng.normal(0, 0.05, 300), dtype=torch.float32)
    X = sample_source(5000, 3, seed=1)
    assert torch.equal(assign_cells(X, Y, h), assign_cells(X, Y, h + 7.0))
    a = validate_ot(Y.numpy(), h.numpy(), n_samples=2**16, device="cpu")
    b = validate_ot(Y.numpy(), h.numpy() - 2.5, n_samples=2**16, device="cpu")
    assert a == b


def test_solver_is_reproducible_and_heights_are_centred():
    Y = _two_d_targets(80, seed=4)
    a = SemiDiscreteOT(max_iter=40, round_iter=20, validation_samples=2**16, device="cpu", method="stochastic").fit(Y)
    b = SemiDiscreteOT(max_iter=40, round_iter=20, validation_samples=2**16, device="cpu", method="stochastic").fit(Y)
    assert np.array_equal(a.h_, b.h_)
    assert abs(a.h_.mean()) < 1e-6
    assert a.snapshots_.shape[1] == 80 and len(a.snapshot_iters_) == len(a.snapshots_)
    assert a.snapshot_iters_[0] == 0 and a.snapshot_iters_[-1] == a.n_iter_
    assert len(a.log_["l1"]) == a.n_iter_ and a.log_["samples"][-1] > 0


def test_callback_sees_every_iteration_and_validation():
    Y = _two_d_targets(40, seed=6)
    events = []
    SemiDiscreteOT(max_iter=30, round_iter=10, floor_factor=0, validation_samples=2**14, method="stochastic",
                   device="cpu").fit(Y, callback=events.append)
    assert [e.step for e in events if e.stage == "ot"] == list(range(1, 31))
    assert len([e for e in events if e.stage == "ot-validation"]) == 3


def test_sources():
    u = sample_source(4096, 5, "uniform", sampler="sobol", seed=3)
    assert u.min() >= -0.5 and u.max() <= 0.5 and abs(float(u.mean())) < 0.01
    g = sample_source(2**16, 3, "gaussian", sampler="random", seed=3)
    assert abs(float(g.mean())) < 0.02 and abs(float(g.std()) - 1) < 0.02
    gs = sample_source(2**14, 3, "gaussian", sampler="sobol", seed=3)
    assert torch.isfinite(gs).all() and abs(float(gs.std()) - 1) < 0.02
    assert torch.equal(sample_source(10, 2, seed=9), sample_source(10, 2, seed=9))
    a, b = (sample_source(10, 2, sampler="sobol", seed=s) for s in (9, 10))
    assert not torch.equal(a, b)


def test_gaussian_source_transports_gaussian_mass():
    rng = np.random.default_rng(8)
    Y = rng.uniform(-0.5, 0.5, (50, 2)).astype(np.float32)
    ot = SemiDiscreteOT(source="gaussian", max_iter=300, validation_samples=2**19, device="cpu").fit(Y)
    val = validate_ot(Y, ot.h_, source="gaussian", n_samples=2**20, random_state=77, device="cpu")
    assert val.l1 <= 3 * val.noise_floor
    assert validate_ot(Y, ot.h_, source="uniform", n_samples=2**18, device="cpu").l1 > 5 * val.l1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"source": "cauchy"}, "source"),
        ({"batch_size": 0}, "batch_size"),
        ({"lr": -1.0}, "lr"),
        ({"round_iter": 1}, "round_iter"),
        ({"sampler": "halton"}, "sampler"),
    ],
)
def test_bad_parameters_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SemiDiscreteOT(**kwargs).fit(np.zeros((3, 2), dtype=np.float32))


def test_bad_targets_and_weights_raise():
    Y = np.random.default_rng(0).uniform(-0.5, 0.5, (5, 2))
    with pytest.raises(ValueError, match="NaN"):
        SemiDiscreteOT().fit(np.where(np.eye(5, 2) > 0, np.nan, Y))
    with pytest.raises(ValueError, match="shape"):
        SemiDiscreteOT().fit(Y, nu=np.ones(4))
    with pytest.raises(ValueError, match="non-negative"):
        SemiDiscreteOT().fit(Y, nu=-np.ones(5))
    with pytest.raises(ValueError, match="2-D"):
        SemiDiscreteOT().fit(np.zeros(5))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["grid25", "ring8"])
def test_tight_well_separated_modes_converge(name):
    """25 Gaussians (std 0.05, spacing 2) and 8 on a ring (std 0.01): targets in tight clusters far apart,
    where local steps alone stall (validated L1 0.21 on grid25 without the multiscale steps)."""
    from aeot_viz.data import load_dataset
    from aeot_viz.models.normalization import LatentNormalizer

    ds = load_dataset(name, n_samples=1000, random_state=3)
    Y = LatentNormalizer().fit(ds.data).transform(ds.data)
    ot = SemiDiscreteOT(max_iter=600, validation_samples=2**20, device="cpu").fit(Y)
    val = validate_ot(Y, ot.h_, n_samples=2**21, random_state=31, device="cpu")
    assert val.l1 <= 2 * val.noise_floor, val
    assert val.empty_share == 0.0
    # per mode, the cells carry the mode's share of the data
    _, mu = validate_ot(Y, ot.h_, n_samples=2**21, random_state=32, device="cpu", return_mu=True)
    per_mode = np.bincount(ds.labels, weights=mu) - np.bincount(ds.labels) / len(Y)
    assert np.abs(per_mode).sum() <= 0.03


def test_duplicate_targets_share_a_cell_and_their_summed_mass():
    rng = np.random.default_rng(4)
    base = rng.uniform(-0.4, 0.4, (60, 2))
    Y = np.concatenate([base, base[:10]])  # 10 codes twice: 70 targets, 60 distinct
    ot = SemiDiscreteOT(max_iter=200, validation_samples=2**18, random_state=0, device="cpu").fit(Y)
    assert ot.n_unique_ == 60 and ot.h_.shape == (70,)
    np.testing.assert_array_equal(ot.h_[60:], ot.h_[:10])  # copies get one height
    assert ot.validation_.empty_share == 0
    # exact areas of the distinct targets: the doubled codes' cells hold 2/70, the others 1/70
    areas = exact_power_cell_areas(base, ot.h_[:60])
    target = np.where(np.arange(60) < 10, 2 / 70, 1 / 70)
    assert np.abs(areas - target).sum() < 0.05


def test_targets_far_outside_the_cube_are_refused():
    # found by tests/test_fuzz.py: a coordinate of 1.8e19 overflowed the float32 heights to -inf
    with pytest.raises(ValueError, match="normalise the codes"):
        SemiDiscreteOT(max_iter=2, device="cpu").fit(np.array([[1.84467435e19]]))


def test_a_validation_that_cannot_pass_stops_early_but_never_stops_the_solver():
    # 3,000 targets and rounds of 10 iterations: far from the 2^22-sample floor, so every round's sequential
    # check gives up after its first 2^18-sample chunk; that chunk's own (larger) noise floor must not count
    # as convergence
    Y = np.random.default_rng(4).uniform(-0.45, 0.45, (3000, 2))
    ot = SemiDiscreteOT(max_iter=30, round_iter=10, validation_samples=2**22, device="cpu", random_state=0,
                        method="stochastic").fit(Y)
    assert [v["n_samples"] for v in ot.validation_log_] == [2**18] * 3
    assert not ot.converged_ and ot.n_iter_ == 30
    # and with a loose tolerance the check runs to the end and stops the solver
    loose = SemiDiscreteOT(max_iter=90, round_iter=30, validation_samples=2**20, tol=0.5, device="cpu",
                           random_state=0, method="stochastic").fit(Y)
    assert loose.converged_ and loose.n_iter_ < 90
    assert [v["n_samples"] for v in loose.validation_log_] == [2**20] * len(loose.validation_log_)


def test_multiscale_on_evenly_spread_2d_targets_matches_exact_areas():
    # clusters of evenly spread codes touch their neighbours: their steps must follow the near facets
    # between them (with the centre-to-centre rule 40% of these cells were empty after 600 iterations)
    Y = np.random.default_rng(4).uniform(-0.45, 0.45, (1500, 2))
    ot = SemiDiscreteOT(max_iter=400, random_state=0, device="cpu").fit(Y)
    areas = exact_power_cell_areas(Y, ot.h_)
    assert areas.min() > 0.2 / len(Y)
    assert np.abs(areas - 1 / len(Y)).sum() <= 0.04


def test_the_result_is_a_frozen_value_equal_to_the_fitted_solver():
    import dataclasses

    from aeot_viz.ot import OTResult, solve_ot

    Y = np.random.default_rng(2).uniform(-0.4, 0.4, (60, 2)).astype(np.float32)
    kw = dict(max_iter=40, round_iter=20, validation_samples=2**14, device="cpu", random_state=3)
    ot = SemiDiscreteOT(**kw).fit(Y)
    res = ot.result_
    assert isinstance(res, OTResult)
    assert np.array_equal(res.h, ot.h_) and res.n_iter == ot.n_iter_ and res.converged == ot.converged_
    assert res.validation == ot.validation_ and list(res.validation_log) == ot.validation_log_
    assert np.array_equal(res.snapshots, ot.snapshots_) and res.validation_samples == 2**14
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.h = np.zeros(60)
    with pytest.raises(ValueError):
        res.h[0] = 1.0  # read-only: refitting the solver cannot change an earlier result
    # the function and the class give the same heights for the same settings and seed
    assert np.array_equal(solve_ot(Y, **kw).h, res.h)
    with pytest.raises(AttributeError, match="fit"):
        _ = SemiDiscreteOT().result_
