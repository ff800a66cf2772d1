"""OT accuracy by default: the stop rule's validation size and what a default solve reaches.

Every solve here is judged by an independent check: cell masses re-estimated with 2^22 fresh samples
drawn with a seed the solver never uses (the solver's own draws and validations use seeds derived from
``random_state``; ``validate_ot`` with ``random_state=CHECK_SEED`` draws from another stream).
"""

import numpy as np
import pytest
from repo import ASSETS

from aeot_viz.ot import MIN_AUTO_VALIDATION, VALIDATION_CHUNK, SemiDiscreteOT, auto_validation_samples, validate_ot
from aeot_viz.ot.solver import NEWTON_CHECK_SAMPLES
from aeot_viz.pipeline.config import AEOTConfig, OTConfig

CHECK_SEED = 20_251_124


def _independent_check(Y, h, nu=None):
    return validate_ot(Y, h, nu, n_samples=2**22, random_state=CHECK_SEED, device="cpu")


def _mixture(n, d, seed):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((6, d))
    X = centres[rng.integers(0, 6, n)] + 0.35 * rng.standard_normal((n, d))
    return (0.5 * X / np.abs(X).max()).astype(np.float32)


@pytest.mark.parametrize("name, Y, nu", [
    ("2-D Gaussian, 300 codes", np.random.default_rng(11).standard_normal((300, 2)) / 8, None),
    ("8-D mixture, 400 codes, unequal weights", _mixture(400, 8, 12),
     np.random.default_rng(13).uniform(0.5, 2.0, 400)),
    ("32-D mixture, 150 codes", _mixture(150, 32, 14), None),
])
def test_a_default_solve_reads_within_1_3x_the_floor_of_an_independent_2_22_check(name, Y, nu):
    Y = np.clip(Y, -0.5, 0.5)
    ot = SemiDiscreteOT(device="cpu", method="stochastic").fit(Y, nu)  # the sampled solver's stop rule
    assert ot.converged_, f"{name}: the default stop rule was not met within {ot.max_iter} iterations"
    assert ot.validation_samples_ == auto_validation_samples(len(Y))
    check = _independent_check(Y, ot.h_, nu)
    assert check.empty_share == 0, name
    assert check.l1 <= 1.3 * check.noise_floor, (name, check.l1 / check.noise_floor)
    # and the solver's own last validation is the one it stopped on: a full check, within 1.3x its floor
    assert ot.validation_.n_samples == ot.validation_samples_
    assert ot.validation_.l1 <= 1.3 * ot.validation_.noise_floor


def test_auto_validation_grows_with_the_number_of_codes():
    sizes = [auto_validation_samples(n) for n in (1, 100, 8192, 10_000, 60_000, 10**6)]
    assert sizes[:3] == [MIN_AUTO_VALIDATION] * 3
    assert sizes == sorted(sizes) and sizes[3] >= 1024 * 10_000 and sizes[4] >= 1024 * 60_000
    assert sizes[5] == 2**26  # capped
    assert all(s % VALIDATION_CHUNK == 0 for s in sizes)
    # every cell gets about a thousand samples: the floor per unit of mass is at most sqrt(2/pi)/32
    for n in (100, 10_000, 60_000):
        m = auto_validation_samples(n)
        assert np.sqrt(2 / np.pi) * np.sqrt(n / m) <= np.sqrt(2 / np.pi) / 32 + 1e-12
    for bad in (0, -3, 2.5, "10"):
        with pytest.raises(ValueError, match="positive integer"):
            auto_validation_samples(bad)


def test_a_check_that_runs_to_the_end_is_validate_ot_with_the_same_seed():
    # the sequential check adds samples chunk by chunk; when it does not give up it must equal the one-shot
    # validation with the seed of its round
    Y = _mixture(120, 4, 3)
    ot = SemiDiscreteOT(method="stochastic", device="cpu", max_iter=60, round_iter=30,
                        validation_samples=3 * VALIDATION_CHUNK + 5, tol=10.0, random_state=7).fit(Y)
    assert ot.converged_ and ot.n_iter_ == 30
    seed = 7 + 104_729 * 1
    again = validate_ot(Y, ot.h_.astype(np.float32), n_samples=3 * VALIDATION_CHUNK + 5, random_state=seed,
                        device="cpu")
    assert ot.validation_.to_dict() == pytest.approx(again.to_dict())


def test_validation_samples_takes_auto_or_a_positive_integer_everywhere():
    assert OTConfig().validation_samples == "auto"
    cfg = AEOTConfig.from_dict({"ot": {"validation_samples": 2**20}})
    assert cfg.ot.validation_samples == 2**20  # bundles written before "auto" still load
    assert AEOTConfig.from_dict({"ot": {"validation_samples": "auto"}}).ot.validation_samples == "auto"
    with pytest.raises(ValueError, match="positive integer or \"auto\""):
        AEOTConfig.from_dict({"ot": {"validation_samples": "many"}})
    with pytest.raises(TypeError, match="validation_samples"):
        AEOTConfig.from_dict({"ot": {"validation_samples": 2.5}})
    from aeot_viz.apps.cli import build_parser

    args = build_parser().parse_args(["train", "--out", "m.npz", "--ot-validation-samples", "auto"])
    assert args.ot_validation_samples == "auto"
    args = build_parser().parse_args(["train", "--out", "m.npz", "--ot-validation-samples", "4096"])
    assert args.ot_validation_samples == 4096
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--out", "m.npz", "--ot-validation-samples", "-1"])


@pytest.mark.parametrize("name", ["default_mnist10k", "toy_grid25", "toy_ring8"])
def test_every_shipped_model_reads_within_1_3x_the_floor_of_an_independent_check(name):

    from aeot_viz.pipeline.bundle import load_bundle

    model = load_bundle(ASSETS / f"{name}.npz")
    assert model.config.ot.validation_samples == "auto" and model.config.ot.floor_factor == 1.3
    v = model.ot_validation
    if model.latent_dim == 2:  # solved exactly (Newton, issue 22): the exact error, and a cross-check within its noise
        assert v["exact_l1"] <= 1e-8 and v["exact_empty_share"] == 0
        assert v["n_samples"] == NEWTON_CHECK_SAMPLES and v["l1"] <= 1.15 * v["noise_floor"]
    else:  # its own last check passed: the pooled solver's fresh cap-sized pool at the equivalent floor factor
        from aeot_viz.ot.pooled import pool_floor_factor, pool_sizes

        n_distinct = len(np.unique(model.targets, axis=0))  # identical codes share one cell (SemiDiscreteOT.fit)
        V = auto_validation_samples(n_distinct)
        P = pool_sizes(n_distinct, V, model.config.ot.candidates, model.config.ot.pool_size)[-1]
        assert v["n_samples"] == P and v["empty_share"] == 0
        assert v["l1"] <= pool_floor_factor(1.3, P, V) * v["noise_floor"]
    check = _independent_check(model.targets, model.h)
    assert check.empty_share == 0
    assert check.l1 <= 1.3 * check.noise_floor, check.l1 / check.noise_floor
