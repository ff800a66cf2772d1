"""A server restart while a toy model trains in a worker (issue 34). The "server" is a process that runs the
Train page (Streamlit's AppTest) and starts the training; it is killed with SIGKILL while the worker runs (the
worker dies with it: PR_SET_PDEATHSIG). A second process, the restarted server, opens the Train page of the same
browser (owner cookie) on the same store: the job shows as interrupted, Resume runs it from its checkpoint, and the
model equals an uninterrupted run's (heights to 1e-6)."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
from repo import REPO

from aeot_viz.data import load_dataset
from aeot_viz.pipeline.config import AEOTConfig
from aeot_viz.pipeline.store import ModelStore
from aeot_viz.pipeline.training import fit_aeot

OWNER = "c" * 32

_FIRST = textwrap.dedent("""
    import sys, time
    from streamlit.testing.v1 import AppTest
    from aeot_viz.pipeline.store import ModelStore
    at = AppTest.from_file(sys.argv[1], default_timeout=180)
    at.session_state["aeot_owner"] = sys.argv[2]
    at.run()
    at.selectbox(key="tr_dataset").set_value("ring8").run()
    at.number_input(key="tr_n").set_value(2000)
    at.button(key="tr_go").click().run()
    store = ModelStore()
    while True:
        jobs = store.jobs(owner=sys.argv[2])
        pid = at.session_state["aeot_jobs"][-1]["job"].pid  # set once the child has started
        if jobs and jobs[-1].status == "running" and jobs[-1].heartbeat and pid:
            print("RUNNING", jobs[-1].id, pid, flush=True)
            break
        time.sleep(0.05)
    time.sleep(600)  # the test kills this process: the server goes down mid-training
""")

_AFTER = textwrap.dedent("""
    import json, sys
    from streamlit.testing.v1 import AppTest
    sys.path.insert(0, sys.argv[3])
    from app_helpers import finish_jobs
    at = AppTest.from_file(sys.argv[1], default_timeout=300)
    at.session_state["aeot_owner"] = sys.argv[2]
    at.run()
    shown = [w.value for w in at.warning]
    buttons = [b.key for b in at.button if (b.key or "").startswith("tr_resume_")]
    at.button(key=buttons[0]).click().run()
    finish_jobs(at)
    name = at.session_state["aeot_current"]
    print(json.dumps({"shown": shown, "buttons": buttons, "current": name,
                      "stored": at.session_state["aeot_stored_ids"].get(name)}))
""")


def _gone_within(pid: int, seconds: float) -> bool:
    import psutil

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_a_restart_mid_training_leaves_an_interrupted_job_that_resumes_to_the_same_model(tmp_path):
    env = {**os.environ, "AEOT_DATA_DIR": str(tmp_path / "data"), "AEOT_JOB_STALE_S": "2",
           "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    page = str(REPO / "pages" / "1_Train.py")
    server = subprocess.Popen([sys.executable, "-c", _FIRST, page, OWNER], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = server.stdout.readline()
        assert line.startswith("RUNNING"), server.stderr.read()[-3000:] if server.poll() is not None else line
        job_id, worker = line.split()[1], int(line.split()[2])
        os.kill(server.pid, signal.SIGKILL)  # the server stops: no goodbye, no cleanup
        server.wait(30)
        assert _gone_within(worker, 5.0), "the worker outlived its server"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    store = ModelStore(tmp_path / "data")
    try:
        row = store.get_job(job_id)
        assert row.status == "running" and row.model_id is None  # it never finished
        time.sleep(2.5)  # its heartbeat goes stale (AEOT_JOB_STALE_S = 2)
        after = subprocess.run([sys.executable, "-c", _AFTER, page, OWNER, str(REPO / "tests")], env=env,
                               capture_output=True, text=True, timeout=600)
        assert after.returncode == 0, after.stderr[-3000:]
        seen = json.loads(after.stdout.strip().splitlines()[-1])
        assert any("stopped before its end" in w and "server stopped" in w for w in seen["shown"]), seen["shown"]
        assert seen["buttons"] == [f"tr_resume_{job_id}"]
        assert store.get_job(job_id).status == "resumed"
        resumed = store.load(seen["stored"])
        settings = row.settings
        d = settings["dataset"]
        reference = fit_aeot(load_dataset(d["name"], **d["params"]), AEOTConfig.from_dict(settings["config"]))
        np.testing.assert_allclose(resumed.h, reference.h, atol=1e-6, rtol=0)
        done = [j for j in store.jobs(owner=OWNER) if j.status == "done"]
        assert len(done) == 1 and done[0].model_id == seen["stored"]
    finally:
        store.dispose()
