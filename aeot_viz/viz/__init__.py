"""Plotly figure builders: arrays in, ``plotly.graph_objects.Figure`` out. No Streamlit here.

Plotly is imported when a builder is called, so ``import aeot_viz`` stays light.
"""

from .figures import (
                      CLICK_GRID_NAME,
                      add_click_grid,
                      add_probe,
    add_source_box,
                      adjacency_figure,
                      class_histogram_figure,
                      explainer_figure,
                      image_grid_figure,
                      latent_scatter,
                      mode_histograms_figure,
                      null_histogram_figure,
                      paths_figure,
                      power_cells_figure,
                      probe_output_figure,
                      refinement_figure,
                      samples_figure,
                      slice_figure,
                      solver_error_figure,
                      training_scores_figure,
)

__all__ = ["latent_scatter", "power_cells_figure", "slice_figure", "image_grid_figure", "adjacency_figure",
           "add_probe", "add_click_grid", "add_source_box",
           "null_histogram_figure", "mode_histograms_figure", "explainer_figure", "samples_figure", "paths_figure",
           "solver_error_figure", "training_scores_figure", "probe_output_figure", "refinement_figure",
           "class_histogram_figure",
           "CLICK_GRID_NAME"]
