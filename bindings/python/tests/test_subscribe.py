"""db.subscribe(): events from writer threads, cancel semantics, exceptions in
callbacks, closing with live subscriptions, interpreter exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from typing import Callable, List

import pytest

import kilndb

TIMEOUT = 30.0


def wait_until(cond: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for events")
        time.sleep(0.002)


class Recorder:
    """A thread-safe callback collecting events."""

    def __init__(self) -> None:
        self.events: List[kilndb.ChangeEvent] = []
        self.threads: set = set()
        self.lock = threading.Lock()

    def __call__(self, event: kilndb.ChangeEvent) -> None:
        with self.lock:
            self.events.append(event)
            self.threads.add(threading.get_ident())

    def wait_for(self, n: int) -> List[kilndb.ChangeEvent]:
        wait_until(lambda: len(self.events) >= n)
        return list(self.events)

    def wait_for_key(self, key: str) -> List[kilndb.ChangeEvent]:
        wait_until(lambda: any(e.key == key for e in list(self.events)))
        return list(self.events)


def test_event_shapes(db):
    rec = Recorder()
    sub = db.subscribe(rec)
    assert isinstance(sub, kilndb.Subscription) and sub.active
    c = db["c"]
    c.set({"a": {"x": 1}})
    c.update({"a": {"x": 2}})
    c.put("n", 5)  # not an object: _v 0
    c.delete("a")
    with db.batch() as b:
        b["c"].set({"b1": {}, "b2": {}})
    c.drop()
    events = rec.wait_for(7)
    assert [(e.collection, e.key, e.new_v) for e in events] == [
        ("c", "a", 1), ("c", "a", 2), ("c", "n", 0), ("c", "a", None),
        ("c", "b1", 1), ("c", "b2", 1), ("c", "*", None)]
    assert events[4].lsn == events[5].lsn  # one batch, one LSN
    assert [e.lsn for e in events] == sorted(e.lsn for e in events)
    assert events[3].deleted and not events[3].dropped and events[6].dropped and not events[0].deleted
    ev = events[0]
    collection, key, new_v, lsn = ev  # a NamedTuple
    assert ev._asdict() == {"collection": "c", "key": "a", "new_v": 1, "lsn": lsn}
    # The same events as the pull feed.
    assert [e._asdict() for e in events] == db.changes(0)
    assert threading.get_ident() not in rec.threads  # the engine's delivery thread
    sub.cancel()
    assert not sub.active
    assert "cancelled" in repr(sub)


def test_writer_threads_every_write_once_in_lsn_order(db):
    everything, only_a = Recorder(), Recorder()
    db.subscribe(everything)
    db.subscribe(only_a, collection="a")
    threads, per_thread = 6, 150

    def writer(t: int) -> None:
        for i in range(per_thread):
            coll = db["a" if i % 2 else "b"]
            coll.put(f"k{t}-{i}", {"i": i})
            if i % 10 == 0:
                coll.update({f"k{t}-{i}": {"j": 1}})

    workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(TIMEOUT)
    total = threads * (per_thread + per_thread // 10)
    db["end"].put("end", {})
    events = everything.wait_for_key("end")
    events = [e for e in events if e.collection != "end"]
    assert len(events) == total
    lsns = [e.lsn for e in events]
    assert lsns == sorted(lsns) and len(set(lsns)) == total  # one put/update per LSN here
    seen = Counter((e.collection, e.key, e.new_v) for e in events)
    assert max(seen.values()) == 1
    for t in range(threads):
        for i in range(per_thread):
            expected_v = 2 if i % 10 == 0 else 1
            assert seen[("a" if i % 2 else "b", f"k{t}-{i}", expected_v)] == 1
    # Identical to what the engine recorded.
    pulled = [c for c in db.changes(0) if c["collection"] != "end"]
    assert [e._asdict() for e in events] == pulled
    # The filtered subscription: exactly the "a" events, same order.
    wait_until(lambda: len(only_a.events) == sum(1 for e in events if e.collection == "a"))
    assert only_a.events == [e for e in events if e.collection == "a"]


def test_collection_filter_accepts_a_collection_object(db):
    rec = Recorder()
    with db.subscribe(rec, db["x"]) as sub:
        assert sub.collection == "x"
        db["y"].put("k", {})
        db["x"].put("k", {})
        assert [e.collection for e in rec.wait_for(1)] == ["x"]
    assert not sub.active


def test_changes_before_subscribing_are_not_delivered(db):
    db["c"].put("before", {})
    rec = Recorder()
    db.subscribe(rec)
    db["c"].put("after", {})
    assert [e.key for e in rec.wait_for_key("after")] == ["after"]


def test_bad_arguments(db):
    with pytest.raises(TypeError):
        db.subscribe(42)  # type: ignore[arg-type]
    with pytest.raises(kilndb.InvalidArgumentError):
        db.subscribe(print, collection="no spaces allowed")
    db.close()
    with pytest.raises(kilndb.ClosedError):
        db.subscribe(print)


def test_no_callback_after_cancel_returns_and_it_waits_for_one_in_flight(db):
    started, finished = threading.Event(), threading.Event()
    calls: list = []

    def slow(event: kilndb.ChangeEvent) -> None:
        calls.append(event.key)
        started.set()
        time.sleep(0.3)  # holds the delivery thread; GIL released while sleeping
        finished.set()

    sub = db.subscribe(slow)
    db["c"].put("k1", {})
    assert started.wait(TIMEOUT)
    sub.cancel()  # must release the GIL, or the callback could never finish
    assert finished.is_set()
    db["c"].put("k2", {})
    db["c"].put("k3", {})
    probe = Recorder()
    db.subscribe(probe)
    db["c"].put("k4", {})
    probe.wait_for_key("k4")  # delivery has moved past k2, k3
    assert calls == ["k1"]
    sub.cancel()  # idempotent
    assert not sub.active


def test_cancel_waits_while_the_callback_needs_the_gil(db):
    # The callback spins in Python (needs the GIL) until cancel() is waiting.
    entered = threading.Event()
    done: list = []

    def busy(event: kilndb.ChangeEvent) -> None:
        entered.set()
        end = time.monotonic() + 0.2
        n = 0
        while time.monotonic() < end:
            n += 1
        done.append(n)

    sub = db.subscribe(busy)
    db["c"].put("k", {})
    assert entered.wait(TIMEOUT)
    sub.cancel()
    assert len(done) == 1


def test_cancel_from_inside_the_callback(db):
    calls: list = []
    holder: dict = {}

    def once(event: kilndb.ChangeEvent) -> None:
        calls.append(event.key)
        holder["sub"].cancel()

    holder["sub"] = db.subscribe(once)
    rec = Recorder()
    db.subscribe(rec)
    for k in ("k1", "k2", "k3"):
        db["c"].put(k, {})
    rec.wait_for(3)
    assert calls == ["k1"] and not holder["sub"].active


def test_cancel_from_several_threads(db):
    rec = Recorder()
    sub = db.subscribe(rec)
    db["c"].put("k", {})
    threads = [threading.Thread(target=sub.cancel) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not sub.active
    n = len(rec.events)
    db["c"].put("k2", {})
    time.sleep(0.05)
    assert len(rec.events) == n


def test_exception_in_callback_is_reported_and_delivery_goes_on(db, monkeypatch):
    reported: list = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u))

    def bad(event: kilndb.ChangeEvent) -> None:
        if event.key == "boom":
            raise ValueError("callback failed")

    def exits(event: kilndb.ChangeEvent) -> None:
        raise SystemExit(3)  # must not end the process either

    rec = Recorder()
    db.subscribe(bad)
    db.subscribe(exits, collection="other")
    db.subscribe(rec)
    db["c"].put("boom", {})
    db["other"].put("x", {})
    db["c"].put("fine", {})
    rec.wait_for_key("fine")
    wait_until(lambda: len(reported) == 2)
    kinds = sorted(type(u.exc_value).__name__ for u in reported)
    assert kinds == ["SystemExit", "ValueError"]
    assert any(u.object is bad for u in reported)
    # The failing subscriptions are still alive.
    db["c"].put("boom", {})
    wait_until(lambda: len(reported) == 3)


def test_callback_may_read_and_write_the_database(db):
    def mirror(event: kilndb.ChangeEvent) -> None:
        doc = db["src"].get(event.key)
        db["dst"].put(event.key, {"copy_of_v": event.new_v, "x": doc["x"] if doc else None})

    with db.subscribe(mirror, collection="src"):
        db["src"].put("a", {"x": 7})
        wait_until(lambda: db["dst"].get("a") is not None)
    assert db["dst"].get("a")["x"] == 7


def test_close_delivers_committed_changes_then_ends_subscriptions(db_path):
    db = kilndb.open(db_path, mode="sync")
    rec = Recorder()
    sub = db.subscribe(rec)
    for i in range(50):
        db["c"].put(f"k{i}", {"i": i})
    db.close()  # GIL released: pending callbacks run to completion
    assert [e.key for e in rec.events] == [f"k{i}" for i in range(50)]
    assert not sub.active
    sub.cancel()  # after close: fine
    with pytest.raises(kilndb.ClosedError):
        db.subscribe(rec)


def test_dropping_the_database_delivers_then_closes(db_path):
    rec = Recorder()
    db = kilndb.open(db_path, mode="sync")
    db.subscribe(rec)  # the Subscription object is dropped at once; the subscription lives
    for i in range(20):
        db["c"].put(f"k{i}", {})
    del db  # deallocation closes (GIL released): pending events are delivered first
    assert [e.key for e in rec.events] == [f"k{i}" for i in range(20)]
    kilndb.open(db_path, mode="sync").close()  # unlocked


def test_close_from_inside_a_callback(db_path):
    db = kilndb.open(db_path, mode="sync")
    seen: list = []

    def closer(event: kilndb.ChangeEvent) -> None:
        seen.append(event.key)
        db.close()  # handed to a helper thread: kiln_close would join this one
        assert db.closed

    sub = db.subscribe(closer)
    db["c"].put("k", {})
    wait_until(lambda: not sub.active)
    assert db.closed and seen == ["k"]
    with pytest.raises(kilndb.ClosedError):
        db["c"].get("k")
    with kilndb.open(db_path, mode="sync") as again:  # the lock was released
        assert again["c"].get("k") is not None


def test_dropping_the_last_reference_inside_a_callback(db_path):
    holder = {"db": kilndb.open(db_path, mode="sync")}
    rec = Recorder()

    def drop(event: kilndb.ChangeEvent) -> None:
        holder.pop("db", None)  # the Database is deallocated on the delivery thread
        rec(event)

    sub = holder["db"].subscribe(drop)
    del sub  # the subscription lives on without its Python object
    holder["db"]["c"].put("k", {})
    rec.wait_for(1)

    def reopen() -> bool:
        try:
            kilndb.open(db_path, mode="sync").close()
            return True
        except kilndb.LockedError:
            return False

    wait_until(reopen)


def test_subscriptions_of_two_databases(tmp_path):
    with kilndb.open(str(tmp_path / "a")) as a, kilndb.open(str(tmp_path / "b")) as b:
        ra, rb = Recorder(), Recorder()
        a.subscribe(ra)
        b.subscribe(rb)
        # A callback of one database closing the other one.
        a.subscribe(lambda e: b.close() if e.key == "close-b" else None)
        b["c"].put("kb", {})
        # Delivered before b closes: close() ends subscriptions without
        # delivering what is still queued.
        rb.wait_for(1)
        a["c"].put("ka", {})
        a["c"].put("close-b", {})
        ra.wait_for(2)
        wait_until(lambda: b.closed)
        assert [e.key for e in rb.events] == ["kb"]


SHUTDOWN_SCRIPT = textwrap.dedent(
    """
    import sys, threading, time, kilndb
    mode, path = sys.argv[1], sys.argv[2]
    db = kilndb.open(None if mode == "memory" else path, mode=mode)
    seen = []
    def cb(e):
        seen.append(e)
        db["other"].get("x")      # the callback uses the database (a reference cycle)
        time.sleep(0.001)
    db.subscribe(cb)              # never cancelled, result dropped
    db.subscribe(lambda e: 1 / 0, collection="c")
    sys.unraisablehook = lambda u: None
    def writer(i):
        n = 0
        while True:               # daemon threads still writing at exit
            db["c"].put(f"{i}-{n}", {"n": n}); n += 1
    for i in range(2):
        threading.Thread(target=writer, args=(i,), daemon=True).start()
    db["last"].put("k", {"v": 1})
    while not seen:
        time.sleep(0.01)
    time.sleep(0.2)
    print("exiting", flush=True)
    """
)


@pytest.mark.parametrize("mode", ["memory", "sync", "async"])
def test_interpreter_exits_cleanly_with_live_subscriptions(tmp_path, mode):
    path = str(tmp_path / "db")
    proc = subprocess.run([sys.executable, "-c", SHUTDOWN_SCRIPT, mode, path],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "exiting"
    if mode != "memory":
        with kilndb.open(path, mode="sync") as db:  # closed at exit: unlocked, intact
            assert db["last"].get("k")["v"] == 1
        assert kilndb.verify(path)["ok"]


def test_exit_from_inside_a_callback(tmp_path):
    script = textwrap.dedent(
        """
        import os, sys, kilndb
        db = kilndb.open()
        def cb(e):
            print("got", e.key, flush=True)
            os._exit(7)
        db.subscribe(cb)
        db["c"].put("k", {})
        import time; time.sleep(30)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 7 and proc.stdout.strip() == "got k", proc.stderr


def test_subscribe_is_refused_after_shutdown_hook():
    # kilndb._native._shutdown is the atexit hook; call it directly.
    script = textwrap.dedent(
        """
        import kilndb, kilndb._native as n
        db = kilndb.open()
        sub = db.subscribe(print)
        n._shutdown()
        assert not sub.active
        try:
            db.subscribe(print)
        except kilndb.ClosedError:
            print("refused", flush=True)
        db["c"].put("k", {})   # no callback runs any more
        db.close()
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "refused", proc.stderr


def test_many_subscribe_cancel_cycles_under_writes(db):
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            db["c"].put(f"k{n % 100}", {"n": n})
            n += 1

    w = threading.Thread(target=writer)
    w.start()
    try:
        for i in range(200):
            rec = Recorder()
            sub = db.subscribe(rec, collection="c" if i % 2 else None)
            if i % 3 == 0:
                time.sleep(0.001)
            sub.cancel()
            n = len(rec.events)
            time.sleep(0 if i % 10 else 0.005)
            assert len(rec.events) == n  # nothing after cancel() returned
    finally:
        stop.set()
        w.join(TIMEOUT)
