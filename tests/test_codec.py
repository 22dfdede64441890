"""The JSON codec every reference backend shares: keys dict would hold but JSON
cannot (absent on lookup, TypeError on store), and stored rows that are not what
the codec writes (an error naming the store and the row, never another key)."""

from __future__ import annotations

import sqlite3
import sys
import types

import pytest

from reference_backends import SqliteDict
from reference_backends.base import encoded_rows
from reference_backends.codec import (
    MAX_KEY_DEPTH,
    decode_key,
    decode_value,
    encode_value,
    key_identity,
    lookup_identity,
)
from reference_backends.errors import CorruptStoreError

HUGE = 10 ** (sys.get_int_max_str_digits() + 10)


def nested(depth: int) -> tuple:
    """``depth`` tuples, each holding the next (the innermost is empty)."""
    key: tuple = ()
    for _ in range(depth - 1):
        key = (key,)
    return key


UNSTORABLE = {
    "huge int": HUGE,
    "huge negative int": -HUGE,
    "huge int in a tuple": (1, HUGE),
    "deep tuple": nested(MAX_KEY_DEPTH + 1),
    "very deep tuple": nested(5000),
}


@pytest.mark.parametrize("key", list(UNSTORABLE.values()), ids=list(UNSTORABLE))
def test_unstorable_key_is_absent_as_in_dict(key):
    """dict holds these keys; a store never could, so for lookups they are simply absent."""
    assert lookup_identity(key) is None
    with SqliteDict() as d:
        d["a"] = 1
        assert key not in d
        assert d.get(key) is None and d.get(key, 7) == 7
        assert d.pop(key, "dflt") == "dflt"
        with pytest.raises(KeyError):
            d[key]
        with pytest.raises(KeyError):
            d.pop(key)
        with pytest.raises(KeyError):
            del d[key]
        assert dict(d.items()) == {"a": 1}


@pytest.mark.parametrize("key", list(UNSTORABLE.values()), ids=list(UNSTORABLE))
def test_unstorable_key_raises_typeerror_on_store(key):
    """Storing one is a TypeError (as for any key outside the domain), never
    ValueError or RecursionError, and writes nothing."""
    with pytest.raises(TypeError, match="cannot store"):
        key_identity(key)
    with SqliteDict() as d:
        for store in (lambda: d.__setitem__(key, 1), lambda: d.setdefault(key, 1),
                      lambda: d.update([(key, 1)]), lambda: d.update({"x": 1, key: 2})):
            with pytest.raises(TypeError):
                store()
        assert len(d) == 0


def test_deepest_storable_tuple_round_trips():
    """A tuple exactly MAX_KEY_DEPTH deep is stored and found again."""
    key = nested(MAX_KEY_DEPTH)
    with SqliteDict() as d:
        d[key] = 1
        assert d[key] == 1 and list(d) == [key]


def test_subclass_of_a_huge_int_is_absent_too():
    """An int subclass past the limit takes the same path (no endless recursion)."""

    class Big(int):
        pass

    assert lookup_identity(Big(HUGE)) is None


@pytest.mark.parametrize(
    ("identity", "spelling"),
    [
        ('"abc', None),  # torn: closing quote missing (was decoded as 'ab')
        ('"ab"c"', None),  # a bare quote inside
        ('abc"', None),
        ('"é"', None),  # not ASCII-escaped as the codec writes it
        ("1.0", None),  # identity of 1.0 is 1
        ("true", None),  # identity of True is 1
        ('{"a": 1}', None),  # a JSON object is no key
        ("[1, 2]", None),  # not the codec's spacing
        ("1", "2"),  # spelling of another key
        ("1", "1"),  # spelling kept although equal to the identity
        ('"a"', '"a"'),
        ("", None),
        ("nul", None),
        (b'"\xff"', None),
        (5, None),  # not text at all
    ],
)
def test_malformed_stored_key_is_refused(identity, spelling):
    """decode_key accepts exactly what key_identity writes; anything else is a ValueError."""
    with pytest.raises(ValueError):
        decode_key(identity, spelling)


@pytest.mark.parametrize("key", ["", "abc", 'a"b', "é", "a\\b", 0, -1, 1.5, True, False, None, (1, "a", (None,)), 1.0, -0.0])
def test_codec_round_trips_every_key_kind(key):
    identity, spelling = key_identity(key)
    back = decode_key(identity, spelling)
    assert back == key and type(back) is type(key)
    assert decode_key(identity.encode("ascii"), None if spelling is None else spelling.encode("ascii")) == key


@pytest.mark.parametrize("text", ['{"a": ', "nan-ish", b"\xff", 5, "[" * 100_000])
def test_malformed_value_text_is_a_valueerror(text):
    with pytest.raises(ValueError):
        decode_value(text)


def _plant(path: str, key: object, spelling: object, value: object) -> None:
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute('INSERT INTO "dict" (key, spelling, value) VALUES (?, ?, ?)', (key, spelling, value))
    raw.close()


@pytest.mark.parametrize(
    ("key", "value", "part"),
    [('"abc', "1", "key"), ('"ok"', '{"torn": ', "value"), ('"ok"', b"\xff", "value"), (b"\xff", "1", "key"),
     # quoted text that is not the JSON the codec writes for any str key
     ('"a"b"', "1", "key"), ('"é"', "1", "key"), ('"a\tb"', "1", "key")],
)
def test_decode_error_names_the_store_and_the_row(tmp_path, key, value, part):
    """A row the codec did not write raises CorruptStoreError naming the file,
    the table and the row's key, from every path that decodes it (popitem
    removes the row and reports it)."""
    path = str(tmp_path / "a.db")
    SqliteDict(path, "dict", "DEFERRED", good=1).close()
    _plant(path, key, None, value)
    with SqliteDict(path) as d:
        reads = [lambda: list(d.items())]
        if part == "key":
            reads.append(lambda: list(d))
        else:
            reads += [lambda: d["ok"], lambda: d.get("ok"), lambda: list(d.values())]
        reads.append(d.popitem)  # last: it removes the row it cannot decode
        for read in reads:
            with pytest.raises(CorruptStoreError) as caught:
                read()
            message = str(caught.value)
            assert "a.db" in message and "table='dict'" in message
            assert repr(key)[:10] in message and part in message
        assert d["good"] == 1  # the rest of the store stays readable


def test_update_rows_are_the_same_from_a_dict_a_mapping_and_pairs():
    """update()'s rows, in order and kwargs last, whether its argument is an exact
    dict (read by items(), str keys without a call), another mapping or pairs."""
    data = {"a": 1, 2: [1, 2], 1.5: "s", (1, "x"): {"k": "v"}, None: True, "é": 2.0, 3.0: None}
    want = [(*key_identity(k), encode_value(v)) for k, v in [*data.items(), ("kw", 0)]]
    assert encoded_rows(data, {"kw": 0}) == want
    assert encoded_rows(types.MappingProxyType(data), {"kw": 0}) == want
    assert encoded_rows(list(data.items()), {"kw": 0}) == want
    with pytest.raises(TypeError, match="object"):
        encoded_rows({"a": 1, "b": object()}, {})
    with pytest.raises(TypeError):
        encoded_rows({"a": 1, frozenset(): 2}, {})
