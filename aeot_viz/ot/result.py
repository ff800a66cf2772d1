"""What one OT solve returns: the frozen :class:`OTResult` and its independent check, :class:`OTValidation`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional

import numpy as np

from .error import corrected_l1, error_in_words

__all__ = ["OTValidation", "OTResult"]


@dataclass(frozen=True)
class OTValidation:
    r"""Independent check of OT heights on fresh pseudo-random samples.

    Attributes
    ----------
    l1 : float
        :math:`\\sum_i |\\hat\\mu_i - \\nu_i|`.
    empty_share : float
        Share of cells that received no sample.
    max_rel_error : float
        :math:`\\max_i |\\hat\\mu_i - \\nu_i| / \\nu_i`.
    noise_floor : float
        Expected L1 of an exact solution under the same number of samples.
    n_samples : int
        Samples used.
    exact_l1 : float or None
        The exact L1 mass error :math:`\sum_i |\mu(W_i) - \nu_i|` from exact cell areas (2-D Newton solves);
        None where only the sampled check exists.
    exact_empty_share : float or None
        Share of exactly empty cells, beside ``exact_l1``.
    """

    l1: float
    empty_share: float
    max_rel_error: float
    noise_floor: float
    n_samples: int
    exact_l1: Optional[float] = None
    exact_empty_share: Optional[float] = None

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def corrected_l1(self) -> float:
        """The estimated true L1 error, with the sampling noise removed (:func:`corrected_l1`)."""
        return corrected_l1(self.l1, self.noise_floor)

    def in_words(self) -> str:
        """One sentence for a student (:func:`error_in_words`), led by the exact error where there is one."""
        return error_in_words(self.l1, self.noise_floor, self.n_samples, exact_l1=self.exact_l1)


@dataclass(frozen=True, eq=False)
class OTResult:
    """The outcome of one semi-discrete OT solve, as a value: what pipeline and analysis code consume.

    Made by :func:`solve_ot` or :attr:`SemiDiscreteOT.result_`; its arrays are read-only copies, so it
    does not change when the solver that made it is refitted.

    Attributes
    ----------
    h : numpy.ndarray, shape (N,)
        Heights, mean zero (identical targets share one height).
    n_iter : int
    converged : bool
        Whether the stopping rule was met within the budget.
    validation : OTValidation
        The last validation, of ``h``.
    validation_log : tuple of dict
        Every round's validation, with its ``iteration``.
    log : dict of numpy.ndarray
        Per-iteration solver log (see :class:`SemiDiscreteOT`).
    snapshots : numpy.ndarray, shape (S, N)
    snapshot_iters : numpy.ndarray, shape (S,)
    validation_samples : int
        The validation size used.
    n_unique : int
        Distinct targets.
    """

    h: np.ndarray
    n_iter: int
    converged: bool
    validation: OTValidation
    validation_log: tuple
    log: dict
    snapshots: np.ndarray
    snapshot_iters: np.ndarray
    validation_samples: int
    n_unique: int


def _frozen(a) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a
