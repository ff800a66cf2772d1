"""Train page: a toy model trains in the background, becomes current, and can be downloaded."""

import os

import pytest
from app_helpers import finish_jobs
from repo import repo_file
from streamlit.testing.v1 import AppTest

PAGE = repo_file("pages/1_Train.py")


def test_training_a_toy_model_makes_it_current():
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    assert not at.exception
    at.selectbox(key="tr_dataset").set_value("digits").run()  # settings made for images first...
    at.number_input(key="tr_ot_iters").set_value(40)
    at.number_input(key="tr_tol").set_value(0.2)
    at.selectbox(key="tr_dataset").set_value("ring8").run()  # ...then a toy, where they are greyed out
    at.number_input(key="tr_n").set_value(300)
    # a toy has no autoencoder and is solved by exact Newton: those settings are greyed out, and the page says why
    assert at.number_input(key="tr_ot_iters").disabled and at.number_input(key="tr_latent").disabled
    assert any("Greyed out: 2-D points are their own latent space" in c.value for c in at.caption)
    at.button(key="tr_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["aeot_current"] == "MNIST-10k (shipped default)"  # the click returned at once
    assert at.session_state["aeot_jobs"][-1]["kind"] == "training"
    finish_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    assert at.success, "no success message"
    name = at.session_state["aeot_current"]
    assert name.startswith("trained: ring8 (300")
    model = at.session_state["aeot_session_models"][name]
    assert model.n_codes == 300 and model.latent_dim == 2
    job = at.session_state["aeot_jobs"][-1]["job"]
    assert job.pid is not None and job.pid != os.getpid()  # trained in a worker child process
    assert job.result is model and "projection_pca" in model.views  # its bundle bytes became this model, views too
    assert len(at.get("download_button")) == 1
    from aeot_viz.pipeline.config import OTConfig

    assert (model.config.ot.max_iter, model.config.ot.tol) == (OTConfig().max_iter, 0.0)  # greyed out = not used
    steps = model.summary()["OT iterations"]
    assert any(f"Newton solve stopped after {steps} steps" in c.value for c in at.caption)  # why it stopped


def test_bad_settings_give_an_error_box_and_keep_the_current_model():
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    at.selectbox(key="tr_dataset").set_value("digits").run()
    at.number_input(key="tr_n").set_value(100)
    at.number_input(key="tr_latent").set_value(64)  # not smaller than the 64 pixels
    at.button(key="tr_go").click().run()
    assert not at.exception
    assert at.error and "latent_dim" in at.error[0].value
    assert at.session_state["aeot_current"] == "MNIST-10k (shipped default)"
    assert not at.get("download_button")


def test_cancel_says_nothing_changed():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.button(key="tr_cancel").click().run()
    assert at.warning and "cancelled" in at.warning[0].value
    assert at.session_state["aeot_current"] == "MNIST-10k (shipped default)"


def _zip_of_images():
    import io
    import zipfile

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for c in range(2):
            for i in range(40):
                img = np.zeros((16, 16), np.uint8)
                img[:, 8 * c: 8 * c + 8] = 200 + rng.integers(0, 50)  # class 0: left half lit, class 1: right
                png = io.BytesIO()
                Image.fromarray(img).save(png, format="PNG")
                z.writestr(f"shapes/{'left' if c == 0 else 'right'}/{i}.png", png.getvalue())
    return buf.getvalue()


def test_uploading_a_zip_of_images_trains_an_image_model_with_chosen_settings():
    at = AppTest.from_file(PAGE, default_timeout=240).run()
    at.radio(key="tr_source").set_value("upload a file").run()
    assert at.info and "Choose a file" in at.info[0].value
    at.slider(key="tr_img_size").set_value(12)
    at.file_uploader(key="tr_upload").set_value(("shapes.zip", _zip_of_images(), "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "80 images of shape (1, 12, 12), 2 classes" in at.caption[0].value
    at.number_input(key="tr_latent").set_value(3)
    at.number_input(key="tr_epochs").set_value(2)
    at.number_input(key="tr_ot_iters").set_value(40)
    assert at.selectbox(key="tr_ae_kind").options == ["auto", "conv", "channelwise"]
    at.selectbox(key="tr_ae_kind").set_value("conv")
    at.select_slider(key="tr_batch").set_value(32)
    at.select_slider(key="tr_val").set_value(16)
    at.button(key="tr_go").click().run()
    finish_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    assert at.success, [e.value for e in at.error]
    model = at.session_state["aeot_session_models"][at.session_state["aeot_current"]]
    assert model.n_codes == 80 and model.latent_dim == 3 and model.dataset["kind"] == "images"
    assert model.config.ae.kind == "conv" and model.config.train.batch_size == 32
    assert model.config.ot.validation_samples == 2**16
    assert sorted(set(model.labels.tolist())) == [0, 1]


def test_a_bad_upload_is_an_error_in_the_page():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.radio(key="tr_source").set_value("upload a file").run()
    at.file_uploader(key="tr_upload").set_value(("broken.npz", b"PK not really", "application/zip")).run()
    assert not at.exception
    assert at.error and "Could not read broken.npz" in at.error[0].value
    assert at.session_state["aeot_current"] == "MNIST-10k (shipped default)"


def _digits_settings(at):
    at.selectbox(key="tr_dataset").set_value("digits").run()
    at.number_input(key="tr_n").set_value(100)
    at.number_input(key="tr_latent").set_value(4)
    at.number_input(key="tr_epochs").set_value(2)
    at.number_input(key="tr_ot_iters").set_value(40)


def test_out_of_memory_is_an_error_box_and_train_again_resumes(monkeypatch):
    import torch

    from aeot_viz.ot import SemiDiscreteOT  # fit_aeot solves through it (ot.solve_ot)

    real_fit = SemiDiscreteOT.fit

    def oom(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 8.00 GiB")

    monkeypatch.setattr(SemiDiscreteOT, "fit", oom)
    from aeot_viz.apps.ui.state import training_pool

    # the patch lives in this process: run the training job here, not in a worker child (same function and hooks)
    monkeypatch.setattr(training_pool(), "isolate", False)
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    _digits_settings(at)
    at.button(key="tr_go").click().run()
    finish_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and "Out of memory while solving OT" in at.error[0].value
    assert "current model is unchanged" in at.error[0].value
    assert at.session_state["aeot_current"] == "MNIST-10k (shipped default)"

    monkeypatch.setattr(SemiDiscreteOT, "fit", real_fit)
    at.button(key="tr_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.info and "Resuming an interrupted run" in at.info[0].value
    assert "autoencoder after epoch 2" in at.info[0].value  # the autoencoder was not trained again
    finish_jobs(at)
    assert at.success and at.session_state["aeot_current"].startswith("trained: digits (100")


def test_upload_over_the_server_limit_is_an_error(monkeypatch):
    import streamlit as st

    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.radio(key="tr_source").set_value("upload a file").run()
    monkeypatch.setattr(st, "get_option",
                        lambda key, _real=st.get_option: 1 if key == "server.maxUploadSize" else _real(key))
    at.file_uploader(key="tr_upload").set_value(("big.npy", b"\0" * (2 * 2**20), "application/octet-stream")).run()
    assert at.error and "over the upload limit of 1 MB" in at.error[0].value


def test_constant_data_upload_gives_its_own_error_and_keeps_the_model():
    import io

    import numpy as np

    buf = io.BytesIO()
    np.save(buf, np.full((60, 5), 0.25))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.radio(key="tr_source").set_value("upload a file").run()
    at.file_uploader(key="tr_upload").set_value(("flat.npy", buf.getvalue(), "application/octet-stream")).run()
    at.number_input(key="tr_latent").set_value(2)
    at.button(key="tr_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and "identical (constant data)" in at.error[0].value
    assert at.session_state["aeot_current"] == "MNIST-10k (shipped default)"


FORM = {  # every setting of the form, set away from its default (digits: nothing greyed out)
    ("selectbox", "tr_dataset"): "digits", ("number_input", "tr_n"): 300, ("number_input", "tr_latent"): 5,
    ("number_input", "tr_epochs"): 3, ("number_input", "tr_ot_iters"): 60, ("number_input", "tr_seed"): 7,
    ("selectbox", "tr_ae_kind"): "conv", ("select_slider", "tr_batch"): 64, ("select_slider", "tr_ae_lr"): 3e-3,
    ("number_input", "tr_ot_lr"): 2.0, ("checkbox", "tr_multiscale"): False, ("select_slider", "tr_val"): 18,
    ("number_input", "tr_tol"): 0.05,
}


def test_the_form_keeps_its_values_after_a_visit_to_another_page():
    """Streamlit drops the state of widgets a run does not draw: a visit to Home used to reset the form (issue 33)."""
    at = AppTest.from_file(repo_file("app.py"), default_timeout=180).run()
    at.switch_page("pages/1_Train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    for (kind, key), value in FORM.items():
        getattr(at, kind)(key=key).set_value(value)
        at.run()
    at.switch_page("pages/0_Home.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "AE-OT Explorer"  # Home ran, not the Train page
    at.switch_page("pages/1_Train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    kept = {(kind, key): getattr(at, kind)(key=key).value for kind, key in FORM}
    assert kept == FORM


def _jobs(at) -> list:
    return list(at.session_state["aeot_jobs"]) if "aeot_jobs" in at.session_state else []


BAD = [("tr_n", 5, "Samples must be from 50 to 10,000; it is 5."),
       ("tr_latent", 1, "Latent dimension must be from 2 to 96; it is 1."),
       ("tr_epochs", 0, "Autoencoder epochs must be from 1 to 200; it is 0."),
       ("tr_ot_iters", 100_000, "OT iteration budget must be from 20 to 10,000; it is 100,000."),
       ("tr_seed", -1, "Seed must be from 0 to 10,000; it is -1."),
       ("tr_ot_lr", 0.0, "OT step size must be from 0.1 to 20; it is 0."),
       ("tr_tol", 0.9, "Stop at L1 below must be from 0 to 0.5; it is 0.9.")]


@pytest.mark.parametrize("key, value, message", BAD, ids=[b[0] for b in BAD])
def test_an_out_of_range_number_is_named_and_nothing_trains(key, value, message):
    """The browser's own bounds kept a bad entry to itself and Train ran on the old value (issue 33): now the value
    reaches the page, which names the field and its range at once, and refuses to train when Train is pressed."""
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.selectbox(key="tr_dataset").set_value("digits").run()
    at.number_input(key=key).set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [message + " Change it, then press Train."]  # said before Train is pressed
    at.button(key="tr_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [f"Not training: {message} Change it, then press Train. The current model "
                                           "is unchanged."]
    assert _jobs(at) == []  # no job submitted
    assert at.session_state["aeot_current"] == "MNIST-10k (shipped default)"


def test_samples_5_then_train_gives_the_range_and_submits_no_job():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.number_input(key="tr_n").set_value(5).run()
    at.button(key="tr_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and "Samples must be from 50 to 10,000; it is 5." in at.error[0].value
    assert "Change it, then press Train." in at.error[0].value
    assert _jobs(at) == []
    at.number_input(key="tr_n").set_value(50).run()  # fixed: the error goes
    assert not at.error


def test_greyed_out_settings_are_not_checked_for_a_toy():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.selectbox(key="tr_dataset").set_value("digits").run()
    at.number_input(key="tr_latent").set_value(500).run()
    assert at.error and "Latent dimension" in at.error[0].value
    at.selectbox(key="tr_dataset").set_value("ring8").run()  # a toy: the latent dimension does not apply
    assert not at.error


def test_a_bad_upload_sample_count_is_named_before_the_file_is_read():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.radio(key="tr_source").set_value("upload a file").run()
    at.number_input(key="tr_n_up").set_value(10).run()
    at.file_uploader(key="tr_upload").set_value(("shapes.zip", _zip_of_images(), "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and "Samples (at most) must be from 50 to 100,000; it is 10." in at.error[0].value
    assert "tr_upload_ds" not in at.session_state


def test_the_progress_bar_says_the_time_left_in_the_running_stage(tmp_path):
    """Time left from the stage's own step rate (aeot_viz.utils.eta), not from the whole bar's fraction."""
    import threading
    import time

    from aeot_viz.apps.ui.state import training_pool
    from aeot_viz.utils.progress import emit

    gate = threading.Event()

    def run(callback):
        for step in range(1, 6):
            emit(callback, "autoencoder", step, 10, loss=0.1)
        gate.wait(60)

    job = training_pool().submit(run, owner="test", label="trained: digits (100, seed 0)")
    try:
        for _ in range(1200):
            if len(job.events) == 5:
                break
            time.sleep(0.05)
        assert len(job.events) == 5, "the job did not start"
        # ten seconds a step, 5 steps left: 50 s; stamped ahead of the clock, so that the page's own run time does not
        # count it down (the countdown between reports is tested in tests/pipeline/test_time_left.py)
        job.times[:] = [time.time() + 3600 + 10 * i for i in range(5)]
        at = AppTest.from_file(PAGE, default_timeout=60)
        at.session_state["aeot_jobs"] = [{"job": job, "kind": "training", "name": "trained: digits (100, seed 0)",
                                          "holder": {}, "checkpoint": str(tmp_path), "collected": False,
                                          "published": False}]
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        texts = [el.proto.text for el in at.get("progress")]
        assert any(t.startswith("autoencoder 5/10") and t.endswith("about 50 s left in the autoencoder")
                   for t in texts), texts
    finally:
        gate.set()
        job.wait(10)
