"""Shared fixtures, and the engine features some tests wait on.

Tests that need an engine feature which had not landed when they were
written carry ``@pytest.mark.feature("<name>")``. At session start each
feature is probed on a scratch in-memory database; tests of a feature the
engine does not support yet are skipped with the reason
"waiting on engine feature: <name>", so they switch on by themselves when
the feature lands. Set KILNDB_TEST_ALL_FEATURES=1 to run them regardless.

PENDING_FEATURES lists, per feature, the probe used; `pytest -rs` shows
which tests are waiting on what.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Callable, Dict

import pytest
from hypothesis import settings
from hypothesis import strategies as st

import kilndb

# No example database on disk (.hypothesis/): runs stay reproducible per seed.
settings.register_profile("kilndb", database=None, deadline=None)
settings.load_profile("kilndb")


def _probe_request(request: Dict[str, Any]) -> Callable[[], None]:
    def probe() -> None:
        with kilndb.open() as db:
            db.collection("probe").set({"p1": {"city": "Paris", "age": 60}})
            db.execute(request, True)

    return probe


def _probe_durable() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "db")
        with kilndb.open(path, mode="sync") as db:
            db.collection("probe").put("p1", {"a": 1})
        with kilndb.open(path, mode="sync") as db:
            if db.collection("probe").get("p1") is None:
                raise kilndb.InvalidArgumentError("not durable")


def _probe_snapshot() -> None:
    # A memory database has no files to snapshot: probe on disk.
    with tempfile.TemporaryDirectory() as tmp:
        with kilndb.open(os.path.join(tmp, "db"), mode="sync") as db:
            db.collection("probe").put("p1", {"a": 1})
            db.execute({"op": "snapshot"})


#: feature name -> probe; a probe raising InvalidArgumentError (unknown op or
#: property) or InternalError means "not supported yet".
PENDING_FEATURES: Dict[str, Callable[[], None]] = {
    "query": _probe_request({"op": "get", "collection": "probe", "where": {"age": {"$gt": 50}},
                             "fields": ["city"], "sort": [{"field": "age", "order": "desc"}],
                             "count": 5, "offset": 0}),
    "joins": _probe_request({"op": "get", "collection": "probe",
                             "joins": [{"j": {"from": "probe", "on": "city"}}]}),
    "delete_where": _probe_request({"op": "delete", "collection": "probe", "where": {"age": 1}}),
    "aggregate": _probe_request({"op": "aggregate", "collection": "probe",
                                 "metrics": {"n": {"$count": "_key"}}}),
    "index": _probe_request({"op": "indexes", "collection": "probe"}),
    "schema": _probe_request({"op": "schema", "collection": "probe", "schema": {"type": "object"}}),
    "changes": _probe_request({"op": "changes", "since": 0}),
    "stats": _probe_request({"op": "stats"}),
    "snapshot": _probe_snapshot,
    "durability": _probe_durable,
}

_support: Dict[str, bool] = {}


def feature_supported(name: str) -> bool:
    if name not in _support:
        try:
            PENDING_FEATURES[name]()
            _support[name] = True
        except (kilndb.InvalidArgumentError, kilndb.InternalError, kilndb.StorageError):
            _support[name] = False
    return _support[name]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "feature(name): needs an engine feature that may not have landed yet")


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    if os.environ.get("KILNDB_TEST_ALL_FEATURES") == "1":
        return
    for item in items:
        for mark in item.iter_markers("feature"):
            name = mark.args[0]
            if name not in PENDING_FEATURES:
                raise pytest.UsageError(f"unknown feature {name!r} on {item.nodeid}")
            if not feature_supported(name):
                item.add_marker(pytest.mark.skip(reason=f"waiting on engine feature: {name}"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"kilndb {kilndb.__version__} (engine {kilndb.engine_version()})"


@pytest.fixture
def db():
    with kilndb.open() as database:
        yield database


@pytest.fixture
def users(db):
    return db.collection("users")


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "kiln-db")


def strip_meta(doc: Any) -> Any:
    """The document without the engine's metadata members."""
    if not isinstance(doc, dict):
        return doc
    return {k: v for k, v in doc.items() if k not in ("_v", "createdAt", "modifiedAt", "_key")}


#: Every kind of JSON value a document can hold: 64-bit integers (signed and
#: unsigned), finite floats, any text; and nested lists and objects of them.
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)
