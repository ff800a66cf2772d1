"""Cached computations at the UI boundary. Cached objects are shared between sessions: never mutate them."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ...analysis.singularity import SingularSet, model_singular_set
from ...pipeline.model import AEOTModel
from ...pipeline.views import stored_cell_masses, stored_lab, stored_projection, stored_singular_set, stored_slice


def model_key(name: str, model: AEOTModel) -> str:
    """A cache key that tells apart models with the same display name (e.g. trained in two sessions)."""
    return f"{name}|{model.created}|{model.n_codes}|{model.latent_dim}|{float(model.h[:8].sum()):.17g}"


def singular_set_for(key: str, _model: AEOTModel) -> SingularSet:
    """The model's singular set by its convex null (use ``with_threshold`` for a hand-set angle); the stored
    view when the model has one. A null from before the midpoint test is not rebuilt here (the views job does it):
    until then the set is judged by the jump rule, and the cache entry changes once the new null is in place."""
    null = _model.singular_null
    return _singular_set_cached(key, None if null is None else null.has_emptiness, _model)


@st.cache_resource(show_spinner="Finding the facets of the power diagram (a model without a stored convex null also "
                                "solves one: an OT solve as long as the model's own)...", max_entries=16)
def _singular_set_cached(key: str, null_state, _model: AEOTModel) -> SingularSet:
    return stored_singular_set(_model) or model_singular_set(_model, rebuild_null=False)


@st.cache_resource(show_spinner="Computing the exact power cells...", max_entries=64)
def exact_cells_for(key: str, snapshot: int, _Y, _h):
    """Exact 2-D power cells of a model's final heights (``snapshot=-1``) or of a stored solver snapshot."""
    from ...geometry.power_diagram import exact_cells_2d

    return exact_cells_2d(_Y, _h)


@st.cache_data(show_spinner="Measuring the exact error of every stored solver step...", max_entries=16)
def replay_errors_for(key: str, _Y, _snapshots, _h) -> np.ndarray:
    """Exact L1 mass error (sum of |cell area - 1/N|) of each stored 2-D solver snapshot, the last one
    replaced by the final heights ``_h``; shape (S,)."""
    from ...ot.newton import exact_l1

    return np.array([exact_l1(_Y, h)[0] for h in list(_snapshots[:-1]) + [_h]])


@st.cache_resource(show_spinner="Cutting the source cube...", max_entries=32)
def slice_labels_for(key: str, plane_key: tuple, resolution: int, _plane, _Y, _h, _model=None) -> np.ndarray:
    """Label raster of a slice (``plane_key`` identifies ``_plane``: centre, directions and extent); the
    stored view when ``_model`` (whose final heights ``_h`` are) has one for this plane."""
    stored = None if _model is None else stored_slice(_model, _plane, resolution)
    return stored if stored is not None else _plane.labels(_Y, _h, resolution=resolution)


def plane_key(plane) -> tuple:
    """A hashable identity of a :class:`~aeot_viz.geometry.power_diagram.SlicePlane`."""
    return (tuple(np.round(plane.center, 12)), tuple(np.round(plane.u, 12)), tuple(np.round(plane.v, 12)),
            float(plane.extent))


@st.cache_resource(show_spinner="Projecting the latent codes (the first UMAP or t-SNE fit of a model takes up to "
                                "a minute on 2 cores)...", max_entries=16)
def projection_for(key: str, method: str, _model: AEOTModel) -> np.ndarray:
    """2-D projection of a model's codes, fitted once per model and method (the stored view when there is one)."""
    from ...analysis.projections import project

    stored = stored_projection(_model, method)
    return stored if stored is not None else project(_model.codes, method, random_state=0)


@st.cache_resource(show_spinner="Measuring the cell masses...", max_entries=16)
def cell_masses_for(key: str, _model: AEOTModel) -> np.ndarray:
    """Cell masses of the model's OT map on 2^18 fresh samples (for the mass-error colouring)."""
    from ...ot import validate_ot

    stored = stored_cell_masses(_model)
    if stored is not None:
        return stored
    _, mu = validate_ot(_model.targets, _model.h, n_samples=2**18, random_state=7, device="cpu", return_mu=True)
    return mu


@st.cache_resource(show_spinner=False, max_entries=4)
def explainer_samples_for(key: str, _model: AEOTModel):
    """The 300 new samples the explainer picture draws (seed 0): a :class:`~aeot_viz.analysis.generation.Generated`."""
    from ...analysis.generation import generate

    return generate(_model, 300, singular=singular_set_for(key, _model), random_state=0)


@st.cache_resource(show_spinner="Drawing the picture...", max_entries=2)
def explainer_for(key: str, _model: AEOTModel):
    """The Home page's two-panel picture of a 2-D model (see :func:`aeot_viz.viz.explainer_figure`)."""
    from ...geometry.power_diagram import SlicePlane
    from ...viz import explainer_figure

    plane = SlicePlane.through(np.zeros(2), [1.0, 0.0], [0.0, 1.0], 0.5)
    lab = stored_slice(_model, plane, 160)
    if lab is None:
        lab = plane.labels(_model.targets, _model.h, resolution=160)
    ss = singular_set_for(key, _model)
    g = explainer_samples_for(key, _model)
    return explainer_figure(lab, np.linspace(-0.5, 0.5, 160), _model.labels, ss.boundaries(lab),
                            _model.codes, _model.labels, g.codes, targets=_model.targets,
                            generated_labels=None if _model.labels is None else _model.labels[g.cells])


@st.cache_resource(show_spinner="Loading the baseline generators...", max_entries=8)
def shipped_baselines_for(path: str, mtime: float) -> dict:
    """The baselines (GAN, PacGAN, WGAN-GP, VAE) shipped beside a model (read-only, shared between sessions)."""
    from ...models.baselines import load_baselines

    return load_baselines(path)


def shipped_baselines(name: str) -> tuple[dict, str] | None:
    """The baselines shipped with the shipped model ``name`` (loaded once per process, :func:`shipped_baselines_for`)
    and their id (the one stored views are filed under), or None when it has none."""
    from .state import SHIPPED_BASELINES

    path = SHIPPED_BASELINES.get(name)
    if path is None or not path.is_file():
        return None
    return shipped_baselines_for(str(path), path.stat().st_mtime), f"shipped-{path.name}"


def model_baselines(name: str, key: str) -> tuple[dict, str]:
    """The baselines beside a model and an id for them: trained in this session on the Mode Collapse page, else
    shipped with it; ``({}, "none")`` when there are none."""
    trained = st.session_state.get("mc_trained", {}).get(key)
    if trained:
        return trained, f"trained-{id(trained)}"
    return shipped_baselines(name) or ({}, "none")


@st.cache_resource(show_spinner="Mapping the probe...", max_entries=32)
def probe_outputs_for(key: str, start: tuple, end: tuple, baselines_id: str, n: int, digits: bool, _model,
                      _generators: dict) -> dict:
    """Every map's output along one probe (:func:`aeot_viz.analysis.probe_output.outputs_along`), read as digit
    class probabilities when ``digits``; one entry per model, probe, baselines and resolution."""
    from ...analysis.probe_output import outputs_along
    from ...models.classifier import default_classifier

    return outputs_along(_model, np.asarray(start), np.asarray(end), _generators,
                         classifier=default_classifier() if digits else None, n=n)


@st.cache_resource(show_spinner="Generating from every model and scoring the samples...", max_entries=16)
def lab_results_for(key: str, baselines_id: str, n: int, seed: int, _model, _baselines) -> tuple:
    """Samples (name -> codes) of AE-OT and the baselines, their scores (name -> metrics) and, when the
    data have no scoring protocol, None and the reason."""
    from ...analysis.lab import generate_all, real_images, score_all
    from ...models.classifier import default_classifier

    stored = stored_lab(_model, baselines_id, n, seed)
    if stored is not None:
        return stored
    samples = generate_all(_model, _baselines, n, random_state=seed, singular=singular_set_for(key, _model))
    try:
        clf = real = None
        if _model.dataset["kind"] == "images" and _model.images is not None:
            clf, real = default_classifier(), real_images(_model, 5000)
        return samples, score_all(_model, samples, classifier=clf, real_images=real), None
    except ValueError as exc:
        return samples, None, str(exc)
