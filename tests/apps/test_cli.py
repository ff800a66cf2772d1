"""``python -m aeot_viz train | info``: end to end in a subprocess, error cases in-process."""

import json
import subprocess
import sys

import numpy as np
import pytest
from repo import REPO as REPO_ROOT

from aeot_viz.apps.cli import main
from aeot_viz.pipeline.bundle import load_bundle

FAST = ["--epochs", "1", "--ot-max-iter", "20", "--ot-round-iter", "10", "--ot-batch", "2048",
        "--ot-validation-samples", "65536", "--device", "cpu", "--quiet", "--no-views"]


def _cli(*args, timeout=180):
    return subprocess.run([sys.executable, "-m", "aeot_viz", *map(str, args)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout)


def _assert_clean_error(stderr: str, *needles: str):
    """One ``error: ...`` line (after any progress lines), no traceback."""
    assert "Traceback" not in stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error: ")]
    assert len(errors) == 1, stderr
    assert errors[0] == lines[-1]
    for n in needles:
        assert n in errors[0], stderr


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "b.npz"
    proc = _cli("train", "--dataset", "digits", "--n-samples", 150, "--latent-dim", 4, *FAST, "--out", out)
    return proc, out


def test_train_writes_a_loadable_bundle(digits_run):
    proc, out = digits_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert out.is_file()
    assert f"wrote {out}" in proc.stdout and "150 codes in 4-D" in proc.stdout
    model = load_bundle(out)
    s = model.summary()
    assert s["dataset"] == "digits"
    assert s["N codes"] == 150 and s["latent dim"] == 4
    assert s["autoencoder"] == "conv"
    assert s["OT iterations"] == 20
    assert model.config.ae.latent_dim == 4 and model.config.train.epochs == 1
    assert model.config.ot.max_iter == 20 and model.config.ot.validation_samples == 65536
    assert len(model.train_history["loss"]) == 1


def test_info_prints_summary(digits_run):
    proc, out = digits_run
    assert proc.returncode == 0, proc.stderr
    info = _cli("info", out)
    assert info.returncode == 0, info.stderr
    assert "digits" in info.stdout
    assert "OT L1" in info.stdout
    assert "N codes: 150" in info.stdout
    assert '"latent_dim": 4' in info.stdout  # the config line
    # the honest error (floor and noise-corrected estimate) and the singular-set verdict from the stored null
    lines = {ln.split(":", 1)[0].strip(): ln.split(":", 1)[1].strip() for ln in info.stdout.splitlines() if ":" in ln}
    measured, floor = float(lines["OT L1 (validation)"]), float(lines["OT noise floor"])
    assert float(lines["OT L1 noise-corrected"]) == pytest.approx(max(measured**2 - floor**2, 0) ** 0.5, abs=1e-3)
    assert "of the mass is in the wrong cells" in lines["OT error in words"]
    assert lines["singular set"].startswith(("Latent support non-convex", "No evidence of non-convexity"))
    assert lines["singular rule"] == "midpoint"  # the midpoint test, and the jump rule beside it for comparison
    assert int(lines["singular facets (jump rule)"]) >= 0 and "non-convexity p-value (jump rule)" in lines
    assert "solving one" not in info.stderr  # the bundle carries its convex null


def test_info_json(digits_run, capsys):
    proc, out = digits_run
    assert proc.returncode == 0, proc.stderr
    assert main(["info", str(out), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["N codes"] == 150 and s["latent dim"] == 4 and s["dataset"] == "digits"
    assert isinstance(s["OT L1 (validation)"], float)
    assert s["config"]["ae"]["latent_dim"] == 4


def test_train_toy_points_uses_identity_embedding(tmp_path):
    out = tmp_path / "ring"  # ".npz" is added
    proc = _cli("train", "--dataset", "ring8", "--n-samples", 200, *FAST, "--out", out)
    assert proc.returncode == 0, proc.stderr
    model = load_bundle(tmp_path / "ring.npz")
    assert model.dataset["name"] == "ring8"
    assert model.ae_kind == "identity"
    assert model.n_codes == 200 and model.latent_dim == 2


def test_unknown_dataset_in_a_subprocess(tmp_path):
    proc = _cli("train", "--dataset", "no_such_dataset", "--out", tmp_path / "b.npz", timeout=60)
    assert proc.returncode == 2
    _assert_clean_error(proc.stderr, "no_such_dataset")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("case", ["unknown dataset", "latent dim 0", "info missing", "info not a bundle",
                                  "out under a file"])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, case):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a bundle\n")
    fast = ["--n-samples", "100", *FAST]
    argv = {
        "unknown dataset": ["train", "--dataset", "no_such_dataset", "--out", str(tmp_path / "b.npz")],
        "latent dim 0": ["train", "--dataset", "digits", "--latent-dim", "0", *fast,
                         "--out", str(tmp_path / "b.npz")],
        "info missing": ["info", str(tmp_path / "missing.npz")],
        "info not a bundle": ["info", str(junk)],
        "out under a file": ["train", "--dataset", "ring8", "--n-samples", "50", "--epochs", "0",
                             "--ot-max-iter", "4", "--ot-round-iter", "2", "--ot-validation-samples", "4096",
                             "--device", "cpu", "--quiet", "--out", str(junk / "b.npz")],
    }[case]
    needle = {"unknown dataset": "no_such_dataset", "latent dim 0": "latent_dim",
              "info missing": "missing.npz", "info not a bundle": "not an AE-OT bundle",
              "out under a file": "notes.txt"}[case]
    assert main(argv) == 2
    _assert_clean_error(capsys.readouterr().err, needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # nothing written
    assert junk.read_text() == "not a bundle\n"


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--dataset", "digits"])  # --out is required
    assert exc.value.code == 2
    assert "--out" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_generate_writes_an_image_grid_and_codes(tmp_path):
    """`generate` on the shipped default bundle: a PNG grid of decoded digits and the codes beside it."""
    from PIL import Image

    from aeot_viz.apps.cli import main

    bundle = REPO_ROOT / "assets" / "default_mnist10k.npz"
    out = tmp_path / "grid.png"
    assert main(["generate", "--bundle", str(bundle), "--n", "16", "--label", "3", "--out", str(out)]) == 0
    img = Image.open(out)
    assert img.size == (2 * (4 * 30 + 2), 2 * (4 * 30 + 2))  # 4 x 4 tiles of 28 px, 2 px gaps, x2
    z = np.load(tmp_path / "grid_codes.npz")
    assert z["codes"].shape == (16, load_bundle(bundle).latent_dim) and z["cells"].shape == (16,)
    assert main(["generate", "--bundle", str(bundle), "--cells", "x", "--out", str(out)]) == 2
    assert main(["generate", "--bundle", str(bundle), "--out", str(tmp_path / "grid.jpg")]) == 2


def test_generate_for_points_writes_a_scatter(tmp_path, toy_model):
    from aeot_viz.apps.cli import main
    from aeot_viz.pipeline.bundle import save_bundle

    path = save_bundle(toy_model, tmp_path / "toy.npz")
    out = tmp_path / "toy.png"
    assert main(["generate", "--bundle", str(path), "--n", "50", "--rule", "plain", "--out", str(out)]) == 0
    assert out.is_file() and np.load(tmp_path / "toy_codes.npz")["codes"].shape == (50, 2)
    from PIL import Image

    picture = np.asarray(Image.open(out).convert("RGB"))
    assert picture.shape[0] > 480 and picture.shape[1] > 480  # axes, ticks and titles around the plot
    assert load_bundle(path).n_codes == toy_model.n_codes  # the bundle beside it is untouched


def test_train_shows_one_bar_per_stage_ending_on_the_validated_l1(tmp_path):
    """Bars never overlap (no cursor moves between bars), each stage has one bar with its own name, and the
    OT bar's last figure is the validated L1 the bundle keeps."""
    import re

    out = tmp_path / "t.npz"
    proc = _cli("train", "--dataset", "grid25", "--n-samples", 200,
                *[a for a in FAST if a not in ("--quiet", "--no-views")], "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[A" not in proc.stderr  # tqdm moves the cursor up only when several bars are open
    finals = {}
    for line in proc.stderr.replace("\r", "\n").splitlines():
        m = re.match(r"(autoencoder training|encoding the data|OT solver|convex null \(calibrates the singular set\)"
                     r"|views for the app \(projections, singular set, slices\)):", line)
        if m:
            finals[m.group(1)] = line
    assert set(finals) >= {"encoding the data", "OT solver", "convex null (calibrates the singular set)",
                           "views for the app (projections, singular set, slices)"}
    v = load_bundle(out).ot_validation
    assert f"validated L1 {v['l1']:.4f} (noise floor {v['noise_floor']:.4f})" in finals["OT solver"]
    assert "validated L1" in finals["convex null (calibrates the singular set)"]
    assert "encoding" not in finals["OT solver"]
    from aeot_viz.pipeline.views import stored_projection, stored_singular_set

    model = load_bundle(out)  # the bundle opens at once in the app: its views are in it
    assert stored_projection(model, "umap") is not None and stored_singular_set(model) is not None


def test_checkpoint_dir_resumes_an_interrupted_run(tmp_path, capsys, monkeypatch):
    from aeot_viz.ot import SemiDiscreteOT  # fit_aeot solves through it (ot.solve_ot)

    ckpt = tmp_path / "ckpt"
    argv = ["train", "--dataset", "digits", "--n-samples", "100", "--latent-dim", "3", *FAST,
            "--ot-validation-samples", "4096", "--checkpoint-dir", str(ckpt)]
    assert main([*argv, "--out", str(tmp_path / "straight.npz")]) == 0  # also leaves finished checkpoints
    for f in ckpt.iterdir():
        f.unlink()
    real_fit = SemiDiscreteOT.fit

    def interrupted(self, *args, callback=None, **kwargs):
        def cb(ev):
            if ev.stage == "ot" and ev.step == 15:
                raise KeyboardInterrupt
        return real_fit(self, *args, callback=cb, **kwargs)

    monkeypatch.setattr(SemiDiscreteOT, "fit", interrupted)
    capsys.readouterr()
    assert main([*argv, "--out", str(tmp_path / "b.npz")]) == 130
    assert "run the same command again to resume" in capsys.readouterr().err
    assert not (tmp_path / "b.npz").exists()
    monkeypatch.setattr(SemiDiscreteOT, "fit", real_fit)
    assert main([*argv, "--out", str(tmp_path / "b.npz")]) == 0
    err = capsys.readouterr().err
    assert "autoencoder after epoch 1" in err and "OT solver after iteration 10 (stopped)" in err
    np.testing.assert_array_equal(load_bundle(tmp_path / "b.npz").h, load_bundle(tmp_path / "straight.npz").h)
