"""Tests for aeot_viz.data: toy mixtures, shipped digits, MNIST files, user uploads, dispatch."""

from __future__ import annotations

import gzip
import json
import struct

import numpy as np
import pytest
from PIL import Image

from aeot_viz.data import (
    BUILTIN_DATASETS,
    TOY_DATASETS,
    Dataset,
    concentric_rings,
    grid25,
    grid_modes,
    load_array_file,
    load_dataset,
    load_digits,
    load_image_folder,
    load_mnist10k,
    load_mnist_file,
    ring8,
    ring_modes,
    swiss_roll,
    two_moons,
)
from aeot_viz.data import registry as D  # load_dataset looks its loaders up here

# keyword of the noise / std parameter of each toy generator
NOISE_KW = {"ring8": "std", "grid25": "std", "swiss_roll": "noise", "two_moons": "noise",
            "concentric_rings": "noise"}


# ------------------------------------------------------------------------------------------ helpers
def write_idx(path, arr, gz=False):
    """Write ``arr`` in the IDX format of the original MNIST distribution (uint8 elements)."""
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    magic = 0x00000800 | arr.ndim  # 0x00000803 for (n, 28, 28) images, 0x00000801 for labels
    raw = struct.pack(">I", magic) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()
    if gz:
        raw = gzip.compress(raw)
    path.write_bytes(raw)
    return path


def fake_mnist(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    X[0, 0, 0] = 255  # make sure the scale is 0..255
    y = rng.integers(0, 10, size=n).astype(np.uint8)
    return X, y


def save_png(path, arr):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path)
    return path


def assert_valid_images(ds, n=None):
    assert ds.kind == "images"
    assert ds.data.dtype == np.float32
    assert ds.data.ndim == 4
    assert ds.data.min() >= 0.0 and ds.data.max() <= 1.0
    if n is not None:
        assert len(ds) == n


# ------------------------------------------------------------------------------------- toy mixtures
def test_ring_modes_are_on_the_unit_circle_at_the_right_angles():
    m = ring_modes()
    ang = 2 * np.pi * np.arange(8) / 8
    assert m.shape == (8, 2)
    np.testing.assert_allclose(m, np.stack([np.cos(ang), np.sin(ang)], axis=1), atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(m, axis=1), 1.0)


def test_grid_modes_are_the_5x5_grid_row_major():
    m = grid_modes()
    v = [-4, -2, 0, 2, 4]
    assert m.shape == (25, 2)
    expected = np.array([(i, j) for i in v for j in v], dtype=float)
    np.testing.assert_array_equal(m, expected)


@pytest.mark.parametrize("maker, modes, std", [(ring8, ring_modes(), 0.01), (grid25, grid_modes(), 0.05)])
def test_mixture_points_sit_near_their_own_mode(maker, modes, std):
    ds = maker(n_samples=2000)
    assert ds.kind == "points"
    assert ds.data.shape == (2000, 2) and ds.shape == (2,) and len(ds) == 2000
    assert ds.data.dtype == np.float32
    assert ds.labels.dtype == np.int64 and ds.labels.shape == (2000,)
    assert ds.labels.min() >= 0 and ds.labels.max() < len(modes)
    # every mode is present
    assert set(np.unique(ds.labels).tolist()) == set(range(len(modes)))
    # every point lies within 5 std of its own mode's centre (per coordinate and radially)
    dist = np.linalg.norm(ds.data - modes[ds.labels], axis=1)
    assert dist.max() < 5 * std
    # and the default std is the documented one: per-coordinate spread close to std
    resid = ds.data - modes[ds.labels]
    assert 0.8 * std < resid.std() < 1.2 * std
    assert ds.params["std"] == std


def test_ring8_radius_and_std_are_honoured():
    ds = ring8(n_samples=500, std=0.001, radius=3.0)
    r = np.linalg.norm(ds.data, axis=1)
    assert np.all(np.abs(r - 3.0) < 0.01)
    np.testing.assert_allclose(ds.data, 3.0 * ring_modes()[ds.labels], atol=0.006)


def test_mixture_with_zero_std_is_exactly_the_modes():
    ds = grid25(n_samples=300, std=0.0)
    np.testing.assert_array_equal(ds.data, grid_modes()[ds.labels].astype(np.float32))


@pytest.mark.parametrize("name", sorted(TOY_DATASETS))
def test_toy_same_seed_same_data_other_seed_other_data(name):
    make = TOY_DATASETS[name]
    a, b = make(n_samples=400, random_state=3), make(n_samples=400, random_state=3)
    c = make(n_samples=400, random_state=4)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert not np.array_equal(a.data, c.data)


@pytest.mark.parametrize("name", sorted(TOY_DATASETS))
def test_toy_shapes_names_and_json_description(name):
    ds = TOY_DATASETS[name](n_samples=123)
    assert ds.name == name and ds.kind == "points"
    assert ds.data.shape == (123, 2) and ds.data.dtype == np.float32
    assert ds.labels.shape == (123,) and ds.labels.dtype == np.int64
    desc = json.loads(json.dumps(ds.describe()))
    assert desc["name"] == name and desc["n"] == 123 and desc["shape"] == [2]
    assert desc["has_labels"] is True and desc["params"]["n_samples"] == 123


def test_swiss_roll_labels_split_the_roll_along_t():
    ds = swiss_roll(n_samples=2000, noise=0.0)
    assert set(np.unique(ds.labels).tolist()) == {0, 1, 2, 3}
    t = 10 * np.linalg.norm(ds.data.astype(np.float64), axis=1)  # |x| = t / 10 without noise
    assert t.min() >= 1.5 * np.pi - 1e-3 and t.max() <= 4.5 * np.pi + 1e-3
    expected = np.minimum(np.floor((t - 1.5 * np.pi) / (3 * np.pi) * 4), 3).astype(np.int64)
    assert np.mean(expected == ds.labels) > 0.995  # float32 rounding at segment borders only
    # the label is non-decreasing with t
    order = np.argsort(t)
    assert np.sum(np.diff(ds.labels[order]) < 0) <= 5


def test_two_moons_two_balanced_classes():
    ds = two_moons(n_samples=1000)
    assert ds.data.shape == (1000, 2)
    np.testing.assert_array_equal(np.bincount(ds.labels), [500, 500])


def test_concentric_rings_radii_follow_labels():
    ds = concentric_rings(n_samples=600, noise=0.0, factor=0.4)
    assert set(np.unique(ds.labels).tolist()) == {0, 1}
    r = np.linalg.norm(ds.data, axis=1)
    np.testing.assert_allclose(r[ds.labels == 0], 1.0, atol=1e-5)
    np.testing.assert_allclose(r[ds.labels == 1], 0.4, atol=1e-5)


@pytest.mark.parametrize("factor", [0.0, 1.0, 1.5, -0.2])
def test_concentric_rings_bad_factor(factor):
    with pytest.raises(ValueError, match="factor"):
        concentric_rings(n_samples=10, factor=factor)


@pytest.mark.parametrize("name", sorted(TOY_DATASETS))
@pytest.mark.parametrize("n", [0, -1, 2.5, True, "10", None])
def test_toy_bad_n_samples(name, n):
    with pytest.raises(ValueError, match="n_samples"):
        TOY_DATASETS[name](n_samples=n)


@pytest.mark.parametrize("name", sorted(TOY_DATASETS))
@pytest.mark.parametrize("noise", [-0.1, float("nan"), float("inf"), "0.1"])
def test_toy_bad_noise(name, noise):
    with pytest.raises(ValueError, match="non-negative"):
        TOY_DATASETS[name](n_samples=10, **{NOISE_KW[name]: noise})


def test_toy_accepts_numpy_integer_n_samples():
    ds = ring8(n_samples=np.int64(50))
    assert len(ds) == 50
    json.dumps(ds.describe())  # numpy scalars in params must still serialise


# ----------------------------------------------------------------------------------------- digits
@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_load_digits_full(digits):
    assert digits.data.shape == (1797, 1, 8, 8) and digits.shape == (1, 8, 8)
    assert_valid_images(digits, 1797)
    assert digits.data.max() == 1.0  # 16 / 16
    assert digits.name == "digits"
    assert digits.labels.dtype == np.int64
    counts = np.bincount(digits.labels)
    assert len(counts) == 10 and counts.min() > 150


def test_load_digits_subset_is_a_deterministic_subset(digits):
    a = load_digits(n_samples=100)
    b = load_digits(n_samples=100)
    c = load_digits(n_samples=100, random_state=1)
    assert a.data.shape == (100, 1, 8, 8) and a.labels.shape == (100,)
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(a.data, c.data)
    # each subset row is a row of the full set, with the same label
    full = digits.data.reshape(1797, -1)
    for x, lab in zip(a.data.reshape(100, -1)[:20], a.labels[:20]):
        hits = np.flatnonzero(np.all(full == x, axis=1))
        assert hits.size >= 1 and lab in digits.labels[hits]


@pytest.mark.parametrize("n", [0, -5, 2.5])
def test_load_digits_bad_subset(n):
    with pytest.raises(ValueError, match="n_samples"):
        load_digits(n_samples=n)


def test_load_digits_subset_larger_than_set_returns_all():
    assert len(load_digits(n_samples=5000)) == 1797


# --------------------------------------------------------------------------------------- mnist10k
@pytest.fixture(scope="module")
def mnist10k():
    return load_mnist10k()


def test_load_mnist10k_shipped_file(mnist10k):
    ds = mnist10k
    assert ds.data.shape == (10000, 1, 28, 28)
    assert_valid_images(ds, 10000)
    assert ds.data.max() > 0.99 and ds.data.min() == 0.0
    assert ds.name == "mnist10k" and ds.labels.dtype == np.int64
    counts = np.bincount(ds.labels, minlength=10)
    assert len(counts) == 10 and counts.sum() == 10000
    assert np.all(counts > 800)
    uniq, cnt = np.unique(ds.labels, return_counts=True)
    np.testing.assert_array_equal(uniq, np.arange(10))
    np.testing.assert_array_equal(cnt, counts)


def test_load_mnist10k_subset(mnist10k):
    ds = load_mnist10k(n_samples=64, random_state=2)
    assert ds.data.shape == (64, 1, 28, 28)
    assert ds.labels.shape == (64,)


def test_load_mnist10k_wrong_path_mentions_rebuild_script(tmp_path):
    with pytest.raises(ValueError, match="build_mnist10k.py"):
        load_mnist10k(path=tmp_path / "nope.npz")


def test_load_mnist10k_other_copy(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(30, 784), dtype=np.uint8)
    X[0, 0] = 255
    y = rng.integers(0, 10, size=30)
    p = tmp_path / "copy.npz"
    np.savez(p, X=X, y=y)
    ds = load_mnist10k(path=p)
    assert ds.data.shape == (30, 1, 28, 28)
    np.testing.assert_allclose(ds.data.reshape(30, -1), X / 255.0, atol=1e-6)
    np.testing.assert_array_equal(ds.labels, y)


# ---------------------------------------------------------------------------------- load_mnist_file
@pytest.fixture
def keras_npz(tmp_path):
    xtr, ytr = fake_mnist(20, 0)
    xte, yte = fake_mnist(7, 1)
    p = tmp_path / "mnist.npz"
    np.savez(p, x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
    return p, (xtr, ytr), (xte, yte)


@pytest.mark.parametrize("split", ["train", "test"])
def test_mnist_file_keras_npz_both_splits(keras_npz, split):
    p, train, test = keras_npz
    X, y = train if split == "train" else test
    ds = load_mnist_file(p, split=split)
    assert_valid_images(ds, len(X))
    assert ds.data.shape == (len(X), 1, 28, 28)
    np.testing.assert_allclose(ds.data[:, 0], X / 255.0, atol=1e-6)
    np.testing.assert_array_equal(ds.labels, y.astype(np.int64))
    assert ds.labels.dtype == np.int64
    assert ds.name == "mnist" and ds.params["split"] == split
    json.dumps(ds.describe())


def test_mnist_file_keras_subset_and_name(keras_npz):
    p, _, _ = keras_npz
    ds = load_mnist_file(p, n_samples=5, name="fashion")
    assert len(ds) == 5 and ds.name == "fashion"


def test_mnist_file_keras_missing_key(tmp_path):
    X, y = fake_mnist(5, 0)
    p = tmp_path / "mnist.npz"
    np.savez(p, x_train=X, y_train=y)
    assert len(load_mnist_file(p, split="train")) == 5
    with pytest.raises(ValueError, match="x_test"):
        load_mnist_file(p, split="test")


def test_mnist_file_keras_without_labels(tmp_path):
    X, _ = fake_mnist(5, 0)
    p = tmp_path / "mnist.npz"
    np.savez(p, x_train=X)
    assert load_mnist_file(p).labels is None


def test_mnist_file_label_count_mismatch(tmp_path):
    X, y = fake_mnist(5, 0)
    p = tmp_path / "mnist.npz"
    np.savez(p, x_train=X, y_train=y[:4])
    with pytest.raises(ValueError, match="labels"):
        load_mnist_file(p)


def test_mnist_file_bad_split_and_missing_path(keras_npz, tmp_path):
    p, _, _ = keras_npz
    with pytest.raises(ValueError, match="split"):
        load_mnist_file(p, split="val")
    with pytest.raises(ValueError, match="No such file"):
        load_mnist_file(tmp_path / "missing.npz")


def test_mnist_file_wrong_image_ndim(tmp_path):
    p = tmp_path / "mnist.npz"
    np.savez(p, x_train=np.zeros((4, 784), np.uint8))
    with pytest.raises(ValueError, match=r"\(n, 28, 28\)"):
        load_mnist_file(p)


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_file_idx_labels_found_beside_images(tmp_path, gz):
    X, y = fake_mnist(12, 3)
    sfx = ".gz" if gz else ""
    img = write_idx(tmp_path / f"train-images-idx3-ubyte{sfx}", X, gz=gz)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{sfx}", y, gz=gz)
    ds = load_mnist_file(img)
    assert ds.data.shape == (12, 1, 28, 28)
    np.testing.assert_allclose(ds.data[:, 0], X / 255.0, atol=1e-6)
    np.testing.assert_array_equal(ds.labels, y.astype(np.int64))


def test_mnist_file_idx_without_labels(tmp_path):
    X, _ = fake_mnist(4, 0)
    img = write_idx(tmp_path / "train-images-idx3-ubyte", X)
    ds = load_mnist_file(img)
    assert ds.labels is None and len(ds) == 4


def test_mnist_file_idx_explicit_labels_path(tmp_path):
    X, y = fake_mnist(6, 0)
    img = write_idx(tmp_path / "imgs.idx", X)
    lab = write_idx(tmp_path / "my-labels.bin", y)
    ds = load_mnist_file(img, labels_path=lab)
    np.testing.assert_array_equal(ds.labels, y)


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_file_folder_input_both_splits(tmp_path, gz):
    sfx = ".gz" if gz else ""
    xtr, ytr = fake_mnist(9, 0)
    xte, yte = fake_mnist(4, 1)
    write_idx(tmp_path / f"train-images-idx3-ubyte{sfx}", xtr, gz)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{sfx}", ytr, gz)
    write_idx(tmp_path / f"t10k-images-idx3-ubyte{sfx}", xte, gz)
    write_idx(tmp_path / f"t10k-labels-idx1-ubyte{sfx}", yte, gz)
    tr = load_mnist_file(tmp_path, split="train")
    te = load_mnist_file(tmp_path, split="test")
    assert tr.data.shape == (9, 1, 28, 28) and te.data.shape == (4, 1, 28, 28)
    np.testing.assert_array_equal(tr.labels, ytr)
    np.testing.assert_array_equal(te.labels, yte)
    np.testing.assert_allclose(te.data[:, 0], xte / 255.0, atol=1e-6)


def test_mnist_file_folder_without_images(tmp_path):
    (tmp_path / "readme.txt").write_text("nothing here")
    with pytest.raises(ValueError, match="train-images-idx3-ubyte"):
        load_mnist_file(tmp_path)


def test_mnist_file_truncated_idx(tmp_path):
    X, _ = fake_mnist(3, 0)
    p = write_idx(tmp_path / "train-images-idx3-ubyte", X)
    raw = p.read_bytes()
    p.write_bytes(raw[:-100])
    with pytest.raises(ValueError, match="bytes of data"):
        load_mnist_file(p)
    p.write_bytes(raw + b"\x00" * 7)  # trailing junk: the header no longer describes the file
    with pytest.raises(ValueError, match="bytes of data"):
        load_mnist_file(p)
    p.write_bytes(raw[:10])  # header cut inside the dimensions
    with pytest.raises(ValueError, match="truncated IDX header"):
        load_mnist_file(p)
    p.write_bytes(raw[:2])
    with pytest.raises(ValueError, match="IDX"):
        load_mnist_file(p)


def test_mnist_file_bad_magic_and_unknown_type(tmp_path):
    X, _ = fake_mnist(3, 0)
    p = write_idx(tmp_path / "train-images-idx3-ubyte", X)
    raw = bytearray(p.read_bytes())
    bad = bytearray(raw)
    bad[0:2] = b"PK"
    p.write_bytes(bytes(bad))
    with pytest.raises(ValueError, match="bad magic"):
        load_mnist_file(p)
    bad = bytearray(raw)
    bad[2] = 0x07
    p.write_bytes(bytes(bad))
    with pytest.raises(ValueError, match="element type"):
        load_mnist_file(p)


def test_mnist_file_corrupt_gzip(tmp_path):
    X, _ = fake_mnist(3, 0)
    p = write_idx(tmp_path / "train-images-idx3-ubyte.gz", X, gz=True)
    raw = p.read_bytes()
    p.write_bytes(raw[: len(raw) // 2])  # cut short
    with pytest.raises(ValueError, match="Could not read IDX"):
        load_mnist_file(p)
    bad = bytearray(raw)
    bad[10:14] = b"\xff\xff\xff\xff"  # damaged deflate stream (zlib.error inside gzip)
    p.write_bytes(bytes(bad))
    with pytest.raises(ValueError, match="Could not read IDX"):
        load_mnist_file(p)
    p.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="Could not read IDX"):
        load_mnist_file(p)


def test_mnist_file_idx_label_count_mismatch(tmp_path):
    X, y = fake_mnist(5, 0)
    img = write_idx(tmp_path / "train-images-idx3-ubyte", X)
    write_idx(tmp_path / "train-labels-idx1-ubyte", y[:3])
    with pytest.raises(ValueError, match="5 images but 3 labels"):
        load_mnist_file(img)


# ---------------------------------------------------------------------------------- load_array_file
def test_array_npy_points(tmp_path):
    X = np.random.default_rng(0).normal(size=(40, 5))
    p = tmp_path / "pts.npy"
    np.save(p, X)
    ds = load_array_file(p)
    assert ds.kind == "points" and ds.name == "pts"
    assert ds.data.shape == (40, 5) and ds.data.dtype == np.float32
    np.testing.assert_allclose(ds.data, X, rtol=1e-6)
    assert ds.labels is None
    json.dumps(ds.describe())


def test_array_npz_uint8_images_with_labels(tmp_path):
    X, y = fake_mnist(10, 0)
    p = tmp_path / "imgs.npz"
    np.savez(p, X=X, y=y)
    ds = load_array_file(p)
    assert ds.kind == "images" and ds.data.shape == (10, 1, 28, 28)
    assert_valid_images(ds)
    np.testing.assert_allclose(ds.data[:, 0], X / 255.0, atol=1e-6)
    np.testing.assert_array_equal(ds.labels, y)
    assert ds.labels.dtype == np.int64


def test_array_npz_alternative_keys(tmp_path):
    p = tmp_path / "alt.npz"
    np.savez(p, data=np.ones((6, 3)), labels=np.arange(6))
    ds = load_array_file(p)
    assert ds.kind == "points" and ds.data.shape == (6, 3)
    np.testing.assert_array_equal(ds.labels, np.arange(6))


def test_array_npz_without_data_key(tmp_path):
    p = tmp_path / "nokey.npz"
    np.savez(p, foo=np.ones((6, 3)))
    with pytest.raises(ValueError, match="'X'"):
        load_array_file(p)


def test_array_channels_last_to_channels_first(tmp_path):
    X = np.random.default_rng(1).integers(0, 256, size=(5, 6, 7, 3), dtype=np.uint8)
    X[0, 0, 0, 0] = 255
    p = tmp_path / "rgb.npy"
    np.save(p, X)
    ds = load_array_file(p)
    assert ds.data.shape == (5, 3, 6, 7)
    np.testing.assert_allclose(ds.data, np.moveaxis(X, -1, 1) / 255.0, atol=1e-6)


def test_array_channels_first_kept_and_rgba_dropped_to_rgb(tmp_path):
    X = np.random.default_rng(2).random((4, 3, 8, 9)).astype(np.float32)
    np.save(tmp_path / "cf.npy", X)
    ds = load_array_file(tmp_path / "cf.npy")
    assert ds.data.shape == (4, 3, 8, 9)
    np.testing.assert_array_equal(ds.data, X)  # already in [0, 1]: untouched
    rgba = np.random.default_rng(3).random((4, 8, 9, 4)).astype(np.float32)
    np.save(tmp_path / "rgba.npy", rgba)
    ds = load_array_file(tmp_path / "rgba.npy")
    assert ds.data.shape == (4, 3, 8, 9)
    np.testing.assert_array_equal(ds.data, np.moveaxis(rgba, -1, 1)[:, :3])


def test_array_bad_channel_count(tmp_path):
    np.save(tmp_path / "c5.npy", np.zeros((2, 5, 8, 8), np.float32))
    with pytest.raises(ValueError, match="channels"):
        load_array_file(tmp_path / "c5.npy")


def test_array_float_images_outside_unit_range_rescaled(tmp_path):
    X = np.random.default_rng(4).normal(size=(6, 10, 10)) * 50 + 20
    np.save(tmp_path / "f.npy", X)
    ds = load_array_file(tmp_path / "f.npy")
    assert_valid_images(ds)
    assert ds.data.min() == 0.0 and ds.data.max() == pytest.approx(1.0)
    np.testing.assert_allclose(ds.data[:, 0], (X - X.min()) / (X.max() - X.min()), atol=1e-5)


def test_array_constant_float_images_outside_range(tmp_path):
    np.save(tmp_path / "c.npy", np.full((3, 4, 4), 7.0))
    ds = load_array_file(tmp_path / "c.npy")
    assert_valid_images(ds)
    assert np.all(ds.data == 0)


@pytest.mark.parametrize("dtype, lo, hi", [(np.uint16, 0, 60000), (np.int8, -100, 100),
                                           (np.int32, -5, 3000)])
def test_array_integer_images_beyond_uint8_range_end_in_unit_range(tmp_path, dtype, lo, hi):
    X = np.linspace(lo, hi, 3 * 8 * 8).reshape(3, 8, 8).astype(dtype)
    np.save(tmp_path / "i.npy", X)
    ds = load_array_file(tmp_path / "i.npy")
    assert_valid_images(ds)
    assert ds.data.min() == 0.0 and ds.data.max() == pytest.approx(1.0)
    # order of pixel values is preserved
    flat = ds.data.ravel()
    assert np.all(np.diff(flat) >= 0)


def test_array_binary_uint8_images_kept(tmp_path):
    X = (np.arange(2 * 4 * 4).reshape(2, 4, 4) % 2).astype(np.uint8)
    np.save(tmp_path / "b.npy", X)
    ds = load_array_file(tmp_path / "b.npy")
    np.testing.assert_array_equal(ds.data[:, 0], X.astype(np.float32))


def test_array_flat_images(tmp_path):
    X = np.random.default_rng(5).integers(0, 256, size=(4, 784), dtype=np.uint8)
    np.save(tmp_path / "flat.npy", X)
    assert load_array_file(tmp_path / "flat.npy").kind == "points"
    ds = load_array_file(tmp_path / "flat.npy", kind="images")
    assert ds.data.shape == (4, 1, 28, 28)
    np.save(tmp_path / "ns.npy", np.zeros((4, 10)))
    with pytest.raises(ValueError, match="square"):
        load_array_file(tmp_path / "ns.npy", kind="images")


def test_array_points_must_be_2d(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((4, 5, 6)))
    with pytest.raises(ValueError, match="2-D"):
        load_array_file(tmp_path / "x.npy", kind="points")
    with pytest.raises(ValueError, match="kind"):
        load_array_file(tmp_path / "x.npy", kind="video")


_UNPICKLED = []


def _record_unpickle():
    _UNPICKLED.append(True)
    return 0


class _Canary:
    """Unpickling an object array holding this calls _record_unpickle."""

    def __reduce__(self):
        return (_record_unpickle, ())


def test_array_object_arrays_are_refused_without_unpickling(tmp_path):
    obj = np.empty((3, 2), dtype=object)
    obj[:] = _Canary()
    np.savez(tmp_path / "obj.npz", X=obj, allow_pickle=True)
    np.save(tmp_path / "obj.npy", obj, allow_pickle=True)
    with pytest.raises(ValueError, match="pickled objects are refused"):
        load_array_file(tmp_path / "obj.npz")
    with pytest.raises(ValueError):
        load_array_file(tmp_path / "obj.npy")
    with pytest.raises(ValueError):
        load_dataset(tmp_path / "obj.npz")
    assert _UNPICKLED == []


def test_array_wrong_extension_and_missing_file(tmp_path):
    p = tmp_path / "data.csv"
    p.write_text("1,2\n3,4\n")
    with pytest.raises(ValueError, match=r"\.npz or \.npy"):
        load_array_file(p)
    with pytest.raises(ValueError, match="No such file"):
        load_array_file(tmp_path / "missing.npy")


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_array_non_finite_values(tmp_path, bad):
    X = np.ones((5, 3))
    X[2, 1] = bad
    np.save(tmp_path / "p.npy", X)
    with pytest.raises(ValueError, match="NaN"):
        load_array_file(tmp_path / "p.npy")
    img = np.ones((5, 4, 4)) * 0.5
    img[1, 2, 3] = bad
    np.save(tmp_path / "i.npy", img)
    with pytest.raises(ValueError, match="NaN"):
        load_array_file(tmp_path / "i.npy")


def test_array_complex_and_string_data_refused(tmp_path):
    np.save(tmp_path / "c.npy", np.ones((3, 2), dtype=complex))
    with pytest.raises(ValueError, match="real numbers"):
        load_array_file(tmp_path / "c.npy")
    np.save(tmp_path / "s.npy", np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(ValueError, match="real numbers"):
        load_array_file(tmp_path / "s.npy")


def test_array_label_problems(tmp_path):
    np.savez(tmp_path / "short.npz", X=np.zeros((5, 2)), y=np.arange(4))
    with pytest.raises(ValueError, match="Labels"):
        load_array_file(tmp_path / "short.npz")
    np.savez(tmp_path / "str.npz", X=np.zeros((3, 2)), y=np.array(["cat", "dog", "cat"]))
    with pytest.raises(ValueError, match="integers"):
        load_array_file(tmp_path / "str.npz")


def test_array_damaged_files_raise_value_error(tmp_path):
    np.savez(tmp_path / "ok.npz", X=np.zeros((50, 5)))
    raw = (tmp_path / "ok.npz").read_bytes()
    (tmp_path / "half.npz").write_bytes(raw[: len(raw) // 2])
    (tmp_path / "junk.npz").write_bytes(b"\x00\x01garbage" * 10)
    np.save(tmp_path / "ok.npy", np.zeros((50, 5)))
    raw = (tmp_path / "ok.npy").read_bytes()
    (tmp_path / "half.npy").write_bytes(raw[: len(raw) // 2])
    for name in ("half.npz", "junk.npz", "half.npy"):
        with pytest.raises(ValueError):
            load_array_file(tmp_path / name)
    with pytest.raises(ValueError):
        load_dataset(tmp_path / "half.npz")
    with pytest.raises(ValueError):
        load_mnist10k(path=tmp_path / "half.npz")


def test_array_subset(tmp_path):
    np.savez(tmp_path / "p.npz", X=np.arange(200.0).reshape(100, 2), y=np.arange(100) % 3)
    ds = load_array_file(tmp_path / "p.npz", n_samples=10, random_state=1)
    assert ds.data.shape == (10, 2)
    # rows and labels stay paired
    np.testing.assert_array_equal((ds.data[:, 0] / 2).astype(np.int64) % 3, ds.labels)


def test_array_empty_refused(tmp_path):
    np.save(tmp_path / "e.npy", np.zeros((0, 3)))
    with pytest.raises(ValueError, match="empty"):
        load_array_file(tmp_path / "e.npy")


# -------------------------------------------------------------------------------- load_image_folder
@pytest.fixture
def image_folder(tmp_path):
    root = tmp_path / "imgs"
    save_png(root / "a" / "0.png", np.full((10, 12), 255, np.uint8))
    save_png(root / "a" / "1.png", np.full((30, 20), 255, np.uint8))
    save_png(root / "b" / "0.png", np.zeros((9, 9), np.uint8))
    save_png(root / "b" / "1.png", np.zeros((40, 17), np.uint8))
    rgb = np.zeros((12, 14, 3), np.uint8)
    rgb[..., 0] = 255  # pure red
    save_png(root / "b" / "2.png", rgb)
    (root / "b" / "notes.txt").write_text("not an image")
    return root


def test_image_folder_resized_and_labelled(image_folder):
    ds = load_image_folder(image_folder, size=(16, 16))
    assert ds.data.shape == (5, 1, 16, 16)
    assert_valid_images(ds, 5)
    np.testing.assert_array_equal(ds.labels, [0, 0, 1, 1, 1])
    assert ds.params["classes"] == ["a", "b"]
    assert ds.name == "imgs"
    np.testing.assert_allclose(ds.data[:2], 1.0)  # white images in a/
    np.testing.assert_allclose(ds.data[2:4], 0.0)  # black images in b/
    json.dumps(ds.describe())


def test_image_folder_size_is_height_width(image_folder):
    ds = load_image_folder(image_folder, size=(8, 12))
    assert ds.data.shape == (5, 1, 8, 12)


def test_image_folder_rgb(image_folder):
    ds = load_image_folder(image_folder, size=(8, 8), mode="RGB")
    assert ds.data.shape == (5, 3, 8, 8)
    red = ds.data[4]
    np.testing.assert_allclose(red[0], 1.0)
    np.testing.assert_allclose(red[1:], 0.0)
    gray = load_image_folder(image_folder, size=(8, 8), mode="L").data[4, 0]
    assert 0.1 < float(gray.mean()) < 0.5  # red in luminance ~ 0.299


def test_image_folder_without_subfolders_has_no_labels(tmp_path):
    for i in range(3):
        save_png(tmp_path / f"{i}.png", np.full((5, 5), 40 * i, np.uint8))
    ds = load_image_folder(tmp_path, size=(4, 4))
    assert ds.labels is None and len(ds) == 3
    assert ds.params["classes"] is None


def test_image_folder_subset(image_folder):
    ds = load_image_folder(image_folder, size=(8, 8), n_samples=3)
    assert ds.data.shape == (3, 1, 8, 8) and ds.labels.shape == (3,)


def test_image_folder_empty_and_missing(tmp_path):
    with pytest.raises(ValueError, match="no images"):
        load_image_folder(tmp_path)
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(ValueError, match="no images"):
        load_image_folder(tmp_path)
    with pytest.raises(ValueError, match="No such folder"):
        load_image_folder(tmp_path / "missing")


def test_image_folder_bad_mode_and_size(image_folder):
    with pytest.raises(ValueError, match="mode"):
        load_image_folder(image_folder, mode="CMYK")
    for size in [(2, 2), (1000, 28), (28,)]:
        with pytest.raises(ValueError, match="size"):
            load_image_folder(image_folder, size=size)


def test_image_folder_corrupt_png_named(image_folder):
    bad = image_folder / "a" / "broken.png"
    bad.write_bytes(np.random.default_rng(0).integers(0, 256, 300, dtype=np.uint8).tobytes())
    with pytest.raises(ValueError, match="broken.png"):
        load_image_folder(image_folder)


def test_image_folder_truncated_png_named(image_folder):
    noisy = save_png(image_folder / "tmp.bin.png",
                     np.random.default_rng(1).integers(0, 256, (40, 40), dtype=np.uint8))
    good = noisy.read_bytes()
    noisy.unlink()
    (image_folder / "b" / "cut.png").write_bytes(good[: len(good) // 2])  # pixel data cut short
    with pytest.raises(ValueError, match="cut.png"):
        load_image_folder(image_folder)


# ------------------------------------------------------------------------------------- load_dataset
@pytest.mark.parametrize("name", sorted(TOY_DATASETS))
def test_load_dataset_toy_names(name):
    ds = load_dataset(name, n_samples=50, random_state=7)
    ref = TOY_DATASETS[name](n_samples=50, random_state=7)
    assert ds.name == name and len(ds) == 50
    np.testing.assert_array_equal(ds.data, ref.data)


def test_load_dataset_builtin_images(mnist10k):
    d = load_dataset("digits", n_samples=20)
    assert d.name == "digits" and d.data.shape == (20, 1, 8, 8)
    m = load_dataset("mnist10k", n_samples=20)
    assert m.name == "mnist10k" and m.data.shape == (20, 1, 28, 28)


def test_builtin_names():
    assert set(BUILTIN_DATASETS) == set(TOY_DATASETS) | {"digits", "mnist10k", "stacked_mnist"}


def test_load_dataset_unknown_name_lists_known_names():
    with pytest.raises(ValueError) as exc:
        load_dataset("ring9")
    msg = str(exc.value)
    assert "ring9" in msg
    for name in BUILTIN_DATASETS:
        assert name in msg


def test_load_dataset_wrong_type():
    with pytest.raises(TypeError):
        load_dataset(42)


def test_load_dataset_dispatches_keras_npz(keras_npz):
    p, _, (xte, yte) = keras_npz
    ds = load_dataset(p, split="test")
    assert ds.data.shape == (7, 1, 28, 28) and ds.params["split"] == "test"
    np.testing.assert_array_equal(ds.labels, yte)
    ds2 = load_dataset(str(p))
    assert len(ds2) == 20


def test_load_dataset_dispatches_image_folder(image_folder):
    ds = load_dataset(image_folder, size=(8, 8))
    assert ds.data.shape == (5, 1, 8, 8) and ds.params["classes"] == ["a", "b"]


def test_load_dataset_dispatches_npy_and_plain_npz(tmp_path):
    np.save(tmp_path / "p.npy", np.ones((7, 4)))
    ds = load_dataset(tmp_path / "p.npy")
    assert ds.kind == "points" and ds.data.shape == (7, 4)
    np.savez(tmp_path / "q.npz", X=np.ones((7, 4)), y=np.arange(7))
    ds = load_dataset(str(tmp_path / "q.npz"))
    assert ds.kind == "points" and ds.labels.tolist() == list(range(7))


def test_load_dataset_dispatches_idx(tmp_path):
    X, y = fake_mnist(6, 0)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", X, gz=True)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", y, gz=True)
    ds = load_dataset(tmp_path)  # folder of IDX files
    np.testing.assert_array_equal(ds.labels, y)
    ds = load_dataset(tmp_path / "train-images-idx3-ubyte.gz")  # the file itself
    assert ds.data.shape == (6, 1, 28, 28)


@pytest.mark.parametrize("layout, loader", [
    ("keras", "load_mnist_file"), ("idxdir", "load_mnist_file"), ("idxfile", "load_mnist_file"),
    ("imgdir", "load_image_folder"), ("npy", "load_array_file"), ("npz", "load_array_file"),
])
def test_load_dataset_picks_the_loader(tmp_path, monkeypatch, layout, loader):
    X, y = fake_mnist(3, 0)
    if layout == "keras":
        np.savez(tmp_path / "m.npz", x_train=X, y_train=y)
        src = tmp_path / "m.npz"
    elif layout == "idxdir":
        write_idx(tmp_path / "train-images-idx3-ubyte", X)
        src = tmp_path
    elif layout == "idxfile":
        src = write_idx(tmp_path / "train-images-idx3-ubyte", X)
    elif layout == "imgdir":
        save_png(tmp_path / "c" / "x.png", X[0])
        src = tmp_path
    elif layout == "npy":
        np.save(tmp_path / "a.npy", X)
        src = tmp_path / "a.npy"
    else:
        np.savez(tmp_path / "a.npz", X=X)
        src = tmp_path / "a.npz"
    calls = []
    for fn in ("load_mnist_file", "load_image_folder", "load_array_file"):
        monkeypatch.setattr(D, fn, lambda p, _fn=fn, **kw: calls.append((_fn, kw)) or "sentinel")
    assert load_dataset(src, random_state=5) == "sentinel"
    assert calls == [(loader, {"random_state": 5})]


# ------------------------------------------------------------------------------------ Dataset itself
def test_dataset_basic_and_conversion():
    ds = Dataset(np.arange(6).reshape(3, 2), np.array([0.0, 1.0, 2.0]), "points", "t", {"a": 1})
    assert ds.data.dtype == np.float32 and ds.shape == (2,) and len(ds) == 3
    assert ds.labels.dtype == np.int64 and ds.labels.tolist() == [0, 1, 2]
    ds = Dataset(np.zeros((2, 3)), np.array([1, 0], dtype=np.int32), "points", "t")
    assert ds.labels.dtype == np.int64
    assert Dataset(np.zeros((2, 3)), None, "points", "t").labels is None


@pytest.mark.parametrize("shape, kind", [((5,), "points"), ((2, 3, 4), "points"), ((3, 4), "images"),
                                         ((2, 1, 4), "images"), ((1, 1, 1, 1, 1), "images")])
def test_dataset_wrong_ndim(shape, kind):
    with pytest.raises(ValueError, match="dimensions"):
        Dataset(np.zeros(shape), None, kind, "t")


def test_dataset_bad_kind_and_empty():
    with pytest.raises(ValueError, match="kind"):
        Dataset(np.zeros((2, 2)), None, "graph", "t")
    with pytest.raises(ValueError, match="empty"):
        Dataset(np.zeros((0, 2)), None, "points", "t")
    with pytest.raises(ValueError, match="empty"):
        Dataset(np.zeros((2, 1, 0, 3)), None, "images", "t")


@pytest.mark.parametrize("labels", [np.array([0.5, 1.0]), np.array([0.0, np.nan]), np.array(["a", "b"]),
                                    np.array([0, 1, 2]), np.array([[0], [1]]), ["cat", "dog"]])
def test_dataset_bad_labels(labels):
    with pytest.raises(ValueError, match="labels"):
        Dataset(np.zeros((2, 3)), labels, "points", "t")


def test_dataset_non_numeric_and_non_finite_data():
    with pytest.raises(TypeError, match="numeric"):
        Dataset(np.array([["a", "b"]]), None, "points", "t")
    with pytest.raises(ValueError, match="NaN"):
        Dataset(np.array([[0.0, np.inf]]), None, "points", "t")


def test_dataset_describe_is_json_serialisable():
    ds = Dataset(np.zeros((4, 1, 5, 6)), np.arange(4), "images", "imgs",
                 {"n_samples": np.int64(4), "std": np.float32(0.5), "size": (5, 6), "path": "x.npz",
                  "nested": {"k": np.int32(2)}})
    desc = json.loads(json.dumps(ds.describe()))
    assert desc == {"name": "imgs", "kind": "images", "shape": [1, 5, 6], "n": 4, "has_labels": True,
                    "params": {"n_samples": 4, "std": 0.5, "size": [5, 6], "path": "x.npz",
                               "nested": {"k": 2}}}
