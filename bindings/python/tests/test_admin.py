"""Indexes, aggregates, schemas, changes, stats, snapshot (engine features landing later)."""

from __future__ import annotations

import pytest

import kilndb


@pytest.fixture
def scores(db):
    c = db["scores"]
    c.set({"a": {"team": "red", "pts": 3}, "b": {"team": "red", "pts": 5}, "c": {"team": "blue", "pts": 1}})
    return c


@pytest.mark.feature("index")
def test_indexes(scores):
    scores.create_index("team")
    scores.create_index("pts", unique=True)
    fields = str(scores.indexes())
    assert "team" in fields and "pts" in fields
    with pytest.raises(kilndb.ConflictError):
        scores.set({"d": {"team": "x", "pts": 3}})  # unique index
    scores.drop_index("pts")
    assert "pts" not in str(scores.indexes())
    scores.set({"d": {"team": "x", "pts": 3}})


@pytest.mark.feature("aggregate")
def test_aggregate(scores):
    result = scores.aggregate({"total": {"$sum": "pts"}, "n": {"$count": "pts"}}, group_by="team")
    text = str(result)
    assert "red" in text and "8" in text
    result = scores.aggregate({"best": {"$max": "pts"}}, where={"team": "red"})
    assert "5" in str(result)


@pytest.mark.feature("schema")
def test_schema(db):
    c = db["typed"]
    c.set_schema({"type": "object", "properties": {"age": {"type": "integer"}}, "required": ["age"],
                  "additionalProperties": False})
    c.set({"ok": {"age": 3}})
    with pytest.raises(kilndb.InvalidArgumentError, match="Schema"):
        c.set({"bad": {"age": "three"}})
    assert c.get("bad") is None
    with pytest.raises(kilndb.InvalidArgumentError, match="Schema"):
        c.set_schema({"type": "no-such-type"})


@pytest.mark.feature("changes")
def test_changes(db):
    c = db["feed"]
    c.set({"a": {"x": 1}})
    c.update({"a": {"x": 2}})
    changes = db.changes(0)
    assert len(changes) >= 2
    last = changes[-1]
    assert last["collection"] == "feed" and last["key"] == "a" and last["new_v"] == 2
    assert db.changes(last["lsn"]) == []


@pytest.mark.feature("stats")
def test_stats(db, scores):
    stats = db.stats()
    assert isinstance(stats, dict) and stats


@pytest.mark.feature("snapshot")
def test_snapshot(db_path):
    with kilndb.open(db_path, mode="sync") as db:
        db["c"].set({"k": {"v": 1}})
        db.snapshot()
        db["c"].set({"k2": {"v": 2}})
    with kilndb.open(db_path, mode="sync") as db:
        assert db["c"].get("k")["v"] == 1 and db["c"].get("k2")["v"] == 2
