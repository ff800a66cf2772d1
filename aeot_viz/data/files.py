"""Datasets from files: MNIST in IDX or Keras ``.npz`` form, ``.npy`` / ``.npz`` arrays, folders of images.

Every array is read header first (:mod:`aeot_viz.io.array_limits`): nothing is allocated before its
declared size is checked.
"""

from __future__ import annotations

import gzip
import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Optional

import numpy as np

from ..io.array_limits import check_declared, read_npy, read_npz
from .dataset import Dataset, _subset, _to_images

__all__ = ["load_mnist_file", "load_array_file", "load_image_folder", "IMAGE_SUFFIXES"]


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")


def _read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (optionally gzipped), the format of the original MNIST distribution.

    The header's dimensions are checked against the array cap (:mod:`aeot_viz.io.array_limits`) before
    the body is read, and the body must hold exactly the declared bytes.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    try:
        with opener(path, "rb") as f:
            magic = f.read(4)
            if len(magic) < 4 or magic[0] != 0 or magic[1] != 0:
                raise ValueError(f"{path} is not an IDX file (bad magic number).")
            if magic[2] not in dtypes:
                raise ValueError(f"{path}: unknown IDX element type 0x{magic[2]:02x}.")
            ndim = magic[3]
            head = f.read(4 * ndim)
            if ndim < 1 or len(head) < 4 * ndim:
                raise ValueError(f"{path}: truncated IDX header.")
            dims = struct.unpack(f">{ndim}I", head)
            dt = np.dtype(dtypes[magic[2]])
            nbytes = check_declared(dims, dt.itemsize, f"IDX file {path}")
            body = f.read(nbytes)
            extra = f.read(1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"Could not read IDX file {path}: {exc}.") from exc
    if len(body) != nbytes or extra:
        raise ValueError(f"{path}: IDX header says {dims} but the file holds "
                         f"{len(body) + len(extra)}{'+' if extra else ''} bytes of data.")
    return np.frombuffer(body, dtype=dt).reshape(dims)


def load_mnist_file(path: os.PathLike, split: str = "train", labels_path: Optional[os.PathLike] = None,
                    n_samples: Optional[int] = None, random_state: int = 0, name: Optional[str] = None) -> Dataset:
    """Full MNIST or Fashion-MNIST from files the user already has.

    Parameters
    ----------
    path : path-like
        Keras' ``mnist.npz`` / ``fashion_mnist.npz`` (arrays ``x_train``, ``y_train``, ``x_test``,
        ``y_test``); an IDX images file (``train-images-idx3-ubyte[.gz]``); or a folder holding the
        four standard IDX files.
    split : {"train", "test"}
    labels_path : path-like, optional
        The IDX labels file, when ``path`` is an IDX images file (found automatically when it sits
        beside the images under its standard name).
    """
    p = Path(path)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    if not p.exists():
        raise ValueError(f"No such file or folder: {p}. Pass Keras' mnist.npz or the MNIST IDX files.")
    prefix = "train" if split == "train" else "t10k"
    if p.is_dir():
        cands = [p / f"{prefix}-images-idx3-ubyte{s}" for s in ("", ".gz")]
        found = [c for c in cands if c.is_file()]
        if not found:
            raise ValueError(f"Folder {p} holds no {prefix}-images-idx3-ubyte[.gz] file.")
        p = found[0]
    if p.suffix == ".npz":
        keys = _npz_keys(p)
        kx, ky = f"x_{split}", f"y_{split}"
        if kx not in keys:
            raise ValueError(f"{p} has no array {kx!r}; expected Keras' mnist.npz layout "
                             "(x_train, y_train, x_test, y_test).")
        arrs = _npz_arrays(p, [kx, ky if ky in keys else None])
        X, y = arrs[kx], arrs.get(ky)
    else:
        X = _read_idx(p)
        y = None
        if labels_path is None:
            stem = p.name.replace("images-idx3", "labels-idx1")
            cand = p.with_name(stem)
            labels_path = cand if cand.is_file() and cand != p else None
        if labels_path is not None:
            y = _read_idx(Path(labels_path))
    if X.ndim != 3:
        raise ValueError(f"MNIST images must have shape (n, 28, 28), got {X.shape}.")
    if y is not None and len(y) != len(X):
        raise ValueError(f"{len(X)} images but {len(y)} labels in {p}.")
    X = _to_images(X, str(p))
    y = None if y is None else y.astype(np.int64)
    X, y = _subset(X, y, n_samples, random_state)
    return Dataset(X, y, "images", name or p.stem, {"path": str(path), "split": split,
                                                   "n_samples": n_samples, "random_state": random_state})


# ---------------------------------------------------------------------------------------- user files


def _npz_keys(p: Path) -> list:
    """Array names of an ``.npz`` (nothing is decompressed)."""
    try:
        with zipfile.ZipFile(p) as zf:
            return [i.filename[:-4] if i.filename.endswith(".npy") else i.filename for i in zf.infolist()]
    except (OSError, EOFError, zipfile.BadZipFile, NotImplementedError, ValueError) as exc:
        raise ValueError(f"Could not read {p} as an .npz archive: {exc}.") from exc


def _npz_arrays(p: Path, keys: list) -> dict:
    """The named arrays of an ``.npz``, each header checked against the cap before anything is allocated
    (:mod:`aeot_viz.io.array_limits`)."""
    return read_npz(p, str(p), keys=[k for k in keys if k])


def _read_npz_arrays(p: Path):
    keys = _npz_keys(p)
    xkey = next((k for k in ("X", "x", "data", "images") if k in keys), None)
    if xkey is None:
        raise ValueError(f"{p} holds arrays {keys}; name the data array 'X' (and labels 'y').")
    ykey = next((k for k in ("y", "labels", "Y") if k in keys), None)
    arrs = _npz_arrays(p, [xkey, ykey])
    return arrs[xkey], arrs.get(ykey)


def _read_npy(p: Path) -> np.ndarray:
    with open(p, "rb") as f:
        return read_npy(f, str(p), available=p.stat().st_size)


def load_array_file(path: os.PathLike, kind: str = "auto", n_samples: Optional[int] = None,
                    random_state: int = 0, name: Optional[str] = None) -> Dataset:
    """A user's ``.npz`` (array ``X``, optional ``y``) or ``.npy`` file of vectors or images.

    Parameters
    ----------
    path : path-like
    kind : {"auto", "points", "images"}
        ``"auto"``: 2-D arrays are points, 3-D and 4-D arrays are images.
    """
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"No such file: {p}. Pass an .npz with an array 'X' (optional 'y') or an .npy.")
    if kind not in ("auto", "points", "images"):
        raise ValueError(f"kind must be 'auto', 'points' or 'images', got {kind!r}.")
    if p.suffix == ".npy":
        try:
            X = _read_npy(p)
        except OSError as exc:
            raise ValueError(f"Could not read {p} as a numeric .npy array: {exc}.") from exc
        y = None
    elif p.suffix == ".npz":
        X, y = _read_npz_arrays(p)
    else:
        raise ValueError(f"Unsupported file type {p.suffix!r}: use .npz or .npy (or a folder of images).")
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(f"Data in {p} must be real numbers, got dtype {X.dtype}.")
    if kind == "auto":
        kind = "points" if X.ndim == 2 else "images"
    if kind == "images":
        X = _to_images(X, str(p))
    elif X.ndim != 2:
        raise ValueError(f"Points in {p} must be a 2-D array (n, d), got shape {X.shape}.")
    if y is not None:
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(f"Labels in {p} must have shape ({len(X)},), got {y.shape}.")
    X, y = _subset(X, y, n_samples, random_state)
    return Dataset(X, y, kind, name or p.stem, {"path": str(path), "n_samples": n_samples,
                                                "random_state": random_state})


#: largest image (width x height) a folder or upload may hold; Pillow's own bomb limit is ~179 M
MAX_IMAGE_PIXELS = 4096 * 4096


def load_image_folder(path: os.PathLike, size: tuple = (28, 28), mode: str = "L",
                      n_samples: Optional[int] = None, random_state: int = 0,
                      name: Optional[str] = None, max_image_pixels: int = MAX_IMAGE_PIXELS) -> Dataset:
    """A folder of PNG/JPEG images, resized to one ``size`` (H, W), grayscale (``"L"``) or ``"RGB"``.

    Images of mixed sizes are all resized to ``size``. Labels come from sub-folder names when the
    images sit in one sub-folder per class (sorted names -> ids 0, 1, ...); otherwise there are none.
    An image with more than ``max_image_pixels`` pixels (its header is read before anything is
    decoded, so a small file claiming a huge image costs nothing) is refused with ``ValueError``, as
    are files Pillow itself flags as decompression bombs.
    """
    from PIL import Image, UnidentifiedImageError

    p = Path(path)
    if not p.is_dir():
        raise ValueError(f"No such folder: {p}. Pass a folder of .png/.jpg images.")
    if mode not in ("L", "RGB"):
        raise ValueError(f"mode must be 'L' (grayscale) or 'RGB', got {mode!r}.")
    if len(size) != 2 or min(size) < 4 or max(size) > 512:
        raise ValueError(f"size must be (H, W) with sides between 4 and 512, got {size}.")
    if not isinstance(max_image_pixels, (int, np.integer)) or max_image_pixels < 1:
        raise ValueError(f"max_image_pixels must be a positive integer, got {max_image_pixels!r}.")
    files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ValueError(f"Folder {p} holds no images ({', '.join(IMAGE_SUFFIXES)}).")
    # the float32 image array this folder becomes, checked before anything is decoded
    check_declared((len(files), 1 if mode == "L" else 3, size[0], size[1]), 1, f"Folder {p} ({len(files)} images)")
    classes = sorted({f.parent.relative_to(p).parts[0] for f in files if f.parent != p})
    labelled = classes and all(f.parent != p for f in files)
    imgs, labels = [], []
    for f in files:
        try:
            with Image.open(f) as im:
                w, h = im.size
                if w * h > max_image_pixels:
                    raise ValueError(f"Image {f.relative_to(p)} is {w} x {h} pixels, over the limit of "
                                     f"{max_image_pixels:,}; shrink it before uploading.")
                im = im.convert(mode).resize((size[1], size[0]), Image.BILINEAR)
                imgs.append(np.asarray(im, dtype=np.uint8))
        except Image.DecompressionBombError as exc:
            raise ValueError(f"Image {f.relative_to(p)} is refused as a possible decompression bomb: {exc}") from exc
        except (UnidentifiedImageError, OSError) as exc:
            raise ValueError(f"Could not read image {f}: {exc}.") from exc
        if labelled:
            labels.append(classes.index(f.parent.relative_to(p).parts[0]))
    X = _to_images(np.stack(imgs), str(p))
    y = np.asarray(labels, dtype=np.int64) if labelled else None
    X, y = _subset(X, y, n_samples, random_state)
    params = {"path": str(path), "size": list(size), "mode": mode, "n_samples": n_samples,
              "random_state": random_state, "classes": list(classes) if labelled else None}
    return Dataset(X, y, "images", name or p.name, params)
