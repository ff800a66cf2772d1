"""Generic pickle-free archives: ``.npz`` files of named arrays with a JSON ``meta.json``.

The helpers that model bundles (:mod:`aeot_viz.pipeline.bundle`), checkpoints, classifier and baseline files
share: atomic writes, arrays to compressed bytes, metadata as an array, reading an archive with its sizes
capped (:mod:`aeot_viz.io.array_limits`) and its format and version checked, and network weights to and
from arrays.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import zipfile
from pathlib import Path
from typing import Union

import numpy as np
import torch

from .array_limits import read_zip_arrays

#: refuse archives whose members would unpack to more than this many bytes
DEFAULT_MAX_BYTES = 2 * 2**30

PathLike = Union[str, os.PathLike]


class BundleError(ValueError):
    """A file that is not a valid AE-OT bundle (wrong format, version, or damaged content)."""


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"Cannot store {type(o).__name__} in bundle metadata.")


def jsonable(obj):
    """``obj`` as the plain JSON values an archive's metadata stores (numpy scalars and arrays converted the
    way :func:`meta_array` converts them), so what is kept in memory equals what a file reads back."""
    return json.loads(json.dumps(obj, default=_json_default))


def write_atomic(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file beside it and a rename (never half-written)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    # like mkstemp, but with the usual permissions (0o666 less the umask) rather than 0o600
    tmp = str(p.parent / f".{p.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return p


def arrays_to_bytes(arrays: dict) -> bytes:
    """A compressed ``.npz`` archive of ``arrays`` (name -> numpy array), as bytes."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def meta_array(meta: dict) -> np.ndarray:
    """JSON metadata as the uint8 array stored under ``meta.json``."""
    return np.frombuffer(json.dumps(meta, default=_json_default).encode(), dtype=np.uint8)


def read_meta(arrs: dict, name: str, fmt: str, version: int, what: str | None = None) -> dict:
    """The ``meta.json`` of an archive read by :func:`read_archive`, checked for format and version.

    ``what`` names the kind of file in messages (default ``"a <fmt> file"``).
    """
    what = what or f"a {fmt} file"
    if "meta.json" not in arrs:
        _fail(f"{name} is an .npz archive but not {what} (no meta.json).")
    try:
        meta = json.loads(arrs["meta.json"].astype(np.uint8).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        _fail(f"{name}: its metadata is not valid JSON ({exc}).")
    if not isinstance(meta, dict) or meta.get("format") != fmt:
        _fail(f"{name} is not {what} (format {meta.get('format') if isinstance(meta, dict) else None!r}).")
    v = meta.get("format_version")
    if not isinstance(v, int) or isinstance(v, bool):
        _fail(f"{name}: format_version is missing or not an integer.")
    if v > version:
        _fail(f"{name} was written by a newer aeot_viz (format {v}; this one reads {version}). "
              "Upgrade aeot_viz to open it.")
    if v < version:
        _fail(f"{name} uses the old format {v}; rebuild it with this version.")
    return meta


def load_weights(module: torch.nn.Module, arrs: dict, prefix: str, name: str) -> torch.nn.Module:
    """Load ``prefix<param>`` arrays into ``module`` (strict: the same names and shapes), in eval mode."""
    state = {}
    for key, a in arrs.items():
        if key.startswith(prefix):
            if a.dtype.kind not in "fiub" or (a.dtype.kind == "f" and not np.isfinite(a).all()):
                _fail(f"{name}: weight {key!r} is not a finite numeric array.")
            # native byte order: torch refuses big-endian arrays (files written on big-endian machines)
            state[key[len(prefix):]] = torch.from_numpy(np.array(a, dtype=a.dtype.newbyteorder("=")))
    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        detail = " ".join(str(exc).split())
        _fail(f"{name}: weights do not fit the network in its config "
              f"({detail[:500] + ('...' if len(detail) > 500 else '')}).")
    return module.eval()


def weight_arrays(module: torch.nn.Module, prefix: str) -> dict:
    """``prefix<param>`` -> numpy array for every tensor of ``module``'s state dict."""
    return {f"{prefix}{k}": t.detach().cpu().numpy() for k, t in module.state_dict().items()}


def _fail(msg: str):
    raise BundleError(msg)


def read_archive(source, max_bytes: int = DEFAULT_MAX_BYTES) -> dict:
    """Read every member of an ``.npz`` archive (path, bytes or binary file) into a dict of arrays,
    refusing pickles, zip bombs and members larger than their headers; raises :class:`BundleError`."""
    if isinstance(source, (bytes, bytearray)):
        fobj = io.BytesIO(source)
        name = "uploaded bundle"
    elif hasattr(source, "read"):
        fobj = io.BytesIO(source.read())
        name = getattr(source, "name", "uploaded bundle")
    else:
        p = Path(source)
        if not p.is_file():
            _fail(f"No bundle file at {p}; train one with `python -m aeot_viz train` or pick another file.")
        fobj = open(p, "rb")
        name = str(p)
    with fobj:
        try:
            zf = zipfile.ZipFile(fobj)
        except (zipfile.BadZipFile, NotImplementedError, EOFError, ValueError):
            _fail(f"{name} is not an AE-OT bundle (not a zip/npz archive). "
                  "Bundles are .npz files written by aeot_viz.")
        with zf:
            try:
                # every member's header is checked against the per-array cap and its declared size before
                # the array is allocated (aeot_viz.io.array_limits)
                return read_zip_arrays(zf, name, max_total=max_bytes)
            except ValueError as exc:
                if "pickle" in str(exc).lower():
                    _fail(f"{exc} AE-OT bundles never contain pickles, so the file is refused.")
                _fail(str(exc))
