"""The browser's GAN (frontend/src/gan_engine.js, run by node) follows LiveGAN's update rule.

From the weights LiveGAN exports, on the very batch sequence LiveGAN draws (replayed from a copy of its torch
generator's state), the JavaScript updates give the losses torch gives:

- in float64 on both sides, 200 free-running updates agree within 1e-3 relative (in practice about 1e-9);
- in float32, as LiveGAN runs, adversarial training is chaotic: a rounding difference of 1e-7 (another order of
  summation than torch's kernels) grows about tenfold every 50 updates, and a rare flip of a ReLU whose input lies
  within rounding of 0 jumps it to about 1e-5 at once; free-running, the GAN's losses part by 1e-3 after about 130
  updates, the WGAN-GP's (5 critic updates each) after about 3. So the float32 rule is checked update by update:
  at 20 updates spread over 200, JavaScript makes one update from torch's weights and Adam state at that point (the
  test prints the free-running float32 figures too).
"""

import json
import shutil
import subprocess

import numpy as np
import pytest
import torch

from aeot_viz.data.drawing import preset
from aeot_viz.models.live_gan import LiveGAN
from tests.repo import REPO

ENGINE = REPO / "frontend" / "src" / "gan_engine.js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (Debian: apt-get install nodejs)")

RUN_JS = """
const E = require(process.argv[1]);
const legs = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const out = [];
for (const cfg of legs) {
  const t = new E.Trainer(cfg.X, cfg);
  for (let s = 0; s < cfg.batches.length; s++) { const l = t.step(cfg.batches[s]); out.push([l.lossD, l.lossG]); }
}
process.stdout.write(JSON.stringify(out));
"""


def replayed_batches(gan: LiveGAN, n_steps: int) -> list:
    """The real rows, noises and mixing weights adversarial_step will draw, replayed from a copy of its generator."""
    g = torch.Generator()
    g.set_state(gan._gen.get_state())
    X, cfg = gan._X, gan.config
    n, bs = len(X), min(cfg.batch_size, len(X))
    steps = []
    for _ in range(n_steps):
        b = {"real": [], "noise": [], "eps": []}
        for _ in range(cfg.n_critic if gan.kind == "wgan-gp" else 1):
            b["real"].append(X[torch.randint(0, n, (bs,), generator=g)].flatten().tolist())
            b["noise"].append(torch.randn(bs, cfg.noise_dim, generator=g).flatten().tolist())
            if gan.kind == "wgan-gp":
                b["eps"].append(torch.rand(bs, 1, generator=g).flatten().tolist())
        b["noise"].append(torch.randn(bs, cfg.noise_dim, generator=g).flatten().tolist())
        steps.append(b)
    return steps


def adam_state(opt, net) -> dict:
    """torch's Adam state of ``net`` as the JS trainer resumes it (before any step: t = 0, zeros)."""
    lin = [m for m in net if isinstance(m, torch.nn.Linear)]
    t = 0
    m, v = [], []
    for layer in lin:
        ms, vs = {}, {}
        for name in ("weight", "bias"):
            st = opt.state.get(getattr(layer, name), {})
            p = getattr(layer, name)
            if st:
                t = int(st["step"])
            ms["W" if name == "weight" else "b"] = (st["exp_avg"] if st else torch.zeros_like(p)).tolist()
            vs["W" if name == "weight" else "b"] = (st["exp_avg_sq"] if st else torch.zeros_like(p)).tolist()
        m.append(ms)
        v.append(vs)
    return {"t": t, "m": m, "v": v}


def run_js(legs: list, tmp_path) -> np.ndarray:
    path = tmp_path / "legs.json"
    path.write_text(json.dumps(legs))
    res = subprocess.run([NODE, "-e", RUN_JS, str(ENGINE), str(path)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    return np.asarray(json.loads(res.stdout))


def python_losses(gan: LiveGAN, n_steps: int) -> np.ndarray:
    out = []
    for _ in range(n_steps):
        gan.train(1)
        out.append(gan.losses_)
    return np.asarray(out)


def relative(js, py) -> np.ndarray:
    return np.abs(js - py) / np.maximum(np.abs(py), 1e-6)


def report(kind, label, py, js):
    rel = relative(js, py)
    for s in (0, 9, 49, 99, 149, 199):
        if s < len(py):
            print(f"{kind} {label} step {s + 1}: python D {py[s, 0]:.6f} G {py[s, 1]:.6f} | "
                  f"js D {js[s, 0]:.6f} G {js[s, 1]:.6f} | relative {rel[s].max():.1e}")
    print(f"{kind} {label}: largest relative difference over {len(py)} steps {rel.max():.2e}")
    return rel


def ring():
    return preset("ring", 300, random_state=3)[0]


@pytest.mark.parametrize("kind", ["gan", "wgan-gp"])
def test_js_update_matches_live_gan_float64(kind, tmp_path):
    n_steps = 200
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        gan = LiveGAN(kind, random_state=5).fit_start(ring())
        gan._X = gan._X.double()
        leg = dict(gan.export(), float64=True, batches=replayed_batches(gan, n_steps))
        py = python_losses(gan, n_steps)
    finally:
        torch.set_default_dtype(old)
    js = run_js([leg], tmp_path)
    rel = report(kind, "float64, free-running", py, js)
    assert js.shape == py.shape
    assert rel.max() <= 1e-3
    assert np.abs(py[-1] - py[0]).max() > 1e-2  # training moved the losses: not a frozen network


@pytest.mark.parametrize("kind", ["gan", "wgan-gp"])
def test_js_update_matches_live_gan_float32(kind, tmp_path):
    n_steps, every = 200, 10
    gan = LiveGAN(kind, random_state=5).fit_start(ring())
    free = [dict(gan.export(), batches=replayed_batches(gan, n_steps))]
    legs, py_all = [], []
    for s in range(n_steps):
        if s % every == 0:
            legs.append(dict(gan.export(), batches=replayed_batches(gan, 1),
                             adam={"G": adam_state(gan._opt_g, gan.G_), "D": adam_state(gan._opt_d, gan.D_)}))
        py_all.append(python_losses(gan, 1)[0])
    py_all = np.asarray(py_all)
    py = py_all[::every]
    js = run_js(legs, tmp_path)
    rel = relative(js, py)
    for s, (p, j) in enumerate(zip(py, js)):
        print(f"{kind} float32, one update from torch's state at step {s * every + 1}: python D {p[0]:.6f} G {p[1]:.6f}"
              f" | js D {j[0]:.6f} G {j[1]:.6f} | relative {rel[s].max():.1e}")
    print(f"{kind} float32 update by update: largest relative difference {rel.max():.2e}")
    report(kind, "float32, free-running (for the record)", py_all, run_js(free, tmp_path))
    assert js.shape == py.shape
    assert rel.max() <= 1e-3
    assert np.abs(py[-1] - py[0]).max() > 1e-2


def test_js_trainer_rejects_bad_settings():
    code = ("const E = require(process.argv[1]);"
            "try { new E.Trainer([[0, 0], [1, 1]], {kind: 'vae'}); console.log('no error'); }"
            "catch (e) { console.log(e.message); }")
    res = subprocess.run([NODE, "-e", code, str(ENGINE)], capture_output=True, text=True, timeout=60)
    assert "kind must be 'gan' or 'wgan-gp'" in res.stdout


def test_the_generator_mesh_is_continuous(tmp_path):
    """The generator's image of a grid over its noise square only stretches: refined 4x, no edge of the fine grid
    is longer than the coarse grid's longest edge (a jump would keep its length however fine the grid)."""
    cfg = LiveGAN("gan", random_state=2).fit_start(ring()).export()
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(cfg))
    code = """
const E = require(process.argv[1]);
const cfg = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const t = new E.Trainer(cfg.X, {kind: 'gan', seed: 2});
for (let s = 0; s < 300; s++) t.step();
const out = {};
for (const res of [9, 33]) out[res] = Array.from(t.noiseGridImage(res, 2.5));
process.stdout.write(JSON.stringify(out));
"""
    res = subprocess.run([NODE, "-e", code, str(ENGINE), str(path)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    meshes = json.loads(res.stdout)

    def longest(r):
        P = np.asarray(meshes[str(r)]).reshape(r, r, 2)
        return max(np.linalg.norm(np.diff(P, axis=0), axis=2).max(), np.linalg.norm(np.diff(P, axis=1), axis=2).max())

    coarse, fine = longest(9), longest(33)
    print(f"longest edge: 9 x 9 grid {coarse:.4f}, 33 x 33 grid {fine:.4f}")
    assert coarse > 0 and fine <= 1.0 * coarse


def test_the_committed_bundle_is_built_from_the_sources(tmp_path):
    """frontend/build.mjs run now gives exactly the committed component (rebuild after editing frontend/src)."""
    out = tmp_path / "index.html"
    res = subprocess.run([NODE, str(REPO / "frontend" / "build.mjs"), str(out)], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    committed = REPO / "aeot_viz" / "apps" / "ui" / "components" / "gan_lab" / "index.html"
    assert out.read_text() == committed.read_text(), "run `cd frontend && npm run build` and commit the bundle"
