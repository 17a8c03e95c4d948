"""find / count / delete_where: the query language (waits on the engine's query feature)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.feature("query")

PEOPLE = {
    "p1": {"name": "Ada", "age": 36, "city": "London", "tags": ["math"]},
    "p2": {"name": "Bob", "age": 52, "city": "Paris", "tags": []},
    "p3": {"name": "Cy", "age": 61, "city": "paris", "tags": ["art", "math"]},
    "p4": {"name": "Di", "age": 19, "city": "Rome"},
}


@pytest.fixture
def people(db):
    c = db["people"]
    c.set(PEOPLE)
    return c


def keys(docs):
    return [d["_key"] for d in docs]


def test_find_where(people):
    assert sorted(keys(people.find({"age": {"$gt": 50}}))) == ["p2", "p3"]
    assert sorted(keys(people.find(where={"city": "PARIS"}))) == ["p2", "p3"]  # case-insensitive
    assert keys(people.find({"tags": {"$contains": "art"}})) == ["p3"]
    assert sorted(keys(people.find({"$or": [{"name": "Ada"}, {"age": {"$lt": 20}}]}))) == ["p1", "p4"]


def test_find_none_is_empty_list(people):
    assert people.find({"age": {"$gt": 500}}) == []
    assert people.find_one({"age": {"$gt": 500}}) is None


def test_sort_count_offset(people):
    docs = people.find(sort=[{"field": "age", "order": "desc"}], count=2)
    assert keys(docs) == ["p3", "p2"]
    assert keys(people.find(sort=["age"], offset=1, count=2)) == ["p1", "p2"]
    assert people.find(sort=["age"], offset=10) == []
    assert people.find_one(sort=["age"])["_key"] == "p4"


def test_fields_and_excluded_fields(people):
    doc = people.find({"name": "Ada"}, fields=["name"])[0]
    assert set(doc) == {"_key", "_v", "name"}
    doc = people.find({"name": "Ada"}, excluded_fields=["tags", "createdAt", "modifiedAt"])[0]
    assert set(doc) == {"_key", "_v", "name", "age", "city"}
    import kilndb

    with pytest.raises(kilndb.InvalidArgumentError):
        people.find(fields=["name"], excluded_fields=["age"])


def test_invalid_operator(people):
    import kilndb

    with pytest.raises(kilndb.InvalidArgumentError, match="Unknown operator"):
        people.find({"age": {"$bogus": 1}})


def test_count(people):
    assert people.count() == 4
    assert people.count({"age": {"$gte": 36}}) == 3
    assert people.count({"age": 1000}) == 0


@pytest.mark.feature("joins")
def test_joins(db, people):
    db["cities"].set({"c1": {"name": "London", "country": "UK"}})
    people.update({"p1": {"city_id": "c1"}})
    docs = people.find({"name": "Ada"}, joins=[{"home": {"from": "cities", "on": "city_id", "fields": ["country"]}}])
    assert docs[0]["home"]["country"] == "UK"


@pytest.mark.feature("delete_where")
def test_delete_where(people):
    assert people.delete_where({"city": "paris"}) == 2
    assert sorted(keys(people.find())) == ["p1", "p4"]
    assert people.delete_where({"city": "nowhere"}) == 0
