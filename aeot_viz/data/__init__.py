"""Layer 2: datasets (toys, built-in digits, files, uploads) as one :class:`Dataset` type.

Points are float32 arrays of shape (n, d); images are float32 arrays of shape (n, C, H, W) with values in
[0, 1]. Labels, when known, are int64 of shape (n,). Every loader raises ``ValueError`` with a message that says
what to pass instead when the input is wrong.
"""

from .builtin import ASSETS_DIR, load_digits, load_mnist10k, load_stacked_mnist
from .dataset import Dataset
from .files import load_array_file, load_image_folder, load_mnist_file
from .registry import BUILTIN_DATASETS, load_dataset
from .toys import TOY_DATASETS, concentric_rings, grid25, grid_modes, ring8, ring_modes, swiss_roll, two_moons
from .uploads import load_upload

__all__ = [
    "Dataset",
    "ring8",
    "grid25",
    "swiss_roll",
    "two_moons",
    "concentric_rings",
    "ring_modes",
    "grid_modes",
    "load_digits",
    "load_mnist10k",
    "load_stacked_mnist",
    "load_mnist_file",
    "load_array_file",
    "load_image_folder",
    "load_upload",
    "load_dataset",
    "TOY_DATASETS",
    "BUILTIN_DATASETS",
    "ASSETS_DIR",
]
