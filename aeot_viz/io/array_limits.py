r"""Reading arrays from untrusted files: check what a header declares before allocating anything.

A 4 MB ``.npz`` of deflated zeros can declare a 4 GiB array, and an ``.npy`` header can declare
:math:`10^{12}` elements over a few bytes of data. Every loader of the package (dataset files and
uploads, IDX files, bundles, checkpoints, classifier and baseline files) reads arrays through this
module, which

1. parses the header first (the ``.npy`` magic, shape and dtype; zip members' declared sizes; IDX
   dimensions),
2. refuses with a ``ValueError`` when the decoded array, or the float32 copy the pipeline derives from it,
   would exceed the cap :func:`max_array_bytes`, naming the setting that raises it,
3. refuses when the header lies about the data that follows (more or fewer bytes than declared),
4. only then allocates exactly the declared array and fills it.

The cap (default 1024 MiB per array, enough for 300,000 MNIST digits as float32 and well inside the
shipped server's memory while one training runs) is set with the environment variable
``AEOT_MAX_ARRAY_MB``, like Streamlit's ``server.maxUploadSize``.
"""

from __future__ import annotations

import math
import zipfile
from typing import BinaryIO, Optional

import numpy as np

from ..utils.env import positive_number

__all__ = ["ENV_VAR", "DEFAULT_MAX_ARRAY_MB", "max_array_bytes", "check_declared", "read_npy", "read_npz",
           "read_zip_arrays"]

ENV_VAR = "AEOT_MAX_ARRAY_MB"
DEFAULT_MAX_ARRAY_MB = 1024
_SETTING = f"the environment variable {ENV_VAR}"
_CHUNK = 1 << 24


def max_array_bytes() -> int:
    """The per-array cap in bytes: ``AEOT_MAX_ARRAY_MB`` (MiB) when set, else 1024 MiB."""
    mb = positive_number(ENV_VAR, DEFAULT_MAX_ARRAY_MB, "MiB")
    return int(mb * 2**20)


def check_declared(shape, itemsize: int, name: str, *, cap: Optional[int] = None, derived_itemsize: int = 4) -> int:
    """Refuse an array whose declared size, or its float32 copy, exceeds the cap; return its byte size.

    Parameters
    ----------
    shape : tuple of int
        Declared shape.
    itemsize : int
        Bytes per element of the stored dtype.
    name : str
        What to call the array in the message.
    cap : int, optional
        Bytes (default :func:`max_array_bytes`).
    derived_itemsize : int
        Bytes per element of the copy the pipeline makes (float32: 4).
    """
    cap = max_array_bytes() if cap is None else int(cap)
    if any(int(s) < 0 for s in shape):
        raise ValueError(f"{name} declares a negative dimension {tuple(shape)}; the file is damaged.")
    count = math.prod(int(s) for s in shape)  # Python integers: no overflow
    nbytes = count * int(itemsize)
    biggest = max(nbytes, count * int(derived_itemsize))
    if biggest > cap:
        raise ValueError(f"{name} declares an array of shape {tuple(int(s) for s in shape)}: "
                         f"{nbytes / 2**20:,.0f} MiB stored, {count * derived_itemsize / 2**20:,.0f} MiB as float32, "
                         f"over the limit of {cap / 2**20:,.0f} MiB per array. Use a smaller file, or raise the "
                         f"limit with {_SETTING} if the server has the memory.")
    return nbytes


def read_npy(fobj: BinaryIO, name: str, *, available: Optional[int] = None, cap: Optional[int] = None) -> np.ndarray:
    """One ``.npy`` array from a binary stream, its header checked before anything is allocated.

    Parameters
    ----------
    fobj : binary file object
        Positioned at the start of the ``.npy`` data.
    name : str
        What to call it in messages.
    available : int, optional
        Bytes the stream holds from its start (a file's size, a zip member's declared size): a header that
        declares another amount of data is refused before reading.
    cap : int, optional
        Bytes per array (default :func:`max_array_bytes`).

    Returns
    -------
    numpy.ndarray
        A writable array of the declared shape and dtype. Object (pickled) arrays are refused.
    """
    fmt = np.lib.format
    try:
        version = fmt.read_magic(fobj)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(fobj, max_header_size=10_000)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = fmt.read_array_header_2_0(fobj, max_header_size=10_000)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except ValueError as exc:
        raise ValueError(f"{name} is not a .npy array ({exc}).") from None
    except Exception as exc:  # truncated streams, zlib errors
        raise ValueError(f"{name} could not be read ({type(exc).__name__}: {exc}).") from None
    if dtype.hasobject:
        raise ValueError(f"{name} holds pickled Python objects (pickled objects are refused: they could run "
                         "code); save plain numeric arrays.")
    nbytes = check_declared(shape, dtype.itemsize, name, cap=cap)
    if available is not None:
        start = _position(fobj)
        if start is not None and available - start != nbytes:
            raise ValueError(f"{name}: the header declares {nbytes:,} bytes of data but the file holds "
                             f"{max(available - start, 0):,}; the file is damaged or crafted.")
    count = math.prod(int(v) for v in shape)
    arr = np.empty(count, dtype=dtype)
    view = memoryview(arr.view(np.uint8)) if nbytes else memoryview(b"")
    done = 0
    try:
        while done < nbytes:  # in chunks: the peak stays at the array itself
            chunk = fobj.read(min(_CHUNK, nbytes - done))
            if not chunk:
                break
            view[done:done + len(chunk)] = chunk
            done += len(chunk)
        extra = fobj.read(1)
    except Exception as exc:  # zlib / zip CRC errors while inflating
        raise ValueError(f"{name} could not be read ({type(exc).__name__}: {exc}).") from None
    if done != nbytes:
        raise ValueError(f"{name}: the header declares {nbytes:,} bytes of data but only {done:,} follow; "
                         "the file is truncated or crafted.")
    if extra:
        raise ValueError(f"{name}: more data follows than the header declares ({nbytes:,} bytes); the file is "
                         "damaged or crafted.")
    return arr.reshape(shape, order="F" if fortran else "C")


def _position(fobj) -> Optional[int]:
    try:
        return int(fobj.tell())
    except (OSError, AttributeError, ValueError):
        return None


def read_npz(source, name: str, *, cap: Optional[int] = None, max_total: Optional[int] = None,
             keys=None) -> dict:
    """Arrays of an ``.npz`` archive (a path or binary file object), each read by :func:`read_npy`.

    Parameters
    ----------
    source : path-like or binary file object
    name : str
    cap : int, optional
        Bytes per array (default :func:`max_array_bytes`).
    max_total : int, optional
        Bytes the members may declare in all (default: unlimited beyond the per-array cap).
    keys : iterable of str, optional
        Read only these arrays (others are not decompressed).

    Raises
    ------
    ValueError
        Not a zip archive, a member that is not a plain ``.npy`` array, a declared size over a cap, a header
        that lies about its data.
    """
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, ValueError, OSError) as exc:
        raise ValueError(f"{name} is not a readable .npz (zip) archive: {exc}.") from None
    with zf:
        return read_zip_arrays(zf, name, cap=cap, max_total=max_total, keys=keys)


def read_zip_arrays(zf: zipfile.ZipFile, name: str, *, cap: Optional[int] = None, max_total: Optional[int] = None,
                    keys=None) -> dict:
    """The ``.npy`` members of an open zip archive (see :func:`read_npz`, which opens one)."""
    cap = max_array_bytes() if cap is None else int(cap)
    infos = [i for i in zf.infolist() if not i.is_dir()]
    total = sum(i.file_size for i in infos)
    if max_total is not None and total > max_total:
        raise ValueError(f"{name} would unpack to {total / 2**20:,.0f} MiB, over the limit of "
                         f"{max_total / 2**20:,.0f} MiB; refusing it (possible zip bomb).")
    wanted = None if keys is None else set(keys)
    out = {}
    for info in infos:
        key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
        if wanted is not None and key not in wanted:
            continue
        # a member's declared size bounds everything read from it (npy header included)
        if info.file_size > cap + 65536:
            raise ValueError(f"{name}: array {key!r} declares {info.file_size / 2**20:,.0f} MiB unpacked, over "
                             f"the limit of {cap / 2**20:,.0f} MiB per array. Use a smaller file, or raise "
                             f"the limit with {_SETTING}.")
        try:
            member = zf.open(info)
        except (NotImplementedError, zipfile.BadZipFile, ValueError) as exc:
            raise ValueError(f"{name}: array {key!r} could not be opened ({exc}).") from None
        with member:
            out[key] = read_npy(member, f"{name}: array {key!r}", available=info.file_size, cap=cap)
    return out
