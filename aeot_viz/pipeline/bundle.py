"""Save and load AE-OT models as one self-describing, pickle-free file.

Format (``format_version`` 1): a NumPy ``.npz`` archive (a zip of ``.npy`` arrays, read with
``allow_pickle=False``) holding

========================  ===================================================================
``meta.json``             uint8 bytes of a JSON object: ``format``, ``format_version``, config,
                          autoencoder kind, dataset description, OT validation and log summary,
                          training history, creation time, software versions
``weights/<name>``        autoencoder state dict, one array per tensor
``codes``                 latent codes, float32 (N, d)
``labels``                int64 (N,), optional
``norm_center``           float64 (d,);  ``norm_scale``: float64 ()
``ot_h``                  float64 (N,)
``ot_log/<column>``       per-iteration solver log
``ot_snapshots``          float32 (S, N) (float64 for an exact 2-D Newton solve: its few iterates keep
                          their exact errors), with ``ot_snapshot_iters`` int64 (S,)
``images``                uint8 (n_img, C, H, W), with ``images_index`` int64 (n_img,), optional
``null_*``                the convex null of the singular set (``null_angles``, ``null_relative_jumps``
                          float32 (E0,), ``null_meta`` int64 (5,); since issue 32 also ``null_emptiness``
                          float64 (E0,), the midpoint test's statistic, and ``null_heights`` float64 (N0,), the
                          null's OT heights), optional; a null without ``null_emptiness`` is rebuilt by the
                          views job
``views/<name>``          precomputed views (:mod:`aeot_viz.pipeline.views`), numeric or boolean arrays of
                          at most 3 dimensions, described by the ``views`` entry of the metadata; optional
========================  ===================================================================

Loading rebuilds the autoencoder from the stored config and loads the weights into it; every array
is checked for dtype, shape and finiteness, the archive's uncompressed size is capped (zip bombs are
refused), and files of another format or version fail with a message that says so. Writes go to a
temporary file beside the target and are renamed into place, so a crash never leaves a
half-written bundle.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from .._version import __version__
from ..analysis.convex_null import ConvexNull
from ..io.archive import (
    DEFAULT_MAX_BYTES,
    BundleError,
    PathLike,
    _fail,
    arrays_to_bytes,
    load_weights,
    meta_array,
    read_archive,
    read_meta,
    weight_arrays,
    write_atomic,
)
from ..models.autoencoder import build_autoencoder
from ..models.config import AE_KINDS
from ..models.normalization import LatentNormalizer
from .config import AEOTConfig
from .model import AEOTModel

__all__ = ["save_bundle", "load_bundle", "bundle_to_bytes", "BundleError", "FORMAT", "FORMAT_VERSION",
           "DEFAULT_MAX_BYTES"]

FORMAT = "aeot-viz-bundle"
FORMAT_VERSION = 1


def _arrays(model: AEOTModel) -> dict:
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "config": model.config.to_dict(),
        "ae_kind": model.ae_kind,
        "dataset": model.dataset,
        "ot_validation": model.ot_validation,
        "ot_validation_log": model.ot_validation_log,
        "train_history": model.train_history,
        "created": model.created,
        "software": {"aeot_viz": __version__, "torch": torch.__version__, "numpy": np.__version__},
        "views": dict(model.views_meta),
    }
    arrays = {"meta.json": meta_array(meta), **weight_arrays(model.autoencoder, "weights/")}
    arrays["codes"] = np.asarray(model.codes, dtype=np.float32)
    if model.labels is not None:
        arrays["labels"] = np.asarray(model.labels, dtype=np.int64)
    arrays["norm_center"] = np.asarray(model.normalizer.center_, dtype=np.float64)
    arrays["norm_scale"] = np.asarray(model.normalizer.scale_, dtype=np.float64)
    arrays["ot_h"] = np.asarray(model.h, dtype=np.float64)
    for k, v in (model.ot_log or {}).items():
        arrays[f"ot_log/{k}"] = np.asarray(v)
    if model.h_snapshots is not None:
        exact = (model.ot_validation or {}).get("exact_l1") is not None
        arrays["ot_snapshots"] = np.asarray(model.h_snapshots, dtype=np.float64 if exact else np.float32)
        arrays["ot_snapshot_iters"] = np.asarray(model.snapshot_iters, dtype=np.int64)
    if model.images is not None:
        arrays["images"] = np.asarray(model.images, dtype=np.uint8)
        arrays["images_index"] = np.asarray(model.images_index, dtype=np.int64)
    if model.singular_null is not None:
        arrays.update(model.singular_null.to_arrays("null_"))
    for k, v in dict(model.views).items():  # a copy: a background job may be adding views meanwhile
        arrays[f"views/{k}"] = np.asarray(v)
    return arrays


def bundle_to_bytes(model: AEOTModel) -> bytes:
    """The bundle file's bytes (for a download button)."""
    return arrays_to_bytes(_arrays(model))


def save_bundle(model: AEOTModel, path: PathLike) -> Path:
    """Write ``model`` to ``path`` atomically (temporary file, then rename). Returns the path.

    The suffix ``.npz`` is added when missing.
    """
    if not isinstance(model, AEOTModel):
        raise TypeError(f"save_bundle needs an AEOTModel, got {type(model).__name__}.")
    p = Path(path)
    if p.suffix != ".npz":
        p = p.with_name(p.name + ".npz")
    return write_atomic(p, bundle_to_bytes(model))


def _array(arrs, key, dtype_kind, ndim, name):
    if key not in arrs:
        _fail(f"{name} has no {key!r} array; it is incomplete or not an AE-OT bundle.")
    a = arrs[key]
    if a.dtype.kind not in dtype_kind or a.ndim != ndim:
        _fail(f"{name}: {key!r} must be a {ndim}-D array of kind {dtype_kind!r}, got {a.dtype} {a.shape}.")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        _fail(f"{name}: {key!r} contains NaN or Inf.")
    return a


def load_bundle(source, max_bytes: int = DEFAULT_MAX_BYTES) -> AEOTModel:
    """Load a bundle from a path, bytes or a binary file object.

    Raises
    ------
    BundleError (a ValueError)
        The file is missing, not a bundle, of another format version, or damaged.
    """
    arrs = read_archive(source, max_bytes)
    name = str(source) if isinstance(source, (str, os.PathLike)) else "uploaded bundle"
    meta = read_meta(arrs, name, FORMAT, FORMAT_VERSION, what="an AE-OT bundle")
    try:
        config = AEOTConfig.from_dict(meta.get("config"))
    except (TypeError, ValueError, OverflowError) as exc:
        _fail(f"{name}: invalid config ({exc}).")
    dataset = meta.get("dataset")
    if not isinstance(dataset, dict) or dataset.get("kind") not in ("points", "images") \
            or not isinstance(dataset.get("shape"), list) \
            or not all(isinstance(s, int) and 0 < s <= 4096 for s in dataset["shape"]):
        _fail(f"{name}: dataset description is missing or invalid.")
    codes = _array(arrs, "codes", "f", 2, name).astype(np.float32)
    N, d = codes.shape
    if N < 1 or d < 1:
        _fail(f"{name}: 'codes' is empty.")
    h = _array(arrs, "ot_h", "f", 1, name).astype(np.float64)
    center = _array(arrs, "norm_center", "f", 1, name)
    scale = _array(arrs, "norm_scale", "f", 0, name)
    if h.shape != (N,) or center.shape != (d,) or not float(scale) > 0:
        _fail(f"{name}: array shapes disagree (codes {codes.shape}, h {h.shape}, centre {center.shape}).")
    labels = None
    if "labels" in arrs:
        labels = _array(arrs, "labels", "iu", 1, name).astype(np.int64)
        if labels.shape != (N,):
            _fail(f"{name}: 'labels' has shape {labels.shape}, expected ({N},).")
    ae_kind = meta.get("ae_kind")
    cfg_ae = type(config.ae)(**{**config.ae.__dict__, "kind": ae_kind}) if ae_kind in AE_KINDS[1:] \
        else _fail(f"{name}: unknown autoencoder kind {ae_kind!r}.")
    # build it on the "meta" device first (no memory): a crafted config must not make us allocate a network
    # much larger than the weights the file actually holds (small mismatches get the precise message below)
    stored = sum(int(a.size) for k, a in arrs.items() if k.startswith("weights/"))
    try:
        with torch.device("meta"):
            planned = sum(t.numel() for t in build_autoencoder(cfg_ae, dataset["kind"],
                                                               tuple(dataset["shape"])).state_dict().values())
        if planned > 4 * stored + 1_000_000:
            _fail(f"{name}: its config asks for an autoencoder of {planned:,} weights but the file holds "
                  f"{stored:,}; the config and the weights do not belong together.")
        ae = build_autoencoder(cfg_ae, dataset["kind"], tuple(dataset["shape"]))
    except (TypeError, ValueError, RuntimeError) as exc:
        if isinstance(exc, BundleError):
            raise
        _fail(f"{name}: cannot rebuild its autoencoder ({exc}).")
    if ae.latent_dim != d:
        _fail(f"{name}: codes have dimension {d} but the autoencoder's latent dimension is {ae.latent_dim}.")
    load_weights(ae, arrs, "weights/", name)
    for key, typ in (("ot_validation", dict), ("ot_validation_log", list), ("train_history", dict)):
        if meta.get(key) is not None and not isinstance(meta[key], typ):
            _fail(f"{name}: metadata {key!r} must be a JSON {'object' if typ is dict else 'list'}.")
    ot_log = {key[len("ot_log/"):]: a for key, a in arrs.items() if key.startswith("ot_log/")}
    snaps = iters = None
    if "ot_snapshots" in arrs:
        snaps = _array(arrs, "ot_snapshots", "f", 2, name)
        iters = _array(arrs, "ot_snapshot_iters", "iu", 1, name).astype(np.int64)
        if snaps.shape[1] != N or len(iters) != len(snaps):
            _fail(f"{name}: OT snapshots have shape {snaps.shape}, expected (S, {N}).")
    images = index = None
    if "images" in arrs:
        images = _array(arrs, "images", "u", 4, name)
        index = _array(arrs, "images_index", "iu", 1, name).astype(np.int64)
        bad_index = len(index) and (index.min() < 0 or index.max() >= N)
        if images.dtype != np.uint8 or len(index) != len(images) or bad_index:
            _fail(f"{name}: 'images' and 'images_index' do not match the {N} codes.")
    try:
        null = ConvexNull.from_arrays(arrs, "null_")
    except ValueError as exc:
        _fail(f"{name}: {exc}")
    if null is not None and (null.n_codes > N or null.dim != d):
        _fail(f"{name}: its convex null was built for {null.n_codes} codes in {null.dim}-D, not for its {N} codes "
              f"in {d}-D; rebuild it (scripts/build_singular_nulls.py).")
    views = {}
    for key, a in arrs.items():
        if key.startswith("views/"):
            view = key[len("views/"):]
            if not view.replace("_", "").isalnum() or a.dtype.kind not in "biuf" or a.ndim > 3 \
                    or (a.dtype.kind == "f" and not np.isfinite(a).all()):
                _fail(f"{name}: view {view!r} must be a finite numeric array of at most 3 dimensions "
                      f"with a plain name, got {a.dtype} {a.shape}.")
            views[view] = a
    views_meta = meta.get("views") or {}
    if not isinstance(views_meta, dict):
        _fail(f"{name}: metadata 'views' must be a JSON object.")
    return AEOTModel(
        config=config,
        ae_kind=ae_kind,
        autoencoder=ae,
        dataset=dataset,
        codes=codes,
        labels=labels,
        normalizer=LatentNormalizer.from_params(center, scale),
        h=h,
        ot_log=ot_log,
        ot_validation=meta.get("ot_validation") or {},
        ot_validation_log=meta.get("ot_validation_log") or [],
        h_snapshots=snaps,
        snapshot_iters=iters,
        train_history=meta.get("train_history") or {},
        images=images,
        images_index=index,
        created=str(meta.get("created", "")),
        singular_null=null,
        views=views,
        views_meta=views_meta,
    )
