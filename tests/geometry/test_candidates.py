"""Candidate lists (geometry/candidates.py) against full rescoring, and the counter-based sampler."""

import numpy as np
import pytest
import torch

from aeot_viz.geometry.candidates import (
    CandidatePool,
    fused_top_k,
    pool_bytes_per_sample,
    torch_evaluate,
    torch_top_k,
)
from aeot_viz.geometry.scoring import assign_cells, top_k_cells
from aeot_viz.geometry.sources import sample_source_at


def _targets(n=300, d=6, seed=0):
    rng = np.random.default_rng(seed)
    Y = torch.as_tensor(rng.uniform(-0.45, 0.45, (n, d)), dtype=torch.float32)
    return Y, -0.5 * (Y * Y).sum(dim=1)


def test_fused_top_k_equals_torch_topk_with_ties_to_the_lowest_index():
    Y, h = _targets(700, 5)
    X = sample_source_at(3, np.arange(5000), 5)
    idx, val = fused_top_k(X, Y, h, 9, memory_budget=64 * 1024)  # small blocks: many merges across target blocks
    ref_idx, ref_val = top_k_cells(X, Y, h, k=9)
    np.testing.assert_array_equal(val, ref_val.numpy())
    assert (idx[:, 0] == assign_cells(X, Y, h).numpy()).all()
    same = (idx == ref_idx.numpy()).all(axis=1)
    # rows may differ only where two listed scores are exactly equal (the order of equal values)
    tied = (np.diff(ref_val.numpy(), axis=1) == 0).any(axis=1)
    assert (same | tied).all() and same.mean() > 0.99
    # exact ties: duplicate a target, the lower index comes first
    Y2 = torch.cat([Y[:1], Y[:1], Y[1:]])
    near = Y[:1] + 0.01 * torch.as_tensor(np.random.default_rng(0).normal(size=(200, 5)), dtype=torch.float32)
    i2, _ = fused_top_k(near, Y2, torch.cat([h[:1], h[:1], h[1:]]), 3)
    first = np.where(i2[:, 0] <= 1)[0]
    assert len(first) and (i2[first, 0] == 0).all() and (i2[first, 1] == 1).all()


def test_sampler_by_position_is_reproducible_and_uniform():
    a = sample_source_at(11, np.arange(200_000), 4).numpy()
    sub = np.array([5, 199_999, 0, 77_777])
    np.testing.assert_array_equal(sample_source_at(11, sub, 4).numpy(), a[sub])
    assert a.min() >= -0.5 and a.max() <= 0.5
    # mean 0 and variance 1/12 per coordinate, to 6 standard errors
    n = len(a)
    assert np.abs(a.mean(axis=0)).max() < 6 * np.sqrt(1 / 12 / n)
    assert np.abs(a.var(axis=0) - 1 / 12).max() < 6 * np.sqrt(1 / 180 / n)
    # coordinates and neighbouring positions are uncorrelated; another seed is another stream
    c = np.corrcoef(np.concatenate([a[:-1], a[1:]], axis=1).T)
    assert np.abs(c - np.eye(8)).max() < 6 / np.sqrt(n)
    b = sample_source_at(12, np.arange(200_000), 4).numpy()
    assert abs(np.corrcoef(a[:, 0], b[:, 0])[0, 1]) < 6 / np.sqrt(n)
    g = sample_source_at(11, np.arange(200_000), 3, "gaussian").numpy()
    assert np.abs(g.mean(axis=0)).max() < 6 / np.sqrt(n) and np.abs(g.var(axis=0) - 1).max() < 6 * np.sqrt(2 / n)
    with pytest.raises(ValueError, match="non-negative"):
        sample_source_at(1, [-1], 2)
    with pytest.raises(ValueError, match="source"):
        sample_source_at(1, [0], 2, "cauchy")


@pytest.mark.parametrize("backend", ["numba", "torch"])
def test_candidate_reuse_never_changes_an_arg_max(backend):
    """Heights drift by steps from 1e-4 to 0.1 (up to where most certificates fail): every pooled arg-max equals
    a full rescoring of the regenerated samples, and only failed certificates were rescored."""
    Y, h = _targets(400, 6)
    pool = CandidatePool(Y, 30_000, k=8, seed=5, backend=backend)
    pool.score(h)
    assert pool.rescored_ == 30_000
    X = pool.samples(np.arange(30_000))
    rng = np.random.default_rng(1)
    total_fails = 0
    for step in (1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 1e-3, 1e-3):
        h = h + torch.as_tensor(rng.normal(0, step, len(h)), dtype=torch.float32)
        before = pool.rescored_
        counts = pool.counts(h)
        full = assign_cells(X, Y, h)
        np.testing.assert_array_equal(pool.best, full.numpy())
        np.testing.assert_array_equal(counts, np.bincount(full.numpy(), minlength=len(Y)))
        assert pool.rescored_ - before == pool.fails_
        total_fails += pool.fails_
    assert 0 < total_fails < 8 * 30_000  # some certificates failed and were rescored, most held


def test_the_numpy_certificate_agrees_with_the_numba_one():
    Y, h = _targets(300, 5)
    pool = CandidatePool(Y, 20_000, k=6, seed=2)
    pool.counts(h)
    h2 = h + torch.as_tensor(np.random.default_rng(0).normal(0, 0.01, len(h)), dtype=torch.float32)
    hn = h2.numpy()
    D, eps = pool._drifts(hn), pool._eps(hn)
    pool._evaluate(hn)
    best, gap, fail = torch_evaluate(pool.cand, pool.ip, pool.tau, pool.ep, hn, D, eps)
    np.testing.assert_array_equal(fail, pool.fail)
    ok = ~fail
    np.testing.assert_array_equal(best[ok], pool.best[ok])
    np.testing.assert_allclose(gap[ok], pool.gap[ok], rtol=0, atol=1e-6)


def test_rebasing_epochs_keeps_answers_exact(monkeypatch):
    import aeot_viz.geometry.candidates as cand

    monkeypatch.setattr(cand, "MAX_EPOCHS", 3)
    Y, h = _targets(200, 4)
    pool = CandidatePool(Y, 8_000, k=4, seed=9)
    X = pool.samples(np.arange(8_000))
    rng = np.random.default_rng(3)
    for _ in range(12):
        h = h + torch.as_tensor(rng.normal(0, 0.01, len(h)), dtype=torch.float32)
        pool.counts(h)
        np.testing.assert_array_equal(pool.best, assign_cells(X, Y, h).numpy())
    assert len(pool._epochs) <= 4


def test_pool_memory_per_sample_and_bad_input():
    # lists: 8 indices (2 bytes below 32,768 targets, 4 above), 8 float32 products, tau, epoch; answer: 9 bytes
    assert pool_bytes_per_sample(10_000, 8) == 16 + 32 + 4 + 2 + 9 and pool_bytes_per_sample(200_000, 8) == 79
    Y, _ = _targets(100, 3)
    pool = CandidatePool(Y, 1_000, k=8)
    assert pool.nbytes == 1_000 * pool_bytes_per_sample(100, 8)
    with pytest.raises(ValueError, match="at least 2 targets"):
        CandidatePool(Y[:1], 10)
    with pytest.raises(ValueError, match="n_samples"):
        CandidatePool(Y, 0)
    with pytest.raises(ValueError, match="backend"):
        CandidatePool(Y, 10, backend="gpu")
    with pytest.raises(ValueError, match="k must be"):
        fused_top_k(torch.zeros(2, 3), Y, torch.zeros(100), 0)
    i1, v1 = torch_top_k(torch.zeros(2, 3), Y, torch.zeros(100), 2)
    assert i1.shape == (2, 2) and v1.dtype == np.float32
