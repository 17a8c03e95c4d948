"""One Database shared by many Python threads; close racing with calls."""

from __future__ import annotations

import threading
import time

import kilndb
from conftest import strip_meta

THREADS = 16


def _run(threads):
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
        assert not t.is_alive()


def test_many_threads_read_and_write(db):
    coll = db["t"]
    errors: list = []
    per_thread = 300

    def worker(tid: int) -> None:
        try:
            for i in range(per_thread):
                key = f"t{tid}-{i}"
                coll.put(key, {"tid": tid, "i": i})
                assert strip_meta(coll.get(key)) == {"tid": tid, "i": i}
                if i % 10 == 0:
                    coll.set({key: {"tid": tid, "i": -i}})
                    coll.update({key: {"u": True}})
                if i % 50 == 0:
                    db.execute({"op": "get", "collection": "t", "keys": [key]})
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    _run([threading.Thread(target=worker, args=(t,)) for t in range(THREADS)])
    assert not errors, errors[:3]
    assert len(coll.find()) == THREADS * per_thread


def test_concurrent_batches_are_atomic(db):
    coll = db["b"]
    errors: list = []

    def worker(tid: int) -> None:
        try:
            for i in range(50):
                with db.batch() as b:
                    b["b"].set({f"x{tid}-{i}": {"v": i}, f"y{tid}-{i}": {"v": i}})
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    _run([threading.Thread(target=worker, args=(t,)) for t in range(8)])
    assert not errors, errors[:3]
    assert len(coll.find()) == 8 * 50 * 2


def test_close_while_threads_are_calling():
    for _ in range(5):
        db = kilndb.open()
        coll = db["c"]
        coll.put("k", {"a": 1})
        started = threading.Barrier(THREADS + 1)
        unexpected: list = []
        closed_seen = [0]
        lock = threading.Lock()

        def worker() -> None:
            started.wait()
            while True:
                try:
                    coll.get("k")
                    coll.put("k", {"a": 2})
                    db.execute({"op": "get", "collection": "c", "keys": "k"})
                except kilndb.ClosedError:
                    with lock:
                        closed_seen[0] += 1
                    return
                except Exception as e:  # noqa: BLE001
                    unexpected.append(e)
                    return

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        for t in threads:
            t.start()
        started.wait()
        time.sleep(0.02)
        db.close()
        for t in threads:
            t.join(30)
            assert not t.is_alive()
        assert not unexpected, unexpected[:3]
        assert closed_seen[0] == THREADS
