"""Precomputed views: each equals what the page would compute itself, survives the bundle, and is used."""

import io
import json

import numpy as np
import pytest
from app_helpers import TOY, run_page
from numerics import assert_recomputed_close, dot_rounding, pca_recompute_atol
from repo import ASSETS, repo_file

from aeot_viz.analysis.projections import project
from aeot_viz.analysis.singularity import model_singular_set
from aeot_viz.ot import validate_ot
from aeot_viz.pipeline.bundle import BundleError, bundle_to_bytes, load_bundle
from aeot_viz.pipeline.views import (
    MASS_SAMPLES,
    compute_views,
    default_slice_planes,
    slice_key,
    stored_cell_masses,
    stored_lab,
    stored_projection,
    stored_singular_set,
    stored_slice,
)


@pytest.fixture(scope="module")
def toy_with_views():
    """The shipped 25-Gaussian model with its views recomputed here (PCA and t-SNE; UMAP is slow to compile)."""
    from aeot_viz.models.baselines import load_baselines

    model = load_bundle(ASSETS / "toy_grid25.npz")
    model.views.clear()
    model.views_meta.clear()
    events = []
    compute_views(model, projections=("pca", "tsne"), baselines=load_baselines(ASSETS / "baselines_grid25.npz"),
                  baselines_id="shipped-baselines_grid25.npz", callback=events.append)
    return model, events


def test_views_equal_independent_recomputations(toy_with_views):
    model, events = toy_with_views
    assert [e.stage for e in events] == ["views"] * len(events) and events[-1].step == events[-1].total
    np.testing.assert_array_equal(stored_projection(model, "pca"), project(model.codes, "pca", random_state=0))
    assert stored_projection(model, "umap") is None  # not computed: the page would fit it itself
    _, mu = validate_ot(model.targets, model.h, n_samples=MASS_SAMPLES, random_state=7, device="cpu", return_mu=True)
    np.testing.assert_allclose(stored_cell_masses(model), mu)
    fresh, stored = model_singular_set(model), stored_singular_set(model)
    for field in ("pairs", "angles", "relative_jump", "singular", "spacing", "score", "emptiness", "jump_score",
                  "midpoint_spacing"):
        np.testing.assert_array_equal(getattr(stored, field), getattr(fresh, field))
    assert stored.rule == fresh.rule == "midpoint"
    assert stored.n_singular == fresh.n_singular and stored.verdict() == fresh.verdict()
    planes = default_slice_planes(model)
    assert {r for _, r in planes} == {120, 160}
    for plane, res in planes:
        np.testing.assert_array_equal(stored_slice(model, plane, res),
                                      plane.labels(model.targets, model.h, resolution=res))


def test_the_lab_view_equals_the_page_computation(toy_with_views):
    from aeot_viz.analysis.lab import generate_all, score_all
    from aeot_viz.models.baselines import load_baselines

    model, _ = toy_with_views
    samples, scores, why_not = stored_lab(model, "shipped-baselines_grid25.npz", 2500, 0)
    assert why_not is None and set(samples) == {"AE-OT", "gan", "pacgan", "wgan-gp", "vae"}
    again = generate_all(model, load_baselines(ASSETS / "baselines_grid25.npz"), 2500, random_state=0,
                         singular=model_singular_set(model))
    for g in again:
        np.testing.assert_allclose(samples[g], again[g], atol=1e-6)
    fresh_scores = json.loads(json.dumps(score_all(model, again), default=float))
    assert set(scores) == set(fresh_scores)
    for g in fresh_scores:
        assert scores[g] == pytest.approx(fresh_scores[g])
    # another question (other n, seed or baselines) is not answered from the view
    assert stored_lab(model, "shipped-baselines_grid25.npz", 1000, 0) is None
    assert stored_lab(model, "trained-1", 2500, 0) is None


def test_views_survive_the_bundle(toy_with_views):
    model, _ = toy_with_views
    back = load_bundle(bundle_to_bytes(model))
    assert set(back.views) == set(model.views) and back.views_meta == json.loads(json.dumps(model.views_meta))
    for k in model.views:
        np.testing.assert_array_equal(back.views[k], model.views[k])
    assert stored_singular_set(back).n_singular == stored_singular_set(model).n_singular


def test_bad_and_stale_views(toy_with_views):
    import io

    model, _ = toy_with_views
    arrays = dict(np.load(io.BytesIO(bundle_to_bytes(model))))
    for bad in (np.full((3, 2), np.nan), np.zeros((2, 2, 2, 2)), np.array(["text"])):
        crafted = dict(arrays, **{"views/projection_pca": bad})
        buf = io.BytesIO()
        np.savez(buf, **crafted)
        with pytest.raises(BundleError, match="view"):
            load_bundle(buf.getvalue())
    # a view of the wrong shape (e.g. from other codes) is ignored, so the page computes its own
    stale = load_bundle(bundle_to_bytes(model))
    stale.views["projection_pca"] = np.zeros((5, 2), np.float32)
    stale.views["singular_pairs"] = np.array([[0, stale.n_codes + 3]])
    assert stored_projection(stale, "pca") is None and stored_singular_set(stale) is None


def test_a_bundle_from_before_the_midpoint_test_loads_and_its_views_job_rebuilds_the_null(toy_with_views):
    """Older bundles (no null_emptiness, views judged by the jump rule) still load and open by the jump rule; the
    views job gives them the new null, after which the stored set is judged by the midpoint test."""
    model, _ = toy_with_views
    arrays = dict(np.load(io.BytesIO(bundle_to_bytes(model))))
    for name in ("null_emptiness", "null_heights", "views/singular_emptiness", "views/singular_jump_score",
                 "views/singular_midpoint_spacing"):
        arrays.pop(name)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    old = load_bundle(buf.getvalue())
    assert old.singular_null is not None and not old.singular_null.has_emptiness
    before = model_singular_set(old, rebuild_null=False)
    assert before.rule == before.test == "jump" and before.emptiness is not None  # the data's own is measured
    assert before.n_singular == model_singular_set(model).with_jump_rule().n_singular
    compute_views(old, projections=(), only=["singular"])
    assert old.singular_null.has_emptiness
    after = stored_singular_set(old)
    assert after is not None and after.rule == "midpoint"
    np.testing.assert_array_equal(after.singular, model_singular_set(model).singular)
    with pytest.raises(ValueError, match="Unknown views"):
        compute_views(old, only=["nonsense"])


def test_slice_keys_tell_planes_and_resolutions_apart(toy_with_views):
    model, _ = toy_with_views
    (plane, res), _ = default_slice_planes(model)
    assert slice_key(plane, res) != slice_key(plane, res + 40)
    moved = type(plane)(center=plane.center + 1e-3, u=plane.u, v=plane.v, extent=plane.extent)
    assert slice_key(moved, res) != slice_key(plane, res)


def test_pages_show_the_stored_views():
    """A marked projection view reaches the Latent Space plot: the page uses the view, not a recomputation."""
    from aeot_viz.apps.ui.state import shipped_model

    model = shipped_model(TOY)
    P = stored_projection(model, "pca")
    assert P is not None, "the shipped toy carries its views (scripts/build_views.py)"
    at = run_page(repo_file("pages/2_Latent_Space.py"), TOY)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    from app_helpers import plotly_array

    np.testing.assert_allclose(plotly_array(spec["data"][0]["x"]), P[:, 0], rtol=1e-6)


@pytest.mark.parametrize("bundle, baselines", [("default_mnist10k", "baselines_mnist10k.npz"),
                                               ("toy_grid25", "baselines_grid25.npz"),
                                               ("toy_ring8", "baselines_ring8.npz"),
                                               ("stacked_mnist", "baselines_stacked_mnist.npz")])
def test_shipped_bundles_carry_every_first_visit_view(bundle, baselines):
    model = load_bundle(ASSETS / f"{bundle}.npz")
    for method in ("pca", "umap", "tsne"):
        P = stored_projection(model, method)
        assert P is not None and np.isfinite(P).all()
    # stored on another machine: equal to a fresh PCA within float32's rounding on any CPU and BLAS (numerics.py)
    assert_recomputed_close(stored_projection(model, "pca"), project(model.codes, "pca", random_state=0),
                            pca_recompute_atol(model.codes), f"{bundle}'s stored PCA")
    assert stored_cell_masses(model) is not None
    ss = stored_singular_set(model)
    assert ss is not None and ss.n_singular == model_singular_set(model).n_singular
    for plane, res in default_slice_planes(model):
        assert stored_slice(model, plane, res) is not None
    assert stored_lab(model, f"shipped-{baselines}", 2500, 0) is not None


def test_the_stored_view_check_catches_a_planted_mismatch():
    """The rounding tolerance of the shipped-views test is no blanket: two swapped rows, a view of another model
    and one component's sign flipped all fail it, while the fresh PCA passes."""
    model = load_bundle(ASSETS / "default_mnist10k.npz")
    fresh = project(model.codes, "pca", random_state=0)
    atol = pca_recompute_atol(model.codes)
    stored = stored_projection(model, "pca")
    assert_recomputed_close(stored, fresh, atol)
    swapped = stored.copy()
    swapped[[0, 1]] = swapped[[1, 0]]
    other = stored_projection(load_bundle(ASSETS / "stacked_mnist.npz"), "pca")[: len(stored)]
    flipped = stored * np.array([1.0, -1.0], dtype=np.float32)
    moved = stored.copy()
    moved[7] += 50 * atol[7]  # one code's view left over from before it changed, by fifty tolerances
    for planted in (swapped, other, flipped, moved):
        with pytest.raises(AssertionError, match="beyond the rounding tolerance"):
            assert_recomputed_close(planted, fresh, atol)
    with pytest.raises(AssertionError, match="shape"):
        assert_recomputed_close(stored[:-1], fresh, atol)


def _fresh_stacked_histogram_and_near_ties(model, gen, classifier, chunk: int = 4096):
    """The Stacked-MNIST histogram of ``gen``'s codes, recomputed here (decode, clip, classify each channel,
    arg-max, count), and how many samples hold a decision that another CPU's rounding could turn
    (tests/numerics.py): the source point's best cell against its second, or a channel's best digit against its
    second. Each gap is compared with the rounding of the two values it separates, a dot product whose scale is
    the sum of its terms' magnitudes. The codes' blending weights are continuous in the scores and need no count."""
    import torch

    from aeot_viz.geometry.power_diagram import top_k

    X, Y, h = gen.source_points, model.targets, model.h
    idx, val = top_k(X, Y, h, k=2)
    terms = np.stack([(np.abs(X) * np.abs(Y[idx[:, m]])).sum(axis=1) + np.abs(h[idx[:, m]]) for m in (0, 1)])
    near = (val[:, 0] - val[:, 1]) <= 4 * dot_rounding(Y.shape[1]) * terms.max(axis=0)
    # the chain's reductions, rounding in sequence: the decoder's longest (ConvTranspose2d 128 -> 64, 4 x 4 kernel
    # at stride 2: 128 x 4 terms) and the classifier's (its 64 x 7 x 7 linear layer)
    length = 128 * 4 + 64 * 7 * 7
    W, b = classifier.head.weight.detach().numpy(), classifier.head.bias.detach().numpy()
    hist = np.zeros(1000, dtype=np.int64)
    classifier.eval()
    for i in range(0, len(gen.codes), chunk):
        images = np.clip(model.decode(gen.codes[i:i + chunk]), 0, 1)
        digits, close = [], np.zeros(len(images), dtype=bool)
        with torch.no_grad():
            for c in range(3):
                f = classifier.body(torch.from_numpy(images[:, c:c + 1].copy())).numpy()
                logits = f @ W.T + b
                top = np.argsort(logits, axis=1)[:, -2:]
                mags = np.take_along_axis(np.abs(f) @ np.abs(W).T + np.abs(b), top, axis=1).max(axis=1)
                gap = np.diff(np.take_along_axis(logits, top, axis=1), axis=1)[:, 0]
                close |= gap <= 4 * dot_rounding(length) * mags
                digits.append(top[:, 1])
        hist += np.bincount(100 * digits[0] + 10 * digits[1] + digits[2], minlength=1000)
        near[i:i + chunk] |= close
    return hist, int(near.sum())


def test_the_stored_stacked_histogram_equals_a_fresh_count():
    """The shipped Stacked-MNIST model's stored AE-OT mode histogram is what the protocol computes afresh, up to
    the samples whose decisions are near ties (at most 2 counts each, tests/numerics.py), and the tolerance still
    catches planted mismatches: the five fullest and five emptiest modes exchanged, the histogram shifted by one
    mode, and the plain map's histogram in its place."""
    from aeot_viz.analysis.generation import generate
    from aeot_viz.analysis.metrics import STACKED_SAMPLES
    from aeot_viz.models.classifier import default_classifier
    from aeot_viz.pipeline.views import LAB_SEED, stored_stacked

    model = load_bundle(ASSETS / "stacked_mnist.npz")
    stored = stored_stacked(model, "shipped-baselines_stacked_mnist.npz")
    assert stored is not None and list(stored)[:2] == ["AE-OT", "AE-OT (plain map)"]
    gen = generate(model, STACKED_SAMPLES, singular=stored_singular_set(model), random_state=LAB_SEED)
    fresh, near = _fresh_stacked_histogram_and_near_ties(model, gen, default_classifier())
    H = np.asarray(stored["AE-OT"]["histogram"])
    assert H.sum() == fresh.sum() == STACKED_SAMPLES
    assert near <= 0.01 * STACKED_SAMPLES, near  # a tolerance that could hide a stale view would be no test
    assert np.abs(H - fresh).sum() <= 2 * near, (np.abs(H - fresh).sum(), near)
    covered = int((fresh > 0).sum())
    assert abs(stored["AE-OT"]["modes_covered"] - covered) <= near and covered >= 990
    order = np.argsort(H, kind="stable")
    swapped = H.copy()
    swapped[np.r_[order[:5], order[-5:]]] = H[np.r_[order[-5:], order[:5]]]  # the 5 fullest and 5 emptiest modes
    plain = np.asarray(stored["AE-OT (plain map)"]["histogram"])  # another generator's real histogram
    for planted in (swapped, np.roll(H, 1), plain):
        assert np.abs(planted - fresh).sum() > 2 * near
    assert stored_stacked(model, "shipped-something-else.npz") is None
