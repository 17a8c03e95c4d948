"""db.batch(): atomic commit at the end of the block, nothing on exception."""

from __future__ import annotations

import pytest

import kilndb
from conftest import strip_meta


def test_batch_commits_on_exit(db):
    users, orders = db["users"], db["orders"]
    users.set({"u2": {"n": 0}, "u3": {"n": 0}})
    with db.batch() as b:
        b["users"].set({"u1": {"name": "Ada"}})
        b.collection("orders").set({"o1": {"user": "u1"}})
        b["users"].update({"u2": {"n": 1}})
        b["users"].delete("u3")
        assert len(b) == 4
        assert users.get("u1") is None  # nothing is sent before the end of the block
    assert b.result is not None
    assert strip_meta(users.get("u1")) == {"name": "Ada"}
    assert orders.get("o1")["user"] == "u1"
    assert users.get("u2")["n"] == 1
    assert users.get("u3") is None


def test_batch_discarded_on_exception(db):
    users = db["users"]
    with pytest.raises(KeyError):
        with db.batch() as b:
            b["users"].set({"u1": {"name": "Ada"}})
            raise KeyError("boom")
    assert users.get("u1") is None
    with pytest.raises(RuntimeError):
        b.commit()


def test_batch_is_all_or_nothing_on_conflict(db):
    users = db["users"]
    users.set({"u1": {"n": 1}})
    with pytest.raises(kilndb.ConflictError):
        with db.batch() as b:
            b["users"].set({"u2": {"n": 2}})
            b["users"].update({"u1": {"_v": 7, "n": 9}})  # stale guard
    assert users.get("u2") is None
    assert users.get("u1")["n"] == 1


def test_batch_occ_transaction(db):
    acct = db["acct"]
    acct.set({"a": {"bal": 10}, "b": {"bal": 0}})
    a, bdoc = acct.get("a"), acct.get("b")
    with db.batch() as b:
        b["acct"].update({"a": {"_v": a["_v"], "bal": a["bal"] - 5}})
        b["acct"].update({"b": {"_v": bdoc["_v"], "bal": bdoc["bal"] + 5}})
    assert acct.get("a")["bal"] == 5 and acct.get("b")["bal"] == 5


def test_empty_batch_and_explicit_commit(db):
    with db.batch() as b:
        pass
    assert b.result is None
    b2 = db.batch()
    b2.add({"op": "set", "collection": "c", "data": {"k": {"x": 1}}})
    b2["c"].insert([{"y": 2}])
    b2["c"].drop()
    b2.discard()
    assert db["c"].get("k") is None
    b3 = db.batch()
    b3["c"].set({"k": {"x": 1}})
    b3.commit()
    assert db["c"].get("k")["x"] == 1
    with pytest.raises(RuntimeError):
        b3.add({"op": "set", "collection": "c", "data": {"j": {}}})


def test_batch_on_closed_db(db):
    b = db.batch()
    b["c"].set({"k": {}})
    db.close()
    with pytest.raises(kilndb.ClosedError):
        b.commit()


@pytest.mark.feature("delete_where")
def test_batch_delete_where(db):
    db["c"].set({"a": {"n": 1}, "b": {"n": 2}})
    with db.batch() as b:
        b["c"].delete_where({"n": 1})
    assert db["c"].get("a") is None and db["c"].get("b") is not None
