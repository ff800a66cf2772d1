"""Bundles: lossless round trips, atomic writes, and refusal of damaged or hostile files."""

import io
import json
import os
import re
import shlex
import struct
import zipfile

import numpy as np
import pytest
import torch

import aeot_viz.pipeline.bundle as bundle_mod
from aeot_viz.pipeline.bundle import FORMAT_VERSION, BundleError, bundle_to_bytes, load_bundle, save_bundle

# ----------------------------------------------------------------------------- helpers


def _unpack(data: bytes) -> dict:
    """The bundle's arrays, by name (``meta.json`` is a uint8 array of JSON bytes)."""
    with np.load(io.BytesIO(data)) as z:
        return {k: z[k] for k in z.files}


def _pack(arrays: dict, **savez_kw) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays, **savez_kw)
    return buf.getvalue()


def _meta(arrays: dict) -> dict:
    return json.loads(arrays["meta.json"].tobytes().decode())


def _with_meta(arrays: dict, meta: dict) -> dict:
    out = dict(arrays)
    out["meta.json"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    return out


@pytest.fixture(scope="module")
def tiny_bytes(tiny_model) -> bytes:
    return bundle_to_bytes(tiny_model)


@pytest.fixture
def tiny_arrays(tiny_bytes) -> dict:
    return _unpack(tiny_bytes)


def _assert_same_model(a, b):
    np.testing.assert_array_equal(a.codes, b.codes)
    assert b.codes.dtype == np.float32
    if a.labels is None:
        assert b.labels is None
    else:
        np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.h, b.h)
    np.testing.assert_array_equal(a.normalizer.center_, b.normalizer.center_)
    assert a.normalizer.scale_ == b.normalizer.scale_
    np.testing.assert_array_equal(a.targets, b.targets)
    if a.images is None:
        assert b.images is None and b.images_index is None
    else:
        np.testing.assert_array_equal(a.images, b.images)
        np.testing.assert_array_equal(a.images_index, b.images_index)
    assert sorted(a.ot_log) == sorted(b.ot_log)
    for k in a.ot_log:
        np.testing.assert_array_equal(np.asarray(a.ot_log[k]), b.ot_log[k], err_msg=k)
    np.testing.assert_array_equal(a.h_snapshots, b.h_snapshots)
    np.testing.assert_array_equal(a.snapshot_iters, b.snapshot_iters)
    assert b.config == a.config
    assert b.config.to_dict() == a.config.to_dict()
    assert b.ae_kind == a.ae_kind
    assert b.dataset == a.dataset
    assert b.ot_validation == a.ot_validation
    assert b.ot_validation_log == a.ot_validation_log
    assert b.train_history == a.train_history
    assert b.created == a.created
    sa, sb = a.autoencoder.state_dict(), b.autoencoder.state_dict()
    assert sorted(sa) == sorted(sb)
    for k in sa:
        assert torch.equal(sa[k], sb[k]), k
    assert not b.autoencoder.training
    n = min(8, a.n_codes)
    assert np.array_equal(a.decode(a.codes[:n]), b.decode(b.codes[:n]))
    assert b.summary() | {"created": None} == a.summary() | {"created": None}


# ----------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("which", ["tiny_model", "toy_model"])
@pytest.mark.parametrize("via", ["path", "bytes", "file object"])
def test_round_trip_is_lossless(request, tmp_path, which, via):
    model = request.getfixturevalue(which)
    if via == "path":
        loaded = load_bundle(save_bundle(model, tmp_path / "m.npz"))
    elif via == "bytes":
        loaded = load_bundle(bundle_to_bytes(model))
    else:
        p = save_bundle(model, tmp_path / "m.npz")
        with open(p, "rb") as f:
            loaded = load_bundle(f)
    _assert_same_model(model, loaded)


def test_the_two_fixtures_cover_both_autoencoder_families(tiny_model, toy_model):
    assert tiny_model.ae_kind == "conv" and tiny_model.latent_dim == 4 and tiny_model.images is not None
    assert toy_model.ae_kind == "identity" and toy_model.latent_dim == 2 and toy_model.images is None
    assert toy_model.autoencoder.state_dict() == {}  # nothing to store: the bundle has no weights


def test_path_as_str_and_saved_file_equals_bundle_to_bytes(toy_model, tmp_path):
    p = save_bundle(toy_model, str(tmp_path / "m.npz"))
    assert p == tmp_path / "m.npz"
    assert _unpack(p.read_bytes()).keys() == _unpack(bundle_to_bytes(toy_model)).keys()
    _assert_same_model(toy_model, load_bundle(str(p)))


@pytest.mark.parametrize("given, written", [("model", "model.npz"), ("model.bin", "model.bin.npz"),
                                            ("model.npz", "model.npz")])
def test_npz_suffix_is_added_when_missing(toy_model, tmp_path, given, written):
    p = save_bundle(toy_model, tmp_path / given)
    assert p == tmp_path / written
    assert sorted(os.listdir(tmp_path)) == [written]
    load_bundle(p)


def test_save_creates_missing_folders(toy_model, tmp_path):
    p = save_bundle(toy_model, tmp_path / "a" / "b" / "m.npz")
    assert p.is_file()


def test_save_needs_a_model(tmp_path):
    with pytest.raises(TypeError, match="AEOTModel"):
        save_bundle({"codes": np.zeros((3, 2))}, tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


def test_bundle_holds_no_pickles(tiny_bytes):
    # every member loads without pickle support, and meta.json is plain JSON with the format tag
    arrays = _unpack(tiny_bytes)  # np.load defaults to allow_pickle=False
    assert all(a.dtype != object for a in arrays.values())
    meta = _meta(arrays)
    assert meta["format"] == "aeot-viz-bundle" and meta["format_version"] == FORMAT_VERSION
    assert any(k.startswith("weights/") for k in arrays)


# ----------------------------------------------------------------------------- atomic writes


def _tmp_files(folder):
    return [n for n in os.listdir(folder) if n.endswith(".tmp")]


def test_save_leaves_no_temporary_file(toy_model, tmp_path):
    save_bundle(toy_model, tmp_path / "m.npz")
    save_bundle(toy_model, tmp_path / "m.npz")  # overwrite
    assert os.listdir(tmp_path) == ["m.npz"]


def test_saved_file_has_ordinary_permissions(toy_model, tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    p = save_bundle(toy_model, tmp_path / "m.npz")
    assert p.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("where", ["bundle_to_bytes", "os.fsync", "os.replace"])
def test_failed_write_leaves_existing_bundle_untouched(toy_model, tiny_model, tmp_path, monkeypatch, where):
    p = save_bundle(toy_model, tmp_path / "m.npz")
    before = p.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full (simulated)")

    if where == "bundle_to_bytes":
        monkeypatch.setattr(bundle_mod, "bundle_to_bytes", boom)
    else:
        monkeypatch.setattr(os, where.split(".")[1], boom)
    with pytest.raises(OSError, match="simulated"):
        save_bundle(tiny_model, p)
    monkeypatch.undo()
    assert p.read_bytes() == before
    assert _tmp_files(tmp_path) == []
    assert os.listdir(tmp_path) == ["m.npz"]
    _assert_same_model(toy_model, load_bundle(p))


def test_interrupted_write_leaves_no_temporary_file(toy_model, tmp_path, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save_bundle(toy_model, tmp_path / "m.npz")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


# ----------------------------------------------------------------------------- refused files


def test_bundle_error_is_a_value_error():
    assert issubclass(BundleError, ValueError)


def test_missing_file(tmp_path):
    with pytest.raises(BundleError, match="No bundle file at .*nope.npz"):
        load_bundle(tmp_path / "nope.npz")
    with pytest.raises(BundleError, match="No bundle file"):
        load_bundle(tmp_path)  # a folder is not a bundle file


def test_random_bytes(tmp_path):
    data = np.random.default_rng(0).bytes(5000)
    with pytest.raises(BundleError, match="not an AE-OT bundle"):
        load_bundle(data)
    (tmp_path / "junk.npz").write_bytes(data)
    with pytest.raises(BundleError, match=r"junk\.npz is not an AE-OT bundle"):
        load_bundle(tmp_path / "junk.npz")
    with pytest.raises(BundleError, match="not an AE-OT bundle"):
        load_bundle(b"")


def test_truncated_bundle(tiny_bytes):
    with pytest.raises(BundleError, match="not an AE-OT bundle"):
        load_bundle(tiny_bytes[: len(tiny_bytes) // 2])


def test_damaged_member_data(tiny_bytes):
    zf = zipfile.ZipFile(io.BytesIO(tiny_bytes))
    info = max(zf.infolist(), key=lambda i: i.compress_size)
    name_len, extra_len = struct.unpack_from("<HH", tiny_bytes, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len  # first byte of the compressed data
    data = bytearray(tiny_bytes)
    for i in range(start + 20, start + 60):
        data[i] ^= 0xFF
    with pytest.raises(BundleError, match=r"could not be read|damaged"):
        load_bundle(bytes(data))


def test_plain_npz_without_meta():
    with pytest.raises(BundleError, match="no meta.json"):
        load_bundle(_pack({"codes": np.zeros((3, 2), np.float32)}))


def test_meta_that_is_not_json(tiny_arrays):
    tiny_arrays["meta.json"] = np.frombuffer(b"{not json", dtype=np.uint8)
    with pytest.raises(BundleError, match="not valid JSON"):
        load_bundle(_pack(tiny_arrays))


def test_other_format(tiny_arrays):
    meta = _meta(tiny_arrays)
    meta["format"] = "someone-elses-format"
    with pytest.raises(BundleError, match="not an AE-OT bundle.*someone-elses-format"):
        load_bundle(_pack(_with_meta(tiny_arrays, meta)))


def test_newer_format_version(tiny_arrays):
    meta = _meta(tiny_arrays)
    meta["format_version"] = 99
    with pytest.raises(BundleError, match=r"(?i)newer.*format 99.*upgrade"):
        load_bundle(_pack(_with_meta(tiny_arrays, meta)))


def test_older_format_version(tiny_arrays):
    meta = _meta(tiny_arrays)
    meta["format_version"] = 0
    with pytest.raises(BundleError, match=r"old format 0"):
        load_bundle(_pack(_with_meta(tiny_arrays, meta)))


@pytest.mark.parametrize("version", ["1", 1.0, True, None])
def test_format_version_must_be_an_integer(tiny_arrays, version):
    meta = _meta(tiny_arrays)
    meta["format_version"] = version
    with pytest.raises(BundleError, match="format_version"):
        load_bundle(_pack(_with_meta(tiny_arrays, meta)))


@pytest.mark.parametrize("section, key, value, pattern", [
    ("ae", "depth", 3, r"invalid config.*Unknown setting.*depth"),
    ("ae", "latent_dim", "4", r"invalid config.*ae\.latent_dim.*wrong type"),
    pytest.param("train", "lr", 10**400, r"invalid config", id="train-lr-int-too-large-for-float"),
    ("ot", "max_iter", 0, r"invalid config.*max_iter"),
    (None, "optimizer", {}, r"invalid config.*Unknown config section.*optimizer"),
])
def test_invalid_config(tiny_arrays, section, key, value, pattern):
    meta = _meta(tiny_arrays)
    (meta["config"][section] if section else meta["config"])[key] = value
    with pytest.raises(BundleError, match=pattern):
        load_bundle(_pack(_with_meta(tiny_arrays, meta)))


def test_config_that_disagrees_with_codes(tiny_arrays):
    meta = _meta(tiny_arrays)
    meta["config"]["ae"]["latent_dim"] = 5
    with pytest.raises(BundleError, match="dimension 4 but the autoencoder's latent dimension is 5"):
        load_bundle(_pack(_with_meta(tiny_arrays, meta)))


@pytest.mark.parametrize("key, value, pattern", [
    ("dataset", {"kind": "points"}, "dataset description"),
    ("ae_kind", "transformer", "unknown autoencoder kind"),
    ("ot_validation", "good", "ot_validation"),
    ("train_history", [1, 2], "train_history"),
])
def test_invalid_metadata(tiny_arrays, key, value, pattern):
    meta = _meta(tiny_arrays)
    meta[key] = value
    with pytest.raises(BundleError, match=pattern):
        load_bundle(_pack(_with_meta(tiny_arrays, meta)))


def _first_weight(arrays):
    return next(k for k, a in arrays.items() if k.startswith("weights/") and a.ndim >= 2)


def test_weights_of_the_wrong_shape(tiny_arrays):
    k = _first_weight(tiny_arrays)
    a = tiny_arrays[k]
    tiny_arrays[k] = np.zeros((a.shape[0] + 1, *a.shape[1:]), a.dtype)
    with pytest.raises(BundleError, match=rf"weights do not fit.*size mismatch for {re.escape(k[len('weights/'):])}"):
        load_bundle(_pack(tiny_arrays))


def test_missing_and_extra_weights(tiny_arrays):
    k = _first_weight(tiny_arrays)
    missing = {n: a for n, a in tiny_arrays.items() if n != k}
    with pytest.raises(BundleError, match=r"weights do not fit.*Missing key"):
        load_bundle(_pack(missing))
    extra = dict(tiny_arrays, **{"weights/extra.bias": np.zeros(3, np.float32)})
    with pytest.raises(BundleError, match=r"weights do not fit.*Unexpected key.*extra\.bias"):
        load_bundle(_pack(extra))


def test_non_finite_weights(tiny_arrays):
    k = _first_weight(tiny_arrays)
    w = tiny_arrays[k].copy()
    w.flat[0] = np.inf
    tiny_arrays[k] = w
    with pytest.raises(BundleError, match="not a finite numeric array"):
        load_bundle(_pack(tiny_arrays))


def test_big_endian_arrays_load(tiny_model, tiny_arrays):
    # a bundle written on a big-endian machine: same numbers, other byte order
    swapped = {k: (a.astype(a.dtype.newbyteorder(">")) if a.dtype.kind in "fi" else a)
               for k, a in tiny_arrays.items()}
    assert swapped[_first_weight(swapped)].dtype.byteorder == ">"
    _assert_same_model(tiny_model, load_bundle(_pack(swapped)))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_codes_with_nan_or_inf(tiny_arrays, bad):
    codes = tiny_arrays["codes"].copy()
    codes[3, 1] = bad
    tiny_arrays["codes"] = codes
    with pytest.raises(BundleError, match=r"'codes' contains NaN or Inf"):
        load_bundle(_pack(tiny_arrays))


@pytest.mark.parametrize("key, value, pattern", [
    ("codes", np.zeros((200, 4), np.complex64), r"'codes' must be a 2-D array"),
    ("ot_h", np.zeros(199), "shapes disagree"),
    ("norm_scale", np.array(-1.0), "shapes disagree"),
    ("labels", np.zeros(200, np.float64), r"'labels' must be a 1-D array"),
    ("images_index", np.full(200, 10**6, np.int64), "'images' and 'images_index' do not match"),
    ("ot_snapshots", np.zeros((3, 5), np.float32), "OT snapshots have shape"),
])
def test_inconsistent_arrays(tiny_arrays, key, value, pattern):
    tiny_arrays[key] = value
    with pytest.raises(BundleError, match=pattern):
        load_bundle(_pack(tiny_arrays))


def test_missing_array(tiny_arrays):
    del tiny_arrays["ot_h"]
    with pytest.raises(BundleError, match="no 'ot_h' array"):
        load_bundle(_pack(tiny_arrays))


class _Exploit:
    """Unpickling this runs a shell command."""

    def __init__(self, cmd):
        self.cmd = cmd

    def __reduce__(self):
        return (os.system, (self.cmd,))


def test_pickle_payload_is_refused_and_never_run(tiny_arrays, tmp_path):
    marker = tmp_path / "pwned"
    payload = np.empty(1, dtype=object)
    payload[0] = _Exploit(f"touch {shlex.quote(str(marker))}")
    data = _pack(dict(tiny_arrays, labels=payload), allow_pickle=True)
    with pytest.raises(BundleError, match="pickle"):
        load_bundle(data)
    assert not marker.exists()
    p = tmp_path / "evil.npz"
    p.write_bytes(data)
    with pytest.raises(BundleError, match="pickle"):
        load_bundle(p)
    assert not marker.exists()
    # the payload is live: loading it *with* pickles enabled does run the command
    with np.load(io.BytesIO(data), allow_pickle=True) as z:
        z["labels"]
    assert marker.exists()


def test_nested_npz_member_is_refused(tiny_arrays):
    inner = _pack({"a": np.zeros(3)})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, a in tiny_arrays.items():
            member = io.BytesIO()
            np.save(member, a)
            zf.writestr(f"{k}.npy", inner if k == "codes" else member.getvalue())
    with pytest.raises(BundleError, match="'codes' is not a .npy array"):
        load_bundle(buf.getvalue())


def test_archive_over_max_bytes_is_refused(tiny_bytes):
    total = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(tiny_bytes)).infolist())
    with pytest.raises(BundleError, match=r"over the limit of .*MiB.*zip bomb"):
        load_bundle(tiny_bytes, max_bytes=1000)
    load_bundle(tiny_bytes, max_bytes=total)  # exactly at the limit is fine
    with pytest.raises(BundleError, match="limit"):
        load_bundle(tiny_bytes, max_bytes=total - 1)


def _patch_central_directory(data: bytes, member: str, offset: int, fmt: str, value) -> bytes:
    """Overwrite a field of ``member``'s central-directory entry (``offset`` from the entry start)."""
    out = bytearray(data)
    pos = data.find(b"PK\x01\x02")
    found = False
    while pos >= 0:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + n] == member.encode():
            struct.pack_into(fmt, out, pos + offset, value)
            found = True
        pos = data.find(b"PK\x01\x02", pos + 4)
    assert found
    return bytes(out)


def test_member_larger_than_declared_is_refused(tiny_bytes):
    # a zip bomb that understates its sizes gets past the max_bytes check but not past the reader
    info = zipfile.ZipFile(io.BytesIO(tiny_bytes)).getinfo("codes.npy")
    data = bytearray(tiny_bytes)
    struct.pack_into("<I", data, info.header_offset + 22, 10)  # local header: uncompressed size
    data = _patch_central_directory(bytes(data), "codes.npy", 24, "<I", 10)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("codes.npy").file_size == 10
    with pytest.raises(BundleError, match="'codes'"):
        load_bundle(data, max_bytes=10**6)


def test_unsupported_zip_version_is_a_bundle_error(tiny_bytes):
    data = _patch_central_directory(tiny_bytes, "codes.npy", 6, "<H", 200)  # "version needed to extract"
    with pytest.raises(BundleError, match="not an AE-OT bundle"):
        load_bundle(data)


def test_config_asking_for_a_huge_network_is_refused_before_allocating(tiny_arrays):
    import resource

    meta = _meta(tiny_arrays)
    meta["dataset"]["shape"] = [1, 4096, 4096]  # the conv encoder's last layer would hold ~10^9 weights
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(BundleError, match="asks for an autoencoder of"):
        load_bundle(_pack(_with_meta(tiny_arrays, meta)))
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 500  # building it for real would need gigabytes
