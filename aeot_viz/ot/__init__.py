"""Layer 3: semi-discrete optimal transport: settings, the solver and its result, validation, sharding.

Re-exports the solver's names so that ``from aeot_viz.ot import SemiDiscreteOT, validate_ot`` keeps working.
"""

from .solver import (
    MIN_AUTO_VALIDATION,
    SOURCES,
    VALIDATION_CHUNK,
    OTResult,
    OTValidation,
    SemiDiscreteOT,
    auto_validation_samples,
    corrected_l1,
    error_in_words,
    sample_source,
    solve_ot,
    validate_ot,
)

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
]
