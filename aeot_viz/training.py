"""The one training code path of AE-OT, shared by the CLI and the Train page.

``fit_aeot(dataset, config, callback)`` runs the whole chain: train the autoencoder
(:func:`train_autoencoder`), encode the data, fit the :class:`~aeot_viz.normalization.LatentNormalizer`
and solve semi-discrete OT for the heights (:class:`~aeot_viz.ot.SemiDiscreteOT`). Progress goes to
``callback`` as :class:`~aeot_viz.progress.ProgressEvent` objects; the trainer does not know who
listens.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import time
from typing import Optional

import numpy as np
import torch

from .autoencoder import Autoencoder, build_autoencoder, resolve_kind
from .config import AEOTConfig, TrainConfig
from .datasets import Dataset
from .device import resolve_device
from .model import AEOTModel
from .normalization import LatentNormalizer
from .ot import SemiDiscreteOT
from .progress import Callback, emit

__all__ = ["train_autoencoder", "encode_array", "fit_aeot", "MAX_DISPLAY_IMAGES"]

#: at most this many training images are kept in a model for display
MAX_DISPLAY_IMAGES = 20_000


def _seed_all(seed: int) -> torch.Generator:
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def train_autoencoder(
    model: Autoencoder,
    data: np.ndarray,
    config: TrainConfig,
    callback: Optional[Callback] = None,
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
    X = torch.from_numpy(data)
    bs = min(config.batch_size, n)
    n_batches = (n + bs - 1) // bs
    total = config.epochs * n_batches
    step = 0
    t0 = time.perf_counter()
    try:
        for epoch in range(config.epochs):
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
    finally:
        model.to("cpu").eval()
    return history


@torch.no_grad()
def encode_array(model: Autoencoder, data, batch_size: int = 1024, device: str = "cpu",
                 callback: Optional[Callback] = None) -> np.ndarray:
    """Latent codes of ``data`` (n, *sample_shape) -> (n, latent_dim), float32, in eval mode."""
    data = np.asarray(data, dtype=np.float32)
    dev = resolve_device(device)
    model.to(dev).eval()
    out = []
    n = len(data)
    for i in range(0, n, batch_size):
        out.append(model.encode(torch.from_numpy(data[i : i + batch_size]).to(dev)).cpu())
        emit(callback, "encode", min(i + batch_size, n), n)
    model.to("cpu")
    if not out:
        return np.zeros((0, model.latent_dim), dtype=np.float32)
    return torch.cat(out).numpy().astype(np.float32)


def fit_aeot(dataset: Dataset, config: Optional[AEOTConfig] = None,
             callback: Optional[Callback] = None) -> AEOTModel:
    """Train an AE-OT model on ``dataset``: autoencoder, codes, normalisation, OT heights.

    Parameters
    ----------
    dataset : Dataset
    config : AEOTConfig, optional
        Defaults to ``AEOTConfig()``.
    callback : callable, optional
        Receives progress events of every stage ("autoencoder", "encode", "ot", "ot-validation").

    Returns
    -------
    AEOTModel

    Raises
    ------
    ValueError
        When the settings do not fit the data (e.g. latent dimension too large), or a stage diverges.
    """
    if not isinstance(dataset, Dataset):
        raise TypeError(f"fit_aeot needs a Dataset, got {type(dataset).__name__}; see aeot_viz.datasets.")
    config = config or AEOTConfig()
    config.validate()
    if len(dataset) < 2:
        raise ValueError(f"AE-OT needs at least 2 samples, dataset {dataset.name!r} has {len(dataset)}.")
    kind = resolve_kind(config.ae, dataset.kind, dataset.shape)
    torch.manual_seed(config.train.random_state)
    ae = build_autoencoder(config.ae, dataset.kind, dataset.shape)
    history = train_autoencoder(ae, dataset.data, config.train, callback)
    codes = encode_array(ae, dataset.data, device=config.train.device, callback=callback)
    normalizer = LatentNormalizer().fit(codes)
    targets = normalizer.transform(codes)
    solver = SemiDiscreteOT(**dataclasses.asdict(config.ot)).fit(targets, callback=callback)
    images = index = None
    if dataset.kind == "images":
        n = len(dataset)
        index = np.arange(n) if n <= MAX_DISPLAY_IMAGES else np.sort(
            np.random.default_rng(0).choice(n, MAX_DISPLAY_IMAGES, replace=False))
        images = np.round(dataset.data[index] * 255).astype(np.uint8)
    return AEOTModel(
        config=config,
        ae_kind=kind,
        autoencoder=ae,
        dataset=dataset.describe(),
        codes=codes,
        labels=dataset.labels,
        normalizer=normalizer,
        h=solver.h_,
        ot_log={k: np.asarray(v) for k, v in solver.log_.items()},
        ot_validation=solver.validation_.to_dict(),
        ot_validation_log=solver.validation_log_,
        h_snapshots=solver.snapshots_,
        snapshot_iters=solver.snapshot_iters_,
        train_history=history,
        images=images,
        images_index=index,
        created=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    )
