"""Layer 0, the floor: settings from the environment, progress events and the time left, device choice.

Imports nothing above it.
"""

from .device import resolve_device
from .env import positive_number
from .eta import TimeLeft
from .paths import asset, assets_dir
from .progress import Callback, Cancelled, ProgressEvent, emit, relabelled

__all__ = [
    "resolve_device",
    "positive_number",
    "asset",
    "assets_dir",
    "Callback",
    "Cancelled",
    "ProgressEvent",
    "emit",
    "relabelled",
    "TimeLeft",
]
