"""Precomputed views: what a first visit of each page needs, computed once and stored with the model.

A view is a named array (``model.views``) with its description in ``model.views_meta``; a bundle stores both
(``views/<name>`` arrays and a ``views`` entry in its metadata). The pages use a stored view when it answers
their question exactly and compute (and cache) it otherwise, so a view only ever saves time:

=========================  ==================================================================================
``projection_<method>``    float32 (N, 2): the codes projected by PCA, UMAP or t-SNE (``random_state`` 0)
``cell_masses``            float64 (N,): cell masses on :data:`MASS_SAMPLES` fresh samples (seed 7)
``singular_*``             the singular set by the stored convex null (:func:`singular_set_arrays`)
``slice_<digest>``         int32 (R, R): the label raster of one slice plane at resolution R
                           (:func:`slice_key` names it from the plane and R)
``lab_<i>``                float32 (n, d): Mode Collapse samples of the i-th generator (AE-OT and the
                           baselines), named with their scores in ``views_meta["lab"]``
``stacked_histograms``     int64 (G, 1000): Stacked-MNIST models only, the mode histogram of each generator's
                           :data:`~aeot_viz.analysis.metrics.STACKED_SAMPLES` samples (the 26,000-sample
                           protocol, :func:`~aeot_viz.analysis.lab.stacked_scores`), named with their
                           scores in ``views_meta["stacked"]``
=========================  ==================================================================================

Every view equals what the page would compute itself with the same settings and seeds (the tests check it).
"""

from __future__ import annotations

import hashlib
from typing import Optional

import numpy as np

from ..analysis.lab import is_stacked_mnist
from ..analysis.singularity import SingularSet, model_singular_set
from ..io.archive import jsonable
from ..utils.progress import Callback, emit, relabelled

__all__ = ["compute_views", "default_slice_planes", "slice_key", "stored_projection", "stored_cell_masses",
           "stored_singular_set", "stored_slice", "stored_lab", "stored_stacked", "singular_set_arrays",
           "PROJECTIONS", "MASS_SAMPLES", "SLICE_RESOLUTION", "EXPLAINER_RESOLUTION", "LAB_SAMPLES", "LAB_SEED"]

PROJECTIONS = ("pca", "umap", "tsne")
#: fresh samples of the cell-mass view (the Latent Space page's "cell mass error" colouring)
MASS_SAMPLES = 2**18
#: resolution of the stored default slices (the pages' default); 2-D models also store the Home picture's
SLICE_RESOLUTION = 120
EXPLAINER_RESOLUTION = 160
#: the Mode Collapse page's defaults: samples per generator and seed
LAB_SAMPLES, LAB_SEED = 2500, 0

_SINGULAR_ARRAYS = {"pairs": np.int64, "facet_measure": np.float64, "angles": np.float64,
                    "relative_jump": np.float64, "singular": bool, "spacing": np.float64, "score": np.float64,
                    "emptiness": np.float64, "jump_score": np.float64, "midpoint_spacing": np.float64}


# --------------------------------------------------------------------------------------------- singular set
def singular_set_arrays(ss: SingularSet) -> tuple[dict, dict]:
    """A singular set as ``singular_<field>`` arrays and its scalars (its null is the model's own)."""
    arrays = {f"singular_{k}": np.asarray(getattr(ss, k), dtype=t) for k, t in _SINGULAR_ARRAYS.items()
              if getattr(ss, k) is not None}
    meta = {"threshold": float(ss.threshold), "n_targets": int(ss.n_targets), "k": int(ss.k), "rule": ss.rule}
    return arrays, meta


def stored_singular_set(model) -> Optional[SingularSet]:
    """The stored singular set of ``model`` (judged by its stored convex null), or None when absent or stale.

    Stale: the arrays do not fit the model, or the null has midpoint emptiness (the midpoint test) and the stored set
    was judged without it (a null rebuilt since the views were stored).
    """
    views, meta = model.views, model.views_meta.get("singular")
    null = model.singular_null
    if null is None or not isinstance(meta, dict) or "singular_pairs" not in views:
        return None
    try:
        fields = {k: views[f"singular_{k}"] for k in _SINGULAR_ARRAYS if f"singular_{k}" in views}
        pairs = fields["pairs"]
        E, N = len(pairs), model.n_codes
        ok = (pairs.ndim == 2 and pairs.shape[1] == 2 and (E == 0 or 0 <= pairs.min() and pairs.max() < N)
              and all(len(fields[k]) == E for k in ("facet_measure", "angles", "relative_jump", "singular"))
              and all(len(fields[k]) == E for k in ("score", "emptiness", "jump_score") if k in fields)
              and ("midpoint_spacing" not in fields or fields["midpoint_spacing"].shape == (N,))
              and fields["spacing"].shape == (N,) and meta["n_targets"] == N)
        rule = str(meta["rule"])
        if null.has_emptiness and ("emptiness" not in fields or "midpoint_spacing" not in fields
                                   or rule not in ("midpoint", "threshold")):
            ok = False  # judged before this null could run the midpoint test
        if not ok:
            return None
        return SingularSet(pairs=pairs, facet_measure=fields["facet_measure"], angles=fields["angles"],
                           relative_jump=fields["relative_jump"], threshold=float(meta["threshold"]),
                           singular=fields["singular"].astype(bool), n_targets=N, spacing=fields["spacing"],
                           k=int(meta["k"]), score=fields.get("score"), null=null,
                           rule="jump" if rule == "convex null" else rule,  # the jump rule's name before issue 32
                           emptiness=fields.get("emptiness"), midpoint_spacing=fields.get("midpoint_spacing"),
                           jump_score=fields.get("jump_score", fields.get("score") if rule == "convex null" else None))
    except (KeyError, TypeError, ValueError):
        return None


# --------------------------------------------------------------------------------------------- other views
def stored_projection(model, method: str) -> Optional[np.ndarray]:
    """The stored 2-D projection of the codes by ``method``, or None."""
    P = model.views.get(f"projection_{method}")
    return P if P is not None and P.shape == (model.n_codes, 2) else None


def stored_cell_masses(model) -> Optional[np.ndarray]:
    mu = model.views.get("cell_masses")
    return mu if mu is not None and mu.shape == (model.n_codes,) else None


def slice_key(plane, resolution: int) -> str:
    """The view name of a slice plane's label raster at ``resolution`` (rounded plane parameters, hashed)."""
    parts = [np.round(np.asarray(a, dtype=np.float64), 10) for a in (plane.center, plane.u, plane.v)]
    text = "|".join(",".join(f"{x:.10f}" for x in p) for p in parts) + f"|{float(plane.extent):.10f}|{int(resolution)}"
    return "slice_" + hashlib.sha256(text.encode()).hexdigest()[:20]


def stored_slice(model, plane, resolution: int) -> Optional[np.ndarray]:
    lab = model.views.get(slice_key(plane, resolution))
    return lab if lab is not None and lab.shape == (resolution, resolution) else None


def stored_lab(model, baselines_id: str, n: int, seed: int) -> Optional[tuple]:
    """Stored Mode Collapse results ``(samples, scores, why_not)`` for these baselines, n and seed, or None."""
    meta = model.views_meta.get("lab")
    if not isinstance(meta, dict):
        return None
    if (meta.get("baselines"), meta.get("n"), meta.get("seed")) != (baselines_id, n, seed):
        return None
    samples = {g: model.views[f"lab_{i}"] for i, g in enumerate(meta.get("generators", []))
               if f"lab_{i}" in model.views}
    if len(samples) != len(meta.get("generators", [])) or any(s.shape != (n, model.latent_dim)
                                                                 for s in samples.values()):
        return None
    return samples, meta.get("scores"), meta.get("why_not")


def stored_stacked(model, baselines_id: str) -> Optional[dict]:
    """Stored Stacked-MNIST protocol results for these baselines: generator name -> ``{"modes_covered", "kl",
    "n_samples", "histogram"}`` (as :func:`~aeot_viz.analysis.lab.stacked_scores` returns), or None."""
    meta, H = model.views_meta.get("stacked"), model.views.get("stacked_histograms")
    if not isinstance(meta, dict) or H is None or meta.get("baselines") != baselines_id:
        return None
    names, scores = meta.get("generators", []), meta.get("scores", {})
    if H.shape != (len(names), 1000) or set(scores) != set(names):
        return None
    return {g: {**scores[g], "histogram": H[i]} for i, g in enumerate(names)}


# --------------------------------------------------------------------------------------------- computing
def default_slice_planes(model) -> list:
    """``(plane, resolution)`` of the slices the pages open with: the Power Diagram and Singular Set pages'
    widget defaults, and for a 2-D model the source square of the Home page's picture."""
    from ..geometry.power_diagram import SlicePlane

    Y, d = model.targets, model.latent_dim
    if d == 2:
        square = SlicePlane.through(np.zeros(2), [1.0, 0.0], [0.0, 1.0], 0.5)
        return [(square, SLICE_RESOLUTION), (square, EXPLAINER_RESOLUTION)]
    origin = np.zeros(d)
    far = int(np.argmax(np.linalg.norm(Y - Y[0], axis=1)))  # the Singular Set probe's default end
    planes = []
    for a, b in ((0, min(1, len(Y) - 1)), (0, far)):
        try:
            planes.append((SlicePlane.through(origin, Y[a] - origin, Y[b] - origin, 0.5), SLICE_RESOLUTION))
        except ValueError:
            pass  # degenerate plane (codes on one line with the centre): the page says so itself
    return planes


def compute_views(model, *, projections=PROJECTIONS, baselines: Optional[dict] = None,
                  baselines_id: Optional[str] = None, classifier=None, callback: Optional[Callback] = None,
                  only=None) -> None:
    """Compute every view of ``model`` and store it in ``model.views`` / ``model.views_meta``.

    Each view is added as soon as it is ready (pages polling the model see them appear). Progress events
    have stage ``"views"``, one step per view, with the view's name in ``metrics["view"]``.

    Parameters
    ----------
    model : AEOTModel
    projections : tuple of {"pca", "umap", "tsne"}
        Projections to store (a 2-D latent space is stored as it is, under every name).
    baselines : dict, optional
        Baseline generators (name -> Baseline) for the Mode Collapse view; skipped when None.
    baselines_id : str, optional
        How the Mode Collapse page names these baselines (the view answers only that page's question).
    classifier : DigitClassifier, optional
        The judge of image samples (``default_classifier()`` when None and the model holds images).
    callback : callable, optional
    only : iterable of str, optional
        Compute only these views, by job name (``"singular"``, ``"lab"``, ``"stacked"``, ``"cell_masses"``,
        ``"projection_<method>"``, ``"slice_<key>"``) or ``"slices"`` for every default slice; the others are kept
        as they are. An unknown name raises ``ValueError``.
    """
    from ..analysis.projections import project
    from ..ot import validate_ot

    jobs = [f"projection_{m}" for m in projections] + ["cell_masses", "singular"]
    planes = default_slice_planes(model)
    slices = {slice_key(p, r): (p, r) for p, r in planes}
    jobs += list(slices)
    if baselines is not None:
        jobs.append("lab")
        if is_stacked_mnist(model):
            jobs.append("stacked")
    if only is not None:
        wanted = {str(j) for j in only}
        known = set(jobs) | {"slices", "lab", "stacked"} | {f"projection_{m}" for m in PROJECTIONS}
        if wanted - known:
            raise ValueError(f"Unknown views {sorted(wanted - known)}; choose among {sorted(known)}.")
        jobs = [j for j in jobs if j in wanted or ("slices" in wanted and j.startswith("slice_"))]
    views, meta = model.views, model.views_meta
    for step, job in enumerate(jobs, start=1):
        emit(callback, "views", step - 1, len(jobs), view=job)
        if job.startswith("projection_"):
            views[job] = np.asarray(project(model.codes, job[len("projection_"):], random_state=0), dtype=np.float32)
        elif job == "cell_masses":
            _, mu = validate_ot(model.targets, model.h, n_samples=MASS_SAMPLES, random_state=7, device="cpu",
                                return_mu=True)
            views[job] = np.asarray(mu, dtype=np.float64)
        elif job == "singular":
            if model.singular_null is None:
                continue  # the singular set of a model without a null costs an OT solve: not a view
            # a null from before the midpoint test is rebuilt here (an OT solve) and kept with the model
            ss = model_singular_set(model, random_state=model.config.ot.random_state,
                                    callback=relabelled(callback, {"ot": "convex-null",
                                                                   "ot-validation": "convex-null-validation"}))
            model.singular_null = ss.null
            arrays, scalars = singular_set_arrays(ss)
            views.update(arrays)
            meta["singular"] = scalars
        elif job.startswith("slice_"):
            plane, res = slices[job]
            views[job] = np.asarray(plane.labels(model.targets, model.h, resolution=res), dtype=np.int32)
        elif job == "lab":
            _compute_lab(model, baselines, baselines_id, classifier, views, meta)
        elif job == "stacked":
            _compute_stacked(model, baselines, baselines_id, classifier, views, meta)
    emit(callback, "views", len(jobs), len(jobs), view="done")


def _compute_stacked(model, baselines, baselines_id, classifier, views, meta) -> None:
    from ..analysis.lab import stacked_scores

    if classifier is None:
        from ..models.classifier import default_classifier

        classifier = default_classifier()
    ss = stored_singular_set(model) or model_singular_set(model)
    scores = stacked_scores(model, baselines, classifier, random_state=LAB_SEED, singular=ss)
    views["stacked_histograms"] = np.stack([s["histogram"] for s in scores.values()]).astype(np.int64)
    meta["stacked"] = {"baselines": baselines_id, "seed": LAB_SEED, "generators": list(scores),
                       "scores": {g: jsonable({k: v for k, v in s.items() if k != "histogram"})
                                  for g, s in scores.items()}}


def _compute_lab(model, baselines, baselines_id, classifier, views, meta) -> None:
    from ..analysis.lab import generate_all, real_images, score_all

    ss = stored_singular_set(model) or model_singular_set(model)
    samples = generate_all(model, baselines, LAB_SAMPLES, random_state=LAB_SEED, singular=ss)
    scores, why_not = None, None
    try:
        real = None
        if model.dataset["kind"] == "images" and model.images is not None:
            if classifier is None:
                from ..models.classifier import default_classifier

                classifier = default_classifier()
            real = real_images(model, 5000)
        scores = jsonable(score_all(model, samples, classifier=classifier, real_images=real))
    except ValueError as exc:
        why_not = str(exc)
    for i, codes in enumerate(samples.values()):  # by position: generator names are not plain view names
        views[f"lab_{i}"] = np.asarray(codes, dtype=np.float32)
    meta["lab"] = {"baselines": baselines_id, "n": LAB_SAMPLES, "seed": LAB_SEED, "generators": list(samples),
                   "scores": scores, "why_not": why_not}

