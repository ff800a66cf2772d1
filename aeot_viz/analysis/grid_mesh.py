r"""AE-OT's image of a grid over its uniform square: a mesh that tears along the singular facets.

GAN Lab draws a generator's image of a grid over its noise square. A generator is continuous, so its mesh can
only stretch: where the data has a gap, strands of the mesh must run through it. The same picture for AE-OT's
map: a :math:`r \times r` grid of nodes :math:`x_{ab}` over the source square :math:`[-\tfrac12, \tfrac12]^2`,
each node mapped by the extended OT map :math:`\tilde T` (:func:`~aeot_viz.analysis.generation.extended_map`),
and each edge between neighbouring nodes kept or torn:

- the edge :math:`[x, x']` is walked at ``walk`` + 1 evenly spaced points, and each point's power cell found;
- where two consecutive points lie in different cells :math:`i \ne j`, the edge crosses the facet
  :math:`(i, j)`;
- the edge is **torn** when it crosses a singular facet, or a pair of cells with no facet in the diagram's list
  (a cell thinner than the walk's step was skipped, so the crossing cannot be judged: tearing is the safe side).

A kept edge crosses only regular facets, across which :math:`\tilde T` is continuous: its image stays short, of
the order of the distance between codes joined by regular facets. A torn edge's two ends map to codes on the two
sides of a singular facet, a gap in the data, and no strand is drawn across it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..geometry.power_diagram import assign
from .generation import extended_map
from .singularity import SingularSet

__all__ = ["GridMesh", "grid_edges", "ot_grid_mesh", "WALK"]

#: points per edge (besides its start) at which the cells along it are checked
WALK = 8


@dataclass(frozen=True)
class GridMesh:
    """A grid over the source square and its image.

    Attributes
    ----------
    nodes : numpy.ndarray, shape (r * r, 2)
        Node :math:`(a, b)` at index :math:`a r + b`: :math:`x = -\\tfrac12 + b / (r - 1)`,
        :math:`y = -\\tfrac12 + a / (r - 1)`.
    image : numpy.ndarray, shape (r * r, d)
        Each node's image under the extended OT map, in the targets' coordinates.
    edges : numpy.ndarray of int64, shape (E, 2)
        Node pairs of the grid's horizontal and vertical edges.
    torn : numpy.ndarray of bool, shape (E,)
        Edges that cross a singular facet (or an unlisted pair of cells).
    res : int
    """

    nodes: np.ndarray
    image: np.ndarray
    edges: np.ndarray
    torn: np.ndarray
    res: int

    @property
    def n_torn(self) -> int:
        return int(self.torn.sum())


def grid_edges(res: int) -> np.ndarray:
    """The horizontal then vertical edges (E, 2) of a ``res`` x ``res`` grid of nodes numbered row by row."""
    idx = np.arange(res * res).reshape(res, res)
    horizontal = np.stack([idx[:, :-1].ravel(), idx[:, 1:].ravel()], axis=1)
    vertical = np.stack([idx[:-1, :].ravel(), idx[1:, :].ravel()], axis=1)
    return np.concatenate([horizontal, vertical]).astype(np.int64)


def ot_grid_mesh(Y, h, singular: SingularSet, *, res: int = 41, walk: int = WALK,
                 bandwidth: Optional[float] = None) -> GridMesh:
    """The grid's image under the extended OT map, with the edges that cross singular facets torn.

    Parameters
    ----------
    Y : array-like, shape (N, 2)
        Targets in the source square's coordinates (a 2-D model's normalised codes).
    h : array-like, shape (N,)
        Heights of the solved map.
    singular : SingularSet
        Which facets are singular (:func:`~aeot_viz.analysis.singularity.model_singular_set`).
    res : int
        Nodes per side, at least 2.
    walk : int
        Points per edge, besides its start, at which the cells along it are found (at least 1).
    bandwidth : float, optional
        The extended map's :math:`\\tau` (its default otherwise).
    """
    Y = np.asarray(Y, dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    if Y.ndim != 2 or Y.shape[1] != 2:
        raise ValueError(f"The grid mesh is drawn for 2-D targets (N, 2); got shape {Y.shape}.")
    if not isinstance(res, (int, np.integer)) or res < 2:
        raise ValueError(f"res must be an integer of at least 2 nodes per side, got {res!r}.")
    if not isinstance(walk, (int, np.integer)) or walk < 1:
        raise ValueError(f"walk must be an integer of at least 1, got {walk!r}.")
    t = np.linspace(-0.5, 0.5, res)
    gx, gy = np.meshgrid(t, t)
    nodes = np.stack([gx.ravel(), gy.ravel()], axis=1)
    edges = grid_edges(res)
    s = np.linspace(0.0, 1.0, walk + 1)
    a, b = nodes[edges[:, 0]], nodes[edges[:, 1]]
    pts = a[:, None, :] + s[None, :, None] * (b - a)[:, None, :]
    cells = assign(pts.reshape(-1, 2), Y, h).reshape(len(edges), walk + 1)
    c0, c1 = cells[:, :-1], cells[:, 1:]
    cross = c0 != c1
    torn_step = cross & (singular.pair_is(c0, c1, "singular") | ~singular.pair_is(c0, c1, "regular"))
    torn = torn_step.any(axis=1)
    image = np.asarray(extended_map(nodes, Y, h, singular, bandwidth=bandwidth)[0], dtype=np.float64)
    return GridMesh(nodes=nodes, image=image, edges=edges, torn=torn, res=int(res))
