"""Opening, closing, and the write/read methods of the first engine version."""

from __future__ import annotations

import re

import pytest

import kilndb
from conftest import strip_meta

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def test_open_memory_and_close():
    db = kilndb.open()
    assert isinstance(db, kilndb.Database)
    assert not db.closed
    assert "memory" in repr(db) and "open" in repr(db)
    db.close()
    assert db.closed
    assert "closed" in repr(db)
    db.close()  # idempotent


def test_open_explicit_memory_mode_and_options():
    with kilndb.open(mode="memory", max_depth=32, max_keys=1000, max_request_bytes=10 << 20) as db:
        assert db.collection("c").put("k", {"a": 1}) == 1


def test_context_manager_closes_even_on_error():
    with pytest.raises(RuntimeError):
        with kilndb.open() as db:
            raise RuntimeError("boom")
    assert db.closed
    with pytest.raises(kilndb.ClosedError):
        db.collection("c").get("k")


def test_collection_access(db):
    users = db.collection("users")
    assert db["users"].name == "users" and isinstance(db["users"], kilndb.Collection)
    assert users.name == "users"
    assert users.database is db
    assert repr(users) == "<kilndb.Collection 'users'>"


def test_set_and_get(users):
    assert users.set({"u1": {"name": "Ada", "age": 36}, "u2": {"name": "Bob"}}) == 2
    doc = users.get("u1")
    assert strip_meta(doc) == {"name": "Ada", "age": 36}
    assert doc["_v"] == 1
    assert ISO_UTC.match(doc["createdAt"]) and doc["createdAt"] == doc["modifiedAt"]
    assert "_key" not in doc
    assert users.get("nope") is None
    assert "u1" in users and "nope" not in users and 5 not in users


def test_set_replaces_whole_and_bumps_version(users):
    users.set({"u1": {"name": "Ada", "age": 36}})
    created = users.get("u1")["createdAt"]
    users.set({"u1": {"name": "Ada L."}})
    doc = users.get("u1")
    assert strip_meta(doc) == {"name": "Ada L."}
    assert doc["_v"] == 2
    assert doc["createdAt"] == created


def test_put_fast_path(users):
    assert users.put("p1", {"x": 1}) == 1
    assert users.put("p1", {"x": 2}) == 2
    assert strip_meta(users.get("p1")) == {"x": 2}
    assert users.put("n1", 5) == 0  # non-objects are stored without metadata
    assert users.get("n1") == 5


def test_non_object_documents(users):
    users.set({"a": [1, 2, 3], "b": "text", "c": None, "d": 2.5, "e": True})
    assert users.get("a") == [1, 2, 3]
    assert users.get("b") == "text"
    assert users.get("d") == 2.5
    assert users.get("e") is True


def test_values_round_trip(users):
    doc = {
        "s": "héllo \"wörld\"\n\t\\ \u2603 \U0001F600 \x01",
        "i": -(2**63),
        "u": 2**64 - 1,
        "f": 0.1,
        "big_f": 1e300,
        "one": 1.0,
        "neg": -0.5,
        "t": True,
        "n": None,
        "l": [1, "two", [3.5], {"four": 4}],
        "nested": {"a": {"b": {"c": []}}},
        "empty": {},
        "tuple": (1, 2),
    }
    users.put("v", doc)
    got = strip_meta(users.get("v"))
    expected = dict(doc, tuple=[1, 2])
    assert got == expected
    assert isinstance(got["one"], float)
    assert isinstance(got["i"], int)


def test_insert_generates_uuid7_keys(users):
    keys = users.insert([{"name": "Bob", "age": 41}, {"name": "Cy"}])
    assert len(keys) == 2 and len(set(keys)) == 2
    uuid7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    assert all(uuid7.match(k) for k in keys), keys
    assert strip_meta(users.get(keys[0])) == {"name": "Bob", "age": 41}
    assert len(users.insert(iter([{"g": 1}]))) == 1


def test_get_many(users):
    users.set({"a": {"n": 1}, "b": {"n": 2}, "c": {"n": 3}})
    docs = users.get_many(["a", "c", "missing"])
    assert sorted(d["_key"] for d in docs) == ["a", "c"]
    assert users.get_many(["missing"]) == []
    assert users.get_many([]) == []


def test_update(users):
    users.set({"u1": {"name": "Ada", "age": 36, "tags": {"x": 1}}})
    created = users.get("u1")["createdAt"]
    assert users.update({"u1": {"age": 37, "tags": {"y": 2}}, "missing": {"age": 1}}) == 1
    doc = users.get("u1")
    assert strip_meta(doc) == {"name": "Ada", "age": 37, "tags": {"y": 2}}
    assert doc["_v"] == 2 and doc["createdAt"] == created
    assert users.get("missing") is None


def test_update_with_version_guard(users):
    users.set({"u1": {"n": 1}})
    assert users.update({"u1": {"_v": 1, "n": 2}}) == 1
    with pytest.raises(kilndb.ConflictError):
        users.update({"u1": {"_v": 1, "n": 3}})
    assert users.get("u1")["n"] == 2


def test_update_unset(users):
    users.set({"u1": {"a": 1, "b": {"c": 2, "d": 3}}})
    users.update({"u1": {"$unset": ["a", "b.c"]}})
    assert strip_meta(users.get("u1")) == {"b": {"d": 3}}


def test_delete(users):
    users.set({"a": {}, "b": {}, "c": {}})
    assert users.delete("a") == 1
    assert users.delete("a") == 0
    assert users.delete(["b", "c", "zz"]) == 2
    assert users.get("b") is None


def test_drop(db):
    c = db.collection("tmp")
    c.set({"a": {"x": 1}})
    c.drop()
    assert c.get("a") is None


def test_execute_raw(db):
    r = db.execute({"op": "set", "collection": "users", "data": {"u1": {"name": "Ada"}}})
    assert r == {"status": "ok", "count": 1}
    doc = db.execute({"op": "get", "collection": "users", "keys": "u1"})
    assert doc["name"] == "Ada"
    docs = db.execute({"op": "get", "collection": "users", "keys": ["u1"]})
    assert isinstance(docs, list) and docs[0]["_key"] == "u1"
    with pytest.raises(kilndb.NotFoundError):
        db.execute({"op": "get", "collection": "users", "keys": "zz"})
    assert db.execute({"op": "get", "collection": "users", "keys": "zz"}, missing_ok=True) is None


def test_execute_json(db):
    out = db.execute_json('{"op":"set","collection":"c","data":{"k":{"a":1}}}')
    assert kilndb._native.loads(out) == {"status": "ok", "count": 1}
    out = db.execute_json(b'{"op":"get","collection":"c","keys":"k"}')
    assert '"a":1' in out


def test_full_collection_get(users):
    assert users.find() == []
    users.set({"a": {"n": 1}, "b": {"n": 2}})
    docs = users.find()
    assert sorted(d["_key"] for d in docs) == ["a", "b"]


def test_default_collection(db):
    db.execute({"op": "set", "data": {"k": {"a": 1}}})
    assert db.collection("default").get("k")["a"] == 1


def test_version():
    assert re.match(r"^\d+\.\d+\.\d+", kilndb.__version__)
    assert kilndb.engine_version() == kilndb.__version__
    assert kilndb._native.library_version() == kilndb._native.HEADER_VERSION


def test_unreferenced_database_is_closed_by_gc():
    import gc
    import weakref

    db = kilndb.open()
    users = db["users"]
    users.put("k", {"a": 1})
    ref = weakref.ref(db)
    del db
    assert ref() is not None  # the collection keeps its database alive
    del users
    gc.collect()
    assert ref() is None


def test_get_takes_the_key_by_position_or_keyword_only(users):
    users.put("a", {"n": 1})
    assert users.get("a")["n"] == 1
    assert users.get(key="a")["n"] == 1
    assert users.get(key="missing") is None
    with pytest.raises(TypeError):
        users.get()
    with pytest.raises(TypeError):
        users.get("a", "b")
    with pytest.raises(TypeError):
        users.get(name="a")
    with pytest.raises(TypeError):
        users.get(1)
    with pytest.raises(TypeError):
        kilndb.Collection.get(object(), "a")
