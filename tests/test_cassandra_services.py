"""The service protocol and container hygiene of the Cassandra services.

Registration and owner rules need no Docker; the image and signal tests use
the real Docker engine (a missing engine fails them) and never pull.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from pdict_conformance import services
from pdict_conformance.services import containers
from pdict_conformance.services.cassandra import SingleNode
from pdict_conformance.services.cassandra_cluster import START_ATTEMPTS, Node, ThreeNodeCluster, initial_tokens


def test_both_cassandra_services_are_registered():
    """The single node and the cluster are two services of one entry-point group."""
    assert services.load("cassandra") is SingleNode
    assert services.load("cassandra-cluster") is ThreeNodeCluster
    for cls in (SingleNode, ThreeNodeCluster):
        assert isinstance(cls(), services.Service)


def test_unknown_service_is_a_clear_error():
    with pytest.raises(services.UnknownServiceError, match="unknown service 'nosuch'.*cassandra"):
        services.check_names(["cassandra", "nosuch"])


def test_services_are_built_from_options_without_pytest():
    """A script builds a service from plain values: no pytest config is needed."""
    options = {"pdict_cassandra_image": "img:1", "pdict_cassandra_contact_points": None,
               "pdict_cassandra_cluster_contact_points": "127.0.0.9", "pdict_cassandra_cluster_heap": "256M"}
    node = SingleNode.from_options(options.__getitem__)
    cluster = ThreeNodeCluster.from_options(options.__getitem__)
    assert (node.image, node.contact_points) == ("img:1", None)
    assert (cluster.image, cluster.contact_points, cluster.heap) == ("img:1", "127.0.0.9", "256M")


def test_tokens_are_evenly_spaced():
    tokens = initial_tokens(3)
    assert tokens[0] == -(2**63) and all(-(2**63) <= t < 2**63 for t in tokens)
    assert tokens[1] - tokens[0] == tokens[2] - tokens[1]


def test_owner_labels_name_this_process():
    labels = containers.owner_labels()
    assert labels[containers.LABEL_PID] == str(os.getpid())
    assert labels[containers.LABEL_HOST] == socket.gethostname()
    assert labels[containers.LABEL_STARTED] and not containers.owner_is_dead(labels)


def test_dead_owner_is_recognised_and_others_are_not():
    """Only owners known dead on this machine count as dead: a finished process,
    a recycled pid (other start time), another boot; never another host."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    labels = containers.owner_labels(child.pid)
    child.wait()
    assert containers.owner_is_dead(labels)
    mine = containers.owner_labels()
    assert containers.owner_is_dead({**mine, containers.LABEL_STARTED: "1"})
    assert containers.owner_is_dead({**mine, containers.LABEL_BOOT: "another-boot"})
    assert not containers.owner_is_dead({**labels, containers.LABEL_HOST: "another-host"})
    assert not containers.owner_is_dead(mine)


def test_missing_image_is_one_clear_error_and_never_pulled():
    """A missing image names the build script; Docker is not asked to pull it."""
    client = containers.docker_client("no Docker")
    before = {image.id for image in client.images.list()}
    with pytest.raises(services.ServiceError, match="build-cassandra-image.sh") as info:
        with SingleNode(image="pdict/no-such-image:0").provide():
            pass
    assert "never pulls" in str(info.value)
    assert {image.id for image in client.images.list()} == before


def test_leftovers_of_live_owners_are_kept_and_dead_ones_removed():
    """remove_leftovers removes a container of a dead owner, keeps a live owner's."""
    client = containers.docker_client("no Docker")
    image = SingleNode().image
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    dead = containers.owner_labels(child.pid)
    child.wait()
    made = [client.containers.create(image, labels=labels, entrypoint=["true"])
            for labels in (dead, containers.owner_labels())]
    try:
        removed = containers.remove_leftovers(client)
        assert made[0].short_id in removed and made[1].short_id not in removed
        made[1].reload()
    finally:
        for c in made:
            try:
                c.remove(force=True)
            except Exception:
                pass


class _StoppedContainer:
    def __init__(self, stopped: list[str], name: str):
        self.stopped, self.name = stopped, name

    def stop(self) -> None:
        self.stopped.append(self.name)


class _FailingStarts(ThreeNodeCluster):
    """A cluster whose first ``failures`` starts fail after starting two nodes."""

    def __init__(self, failures: int):
        super().__init__()
        self.failures, self.attempts, self.stopped, self.blocks = failures, 0, [], []

    def _start(self, nodes, first_block=0):
        self.attempts += 1
        self.blocks.append(first_block)
        for i in (1, 2):
            nodes.append(Node(f"127.0.9.{i}", _StoppedContainer(self.stopped, f"try{self.attempts}-node{i}")))
        if self.attempts <= self.failures:
            raise services.ServiceError(f"node 127.0.9.2 did not join (try {self.attempts})")
        return ("127.0.9.1", "127.0.9.2"), "5.0.9"


def test_cluster_that_fails_to_start_is_removed_and_started_again(capfd):
    """One failed start: its nodes are stopped, the cluster starts again on the
    next loopback block, and the failure is printed; the service then removes
    the second start's nodes."""
    cluster = _FailingStarts(failures=1)
    with cluster.provide() as service:
        assert service.contact_points == ("127.0.9.1", "127.0.9.2")
        assert [n.address for n in service.nodes] == ["127.0.9.1", "127.0.9.2"]
        assert cluster.stopped == ["try1-node1", "try1-node2"]
        assert cluster.blocks == [0, 10]  # the failed start was on 127.0.9.*
    assert cluster.stopped[2:] == ["try2-node1", "try2-node2"]
    assert "did not start (attempt 1 of 2)" in capfd.readouterr().err


def test_cluster_start_gives_up_after_its_attempts():
    """Every start failing: the last failure is the error, every node is removed."""
    cluster = _FailingStarts(failures=START_ATTEMPTS)
    with pytest.raises(services.ServiceError, match=f"try {START_ATTEMPTS}"):
        with cluster.provide():
            pass
    assert cluster.attempts == START_ATTEMPTS
    assert len(cluster.stopped) == 2 * START_ATTEMPTS


SIGNAL_SCRIPT = textwrap.dedent("""
    import sys, time
    from pdict_conformance.services import containers
    client = containers.docker_client("no Docker")
    c = client.containers.create(sys.argv[1], labels=containers.owner_labels(), entrypoint=["sleep", "60"])
    with containers.removed_on_exit(lambda: c.remove(force=True)):
        print(c.id, flush=True)
        time.sleep(60)
""")


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_signals_remove_the_containers(signum):
    """SIGHUP, SIGINT and SIGTERM all remove the session's containers."""
    client = containers.docker_client("no Docker")
    proc = subprocess.Popen([sys.executable, "-c", SIGNAL_SCRIPT, SingleNode().image],
                            stdout=subprocess.PIPE, text=True)
    try:
        container_id = proc.stdout.readline().strip()
        assert container_id, "the helper did not create its container"
        proc.send_signal(signum)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(c.id == container_id for c in client.containers.list(all=True)):
            time.sleep(0.2)
        assert not any(c.id == container_id for c in client.containers.list(all=True))
    finally:
        proc.kill()
