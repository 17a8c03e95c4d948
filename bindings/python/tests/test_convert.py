"""The C++ converters (Python object <-> JSON) against the stdlib json module."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kilndb import _native
from conftest import json_scalars as scalars, json_values as values



@settings(max_examples=300, deadline=None)
@given(values)
def test_dumps_is_valid_json_equal_to_stdlib(value):
    text = _native.dumps(value)
    assert json.loads(text) == value


@settings(max_examples=300, deadline=None)
@given(values)
def test_loads_matches_stdlib(value):
    text = json.dumps(value, ensure_ascii=False)
    assert _native.loads(text) == value
    assert _native.loads(json.dumps(value)) == value  # \u escapes too


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_round_trip_exactly(x):
    back = _native.loads(_native.dumps(x))
    assert isinstance(back, float)
    assert back == x and math.copysign(1, back) == math.copysign(1, x)


SHORT_DECIMALS = [57.123, -57.123, 0.001, -0.001, 0.005, 0.05, 0.5, 1.0, -1.0, 100.0, 2.675, 0.3, 19.99, -0.07,
                  123456.789, 999999999999.999, 100000000000.5, 1e12 - 1, 1e12, 1e12 + 0.5, 1e15, 9007199254740993.0]
NOT_SHORT = [0.1 + 0.2, 1 / 3, 0.0001, 1e-7, 5e-324, 2.5e-3 / 7, 1e300, -0.0, 0.0]


@pytest.mark.parametrize("x", SHORT_DECIMALS + NOT_SHORT)
def test_floats_with_few_decimals_are_exact_and_stay_floats(x):
    # Up to 3 decimals take an integer path in the writer; others the
    # shortest-digits one. Both must read back as the very same double.
    text = _native.dumps(x)
    back = json.loads(text)
    assert isinstance(back, float) and back == x and math.copysign(1, back) == math.copysign(1, x), text
    if x in SHORT_DECIMALS and abs(x) < 1e12:
        assert text == repr(x), text  # the same short text Python itself prints


@settings(max_examples=300, deadline=None)
@given(st.integers(-(10**15), 10**15), st.integers(0, 4))
def test_rounded_floats_round_trip_exactly(n, places):
    x = n / 10**places
    back = _native.loads(_native.dumps(x))
    assert isinstance(back, float) and back == x


def test_types_and_escapes():
    assert _native.dumps({"a": [1, 2.0, True, False, None, "x"]}) == '{"a":[1,2.0,true,false,null,"x"]}'
    assert _native.dumps("\"\\\n\r\t\b\f\x00\x1f") == '"\\"\\\\\\n\\r\\t\\b\\f\\u0000\\u001f"'
    assert _native.dumps("\u2603") == '"\u2603"'
    assert _native.dumps((1, (2,))) == "[1,[2]]"
    assert _native.dumps(2**100) == str(2**100)
    assert _native.loads(str(2**100)) == 2**100  # beyond 64 bits: slow path, still exact
    assert _native.loads(b'{"k": [1, {"z": null}]}') == {"k": [1, {"z": None}]}


def test_escapes_at_every_position_of_short_and_long_strings():
    # The writer checks whole words: a byte to escape must be found wherever
    # it sits (first, middle or last word, overlapping tails, short names).
    for length in range(0, 41):
        for pos in range(length):
            for special in ('"', "\\", "\n", "\x01", "\x1f"):
                s = "a" * pos + special + "é" * ((length - pos - 1) // 2) + "b" * ((length - pos - 1) % 2)
                assert _native.dumps(s) == json.dumps(s, ensure_ascii=False)
                assert _native.dumps({s: s}) == json.dumps({s: s}, ensure_ascii=False, separators=(",", ":"))
        clean = "x" * length
        assert _native.dumps(clean) == f'"{clean}"'


def test_subclasses_are_accepted():
    import collections
    import enum

    class Color(enum.IntEnum):
        RED = 1

    od = collections.OrderedDict([("b", 1), ("a", 2)])
    assert _native.dumps(od) == '{"b":1,"a":2}'
    assert _native.dumps(Color.RED) == "1"


def test_key_order_preserved():
    d = {"z": 1, "a": 2, "m": 3}
    assert list(_native.loads(_native.dumps(d))) == ["z", "a", "m"]


def test_many_distinct_keys_survive_the_key_cache():
    docs = [{f"key{i}_{j}": j for j in range(5)} for i in range(600)]
    text = _native.dumps(docs)
    assert _native.loads(text) == docs
    assert _native.loads(text) == docs


def test_rejects():
    with pytest.raises(TypeError):
        _native.dumps({("t",): 1})
    with pytest.raises(TypeError):
        _native.dumps(b"bytes")
    with pytest.raises(ValueError):
        _native.dumps(float("-inf"))
    with pytest.raises(UnicodeEncodeError):
        _native.dumps("\ud800")
    with pytest.raises(ValueError):
        _native.loads("{not json")


doc_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(alphabet="abcdefgh_", min_size=1, max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(alphabet="abcxyz", min_size=1, max_size=6), doc_values, max_size=6))
def test_documents_round_trip_through_the_engine(doc):
    import kilndb

    doc = {k: v for k, v in doc.items() if k not in ("_v", "createdAt", "modifiedAt")}
    with kilndb.open() as db:
        c = db["rt"]
        c.put("k", doc)
        got = c.get("k")
        assert {k: v for k, v in got.items() if k not in ("_v", "createdAt", "modifiedAt")} == doc
        assert _types(got, doc)


def _types(got, want) -> bool:
    """Same value and same JSON type everywhere (1.0 stays a float, 1 an int)."""
    if isinstance(want, dict):
        return all(_types(got[k], w) for k, w in want.items())
    if isinstance(want, list):
        return len(got) == len(want) and all(_types(g, w) for g, w in zip(got, want))
    return type(got) is type(want) and got == want


def test_conversion_reentered_from_a_gc_callback_keeps_both_results(db):
    # The reader reuses one parser state per thread; a get() run by the
    # garbage collector while another get() is still building its objects
    # must get a state of its own, not overwrite the outer one.
    import gc

    coll = db["reentry"]
    outer = {"items": [{"n": i, "s": f"value {i}", "t": [i, i + 1]} for i in range(300)]}
    inner = {"name": "inner", "xs": list(range(50))}
    coll.put("outer", outer)
    coll.put("inner", inner)
    seen = []

    def on_gc(phase, info):
        if phase == "start" and len(seen) < 3:
            seen.append(coll.get("inner"))

    old = gc.get_threshold()
    gc.callbacks.append(on_gc)
    gc.set_threshold(1)
    try:
        got = coll.get("outer")
    finally:
        gc.set_threshold(*old)
        gc.callbacks.remove(on_gc)
    assert seen, "no collection ran while the document was built"
    assert got["items"] == outer["items"]
    for doc in seen:
        assert doc["name"] == "inner" and doc["xs"] == inner["xs"]
