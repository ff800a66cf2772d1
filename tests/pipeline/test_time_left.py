"""The time-left estimate of a training job (issue 33: it counted up, 2 s -> 8 s).

``data/progress_digits.json`` is a real job's progress, recorded with

    python benchmarks/record_progress.py --out tests/pipeline/data/progress_digits.json

(the Train page's background job on 600 digits: 6 autoencoder epochs, two rounds of the OT solve and two of the
convex null's, then the views; every event with its wall time). The tests replay it through the estimator.

The noise bound. In a segment (a stage, or one OT round) the estimate is ``(1 - f) * r``: the fraction left times
the median ``r`` of the ``k`` step rates measured so far (seconds per unit of fraction). The recorded rates of a
segment scatter by ``sigma`` (1.4826 x their median absolute deviation: the standard deviation of a normal
sample, robust to the few slow steps); the median of ``k`` of them is uncertain by its standard error
``sqrt(pi / 2) * sigma / sqrt(k)``, so the estimate is uncertain by ``se = (1 - f) * 1.2533 * sigma / sqrt(k)``.
A rise within two of those (a two-sigma band) is measurement noise; a rise beyond it is the estimate counting
up. On the recording the largest rise is 1.74 se (convex null, round 0); the old estimate (``elapsed / fraction -
elapsed`` on the progress bar's fraction) climbs from 2.5 s to 6 s over the first 11 s, and a later value of it
exceeds an earlier one by 5.1 s, where the widest band the new estimate is held to anywhere is 0.93 s.
"""

import json
import math
from collections import defaultdict

import numpy as np
import pytest
from repo import repo_file

from aeot_viz.pipeline.jobs import TRAINING_STAGES, eta_segment, time_left
from aeot_viz.utils.eta import TimeLeft
from aeot_viz.utils.progress import ProgressEvent

METRICS = ("solver", "round", "round_first", "round_iters", "view")


def _recorded():
    with open(repo_file("tests/pipeline/data/progress_digits.json")) as f:
        record = json.load(f)
    cols = record["events"]
    events = [ProgressEvent(cols["stage"][i], cols["step"][i], cols["total"][i],
                            {k: cols[k][i] for k in METRICS if cols[k][i] is not None})
              for i in range(record["n_events"])]
    return list(cols["t"]), events


def _replay(times, events):
    """Each segment's reports: (time, fraction, estimate right after the report, shown just before it, steps)."""
    eta, out, prev = TimeLeft(), defaultdict(list), None
    for t, ev in zip(times, events):
        seg = eta_segment(ev)
        if seg is None:
            eta, prev = TimeLeft(), None
            continue
        shown_before = eta.left(t) if prev == seg[0] else math.nan
        eta.update(t, seg[0], seg[1])
        out[seg[0]].append((t, seg[1], eta.left(), shown_before, eta.steps))
        prev = seg[0]
    return out


def _sigma(reports) -> float:
    """Robust scatter of a segment's recorded step rates (seconds per unit fraction)."""
    t, f = np.array([r[0] for r in reports]), np.array([r[1] for r in reports])
    rates = np.diff(t) / np.diff(f)
    return float(1.4826 * np.median(np.abs(rates - np.median(rates))))


def test_the_recording_is_a_real_job_with_every_stage():
    times, events = _recorded()
    assert times == sorted(times) and len(events) > 800
    stages = [ev.stage for ev in events]
    for stage in ("autoencoder", "encode", "ot", "ot-validation", "convex-null", "convex-null-validation", "views"):
        assert stage in stages
    rounds = {(ev.stage, ev.metrics["round"]) for ev in events if ev.stage in ("ot", "convex-null")}
    assert rounds == {("ot", 0), ("ot", 1), ("convex-null", 0), ("convex-null", 1)}  # the batch doubles at round 1


def test_the_estimate_never_counts_up_beyond_its_noise_and_ends_near_zero():
    segments = _replay(*_recorded())
    assert set(segments) >= {("autoencoder",), ("ot", 0), ("ot", 1), ("convex-null", 0), ("convex-null", 1)}
    for key, reports in segments.items():
        if len(reports) < 10:
            continue  # the encoding: one report, no estimate to follow
        sigma = _sigma(reports)
        est = [(t, f, e, before, k) for t, f, e, before, k in reports if not math.isnan(e) and k]
        assert len(est) >= len(reports) - 3, key  # an estimate from the third step on
        se = [(1 - f) * 1.2533 * sigma / math.sqrt(k) for _, f, _, _, k in est]
        for i, (t, _, e, before, _) in enumerate(est):
            if not math.isnan(before):  # what the page showed just before the report, against just after it
                assert e - before <= 2 * se[i] + 1e-9, (key, t, e, before, se[i])
            later = max(x[2] for x in est[i:])  # no later estimate above this one by more than its noise
            assert later - e <= 2 * se[i] + 1e-9, (key, t, later, e, se[i])
        # ends near zero: over the segment's last tenth it is within that tenth's own duration of the time left
        end, duration = reports[-1][0], reports[-1][0] - reports[0][0]
        for t, f, e, _, _ in est:
            if f >= 0.9:
                assert abs(e - (end - t)) <= 0.1 * duration, (key, t, e, end - t)
        assert est[-1][2] == 0.0


def test_the_same_check_catches_the_old_estimate_counting_up():
    """The old estimate on the same recording, against the largest bound the new one is held to anywhere."""
    times, events = _recorded()
    segments = _replay(times, events)
    widest = max(2 * (1 - f) * 1.2533 * _sigma(r) / math.sqrt(k)
                 for r in segments.values() if len(r) >= 10 for _, f, e, _, k in r if not math.isnan(e) and k)
    old = []
    for t, ev in zip(times, events):
        start, span = TRAINING_STAGES[ev.stage]
        fraction = start + span * ev.fraction  # the progress bar's fraction; the job started at t = 0
        old.append(t / fraction - t if fraction > 0.02 else math.nan)
    shown = [x for x in old if not math.isnan(x)]
    rise = max(max(shown[i:]) - x for i, x in enumerate(shown))  # a later estimate above an earlier one
    assert rise > 3.0 > widest


def test_time_left_reads_a_job_s_events_and_says_what_it_is_left_of():
    times, events = _recorded()
    ae = [i for i, ev in enumerate(events) if ev.stage == "autoencoder"]
    left, what = time_left(events[: ae[15]], times[: ae[15]])
    assert what == "left in the autoencoder" and 0 < left < 1.0
    ot1 = [i for i, ev in enumerate(events) if ev.stage == "ot" and ev.metrics["round"] == 1]
    i = ot1[100]
    left, what = time_left(events[: i + 1], times[: i + 1])
    assert what == "to the OT solver's check after this round"
    assert abs(left - (times[ot1[-1]] - times[i])) < 0.5 * (times[ot1[-1]] - times[i])
    later, _ = time_left(events[: i + 1], times[: i + 1], now=times[i] + 60.0)  # a stall: waits, never below 0
    assert left - later == pytest.approx(np.median(np.diff(times[ot1[0]: i + 1])), rel=1e-6)
    views = [i for i, ev in enumerate(events) if ev.stage == "views"]
    left, what = time_left(events[: views[2]], times[: views[2]])
    assert math.isnan(left) and what == ""  # views: jobs of unequal cost, no guess
    left, what = time_left([], [])
    assert math.isnan(left) and what == ""


def test_time_left_counts_down_with_the_clock_and_restarts_per_segment():
    eta = TimeLeft()
    for i in range(5):
        eta.update(10.0 + i, "a", i / 10)
    assert eta.left() == pytest.approx(6.0) and eta.left(now=14.5) == pytest.approx(5.5)
    assert eta.left(now=30.0) == pytest.approx(5.0)  # a stall: it waits after one typical step
    eta.update(15.0, "b", 0.0)
    assert math.isnan(eta.left()) and eta.steps == 0  # a new segment starts from nothing
    eta.update(16.0, "b", 1.0)
    assert eta.left() == 0.0  # done
    with pytest.raises(ValueError, match="time order"):
        eta.update(15.5, "b", 1.0)
    with pytest.raises(ValueError, match="finite"):
        eta.update(math.nan, "b", 1.0)
    with pytest.raises(ValueError, match="min_steps"):
        TimeLeft(min_steps=0)


def test_one_slow_step_barely_moves_the_estimate():
    """The median rate: a step ten times slower than the rest (a garbage collection) moves the estimate by at most
    the gap between two rates, where a mean rate would move it by the outlier over the step count."""
    eta = TimeLeft()
    rng = np.random.default_rng(0)
    t = 0.0
    for i in range(51):
        t += 1.0 + 0.01 * rng.standard_normal()
        eta.update(t, "a", i / 100)
    before = eta.left()
    eta.update(t + 10.0, "a", 0.51)  # the slow step
    assert eta.left() - (before - 1.0) < 0.5  # a mean rate would put it about 9 s higher
