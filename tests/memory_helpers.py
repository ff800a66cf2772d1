"""Peak memory of Python code run in a fresh process (Linux).

A child's ``ru_maxrss`` (``os.wait4``, ``getrusage``) starts from its parent's high-water mark, because
the kernel carries it across ``fork`` and ``exec``: under a large pytest process every child would
report pytest's size. ``VmHWM`` in ``/proc/self/status`` belongs to the new address space alone, so the
child reports it itself, on stderr, even when the code exits with ``SystemExit``.
"""

import subprocess
import sys

from repo import REPO

_MARK = "AEOT_PEAK_RSS_KB="

_WRAPPER = """
import sys
try:
    exec(compile(sys.argv[1], "<measured>", "exec"), {"__name__": "__main__"})
finally:
    hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
    sys.stderr.write("\\n%s%s\\n" % ("AEOT_PEAK_RSS_KB=", hwm))
"""


def peak_rss_of(code: str, timeout: float = 600) -> tuple[int, str, int]:
    """Run ``code`` in a fresh interpreter in the repository; return (exit status, stderr, peak RSS bytes)."""
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, code], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)
    lines = proc.stderr.splitlines()
    peak = [int(line[len(_MARK):]) * 1024 for line in lines if line.startswith(_MARK)]
    assert peak, proc.stderr
    err = "\n".join(line for line in lines if not line.startswith(_MARK)).strip()
    return proc.returncode, err, peak[-1]


def cli(*args) -> str:
    """Code that runs ``python -m aeot_viz ARGS`` (for :func:`peak_rss_of`)."""
    return f"import runpy, sys; sys.argv = ['aeot_viz', *{[str(a) for a in args]!r}]; " \
           "runpy.run_module('aeot_viz', run_name='__main__')"
