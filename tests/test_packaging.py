"""The wheel works away from the repository: built with pip, installed into a fresh virtual environment, run from
a folder outside the checkout (issue 20). The environment reuses the dependencies already installed for the
interpreter running the tests and installs nothing from the network.

``python -m venv --system-site-packages`` is not the way to reuse them: run from inside a virtual environment (an
activated venv, or the ``.venv`` that scripts/_python.sh makes for Debian's system Python) it inherits the *base*
interpreter's site-packages, not the environment's, and the new venv has no torch. The test venv instead gets a
``.pth`` file naming the running interpreter's own site directories, as plain paths: their ``.pth`` files (the
checkout's editable install among them) are not processed, so ``import aeot_viz`` can only find the wheel."""

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


def _site_dirs() -> list[str]:
    """The running interpreter's site directories (site-packages / dist-packages on ``sys.path``): a venv's own, a
    conda or pyenv prefix's, or Debian's dist-packages, whichever this interpreter imports its dependencies from."""
    return [p for p in sys.path if os.path.basename(p.rstrip(os.sep)) in ("site-packages", "dist-packages")
            and os.path.isdir(p)]


def _venv_seeing_these_dependencies(venv, cwd, env):
    """A fresh venv (no ``--system-site-packages``) whose interpreter also imports what this one has installed."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd, env)
    py = venv / "bin" / "python"
    purelib = _run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd, env).strip()
    (venv / purelib.split(str(venv) + os.sep, 1)[1] / "_tested_interpreter.pth").write_text(
        "\n".join(_site_dirs()) + "\n")
    return py


def test_the_test_venv_imports_this_interpreter_s_dependencies_and_not_the_checkout(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AEOT_VIZ_ASSETS")}
    assert _site_dirs(), sys.path
    py = _venv_seeing_these_dependencies(tmp_path / "venv", tmp_path, env)
    out = _run([str(py), "-c", "import sys, torch, numpy; print(sys.prefix); print(torch.__file__); "
                "import importlib.util as u; print(u.find_spec('aeot_viz'))"], tmp_path, env).splitlines()
    import torch

    assert out[0] == str(tmp_path / "venv") and out[1] == torch.__file__
    assert out[2] == "None", "the checkout's editable install leaked into the test venv"


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
    py, cli = _venv_seeing_these_dependencies(venv, tmp_path, env), venv / "bin" / "aeot-viz"
    # this interpreter's pip installs into the venv: the venv itself has none (``--without-pip`` is quicker)
    _run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", "--no-index", str(wheel)],
         tmp_path, env)
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
    # `info` validates the OT map: on the shipped toy that takes a second, on MNIST-10k eight
    info = _run([str(cli), "info", os.path.join(assets, "toy_grid25.npz")], away, env)
    assert "grid25" in info and "singular set" in info
    bundle = os.path.join(assets, "default_mnist10k.npz")
    _run([str(cli), "generate", "--bundle", bundle, "--n", "8", "--out", str(away / "eight.png")], away, env)
    assert (away / "eight.png").stat().st_size > 0 and (away / "eight_codes.npz").is_file()
