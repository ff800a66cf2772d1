"""Uploaded datasets from bytes: arrays, zips of images, and archives that must be refused."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from aeot_viz.data import load_upload


def _png(value, size=(12, 10)):
    buf = io.BytesIO()
    Image.fromarray(np.full(size, value, np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _zip(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_npz_points_with_labels():
    buf = io.BytesIO()
    X = np.random.default_rng(0).normal(size=(50, 3))
    np.savez(buf, X=X, y=np.arange(50) % 2)
    ds = load_upload("mine.npz", buf.getvalue())
    assert ds.kind == "points" and ds.name == "mine" and np.allclose(ds.data, X) and ds.labels.tolist()[:3] == [0, 1, 0]


def test_npy_images():
    buf = io.BytesIO()
    np.save(buf, np.random.default_rng(0).integers(0, 255, (20, 8, 8), dtype=np.uint8))
    ds = load_upload("imgs.npy", buf.getvalue())
    assert ds.kind == "images" and ds.data.shape[0] == 20


def test_zip_of_class_folders_gives_labels_and_ignores_mac_metadata():
    entries = {f"digits/{c}/{i}.png": _png(30 * c + i) for c in range(3) for i in range(4)}
    entries["__MACOSX/digits/._0.png"] = b"junk"
    entries["digits/.DS_Store"] = b"junk"
    ds = load_upload("digits.zip", _zip(entries), size=(10, 12))
    assert len(ds) == 12 and ds.data.shape[-2:] == (10, 12)
    assert sorted(np.bincount(ds.labels).tolist()) == [4, 4, 4]
    # images of one class carry that class's grey levels (30 c + i) / 255
    for c in range(3):
        levels = np.round(ds.data[ds.labels == c].reshape(4, -1).mean(1) * 255).astype(int)
        assert sorted(levels.tolist()) == [30 * c + i for i in range(4)]


def test_flat_zip_has_no_labels():
    ds = load_upload("flat.zip", _zip({f"{i}.png": _png(i) for i in range(5)}))
    assert len(ds) == 5 and ds.labels is None


@pytest.mark.parametrize("entry", ["../evil.png", "/abs/evil.png", "a/../../evil.png"])
def test_zip_slip_is_refused(entry, tmp_path):
    with pytest.raises(ValueError, match="unsafe path"):
        load_upload("bad.zip", _zip({entry: _png(1)}))


def test_zip_limits_and_junk():
    with pytest.raises(ValueError, match="at most 3"):
        load_upload("many.zip", _zip({f"{i}.png": _png(i) for i in range(5)}), max_files=3)
    big = _zip({"a.png": b"\0" * 5000})
    with pytest.raises(ValueError, match="MiB"):
        load_upload("big.zip", big, max_bytes=1000)
    with pytest.raises(ValueError, match="not a readable zip"):
        load_upload("junk.zip", b"not a zip")
    with pytest.raises(ValueError, match="Unsupported upload"):
        load_upload("data.csv", b"1,2,3")
    with pytest.raises(ValueError, match="holds no images"):
        load_upload("empty.zip", _zip({"readme.txt": b"hello"}))


def test_pickled_npy_is_refused_and_not_executed(tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    buf = io.BytesIO()
    np.save(buf, np.array([Evil()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        load_upload("evil.npy", buf.getvalue())
    assert not marker.exists()


def test_upload_over_the_size_limit_is_refused_before_parsing():
    data = _zip({"a.png": _png(10)}) + b"\0" * 3000
    with pytest.raises(ValueError, match="over the upload limit of 0 MB"):
        load_upload("big.zip", data, max_upload_bytes=2000)
    assert load_upload("a.zip", _zip({"a.png": _png(10), "b.png": _png(20)}), max_upload_bytes=2**20).data.shape[0] == 2


def _huge_png(width, height):
    """A small file declaring a huge image: a 1-bit PNG of zeros compresses to almost nothing."""
    buf = io.BytesIO()
    Image.new("1", (width, height)).save(buf, format="PNG")
    return buf.getvalue()


def test_image_over_the_pixel_limit_is_refused_without_decoding():
    png = _huge_png(5000, 4000)  # 20 M pixels in a file of a few kB
    assert len(png) < 100_000
    with pytest.raises(ValueError, match="5000 x 4000 pixels, over the limit"):
        load_upload("huge.zip", _zip({"a/x.png": _png(10), "a/big.png": png}))
    ds = load_upload("huge.zip", _zip({"a/x.png": _png(10), "a/big.png": png}), max_image_pixels=30_000_000,
                     size=(8, 8))
    assert ds.data.shape == (2, 1, 8, 8)  # a larger limit lets it through, resized like the rest


def test_pillow_decompression_bomb_is_a_value_error(monkeypatch):
    from PIL import Image as PILImage

    monkeypatch.setattr(PILImage, "MAX_IMAGE_PIXELS", 1000)  # Pillow refuses above twice this
    with pytest.raises(ValueError, match="decompression bomb"):
        load_upload("bomb.zip", _zip({"bomb.png": _png(10, size=(50, 50))}), max_image_pixels=10**9)


def test_mixed_image_sizes_are_resized_to_one_size():
    ds = load_upload("mixed.zip", _zip({"c0/a.png": _png(10, (12, 10)), "c0/b.png": _png(200, (40, 64)),
                                        "c1/c.png": _png(90, (7, 9))}), size=(16, 16))
    assert ds.data.shape == (3, 1, 16, 16) and ds.labels.tolist() == [0, 0, 1]
    assert np.allclose(ds.data[1], 200 / 255, atol=1e-6)  # a constant image stays that constant
