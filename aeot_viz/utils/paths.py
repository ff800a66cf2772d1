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


#: the checkout's own folder (aeot_viz/utils/paths.py -> the repository root)
CHECKOUT_ASSETS = Path(__file__).resolve().parents[2] / "assets"


def assets_dir() -> Path:
    """The folder of the shipped assets (module docstring)."""
    env = os.environ.get(ASSETS_ENV)
    candidates = ([Path(env).expanduser()] if env else []) + [CHECKOUT_ASSETS] + [
        Path(prefix) / "share" / "aeot-viz" / "assets" for prefix in (sysconfig.get_path("data"), sys.prefix)]
    return next((p for p in candidates if (p / _MARKER).is_file()), CHECKOUT_ASSETS)


def asset(name: str) -> Path:
    """The path of one shipped asset, e.g. ``asset("default_mnist10k.npz")``."""
    return assets_dir() / name
