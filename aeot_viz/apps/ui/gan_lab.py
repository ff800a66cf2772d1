"""The Playground's GAN Lab component: the GAN trains in the visitor's browser (``frontend/``, built into
``components/gan_lab/index.html``), and the server only scores the samples it is sent.

What the browser gets, once per drawing and generator (``gan_lab_args``): the drawing, LiveGAN's normalisation
of it, the generator kind and its settings, AE-OT's grid mesh and samples. What it sends back, every
``report_every`` seconds while the GAN runs and at each Pause, Step and Restart: ``{"token", "steps", "running",
"lossD", "lossG", "samples"}`` with ``sample_n`` samples in data coordinates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import streamlit.components.v1 as components

from ...analysis.grid_mesh import GridMesh
from ...models.live_gan import LiveGAN

__all__ = ["BUILD", "gan_lab_args", "gan_lab"]

#: the committed bundle (rebuild with ``cd frontend && npm run build``)
BUILD = Path(__file__).resolve().parent / "components" / "gan_lab"
_component = components.declare_component("aeot_gan_lab", path=str(BUILD))


def gan_lab_args(X, kind: str, token: str, *, mesh: Optional[GridMesh] = None, mesh_image=None,
                 n_singular: int = 0, aeot_samples=None, sample_n: int = 300, report_every: float = 6.0,
                 train_ms: float = 12.0, autorun: bool = False, random_state: int = 0) -> dict:
    """The component's arguments (JSON-ready) for drawing ``X`` (n, 2) and generator ``kind``.

    ``mesh`` is AE-OT's :class:`~aeot_viz.analysis.grid_mesh.GridMesh`, ``mesh_image`` (r * r, 2) its image in
    data coordinates; ``token`` changes with the drawing and the kind (a new one restarts the browser's GAN).
    """
    X = np.asarray(X, dtype=np.float64)
    gan = LiveGAN(kind, random_state=random_state).fit_start(X)
    cfg = gan.export()
    lo, hi = np.minimum(X.min(0), -1.0), np.maximum(X.max(0), 1.0)
    pad = 0.05 * float((hi - lo).max())
    args = {"token": token, "kind": kind, "seed": int(random_state), "points": X.round(4).tolist(),
            "normalised": cfg["X"], "center": cfg["center"], "scale": cfg["scale"],
            "view": [float(lo[0] - pad), float(hi[0] + pad), float(lo[1] - pad), float(hi[1] + pad)],
            "sampleN": int(sample_n), "reportEvery": float(report_every), "trainMs": float(train_ms),
            "autorun": bool(autorun), "aeot": None,
            "aeotSamples": None if aeot_samples is None else np.asarray(aeot_samples).round(4).tolist()}
    if mesh is not None:
        image = mesh.image if mesh_image is None else mesh_image
        # the grid's edges are implicit (grid_edges(res): the horizontal ones, then the vertical ones); only the
        # torn ones are named
        args["aeot"] = {"image": np.asarray(image).round(3).tolist(), "torn": np.flatnonzero(mesh.torn).tolist(),
                        "n_edges": len(mesh.edges), "n_torn": mesh.n_torn, "n_singular": int(n_singular),
                        "res": mesh.res}
    return args


def gan_lab(args: dict, *, key: str, height: int = 620) -> Optional[dict]:
    """Show the component; returns its last report (None before the first)."""
    return _component(**args, key=key, default=None, height=height)
