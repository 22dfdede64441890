"""Clock skew cannot lose writes: two clients, one whose clock is 1 s ahead or
behind, interleave writes, deletes, pops and setdefaults on the same keys.

Linearizable mode: every mutation is an LWT, stamped by Paxos on the server.
Fast mode: writes are stamped by the coordinator, never the client.  Either
way the client's clock cannot reorder anything.  The control case shows the
scenario does catch skew: the same fast store on a session that stamps writes
with the client's (skewed) clock loses writes.
"""

from __future__ import annotations

import itertools
import time

import pytest

from reference_backends.cassandra import CassandraDict

KEYSPACE = "pdict_skew_tests"
_tables = itertools.count()
_MISSING = "<missing>"


@pytest.fixture(scope="module")
def node(cassandra_node):
    return cassandra_node


@pytest.fixture
def clients(node):
    """``make(skew_seconds, client_timestamps)`` -> a session whose client clock is skewed."""
    from cassandra.cluster import Cluster

    made = []

    def make(skew: float, client_timestamps: bool):
        def skewed() -> int:
            return int((time.time() + skew) * 1e6)

        cluster = Cluster(list(node.contact_points), port=node.port, timestamp_generator=skewed)
        made.append(cluster)
        session = cluster.connect()
        session.use_client_timestamp = client_timestamps
        return session

    yield make
    for cluster in made:
        cluster.shutdown()


def _scenario(a, b) -> list[str]:
    """Interleave a's and b's operations on shared keys as a dict would see them in
    this order; return every difference between the store and that dict."""
    model: dict = {}
    lost = []

    def step(who, op, key, *value):
        store = a if who == "a" else b
        if op == "set":
            store[key] = value[0]
            model[key] = value[0]
        elif op == "del":
            del store[key]
            del model[key]
        elif op == "pop":
            assert store.pop(key) == model.pop(key)
        elif op == "setdefault":
            assert store.setdefault(key, value[0]) == model.setdefault(key, value[0])
        elif op == "update":
            store.update({key: value[0]})
            model[key] = value[0]
        for k in ("k1", "k2", "k3", "k4"):
            seen, wanted = b.get(k, _MISSING), model.get(k, _MISSING)
            if seen != wanted:
                lost.append(f"after {who}.{op}({key}): {k} is {seen}, expected {wanted}")

    for key in ("k1", "k2", "k3", "k4"):
        # another client's write or delete just before: the skewed client's must still win
        step("b", "set", key, "b1")
        step("a", "set", key, "a1")
        step("b", "del", key)
        step("a", "set", key, "a2")
        step("b", "set", key, "b2")
        step("a", "pop", key)
        step("b", "setdefault", key, "b3")
        step("a", "update", key, "a3")
        step("b", "pop", key)
        step("a", "setdefault", key, "a4")
        step("b", "set", key, "b4")
        # one client alone: a write right after its own pop, del and setdefault
        step("a", "pop", key)
        step("a", "set", key, "a5")
        step("a", "del", key)
        step("a", "setdefault", key, "a6")
        step("a", "set", key, "a7")
    return lost


def _pair(node, make, mode, skew, client_timestamps):
    table = f"t{next(_tables)}"
    a = CassandraDict(node.contact_points, node.port, KEYSPACE, table, mode=mode,
                      session=make(skew, client_timestamps))
    b = CassandraDict(node.contact_points, node.port, KEYSPACE, table, mode=mode, session=make(0.0, False))
    return a, b


@pytest.mark.parametrize("skew", [1.0, -1.0], ids=["ahead", "behind"])
@pytest.mark.parametrize("mode", ["linearizable", "fast"])
def test_skewed_client_loses_nothing(node, clients, mode, skew):
    """A client 1 s ahead or behind: every write is read back as a dict would have it."""
    a, b = _pair(node, clients, mode, skew, client_timestamps=(mode == "linearizable"))
    assert _scenario(a, b) == []


@pytest.mark.parametrize("skew", [1.0, -1.0], ids=["ahead", "behind"])
def test_client_timestamps_would_lose_writes(node, clients, skew):
    """Control: the same fast store forced onto client timestamps (which it refuses
    on open) loses writes under the same scenario, so the scenario detects skew."""
    a, b = _pair(node, clients, "fast", skew, client_timestamps=False)
    a._session.use_client_timestamp = True
    b._session.use_client_timestamp = True
    with pytest.raises(AssertionError):
        # a pop or setdefault may already return a wrong value; otherwise a read does
        assert _scenario(a, b) == []
