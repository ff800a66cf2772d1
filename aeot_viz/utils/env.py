"""Settings an operator gives through environment variables (imports nothing from the package)."""

from __future__ import annotations

import math
import os

__all__ = ["positive_number"]


def positive_number(name: str, default: float, unit: str = "") -> float:
    """The environment variable ``name`` as a positive finite number, ``default`` when unset or empty.

    Raises ``ValueError`` naming the variable when it holds anything else.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number{' of ' + unit if unit else ''}, got {raw!r}.") from None
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"{name} must be a positive number{' of ' + unit if unit else ''}, got {raw!r}.")
    return value
