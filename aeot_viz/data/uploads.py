"""Datasets from an uploaded file's bytes, with limits checked before anything is extracted."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Optional

from .dataset import Dataset
from .files import _npz_keys, load_array_file, load_image_folder, load_mnist_file

__all__ = ["load_upload", "MAX_UPLOAD_FILES", "MAX_UPLOAD_BYTES"]


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
