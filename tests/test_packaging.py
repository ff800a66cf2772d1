"""The wheel works away from the repository: built with pip, installed into a fresh virtual environment, run from
a folder outside the checkout (issue 20). The environment reuses the already-installed dependencies
(``--system-site-packages``) and installs nothing from the network."""

import os
import shutil
import subprocess
import sys

import pytest
from repo import REPO

pytestmark = pytest.mark.slow


def _run(cmd, cwd, env):
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{cmd} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def test_a_wheel_installs_every_subpackage_and_its_assets_and_the_command_runs_outside_the_checkout(tmp_path):
    src = tmp_path / "src"  # a copy, so building leaves no build/ or egg-info in the checkout
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "aeot_viz", src / "aeot_viz", ignore=ignore)
    shutil.copytree(REPO / "assets", src / "assets", ignore=ignore)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AEOT_VIZ_ASSETS")}
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(src), "-w", str(dist)],
         tmp_path, env)
    wheel = next(dist.glob("aeot_viz-*.whl"))
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], tmp_path, env)
    py, cli = venv / "bin" / "python", venv / "bin" / "aeot-viz"
    _run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], tmp_path, env)
    away = tmp_path / "elsewhere"  # not the checkout, not the source copy
    away.mkdir()
    out = _run([str(py), "-c", "import aeot_viz, aeot_viz.viz, aeot_viz.ui, aeot_viz.apps.cli, pkgutil; "
                "from aeot_viz.utils import assets_dir; "
                "subs = [m.name for m in pkgutil.walk_packages(aeot_viz.__path__, 'aeot_viz.') if m.ispkg]; "
                "[__import__(s) for s in subs]; "
                "print(aeot_viz.__file__); print(assets_dir()); print(len(subs))"], away, env)
    where, assets, n_subs = out.strip().splitlines()
    assert where.startswith(str(venv)), f"imported {where}, not the installed wheel"
    assert assets.startswith(str(venv)) and assets.endswith("share/aeot-viz/assets"), assets
    assert int(n_subs) >= 10  # utils, io, data, geometry, ot, models, analysis, pipeline, viz, apps (+ ui)
    bundle = os.path.join(assets, "default_mnist10k.npz")
    info = _run([str(cli), "info", bundle], away, env)
    assert "mnist10k" in info
    _run([str(cli), "generate", "--bundle", bundle, "--n", "8", "--out", str(away / "eight.png")], away, env)
    assert (away / "eight.png").stat().st_size > 0 and (away / "eight_codes.npz").is_file()
