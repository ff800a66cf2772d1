"""The bad-data table of docs/RELIABILITY.md: each case gets its own message, in the library and the CLI."""

import io

import numpy as np
import pytest

from aeot_viz.apps.cli import main
from aeot_viz.data import Dataset, load_upload
from aeot_viz.ot import SemiDiscreteOT
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from aeot_viz.pipeline.training import fit_aeot

FAST = AEOTConfig(ae=AEConfig(latent_dim=2), train=TrainConfig(epochs=1, batch_size=128, device="cpu"),
                  ot=OTConfig(max_iter=20, round_iter=10, batch_size=1024, validation_samples=2**12, device="cpu"))


def _cli(tmp_path, capsys, X, y=None, *extra):
    path = tmp_path / "data.npz"
    np.savez(path, X=X, **({} if y is None else {"y": y}))
    code = main(["train", "--dataset", str(path), "--out", str(tmp_path / "m.npz"), "--quiet", "--no-views",
                 "--device", "cpu",
                 "--latent-dim", "2",
                 "--epochs", "1", "--ot-max-iter", "20", "--ot-round-iter", "10", "--ot-validation-samples", "4096",
                 *extra])
    return code, capsys.readouterr()


def test_constant_data_is_refused_before_training(tmp_path, capsys):
    ds = Dataset(np.full((40, 6), 0.3), None, "points", "flat")
    with pytest.raises(ValueError, match="identical \\(constant data\\)"):
        fit_aeot(ds, FAST, callback=lambda ev: pytest.fail("nothing should run"))
    code, out = _cli(tmp_path, capsys, np.full((40, 6), 0.3))
    assert code == 2 and "identical (constant data)" in out.err and out.err.count("\n") <= 2  # dataset line + error
    assert not (tmp_path / "m.npz").exists()


def test_one_sample_is_refused(tmp_path, capsys):
    with pytest.raises(ValueError, match="at least 2 samples"):
        fit_aeot(Dataset(np.zeros((1, 5)), None, "points", "one"), FAST)
    code, out = _cli(tmp_path, capsys, np.arange(5.0)[None])
    assert code == 2 and "at least 2 samples" in out.err and not (tmp_path / "m.npz").exists()


def test_fewer_samples_than_the_batch_trains(tmp_path, capsys):
    X = np.random.default_rng(0).normal(size=(12, 6))
    model = fit_aeot(Dataset(X, None, "points", "few"), FAST)  # batch 128 > 12 samples: one batch of 12
    assert model.n_codes == 12 and len(model.train_history["loss"]) == 1
    code, out = _cli(tmp_path, capsys, X, None, "--batch-size", "512")
    assert code == 0 and (tmp_path / "m.npz").exists()


def test_latent_dimension_not_smaller_than_the_data(tmp_path, capsys):
    code, out = _cli(tmp_path, capsys, np.random.default_rng(0).normal(size=(30, 4)), None, "--latent-dim", "4")
    assert code == 2 and "latent" in out.err.lower() and not (tmp_path / "m.npz").exists()


def test_non_numeric_labels_are_refused(tmp_path, capsys):
    X = np.random.default_rng(0).normal(size=(20, 4))
    buf = io.BytesIO()
    np.savez(buf, X=X, y=np.array(["cat", "dog"] * 10))
    with pytest.raises(ValueError, match="labels must be integers"):
        load_upload("pets.npz", buf.getvalue())
    code, out = _cli(tmp_path, capsys, X, np.array(["cat", "dog"] * 10))
    assert code == 2 and "labels must be integers" in out.err


def test_ot_that_diverges_is_an_error_not_nan_heights():
    Y = np.random.default_rng(0).uniform(-0.4, 0.4, (50, 2))
    with pytest.raises(ValueError, match="diverged .* lower the step size"):
        SemiDiscreteOT(max_iter=40, round_iter=20, batch_size=1024, validation_samples=4096, lr=1e38,
                       device="cpu", method="stochastic").fit(Y)  # the sampled solver's step size


def test_ot_ending_with_empty_cells_warns_in_the_cli(tmp_path, capsys):
    X = np.random.default_rng(1).uniform(-1, 1, size=(1500, 2))  # 2-D points: the data is the latent space
    code, out = _cli(tmp_path, capsys, X, None, "--ot-max-iter", "2", "--ot-round-iter", "2")
    assert code == 0 and "warning:" in out.err and "of the OT cells got no validation sample" in out.err
