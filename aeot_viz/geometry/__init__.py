"""Layer 2: power diagrams of the Brenier potential, the chunked scoring kernel, facet statistics."""

from .facets import (
    facet_angles,
    facet_degree,
    kth_neighbour_distance,
    midpoint_emptiness,
    midpoint_rank,
    relative_jumps,
)
from .power_diagram import (
    Adjacency,
    PowerCells2D,
    SlicePlane,
    adjacency_from_samples,
    assign,
    exact_cells_2d,
    slice_labels,
    slice_points,
    top_k,
)
from .scoring import assign_cells, best_cells, cell_counts
from .sources import SAMPLERS, SOURCES, random_batches, sample_source

__all__ = [
    "facet_angles",
    "facet_degree",
    "kth_neighbour_distance",
    "midpoint_emptiness",
    "midpoint_rank",
    "relative_jumps",
    "Adjacency",
    "PowerCells2D",
    "SlicePlane",
    "adjacency_from_samples",
    "assign",
    "exact_cells_2d",
    "slice_labels",
    "slice_points",
    "top_k",
    "assign_cells",
    "best_cells",
    "cell_counts",
    "SAMPLERS",
    "SOURCES",
    "random_batches",
    "sample_source",
]
