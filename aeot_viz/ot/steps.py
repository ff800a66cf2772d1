r"""One iteration's height update, shared by the stochastic and the pooled solvers (see :mod:`aeot_viz.ot.solver`).

Heavy-ball averaging of the relative mass errors :math:`r_i = (\hat\mu_i - \nu_i)/\nu_i`, clipped to [-1, 1] and
scaled per target by :math:`\delta_i`, then the same rule on each multiscale level's clusters with the factor
``coarse_factor`` (the solvers use :math:`1/d`).
"""

from __future__ import annotations

import torch

__all__ = ["heavy_ball_step"]


def heavy_ball_step(h: torch.Tensor, g: torch.Tensor, w: torch.Tensor, m: torch.Tensor, scale: torch.Tensor,
                    levels: list, lr: float, momentum: float, coarse_factor: float) -> None:
    r"""Move heights ``h`` (N,) in place against mass errors ``g`` (N,) = counts / M - ``w``.

    ``m`` (N,) is the per-target momentum and each level's ``"m"`` its clusters' (both updated in place); ``scale``
    (N,) holds the step scales :math:`\delta_i`; ``levels`` the multiscale clusterings (``labels``, ``mass``,
    ``scale``, ``m``, ``k``).
    """
    rel = torch.where(w > 0, g / w.clamp_min(1e-30), torch.zeros_like(g))
    m.mul_(momentum).add_(rel, alpha=1 - momentum)
    h -= lr * scale * m.clamp(-1.0, 1.0)
    for lv in levels:
        gm = torch.zeros(lv["k"], device=h.device).index_add_(0, lv["labels"], g)
        lv["m"].mul_(momentum).add_(gm / lv["mass"], alpha=1 - momentum)
        h -= lr * coarse_factor * (lv["scale"] * lv["m"].clamp(-1.0, 1.0))[lv["labels"]]
