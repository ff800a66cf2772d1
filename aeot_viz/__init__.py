"""AE-OT Explorer's numerical core: data, autoencoders, semi-discrete OT, bundles.

This file only re-exports; the layers (``utils`` < ``io`` < ``data`` | ``geometry`` < ``ot`` | ``models`` <
``analysis`` < ``pipeline`` < ``viz`` < ``apps``) are drawn in docs/ARCHITECTURE.md.

Nothing here imports Streamlit or Plotly; the app's pages call these functions.
"""

from ._version import __version__
from .analysis import (
    ConvexNull,
    Generated,
    Probe,
    SingularSet,
    build_convex_null,
    generate,
    model_singular_set,
    probe,
    singular_set,
)
from .data import Dataset, load_dataset
from .geometry import adjacency_from_samples, exact_cells_2d, slice_labels
from .models import LatentNormalizer
from .ot import OTResult, OTValidation, SemiDiscreteOT, solve_ot, validate_ot
from .pipeline import (
    AEConfig,
    AEOTConfig,
    AEOTModel,
    BundleError,
    OTConfig,
    TrainConfig,
    bundle_to_bytes,
    fit_aeot,
    load_bundle,
    save_bundle,
    train_autoencoder,
)
from .utils import Cancelled, ProgressEvent

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
