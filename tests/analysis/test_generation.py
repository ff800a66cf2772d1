"""Generation with the plain and extended OT maps, on toy models trained end to end."""

import numpy as np
import pytest

import aeot_viz as av
from aeot_viz.analysis.generation import extended_map, generate, sample_region
from aeot_viz.analysis.singularity import singular_set
from aeot_viz.data import grid_modes
from aeot_viz.geometry.power_diagram import assign


@pytest.fixture(scope="module")
def grid_model():
    ds = av.load_dataset("grid25", n_samples=1000, random_state=3)
    return av.fit_aeot(ds, av.AEOTConfig(ot=av.OTConfig(device="cpu", validation_samples=2**19)))


def test_grid25_generated_codes_fall_in_the_modes_and_cover_them_all(grid_model):
    g = generate(grid_model, 2500, random_state=1)
    d = np.linalg.norm(g.codes[:, None, :] - grid_modes()[None], axis=2)
    high_quality = d.min(axis=1) < 3 * 0.05
    assert high_quality.mean() >= 0.95
    assert len(np.unique(d.argmin(axis=1)[high_quality])) == 25


def test_extended_map_makes_new_codes_but_never_in_the_gap(two_cluster_model):
    m = two_cluster_model
    g = generate(m, 3000, random_state=2)
    assert (np.abs(g.codes[:, 0]) > 0.8).all()  # the gap between the clusters stays empty
    new = ~np.isin(g.codes.view("V8").ravel(), m.codes.view("V8").ravel())
    assert new.mean() > 0.3  # it interpolates: many codes are not training codes
    # while the plain OT map only ever returns training codes
    p = generate(m, 1000, rule="plain", random_state=2)
    assert np.isin(p.codes.view("V8").ravel(), m.codes.view("V8").ravel()).all()
    assert np.array_equal(p.codes, m.codes[p.cells])


def test_without_the_singular_set_the_extension_would_blend_across_the_gap(two_cluster_model):
    """The same rule with every facet declared regular puts codes in the gap: the filtering matters."""
    m = two_cluster_model
    Y, h = m.targets, m.h
    ss = singular_set(Y, h)
    everything_regular = ss.with_threshold(np.inf)
    X = sample_region(20000, 2, random_state=5)
    blended, _ = extended_map(X, Y, h, everything_regular, bandwidth=0.2)
    filtered, _ = extended_map(X, Y, h, ss, bandwidth=0.2)
    gap = lambda T: (np.abs(m.normalizer.inverse_transform(T)[:, 0]) < 0.8).sum()  # noqa: E731
    assert gap(blended) > 0
    assert gap(filtered) == 0


def test_region_restriction_returns_only_chosen_cells(grid_model):
    m = grid_model
    chosen = np.flatnonzero(m.labels == 7)
    g = generate(m, 300, cells=chosen, rule="plain", random_state=3)
    assert np.isin(g.cells, chosen).all()
    gl = generate(m, 300, label=12, random_state=3)
    assert (m.labels[gl.cells] == 12).all()
    assert np.isin(assign(gl.source_points, m.targets, m.h), np.flatnonzero(m.labels == 12)).all()
    box = generate(m, 200, box=([-0.5, -0.5], [0.0, 0.0]), rule="plain", random_state=4)
    assert (box.source_points <= 0).all()
    ball = generate(m, 200, ball=([0.2, 0.2], 0.1), rule="plain", random_state=4)
    assert (np.linalg.norm(ball.source_points - 0.2, axis=1) <= 0.1 + 1e-6).all()


def test_bad_regions_raise(grid_model):
    m = grid_model
    with pytest.raises(ValueError, match="label"):
        generate(m, 10, label=99)
    with pytest.raises(ValueError, match="does not meet"):
        generate(m, 10, box=([0.7, 0.7], [0.9, 0.9]))
    with pytest.raises(ValueError, match="larger region"):
        sample_region(50, 2, Y=m.targets, h=m.h, cells=[0], max_draws=100)
    with pytest.raises(ValueError, match="rule"):
        generate(m, 10, rule="diffusion")


def test_unfillable_regions_give_up_early_from_the_acceptance_rate(grid_model):
    m = grid_model
    corner = int(np.argmin(m.targets.sum(axis=1)))  # the cell of the code nearest the (-1/2, -1/2) corner
    # its cell and a box in the opposite corner never meet: nothing is accepted, give up after 2^20 draws
    with pytest.raises(ValueError, match="share below .* found in 1048576\\)") as exc:
        sample_region(50, 2, Y=m.targets, h=m.h, cells=[corner], box=([0.3, 0.3], [0.5, 0.5]))
    assert "larger region" in str(exc.value)
    # one cell of 1,000 holds about 1/1000 of the source: 20,000 points need ~2e7 draws, over a 2^22 limit
    with pytest.raises(ValueError, match="would need about [0-9.]+e\\+07 draws, over the limit") as exc:
        sample_region(20_000, 2, Y=m.targets, h=m.h, cells=[corner], max_draws=2**22)
    drawn = int(str(exc.value).split(" found in ")[1].split(")")[0])
    assert 2**20 <= drawn < 2**20 + 2**18  # it stopped at the first judgement, far below the limit
    # below the limit the same cell is filled
    X = sample_region(100, 2, Y=m.targets, h=m.h, cells=[corner], max_draws=2**22)
    assert len(X) == 100


@pytest.fixture(scope="module")
def one_blob_two_labels():
    """One convex blob (every facet regular) whose left half is labelled 0 and right half 1: a label that is not a
    mode, so the extended map blends across the label boundary unless told not to."""
    rng = np.random.default_rng(4)
    pts = rng.uniform(-1.0, 1.0, (800, 2))
    labels = (pts[:, 0] > 0).astype(np.int64)
    ds = av.Dataset(pts.astype(np.float32), labels, "points", "blob_two_labels")
    return av.fit_aeot(ds, av.AEOTConfig(ot=av.OTConfig(device="cpu")))


def test_label_restricted_generation_blends_only_within_the_label(one_blob_two_labels):
    m = one_blob_two_labels
    free = generate(m, 3000, label=0, bandwidth=0.08, random_state=6)
    kept = generate(m, 3000, label=0, bandwidth=0.08, within_label=True, random_state=6)
    # the same source points (same seed, same cells): only the blending differs
    assert np.array_equal(free.source_points, kept.source_points)
    assert (m.labels[free.cells] == 0).all() and (m.labels[kept.cells] == 0).all()
    edge = m.codes[m.labels == 0, 0].max()  # the right-most code labelled 0: no blend of label-0 codes passes it
    crosses = (free.weights > 0) & (m.labels[free.neighbours] != 0)
    assert crosses.any(axis=1).mean() > 0.01  # without the restriction some samples blend in label-1 codes...
    assert (free.codes[:, 0] > edge + 1e-6).any()  # ...and land beyond every label-0 code
    assert not ((kept.weights > 0) & (m.labels[kept.neighbours] != 0)).any()
    assert (kept.codes[:, 0] <= edge + 1e-6).all()  # inside the label's hull, checked from the codes themselves
    assert len(np.unique(kept.codes, axis=0)) > 0.9 * len(kept.codes)  # still new codes, not copies


def test_within_label_needs_labels(grid_model):
    unlabelled = grid_model.__class__.__new__(grid_model.__class__)
    unlabelled.__dict__.update({**grid_model.__dict__, "labels": None})
    with pytest.raises(ValueError, match="no labels"):
        generate(unlabelled, 10, within_label=True)
