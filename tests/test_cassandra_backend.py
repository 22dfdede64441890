"""CassandraDict's own contract beyond the kit, against a real Cassandra node.

The node comes from the kit's ``cassandra`` service (a container of the
locally built image, or --pdict-cassandra-contact-points); if it cannot
start, these tests error: a missing Cassandra is a failure, not a skip.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time

import pytest

from reference_backends.cassandra import MAX_KEY_BYTES, CassandraDict
from reference_backends.errors import IncompatibleStoreError, InvalidNameError, StoreClosedError

KEYSPACE = "pdict_backend_tests"
MODES = ("linearizable", "fast")


@pytest.fixture(scope="module")
def node(cassandra_node):
    return cassandra_node


@pytest.fixture(scope="module")
def session(node):
    from cassandra.cluster import Cluster

    cluster = Cluster(list(node.contact_points), port=node.port)
    s = cluster.connect()
    s.use_client_timestamp = False
    s.default_timeout = 30
    yield s
    s.execute(f'DROP KEYSPACE IF EXISTS "{KEYSPACE}"', timeout=60)
    cluster.shutdown()


_tables = itertools.count()


def open_store(node, session, mode, **options):
    return CassandraDict(node.contact_points, node.port, KEYSPACE, f"t{next(_tables)}", session=session,
                         mode=mode, **options)


@pytest.fixture(params=MODES)
def store(request, node, session):
    d = open_store(node, session, request.param)
    yield d
    d.close()


# -- options ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ['x"; DROP KEYSPACE system; --', "a-b", "1ab", "", "a" * 49, "sp ace"])
def test_identifiers_are_validated(name):
    """Keyspace and table names must be CQL identifiers; nothing is sent otherwise."""
    with pytest.raises(InvalidNameError, match="keyspace"):
        CassandraDict(("127.0.0.1",), 1, name, "t")
    with pytest.raises(InvalidNameError, match="table"):
        CassandraDict(("127.0.0.1",), 1, "ks", name)


def test_options_are_validated():
    """Replication settings, consistency levels and modes are checked before anything is sent."""
    with pytest.raises(ValueError, match="replication"):
        CassandraDict(("127.0.0.1",), 1, "ks", "t", replication={"class": "x'}; DROP"})
    with pytest.raises(ValueError, match="consistency"):
        CassandraDict(("127.0.0.1",), 1, "ks", "t", consistency_level="MOSTLY")
    with pytest.raises(ValueError, match="linearizable, fast"):
        CassandraDict(("127.0.0.1",), 1, "ks", "t", mode="eventually")


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


def test_fast_mode_refuses_client_timestamps(node):
    """Fast mode orders writes by the coordinators' clocks: a session stamping
    writes with the client's clock is refused, and a store's own session never does."""
    from cassandra.cluster import Cluster

    cluster = Cluster(list(node.contact_points), port=node.port)
    try:
        s = cluster.connect()
        with pytest.raises(ValueError, match="use_client_timestamp"):
            CassandraDict(node.contact_points, node.port, KEYSPACE, "ts", session=s, mode="fast")
    finally:
        cluster.shutdown()
    with CassandraDict(node.contact_points, node.port, KEYSPACE, "ts", mode="fast") as d:
        assert d._session.use_client_timestamp is False


def test_a_table_has_one_mode(node, session):
    """A table made in one mode cannot be opened in the other (one write path per row)."""
    open_store(node, session, "fast").close()
    table = f"t{next(_tables) - 1}"
    with pytest.raises(IncompatibleStoreError, match="fast mode"):
        CassandraDict(node.contact_points, node.port, KEYSPACE, table, session=session)
    session.execute(f'CREATE TABLE IF NOT EXISTS "{KEYSPACE}".foreign (key text PRIMARY KEY, v int)')
    with pytest.raises(IncompatibleStoreError, match="not made by CassandraDict"):
        CassandraDict(node.contact_points, node.port, KEYSPACE, "foreign", session=session)


def test_opening_an_existing_table_sends_no_schema_statement(node, session, monkeypatch):
    """A schema statement is a cluster-wide change: opening a table CassandraDict
    already made reads the schema and changes nothing; a new table is created."""
    sent: list[str] = []
    execute = session.execute

    def spy(query, *args, **kwargs):
        sent.append(str(getattr(query, "query_string", query)).lstrip().upper())
        return execute(query, *args, **kwargs)

    monkeypatch.setattr(session, "execute", spy)
    with open_store(node, session, "linearizable", a=1):
        pass
    assert [q.split()[1] for q in sent if q.startswith("CREATE")] == ["KEYSPACE", "TABLE"]
    sent.clear()
    with CassandraDict(node.contact_points, node.port, KEYSPACE, f"t{next(_tables) - 1}", session=session) as d:
        assert d["a"] == 1
    assert sent and not [q for q in sent if q.startswith(("CREATE", "ALTER", "DROP"))]


def test_own_connection_is_shut_down_on_close(node):
    """A store that connected itself shuts its cluster down on close; then operations fail clearly."""
    d = CassandraDict(node.contact_points, node.port, KEYSPACE, "own", a=1)
    cluster = d._cluster
    assert d["a"] == 1 and not d.closed
    d.close()
    assert cluster.is_shutdown and d.closed
    with pytest.raises(StoreClosedError, match="closed"):
        d["a"]


def test_given_session_is_left_open(node, session):
    """close() leaves a session it was given open for the application."""
    with CassandraDict(node.contact_points, node.port, KEYSPACE, "given", session=session) as d:
        d["a"] = 1
    assert session.execute("SELECT release_version FROM system.local").one() is not None


def test_consistency_levels_are_applied(node, session):
    """Reads and writes carry the chosen consistency level, LWTs the serial one."""
    from cassandra import ConsistencyLevel

    with open_store(node, session, "linearizable", consistency_level="ONE", serial_consistency_level="SERIAL") as d:
        assert d._statements["get"].consistency_level == ConsistencyLevel.ONE
        assert d._statements["set_new"].consistency_level == ConsistencyLevel.ONE
        assert d._statements["set_new"].serial_consistency_level == ConsistencyLevel.SERIAL
        d["k"] = "v"
        assert d["k"] == "v"


# -- behaviour in both modes ---------------------------------------------------------------

def test_paging_with_small_fetch_size(node, session):
    """Iteration with fetch_size=100 over 2,500 keys yields each key once."""
    with open_store(node, session, "fast", fetch_size=100) as d:
        d.update((f"k{i}", i) for i in range(2500))
        keys = list(d)
        assert len(keys) == 2500 and len(set(keys)) == 2500
        assert sum(v for _, v in d.items()) == sum(range(2500))


@pytest.mark.parametrize("mode", MODES)
def test_len_counts_in_pages(node, session, mode):
    """len() counts page by page (7 rows a page here): exact over many pages, and
    rows popped in linearizable mode (kept dead for a while) are not counted."""
    with open_store(node, session, mode, count_page_size=7) as d:
        d.update((f"k{i}", i) for i in range(60))
        assert len(d) == 60
        for i in range(0, 60, 3):
            d.pop(f"k{i}")
        del d["k1"]
        assert len(d) == 39 == len(list(d)) == len(d.items())


def test_first_spelling_wins(store):
    """True then 1: the key stays True; 1 then True: it stays 1 (as dict)."""
    store[True] = "a"
    store[1] = "b"
    store[2] = "c"
    store[2.0] = "d"
    store.update([(3.0, "e"), (3, "f")])
    assert sorted((type(k).__name__, v) for k, v in store.items()) == [
        ("bool", "b"), ("float", "f"), ("int", "d")]


def test_popped_key_comes_back_with_its_new_spelling(store):
    """A key popped then set again is a new key: it takes the new spelling."""
    store[True] = 1
    assert store.pop(1) == 1
    store[1.0] = 2
    assert [(type(k).__name__, v) for k, v in store.items()] == [("float", 2)]


def test_reversed_is_a_typeerror(store):
    """No order, so reversed() is refused rather than guessed."""
    with pytest.raises(TypeError):
        reversed(store)


def test_oversized_key_is_refused_before_writing(store):
    """A key over 64 KiB as JSON: ValueError naming the limit; update writes nothing."""
    big = "k" * MAX_KEY_BYTES
    with pytest.raises(ValueError, match="65535"):
        store[big] = 1
    with pytest.raises(ValueError, match="65535"):
        store.update([("first", 1), (big, 2)])
    with pytest.raises(ValueError, match="65535"):
        store.setdefault(big, 1)
    assert len(store) == 0


def test_oversized_value_is_refused_before_writing(store):
    """A 17 MB value is over the server's mutation limit: refused on the client,
    update() writes none of its keys; a value under the limit is stored."""
    with pytest.raises(ValueError, match="max_mutation_size"):
        store.update({"first": 1, "big": "x" * (17 * 1024 * 1024), "last": 2})
    assert "first" not in store and len(store) == 0
    big = "y" * (store.limits.max_row - 1024)
    store["fits"] = big
    assert store["fits"] == big


def test_update_in_fast_mode_is_one_logged_batch(node, session, monkeypatch):
    """Fast mode sends an update that fits the batch limit as one logged batch."""
    from cassandra.query import BatchStatement, BatchType

    with open_store(node, session, "fast") as d:
        sent = []
        real = d._session.execute
        monkeypatch.setattr(d._session, "execute", lambda stmt, *a, **k: (sent.append(stmt), real(stmt, *a, **k))[1])
        d.update({f"k{i}": i for i in range(20)}, extra=1)
        monkeypatch.undo()
        batches = [s for s in sent if isinstance(s, BatchStatement)]
        assert len(batches) == 1 and batches[0].batch_type == BatchType.LOGGED
        assert len(d) == 21


def test_big_update_in_fast_mode_is_several_batches(node, session):
    """An update over the batch limit is cut into batches the server accepts."""
    with open_store(node, session, "fast") as d:
        d.update((str(i), str(i)) for i in range(12000))
        assert len(d) == 12000 and d["11999"] == "11999"
        assert len(d._batches([("set", ("x", "y"))] * 12000)) > 1


def test_delete_drops_the_keyspace(node, session):
    """delete() removes the whole keyspace, as documented."""
    d = CassandraDict(node.contact_points, node.port, "pdict_doomed", "t", session=session, a=1)
    d.delete()
    rows = session.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = 'pdict_doomed'")
    assert rows.one() is None


@pytest.mark.parametrize("mode", MODES)
def test_store_works_after_fork(node, mode):
    """A store opened before os.fork() reconnects in the child; the parent sees the child's write."""
    with CassandraDict(node.contact_points, node.port, KEYSPACE, f"fork_{mode}", mode=mode) as d:
        d.clear()
        d["before"] = 1
        pid = os.fork()
        if pid == 0:  # the child: exit status says whether it worked
            code = 1
            try:
                d["child"] = d["before"] + 1
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert d["child"] == 2


# -- linearizable mode: atomic read-modify-writes -----------------------------------------

@pytest.fixture
def lin(node, session):
    d = open_store(node, session, "linearizable")
    yield d
    d.close()


def _threads(n, target, *args):
    threads = [threading.Thread(target=target, args=args) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_setdefault_is_atomic(lin):
    """Eight threads calling setdefault on one key with different defaults all get the same value."""
    results = []
    counter = itertools.count()
    _threads(8, lambda: results.append(lin.setdefault("shared", next(counter))))
    assert len(set(results)) == 1 and lin["shared"] == results[0]


def test_pop_is_atomic(lin):
    """Eight threads popping one shared set of keys: each key is popped exactly once."""
    lin.update((f"k{i}", i) for i in range(40))
    popped = []

    def work() -> None:
        for i in range(40):
            value = lin.pop(f"k{i}", None)
            if value is not None:
                popped.append(value)

    _threads(8, work)
    assert sorted(popped) == list(range(40)) and len(lin) == 0


def test_popitem_drains_every_key_once_past_the_dead_rows(store):
    """popitem() scans on from the token it last popped (round to the start), so a
    drain neither rescans earlier pops' rows nor misses the keys before that token."""
    items = {f"k{i}": i for i in range(60)}
    store.update(items)
    popped = [store.popitem() for _ in range(30)]
    store["late"] = -1  # lands anywhere in the ring, perhaps before the last popped token
    popped += [store.popitem() for _ in range(31)]
    assert sorted(popped, key=repr) == sorted([*items.items(), ("late", -1)], key=repr)
    assert len(store) == 0
    with pytest.raises(KeyError):
        store.popitem()


def test_popitem_threads_pop_each_item_once(lin):
    lin.update((f"k{i}", i) for i in range(40))
    popped = []

    def work() -> None:
        while True:
            try:
                popped.append(lin.popitem())
            except KeyError:
                return

    _threads(4, work)
    assert sorted(v for _, v in popped) == list(range(40))


class _UnknownOutcome:
    """Wraps a session: the first lightweight transaction named ``cql_start``
    raises a CAS WriteTimeout, after (``applied=True``) or instead of running."""

    def __init__(self, session, cql_start, applied):
        self.session, self.cql_start, self.applied, self.fired = session, cql_start, applied, False

    def __getattr__(self, name):
        return getattr(self.session, name)

    def execute(self, statement, params=None, **kw):
        from cassandra import ConsistencyLevel, WriteTimeout, WriteType

        cql = getattr(getattr(statement, "prepared_statement", statement), "query_string", "")
        if not self.fired and cql.startswith(self.cql_start) and " IF " in cql:
            self.fired = True
            if self.applied:
                self.session.execute(statement, params, **kw)
            raise WriteTimeout("simulated", consistency=ConsistencyLevel.QUORUM, required_responses=1,
                               received_responses=0, write_type=WriteType.CAS)
        return self.session.execute(statement, params, **kw)


@pytest.mark.parametrize("applied", [True, False], ids=["applied", "not-applied"])
def test_timed_out_pop_is_resolved(lin, applied):
    """A pop whose LWT times out reads the row at SERIAL: it returns the value
    exactly once whether the LWT applied or not, and the key is gone."""
    lin["k"] = "v"
    real = lin._session
    lin._session = _UnknownOutcome(real, "UPDATE", applied)
    assert lin.pop("k") == "v"
    assert lin._session.fired
    lin._session = real
    assert "k" not in lin and lin.pop("k", None) is None


@pytest.mark.parametrize("applied", [True, False], ids=["applied", "not-applied"])
def test_timed_out_write_is_resolved(lin, applied):
    """A write or setdefault whose LWT times out is resolved the same way."""
    real = lin._session
    lin._session = _UnknownOutcome(real, "UPDATE", applied)
    lin["k"] = "v"
    assert lin._session.fired
    lin._session = _UnknownOutcome(real, "UPDATE", applied)
    assert lin.setdefault("d", 1) == 1
    lin._session = real
    assert lin["k"] == "v" and lin["d"] == 1


# -- specs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spec_name", ["CassandraSpec", "CassandraFastSpec"])
def test_spec_handoff_rebuilds_it_in_a_fresh_process(node, spec_name):
    """handoff() is JSON; adopt(state) in a fresh interpreter reaches the same stores."""
    import json
    import subprocess
    import sys

    from reference_backends import cassandra_specs

    spec = getattr(cassandra_specs, spec_name)()
    spec.start({"cassandra": node})
    try:
        location = spec.new_location(None)
        store = spec.open(location, {"from": "parent"})
        state = json.dumps(spec.handoff())
        child = (
            "import json, sys\n"
            f"from reference_backends.cassandra_specs import {spec_name}\n"
            f"spec = {spec_name}()\n"
            "spec.adopt(json.loads(sys.argv[1]))\n"
            f"store = spec.open({location!r})\n"
            "store['child'] = store['from']\n"
            "store.close(); spec.stop()\n"
        )
        subprocess.run([sys.executable, "-c", child, state], check=True, timeout=120)
        assert store["child"] == "parent"
        store.close()
        spec.destroy(location)
    finally:
        spec.stop()
