"""The honest OT error: the noise-corrected L1 against an independent reference (exact 2-D cell areas)."""

import numpy as np
import pytest

from aeot_viz.geometry.power_diagram import exact_cells_2d
from aeot_viz.ot import SemiDiscreteOT, validate_ot
from aeot_viz.ot.error import corrected_l1, error_in_words


def test_corrected_l1_is_the_quadrature_difference_and_never_negative():
    assert corrected_l1(0.05, 0.03) == pytest.approx(0.04)
    assert corrected_l1(0.02, 0.03) == 0.0


def test_the_corrected_error_estimates_the_exact_error_that_the_measurement_overstates():
    """2-D: the exact power cells give the true L1 (no sampling); a 2^16-sample check overstates it, the
    noise-corrected figure recovers it."""
    rng = np.random.default_rng(3)
    Y = rng.random((400, 2)) - 0.5
    h = SemiDiscreteOT(max_iter=40, round_iter=20, validation_samples=2**16, device="cpu",
                       method="stochastic").fit(Y).h_  # a rough solve: its error is what is measured
    exact = np.abs(exact_cells_2d(Y, h).areas - 1 / 400).sum()
    checks = [validate_ot(Y, h, n_samples=2**16, random_state=s, device="cpu") for s in range(11, 16)]
    measured = np.mean([c.l1 for c in checks])
    corrected = np.mean([c.corrected_l1 for c in checks])
    assert measured > 1.2 * exact  # the raw figure is mostly noise here
    assert abs(corrected - exact) < 0.25 * exact
    words = checks[0].in_words()
    assert "of the mass is in the wrong cells" in words and f"{checks[0].noise_floor:.3f}" in words
    assert "65,536 samples" in error_in_words(0.1, 0.05, 2**16)


def test_stop_in_words_says_why_the_solve_stopped():
    from aeot_viz.ot.error import stop_in_words

    v = {"l1": 0.031, "noise_floor": 0.025, "n_samples": 2**23, "empty_share": 0.0}
    early = stop_in_words(640, 2000, v, floor_factor=1.3)
    assert "stopped early, after 640 of 2,000" in early and "8,388,608 fresh samples" in early
    assert "1.3x the 0.025" in early
    # converged in the budget's last round: it did not run out of budget
    assert "within 1.3x" in stop_in_words(2000, 2000, v) and "whole budget" not in stop_in_words(2000, 2000, v)
    assert "below the stop value 0.040" in stop_in_words(300, 2000, v, tol=0.04)
    budget = stop_in_words(2000, 2000, {**v, "l1": 0.05})
    assert "whole budget of 2,000" in budget and "Raise the OT iteration budget" in budget
    assert "whole budget" in stop_in_words(2000, 2000, {**v, "empty_share": 0.01})  # an empty cell is not done
    stalled = stop_in_words(60, 2000, {**v, "exact_l1": 3e-6}, newton=True, n_codes=500)
    assert "stalled or met its step cap" in stalled and "3.0e-06" in stalled
    with pytest.raises(ValueError, match="exact_l1"):
        stop_in_words(9, 2000, v, newton=True, n_codes=500)


def test_stop_in_words_on_a_real_newton_solve():
    """A real exact solve of a toy: the sentence is decided by its exact error against float64's reach."""
    import aeot_viz as av
    from aeot_viz.ot.error import stop_in_words
    from aeot_viz.ot.newton import default_tol

    model = av.fit_aeot(av.load_dataset("ring8", n_samples=400, random_state=1), av.AEOTConfig())
    v = model.ot_validation
    assert v["exact_l1"] <= default_tol(400)  # the solve did reach it (checked on its own exact areas)
    words = stop_in_words(model.summary()["OT iterations"], model.config.ot.max_iter, v, newton=True, n_codes=400)
    assert words.startswith(f"The exact Newton solve stopped after {model.summary()['OT iterations']} steps")
    assert "reached the precision of float64" in words


def test_exact_errors_print_one_way_and_say_float64_s_reach():
    """Below float64's reach for N cells the digits are rounding: the shipped toy's 3.38e-13 (solver) and 3.73e-13
    (the bundle's float32 targets) are one string; above it, three significant figures."""
    from aeot_viz.ot.error import exact_l1_text, ot_error_line, stop_in_words
    from aeot_viz.ot.newton import default_tol

    assert default_tol(1000) == pytest.approx(2e-12)
    assert exact_l1_text(3.3775e-13, 1000) == exact_l1_text(3.7275e-13, 1000) == "< 2e-12"
    assert exact_l1_text(3e-6, 1000) == "3.00e-06" and exact_l1_text(0.2449, 1000) == "2.45e-01"
    assert exact_l1_text(3.3775e-13) == "3.38e-13"  # without the number of cells: as it is
    assert "areas: L1 < 2e-12 (float64's rounding" in error_in_words(0.05, 0.049, 2**18, exact_l1=3.4e-13,
                                                                     n_codes=1000)
    assert "areas: L1 3.00e-06 (a share 2e-06" in error_in_words(0.05, 0.049, exact_l1=3e-6, n_codes=1000)
    assert ot_error_line({"exact_l1": 3.4e-13}, n_codes=1000) == "OT error: exact L1 < 2e-12 (exact Newton solve)."
    v = {"l1": 0.05, "noise_floor": 0.049, "n_samples": 2**18, "empty_share": 0.0, "exact_l1": 3.4e-13}
    assert "exact L1 error (< 2e-12) reached the precision of float64" in stop_in_words(9, 2000, v, newton=True,
                                                                                       n_codes=1000)
