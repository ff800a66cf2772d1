"""Checkpoint and resume: an interrupted run, resumed, computes exactly what an uninterrupted run computes."""

import dataclasses

import numpy as np
import pytest
import torch
from progress_helpers import cancel_at

from aeot_viz.data import load_dataset
from aeot_viz.io.checkpoint import describe
from aeot_viz.models.autoencoder import build_autoencoder
from aeot_viz.ot import SemiDiscreteOT
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from aeot_viz.pipeline.training import fit_aeot, train_autoencoder
from aeot_viz.utils.progress import Cancelled

# floor_factor = 0 and tol = 0: no round can pass, so every run uses its whole budget
OT_KW = dict(method="stochastic", round_iter=20, batch_size=1024, validation_samples=2**12, floor_factor=0.0,
             device="cpu", random_state=3)


def _targets(n=60, d=3, seed=0):
    return np.random.default_rng(seed).uniform(-0.4, 0.4, (n, d)).astype(np.float32)


def _same_ot_run(a: SemiDiscreteOT, b: SemiDiscreteOT, snapshots: bool = True):
    np.testing.assert_array_equal(a.h_, b.h_)
    if snapshots:  # (their spacing follows max_iter, so an extended run keeps its first run's spacing)
        np.testing.assert_array_equal(a.snapshots_, b.snapshots_)
        np.testing.assert_array_equal(a.snapshot_iters_, b.snapshot_iters_)
    for k in a.log_:
        if k != "time":
            np.testing.assert_array_equal(np.asarray(a.log_[k]), np.asarray(b.log_[k]), err_msg=k)
    strip = [{k: v for k, v in e.items() if k != "time"} for e in a.validation_log_]
    assert strip == [{k: v for k, v in e.items() if k != "time"} for e in b.validation_log_]
    assert a.validation_ == b.validation_ and a.n_iter_ == b.n_iter_ and a.converged_ == b.converged_


def test_ot_resumed_after_a_cancel_equals_the_uninterrupted_run(tmp_path):
    Y = _targets()
    straight = SemiDiscreteOT(max_iter=60, **OT_KW).fit(Y)
    ckpt = tmp_path / "ot.npz"
    cb, _ = cancel_at("ot", 47)  # in the third round: the checkpoint holds two rounds
    with pytest.raises(Cancelled):
        SemiDiscreteOT(max_iter=60, **OT_KW).fit(Y, callback=cb, checkpoint=ckpt)
    assert describe(ckpt) == "OT solver after iteration 40 (stopped)"
    events = []
    resumed = SemiDiscreteOT(max_iter=60, **OT_KW).fit(Y, callback=events.append, checkpoint=ckpt)
    steps = [e.step for e in events if e.stage == "ot"]
    assert steps == list(range(41, 61))  # only the third round ran again
    _same_ot_run(straight, resumed)


def test_ot_finished_run_is_restored_at_once_and_can_be_extended(tmp_path):
    Y = _targets(seed=1)
    ckpt = tmp_path / "ot.npz"
    first = SemiDiscreteOT(max_iter=40, **OT_KW).fit(Y, checkpoint=ckpt)
    events = []
    again = SemiDiscreteOT(max_iter=40, **OT_KW).fit(Y, callback=events.append, checkpoint=ckpt)
    assert events == []  # nothing recomputed
    _same_ot_run(first, again)
    longer = SemiDiscreteOT(max_iter=60, **OT_KW).fit(Y, checkpoint=ckpt)
    _same_ot_run(SemiDiscreteOT(max_iter=60, **OT_KW).fit(Y), longer, snapshots=False)


def test_ot_checkpoint_with_duplicate_targets(tmp_path):
    Y = _targets(seed=2)
    Y[5] = Y[7]
    straight = SemiDiscreteOT(max_iter=40, **OT_KW).fit(Y)
    cb, _ = cancel_at("ot", 30)
    with pytest.raises(Cancelled):
        SemiDiscreteOT(max_iter=40, **OT_KW).fit(Y, callback=cb, checkpoint=tmp_path / "ot.npz")
    resumed = SemiDiscreteOT(max_iter=40, **OT_KW).fit(Y, checkpoint=tmp_path / "ot.npz")
    np.testing.assert_array_equal(straight.h_, resumed.h_)
    assert resumed.h_[5] == resumed.h_[7]


@pytest.mark.parametrize("change", ["targets", "weights", "h_init", "lr", "random_state"])
def test_ot_checkpoint_of_another_run_is_refused(tmp_path, change):
    Y, ckpt = _targets(), tmp_path / "ot.npz"
    SemiDiscreteOT(max_iter=20, **OT_KW).fit(Y, checkpoint=ckpt)
    kw, fit_kw = dict(OT_KW), {}
    if change == "targets":
        Y = Y.copy()
        Y[0, 0] += 1e-3
    elif change == "weights":
        fit_kw["nu"] = np.r_[2.0, np.ones(len(Y) - 1)]
    elif change == "h_init":
        fit_kw["h_init"] = np.zeros(len(Y))
    else:
        kw[change] = kw.get(change, 1.5) + 1
    with pytest.raises(ValueError, match="other data or settings"):
        SemiDiscreteOT(max_iter=20, **kw).fit(Y, checkpoint=ckpt, **fit_kw)


def test_damaged_or_foreign_checkpoint_is_a_clear_error(tmp_path):
    bad = tmp_path / "ot.npz"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="Delete the file"):
        SemiDiscreteOT(max_iter=20, **OT_KW).fit(_targets(), checkpoint=bad)
    ae_ckpt = tmp_path / "autoencoder.npz"
    model = build_autoencoder(AEConfig(kind="mlp", latent_dim=2, hidden=(8,)), "points", (4,))
    data = _targets(40, 4)
    train_autoencoder(model, data, TrainConfig(epochs=1, batch_size=16), checkpoint=ae_ckpt)
    with pytest.raises(ValueError, match="not of 'ot'"):
        SemiDiscreteOT(max_iter=20, **OT_KW).fit(_targets(), checkpoint=ae_ckpt)


def _digits_ae(seed=0):
    torch.manual_seed(seed)
    return build_autoencoder(AEConfig(kind="conv", latent_dim=4), "images", (1, 8, 8))


def test_autoencoder_resumed_after_a_cancel_equals_the_uninterrupted_run(tmp_path):
    data = load_dataset("digits", n_samples=120).data
    cfg = TrainConfig(epochs=4, batch_size=32, random_state=5, device="cpu")
    straight = _digits_ae()
    hist = train_autoencoder(straight, data, cfg)
    ckpt = tmp_path / "autoencoder.npz"
    cb, _ = cancel_at("autoencoder", 10)  # 4 batches per epoch: cancelled in the third epoch
    with pytest.raises(Cancelled):
        train_autoencoder(_digits_ae(), data, cfg, cb, checkpoint=ckpt)
    assert describe(ckpt) == "autoencoder after epoch 2"
    events = []
    resumed = _digits_ae(seed=99)  # other initial weights: everything must come from the checkpoint
    hist2 = train_autoencoder(resumed, data, cfg, events.append, checkpoint=ckpt)
    assert [e.metrics["epoch"] for e in events][0] == 3 and events[0].step == 9
    assert hist2["loss"] == hist["loss"] and hist2["epoch"] == [1, 2, 3, 4]
    for (k, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        assert torch.equal(a, b), k


def test_autoencoder_checkpoint_rules(tmp_path):
    data = load_dataset("digits", n_samples=64).data
    ckpt = tmp_path / "autoencoder.npz"
    train_autoencoder(_digits_ae(), data, TrainConfig(epochs=3, batch_size=32), checkpoint=ckpt)
    with pytest.raises(ValueError, match="more than the 2 asked for"):
        train_autoencoder(_digits_ae(), data, TrainConfig(epochs=2, batch_size=32), checkpoint=ckpt)
    with pytest.raises(ValueError, match="other data or settings"):
        train_autoencoder(_digits_ae(), data, TrainConfig(epochs=3, batch_size=16), checkpoint=ckpt)
    with pytest.raises(ValueError, match="other data or settings"):
        train_autoencoder(_digits_ae(), data[::-1].copy(), TrainConfig(epochs=3, batch_size=32), checkpoint=ckpt)
    events = []  # more epochs than the checkpoint: it continues from epoch 4
    train_autoencoder(_digits_ae(), data, TrainConfig(epochs=4, batch_size=32), events.append, checkpoint=ckpt)
    assert {e.metrics["epoch"] for e in events} == {4}


def _small_config():
    return AEOTConfig(ae=AEConfig(latent_dim=3), train=TrainConfig(epochs=3, batch_size=32, device="cpu"),
                      ot=OTConfig(max_iter=40, round_iter=20, batch_size=1024, validation_samples=2**12,
                                  floor_factor=0.0, device="cpu", method="stochastic"))


def test_out_of_memory_in_ot_is_a_memory_error_and_the_rerun_resumes(tmp_path, monkeypatch):
    ds = load_dataset("digits", n_samples=100)
    straight = fit_aeot(ds, _small_config())
    real_fit = SemiDiscreteOT.fit

    def fit_then_oom(self, *args, callback=None, **kwargs):
        def cb(ev):
            if ev.stage == "ot" and ev.step == 30:
                raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_fit(self, *args, callback=cb, **kwargs)

    monkeypatch.setattr(SemiDiscreteOT, "fit", fit_then_oom)
    with pytest.raises(MemoryError, match="lower the OT batch size"):
        fit_aeot(ds, _small_config(), checkpoint_dir=tmp_path)
    monkeypatch.setattr(SemiDiscreteOT, "fit", real_fit)
    assert describe(tmp_path / "autoencoder.npz") == "autoencoder after epoch 3"
    assert describe(tmp_path / "ot.npz") == "OT solver after iteration 20 (stopped)"
    events = []
    resumed = fit_aeot(ds, _small_config(), callback=events.append, checkpoint_dir=tmp_path)
    assert not any(e.stage == "autoencoder" for e in events)  # the autoencoder was not trained again
    assert min(e.step for e in events if e.stage == "ot") == 21
    np.testing.assert_array_equal(resumed.h, straight.h)
    np.testing.assert_array_equal(resumed.codes, straight.codes)
    assert dataclasses.asdict(resumed.config) == dataclasses.asdict(straight.config)
