"""AE-OT Explorer's numerical core: data, autoencoders, semi-discrete OT, bundles.

Nothing here imports Streamlit or Plotly; the app's pages call these functions.
"""

__version__ = "0.1.0"

from .bundle import BundleError, bundle_to_bytes, load_bundle, save_bundle
from .config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from .datasets import Dataset, load_dataset
from .model import AEOTModel
from .normalization import LatentNormalizer
from .ot import OTValidation, SemiDiscreteOT, validate_ot
from .progress import Cancelled, ProgressEvent
from .training import fit_aeot, train_autoencoder

__all__ = [
    "__version__",
    "AEConfig",
    "AEOTConfig",
    "AEOTModel",
    "BundleError",
    "Cancelled",
    "Dataset",
    "LatentNormalizer",
    "OTConfig",
    "OTValidation",
    "ProgressEvent",
    "SemiDiscreteOT",
    "TrainConfig",
    "bundle_to_bytes",
    "fit_aeot",
    "load_bundle",
    "load_dataset",
    "save_bundle",
    "train_autoencoder",
    "validate_ot",
]
