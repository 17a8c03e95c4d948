"""Data survives close + reopen in sync and async mode (waits on durability)."""

from __future__ import annotations

import pathlib

import pytest

import kilndb
from conftest import strip_meta

pytestmark = pytest.mark.feature("durability")


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_reopen(db_path, mode):
    with kilndb.open(db_path, mode=mode) as db:
        users = db["users"]
        users.set({"u1": {"name": "Ada"}})
        keys = users.insert([{"name": "Bob"}])
        users.update({"u1": {"age": 36}})
        users.put("u3", {"name": "Cy"})
        users.delete("u3")
    with kilndb.open(db_path, mode=mode) as db:
        users = db["users"]
        assert strip_meta(users.get("u1")) == {"name": "Ada", "age": 36}
        assert users.get("u1")["_v"] == 2
        assert users.get(keys[0])["name"] == "Bob"
        assert users.get("u3") is None


def test_pathlike_and_default_sync(tmp_path):
    path = pathlib.Path(tmp_path) / "db"
    with kilndb.open(path) as db:
        db["c"].put("k", {"a": 1})
        assert db.path == str(path)
    with kilndb.open(path) as db:
        assert db["c"].get("k")["a"] == 1


def test_reopen_after_close_releases_lock(db_path):
    db = kilndb.open(db_path)
    db.close()
    kilndb.open(db_path).close()


def test_dropping_the_last_reference_closes_and_unlocks(db_path):
    kilndb.open(db_path)["c"].put("k", {"a": 1})  # never closed explicitly
    with kilndb.open(db_path) as db:  # would be LockedError if the first handle were alive
        assert db["c"].get("k")["a"] == 1
