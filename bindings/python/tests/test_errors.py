"""Every error class: hierarchy, codes, and how each is raised."""

from __future__ import annotations

import os

import pytest

import kilndb
from kilndb import _native

ALL = {
    kilndb.NotFoundError: "KILN_NOT_FOUND",
    kilndb.InvalidArgumentError: "KILN_INVALID_ARGUMENT",
    kilndb.ConflictError: "KILN_CONFLICT",
    kilndb.LockedError: "KILN_LOCKED",
    kilndb.ClosedError: "KILN_CLOSED",
    kilndb.ReadOnlyError: "KILN_READ_ONLY",
    kilndb.StorageError: "KILN_IO_ERROR",
    kilndb.CorruptionError: "KILN_CORRUPTION",
    kilndb.InternalError: "KILN_INTERNAL",
}


@pytest.mark.parametrize("cls,code", list(ALL.items()))
def test_hierarchy_and_default_codes(cls, code):
    assert issubclass(cls, kilndb.KilnError)
    err = cls("something")
    assert err.code == code
    assert err.message == "something"
    assert _native.status_name(err.status) == code
    assert str(err) == f"something [{code}]"


def test_invalid_argument_is_value_error():
    assert issubclass(kilndb.InvalidArgumentError, ValueError)
    assert not issubclass(kilndb.NotFoundError, ValueError)


def test_status_mapping_covers_every_status():
    s = _native.status
    from kilndb._errors import ERROR_CLASSES

    for name in ("NOT_FOUND", "INVALID_ARGUMENT", "CONFLICT", "LOCKED", "CLOSED", "READ_ONLY", "IO_ERROR",
                 "CORRUPTION", "NO_SPACE", "INTERNAL", "NO_MEMORY"):
        assert getattr(s, name) in ERROR_CLASSES, name
    assert ERROR_CLASSES[s.NO_SPACE] is kilndb.StorageError
    assert kilndb.StorageError("x", "KILN_NO_SPACE", s.NO_SPACE).code == "KILN_NO_SPACE"


def test_not_found(db):
    with pytest.raises(kilndb.NotFoundError) as e:
        db.execute({"op": "get", "collection": "c", "keys": "missing"})
    assert e.value.code == "KILN_NOT_FOUND"
    assert e.value.status == 1
    assert "No documents found" in e.value.message


def test_invalid_argument_from_engine(db):
    with pytest.raises(kilndb.InvalidArgumentError) as e:
        db.collection("bad name!").put("k", {"a": 1})
    assert e.value.code == "KILN_INVALID_ARGUMENT"
    with pytest.raises(ValueError):
        db.execute({"op": "set", "collection": "c", "data": {"k": {}}, "bogus": 1})
    with pytest.raises(kilndb.InvalidArgumentError, match="Unknown property"):
        db.execute({"op": "get", "collection": "c", "nope": 1})
    with pytest.raises(kilndb.InvalidArgumentError):
        db.execute({"op": "set", "collection": "c", "data": 5})
    with pytest.raises(kilndb.InvalidArgumentError):
        db.collection("c").put("bad key!", {})


def test_invalid_argument_depth_limit(db):
    deep: dict = {}
    cur = deep
    for _ in range(40):
        cur["x"] = {}
        cur = cur["x"]
    with pytest.raises(kilndb.InvalidArgumentError, match="(?i)deep"):
        db.collection("c").set({"k": deep})
    assert db.collection("c").get("k") is None


def test_invalid_open_options():
    with pytest.raises(kilndb.InvalidArgumentError):
        kilndb.open(no_such_option=1)
    with pytest.raises(kilndb.InvalidArgumentError):
        kilndb.open(mode="warp")
    with pytest.raises(kilndb.InvalidArgumentError):
        kilndb.open("x\0y")


def test_conflict(users):
    users.set({"u1": {"n": 1}})
    users.set({"u1": {"n": 2}})  # _v 2
    with pytest.raises(kilndb.ConflictError) as e:
        users.set({"u1": {"_v": 2, "n": 3}, "u2": {"n": 1}})
    assert e.value.code == "KILN_CONFLICT"
    assert "outdated" in e.value.message
    assert users.get("u1")["n"] == 2
    assert users.get("u2") is None  # the whole request was refused


def test_closed(db):
    c = db.collection("c")
    c.put("k", {"a": 1})
    db.close()
    for call in (
        lambda: c.get("k"),
        lambda: c.put("k", {}),
        lambda: c.set({"k": {}}),
        lambda: c.find(),
        lambda: c.delete("k"),
        lambda: db.execute({"op": "get", "collection": "c"}),
        lambda: db.execute_json("{}"),
        lambda: db.collection("other").get("x"),
    ):
        with pytest.raises(kilndb.ClosedError) as e:
            call()
        assert e.value.code == "KILN_CLOSED"


def test_conversion_errors(users):
    with pytest.raises(TypeError):
        users.put("k", {1: "int key"})
    with pytest.raises(TypeError):
        users.put("k", {"a": object()})
    with pytest.raises(TypeError):
        users.put("k", {"a": {1, 2}})
    with pytest.raises(ValueError):
        users.put("k", {"a": float("nan")})
    with pytest.raises(ValueError):
        users.put("k", {"a": float("inf")})
    with pytest.raises(TypeError):
        users.get(5)  # type: ignore[arg-type]
    loop: list = []
    loop.append(loop)
    with pytest.raises(RecursionError):
        users.put("k", loop)
    assert users.get("k") is None


@pytest.mark.feature("durability")
def test_locked(db_path):
    with kilndb.open(db_path, mode="sync"):
        with pytest.raises(kilndb.LockedError) as e:
            kilndb.open(db_path, mode="sync")
        assert e.value.code == "KILN_LOCKED"


@pytest.mark.feature("durability")
def test_storage_error_when_path_is_a_file(tmp_path):
    path = tmp_path / "file"
    path.write_text("not a directory")
    with pytest.raises(kilndb.StorageError):
        kilndb.open(str(path), mode="sync")


@pytest.mark.feature("durability")
def test_corruption(db_path):
    with kilndb.open(db_path, mode="sync") as db:
        c = db.collection("c")
        for i in range(50):
            c.put(f"k{i}", {"i": i, "pad": "x" * 100})
    wal_files = [os.path.join(d, f) for d, _, fs in os.walk(db_path) for f in fs
                 if "wal" in d and os.path.getsize(os.path.join(d, f)) > 1000]
    assert wal_files, os.listdir(db_path)
    # Damage a record in the middle of the log: replay must report it, not skip it.
    with open(wal_files[0], "r+b") as f:
        size = os.path.getsize(wal_files[0])
        f.seek(size // 3)
        chunk = f.read(16)
        f.seek(size // 3)
        f.write(bytes(b ^ 0xFF for b in chunk))
    with pytest.raises(kilndb.CorruptionError) as e:
        kilndb.open(db_path, mode="sync")
    assert e.value.code == "KILN_CORRUPTION"


def test_failed_open_leaves_a_safe_closed_object():
    try:
        kilndb.Database(None, {"no_such_option": 1})
    except kilndb.InvalidArgumentError as e:
        tb = e.__traceback__
    half_made = None
    while tb is not None:  # a traceback still reaches the object whose __init__ failed
        obj = tb.tb_frame.f_locals.get("self")
        if isinstance(obj, kilndb.Database):
            half_made = obj
        tb = tb.tb_next
    assert half_made is not None
    assert half_made.closed and "closed" in repr(half_made)
    with pytest.raises(kilndb.ClosedError):
        half_made.execute({"op": "get", "collection": "c"})
    with pytest.raises(kilndb.ClosedError):
        half_made.collection("c")
    half_made.close()


def test_unopened_native_objects_raise_instead_of_crashing():
    db = _native.Database()
    assert db.closed
    with pytest.raises(kilndb.ClosedError):
        db.execute({"op": "get", "collection": "c"})
    with pytest.raises(kilndb.ClosedError):
        db.execute_json("{}")
    coll = _native.Collection()
    with pytest.raises(kilndb.ClosedError):
        coll.get("k")
    with pytest.raises(kilndb.ClosedError):
        coll.put("k", {})
    with pytest.raises(TypeError):
        kilndb.Collection(kilndb.open(), 5)  # type: ignore[arg-type]


def test_get_on_something_that_is_not_a_collection_raises_type_error():
    get = _native.Collection.get
    with pytest.raises(TypeError, match="Collection"):
        get(object(), "k")
    with pytest.raises(TypeError, match="Collection"):
        get(_native.Database(), "k")
    # __new__ without __init__: no C++ object behind it yet.
    with pytest.raises(TypeError, match="initialized"):
        get(_native.Collection.__new__(_native.Collection), "k")
    with pytest.raises(TypeError, match="initialized"):
        get(kilndb.Collection.__new__(kilndb.Collection), "k")
