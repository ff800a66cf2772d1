"""Top-level job functions for tests/pipeline/test_workers.py: a spawned worker child imports them by name.

They import numpy at most (no torch), so a child starts in well under a second.
"""

import os
import time

from aeot_viz.utils.progress import ProgressEvent


def report_then_sleep(seconds, *, callback):
    """One progress event, then one long call that never reaches the next one (as a native kernel would)."""
    callback(ProgressEvent("ot", 0, 1))
    time.sleep(seconds)
    return "slept"


def wait_for_file(path, name, *, callback):
    """Report every 10 ms until ``path`` exists; returns ``name``."""
    while not os.path.exists(path):
        callback(ProgressEvent("ot", 0, 1))
        time.sleep(0.01)
    callback(ProgressEvent("ot", 1, 1))
    return name


def allocate(n_bytes, *, callback):
    """Allocate and touch ``n_bytes`` with numpy; returns their sum (0)."""
    import numpy as np

    callback(ProgressEvent("ot", 0, 1))
    a = np.zeros(int(n_bytes), dtype=np.uint8)
    a[::4096] = 0
    return int(a[::4096].sum())


def fail(message, *, callback):
    """Raise ``ValueError(message)``."""
    raise ValueError(message)


def publish_then_return(value, *, callback):
    """Publish ``value`` as an interim value, then return it doubled."""
    callback.publish(value)
    return value * 2
