"""flush(), verify(), stats/changes/snapshot, reopen in sync and async mode,
and the directory lock (KILN_LOCKED -> LockedError)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import kilndb
from conftest import strip_meta

pytestmark = pytest.mark.feature("durability")


def run_python(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_writes_survive_a_process_that_never_closes(tmp_path, mode):
    # sync: durable when the call returns; async: durable after flush().
    # os._exit skips every close and destructor.
    path = str(tmp_path / "db")
    proc = run_python(
        """
        import os, sys, kilndb
        db = kilndb.open(sys.argv[1], mode=sys.argv[2])
        c = db["c"]
        for i in range(200):
            c.put(f"k{i}", {"i": i})
        c.update({"k0": {"extra": True}})
        c.delete("k1")
        with db.batch() as b:
            b["d"].set({"x": {"n": 1}, "y": {"n": 2}})
        db.flush()
        os._exit(0)
        """,
        path, mode)
    assert proc.returncode == 0, proc.stderr
    with kilndb.open(path, mode=mode) as db:
        c = db["c"]
        assert strip_meta(c.get("k0")) == {"i": 0, "extra": True} and c.get("k0")["_v"] == 2
        assert c.get("k1") is None
        assert all(c.get(f"k{i}")["i"] == i for i in range(2, 200))
        assert strip_meta(db["d"].get("y")) == {"n": 2}
        assert db.stats()["documents"] == 199 + 2


def test_flush_in_every_mode(db_path):
    with kilndb.open() as mem:
        mem["c"].put("k", {})
        mem.flush()  # nothing to do
    for mode in ("sync", "async"):
        with kilndb.open(db_path, mode=mode) as db:
            db["c"].put(mode, {"m": mode})
            db.flush()
            assert db.stats()["wal"]["durable_lsn"] == db.stats()["lsn"]
    db.close()
    with pytest.raises(kilndb.ClosedError):
        db.flush()


def test_async_reopen_after_close_and_flush(db_path):
    with kilndb.open(db_path, mode="async") as db:
        keys = db["c"].insert([{"n": i} for i in range(100)])
        db.flush()
        db["c"].put("after-flush", {"v": 1})  # close() makes this durable too
    with kilndb.open(db_path, mode="async") as db:
        assert [db["c"].get(k)["n"] for k in keys] == list(range(100))
        assert db["c"].get("after-flush")["v"] == 1


def test_subscription_sees_async_writes_and_they_persist(db_path):
    events: list = []
    with kilndb.open(db_path, mode="async") as db:
        db.subscribe(events.append)
        for i in range(20):
            db["c"].put(f"k{i}", {"i": i})
        db.flush()
    assert [e.key for e in events] == [f"k{i}" for i in range(20)]
    with kilndb.open(db_path, mode="sync") as db:
        assert len(db["c"].get_many([f"k{i}" for i in range(20)])) == 20


def test_verify(db_path):
    with kilndb.open(db_path, mode="sync") as db:
        for i in range(30):
            db["c"].put(f"k{i}", {"i": i, "pad": "x" * 50})
        db.snapshot()
        db["c"].put("later", {})
    report = kilndb.verify(db_path)
    assert report["ok"] is True and report["problems"] == []
    assert report["files"] and all(f["ok"] for f in report["files"])
    assert {"file", "kind", "ok"} <= set(report["files"][0])
    import pathlib
    assert kilndb.verify(pathlib.Path(db_path))["ok"]
    # Damage the middle of the snapshot: reported, not raised.
    snaps = [f for f in report["files"] if f["kind"] == "snapshot"]
    assert snaps, report
    target = snaps[0]["file"]
    if not os.path.isabs(target):
        target = os.path.join(db_path, target)
    size = os.path.getsize(target)
    with open(target, "r+b") as f:
        f.seek(size // 2)
        chunk = f.read(8)
        f.seek(size // 2)
        f.write(bytes(b ^ 0xFF for b in chunk))
    damaged = kilndb.verify(db_path)
    assert damaged["ok"] is False and damaged["problems"]


def test_verify_while_open_and_errors(tmp_path):
    path = str(tmp_path / "db")
    with kilndb.open(path, mode="sync") as db:
        db["c"].put("k", {})
        assert kilndb.verify(path)["ok"]  # reads only: works while open
    with pytest.raises(kilndb.KilnError):
        kilndb.verify(str(tmp_path / "missing"))
    with pytest.raises(TypeError):
        kilndb.verify(None)  # type: ignore[arg-type]


def test_changes_pull_feed(db):
    c = db["feed"]
    c.set({"a": {"x": 1}, "b": {"x": 1}})
    c.update({"a": {"x": 2}})
    c.delete("b")
    c.put("n", [1, 2])
    changes = db.changes()
    assert [(e["collection"], e["key"], e["new_v"]) for e in changes] == [
        ("feed", "a", 1), ("feed", "b", 1), ("feed", "a", 2), ("feed", "b", None), ("feed", "n", 0)]
    assert changes[0]["lsn"] == changes[1]["lsn"] < changes[2]["lsn"] < changes[3]["lsn"]
    assert db.changes(changes[2]["lsn"]) == changes[3:]
    assert db.changes(changes[-1]["lsn"]) == []


def test_changes_retention(tmp_path):
    with kilndb.open(str(tmp_path / "db"), mode="sync", change_retention=5) as db:
        for i in range(20):
            db["c"].put(f"k{i}", {})
        recent = db.changes(15)
        assert [e["key"] for e in recent] == ["k15", "k16", "k17", "k18", "k19"]
        with pytest.raises(kilndb.InvalidArgumentError, match="retained"):
            db.changes(0)


def test_changes_survive_reopen(db_path):
    with kilndb.open(db_path, mode="sync") as db:
        db["c"].put("a", {})
        db["c"].put("b", {})
    with kilndb.open(db_path, mode="sync") as db:
        assert [e["key"] for e in db.changes(0)] == ["a", "b"]  # replayed from the log


def test_stats(db_path):
    with kilndb.open(db_path, mode="sync") as db:
        db["a"].set({"k1": {"x": 1}, "k2": {"x": 2}})
        db["b"].put("k", {"y": 1})
        stats = db.stats()
        assert stats["mode"] == "sync" and stats["read_only"] is False
        assert stats["documents"] == 3
        assert stats["collections"]["a"]["documents"] == 2 and stats["collections"]["b"]["documents"] == 1
        assert stats["lsn"] == 2 and stats["wal"]["durable_lsn"] == 2
    with kilndb.open() as mem:
        assert mem.stats()["mode"] == "memory"


def test_snapshot_then_reopen(db_path):
    with kilndb.open(db_path, mode="sync") as db:
        db["c"].set({f"k{i}": {"i": i} for i in range(10)})
        result = db.snapshot()
        assert result["status"] == "ok" and result["entries"] == 10 and result["lsn"] == 1
        db["c"].delete("k0")
        assert db.stats()["snapshot"]["lsn"] == 1
    with kilndb.open(db_path, mode="sync") as db:
        assert db["c"].get("k0") is None and db["c"].get("k9")["i"] == 9
    with kilndb.open() as mem, pytest.raises(kilndb.InvalidArgumentError):
        mem.snapshot()


def test_read_only(db_path):
    with kilndb.open(db_path, mode="sync") as db:
        db["c"].put("k", {"v": 1})
    with kilndb.open(db_path, mode="sync", read_only=True) as ro:
        assert ro["c"].get("k")["v"] == 1
        with pytest.raises(kilndb.ReadOnlyError):
            ro["c"].put("k2", {})


def test_locked_in_the_same_process_also_with_subscriptions(db_path):
    with kilndb.open(db_path, mode="sync") as db:
        db.subscribe(lambda e: None)
        for mode in ("sync", "async"):
            with pytest.raises(kilndb.LockedError) as e:
                kilndb.open(db_path, mode=mode)
            assert e.value.code == "KILN_LOCKED" and e.value.status == kilndb._native.status.LOCKED
        db["c"].put("still", {"works": True})  # the failed open changed nothing
    with kilndb.open(db_path, mode="sync") as db:
        assert db["c"].get("still")["works"] is True


def test_locked_by_another_process(db_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(
            """
            import sys, kilndb
            db = kilndb.open(sys.argv[1], mode="sync")
            print("open", flush=True)
            sys.stdin.readline()
            db.close()
            """), db_path],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "open"
        with pytest.raises(kilndb.LockedError):
            kilndb.open(db_path, mode="sync")
        # verify() reads without the lock.
        assert kilndb.verify(db_path)["ok"]
    finally:
        proc.communicate("\n", timeout=60)
    assert proc.returncode == 0
    kilndb.open(db_path, mode="sync").close()  # released
