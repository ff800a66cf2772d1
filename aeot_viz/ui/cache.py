"""Cached computations at the UI boundary. Cached objects are shared between sessions: never mutate them."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ..model import AEOTModel
from ..singularity import SingularSet, singular_set


def model_key(name: str, model: AEOTModel) -> str:
    """A cache key that tells apart models with the same display name (e.g. trained in two sessions)."""
    return f"{name}|{model.created}|{model.n_codes}|{model.latent_dim}|{float(model.h[:8].sum()):.17g}"


@st.cache_resource(show_spinner="Finding the facets of the power diagram...", max_entries=16)
def singular_set_for(key: str, _model: AEOTModel) -> SingularSet:
    """The model's singular set with the default threshold (use ``with_threshold`` for others)."""
    return singular_set(_model.targets, _model.h, n_samples=2**16)


@st.cache_resource(show_spinner="Projecting the latent codes (UMAP compiles on first use, ~15 s)...", max_entries=16)
def projection_for(key: str, method: str, _codes) -> np.ndarray:
    """2-D projection of a model's codes, fitted once per model and method."""
    from ..projections import project

    return project(_codes, method, random_state=0)


@st.cache_resource(show_spinner="Measuring the cell masses...", max_entries=16)
def cell_masses_for(key: str, _model: AEOTModel) -> np.ndarray:
    """Cell masses of the model's OT map on 2^18 fresh samples (for the mass-error colouring)."""
    from ..ot import validate_ot

    _, mu = validate_ot(_model.targets, _model.h, n_samples=2**18, random_state=7, device="cpu", return_mu=True)
    return mu
