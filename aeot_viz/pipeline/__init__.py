"""Layer 5: the AE-OT model as a whole: its settings, the one training path, bundles, bounded training jobs."""

from ..io.archive import BundleError
from ..models.config import AEConfig, TrainConfig
from ..ot.config import OTConfig
from .bundle import bundle_to_bytes, load_bundle, save_bundle
from .config import AEOTConfig
from .jobs import Job, JobPool
from .model import AEOTModel
from .training import fit_aeot, train_autoencoder

__all__ = [
    "bundle_to_bytes",
    "load_bundle",
    "save_bundle",
    "AEOTConfig",
    "Job",
    "JobPool",
    "AEOTModel",
    "fit_aeot",
    "train_autoencoder",
    "BundleError",
    "AEConfig",
    "TrainConfig",
    "OTConfig",
]
