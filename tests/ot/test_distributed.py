"""Sharded OT over two gloo processes on the CPU equals the one-process solver for the same seeds."""

import socket
import subprocess
import sys

import numpy as np
import pytest
import torch.multiprocessing as mp

from aeot_viz.ot import SemiDiscreteOT
from aeot_viz.ot.distributed import shard_bounds


def _problem():
    rng = np.random.default_rng(0)
    Y = np.concatenate([rng.normal(-0.2, 0.05, (150, 3)), rng.normal(0.2, 0.08, (151, 3))])  # 301: uneven shards
    return np.clip(Y, -0.5, 0.5)


def _settings():
    # the sharded run is the stochastic solver (the pooled default runs on one process): compare like with like
    return dict(max_iter=60, round_iter=30, batch_size=4096, validation_samples=2**16, random_state=3, device="cpu",
                method="stochastic")


def _worker(rank, world, port, out):
    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    try:
        ot = SemiDiscreteOT(distributed=True, **_settings()).fit(_problem())
        out[rank] = (ot.h_, ot.validation_.l1, ot.log_["l1"])
    finally:
        dist.destroy_process_group()


def test_two_gloo_ranks_give_the_single_process_result():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with mp.Manager() as manager:
        out = manager.dict()
        mp.spawn(_worker, args=(2, port, out), nprocs=2, join=True)
        results = dict(out)
    single = SemiDiscreteOT(**_settings()).fit(_problem())
    for rank in (0, 1):
        h, l1, log_l1 = results[rank]
        np.testing.assert_allclose(h, single.h_, atol=1e-6)
        assert l1 == pytest.approx(single.validation_.l1, abs=1e-9)
        np.testing.assert_allclose(log_l1, single.log_["l1"], atol=1e-9)


def test_shards_cover_the_targets_once():
    for n, world in ((10, 3), (2, 4), (301, 2)):
        bounds = [shard_bounds(n, r, world) for r in range(world)]
        assert bounds[0][0] == 0 and bounds[-1][1] == n
        assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    with pytest.raises(ValueError):
        shard_bounds(5, 2, 2)


def test_sharded_counts_need_a_process_group():
    import torch

    from aeot_viz.ot.distributed import sharded_cell_counts

    with pytest.raises(ValueError, match="process group"):
        sharded_cell_counts(torch.zeros(2, 2), torch.zeros(3, 2), torch.zeros(3))


def test_the_torchrun_entry_solves_like_one_process(tmp_path):
    """``torchrun --nproc_per_node=2 -m aeot_viz.ot.distributed``: rank 0 writes the single-process heights."""
    Y = _problem()
    np.save(tmp_path / "codes.npy", Y.astype(np.float32))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           "-m", "aeot_viz.ot.distributed", "--targets", str(tmp_path / "codes.npy"),
           "--out", str(tmp_path / "h.npy"), "--max-iter", "30", "--seed", "3"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "2 ranks: validated L1" in run.stdout
    single = SemiDiscreteOT(max_iter=30, random_state=3, device="cpu", method="stochastic").fit(Y.astype(np.float32))
    np.testing.assert_allclose(np.load(tmp_path / "h.npy"), single.h_, atol=1e-6)
