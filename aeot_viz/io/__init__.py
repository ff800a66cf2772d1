"""Layer 1: reading untrusted arrays with caps, pickle-free archives, checkpoints, PIL pictures."""

from .archive import BundleError, read_archive, write_atomic
from .array_limits import max_array_bytes, read_npy, read_npz
from .checkpoint import fingerprint, load_checkpoint, save_checkpoint
from .images import image_grid, png_data_url, scatter_png

__all__ = [
    "BundleError",
    "read_archive",
    "write_atomic",
    "max_array_bytes",
    "read_npy",
    "read_npz",
    "fingerprint",
    "load_checkpoint",
    "save_checkpoint",
    "image_grid",
    "png_data_url",
    "scatter_png",
]
