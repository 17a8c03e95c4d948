"""Collection.get builds documents from the binary encoding (kiln_get_encoded).

Every value must come back exactly as through the JSON path (the engine's
JSON writer + the binding's JSON reader), which ``json_path`` below takes.
"""

from __future__ import annotations

import json
import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kilndb
from kilndb import _native
from conftest import json_values as values


def json_path(db: kilndb.Database, collection: str, key: str):
    """The document as the JSON path returns it (a get request, ``_key`` removed)."""
    text = db.execute_json(json.dumps({"op": "get", "collection": collection, "keys": key}))
    doc = _native.loads(text)
    if isinstance(doc, dict):
        doc.pop("_key", None)
    return doc


def same(got, want) -> bool:
    """Equal, with the same types everywhere (1.0 stays a float), -0.0 kept, same key order."""
    if isinstance(want, dict):
        return type(got) is dict and list(got) == list(want) and all(same(got[k], want[k]) for k in want)
    if isinstance(want, list):
        return type(got) is list and len(got) == len(want) and all(same(g, w) for g, w in zip(got, want))
    if isinstance(want, float):
        return type(got) is float and got == want and math.copysign(1, got) == math.copysign(1, want)
    return type(got) is type(want) and got == want


def check_round_trip(db, value, key="k"):
    coll = db["enc"]
    coll.set({key: value})
    got = coll.get(key)
    want = json_path(db, "enc", key)
    assert same(got, want), (got, want)
    return got


INTS = [0, 1, -1, 127, 128, -129, 2**31, -(2**31) - 1, 2**53 + 1, 2**63 - 1, -(2**63), 2**63, 2**63 + 1, 2**64 - 1]
FLOATS = [0.0, -0.0, 1.0, -1.5, 0.1, 2.25, 1e300, -1e-300, 5e-324, 1.7976931348623157e308, 123456789.125, 1e21, 1e16]
STRINGS = ["", "a", "plain ascii", "é", "h\u00e9llo", "\u2603", "😀", "\U0010ffff", "\x00\x01\x1f\x7f", '"\\/\n\r\t\b\f',
           "a" * 300, "ü" * 200, "mixed 😀 and ascii", "\ufeffbom", "\u2028\u2029"]


def test_the_decoder_knows_the_engines_encoding_version():
    assert _native.DECODER_ENCODING_VERSION == _native.library_encoding_version() == 1


@pytest.mark.parametrize("value", INTS, ids=str)
def test_integers(db, value):
    got = check_round_trip(db, {"v": value, "list": [value], "neg": -value if value < 2**63 else 0})
    assert got["v"] == value and type(got["v"]) is int


@pytest.mark.parametrize("value", FLOATS, ids=repr)
def test_doubles(db, value):
    got = check_round_trip(db, {"v": value, "list": [value, -value]})
    assert got["v"] == value and math.copysign(1, got["v"]) == math.copysign(1, value)


def test_floats_stay_floats_and_ints_stay_ints(db):
    got = check_round_trip(db, {"f": 1.0, "i": 1, "z": 0.0, "nz": -0.0, "zi": 0})
    assert [type(got[k]) for k in ("f", "i", "z", "nz", "zi")] == [float, int, float, float, int]
    assert math.copysign(1, got["nz"]) == -1


@pytest.mark.parametrize("value", STRINGS, ids=repr)
def test_strings(db, value):
    got = check_round_trip(db, {"s": value, value: "as a key"} if value else {"s": value})
    assert got["s"] == value


def test_a_non_ascii_character_at_every_position_of_short_and_long_strings(db):
    # ASCII strings take a copy path checked a word at a time (with an
    # overlapping last word): one wide character anywhere must be seen.
    coll = db["enc"]
    for n in range(1, 42):
        for i in range(n):
            for wide in ("\x80", "é", "\u2603", "😀"):
                s = "a" * i + wide + "b" * (n - i - 1)
                coll.put("k", {"s": s, "ascii": "c" * n})
                got = coll.get("k")
                assert got["s"] == s and got["ascii"] == "c" * n, (n, i, wide)
                assert _native.loads(json.dumps(s, ensure_ascii=False)) == s


def test_keys_that_differ_in_one_byte_are_told_apart(db):
    # The key cache compares names a word at a time: a difference at any
    # position, in short and long names, must give a distinct key.
    coll = db["enc"]
    for n in range(1, 40):
        doc = {"k" * i + "x" + "k" * (n - i - 1): i for i in range(n)}
        doc["k" * n] = -1
        coll.set({"d": doc})
        assert check_round_trip(db, doc, "d") == coll.get("d")
        assert {k: v for k, v in coll.get("d").items() if not k.startswith(("_", "createdAt", "modifiedAt"))} == doc


def test_equal_stamps_of_a_document_decode_to_the_same_text(db):
    coll = db["enc"]
    coll.set({"t": {"a": 1}})
    first = coll.get("t")
    assert first["createdAt"] == first["modifiedAt"]
    coll.update({"t": {"a": 2}})
    later = coll.get("t")
    assert later["createdAt"] == first["createdAt"] and later["modifiedAt"] >= first["modifiedAt"]


def test_surrogate_rules(db):
    coll = db["enc"]
    # A str with a lone surrogate is not UTF-8: refused before anything is sent.
    with pytest.raises(UnicodeEncodeError):
        coll.put("k", {"s": "\ud800"})
    # A surrogate pair escaped in JSON text is one code point once stored.
    db.execute_json('{"op":"set","collection":"enc","data":{"p":{"s":"\\ud83d\\ude00"}}}')
    assert coll.get("p")["s"] == "😀" == json_path(db, "enc", "p")["s"]
    # A lone escaped surrogate: whatever the engine makes of it, both paths agree.
    try:
        db.execute_json('{"op":"set","collection":"enc","data":{"l":{"s":"\\ud800"}}}')
    except kilndb.InvalidArgumentError:
        assert coll.get("l") is None
    else:
        assert same(coll.get("l"), json_path(db, "enc", "l"))


def test_scalars_null_and_booleans(db):
    check_round_trip(db, {"t": True, "f": False, "n": None, "l": [True, False, None]})


def test_documents_that_are_not_objects(db):
    for i, value in enumerate([5, -7, 2**64 - 1, 2.5, "text", [1, "two", [3.0]], [], True, False]):
        assert same(check_round_trip(db, value, key=f"d{i}"), value)


def test_nested_and_empty_containers(db):
    doc = {"e": {}, "l": [], "ll": [[], [[]], {}], "o": {"a": {"b": {"c": [1, {"d": []}]}}},
           "many": {f"k{i:03d}": i for i in range(300)}, "long": list(range(1000))}
    got = check_round_trip(db, doc)
    assert got["many"]["k299"] == 299 and got["long"][-1] == 999
    assert list(got["many"]) == sorted(got["many"])  # stored keys come back sorted, as with JSON


def test_a_large_object_uses_wide_offsets(db):
    # Over 64 KiB of members: the object is stored with u32 offsets (tag 0x09).
    doc = {f"key{i:05d}": "x" * 100 for i in range(800)}
    got = check_round_trip(db, doc)
    assert len(got) == 800 + 3  # + _v, createdAt, modifiedAt


def _nested(depth: int):
    value: object = "leaf"
    for i in range(depth):
        value = {"o": value} if i % 2 else [value]
    return value


def test_deep_nesting_up_to_the_limit(db):
    # put() parses the document itself: its root is depth 0, so the deepest
    # accepted value sits at depth max_depth (32).
    coll = db["enc"]
    coll.put("deep", {"d": _nested(31)})
    assert same(coll.get("deep"), json_path(db, "enc", "deep"))
    assert coll.get("deep")["d"] == _nested(31)
    with pytest.raises(kilndb.InvalidArgumentError, match="too deep"):
        coll.put("too", {"d": _nested(32)})
    assert coll.get("too") is None


def test_missing_keys_and_collections_are_none(db):
    db["enc"].put("k", {"a": 1})
    assert db["enc"].get("nope") is None
    assert db["other"].get("k") is None
    assert db["enc"].get(key="k")["a"] == 1


def test_bad_keys_raise(db):
    with pytest.raises(kilndb.InvalidArgumentError, match="key"):
        db["enc"].get("bad key")
    with pytest.raises(TypeError):
        db["enc"].get(5)
    with pytest.raises(kilndb.InvalidArgumentError):
        db["admin"].get("k")


def test_closed_database_raises_closed_error():
    db = kilndb.open()
    coll = db["enc"]
    coll.put("k", {"a": 1})
    db.close()
    with pytest.raises(kilndb.ClosedError):
        coll.get("k")


META = ("_v", "createdAt", "modifiedAt")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=10).filter(lambda k: k not in META + ("_key",)), values, max_size=8))
def test_generated_documents_equal_the_json_path(doc):
    with kilndb.open() as db:
        db["enc"].set({"k": doc})
        got = db["enc"].get("k")
        assert same(got, json_path(db, "enc", "k"))
        assert {k: v for k, v in got.items() if k not in META} == doc


@settings(max_examples=100, deadline=None)
@given(values)
def test_generated_non_object_documents_equal_the_json_path(value):
    with kilndb.open() as db:
        db["enc"].set({"k": value})
        assert same(db["enc"].get("k"), json_path(db, "enc", "k"))


# ---- the decoder on its own: hand-made bytes --------------------------------


def obj16(*entries: bytes) -> bytes:
    """An object (tag 0x08) of already-encoded entries (varint keys under 128 bytes)."""
    offsets, pos = b"", 0
    for e in entries:
        offsets += struct.pack("<H", pos)
        pos += len(e)
    body = bytes([len(entries)]) + offsets + b"".join(entries)
    return b"\x08" + bytes([len(body)]) + body


def entry(key: str, value: bytes) -> bytes:
    return bytes([len(key)]) + key.encode() + value


def test_decoder_reads_the_documented_bytes():
    assert _native._decode(b"\x00") is None
    assert _native._decode(b"\x01") is False and _native._decode(b"\x02") is True
    assert _native._decode(b"\x03\x0a") == 5 and _native._decode(b"\x03\x05") == -3
    assert _native._decode(b"\x03\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01") == -(2**63)
    assert _native._decode(b"\x04" + struct.pack("<Q", 2**64 - 1)) == 2**64 - 1
    assert same(_native._decode(b"\x05" + struct.pack("<d", -0.0)), -0.0)
    assert _native._decode(b"\x06\x02hi") == "hi"
    assert _native._decode(b"\x06\x04" + "😀".encode()) == "😀"
    assert _native._decode(b"\x07\x04\x02\x03\x02\x02") == [1, True]
    assert _native._decode(obj16(entry("a", b"\x03\x02"), entry("b", b"\x07\x01\x00"))) == {"a": 1, "b": []}
    assert _native._decode(b"\x09\x08\x01\x00\x00\x00\x00\x01a\x00") == {"a": None}  # u32 offsets
    assert _native._decode(b"\x0a\x05\x01\x00\x01a\x00") == {"a": None}  # u8 offsets
    assert same(_native._decode(b"\x0c\x99\x03"), -2.05)  # cents: zigzag(-205)
    assert same(_native._decode(b"\x0c\x02"), 0.01)


def stamp_bytes(t: int, ms: bool) -> bytes:
    code = (((t << 1) ^ (t >> 63)) << 1) | int(ms)
    out = bytearray(b"\x0b")
    while code >= 0x80:
        out.append(code & 0x7F | 0x80)
        code >>= 7
    out.append(code)
    return bytes(out)


@pytest.mark.parametrize(
    "t, ms, text",
    [
        (0, False, "1970-01-01T00:00:00Z"),
        (-1, False, "1969-12-31T23:59:59Z"),
        (951782400, False, "2000-02-29T00:00:00Z"),
        (1764686040123, True, "2025-12-02T14:34:00.123Z"),
        (-1, True, "1969-12-31T23:59:59.999Z"),
        (-62167219200, False, "0000-01-01T00:00:00Z"),
        (253402300799, False, "9999-12-31T23:59:59Z"),
        (5000, True, "1970-01-01T00:00:05.000Z"),
    ],
)
def test_decoder_writes_stamps_as_their_text(t, ms, text):
    assert _native._decode(stamp_bytes(t, ms)) == text


def test_decoder_rejects_stamps_outside_the_years_it_can_write():
    for t in (-62167219201, 253402300800):
        with pytest.raises(kilndb.InternalError, match="outside the years 0000-9999"):
            _native._decode(stamp_bytes(t, False))


TIMESTAMP_LIKE = ["2026-12-02T14:34:00Z", "2026-12-02T14:34:00.123Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
                  "1969-07-20T20:17:40Z", "2024-02-29T12:00:00.000Z",
                  # near misses stay plain strings; they must come back unchanged too
                  "2026-12-02T14:34:00z", "2026-12-02T14:34:00+00:00", "2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                  "2026-12-02T24:00:00Z", "2026-12-02 14:34:00Z", "2026-12-02T14:34:00.12Z"]


@pytest.mark.parametrize("value", TIMESTAMP_LIKE)
def test_timestamp_shaped_strings(db, value):
    assert check_round_trip(db, {"at": value, "list": [value]})["at"] == value


@pytest.mark.parametrize("value", [0.01, -0.01, 2.5, 1234.56, -99.99, 999999999999.99, 0.1, 0.29, 1.005])
def test_two_decimal_doubles(db, value):
    got = check_round_trip(db, {"x": value})
    assert same(got["x"], value)


def test_decoder_rejects_unknown_tags_clearly():
    for tag in (0x0D, 0x7F, 0xFF):
        with pytest.raises(kilndb.InternalError, match=f"unknown tag 0x{tag:02x} at byte 0 .* encoding version 1"):
            _native._decode(bytes([tag]))
    # Inside a container, the offset is the tag's.
    with pytest.raises(kilndb.InternalError, match="unknown tag 0x0d at byte 7"):
        _native._decode(obj16(entry("a", b"\x0d")))


@pytest.mark.parametrize(
    "data",
    [
        b"",  # no value at all
        b"\x03",  # varint missing
        b"\x03\x80",  # varint cut off
        b"\x03" + b"\xff" * 11,  # varint too long
        b"\x04\x00\x00",  # u64 cut off
        b"\x05" + b"\x00" * 7,  # f64 cut off
        b"\x06\x05abc",  # string cut off
        b"\x07\x05\x01",  # container longer than the buffer
        b"\x07\x02\x05\x00",  # more members than bytes
        b"\x07\x03\x01\x00\x00",  # members do not fill the payload
        b"\x07\x02\x01\x07",  # member cut off
        b"\x08\x03\x02\x00\x00",  # offset table cut off
        b"\x00\x00",  # bytes after the document
    ],
)
def test_decoder_rejects_malformed_bytes(data):
    with pytest.raises(kilndb.InternalError, match="malformed kilndb document encoding at byte"):
        _native._decode(data)


def test_decoder_recursion_is_bounded():
    value = b"\x07\x01\x00"  # []
    for _ in range(20000):
        body = b"\x01" + value
        n = len(body)
        length = bytearray()
        while n >= 0x80:
            length.append(n & 0x7F | 0x80)
            n >>= 7
        length.append(n)
        value = b"\x07" + bytes(length) + body
    with pytest.raises(RecursionError):
        _native._decode(value)
