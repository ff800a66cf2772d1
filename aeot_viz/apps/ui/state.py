"""Which model a visitor is looking at.

Shipped and uploaded bundles are loaded once per process (``st.cache_resource``) and shared read-only
between sessions. Models trained or uploaded in a session live in that session's state *and* in the model store
(:mod:`aeot_viz.apps.ui.library`), so a reload, another tab or a restarted server finds them again: the current
stored model's id is kept in the URL (``?model=<id>``). Keys are prefixed ``aeot_``.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import streamlit as st

from ...io.checkpoint import fingerprint
from ...pipeline.bundle import BundleError, load_bundle
from ...pipeline.model import AEOTModel
from ...utils.paths import assets_dir

ASSETS = assets_dir()
SHIPPED = {
    "MNIST-10k (shipped default)": ASSETS / "default_mnist10k.npz",
    "25 Gaussians, 2-D (shipped toy)": ASSETS / "toy_grid25.npz",
    "8 Gaussians on a ring, 2-D (shipped toy)": ASSETS / "toy_ring8.npz",
    "Stacked MNIST, 1,000 modes (shipped)": ASSETS / "stacked_mnist.npz",
}
#: GAN / PacGAN / WGAN-GP / VAE trained on the shipped models (scripts/build_baselines.py)
SHIPPED_BASELINES = {
    "MNIST-10k (shipped default)": ASSETS / "baselines_mnist10k.npz",
    "25 Gaussians, 2-D (shipped toy)": ASSETS / "baselines_grid25.npz",
    "8 Gaussians on a ring, 2-D (shipped toy)": ASSETS / "baselines_ring8.npz",
    "Stacked MNIST, 1,000 modes (shipped)": ASSETS / "baselines_stacked_mnist.npz",
}
DEFAULT_NAME = "MNIST-10k (shipped default)"
TOY_NAME = "25 Gaussians, 2-D (shipped toy)"


@st.cache_resource(show_spinner="Loading the model bundle...")
def _load_path(path: str, mtime: float) -> AEOTModel:
    return load_bundle(path)


@st.cache_resource(show_spinner="Reading the uploaded bundle...", max_entries=8)
def _load_bytes(digest: str, _data: bytes) -> AEOTModel:
    return load_bundle(_data)


def use_app_navigation(rerun: bool = True) -> None:
    """Make Streamlit run ``app.py``'s own navigation, not its old ``pages/``-folder navigation.

    Streamlit 1.67 notices a ``pages/`` folder beside the entry script and then runs every request through its
    first multipage mode: a URL such as ``/Singular_Set`` runs that page's file directly, so ``app.py``'s
    ``st.navigation`` (titles, icons, the order) never runs and the sidebar lists the files plus an "app"
    entry. The switch is one process-wide flag, ``PagesManager.uses_pages_directory``. ``app.py`` turns it off
    when it runs; a page run by the old mode (the first request of a fresh server was a page's URL) turns it off
    and reruns, and the rerun goes through ``app.py`` to the same page: both modes name a page's script by its
    URL path, so the page is found again.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if rerun:
            st.rerun()


def init_state() -> None:
    """Create this session's keys once (and leave Streamlit's ``pages/``-folder mode, :func:`use_app_navigation`);
    open the stored model a ``?model=<id>`` link names, and keep the current stored model's id in the URL."""
    use_app_navigation()
    st.session_state.setdefault("aeot_current", DEFAULT_NAME)
    st.session_state.setdefault("aeot_session_models", {})  # name -> AEOTModel trained or uploaded here
    st.session_state.setdefault("aeot_stored_ids", {})  # session name -> its id in the model store
    _follow_link()
    _keep_in_url()


def _follow_link() -> None:
    """A ``?model=<id>`` link the session has not followed yet makes that stored model current."""
    from .library import current_store_id, model_store, stored_name

    wanted = st.query_params.get("model")
    if not wanted or st.session_state.get("aeot_followed") == wanted:
        return
    st.session_state["aeot_followed"] = wanted
    if current_store_id() == wanted:
        return
    try:
        rec = model_store().get(str(wanted))
    except Exception:  # noqa: BLE001 - an unreadable store: the link is ignored, the page still opens
        rec = None
    if rec is None:
        st.session_state["aeot_link_error"] = (f"No stored model has the id {wanted!r}: it may have been deleted. "
                                               "Showing the shipped default instead.")
        return
    st.session_state["aeot_current"] = stored_name(rec)


def _keep_in_url() -> None:
    from .library import current_store_id

    wanted = current_store_id()
    if wanted and st.query_params.get("model") != wanted:
        st.query_params["model"] = wanted
        st.session_state["aeot_followed"] = wanted
    elif not wanted and "model" in st.query_params:
        del st.query_params["model"]
        st.session_state.pop("aeot_followed", None)


def available_models() -> list[str]:
    """Names the model picker offers: shipped bundles that exist, this session's models, then the stored models
    this browser made in earlier visits, and the current one (opened by a link or from the library). Other
    visitors' models are listed in Home's library, not in every picker."""
    from .library import library_rows, owner_token, stored_id, stored_name

    init_state()
    mine = set(st.session_state["aeot_stored_ids"].values())
    me = owner_token()
    stored = [stored_name(r) for r in library_rows() if r.id not in mine and r.owner == me]
    names = [n for n, p in SHIPPED.items() if p.is_file()] + list(st.session_state["aeot_session_models"]) + stored
    current = st.session_state["aeot_current"]
    return names + [current] if stored_id(current) and current not in names else names


def _store(model: AEOTModel, name: str, data: bytes | None = None) -> None:
    """Keep a session's model in the store (its bundle and row) and remember its id; a store that cannot take
    it (a full disk) leaves the model in this session only, with a message."""
    from .library import model_store, owner_token

    if name in st.session_state["aeot_stored_ids"]:  # already stored (by a cluster worker)
        return
    try:
        store = model_store()
        rec = (store.put_bytes(data, name=name, owner=owner_token()) if data is not None
               else store.put(model, name=name, owner=owner_token()))
    except (OSError, ValueError) as exc:
        st.session_state["aeot_store_error"] = (f"{name} could not be kept in the model library ({exc}); it stays "
                                                "in this browser tab only: download it to keep it.")
        return
    st.session_state["aeot_stored_ids"][name] = rec.id


def upload_limit_bytes() -> int:
    """The largest upload accepted: the server's ``server.maxUploadSize`` (MB, ``.streamlit/config.toml``,
    the ``STREAMLIT_SERVER_MAX_UPLOAD_SIZE`` environment variable or ``--server.maxUploadSize``).

    The browser refuses larger files before sending them; the pages check again on the server, so the
    limit also holds for clients that skip the browser's check.
    """
    return int(st.get_option("server.maxUploadSize")) * 2**20


def add_uploaded(name: str, data: bytes) -> str:
    """Load an uploaded bundle (raises BundleError on a bad file or one over the upload limit),
    register it, make it current."""
    init_state()
    limit = upload_limit_bytes()
    if len(data) > limit:
        raise BundleError(f"{name} is {len(data) / 2**20:.1f} MB, over the upload limit of {limit / 2**20:.0f} MB "
                          "(the server's maxUploadSize setting).")
    model = _load_bytes(hashlib.sha256(data).hexdigest(), data)
    key = f"upload: {name}"
    st.session_state["aeot_session_models"][key] = model
    _store(model, key, data)
    st.session_state["aeot_current"] = key
    return key


def run_checkpoint_dir(settings: dict, data) -> Path:
    """This session's checkpoint folder for a training run with these settings and data.

    One folder per (settings, data) fingerprint under a temporary folder made once per session, so a
    cancelled or failed run resumes when the visitor presses Train again with the same choices, and
    visitors never share checkpoints.
    """
    init_state()
    if "aeot_checkpoints" not in st.session_state:
        st.session_state["aeot_checkpoints"] = tempfile.mkdtemp(prefix="aeot_ckpt_")
    return Path(st.session_state["aeot_checkpoints"]) / fingerprint(settings, data)[:16]


def add_trained(name: str, model: AEOTModel) -> str:
    """Register a model trained in this session and make it current."""
    init_state()
    st.session_state["aeot_session_models"][name] = model
    _store(model, name)
    st.session_state["aeot_current"] = name
    _keep_in_url()
    return name


def current_model() -> tuple[str, AEOTModel]:
    """The model this session looks at (the shipped default until the visitor picks another)."""
    from .library import DamagedModel, load_stored, model_store, stored_id

    init_state()
    name = st.session_state["aeot_current"]
    models = st.session_state["aeot_session_models"]
    if name in models:
        return name, models[name]
    if stored_id(name):
        rec = model_store().get(stored_id(name))
        try:
            if rec is not None:
                return name, load_stored(rec)
            st.session_state["aeot_link_error"] = f"{name} was deleted from the library."
        except DamagedModel as exc:
            st.session_state["aeot_link_error"] = f"{exc} Showing the shipped default instead."
    path = SHIPPED.get(name)
    if path is None or not path.is_file():
        name, path = DEFAULT_NAME, SHIPPED[DEFAULT_NAME]
        st.session_state["aeot_current"] = name
    return name, shipped_model(name)


def shipped_model(name: str) -> AEOTModel:
    """A shipped bundle by its display name, loaded once per process and shared read-only."""
    path = SHIPPED[name]
    return _load_path(str(path), path.stat().st_mtime)


def session_id() -> str:
    """A random id for this visitor's session (owner of its training jobs)."""
    import uuid

    return st.session_state.setdefault("aeot_session_id", uuid.uuid4().hex)


@st.cache_resource
def training_pool():
    """The server's one pool of training jobs, shared by every session
    (:class:`~aeot_viz.pipeline.workers.ProcessJobPool`): trainings run in worker processes (``submit_process``),
    views of in-memory models on its threads (``submit``)."""
    from ...pipeline.workers import ProcessJobPool

    return ProcessJobPool()


@st.cache_data(show_spinner=False, max_entries=32)
def dataset_shape(name: str) -> tuple:
    """``(sample shape, kind)`` of a built-in dataset (read from a 50-sample load, once per process)."""
    from ...data import load_dataset

    ds = load_dataset(name, n_samples=50)
    return tuple(ds.shape), ds.kind


@st.cache_resource(show_spinner="Measuring this machine's speed for the time estimate...", max_entries=16)
def _machine_speed(ae_kind: str, latent_dim: int, batch_size: int, shape: tuple, kind: str):
    from ...pipeline.config import AEConfig, AEOTConfig, TrainConfig
    from ...pipeline.cost import measure_speed

    cfg = AEOTConfig(ae=AEConfig(kind=ae_kind, latent_dim=latent_dim), train=TrainConfig(batch_size=batch_size))
    return measure_speed(cfg, shape, kind)


def run_cost(n_samples: int, shape, kind: str, config) -> dict:
    """Seconds per stage a run of ``config`` is expected to take here (:func:`aeot_viz.pipeline.cost.
    estimate_training_seconds`), on speeds measured once per network (cached)."""
    from ...pipeline.cost import estimate_training_seconds

    speed = _machine_speed(config.ae.kind, int(config.ae.latent_dim), int(config.train.batch_size), tuple(shape),
                           kind)
    return estimate_training_seconds(n_samples, shape, kind, config, speed)
