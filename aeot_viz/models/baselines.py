r"""Continuous generators to compare AE-OT with: a GAN, a PacGAN, a WGAN-GP and a VAE.

All three learn a map from Gaussian noise :math:`z \sim N(0, I_k)` to data, either the 2-D toy points
themselves or the latent codes of an AE-OT model (so the shared decoder makes the images and the
comparison isolates the noise-to-latent map). Data are standardised first (centre and one scale,
stored); networks are MLPs with ``layers`` hidden layers of ``hidden`` units.

* **GAN** (Goodfellow et al. 2014), non-saturating loss: the discriminator :math:`D` minimises
  :math:`-\log \sigma(D(x)) - \log(1 - \sigma(D(G(z))))`, the generator :math:`-\log \sigma(D(G(z)))`.
* **PacGAN** (Lin et al. 2018): the GAN whose discriminator judges *packs* of ``pack`` samples at once,
  concatenated (all real or all generated), so a generator that repeats itself is easy to tell apart: the
  field's own answer to mode collapse.
* **WGAN-GP** (Gulrajani et al. 2017): the critic minimises :math:`D(G(z)) - D(x) + \lambda
  (|\nabla D(\hat x)| - 1)^2` at random interpolates :math:`\hat x`, ``n_critic`` critic steps per
  generator step; the generator minimises :math:`-D(G(z))`.
* **VAE** (Kingma & Welling 2014): Gaussian encoder :math:`q(z|x)`, Gaussian decoder with a learned
  scalar variance; loss :math:`-\mathrm{ELBO} = \frac{|x - \mu_\theta(z)|^2}{2 s^2} + d \log s +
  \beta\,\mathrm{KL}(q(z|x) \| N(0, I))`, the KL weight warmed up from 0 over the first 30% of the steps
  (against posterior collapse). Samples are decoder means :math:`\mu_\theta(z)`.

Every generator is a continuous function of :math:`z`; the connected noise space is mapped onto a
connected set, so on data with separated modes it must either leave modes out or put samples between
them. That is what the Mode Collapse page shows next to AE-OT.

Training reports ``ProgressEvent(kind, step, total, loss_d=..., loss_g=...)`` and keeps snapshots of
the generated points of a fixed noise batch (the replay of training on the page).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
import torch
from torch import nn

from ..io.archive import (
    BundleError,
    arrays_to_bytes,
    load_weights,
    meta_array,
    read_archive,
    read_meta,
    weight_arrays,
    write_atomic,
)
from ..utils.device import resolve_device
from ..utils.progress import Callback, emit

__all__ = ["BaselineConfig", "Baseline", "fit_baseline", "save_baselines", "baselines_to_bytes", "load_baselines",
           "KINDS", "DEFAULT_STEPS", "DEFAULT_PACK", "toy_recipe", "TOY_RECIPE", "pack_samples"]

KINDS = ("gan", "pacgan", "wgan-gp", "vae")
#: generator steps when ``steps`` is not given (the latent-space recipe; 2-D toys use :func:`toy_recipe`): 8 times
#: issue 5's budget for the GANs, 4 times for WGAN-GP and the VAE. On the MNIST-10k codes (seed 0) the GAN's recall
#: read 0.05 at 6,000 steps, 0.16 at 24,000 and 0.63 at 48,000, where it levels off over the second half of
#: training; PacGAN 0.42 at 24,000, 0.58 at 48,000 (``benchmarks/baseline_convergence.py``, docs/BENCHMARKS.md)
DEFAULT_STEPS = {"gan": 48_000, "pacgan": 48_000, "wgan-gp": 6_000, "vae": 16_000}
#: samples per PacGAN pack when ``pack`` is not given (PacGAN4, the best published grid25 row)
DEFAULT_PACK = 4
FORMAT = "aeot-viz-baselines"
FORMAT_VERSION = 1


@dataclass
class BaselineConfig:
    """Settings of a baseline generator (module docstring).

    ``steps`` counts generator updates (default :data:`DEFAULT_STEPS` of the kind); WGAN-GP makes
    ``n_critic`` critic updates per generator update. Adam (``beta1``, default 0.5) with a cosine learning-rate
    decay to 0. The generator has ``layers`` hidden layers of ``hidden`` units (ReLU, with batch normalisation
    when ``batch_norm``); the discriminator (critic) ``d_layers`` of ``d_hidden`` units (default: the
    generator's), maxout units of ``maxout`` pieces when ``maxout > 1`` (PacGAN's toy discriminator), else
    LeakyReLU. ``pack`` is PacGAN's packing degree (default :data:`DEFAULT_PACK`; 1 for the other kinds).
    """

    kind: str = "gan"
    noise_dim: int = 8
    hidden: int = 128
    layers: int = 3
    steps: Optional[int] = None
    batch_size: int = 256
    lr: float = 1e-3
    n_critic: int = 5
    gp_weight: float = 0.1
    beta: float = 1.0
    pack: Optional[int] = None
    batch_norm: bool = False
    d_hidden: Optional[int] = None
    d_layers: Optional[int] = None
    maxout: int = 0
    beta1: float = 0.5
    n_snapshots: int = 20
    snapshot_points: int = 500
    device: str = "auto"
    random_state: int = 0

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}.")
        if self.steps is None:
            self.steps = DEFAULT_STEPS[self.kind]
        if self.pack is None:
            self.pack = DEFAULT_PACK if self.kind == "pacgan" else 1
        if self.d_hidden is None:
            self.d_hidden = self.hidden
        if self.d_layers is None:
            self.d_layers = self.layers
        if self.kind == "pacgan" and not (isinstance(self.pack, int) and 2 <= self.pack <= 16):
            raise ValueError(f"A PacGAN packs 2 to 16 samples (pack), got {self.pack!r}.")
        if self.kind != "pacgan" and self.pack != 1:
            raise ValueError(f"pack is PacGAN's setting; a {self.kind} judges one sample at a time (pack=1).")
        for name in ("noise_dim", "hidden", "layers", "steps", "batch_size", "n_critic", "d_hidden", "d_layers"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}.")
        if max(self.hidden, self.d_hidden) > 4096 or max(self.layers, self.d_layers) > 16 or self.noise_dim > 4096:
            raise ValueError("hidden, d_hidden <= 4096, layers, d_layers <= 16 and noise_dim <= 4096, please.")
        if not (isinstance(self.maxout, int) and 0 <= self.maxout <= 16):
            raise ValueError(f"maxout must be 0 (LeakyReLU) or up to 16 pieces, got {self.maxout!r}.")
        if not 0 <= self.beta1 < 1:
            raise ValueError(f"beta1 must be in [0, 1), got {self.beta1!r}.")
        for name in ("lr", "beta"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}.")
        if not self.gp_weight >= 0:
            raise ValueError(f"gp_weight must be non-negative, got {self.gp_weight!r}.")

    @classmethod
    def from_dict(cls, d) -> BaselineConfig:
        if not isinstance(d, dict):
            raise TypeError(f"A baseline config must be a dict, got {type(d).__name__}.")
        unknown = set(d) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"Unknown baseline setting(s) {sorted(unknown)}.")
        cfg = cls(**d)
        cfg.validate()
        return cfg


def _mlp(n_in: int, n_out: int, hidden: int, layers: int, act=nn.ReLU, batch_norm: bool = False) -> nn.Sequential:
    mods, width = [], n_in
    for _ in range(layers):
        mods += [nn.Linear(width, hidden)] + ([nn.BatchNorm1d(hidden)] if batch_norm else []) + [act()]
        width = hidden
    mods.append(nn.Linear(width, n_out))
    return nn.Sequential(*mods)


class _Maxout(nn.Module):
    """Maxout units (Goodfellow et al. 2013): a linear map to ``units * pieces`` values, the largest of each
    unit's ``pieces`` kept."""

    def __init__(self, n_in: int, units: int, pieces: int):
        super().__init__()
        self.linear = nn.Linear(n_in, units * pieces)
        self.units, self.pieces = units, pieces

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).view(x.shape[0], self.units, self.pieces).max(dim=2).values


def _generator_for(cfg: BaselineConfig, d: int) -> nn.Module:
    """Noise (m, noise_dim) -> standardised data (m, d): ReLU MLP, batch-normalised when ``cfg.batch_norm``."""
    return _mlp(cfg.noise_dim, d, cfg.hidden, cfg.layers, batch_norm=cfg.batch_norm)


def _critic_for(cfg: BaselineConfig, d: int) -> nn.Module:
    """Packs of ``cfg.pack`` samples, (m, pack * d) -> one score each: maxout or LeakyReLU MLP, no normalisation."""
    n_in = d * cfg.pack
    if cfg.maxout > 1:
        mods, width = [], n_in
        for _ in range(cfg.d_layers):
            mods.append(_Maxout(width, cfg.d_hidden, cfg.maxout))
            width = cfg.d_hidden
        return nn.Sequential(*mods, nn.Linear(width, 1))
    return _mlp(n_in, 1, cfg.d_hidden, cfg.d_layers, act=lambda: nn.LeakyReLU(0.2))


class _VAE(nn.Module):
    def __init__(self, d: int, k: int, hidden: int, layers: int):
        super().__init__()
        self.encoder = _mlp(d, 2 * k, hidden, layers)
        self.decoder = _mlp(k, d, hidden, layers)
        self.log_s = nn.Parameter(torch.zeros(()))
        self.k = k

    def loss(self, x: torch.Tensor, beta: float) -> torch.Tensor:
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        logvar = logvar.clamp(-12, 8)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        rec = ((x - self.decoder(z)) ** 2).sum(1) / (2 * (2 * self.log_s).exp()) + x.shape[1] * self.log_s
        kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(1)
        return (rec + beta * kl).mean()


@dataclass
class Baseline:
    """A trained baseline generator.

    Attributes
    ----------
    config : BaselineConfig
    generator : torch.nn.Module
        Noise (m, noise_dim) -> standardised data (m, d) (the VAE's decoder for ``kind="vae"``).
    center_ : numpy.ndarray, shape (d,)
    scale_ : float
        Data = center_ + scale_ * generator output.
    history_ : dict
        ``{"step": [...], "loss_d": [...], "loss_g": [...]}`` (the VAE logs its loss as ``loss_g``).
    snapshots_ : numpy.ndarray, float32, shape (S, snapshot_points, d)
        Generated points of one fixed noise batch during training.
    snapshot_steps_ : numpy.ndarray of int64, shape (S,)
    info : dict
        What it was trained on (e.g. ``{"space": "latent", "dataset": "mnist10k"}``).
    """

    config: BaselineConfig
    generator: nn.Module
    center_: np.ndarray
    scale_: float
    history_: dict = field(default_factory=dict)
    snapshots_: Optional[np.ndarray] = None
    snapshot_steps_: Optional[np.ndarray] = None
    info: dict = field(default_factory=dict)

    @property
    def dim(self) -> int:
        return len(self.center_)

    def noise(self, n: int, random_state: int = 0) -> np.ndarray:
        """Standard Gaussian noise (n, noise_dim), reproducible from ``random_state``."""
        return np.random.default_rng(random_state).standard_normal((int(n), self.config.noise_dim)).astype(np.float32)

    def generate_from_noise(self, z) -> np.ndarray:
        """Map noise vectors (m, noise_dim) to data space (m, d), float32."""
        Z = np.asarray(z, dtype=np.float32)
        if Z.ndim != 2 or Z.shape[1] != self.config.noise_dim:
            raise ValueError(f"Noise must have shape (m, {self.config.noise_dim}), got {Z.shape}.")
        self.generator.eval()
        with torch.no_grad():
            out = self.generator(torch.from_numpy(Z)).numpy().astype(np.float64)
        return (self.center_ + self.scale_ * out).astype(np.float32)

    def sample(self, n: int, random_state: int = 0) -> np.ndarray:
        """``n`` generated points (n, d)."""
        if n < 1:
            raise ValueError(f"n must be positive, got {n}.")
        return self.generate_from_noise(self.noise(n, random_state))


def fit_baseline(data, config: Optional[BaselineConfig] = None, *, callback: Optional[Callback] = None,
                 info: Optional[dict] = None) -> Baseline:
    """Train a baseline generator on ``data`` (n, d): points or latent codes.

    Parameters
    ----------
    data : array-like, shape (n, d)
    config : BaselineConfig
    callback : callable, optional
        Receives ``ProgressEvent(config.kind, step, config.steps, loss_d=..., loss_g=...)`` every step.
    info : dict, optional
        Stored with the model (what the data were).
    """
    cfg = config or BaselineConfig()
    cfg.validate()
    X = np.asarray(data, dtype=np.float64)
    if X.ndim != 2 or len(X) < 2 or not np.isfinite(X).all():
        raise ValueError(f"Baseline data must be a finite array (n, d) with n >= 2, got shape {X.shape}.")
    center = X.mean(0)
    scale = float(np.sqrt(((X - center) ** 2).sum(1).mean() / X.shape[1])) or 1.0
    dev = resolve_device(cfg.device)
    torch.manual_seed(cfg.random_state)
    gen = torch.Generator().manual_seed(cfg.random_state)
    Xt = torch.as_tensor((X - center) / scale, dtype=torch.float32)
    n, d = Xt.shape
    bs = min(cfg.batch_size, n)
    fixed = torch.as_tensor(np.random.default_rng(cfg.random_state + 1).standard_normal(
        (cfg.snapshot_points, cfg.noise_dim)), dtype=torch.float32)
    snap_at = set(np.unique(np.linspace(0, cfg.steps, max(cfg.n_snapshots, 2)).astype(int)).tolist())
    snaps, snap_steps = [], []
    hist = {"step": [], "loss_d": [], "loss_g": []}

    def batch() -> torch.Tensor:
        return Xt[torch.randint(0, n, (bs,), generator=gen)].to(dev)

    def snapshot(step: int, G: nn.Module) -> None:
        if step in snap_at:
            G.eval()
            with torch.no_grad():
                out = G(fixed.to(dev)).cpu().numpy().astype(np.float64)
            G.train()
            snaps.append((center + scale * out).astype(np.float32))
            snap_steps.append(step)

    def record(step: int, loss_d, loss_g, G: nn.Module) -> None:
        """Log a step's losses (the VAE has no discriminator: NaN), snapshot, report progress."""
        hist["step"].append(step)
        hist["loss_d"].append(float("nan") if loss_d is None else loss_d.item())
        hist["loss_g"].append(loss_g.item())
        snapshot(step, G)
        extra = {} if loss_d is None else {"loss_d": hist["loss_d"][-1]}
        emit(callback, cfg.kind, step, cfg.steps, loss_g=hist["loss_g"][-1], **extra)

    if cfg.kind == "vae":
        vae = _VAE(d, cfg.noise_dim, cfg.hidden, cfg.layers).to(dev)
        opt = torch.optim.Adam(vae.parameters(), lr=cfg.lr)
        scheds = [torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.steps)]
        snapshot(0, vae.decoder)
        for step in range(1, cfg.steps + 1):
            warm = min(1.0, step / max(1.0, 0.3 * cfg.steps))  # KL warm-up against posterior collapse
            loss = vae.loss(batch(), cfg.beta * warm)
            opt.zero_grad()
            loss.backward()
            opt.step()
            for sc in scheds:
                sc.step()
            record(step, None, loss, vae.decoder)
        G = vae.decoder
    else:
        G = _generator_for(cfg, d).to(dev)
        D = _critic_for(cfg, d).to(dev)
        betas = (cfg.beta1, 0.9 if cfg.kind == "wgan-gp" else 0.999)
        opt_g = torch.optim.Adam(G.parameters(), lr=cfg.lr, betas=betas)
        opt_d = torch.optim.Adam(D.parameters(), lr=cfg.lr, betas=betas)
        scheds = [torch.optim.lr_scheduler.CosineAnnealingLR(o, cfg.steps) for o in (opt_g, opt_d)]
        snapshot(0, G)
        for step in range(1, cfg.steps + 1):
            loss_d, loss_g = adversarial_step(cfg, G, D, opt_g, opt_d, batch, bs, gen, dev)
            for sc in scheds:
                sc.step()
            record(step, loss_d, loss_g, G)
    G = G.cpu().eval()
    info = dict(info or {})
    info.setdefault("created", _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"))
    return Baseline(cfg, G, center, scale, hist, np.stack(snaps), np.asarray(snap_steps, dtype=np.int64), info)


def pack_samples(x: torch.Tensor, pack: int) -> torch.Tensor:
    """PacGAN's packs: ``pack * m`` samples (pack * m, d) -> ``m`` packs (m, pack * d); pack ``k`` concatenates rows
    ``k, k + m, ..., k + (pack - 1) m``. The discriminator reads real and generated samples in separate calls, so a
    pack is all real or all generated."""
    if pack == 1:
        return x
    if x.shape[0] % pack:
        raise ValueError(f"{x.shape[0]} samples do not split into packs of {pack}.")
    m = x.shape[0] // pack
    return x.reshape(pack, m, -1).transpose(0, 1).reshape(m, -1)


def adversarial_step(cfg: BaselineConfig, G: nn.Module, D: nn.Module, opt_g, opt_d, batch, bs: int,
                     gen: torch.Generator, dev) -> tuple:
    """One generator update of a GAN or PacGAN (non-saturating loss) or a WGAN-GP (``n_critic`` critic updates
    first, gradient penalty on random mixes of real and fake). ``batch()`` draws ``bs`` real points; a PacGAN
    draws ``pack`` batches and its discriminator sees them as ``bs`` packs. Returns the losses."""
    softplus = nn.functional.softplus
    pack = cfg.pack or 1

    def real_batch() -> torch.Tensor:
        return pack_samples(torch.cat([batch() for _ in range(pack)]), pack) if pack > 1 else batch()

    def fake_batch() -> torch.Tensor:
        return pack_samples(G(torch.randn(bs * pack, cfg.noise_dim, generator=gen).to(dev)), pack)

    for _ in range(cfg.n_critic if cfg.kind == "wgan-gp" else 1):
        real = real_batch()
        with torch.no_grad():
            fake = fake_batch()
        if cfg.kind != "wgan-gp":
            loss_d = softplus(-D(real)).mean() + softplus(D(fake)).mean()
        else:
            eps = torch.rand(bs, 1, generator=gen).to(dev)
            mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
            grad = torch.autograd.grad(D(mix).sum(), mix, create_graph=True)[0]
            gp = ((grad.norm(dim=1) - 1) ** 2).mean()
            loss_d = D(fake).mean() - D(real).mean() + cfg.gp_weight * gp
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
    out = D(fake_batch())
    loss_g = -out.mean() if cfg.kind == "wgan-gp" else softplus(-out).mean()
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_d, loss_g


def save_baselines(baselines: dict, path) -> Path:
    """Write several baselines (name -> :class:`Baseline`) to one pickle-free ``.npz``, atomically."""
    return write_atomic(path, baselines_to_bytes(baselines))


#: training-history rows kept in a file (evenly spaced, the first and last included; the ``step`` column says which)
HISTORY_ROWS = 2000


def _thinned(history: dict) -> dict:
    """The loss history as JSON-ready lists, at most :data:`HISTORY_ROWS` evenly spaced rows."""
    n = len(history.get("step", []))
    rows = np.unique(np.linspace(0, n - 1, min(n, HISTORY_ROWS)).round().astype(int)) if n else np.zeros(0, int)
    return {k: [float(vals[i]) for i in rows] if len(vals) == n else [float(v) for v in vals]
            for k, vals in history.items()}


def baselines_to_bytes(baselines: dict) -> bytes:
    """The bytes of the file :func:`save_baselines` writes (for a download button)."""
    if not baselines:
        raise ValueError("Nothing to save: pass a dict name -> Baseline.")
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "models": {}}
    arrays = {}
    for name, b in baselines.items():
        if not isinstance(b, Baseline) or "/" in name:
            raise TypeError(f"{name!r}: expected a Baseline under a name without '/'.")
        meta["models"][name] = {"config": dataclasses.asdict(b.config), "scale": b.scale_, "info": b.info,
                                "history": _thinned(b.history_)}
        arrays.update(weight_arrays(b.generator, f"{name}/weights/"))
        arrays[f"{name}/center"] = np.asarray(b.center_, dtype=np.float64)
        if b.snapshots_ is not None:
            arrays[f"{name}/snapshots"] = np.asarray(b.snapshots_, dtype=np.float32)
            arrays[f"{name}/snapshot_steps"] = np.asarray(b.snapshot_steps_, dtype=np.int64)
    arrays["meta.json"] = meta_array(meta)
    return arrays_to_bytes(arrays)


def load_baselines(source, max_bytes: int = 256 * 2**20) -> dict:
    """Read a file written by :func:`save_baselines`; raises :class:`~aeot_viz.pipeline.bundle.BundleError`."""
    arrs = read_archive(source, max_bytes)
    name = str(source) if isinstance(source, (str, Path)) else "baselines file"
    meta = read_meta(arrs, name, FORMAT, FORMAT_VERSION)
    models = meta.get("models")
    if not isinstance(models, dict) or not models:
        raise BundleError(f"{name}: no models listed in its metadata.")
    out = {}
    for key, m in models.items():
        try:
            cfg = BaselineConfig.from_dict(m["config"])
            center = arrs[f"{key}/center"]
            scale = float(m["scale"])
        except (KeyError, TypeError, ValueError) as exc:
            raise BundleError(f"{name}: model {key!r} is incomplete or invalid ({exc}).") from exc
        if center.ndim != 1 or center.dtype.kind != "f" or not np.isfinite(center).all() or not scale > 0:
            raise BundleError(f"{name}: model {key!r} has an invalid data centre or scale.")
        G = load_weights(_generator_for(cfg, len(center)), arrs, f"{key}/weights/", name)
        snaps = arrs.get(f"{key}/snapshots")
        steps = arrs.get(f"{key}/snapshot_steps")
        if snaps is not None and (snaps.ndim != 3 or snaps.shape[2] != len(center) or steps is None
                                  or steps.shape != (len(snaps),)):
            raise BundleError(f"{name}: model {key!r} has snapshots of the wrong shape.")
        hist = m.get("history") if isinstance(m.get("history"), dict) else {}
        out[key] = Baseline(cfg, G, center.astype(np.float64), scale, hist, snaps,
                            None if steps is None else steps.astype(np.int64), dict(m.get("info") or {}))
    return out


#: The 2-D toy recipe. From PacGAN's toy experiments (Lin et al. 2018, following VEEGAN; the
#: ``synthetic_data_experiments`` configs of their public code) it takes the 2-D Gaussian noise, the non-saturating
#: loss, Adam, a linear output layer on standardised data, and their packing for the PacGAN (PacGAN2: packs of two;
#: their grid25 row is PacGAN4, which needed twice the steps here for the same score). Not their networks: a
#: generator of 4 x 400 batch-normalised ReLU units and a discriminator of 3 x 200 maxout units (5 pieces), at their
#: learning rate 1e-4 for 400,000 steps, did not fit a 2-core budget, and at 1e-3 they learned nothing in 2,000 steps
#: (2% high quality); the 3 x 128 MLP pair below reaches 97% on grid25 in 20,000 steps (docs/BENCHMARKS.md). Every
#: kind trains until its replay's scores level off, with the learning rate decaying to 0 (cosine). WGAN-GP takes
#: Gulrajani et al.'s toy settings: 5 critic steps, penalty weight 0.1, Adam (0.5, 0.9).
TOY_RECIPE = {
    "common": dict(noise_dim=2, hidden=128, layers=3, batch_size=256, lr=1e-3),
    "gan": dict(steps=20_000),
    "pacgan": dict(steps=20_000, pack=2),
    "wgan-gp": dict(steps=8_000, n_critic=5, gp_weight=0.1),
    "vae": dict(steps=20_000),
}


def toy_recipe(kind: str, **overrides) -> BaselineConfig:
    """The :data:`TOY_RECIPE` settings of ``kind`` for 2-D points, with ``overrides`` on top."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}.")
    cfg = BaselineConfig(kind=kind, **{**TOY_RECIPE["common"], **TOY_RECIPE[kind], **overrides})
    cfg.validate()
    return cfg
