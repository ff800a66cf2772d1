"""Layer 4: what a solved map shows.

Singular sets and their convex null, probes, generation, metrics, projections, the mode-collapse lab.
"""

from .convex_null import ConvexNull
from .discontinuity_probe import Probe, probe, segment_cells
from .generation import Generated, extended_map, generate, plain_map, sample_region
from .grid_mesh import GridMesh, grid_edges, ot_grid_mesh
from .metrics import ModeScore, frechet_distance, mode_score, precision_recall, toy_score
from .probe_output import ProbeOutput, generator_output_along, ot_output_along
from .projections import project
from .singularity import SingularSet, build_convex_null, model_singular_set, singular_set

__all__ = [
    "ConvexNull",
    "Probe",
    "probe",
    "segment_cells",
    "Generated",
    "extended_map",
    "generate",
    "plain_map",
    "sample_region",
    "GridMesh",
    "grid_edges",
    "ot_grid_mesh",
    "ModeScore",
    "frechet_distance",
    "mode_score",
    "precision_recall",
    "toy_score",
    "ProbeOutput",
    "generator_output_along",
    "ot_output_along",
    "project",
    "SingularSet",
    "build_convex_null",
    "model_singular_set",
    "singular_set",
]
