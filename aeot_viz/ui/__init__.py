"""The Streamlit helpers under their name before the layers (issue 16): ``aeot_viz.ui`` re-exports
:mod:`aeot_viz.apps.ui`'s modules (``background``, ``cache``, ``state``, ``widgets``); new code imports them there."""

from ..apps.ui import background, cache, state, widgets

__all__ = ["background", "cache", "state", "widgets"]
