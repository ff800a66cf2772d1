"""Crafted files that declare far more data than they hold are refused before any large allocation.

Each file is built here, small on disk. Memory is measured, not time: tracemalloc's peak (numpy reports
its allocations to it) for the library, the peak RSS of a subprocess for the CLI.
"""

import gzip
import io
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest
from memory_helpers import cli, peak_rss_of
from repo import repo_file

from aeot_viz import load_bundle
from aeot_viz.data import load_array_file, load_dataset, load_mnist_file, load_upload
from aeot_viz.io.array_limits import ENV_VAR, check_declared, max_array_bytes, read_npy, read_npz
from aeot_viz.pipeline.bundle import BundleError, bundle_to_bytes

MiB = 2**20


def _npy_header(shape, descr="|u1") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": tuple(shape)})
    return buf.getvalue()


def _deflate_bomb(n_bytes: int, name: str = "X.npy") -> bytes:
    """An .npz whose one member is a uint8 array of ``n_bytes`` zeros, deflated (about 1000:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open(name, "w", force_zip64=True) as f:
            f.write(_npy_header((n_bytes,)))
            zeros = bytes(16 * MiB)
            for _ in range(n_bytes // len(zeros)):
                f.write(zeros)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb():
    data = _deflate_bomb(1024 * MiB)  # 1 GiB of zeros, 4 GiB as float32
    assert len(data) < 2 * MiB
    return data


def _peak(fn, *args, **kwargs):
    """Run ``fn`` expecting a ValueError; return (the error, tracemalloc's peak in bytes)."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as err:
            fn(*args, **kwargs)
        return err.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_npz_deflate_bomb_is_refused_by_every_loader_without_expanding(bomb, tmp_path):
    path = tmp_path / "bomb.npz"
    path.write_bytes(bomb)
    for fn, args in ((load_upload, ("bomb.npz", bomb)), (load_array_file, (path,)), (load_dataset, (str(path),))):
        err, peak = _peak(fn, *args)
        assert "over the limit" in str(err) and ENV_VAR in str(err)
        assert peak < 64 * MiB, (fn.__name__, peak)  # the array would be 1 GiB, its float32 copy 4 GiB


def test_the_cap_is_a_setting_and_counts_the_float32_copy(monkeypatch):
    small = _deflate_bomb(32 * MiB)
    monkeypatch.setenv(ENV_VAR, "256")
    assert max_array_bytes() == 256 * MiB
    check_declared((32 * MiB,), 1, "fits")  # 32 MiB uint8, 128 MiB float32: within 256 MiB
    monkeypatch.setenv(ENV_VAR, "100")  # 32 MiB stored but 128 MiB as float32: refused
    with pytest.raises(ValueError, match="128 MiB as float32"):
        load_upload("x.npz", small)
    monkeypatch.setenv(ENV_VAR, "lots")
    with pytest.raises(ValueError, match=ENV_VAR):
        max_array_bytes()
    with pytest.raises(ValueError, match="negative"):
        check_declared((-1, 3), 4, "a", cap=10**6)


@pytest.mark.parametrize("shape, body, match", [
    ((10**12,), b"\0" * 100, "over the limit"),  # numpy alone: "Unable to allocate 3.64 TiB"
    ((1000,), b"\0" * 80, "holds 80"),            # too short for its header
    ((10,), b"\0" * 5000, "holds 5,000"),          # more data than declared
])
def test_npy_whose_header_lies_is_refused_before_allocating(tmp_path, shape, body, match):
    data = _npy_header(shape, "<f8") + body
    path = tmp_path / "liar.npy"
    path.write_bytes(data)
    for fn, args in ((load_upload, ("liar.npy", data)), (load_array_file, (path,))):
        err, peak = _peak(fn, *args)
        assert match in str(err)
        assert peak < 8 * MiB


def test_zip_member_whose_header_lies_is_refused(tmp_path):
    # an npz member declares 200 bytes unpacked, while its npy header declares 8 MB of float64
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("X.npy", _npy_header((10**6,), "<f8") + b"\0" * 72)
    err, peak = _peak(read_npz, io.BytesIO(good.getvalue()), "crafted.npz")
    assert "holds" in str(err) and peak < 4 * MiB
    # a member whose zip header understates the data that follows: the bounded read notices
    real = io.BytesIO()
    np.savez(real, X=np.zeros((100, 3)))
    data = bytearray(real.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("X.npy")
    struct.pack_into("<I", data, info.header_offset + 22, 200)
    cd = bytes(data).find(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, 200)
    with pytest.raises(ValueError, match="'X'"):
        read_npz(io.BytesIO(bytes(data)), "understated.npz")


@pytest.mark.parametrize("gz", [False, True])
def test_idx_header_with_huge_dimensions_is_refused_before_reading(tmp_path, gz):
    raw = bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 60000, 28000, 28000) + b"\0" * 1000
    path = tmp_path / ("train-images-idx3-ubyte" + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(raw) if gz else raw)
    err, peak = _peak(load_mnist_file, path)
    assert "over the limit" in str(err) and peak < 4 * MiB


def test_bundle_whose_array_header_declares_a_huge_shape_is_refused(tiny_model):
    arrs = dict(np.load(io.BytesIO(bundle_to_bytes(tiny_model))))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, a in arrs.items():
            member = io.BytesIO()
            np.save(member, a)
            body = member.getvalue()
            if k == "codes":  # claims a billion codes, holds the real few
                body = _npy_header((10**9, a.shape[1]), "<f4") + a.astype("<f4").tobytes()
            zf.writestr(f"{k}.npy", body)
    tracemalloc.start()
    try:
        with pytest.raises(BundleError, match="'codes'.*over the limit"):
            load_bundle(buf.getvalue())
        assert tracemalloc.get_traced_memory()[1] < 64 * MiB
    finally:
        tracemalloc.stop()


def test_read_npy_round_trips_plain_arrays():
    for a in (np.arange(12.0).reshape(3, 4), np.asfortranarray(np.arange(6).reshape(2, 3)), np.zeros((0, 3)),
              np.array(5, dtype=np.int16)):
        buf = io.BytesIO()
        np.save(buf, a)
        n = len(buf.getvalue())
        buf.seek(0)
        out = read_npy(buf, "a", available=n)
        assert out.dtype == a.dtype and out.shape == a.shape and (out == a).all() and out.flags.writeable


def test_cli_refuses_the_bomb_with_exit_2_and_small_memory(bomb, tmp_path):
    path = tmp_path / "bomb.npz"
    path.write_bytes(bomb)
    status, err, peak = peak_rss_of(cli("train", "--dataset", path, "--out", tmp_path / "m.npz"))
    assert status == 2, err
    assert "over the limit" in err and ENV_VAR in err
    assert peak < 1024 * MiB  # python + torch, not the 4 GiB float32 copy


def test_train_page_shows_an_error_box_for_the_bomb_and_keeps_the_model(bomb):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(repo_file("pages/1_Train.py"), default_timeout=120).run()
    at.radio(key="tr_source").set_value("upload a file").run()
    at.file_uploader(key="tr_upload").set_value(("bomb.npz", bomb, "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and "over the limit" in at.error[0].value and ENV_VAR in at.error[0].value
    assert at.session_state["aeot_current"] == "MNIST-10k (shipped default)"


def test_a_zip_of_images_that_would_decode_past_the_cap_is_refused_before_decoding(monkeypatch):
    from PIL import Image

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(40):
            png = io.BytesIO()
            Image.fromarray(np.full((28, 28), i, np.uint8)).save(png, format="PNG")
            zf.writestr(f"digits/{i}.png", png.getvalue())
    monkeypatch.setenv(ENV_VAR, "0.1")  # 40 x 28 x 28 float32 = 123 KiB > 102 KiB
    with pytest.raises(ValueError, match=r"40 images.*over the limit"):
        load_upload("digits.zip", buf.getvalue())
    monkeypatch.setenv(ENV_VAR, "1")
    assert load_upload("digits.zip", buf.getvalue()).data.shape == (40, 1, 28, 28)
