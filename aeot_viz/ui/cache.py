"""Cached computations at the UI boundary. Cached objects are shared between sessions: never mutate them."""

from __future__ import annotations

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
