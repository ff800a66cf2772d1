"""Shared progress-callback helpers for tests that interrupt long runs."""

from aeot_viz.utils.progress import Cancelled


def cancel_at(stage: str, step: int):
    """A callback that records every event and raises ``Cancelled`` at ``step`` of ``stage``; and the record."""
    events = []

    def cb(ev):
        events.append(ev)
        if ev.stage == stage and ev.step >= step:
            raise Cancelled(f"stopped at {stage} {step}")
    return cb, events
