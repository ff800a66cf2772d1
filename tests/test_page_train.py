"""Train page: a toy model trains in the page, becomes current, and can be downloaded."""

from streamlit.testing.v1 import AppTest

PAGE = "../pages/1_Train.py"


def test_training_a_toy_model_makes_it_current():
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    assert not at.exception
    at.selectbox(key="tr_dataset").set_value("ring8").run()
    at.number_input(key="tr_n").set_value(300)
    at.number_input(key="tr_ot_iters").set_value(100)
    at.button(key="tr_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success, "no success message"
    name = at.session_state["aeot_current"]
    assert name.startswith("trained: ring8 (300")
    model = at.session_state["aeot_session_models"][name]
    assert model.n_codes == 300 and model.latent_dim == 2
    assert len(at.get("download_button")) == 1


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
