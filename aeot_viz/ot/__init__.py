"""Layer 3: semi-discrete optimal transport: settings, the solver and its result, validation, sharding.

Re-exports the family's public names so that ``from aeot_viz.ot import SemiDiscreteOT, validate_ot`` keeps working.
"""

from ..geometry.sources import sample_source
from .config import SOURCES, OTConfig
from .error import corrected_l1, error_in_words
from .result import OTResult, OTValidation
from .solver import SemiDiscreteOT, solve_ot
from .validation import MIN_AUTO_VALIDATION, VALIDATION_CHUNK, auto_validation_samples, validate_ot

__all__ = [
    "SemiDiscreteOT",
    "OTValidation",
    "validate_ot",
    "sample_source",
    "SOURCES",
    "corrected_l1",
    "error_in_words",
    "auto_validation_samples",
    "OTResult",
    "solve_ot",
    "MIN_AUTO_VALIDATION",
    "VALIDATION_CHUNK",
    "OTConfig",
]
