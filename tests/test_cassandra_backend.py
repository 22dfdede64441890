"""CassandraDict's own contract beyond the kit, against a real Cassandra node.

The node comes from the kit's Cassandra service (a container of the locally
built image, or --pdict-cassandra-contact-points); if it cannot start, these
tests error: a missing Cassandra is a failure, not a skip.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from reference_backends.cassandra import CassandraDict

KEYSPACE = "pdict_backend_tests"


@pytest.fixture(scope="module")
def node(request):
    from pdict_conformance.services import ServiceError
    from pdict_conformance.services.cassandra import provide

    try:
        with provide(request.config) as service:
            yield service
    except ServiceError as exc:
        pytest.fail(f"no Cassandra for the backend tests: {exc}", pytrace=False)


@pytest.fixture(scope="module")
def session(node):
    from cassandra.cluster import Cluster

    cluster = Cluster(list(node.contact_points), port=node.port)
    s = cluster.connect()
    yield s
    s.execute(f'DROP KEYSPACE IF EXISTS "{KEYSPACE}"')
    cluster.shutdown()


_tables = iter(range(10**6))


@pytest.fixture
def store(node, session):
    d = CassandraDict(node.contact_points, node.port, KEYSPACE, f"t{next(_tables)}", session=session)
    yield d
    d.close()


@pytest.mark.parametrize("name", ['x"; DROP KEYSPACE system; --', "a-b", "1ab", "", "a" * 49, "sp ace"])
def test_identifiers_are_validated(name):
    """Keyspace and table names must be CQL identifiers; nothing is sent otherwise."""
    with pytest.raises(ValueError, match="keyspace"):
        CassandraDict(("127.0.0.1",), 1, name, "t")
    with pytest.raises(ValueError, match="table"):
        CassandraDict(("127.0.0.1",), 1, "ks", name)


def test_replication_options_are_validated():
    """Replication settings are checked before they reach CQL."""
    with pytest.raises(ValueError, match="replication"):
        CassandraDict(("127.0.0.1",), 1, "ks", "t", replication={"class": "x'}; DROP"})


def test_consistency_level_is_validated():
    """An unknown consistency level is a ValueError."""
    with pytest.raises(ValueError, match="consistency"):
        CassandraDict(("127.0.0.1",), 1, "ks", "t", consistency_level="MOSTLY")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_node_is_one_clear_error():
    """No node at the address: ConnectionError naming the contact points and port, quickly."""
    port = _closed_port()
    start = time.monotonic()
    with pytest.raises(ConnectionError, match=f"127.0.0.1 port {port}"):
        CassandraDict(("127.0.0.1",), port, connect_timeout=2)
    assert time.monotonic() - start < 20


def test_own_connection_is_shut_down_on_close(node):
    """A store that connected itself shuts its cluster down on close; then operations fail clearly."""
    d = CassandraDict(node.contact_points, node.port, KEYSPACE, "own", a=1)
    cluster = d._cluster
    assert d["a"] == 1
    d.close()
    assert cluster.is_shutdown
    with pytest.raises(ValueError, match="closed"):
        d["a"]


def test_given_session_is_left_open(node, session):
    """close() leaves a session it was given open for the application."""
    with CassandraDict(node.contact_points, node.port, KEYSPACE, "given", session=session) as d:
        d["a"] = 1
    assert session.execute("SELECT release_version FROM system.local").one() is not None


def test_consistency_levels_are_applied(node, session):
    """Reads and writes carry the chosen consistency level, LWTs the serial one."""
    from cassandra import ConsistencyLevel

    with CassandraDict(node.contact_points, node.port, KEYSPACE, "cl", session=session,
                       consistency_level="ONE", serial_consistency_level="SERIAL") as d:
        assert d._get.consistency_level == ConsistencyLevel.ONE
        assert d._set.consistency_level == ConsistencyLevel.ONE
        assert d._insert_new.serial_consistency_level == ConsistencyLevel.SERIAL
        d["k"] = "v"
        assert d["k"] == "v"


def test_paging_with_small_fetch_size(node, session):
    """Iteration with fetch_size=100 over 2,500 keys yields each key once."""
    with CassandraDict(node.contact_points, node.port, KEYSPACE, "paged", session=session, fetch_size=100) as d:
        d.update((f"k{i}", i) for i in range(2500))
        keys = list(d)
        assert len(keys) == 2500 and len(set(keys)) == 2500
        assert sum(v for _, v in d.items()) == sum(range(2500))


def test_setdefault_is_atomic(store):
    """Eight threads calling setdefault on one key with different defaults all get the same value."""
    results = []

    def work(n: int) -> None:
        results.append(store.setdefault("shared", n))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and store["shared"] == results[0]


def test_pop_is_atomic(store):
    """Eight threads popping one key: exactly one gets the value, the others the default."""
    store["prize"] = "won"
    results = []

    def work() -> None:
        results.append(store.pop("prize", None))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results)) == ["None"] * 7 + ["won"]


def test_first_spelling_wins(store):
    """True then 1: the key stays True; 1 then True: it stays 1 (as dict)."""
    store[True] = "a"
    store[1] = "b"
    store[2] = "c"
    store[2.0] = "d"
    assert sorted((type(k).__name__, v) for k, v in store.items()) == [("bool", "b"), ("int", "d")]


def test_reversed_is_a_typeerror(store):
    """No order, so reversed() is refused rather than guessed."""
    with pytest.raises(TypeError):
        reversed(store)


def test_delete_drops_the_keyspace(node, session):
    """delete() removes the whole keyspace, as documented."""
    d = CassandraDict(node.contact_points, node.port, "pdict_doomed", "t", session=session, a=1)
    d.delete()
    rows = session.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = 'pdict_doomed'")
    assert rows.one() is None
