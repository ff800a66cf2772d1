"""A GAN or WGAN-GP on 2-D points, trained a few steps at a time so a page can show its samples move.

The same networks and updates as :func:`aeot_viz.models.baselines.fit_baseline` (its ``adversarial_step``),
with a constant learning rate (there is no planned end) and the state kept between calls: training 100 steps
twice gives exactly what training 200 steps once gives.
"""

from __future__ import annotations

import numpy as np
import torch

from .baselines import BaselineConfig, _mlp, adversarial_step

__all__ = ["LiveGAN"]


class LiveGAN:
    """A generator and its discriminator (critic) on points (n, d), trained on demand.

    Parameters
    ----------
    kind : {"gan", "wgan-gp"}
    noise_dim, hidden, layers, batch_size, lr : as :class:`~aeot_viz.models.baselines.BaselineConfig`
    random_state : int

    Attributes
    ----------
    steps_ : int
        Generator updates so far.
    losses_ : tuple of float
        The last update's (discriminator or critic loss, generator loss); NaN before the first.
    """

    def __init__(self, kind: str = "gan", *, noise_dim: int = 2, hidden: int = 64, layers: int = 3,
                 batch_size: int = 128, lr: float = 1e-3, random_state: int = 0):
        if kind not in ("gan", "wgan-gp"):
            raise ValueError(f"kind must be 'gan' or 'wgan-gp', got {kind!r}.")
        self.kind, self.random_state = kind, int(random_state)
        self.config = BaselineConfig(kind=kind, noise_dim=noise_dim, hidden=hidden, layers=layers,
                                     batch_size=batch_size, lr=lr, device="cpu", random_state=random_state)
        self.config.validate()

    def fit_start(self, X) -> LiveGAN:
        """Set up on data ``X`` (n, d), normalised to zero mean and unit spread, with no step taken."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or len(X) < 2 or not np.isfinite(X).all():
            raise ValueError(f"LiveGAN needs finite points (n, d) with n >= 2, got shape {X.shape}.")
        cfg = self.config
        self.center_ = X.mean(0)
        self.scale_ = float(np.sqrt(((X - self.center_) ** 2).sum(1).mean() / X.shape[1])) or 1.0
        torch.manual_seed(self.random_state)
        self._gen = torch.Generator().manual_seed(self.random_state)
        self._X = torch.as_tensor((X - self.center_) / self.scale_, dtype=torch.float32)
        d = X.shape[1]
        self.G_ = _mlp(cfg.noise_dim, d, cfg.hidden, cfg.layers)
        self.D_ = _mlp(d, 1, cfg.hidden, cfg.layers, act=lambda: torch.nn.LeakyReLU(0.2))
        betas = (0.5, 0.999) if self.kind == "gan" else (0.5, 0.9)
        self._opt_g = torch.optim.Adam(self.G_.parameters(), lr=cfg.lr, betas=betas)
        self._opt_d = torch.optim.Adam(self.D_.parameters(), lr=cfg.lr, betas=betas)
        self.steps_ = 0
        self.losses_ = (float("nan"), float("nan"))
        return self

    def train(self, n_steps: int) -> LiveGAN:
        """``n_steps`` more generator updates."""
        if not hasattr(self, "G_"):
            raise ValueError("Call fit_start(X) before train().")
        n, bs = len(self._X), min(self.config.batch_size, len(self._X))

        def batch():
            return self._X[torch.randint(0, n, (bs,), generator=self._gen)]

        for _ in range(int(n_steps)):
            loss_d, loss_g = adversarial_step(self.config, self.G_, self.D_, self._opt_g, self._opt_d, batch, bs,
                                              self._gen, "cpu")
            self.losses_ = (float(loss_d.detach()), float(loss_g.detach()))
            self.steps_ += 1
        return self

    def export(self) -> dict:
        """What the browser's trainer (``frontend/src/gan_engine.js``) needs to start from these networks: the
        normalised data ``X`` (n, d), ``center`` (d,) and ``scale`` that undo it, the settings, and each network's
        linear layers as ``{"W": (out, in), "b": (out,)}`` lists (JSON-ready)."""
        if not hasattr(self, "G_"):
            raise ValueError("Call fit_start(X) before export().")

        def layers(net):
            return [{"W": m.weight.detach().tolist(), "b": m.bias.detach().tolist()}
                    for m in net if isinstance(m, torch.nn.Linear)]

        cfg = self.config
        return {"kind": self.kind, "noiseDim": cfg.noise_dim, "hidden": cfg.hidden, "layers": cfg.layers,
                "batchSize": cfg.batch_size, "lr": cfg.lr, "nCritic": cfg.n_critic, "gpWeight": cfg.gp_weight,
                "seed": self.random_state, "X": self._X.tolist(), "center": self.center_.tolist(),
                "scale": self.scale_, "weights": {"G": layers(self.G_), "D": layers(self.D_)}}

    def sample(self, n: int, random_state: int = 0) -> np.ndarray:
        """``n`` generated points (n, d) in data coordinates, from fixed noise for a given ``random_state``."""
        z = torch.as_tensor(np.random.default_rng(random_state).standard_normal((n, self.config.noise_dim)),
                            dtype=torch.float32)
        with torch.no_grad():
            out = self.G_(z).numpy().astype(np.float64)
        return (self.center_ + self.scale_ * out).astype(np.float32)
