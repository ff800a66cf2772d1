"""One entry point for every dataset: a built-in name or a path, dispatched to its loader."""

from __future__ import annotations

import os
from pathlib import Path

from .builtin import load_digits, load_mnist10k, load_stacked_mnist
from .dataset import Dataset
from .files import _npz_keys, load_array_file, load_image_folder, load_mnist_file
from .toys import TOY_DATASETS

__all__ = ["BUILTIN_DATASETS", "load_dataset"]


BUILTIN_DATASETS = tuple(TOY_DATASETS) + ("digits", "mnist10k", "stacked_mnist")


def load_dataset(source: str | os.PathLike, **kwargs) -> Dataset:
    """Load a dataset by name (``ring8``, ``grid25``, ``swiss_roll``, ``two_moons``,
    ``concentric_rings``, ``digits``, ``mnist10k``, ``stacked_mnist``) or by path (an ``.npz``/``.npy`` file, Keras'
    ``mnist.npz``, MNIST IDX files, or a folder of images). Keyword arguments go to the loader."""
    if isinstance(source, str) and source in TOY_DATASETS:
        return TOY_DATASETS[source](**kwargs)
    if source == "digits":
        return load_digits(**kwargs)
    if source == "mnist10k":
        return load_mnist10k(**kwargs)
    if source == "stacked_mnist":
        return load_stacked_mnist(**kwargs)
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"Dataset source must be a name or a path, got {type(source).__name__}.")
    p = Path(source)
    if not p.exists():
        raise ValueError(f"Unknown dataset {str(source)!r}: use one of {list(BUILTIN_DATASETS)} "
                         "or the path of an .npz/.npy file, MNIST files or an image folder.")
    if p.is_dir():
        if any(p.glob("*-images-idx3-ubyte*")):
            return load_mnist_file(p, **kwargs)
        return load_image_folder(p, **kwargs)
    if "idx3-ubyte" in p.name:
        return load_mnist_file(p, **kwargs)
    if p.suffix == ".npz":
        if "x_train" in _npz_keys(p):
            return load_mnist_file(p, **kwargs)
    return load_array_file(p, **kwargs)
