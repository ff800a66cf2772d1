"""The pooled OT solver (ot/pooled.py): the default for d > 2, checked against the stochastic solver and fresh
samples neither solver used."""

import numpy as np
import pytest
import torch

from aeot_viz.geometry.candidates import pool_bytes_per_sample
from aeot_viz.ot import SemiDiscreteOT
from aeot_viz.ot.pooled import POOL_MEMORY, pool_floor_factor, pool_sizes
from aeot_viz.ot.validation import validate_ot
from aeot_viz.utils.progress import ProgressEvent

CHECK_SEED = 8_675_309  # a seed no solver uses


def _targets(n=240, d=5, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (4, d))
    X = centres[rng.integers(0, 4, n)] + 0.4 * rng.normal(0, 1, (n, d))
    return (0.45 * X / np.abs(X).max()).astype(np.float32)


FAST = dict(validation_samples=2**20, random_state=0)


def test_pooled_is_the_default_above_two_dimensions_and_certified_on_fresh_samples():
    Y = _targets()
    ot = SemiDiscreteOT(**FAST).fit(Y)
    assert ot.solver_ == "pooled" and ot.converged_
    v = ot.validation_
    last = ot.validation_log_[-1]
    # the certificate is a fresh pool's reading at the final heights, within the factor that certifies the same
    # error as 1.3 floors of the validation size
    assert v.n_samples == last["pool"] == pool_sizes(len(Y), 2**20, 8)[-1]
    assert v.l1 <= last["floor_factor"] * v.noise_floor and v.empty_share == 0
    assert last["floor_factor"] == pytest.approx(pool_floor_factor(1.3, v.n_samples, 2**20))
    # an independent check with a seed no solver used: the certified accuracy holds there too
    chk = validate_ot(torch.as_tensor(Y), torch.as_tensor(ot.h_, dtype=torch.float32), n_samples=2**20,
                      random_state=CHECK_SEED)
    assert chk.l1 <= 1.3 * chk.noise_floor and chk.empty_share == 0
    assert ot.samples_scored_ >= sum(e["pool"] for e in ot.validation_log_)


def test_pooled_and_stochastic_heights_give_the_same_cells_within_the_checks_noise():
    Y = _targets(200, 4, seed=1)
    a = SemiDiscreteOT(**FAST).fit(Y)
    b = SemiDiscreteOT(method="stochastic", **FAST).fit(Y)
    assert a.solver_ == "pooled" and b.solver_ == "stochastic"
    Yt = torch.as_tensor(Y)
    va, mu_a = validate_ot(Yt, torch.as_tensor(a.h_).float(), n_samples=2**21, random_state=CHECK_SEED,
                           return_mu=True)
    vb, mu_b = validate_ot(Yt, torch.as_tensor(b.h_).float(), n_samples=2**21, random_state=CHECK_SEED,
                           return_mu=True)
    # each map is certified to a true error of at most e = sqrt(1.3^2 - 1) floors of its 2^20-sample check; on the
    # same fresh samples their masses then differ by about sqrt(2) e at most (the check's own noise cancels)
    e_max = np.sqrt(1.3**2 - 1) * va.noise_floor * np.sqrt(2**21 / 2**20)
    assert np.abs(mu_a - mu_b).sum() < 1.2 * np.sqrt(2) * e_max
    # and each reads, on this larger check, about its floor and its certified error in quadrature
    bound = 1.1 * np.sqrt(va.noise_floor**2 + e_max**2)
    assert va.l1 < bound and vb.l1 < bound
    # a map that is really different is caught by the same comparison
    wrong = torch.as_tensor(a.h_).float().clone()
    wrong[:20] += 0.05
    _, mu_w = validate_ot(Yt, wrong, n_samples=2**21, random_state=CHECK_SEED, return_mu=True)
    assert np.abs(mu_w - mu_b).sum() > 1.2 * np.sqrt(2) * e_max


class _Stop(Exception):
    pass


def test_checkpoint_and_resume_give_the_uninterrupted_heights(tmp_path):
    Y = _targets(150, 4, seed=2)
    full = SemiDiscreteOT(**FAST).fit(Y)
    ck = tmp_path / "ot.ckpt"
    seen = []

    def stop_after_two_rounds(ev: ProgressEvent):
        if ev.stage == "ot-validation":
            seen.append(ev)
            if len(seen) == 3:  # round 2's fresh check: rounds 0 and 1 are in the checkpoint
                raise _Stop

    with pytest.raises(_Stop):
        SemiDiscreteOT(**FAST).fit(Y, callback=stop_after_two_rounds, checkpoint=ck)
    assert ck.exists()
    resumed = SemiDiscreteOT(**FAST).fit(Y, checkpoint=ck)
    np.testing.assert_array_equal(resumed.h_, full.h_)
    assert resumed.n_iter_ == full.n_iter_ and resumed.validation_ == full.validation_
    # a finished run is restored from its checkpoint as it was
    again = SemiDiscreteOT(**FAST).fit(Y, checkpoint=ck)
    np.testing.assert_array_equal(again.h_, full.h_)


def test_progress_cancel_and_budget():
    Y = _targets(120, 3, seed=3)
    events = []
    ot = SemiDiscreteOT(max_iter=5, **FAST).fit(Y, callback=events.append)
    assert ot.n_iter_ <= 5 and not ot.converged_
    stages = {e.stage for e in events}
    assert stages == {"ot", "ot-validation"}
    assert any("scoring" in e.metrics for e in events) and any("l1" in e.metrics for e in events)
    # out of budget, the reported check is a fresh one of the kept heights
    assert ot.validation_log_[-1]["iteration"] == ot.n_iter_ and "pool" not in ot.validation_log_[-1]

    def cancel(ev):
        if ev.stage == "ot" and "l1" in ev.metrics:
            raise _Stop

    with pytest.raises(_Stop):
        SemiDiscreteOT(**FAST).fit(Y, callback=cancel)


def test_pool_sizes_and_the_equivalent_floor_factor():
    chunk = 2**16
    V = 10_223_616
    sizes = pool_sizes(10_000, V, 8)
    # the cap is 24 / sqrt(N) of V (0.24 here), in whole chunks; the first pool about 16 per target
    assert sizes[-1] == int(0.24 * V) // chunk * chunk and sizes[0] == 160_000 // chunk * chunk
    assert all(b > a for a, b in zip(sizes, sizes[1:])) and all(s % chunk == 0 for s in sizes)
    assert pool_sizes(500, 2**23, 8)[-1] == 2**22  # small N: at most half of V
    # large N: an eighth of V, unless the memory cap is smaller
    cap = min(2**23, POOL_MEMORY // pool_bytes_per_sample(10**6, 8))
    assert pool_sizes(10**6, 2**26, 8)[-1] == cap // chunk * chunk
    assert pool_sizes(500, 2**23, 8, pool_size=100_000)[-1] == 65_536
    # a check of V samples at F is the same bound as P samples at F_P: sqrt(F_P^2 - 1) f_P = sqrt(F^2 - 1) f_V
    for P, V in ((2**20, 2**23), (2**23, 2**23), (3 * 2**16, 2**22)):
        fp = pool_floor_factor(1.3, P, V)
        assert np.sqrt(fp**2 - 1) * np.sqrt(1 / P) == pytest.approx(np.sqrt(1.3**2 - 1) * np.sqrt(1 / V))
    assert pool_floor_factor(1.3, 2**23, 2**23) == pytest.approx(1.3)


def test_pooled_settings_are_checked():
    Y = _targets(50, 3)
    with pytest.raises(ValueError, match="candidates"):
        SemiDiscreteOT(candidates=0).fit(Y)
    with pytest.raises(ValueError, match="pool_size"):
        SemiDiscreteOT(pool_size="big").fit(Y)
    with pytest.raises(ValueError, match="one process"):
        SemiDiscreteOT(method="pooled", distributed=True).solver_for(8)
    assert SemiDiscreteOT(distributed=True).solver_for(8) == "stochastic"
    assert SemiDiscreteOT().solver_for(2) == "newton" and SemiDiscreteOT().solver_for(3) == "pooled"
