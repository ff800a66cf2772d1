"""How wrong an OT map is, said honestly: the measured L1, its noise floor, and the noise-corrected error.

A check of the cell masses on :math:`M` fresh samples reads an L1 error even for an exact map: the
binomial noise of the counts, whose expectation is the *noise floor*
:math:`f = \\sum_i \\sqrt{2/\\pi}\\sqrt{\nu_i(1 - \nu_i)/M}`. These helpers turn a measured L1 and its floor
into the estimated true error and a sentence a student can read. :func:`exact_l1_text` is the one way the app
prints an exact 2-D error; it and :func:`stop_in_words` import (lazily) the Newton solver's tolerance.
"""

from __future__ import annotations

import math
from typing import Optional

__all__ = ["corrected_l1", "error_in_words", "exact_l1_text", "ot_error_line", "stop_in_words"]


def exact_l1_text(l1: float, n_codes: Optional[int] = None) -> str:
    """An exact 2-D L1 mass error as every page prints it: three significant figures (``"3.00e-06"``), or
    ``"< 2e-12"`` at or below float64's reach for ``n_codes`` cells (:func:`aeot_viz.ot.newton.default_tol`).

    Below that reach the digits are rounding, not error: the same heights give 3.4e-13 from the solver's float64
    targets and 3.7e-13 from the float32 targets a bundle stores (the shipped grid25 toy), so two pages would
    print two numbers for one map. Without ``n_codes`` the number is printed as it is.

    Parameters
    ----------
    l1 : float
        Sum over cells of ``|cell mass - target mass|``, from exact cells.
    n_codes : int, optional
        Number of cells.

    Returns
    -------
    str
    """
    from .newton import default_tol

    l1 = float(l1)
    if n_codes is not None and l1 <= default_tol(int(n_codes)):
        return f"< {default_tol(int(n_codes)):.0e}"
    return f"{l1:.2e}"


def corrected_l1(l1: float, noise_floor: float) -> float:
    r"""The true L1 error estimated from a measured one: :math:`\sqrt{\max(L^2 - f^2, 0)}`.

    A check on :math:`M` samples reads the true error and its own binomial noise (floor :math:`f`)
    roughly in quadrature; removing the floor gives the estimate. It errs low near the floor
    (:math:`E|e + \sigma Z| \le \sqrt{e^2 + \sigma^2}`), and reads 0 when the measurement is within its
    noise.
    """
    return math.sqrt(max(float(l1) ** 2 - float(noise_floor) ** 2, 0.0))


def error_in_words(l1: float, noise_floor: float, n_samples: Optional[int] = None, *,
                   exact_l1: Optional[float] = None, n_codes: Optional[int] = None) -> str:
    """A sentence on an OT error: the mass in the wrong cells (L1 / 2) after removing the noise, and how
    uncertain the measurement itself is. With ``exact_l1`` (an error computed from exact 2-D cell areas) the
    sentence gives that first, printed by :func:`exact_l1_text` (pass ``n_codes``), and calls the sampled reading
    what it is: a cross-check within its noise."""
    true = corrected_l1(l1, noise_floor)
    on = f" on {int(n_samples):,} samples" if n_samples else ""
    if exact_l1 is not None:
        text = exact_l1_text(exact_l1, n_codes)
        share = ("float64's rounding: no measurable mass in the wrong cells" if text.startswith("<")
                 else f"a share {float(exact_l1) / 2:.0e} of the mass in the wrong cells")
        return (f"Exact error, from the exact cell areas: L1 {text} ({share}). A sampled check{on} reads L1 {l1:.3f} "
                f"against the {noise_floor:.3f} that even an exact map reads there: its noise, not an error.")
    return (f"About {true / 2:.1%} of the mass is in the wrong cells (estimated L1 {true:.3f} after removing the "
            f"sampling noise); the measurement{on} is itself uncertain by about {noise_floor / 2:.1%} (an exact map "
            f"would still read L1 {noise_floor:.3f}; this one read {l1:.3f}).")


def ot_error_line(validation: dict, n_codes: Optional[int] = None) -> str:
    """A short phrase for a caption from a validation's dict (``OTValidation.to_dict()``): the exact error of a
    2-D Newton solve (printed by :func:`exact_l1_text`, which needs ``n_codes``), or the sampled L1 beside its
    noise floor."""
    if validation.get("exact_l1") is not None:
        return f"OT error: exact L1 {exact_l1_text(validation['exact_l1'], n_codes)} (exact Newton solve)."
    return (f"OT error: L1 {float(validation['l1']):.3f} on samples (noise floor "
            f"{float(validation['noise_floor']):.3f}).")


def stop_in_words(n_iter: int, max_iter: int, validation: dict, *, newton: bool = False,
                  n_codes: Optional[int] = None, floor_factor: float = 1.3, tol: float = 0.0) -> str:
    """Why the OT solve stopped when it did, in one or two sentences for the Train page.

    Parameters
    ----------
    n_iter : int
        Iterations (stochastic) or Newton steps the solve took.
    max_iter : int
        The iteration budget it was given (stochastic solver only).
    validation : dict
        The final validation (``OTValidation.to_dict()``): ``l1``, ``noise_floor``, ``n_samples``, ``empty_share``
        and, for an exact 2-D solve, ``exact_l1``; for the pooled solver the last entry of its validation log, whose
        ``pool`` and ``floor_factor`` say which fresh pool certified it and at what factor
        (:func:`aeot_viz.ot.pooled.pool_floor_factor`).
    newton : bool
        The exact 2-D Newton solver ran: it stops when its exact error reaches float64's reach
        (:func:`aeot_viz.ot.newton.default_tol` of ``n_codes`` cells), at ``tol`` when that is positive, or when it
        stalls or meets its step cap.
    n_codes : int, optional
        Number of cells (needed with ``newton``).
    floor_factor, tol : float
        The stochastic solver's stop rule: validation L1 within ``floor_factor`` x its noise floor with no empty
        cell, or below ``tol`` when that is positive.

    Returns
    -------
    str
    """
    from .newton import default_tol

    missing = [k for k in ("l1", "noise_floor") if validation.get(k) is None]
    if missing or (newton and (validation.get("exact_l1") is None or n_codes is None)):
        raise ValueError(f"stop_in_words needs the validation's l1 and noise_floor (missing: {missing}), and for a "
                         "Newton solve its exact_l1 and the number of codes.")
    l1, floor = float(validation["l1"]), float(validation["noise_floor"])
    if newton:
        exact, reach = float(validation["exact_l1"]), default_tol(int(n_codes))
        if exact <= reach:
            return (f"The exact Newton solve stopped after {n_iter} steps because its exact L1 error "
                    f"({exact_l1_text(exact, n_codes)}) reached the precision of float64 (every cell holds its mass "
                    "to about 1e-15).")
        if tol > 0 and exact <= tol:
            return (f"The exact Newton solve stopped after {n_iter} steps because its exact L1 error, {exact:.1e}, "
                    f"fell below the stop value {tol:.1e}.")
        return (f"The exact Newton solve stopped after {n_iter} steps at exact L1 {exact:.1e}, short of float64's "
                f"reach ({reach:.0e}): it stalled or met its step cap. The map is still exact to a share "
                f"{exact / 2:.0e} of the mass.")
    early = f"early, after {n_iter:,} of {max_iter:,}" if n_iter < max_iter else f"after {n_iter:,}"
    if tol > 0 and l1 <= tol:
        return (f"OT stopped {early} iterations, because its validation read L1 {l1:.3f}, below the stop value "
                f"{tol:.3f} you set.")
    if validation.get("pool") and validation.get("floor_factor") and l1 <= float(validation["floor_factor"]) * floor \
            and not validation.get("empty_share"):
        pf = float(validation["floor_factor"])
        return (f"OT stopped {early} iterations, because a fresh pool of {int(validation['pool']):,} samples, "
                f"drawn after the heights were fitted, read L1 {l1:.3f}, within {pf:.3f}x the {floor:.3f} that even an "
                f"exact map reads there, with no empty cell. That certifies the same error bound as {floor_factor}x "
                "the floor of the full validation size: further iterations could not be told apart from sampling "
                "noise.")
    if l1 <= floor_factor * floor and not validation.get("empty_share"):
        return (f"OT stopped {early} iterations, because its validation on "
                f"{int(validation.get('n_samples') or 0):,} fresh samples read L1 {l1:.3f}, within {floor_factor}x "
                f"the {floor:.3f} that even an exact map reads there, with no empty cell: further iterations could "
                "not be told apart from sampling noise.")
    return (f"OT used its whole budget of {max_iter:,} iterations; its validation read L1 {l1:.3f} against a noise "
            f"floor of {floor:.3f}. Raise the OT iteration budget to get closer to the floor.")
