"""Datasets: toy 2-D mixtures, digit images, MNIST files and user uploads, as one :class:`Dataset`.

Points are float32 arrays of shape (n, d); images are float32 arrays of shape (n, C, H, W) with
values in [0, 1]. Labels, when known, are int64 of shape (n,). Every loader raises ``ValueError``
with a message that says what to pass instead when the input is wrong.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from ..io.array_limits import check_declared, read_npy, read_npz

__all__ = [
    "Dataset",
    "ring8",
    "grid25",
    "swiss_roll",
    "two_moons",
    "concentric_rings",
    "load_digits",
    "load_mnist10k",
    "load_mnist_file",
    "load_array_file",
    "load_image_folder",
    "load_upload",
    "load_dataset",
    "TOY_DATASETS",
    "BUILTIN_DATASETS",
    "ASSETS_DIR",
]

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")


@dataclass
class Dataset:
    """A dataset ready for the autoencoder.

    Attributes
    ----------
    data : numpy.ndarray, float32, shape (n, d) or (n, C, H, W)
        Points, or images with values in [0, 1].
    labels : numpy.ndarray of int64, shape (n,), or None
        Mode or class id of each sample, when known.
    kind : {"points", "images"}
    name : str
        Short name, e.g. ``"mnist10k"`` or ``"ring8"``.
    params : dict
        The parameters that produced it (seed, size, noise, path, ...), JSON-serialisable.
    """

    data: np.ndarray
    labels: Optional[np.ndarray]
    kind: str
    name: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        data = np.asarray(self.data)
        if self.kind not in ("points", "images"):
            raise ValueError(f"Dataset kind must be 'points' or 'images', got {self.kind!r}.")
        want = 2 if self.kind == "points" else 4
        if data.ndim != want:
            raise ValueError(f"{self.kind} data must have {want} dimensions, got shape {data.shape}.")
        if data.shape[0] < 1 or min(data.shape[1:]) < 1:
            raise ValueError(f"Dataset {self.name!r} is empty (shape {data.shape}).")
        if not np.issubdtype(data.dtype, np.number):
            raise TypeError(f"Dataset values must be numeric, got dtype {data.dtype}.")
        data = data.astype(np.float32, copy=False)
        if not np.isfinite(data).all():
            raise ValueError(f"Dataset {self.name!r} contains NaN or Inf values; clean it first.")
        self.data = data
        if self.labels is not None:
            labels = np.asarray(self.labels)
            if labels.shape != (data.shape[0],):
                raise ValueError(f"labels must have shape ({data.shape[0]},), got {labels.shape}.")
            if not np.issubdtype(labels.dtype, np.integer):
                if np.issubdtype(labels.dtype, np.floating) and np.all(np.isfinite(labels)) \
                        and np.all(labels == np.round(labels)):
                    labels = labels.astype(np.int64)
                else:
                    raise ValueError("labels must be integers (class or mode ids); map names to ids first.")
            self.labels = labels.astype(np.int64)

    @property
    def shape(self) -> tuple:
        """Shape of one sample: (d,) for points, (C, H, W) for images."""
        return tuple(self.data.shape[1:])

    def __len__(self) -> int:
        return int(self.data.shape[0])

    def describe(self) -> dict:
        """JSON-serialisable description stored in a bundle."""
        return {"name": self.name, "kind": self.kind, "shape": list(self.shape), "n": len(self),
                "has_labels": self.labels is not None, "params": _jsonable(self.params)}


def _jsonable(obj):
    """Numpy scalars (e.g. an ``np.int64`` n_samples) -> Python numbers, recursively."""
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj.item() if isinstance(obj, np.generic) else obj


# ----------------------------------------------------------------------------------------------- toys
def _rng(random_state):
    return np.random.default_rng(random_state)


def _check_n(n_samples):
    if not isinstance(n_samples, (int, np.integer)) or isinstance(n_samples, bool) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")


def _check_noise(noise):
    if not (isinstance(noise, (int, float)) and noise >= 0 and np.isfinite(noise)):
        raise ValueError(f"noise (standard deviation) must be a non-negative number, got {noise!r}.")


def ring_modes(n_modes: int = 8, radius: float = 1.0) -> np.ndarray:
    """Centres of the ring mixture: angles 2*pi*k/n_modes on a circle, shape (n_modes, 2)."""
    ang = 2 * np.pi * np.arange(n_modes) / n_modes
    return np.stack([radius * np.cos(ang), radius * np.sin(ang)], axis=1)


def grid_modes() -> np.ndarray:
    """Centres of the 25-mode grid, (i, j) for i, j in {-4, -2, 0, 2, 4}; shape (25, 2)."""
    v = np.arange(-4, 5, 2, dtype=np.float64)
    return np.stack(np.meshgrid(v, v, indexing="ij"), axis=-1).reshape(-1, 2)


def _mixture(centres, n_samples, std, random_state):
    rng = _rng(random_state)
    labels = rng.integers(0, len(centres), size=n_samples)
    pts = centres[labels] + std * rng.standard_normal((n_samples, 2))
    return pts.astype(np.float32), labels.astype(np.int64)


def ring8(n_samples: int = 2000, std: float = 0.01, radius: float = 1.0, random_state: int = 0) -> Dataset:
    """8 Gaussians on a ring (VEEGAN / PacGAN protocol): modes at angles 2*pi*k/8, std 0.01.

    Each sample picks a mode uniformly at random; ``labels`` are the mode ids 0..7.
    """
    _check_n(n_samples)
    _check_noise(std)
    X, y = _mixture(ring_modes(8, radius), n_samples, std, random_state)
    return Dataset(X, y, "points", "ring8", {"n_samples": n_samples, "std": std, "radius": radius,
                                             "random_state": random_state})


def grid25(n_samples: int = 2000, std: float = 0.05, random_state: int = 0) -> Dataset:
    """25 Gaussians on a 5x5 grid (VEEGAN / PacGAN protocol): modes at (i, j), i, j in {-4,-2,0,2,4},
    std 0.05; ``labels`` are the mode ids 0..24 (row-major over i, then j)."""
    _check_n(n_samples)
    _check_noise(std)
    X, y = _mixture(grid_modes(), n_samples, std, random_state)
    return Dataset(X, y, "points", "grid25", {"n_samples": n_samples, "std": std, "random_state": random_state})


def swiss_roll(n_samples: int = 2000, noise: float = 0.05, random_state: int = 0) -> Dataset:
    r"""2-D swiss roll: :math:`t \sim U[1.5\pi, 4.5\pi]`, :math:`x = (t\cos t, t\sin t)/10` plus
    Gaussian noise; ``labels`` split the roll into 4 segments along :math:`t`."""
    _check_n(n_samples)
    _check_noise(noise)
    rng = _rng(random_state)
    t = 1.5 * np.pi * (1 + 2 * rng.random(n_samples))
    X = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / 10 + noise * rng.standard_normal((n_samples, 2))
    labels = np.minimum(((t - 1.5 * np.pi) / (3 * np.pi) * 4).astype(np.int64), 3)
    return Dataset(X.astype(np.float32), labels, "points", "swiss_roll",
                   {"n_samples": n_samples, "noise": noise, "random_state": random_state})


def two_moons(n_samples: int = 2000, noise: float = 0.05, random_state: int = 0) -> Dataset:
    """Two interleaving half circles (scikit-learn's ``make_moons``); labels are the moon ids."""
    from sklearn.datasets import make_moons

    _check_n(n_samples)
    _check_noise(noise)
    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=random_state)
    return Dataset(X.astype(np.float32), y, "points", "two_moons",
                   {"n_samples": n_samples, "noise": noise, "random_state": random_state})


def concentric_rings(n_samples: int = 2000, noise: float = 0.03, factor: float = 0.5,
                     random_state: int = 0) -> Dataset:
    """Two concentric circles (scikit-learn's ``make_circles``, inner radius ``factor``)."""
    from sklearn.datasets import make_circles

    _check_n(n_samples)
    _check_noise(noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor (inner radius / outer radius) must be in (0, 1), got {factor}.")
    X, y = make_circles(n_samples=n_samples, noise=noise, factor=factor, random_state=random_state)
    return Dataset(X.astype(np.float32), y, "points", "concentric_rings",
                   {"n_samples": n_samples, "noise": noise, "factor": factor, "random_state": random_state})


TOY_DATASETS = {
    "ring8": ring8,
    "grid25": grid25,
    "swiss_roll": swiss_roll,
    "two_moons": two_moons,
    "concentric_rings": concentric_rings,
}


# --------------------------------------------------------------------------------------------- images
def _subset(X, y, n_samples, random_state):
    if n_samples is None or n_samples >= len(X):
        return X, y
    _check_n(n_samples)
    idx = np.sort(_rng(random_state).choice(len(X), size=n_samples, replace=False))
    return X[idx], (None if y is None else y[idx])


def load_digits(n_samples: Optional[int] = None, random_state: int = 0) -> Dataset:
    """scikit-learn's 8x8 digits (1,797 images, values 0..16 scaled to [0, 1]), shipped with it."""
    from sklearn.datasets import load_digits as _ld

    d = _ld()
    X = (d.images / 16.0).astype(np.float32)[:, None]
    X, y = _subset(X, d.target.astype(np.int64), n_samples, random_state)
    return Dataset(X, y, "images", "digits", {"n_samples": n_samples, "random_state": random_state})


def load_mnist10k(n_samples: Optional[int] = None, random_state: int = 0,
                  path: Optional[os.PathLike] = None) -> Dataset:
    """10,000 MNIST digits shipped in ``assets/mnist10k.npz`` (28x28, see ``assets/README.md``).

    Parameters
    ----------
    n_samples : int, optional
        Take a random subset of this size (all 10,000 by default).
    path : path-like, optional
        Another copy of the file (``X`` uint8 (n, 784), ``y``).
    """
    p = Path(path) if path is not None else ASSETS_DIR / "mnist10k.npz"
    if not p.is_file():
        raise ValueError(f"MNIST-10k file not found at {p}; rebuild it with `python scripts/build_mnist10k.py`.")
    X, y = _read_npz_arrays(p)
    X = _to_images(X, f"{p}")
    X, y = _subset(X, y, n_samples, random_state)
    return Dataset(X, y, "images", "mnist10k", {"n_samples": n_samples, "random_state": random_state})


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


def _to_images(X: np.ndarray, where: str) -> np.ndarray:
    """uint8 or float images, (n, H, W), (n, H, W, C), (n, C, H, W) or flat squares -> (n, C, H, W) in [0, 1]."""
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(f"Images in {where} must be numeric, got dtype {X.dtype}.")
    if X.ndim == 2:
        side = int(round(np.sqrt(X.shape[1])))
        if side * side != X.shape[1]:
            raise ValueError(f"Flat images in {where} have {X.shape[1]} pixels, not a square; "
                             "reshape them to (n, H, W).")
        X = X.reshape(-1, 1, side, side)
    elif X.ndim == 3:
        X = X[:, None]
    elif X.ndim == 4:
        if X.shape[-1] in (1, 3, 4) and X.shape[1] not in (1, 3, 4):
            X = np.moveaxis(X, -1, 1)
        if X.shape[1] not in (1, 3, 4):
            raise ValueError(f"Images in {where} have {X.shape[1]} channels; use 1 (gray) or 3 (RGB).")
        if X.shape[1] == 4:
            X = X[:, :3]
    else:
        raise ValueError(f"Images in {where} must have 3 or 4 dimensions, got shape {X.shape}.")
    Xf = X.astype(np.float32)
    if not np.isfinite(Xf).all():
        raise ValueError(f"Images in {where} contain NaN or Inf values.")
    if np.issubdtype(X.dtype, np.integer) and X.min(initial=0) >= 0 and X.max(initial=0) <= 255:
        Xf /= 255.0 if X.max(initial=0) > 1 else 1.0
    elif Xf.size and (Xf.min() < 0 or Xf.max() > 1):
        lo, hi = float(Xf.min()), float(Xf.max())
        Xf = (Xf - lo) / (hi - lo) if hi > lo else np.zeros_like(Xf)
    return np.ascontiguousarray(Xf)


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


BUILTIN_DATASETS = tuple(TOY_DATASETS) + ("digits", "mnist10k")

#: limits on an uploaded archive of images (checked before anything is extracted)
MAX_UPLOAD_FILES = 100_000
MAX_UPLOAD_BYTES = 2**30


def load_upload(filename: str, data: bytes, *, max_files: int = MAX_UPLOAD_FILES,
                max_bytes: int = MAX_UPLOAD_BYTES, max_upload_bytes: Optional[int] = None,
                **kwargs) -> Dataset:
    """A dataset from an uploaded file's bytes: ``.npz`` / ``.npy`` arrays (as :func:`load_array_file`,
    Keras' ``mnist.npz`` too) or a ``.zip`` of images (as :func:`load_image_folder`, one sub-folder per
    class for labels).

    The upload itself may hold at most ``max_upload_bytes`` (no limit when ``None``; the app passes
    its ``server.maxUploadSize``). The archive is checked before extraction: at most ``max_files``
    members and ``max_bytes`` uncompressed in all, no absolute paths, no ``..``, no links; images
    larger than ``max_image_pixels`` (a keyword for :func:`load_image_folder`) are refused.
    Everything is read from a temporary folder that is removed afterwards; nothing is unpickled.

    Parameters
    ----------
    filename : str
        The uploaded file's name (its suffix picks the reader; the rest names the dataset).
    data : bytes
    kwargs :
        Passed to the reader (``n_samples``, ``random_state``, ``size``, ``mode``, ``kind``...).
    """
    import tempfile

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}.")
    name = Path(str(filename)).name
    suffix = Path(name).suffix.lower()
    if max_upload_bytes is not None and len(data) > max_upload_bytes:
        raise ValueError(f"{name} is {len(data) / 2**20:.1f} MB, over the upload limit of "
                         f"{max_upload_bytes / 2**20:.0f} MB; upload a smaller file (the limit is the "
                         "server's maxUploadSize setting).")
    if suffix not in (".npz", ".npy", ".zip"):
        raise ValueError(f"Unsupported upload {name!r}: use an .npz (array 'X', optional labels 'y'), an .npy "
                         "or a .zip of images (one sub-folder per class).")
    kwargs.setdefault("name", Path(name).stem)
    with tempfile.TemporaryDirectory(prefix="aeot_upload_") as tmp:
        if suffix != ".zip":
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(bytes(data))
            if suffix == ".npz":
                if "x_train" in _npz_keys(path):
                    kwargs.pop("name")
                    return load_mnist_file(path, **kwargs)
            return load_array_file(path, **kwargs)
        try:
            zf = zipfile.ZipFile(io.BytesIO(bytes(data)))
        except zipfile.BadZipFile as exc:
            raise ValueError(f"{name} is not a readable zip archive: {exc}.") from exc
        with zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > max_files:
                raise ValueError(f"{name} holds {len(members)} files; at most {max_files} are accepted.")
            if sum(m.file_size for m in members) > max_bytes:
                raise ValueError(f"{name} unpacks to more than {max_bytes / 2**20:.0f} MiB; upload a smaller archive.")
            root = Path(tmp) / "images"
            for m in members:
                parts = Path(m.filename).parts
                is_link = (m.external_attr >> 16) & 0o170000 == 0o120000
                if m.filename.startswith(("/", "\\")) or ".." in parts or is_link:
                    raise ValueError(f"{name} contains an unsafe path {m.filename!r}; refusing to extract it.")
                if parts and parts[0] == "__MACOSX" or Path(m.filename).name.startswith("."):
                    continue
                out = root / Path(*parts)
                out.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(m) as src, open(out, "wb") as dst:
                    remaining = m.file_size + 1
                    while chunk := src.read(1 << 20):
                        remaining -= len(chunk)
                        if remaining < 0:
                            raise ValueError(f"{name}: member {m.filename!r} is larger than its header says.")
                        dst.write(chunk)
        if not root.is_dir():
            raise ValueError(f"{name} holds no images.")
        tops = list(root.iterdir())
        return load_image_folder(tops[0] if len(tops) == 1 and tops[0].is_dir() else root, **kwargs)


def load_dataset(source: str | os.PathLike, **kwargs) -> Dataset:
    """Load a dataset by name (``ring8``, ``grid25``, ``swiss_roll``, ``two_moons``,
    ``concentric_rings``, ``digits``, ``mnist10k``) or by path (an ``.npz``/``.npy`` file, Keras'
    ``mnist.npz``, MNIST IDX files, or a folder of images). Keyword arguments go to the loader."""
    if isinstance(source, str) and source in TOY_DATASETS:
        return TOY_DATASETS[source](**kwargs)
    if source == "digits":
        return load_digits(**kwargs)
    if source == "mnist10k":
        return load_mnist10k(**kwargs)
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
