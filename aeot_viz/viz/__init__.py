"""Plotly figure builders: arrays in, ``plotly.graph_objects.Figure`` out. No Streamlit here.

Plotly is imported when a builder is called, so ``import aeot_viz`` stays light.
"""

from .figures import image_grid_figure, latent_scatter, power_cells_figure, slice_figure

__all__ = ["latent_scatter", "power_cells_figure", "slice_figure", "image_grid_figure"]
