"""Property tests: set / update / delete against a pure-Python model of the
write rules in QUERY.md (sections set, update, delete).

The model keeps, per key, the user fields and `_v`. It checks `createdAt`
immutability separately (the engine's clock is not modelled) and that a
request failing with a conflict changes nothing at all.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import kilndb
from conftest import strip_meta

KEYS = [f"k{i}" for i in range(5)]
FIELDS = ["a", "b", "c"]

leaf = st.none() | st.booleans() | st.integers(-5, 5) | st.text(alphabet="xyz", max_size=3)
value = st.recursive(leaf, lambda ch: st.lists(ch, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), ch, max_size=2),
                     max_leaves=6)
body = st.dictionaries(st.sampled_from(FIELDS), value, max_size=3)
version = st.none() | st.integers(1, 6)


class ConflictInModel(Exception):
    pass


class Model:
    """key -> {"_v": int, **fields}"""

    def __init__(self) -> None:
        self.docs: Dict[str, Dict[str, Any]] = {}

    def set(self, data: Dict[str, Dict[str, Any]]) -> int:
        new = copy.deepcopy(self.docs)
        for key, doc in data.items():
            incoming_v = doc.get("_v")
            fields = {k: v for k, v in doc.items() if k not in ("_v", "createdAt", "modifiedAt")}
            old = new.get(key)
            if old is None:
                v = incoming_v if incoming_v is not None else 1
            else:
                if incoming_v is not None and incoming_v <= old["_v"]:
                    raise ConflictInModel(key)
                v = old["_v"] + 1
            new[key] = dict(fields, _v=v)
        self.docs = new
        return len(data)

    def update(self, data: Dict[str, Dict[str, Any]]) -> int:
        new = copy.deepcopy(self.docs)
        updated = 0
        for key, patch in data.items():
            old = new.get(key)
            if old is None:
                continue
            if "_v" in patch and patch["_v"] != old["_v"]:
                raise ConflictInModel(key)
            merged = dict(old)
            for k, v in patch.items():
                if k in ("_v", "createdAt", "modifiedAt", "$unset"):
                    continue
                merged[k] = v
            for path in patch.get("$unset", []):
                merged.pop(path, None)
            merged["_v"] = old["_v"] + 1
            new[key] = merged
            updated += 1
        self.docs = new
        return updated

    def delete(self, keys: List[str]) -> int:
        deleted = 0
        for key in dict.fromkeys(keys):
            if self.docs.pop(key, None) is not None:
                deleted += 1
        return deleted


class WriteRules(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.db = kilndb.open()
        self.coll = self.db["m"]
        self.model = Model()
        self.created: Dict[str, str] = {}

    def teardown(self) -> None:
        self.db.close()

    def _expect(self, model_call, engine_call) -> Optional[int]:
        try:
            expected = model_call()
        except ConflictInModel:
            before = copy.deepcopy(self.model.docs)
            try:
                engine_call()
            except kilndb.ConflictError:
                assert self.model.docs == before
                return None
            raise AssertionError("the engine accepted a write the rules refuse")
        assert engine_call() == expected
        return expected

    @rule(items=st.dictionaries(st.sampled_from(KEYS), st.tuples(body, version), min_size=1, max_size=3))
    def set(self, items) -> None:
        data = {k: (dict(b, _v=v) if v is not None else b) for k, (b, v) in items.items()}
        self._expect(lambda: self.model.set(data), lambda: self.coll.set(data))

    @rule(key=st.sampled_from(KEYS), doc=body)
    def put(self, key, doc) -> None:
        if self._expect(lambda: self.model.set({key: doc}), lambda: self.coll.put(key, doc) and 1) is not None:
            assert self.coll.get(key)["_v"] == self.model.docs[key]["_v"]

    @rule(items=st.dictionaries(st.sampled_from(KEYS), st.tuples(body, st.booleans(), st.integers(-1, 1),
                                                                  st.lists(st.sampled_from(FIELDS), max_size=2)),
                                min_size=1, max_size=3))
    def update(self, items) -> None:
        data = {}
        for key, (patch, guard, off, unset) in items.items():
            patch = dict(patch)
            if guard and key in self.model.docs:
                patch["_v"] = self.model.docs[key]["_v"] + off
            unset = [f for f in unset if f not in patch]  # set-and-unset of one field: order unspecified
            if unset:
                patch["$unset"] = unset
            data[key] = patch
        self._expect(lambda: self.model.update(data), lambda: self.coll.update(data))

    @rule(keys=st.lists(st.sampled_from(KEYS), min_size=1, max_size=4))
    def delete(self, keys) -> None:
        assert self.coll.delete(keys) == self.model.delete(keys)
        for k in keys:
            self.created.pop(k, None)

    @invariant()
    def engine_matches_model(self) -> None:
        for key in KEYS:
            got = self.coll.get(key)
            want = self.model.docs.get(key)
            if want is None:
                assert got is None, key
                continue
            assert got is not None, key
            assert got["_v"] == want["_v"], key
            assert strip_meta(got) == strip_meta(want), key
            if key in self.created:
                assert got["createdAt"] == self.created[key], key
            else:
                self.created[key] = got["createdAt"]
        stored = sorted(d["_key"] for d in self.coll.find())
        assert stored == sorted(self.model.docs)


TestWriteRules = WriteRules.TestCase
TestWriteRules.settings = settings(max_examples=60, stateful_step_count=25, deadline=None,
                                  suppress_health_check=[HealthCheck.too_slow])
