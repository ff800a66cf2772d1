"""Layer 0, the floor: settings from the environment, progress events, device choice. Imports nothing above it."""

from .device import resolve_device
from .env import positive_number
from .progress import Callback, Cancelled, ProgressEvent, emit, relabelled

__all__ = [
    "resolve_device",
    "positive_number",
    "Callback",
    "Cancelled",
    "ProgressEvent",
    "emit",
    "relabelled",
]
