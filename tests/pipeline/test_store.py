"""The model store on real databases: the same tests on SQLite (WAL, in a temporary folder) and on a PostgreSQL
server the tests start themselves (initdb + pg_ctl on loopback) and stop after. Plus the faults: two processes
writing at once, a truncated bundle, a full disk."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from postgres_server import PostgresServer, binaries
from repo import REPO

from aeot_viz.pipeline.bundle import bundle_to_bytes, load_bundle
from aeot_viz.pipeline.store import DamagedModel, ModelStore
from aeot_viz.utils.paths import assets_dir

TOY = assets_dir() / "toy_ring8.npz"


@pytest.fixture(scope="module")
def postgres():
    if binaries() is None:
        pytest.skip("PostgreSQL is not installed (scripts/test.sh installs it)")
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = ModelStore(tmp_path)
    else:
        pg = request.getfixturevalue("postgres")
        s = ModelStore(tmp_path, url=pg.url)
        import sqlalchemy as sa

        with s._engine.begin() as conn:  # every test starts from empty tables on the shared server
            conn.execute(sa.text("DELETE FROM models"))
            conn.execute(sa.text("DELETE FROM jobs"))
    yield s
    s.dispose()


@pytest.fixture(scope="module")
def toy():
    return load_bundle(TOY)


def _variant(model, k: int):
    """A model whose bytes differ from ``model``'s (heights nudged), so each store entry has its own digest."""
    from dataclasses import replace

    return replace(model, h=model.h + 1e-9 * (k + 1))


def test_a_stored_model_comes_back_identical_with_its_headline_metrics(store, toy):
    rec = store.put(toy, name="ring, mine", owner="alice")
    assert rec.dataset == toy.dataset["name"] and rec.owner == "alice" and rec.status == "ready"
    assert rec.ot_l1 == pytest.approx(toy.ot_validation.get("exact_l1", toy.ot_validation["l1"]))
    assert rec.singular is not None and rec.singular >= 0  # the shipped toy's stored singular set
    assert rec.settings == toy.config.to_dict()
    again = store.load(rec.id)
    np.testing.assert_array_equal(again.h, toy.h)
    np.testing.assert_array_equal(again.codes, toy.codes)
    assert store.path_of(rec.digest).read_bytes() == bundle_to_bytes(toy)
    assert [r.id for r in store.list()] == [rec.id]
    assert store.health(rec) == "ok"


def test_a_second_store_on_the_same_database_sees_the_same_rows(store, toy, tmp_path):
    rec = store.put(toy, name="shared", owner="alice")
    other = ModelStore(store.folder, url=store.url)  # another app replica
    try:
        assert other.get(rec.id) == rec
        np.testing.assert_array_equal(other.load(rec.id).h, toy.h)
    finally:
        other.dispose()


def test_only_the_owner_renames_or_deletes_and_the_file_goes_with_the_last_row(store, toy):
    a = store.put(toy, name="one", owner="alice")
    b = store.put(toy, name="same bytes", owner="bob")
    assert a.digest == b.digest  # content-addressed: one file for both rows
    with pytest.raises(PermissionError, match="another visitor"):
        store.delete(a.id, owner="bob")
    with pytest.raises(PermissionError):
        store.rename(a.id, "taken", owner="bob")
    assert store.rename(a.id, "renamed", owner="alice").name == "renamed"
    store.delete(a.id, owner="alice")
    assert store.get(a.id) is None and store.path_of(b.digest).is_file()  # bob's row still needs the file
    store.delete(b.id, owner="bob")
    assert not store.path_of(b.digest).exists()
    with pytest.raises(KeyError):
        store.delete(b.id, owner="bob")


def test_an_upload_is_validated_before_it_is_stored(store, toy):
    from aeot_viz.pipeline.bundle import BundleError

    with pytest.raises(BundleError):
        store.put_bytes(b"PK\x03\x04 not a bundle", name="bad", owner="alice")
    assert store.list() == [] and not any(store.bundles.rglob("*.npz"))
    rec = store.put_bytes(bundle_to_bytes(toy), name="uploaded", owner="alice")
    np.testing.assert_array_equal(store.load(rec.id).h, toy.h)
    with pytest.raises(ValueError, match="name"):
        store.put(toy, name="   ", owner="alice")


def test_a_truncated_bundle_is_reported_damaged_and_the_rest_still_work(store, toy):
    bad = store.put(_variant(toy, 1), name="to be truncated", owner="alice")
    good = store.put(_variant(toy, 2), name="fine", owner="alice")
    path = store.path_of(bad.digest)
    path.write_bytes(path.read_bytes()[: bad.size // 2])
    assert store.health(store.get(bad.id)) == "damaged" and store.health(store.get(good.id)) == "ok"
    with pytest.raises(DamagedModel, match="damaged"):
        store.load(bad.id)
    assert {r.id for r in store.list()} == {bad.id, good.id}
    np.testing.assert_array_equal(store.load(good.id).h, good_h := _variant(toy, 2).h)
    assert good_h.shape == toy.h.shape
    store.delete(bad.id, owner="alice")  # a damaged model can still be deleted


def test_jobs_record_heartbeats_and_stale_ones_become_interrupted(store):
    a = store.put_job(owner="alice", label="toy", settings={"n": 100}, checkpoint="/tmp/ck")
    b = store.put_job(owner="bob", label="mnist")
    store.update_job(a.id, status="running", progress={"stage": "ot", "fraction": 0.5})
    store.update_job(b.id, status="running")
    got = store.get_job(a.id)
    assert got.status == "running" and got.progress == {"stage": "ot", "fraction": 0.5} and got.heartbeat
    assert [j.id for j in store.jobs(owner="alice")] == [a.id]
    # b's worker keeps beating, a's went silent long ago
    stale = store.mark_interrupted(max_age_s=60, now=got.heartbeat + 3600)
    assert {j.id for j in stale} == {a.id, b.id}
    store.update_job(b.id, status="running")  # a new beat after the restart
    assert store.mark_interrupted(max_age_s=60) == []
    assert store.get_job(a.id).status == "interrupted" and "resume" in store.get_job(a.id).error
    with pytest.raises(ValueError, match="status"):
        store.update_job(a.id, status="exploded")


_WRITER = textwrap.dedent("""
    import json, sys
    from dataclasses import replace
    from aeot_viz.pipeline.bundle import load_bundle
    from aeot_viz.pipeline.store import ModelStore
    folder, url, who, toy = sys.argv[1], sys.argv[2] or None, sys.argv[3], sys.argv[4]
    m = load_bundle(toy)
    s = ModelStore(folder, url=url)
    ids = [s.put(replace(m, h=m.h + 1e-9 * (k + 1 + (100 if who == 'b' else 0))), name=f'{who}{k}', owner=who).id
           for k in range(20)]
    print(json.dumps(ids))
""")


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_two_processes_writing_at_once_store_40_readable_models(db, tmp_path, request):
    url = "" if db == "sqlite" else request.getfixturevalue("postgres").url
    if url:
        s = ModelStore(tmp_path, url=url)
        import sqlalchemy as sa

        with s._engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM models"))
        s.dispose()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), url, who, str(TOY)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for who in "ab"]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs):
        assert p.returncode == 0, err[-3000:]
        assert "database is locked" not in err
    ids = [i for out, _ in outs for i in json.loads(out.strip().splitlines()[-1])]
    store = ModelStore(tmp_path, url=url or None)
    try:
        rows = store.list()
        assert len(rows) == 40 and {r.id for r in rows} == set(ids)
        assert len({r.digest for r in rows}) == 40
        assert all(store.health(r) == "ok" for r in rows)
        assert all(store.load(r.id).n_codes == load_bundle(TOY).n_codes for r in rows[::7])
    finally:
        store.dispose()


_FULL_DISK = textwrap.dedent("""
    import json, resource, signal, sys
    from aeot_viz.pipeline.bundle import load_bundle
    from aeot_viz.pipeline.store import ModelStore, StoreFull
    s = ModelStore(sys.argv[1])                       # the database file is made before the limit
    m = load_bundle(sys.argv[2])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)     # over the limit, write() fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
    try:
        s.put(m, name='too big', owner='alice')
        print(json.dumps({'raised': None}))
    except StoreFull as exc:
        print(json.dumps({'raised': 'StoreFull', 'message': str(exc)}))
""")


def test_a_full_disk_is_a_clear_error_and_leaves_no_row_and_no_file(tmp_path):
    """A file-size limit (RLIMIT_FSIZE) stands in for a full disk: the bundle cannot be written."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", _FULL_DISK, str(tmp_path), str(TOY)], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["raised"] == "StoreFull" and "No room to store the model" in result["message"]
    assert "AEOT_DATA_DIR" in result["message"]
    store = ModelStore(tmp_path)
    try:
        assert store.list() == []
        assert not [p for p in store.bundles.rglob("*") if p.is_file()]  # no half-written file or temporary
    finally:
        store.dispose()


def test_the_data_folder_and_database_follow_the_environment(tmp_path, monkeypatch):
    from aeot_viz.pipeline.store import data_dir, database_url

    monkeypatch.setenv("AEOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AEOT_DATABASE_URL", raising=False)
    assert data_dir() == tmp_path / "data"
    assert database_url() == f"sqlite:///{tmp_path / 'data' / 'aeot.db'}"
    monkeypatch.setenv("AEOT_DATABASE_URL", "postgresql+psycopg://u@h:5432/db")
    assert database_url() == "postgresql+psycopg://u@h:5432/db"
    monkeypatch.delenv("AEOT_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "aeot-viz"


def test_a_sqlite_store_uses_wal(tmp_path):
    s = ModelStore(tmp_path)
    try:
        with s._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
    finally:
        s.dispose()
