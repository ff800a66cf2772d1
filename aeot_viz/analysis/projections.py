"""2-D projections of latent codes for display: PCA, UMAP or t-SNE behind one function.

UMAP and t-SNE are imported only when asked for (UMAP compiles for ~12 s on its first call in a process),
so the app caches projections per model and settings.
"""

from __future__ import annotations

import numpy as np

__all__ = ["project", "place_combinations", "axis_titles", "METHODS"]

METHODS = ("pca", "umap", "tsne")


def axis_titles(method: str, dim: int | None = None) -> tuple[str, str]:
    """Axis titles of a projection, with what its units mean.

    PCA keeps distances (latent units); UMAP and t-SNE keep neighbourhoods only, so their axes have no unit.
    A 2-D latent space (``dim == 2``) is shown as it is, in latent coordinates.
    """
    if dim == 2:
        return "latent coordinate 1", "latent coordinate 2"
    names = {"pca": ("PC 1 (latent units)", "PC 2 (latent units)"), "umap": ("UMAP 1 (no unit)", "UMAP 2 (no unit)"),
             "tsne": ("t-SNE 1 (no unit)", "t-SNE 2 (no unit)")}
    if method not in names:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    return names[method]


def project(X, method: str = "pca", random_state: int = 0, **params) -> np.ndarray:
    """Project codes ``X`` (N, d) to 2-D.

    A 2-D input is returned as it is (a 2-D latent space is shown unprojected).

    Parameters
    ----------
    method : {"pca", "umap", "tsne"}
    params :
        Passed to the estimator (e.g. ``n_neighbors`` for UMAP, ``perplexity`` for t-SNE).

    Returns
    -------
    numpy.ndarray, float32, shape (N, 2)
    """
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2 or len(X) < 2:
        raise ValueError(f"project needs at least 2 codes of shape (N, d), got {X.shape}.")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    if X.shape[1] == 2:
        return X.copy()
    if X.shape[1] == 1:
        return np.column_stack([X[:, 0], np.zeros(len(X), dtype=np.float32)])
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(2, random_state=random_state).fit_transform(X).astype(np.float32)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = min(float(params.pop("perplexity", 30.0)), (len(X) - 1) / 3)
        return TSNE(2, perplexity=perplexity, random_state=random_state, init="pca",
                    **params).fit_transform(X).astype(np.float32)
    import umap

    n_neighbors = min(int(params.pop("n_neighbors", 15)), len(X) - 1)
    return umap.UMAP(n_components=2, n_neighbors=n_neighbors, random_state=random_state,
                     **params).fit_transform(X).astype(np.float32)


def place_combinations(P, neighbours, weights) -> np.ndarray:
    r"""Place new codes :math:`z = \sum_m w_m y_{n_m} / \sum_m w_m` on a 2-D picture ``P`` of the codes.

    Each new code goes to the same combination of its neighbours' positions,
    :math:`\sum_m w_m P_{n_m} / \sum_m w_m`. For PCA (an affine map) this is exactly the projection of
    the new code; for UMAP and t-SNE, which have no faithful out-of-sample map, it puts a blend of codes
    between the points it blends, and a reproduced training code on that code's point.

    Parameters
    ----------
    P : array-like, shape (N, 2)
        Positions of the training codes.
    neighbours : array-like of int, shape (M, k)
    weights : array-like, shape (M, k)
        Non-negative, with a positive sum on every row.

    Returns
    -------
    numpy.ndarray, float32, shape (M, 2)
    """
    P = np.asarray(P, dtype=np.float64)
    nb = np.asarray(neighbours, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    if nb.ndim != 2 or w.shape != nb.shape:
        raise ValueError(f"neighbours and weights must both have shape (M, k), got {nb.shape} and {w.shape}.")
    if len(nb) and (nb.min() < 0 or nb.max() >= len(P)):
        raise ValueError("neighbours refer to codes that are not in P.")
    total = w.sum(axis=1, keepdims=True)
    if (w < 0).any() or (total <= 0).any():
        raise ValueError("weights must be non-negative with a positive sum on every row.")
    return ((w[:, :, None] * P[nb]).sum(axis=1) / total).astype(np.float32)
