"""The one training code path of AE-OT, shared by the CLI and the Train page.

``fit_aeot(dataset, config, callback)`` runs the whole chain: train the autoencoder
(:func:`train_autoencoder`), encode the data, fit the :class:`~aeot_viz.models.normalization.LatentNormalizer`
and solve semi-discrete OT for the heights (:class:`~aeot_viz.ot.SemiDiscreteOT`). Progress goes to
``callback`` as :class:`~aeot_viz.utils.progress.ProgressEvent` objects; the trainer does not know who
listens.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import time
from pathlib import Path
from typing import Optional

import numpy as np
import torch

from ..analysis.singularity import model_singular_set
from ..data import Dataset
from ..io.archive import load_weights, weight_arrays
from ..io.checkpoint import fingerprint, load_checkpoint, save_checkpoint
from ..models.autoencoder import Autoencoder, build_autoencoder, encode_array, resolve_kind
from ..models.normalization import LatentNormalizer
from ..ot import OTResult, solve_ot
from ..utils.device import resolve_device
from ..utils.progress import Callback, emit, relabelled
from .config import AEOTConfig, TrainConfig
from .model import AEOTModel

__all__ = ["train_autoencoder", "encode_array", "fit_aeot", "check_training_input", "ot_model_fields",
           "MAX_DISPLAY_IMAGES", "MAX_DISPLAY_BYTES", "display_image_count"]

#: at most this many training images are kept in a model for display
MAX_DISPLAY_IMAGES = 20_000
#: and at most this many bytes of them (uint8 pixels): 20,000 MNIST digits, about 7,100 Stacked-MNIST images
MAX_DISPLAY_BYTES = 16 * 2**20


def display_image_count(sample_shape) -> int:
    """How many training images of one-sample shape (C, H, W) a model keeps for display: at most
    :data:`MAX_DISPLAY_IMAGES` and :data:`MAX_DISPLAY_BYTES` of uint8 pixels (at least one)."""
    return int(max(1, min(MAX_DISPLAY_IMAGES, MAX_DISPLAY_BYTES // max(1, int(np.prod(sample_shape))))))


def _seed_all(seed: int) -> torch.Generator:
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def train_autoencoder(
    model: Autoencoder,
    data: np.ndarray,
    config: TrainConfig,
    callback: Optional[Callback] = None,
    *,
    checkpoint=None,
) -> dict:
    r"""Train ``model`` on ``data`` with Adam on its reconstruction loss.

    The loss is the mean binary cross-entropy per pixel for image autoencoders (pixels in [0, 1])
    and the mean squared error otherwise; see :meth:`Autoencoder.loss`.

    Parameters
    ----------
    model : Autoencoder
        Trained in place; left in eval mode on the CPU.
    data : numpy.ndarray, shape (n, *sample_shape)
    config : TrainConfig
        Epochs, batch size, learning rate, weight decay, device and seed.
    callback : callable, optional
        Receives a ``ProgressEvent("autoencoder", step, total, loss=..., epoch=...)`` after every batch.
    checkpoint : path-like, optional
        A checkpoint file (:mod:`aeot_viz.io.checkpoint`) written after every epoch: weights, Adam's
        moments, the random generators' states and the history. When it exists training resumes after
        its epoch and computes what the uninterrupted run would have; it must come from the same
        network, data and settings (``epochs`` and ``device`` may differ), else ``ValueError``.

    Returns
    -------
    dict
        ``{"epoch": [...], "loss": [...], "time": [...]}``: mean training loss of each epoch.
    """
    config.validate()
    data = np.asarray(data, dtype=np.float32)
    n = len(data)
    history = {"epoch": [], "loss": [], "time": []}
    if not model.trainable or config.epochs == 0:
        return history
    if n < 2:
        raise ValueError(f"Training an autoencoder needs at least 2 samples, got {n}.")
    dev = resolve_device(config.device)
    gen = _seed_all(config.random_state)
    model.to(dev).train()
    opt = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    key = None if checkpoint is None else _ae_fingerprint(model, data, config)
    start, elapsed0 = 0, 0.0
    found = load_checkpoint(checkpoint, "autoencoder", key)
    if found is not None:
        meta, arrs = found
        if meta["epoch"] > config.epochs:
            raise ValueError(f"{checkpoint} holds {meta['epoch']} epochs, more than the {config.epochs} asked "
                             "for; ask for at least as many epochs, or delete it to start afresh.")
        _restore_training(model, opt, gen, arrs, str(checkpoint))
        history = {k: list(meta["history"][k]) for k in history}
        start, elapsed0 = int(meta["epoch"]), float(meta["elapsed"])
    X = torch.from_numpy(data)
    bs = min(config.batch_size, n)
    n_batches = (n + bs - 1) // bs
    total = config.epochs * n_batches
    step = start * n_batches
    t0 = time.perf_counter() - elapsed0
    try:
        for epoch in range(start, config.epochs):
            perm = torch.randperm(n, generator=gen)
            tot, cnt = 0.0, 0
            for b in range(n_batches):
                idx = perm[b * bs : (b + 1) * bs]
                step += 1
                if len(idx) < 2:  # batch norm needs two samples; the sample is seen next epoch
                    continue
                xb = X[idx].to(dev, non_blocking=True)
                loss = model.loss(xb)
                if not torch.isfinite(loss):
                    raise ValueError(f"The autoencoder loss became {loss.item()} at epoch {epoch + 1}; "
                                     "lower the learning rate.")
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                lv = float(loss.detach())
                tot += lv * len(idx)
                cnt += len(idx)
                emit(callback, "autoencoder", step, total, loss=lv, epoch=epoch + 1, epochs=config.epochs,
                     time=time.perf_counter() - t0)
            history["epoch"].append(epoch + 1)
            history["loss"].append(tot / max(cnt, 1))
            history["time"].append(time.perf_counter() - t0)
            if key is not None:
                save_checkpoint(checkpoint, "autoencoder", key,
                                {"epoch": epoch + 1, "history": history, "elapsed": time.perf_counter() - t0},
                                _training_state(model, opt, gen))
    finally:
        model.to("cpu").eval()
    return history


def _ae_fingerprint(model: Autoencoder, data: np.ndarray, config: TrainConfig) -> str:
    """Fingerprint of an autoencoder run: its network, data and the settings that change the result."""
    settings = {k: v for k, v in dataclasses.asdict(config).items() if k not in ("epochs", "device")}
    shapes = {k: list(t.shape) for k, t in model.state_dict().items()}
    return fingerprint({"train": settings, "network": type(model).__name__, "shapes": shapes}, data)


def _training_state(model: Autoencoder, opt: torch.optim.Optimizer, gen: torch.Generator) -> dict:
    """Arrays of a training checkpoint: weights, Adam's state per parameter, generator states."""
    arrays = weight_arrays(model, "model.")
    for i, st in opt.state_dict()["state"].items():
        for k, v in st.items():
            arrays[f"adam.{i}.{k}"] = torch.as_tensor(v).detach().cpu().numpy()
    arrays["rng.batches"] = gen.get_state().numpy()
    arrays["rng.torch"] = torch.get_rng_state().numpy()
    return arrays


def _restore_training(model: Autoencoder, opt: torch.optim.Optimizer, gen: torch.Generator, arrs: dict,
                      name: str) -> None:
    """Load :func:`_training_state` arrays back into the model, the optimizer and the generators."""
    dev = next(model.parameters()).device
    load_weights(model, arrs, "model.", name).to(dev).train()
    sd = opt.state_dict()
    state: dict = {}
    for key, a in arrs.items():
        if key.startswith("adam."):
            _, i, k = key.split(".", 2)
            t = torch.from_numpy(np.array(a))
            state.setdefault(int(i), {})[k] = t if k == "step" else t.to(dev)
    sd["state"] = state
    opt.load_state_dict(sd)
    gen.set_state(torch.from_numpy(np.array(arrs["rng.batches"], dtype=np.uint8)))
    torch.set_rng_state(torch.from_numpy(np.array(arrs["rng.torch"], dtype=np.uint8)))


def ot_model_fields(result: OTResult) -> dict:
    """The :class:`~aeot_viz.pipeline.model.AEOTModel` fields that hold an OT solve, from its result: ``h``,
    ``ot_log``, ``ot_validation``, ``ot_validation_log``, ``h_snapshots``, ``snapshot_iters`` (writable
    copies of the result's read-only arrays)."""
    return {
        "h": np.array(result.h),
        "ot_log": {k: np.array(v) for k, v in result.log.items()},
        "ot_validation": result.validation.to_dict(),
        "ot_validation_log": list(result.validation_log),
        "h_snapshots": np.array(result.snapshots),
        "snapshot_iters": np.array(result.snapshot_iters),
    }


@contextlib.contextmanager
def _out_of_memory_as_error(stage: str, knob: str):
    """Turn PyTorch's and Python's out-of-memory errors into a ``MemoryError`` that says what to lower."""
    try:
        yield
    except (torch.OutOfMemoryError, MemoryError) as exc:
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        raise MemoryError(f"Out of memory while {stage} ({type(exc).__name__}); lower {knob}, use fewer "
                          "samples, or run on the CPU (device 'cpu'). With a checkpoint folder the next run "
                          "resumes from the last finished epoch / round.") from exc


def check_training_input(dataset: Dataset, config: Optional[AEOTConfig] = None) -> AEOTConfig:
    """The checks :func:`fit_aeot` makes before any training, on their own: a caller that runs the training
    elsewhere (a worker process) refuses bad input at once. Returns the config (``AEOTConfig()`` for None).

    Raises
    ------
    TypeError
        When ``dataset`` is not a :class:`~aeot_viz.data.Dataset`.
    ValueError
        When the settings are invalid, the dataset has fewer than 2 samples, or every sample is identical.
    """
    if not isinstance(dataset, Dataset):
        raise TypeError(f"fit_aeot needs a Dataset, got {type(dataset).__name__}; see aeot_viz.data.")
    config = config or AEOTConfig()
    config.validate()
    if len(dataset) < 2:
        raise ValueError(f"AE-OT needs at least 2 samples, dataset {dataset.name!r} has {len(dataset)}.")
    flat = dataset.data.reshape(len(dataset), -1)
    if bool((flat == flat[:1]).all()):
        raise ValueError(f"All {len(dataset)} samples of {dataset.name!r} are identical (constant data): AE-OT has "
                         "nothing to learn or transport; check the file.")
    return config


def fit_aeot(dataset: Dataset, config: Optional[AEOTConfig] = None,
             callback: Optional[Callback] = None, *, checkpoint_dir=None) -> AEOTModel:
    """Train an AE-OT model on ``dataset``: autoencoder, codes, normalisation, OT heights.

    Parameters
    ----------
    dataset : Dataset
    config : AEOTConfig, optional
        Defaults to ``AEOTConfig()``.
    callback : callable, optional
        Receives progress events of every stage ("autoencoder", "encode", "ot", "ot-validation",
        "convex-null" and "convex-null-validation": the OT solve of the convex null that calibrates the singular
        set, and its validations).
    checkpoint_dir : path-like, optional
        Folder for the checkpoints of the autoencoder (``autoencoder.npz``, after every epoch) and the
        OT solver (``ot.npz``, after every round). Running again with the same folder, data and
        settings resumes where the last run stopped (cancelled, crashed, out of memory) and gives the
        same model as an uninterrupted run; see :mod:`aeot_viz.io.checkpoint`.

    Returns
    -------
    AEOTModel

    Raises
    ------
    ValueError
        When the settings do not fit the data (e.g. latent dimension too large), or a stage diverges,
        or a checkpoint in ``checkpoint_dir`` comes from other data or settings.
    MemoryError
        When a stage runs out of (GPU or CPU) memory; the message says which settings to lower.
    """
    config = check_training_input(dataset, config)
    kind = resolve_kind(config.ae, dataset.kind, dataset.shape)
    torch.manual_seed(config.train.random_state)
    ae = build_autoencoder(config.ae, dataset.kind, dataset.shape)
    ckpt = None if checkpoint_dir is None else Path(checkpoint_dir)
    with _out_of_memory_as_error("training the autoencoder", "the batch size"):
        history = train_autoencoder(ae, dataset.data, config.train, callback,
                                    checkpoint=None if ckpt is None else ckpt / "autoencoder.npz")
    with _out_of_memory_as_error("encoding the data", "the batch size"):
        codes = encode_array(ae, dataset.data, device=config.train.device, callback=callback)
    normalizer = LatentNormalizer().fit(codes)
    targets = normalizer.transform(codes)
    with _out_of_memory_as_error("solving OT", "the OT batch size (max_batch_size)"):
        result = solve_ot(targets, callback=callback, checkpoint=None if ckpt is None else ckpt / "ot.npz",
                          **dataclasses.asdict(config.ot))
    images = index = None
    if dataset.kind == "images":
        n, keep = len(dataset), display_image_count(dataset.shape)
        index = np.arange(n) if n <= keep else np.sort(np.random.default_rng(0).choice(n, keep, replace=False))
        images = np.round(dataset.data[index] * 255).astype(np.uint8)
    model = AEOTModel(
        config=config,
        ae_kind=kind,
        autoencoder=ae,
        dataset=dataset.describe(),
        codes=codes,
        labels=dataset.labels,
        normalizer=normalizer,
        **ot_model_fields(result),
        train_history=history,
        images=images,
        images_index=index,
        created=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    )
    with _out_of_memory_as_error("calibrating the singular set (the convex null's OT solve)",
                                 "the OT batch size (max_batch_size)"):
        model.singular_null = model_singular_set(
            model, callback=relabelled(callback, {"ot": "convex-null", "ot-validation": "convex-null-validation"}),
            random_state=config.ot.random_state).null
    return model
