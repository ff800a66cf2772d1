"""AE-OT Explorer's numerical core: data, autoencoders, semi-discrete OT, bundles.

Nothing here imports Streamlit or Plotly; the app's pages call these functions.
"""

from ._version import __version__
from .analysis.convex_null import ConvexNull
from .analysis.discontinuity_probe import Probe, probe
from .analysis.generation import Generated, generate
from .analysis.singularity import SingularSet, build_convex_null, model_singular_set, singular_set
from .data import Dataset, load_dataset
from .geometry.power_diagram import adjacency_from_samples, exact_cells_2d, slice_labels
from .models.normalization import LatentNormalizer
from .ot import OTResult, OTValidation, SemiDiscreteOT, solve_ot, validate_ot
from .pipeline.bundle import BundleError, bundle_to_bytes, load_bundle, save_bundle
from .pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from .pipeline.model import AEOTModel
from .pipeline.training import fit_aeot, train_autoencoder
from .utils.progress import Cancelled, ProgressEvent

__all__ = [
    "__version__",
    "AEConfig",
    "AEOTConfig",
    "AEOTModel",
    "BundleError",
    "Cancelled",
    "ConvexNull",
    "Dataset",
    "Generated",
    "LatentNormalizer",
    "OTConfig",
    "OTValidation",
    "Probe",
    "ProgressEvent",
    "SemiDiscreteOT",
    "OTResult",
    "solve_ot",
    "SingularSet",
    "TrainConfig",
    "adjacency_from_samples",
    "bundle_to_bytes",
    "build_convex_null",
    "exact_cells_2d",
    "fit_aeot",
    "generate",
    "load_bundle",
    "load_dataset",
    "model_singular_set",
    "probe",
    "save_bundle",
    "singular_set",
    "slice_labels",
    "train_autoencoder",
    "validate_ot",
]
