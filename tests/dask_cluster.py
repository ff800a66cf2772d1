"""A throwaway Dask cluster for tests: a scheduler and workers as separate processes on loopback
(``python -m dask scheduler`` / ``python -m dask worker``), with automatic retries off, stopped afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from repo import REPO


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DaskCluster:
    """``start()`` a scheduler and ``n_workers`` workers (one thread each, under a nanny); :attr:`address`."""

    def __init__(self, n_workers: int = 2):
        self.port, self.n_workers = _free_port(), int(n_workers)
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")]),
                    "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0", "PYTHONUNBUFFERED": "1"}
        self.procs: list = []

    def start(self) -> DaskCluster:
        self.procs.append(subprocess.Popen(
            [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
             "--no-dashboard"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True))
        for k in range(self.n_workers):
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "dask", "worker", self.address, "--nthreads", "1", "--host", "127.0.0.1",
                 "--no-dashboard", "--memory-limit", "0", "--name", f"w{k}"], env=self.env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        from distributed import Client

        deadline = time.time() + 60
        with Client(self.address, timeout=60, set_as_default=False) as c:
            while len(c.scheduler_info()["workers"]) < self.n_workers:
                if time.time() > deadline:
                    raise RuntimeError("the Dask workers did not join within 60 s")
                time.sleep(0.2)
        return self

    def stop(self) -> None:
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for p in self.procs:
            p.wait(10)
