"""Where the shipped assets are: the one place the package looks for ``assets/``.

In order, the first folder that holds ``mnist10k.npz``:

1. ``$AEOT_VIZ_ASSETS``, when set (a copy elsewhere);
2. ``assets/`` of the source checkout this package was imported from (the repository, or an editable install);
3. ``<prefix>/share/aeot-viz/assets`` of the running environment, where a wheel install puts them
   (``[tool.setuptools.data-files]`` in ``pyproject.toml``).

If none holds them, the checkout's folder is returned, so the error that follows names where they were expected.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path

__all__ = ["assets_dir", "asset", "ASSETS_ENV"]

ASSETS_ENV = "AEOT_VIZ_ASSETS"
_MARKER = "mnist10k.npz"


def _candidates() -> list[Path]:
    out = []
    if os.environ.get(ASSETS_ENV):
        out.append(Path(os.environ[ASSETS_ENV]).expanduser())
    out.append(Path(__file__).resolve().parents[2] / "assets")  # aeot_viz/utils/paths.py -> the checkout
    for prefix in (sysconfig.get_path("data"), sys.prefix):
        out.append(Path(prefix) / "share" / "aeot-viz" / "assets")
    return out


def assets_dir() -> Path:
    """The folder of the shipped assets (module docstring)."""
    candidates = _candidates()
    return next((p for p in candidates if (p / _MARKER).is_file()), candidates[1 if os.environ.get(ASSETS_ENV) else 0])


def asset(name: str) -> Path:
    """The path of one shipped asset, e.g. ``asset("default_mnist10k.npz")``."""
    return assets_dir() / name
