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


def _interleavings(work, calls: int) -> int:
    """How many distinct points of `work`'s progress another thread saw.

    The switch interval is made huge, so the GIL changes hands only when a
    thread gives it up on its own: `watcher` does (time.sleep(0)), `worker`
    only does inside calls that release the GIL.
    """
    import sys

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000)
    progress = [0]
    seen: set = set()
    done = threading.Event()
    ready = threading.Event()

    def watcher() -> None:
        ready.set()
        while not done.is_set():
            seen.add(progress[0])
            time.sleep(0)

    def worker() -> None:
        ready.wait()
        for i in range(calls):
            work()
            progress[0] = i + 1
        done.set()

    try:
        threads = [threading.Thread(target=watcher), threading.Thread(target=worker)]
        _run(threads)
    finally:
        sys.setswitchinterval(old)
    return len(seen - {0, calls})


def test_engine_calls_release_the_gil(db):
    """Every engine call goes through one helper that drops the GIL; a call
    long enough for the waiting thread to wake up (a full-collection get,
    ~ms) shows it. Short calls release it too, but usually win the race to
    take it back."""
    coll = db["g"]
    coll.set({f"k{i}": {"i": i, "pad": "x" * 100} for i in range(1000)})
    coll.set({f"j{i}": {"i": i, "pad": "x" * 100} for i in range(1000)})

    def busy_python() -> None:  # holds the GIL throughout: the control
        sum(range(200000))

    assert _interleavings(busy_python, 40) <= 2
    assert _interleavings(lambda: coll.find(), 40) > 10
    assert _interleavings(lambda: db.execute_json('{"op":"get","collection":"g"}'), 40) > 10
