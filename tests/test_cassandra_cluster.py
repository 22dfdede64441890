"""CassandraDict on the three-node cluster the kit starts, with nodes failing.

Keyspace replication 3, QUORUM reads and writes, SERIAL lightweight
transactions (the ``cassandra-cluster`` spec's settings), linearizable mode.
Every test is bounded in operations and time and leaves all nodes up.

* One node down (killed, or paused): every operation keeps working, every
  acknowledged write is read back, LWT pops stay exactly-once.
* Two nodes down: operations fail quickly with one CassandraUnavailableError
  naming the consistency level and the nodes; nothing acknowledged is lost.
* Nodes back: reads at ALL (every replica) are complete again.
"""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from reference_backends.cassandra import CassandraDict, CassandraUnavailableError

KEYSPACE = "pdict_cluster_tests"
OPTIONS = dict(mode="linearizable", replication={"class": "SimpleStrategy", "replication_factor": 3},
               consistency_level="QUORUM", serial_consistency_level="SERIAL")
_tables = itertools.count()


@pytest.fixture(scope="module")
def cluster(request):
    from pdict_conformance.services import ServiceError
    from pdict_conformance.services.cassandra_cluster import ThreeNodeCluster

    try:
        with ThreeNodeCluster.from_options(request.config.getoption).provide() as service:
            if not service.nodes:
                pytest.fail("the failure tests stop nodes: they need the cluster the kit starts, "
                            "not --pdict-cassandra-cluster-contact-points", pytrace=False)
            print(f"\ncluster of {len(service.nodes)} nodes up in {service.start_seconds:.1f} s")
            yield service
    except ServiceError as exc:
        pytest.fail(f"no Cassandra cluster for the failure tests: {exc}", pytrace=False)


def open_store(cluster, table=None, **extra):
    """A store with its own connection (the driver notices dead nodes on its own)."""
    return CassandraDict(cluster.contact_points, cluster.port, KEYSPACE, table or f"t{next(_tables)}",
                         **{**OPTIONS, **extra})


def wait_all_up(cluster, timeout=120.0):
    """Until every node coordinates a write at ALL."""
    from pdict_conformance.services.cassandra_cluster import wait_until_all_serve

    wait_until_all_serve(cluster.contact_points, timeout)


def read_all(cluster, table, keys):
    """Every key read at ALL: each replica must answer (and is repaired)."""
    with open_store(cluster, table, consistency_level="ALL") as d:
        return {k: d.get(k, "<missing>") for k in keys}


def workload(store, prefix, count, acked):
    """``count`` rounds of set, read back, pop and setdefault; acknowledged state into ``acked``."""
    for i in range(count):
        key = f"{prefix}{i}"
        store[key] = i
        acked[key] = i
        assert store[key] == i
        if i % 4 == 0:
            assert store.pop(key) == i
            del acked[key]
        if i % 3 == 0:
            fresh = f"{prefix}d{i}"
            assert store.setdefault(fresh, i) == i
            acked[fresh] = i


@pytest.mark.parametrize("failure", ["kill", "pause"])
def test_one_node_down_mid_workload(cluster, failure):
    """A node killed (or paused) mid-workload: every operation at QUORUM keeps
    working and every acknowledged write is read back, also at ALL once it returns."""
    node = cluster.nodes[2]
    acked: dict = {}
    with open_store(cluster) as d:
        workload(d, "before", 20, acked)
        errors: list = []
        thread = threading.Thread(target=lambda: _catch(errors, workload, d, "during", 60, acked))
        thread.start()
        time.sleep(0.5)
        node.kill() if failure == "kill" else node.pause()
        try:
            thread.join(timeout=120)
            assert not thread.is_alive(), "the workload did not finish in 120 s with one node down"
            assert errors == []
            workload(d, "after", 20, acked)
            assert {k: d[k] for k in acked} == acked and len(d) == len(acked)
        finally:
            node.start() if failure == "kill" else node.unpause()
        wait_all_up(cluster)
        assert read_all(cluster, d.table, acked) == acked


@pytest.fixture
def answers_lost(monkeypatch):
    """The answer to the first lightweight transaction whose CQL contains the
    fragment in ``lost`` is replaced by a broken connection, after the
    coordinator applied it: what a client sees when the node coordinating its
    request dies before answering."""
    from cassandra.cluster import ResponseFuture
    from cassandra.connection import ConnectionShutdown

    lost: dict[str, int] = {}
    original = ResponseFuture._set_result

    def set_result(self, host, connection, pool, response):
        cql = getattr(getattr(self.query, "prepared_statement", None), "query_string", "")
        for fragment in lost:
            if fragment in cql and " IF " in cql and lost[fragment] == 0 and not isinstance(response, Exception):
                lost[fragment] += 1
                response = ConnectionShutdown(f"simulated: {host} died after applying the request")
        return original(self, host, connection, pool, response)

    monkeypatch.setattr(ResponseFuture, "_set_result", set_result)
    return lost


def test_a_transaction_whose_answer_was_lost_is_resolved_not_sent_again(cluster, answers_lost):
    """Each kind of lightweight transaction applied, its answer lost with its
    connection: the driver must not send it to another node (where it meets its
    own change and reports "not applied"); the store resolves it by a SERIAL
    read and answers as if the answer had arrived."""
    with open_store(cluster) as d:
        d["k"] = "v"
        answers_lost.update({"IF value = ?": 0, "IF value = null": 0, "IF spelling IN": 0})
        assert d.pop("k") == "v"          # take: the row was taken by this pop
        d["n"] = 1                         # set of a new key
        assert d.setdefault("s", 2) == 2   # setdefault that stored
        assert answers_lost == {"IF value = ?": 1, "IF value = null": 1, "IF spelling IN": 1}
        assert dict(d.items()) == {"n": 1, "s": 2}


def _catch(errors, fn, *args):
    try:
        fn(*args)
    except BaseException as exc:  # reported by the test
        errors.append(f"{type(exc).__name__}: {exc}")


def test_pops_stay_exactly_once_with_a_node_killed(cluster):
    """Three clients pop one shared set of keys while a node is killed: each key
    is popped by exactly one client."""
    keys = [f"k{i}" for i in range(90)]
    table = f"t{next(_tables)}"
    with open_store(cluster, table) as d:
        d.update((k, k) for k in keys)
    clients = [open_store(cluster, table) for _ in range(3)]
    popped: list = []
    errors: list = []

    def pop_all(store):
        for k in keys:
            value = store.pop(k, None)
            if value is not None:
                popped.append(value)

    threads = [threading.Thread(target=_catch, args=(errors, pop_all, c)) for c in clients]
    try:
        for t in threads:
            t.start()
        time.sleep(0.3)
        cluster.nodes[1].kill()
        for t in threads:
            t.join(timeout=120)
        assert errors == []
        assert sorted(popped) == sorted(keys), "a key was popped twice, or not at all"
        assert len(clients[0]) == 0
    finally:
        for c in clients:
            c.close()
        cluster.nodes[1].start()
    wait_all_up(cluster)


def test_two_nodes_down_fail_fast_and_lose_nothing(cluster):
    """Two of three nodes down: QUORUM is impossible, so each operation fails within
    seconds with one error naming QUORUM and the nodes; once they return, every
    acknowledged write is there, on every replica."""
    acked = {f"k{i}": i for i in range(30)}
    with open_store(cluster) as d:
        d.update(acked)
        for node in cluster.nodes[1:]:
            node.kill()
        try:
            # Until the surviving node convicts the others, a request waits for the
            # server's timeout (seconds); then it is refused at once (Unavailable).
            took, message = [], ""
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not (took and took[-1] < 2.0):
                for op in (lambda: d.__setitem__("new", 1), lambda: d["k1"]):
                    started = time.monotonic()
                    with pytest.raises(CassandraUnavailableError) as info:
                        op()
                    took.append(time.monotonic() - started)
                    message = str(info.value)
            assert took[-1] < 2.0, f"operations still take {took[-1]:.1f} s to fail after 90 s"
            assert max(took) < 20, took
            assert "QUORUM" in message
            for node in cluster.nodes:
                assert node.address in message
        finally:
            for node in cluster.nodes[1:]:
                node.start()
        wait_all_up(cluster)
        assert {k: d[k] for k in acked} == acked and "new" not in d
    assert read_all(cluster, d.table, acked) == acked


def test_clear_then_reuse_brings_nothing_back(cluster):
    """clear() in linearizable mode goes through Paxos like every other write, so
    keys written, cleared and touched again by LWTs stay cleared."""
    with open_store(cluster) as d:
        d.update((f"k{i}", i) for i in range(20))
        d.clear()
        assert len(d) == 0
        for i in range(20):
            assert d.setdefault(f"k{i}", "new") == "new"
        assert dict(d.items()) == {f"k{i}": "new" for i in range(20)}
