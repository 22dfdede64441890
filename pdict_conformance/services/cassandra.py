"""The ``cassandra`` service: one Cassandra 5.0 node for backends that need it.

By default the kit starts a node in a container with testcontainers (image
``--pdict-cassandra-image``, default the project's locally built
``pdict/cassandra:5.0``, never pulled), publishes CQL on 127.0.0.1 only, waits
until CQL answers, and removes the container when the session ends (see
:mod:`pdict_conformance.services.containers` for the hygiene rules).
testcontainers' reaper (ryuk) is disabled, since its image is not available
everywhere.

With ``--pdict-cassandra-contact-points=HOST[:PORT],...`` the kit uses that
existing cluster instead and starts nothing.

What the spec receives is a :class:`CassandraService`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from . import containers
from .protocol import ServiceError

DEFAULT_IMAGE = "pdict/cassandra:5.0"
CQL_PORT = 9042
STARTUP_TIMEOUT = 240.0
BUILD_HINT = "build it with scripts/build-cassandra-image.sh (or scripts/setup.sh --all)"
DOCKER_HINT = "start one with scripts/ensure-dockerd.sh, or pass --pdict-cassandra-contact-points to use a running Cassandra"


@dataclasses.dataclass(frozen=True)
class CassandraService:
    """Where the nodes are: give these to ``cassandra.cluster.Cluster``."""

    contact_points: tuple[str, ...]
    port: int
    release_version: str = ""
    container_ids: tuple[str, ...] = ()
    #: Seconds from the first container start to every node answering.
    start_seconds: float = 0.0


def parse_contact_points(text: str) -> tuple[tuple[str, ...], int]:
    """``"h1:9042,h2"`` -> ``(("h1", "h2"), 9042)``; one port for all (the driver's rule)."""
    hosts: list[str] = []
    ports: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        host, sep, port = part.rpartition(":")
        if not sep:
            host, port = part, str(CQL_PORT)
        if not host or not port.isdigit():
            raise ServiceError(f"contact points: cannot read {part!r} as HOST[:PORT]")
        hosts.append(host)
        ports.add(int(port))
    if not hosts:
        raise ServiceError("contact points: no host given")
    if len(ports) > 1:
        raise ServiceError("contact points: all must use one port")
    return tuple(hosts), ports.pop()


def wait_for_cql(hosts: tuple[str, ...], port: int, timeout: float, nodes: int = 1) -> str:
    """Connect until ``SELECT release_version`` answers and ``nodes`` nodes are up
    as the driver sees them; return the version."""
    from cassandra.cluster import Cluster

    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        cluster = Cluster(list(hosts), port=port, connect_timeout=5, control_connection_timeout=5)
        try:
            session = cluster.connect()
            version = session.execute("SELECT release_version FROM system.local").one()[0]
            up = [h for h in cluster.metadata.all_hosts() if h.is_up]
            if len(up) >= nodes and (nodes == 1 or cluster.control_connection.wait_for_schema_agreement(wait_time=10)):
                return version
            last = f"{len(up)} of {nodes} nodes up"
        except Exception as exc:  # not up yet: retry until the deadline
            last = exc
        finally:
            cluster.shutdown()
        time.sleep(0.5)
    raise ServiceError(
        f"Cassandra at {', '.join(hosts)} port {port} did not answer CQL within {timeout:.0f} s: {last}"
    )


def tail_logs(container: Any, lines: int = 15) -> str:
    with contextlib.suppress(Exception):
        out, err = container.get_logs()
        text = (out + err).decode(errors="replace").strip().splitlines()[-lines:]
        return "\ncontainer log (last lines):\n" + "\n".join(text)
    return ""


class SingleNode:
    """The ``cassandra`` service (see the module)."""

    def __init__(self, image: str = DEFAULT_IMAGE, contact_points: str | None = None) -> None:
        self.image = image
        self.contact_points = contact_points

    @classmethod
    def add_options(cls, group: Any) -> None:
        group.addoption(
            "--pdict-cassandra-image", default=DEFAULT_IMAGE, metavar="IMAGE",
            help=f"image of the Cassandra nodes the kit starts (default {DEFAULT_IMAGE}; never pulled)",
        )
        group.addoption(
            "--pdict-cassandra-contact-points", metavar="HOST[:PORT],...",
            help="use this existing Cassandra cluster instead of starting a container",
        )

    @classmethod
    def from_options(cls, getoption: Callable[[str], Any]) -> "SingleNode":
        return cls(getoption("pdict_cassandra_image"), getoption("pdict_cassandra_contact_points"))

    @contextlib.contextmanager
    def provide(self) -> Iterator[CassandraService]:
        """Yield a reachable Cassandra node; remove what was started afterwards."""
        if self.contact_points:
            hosts, port = parse_contact_points(self.contact_points)
            yield CassandraService(hosts, port, wait_for_cql(hosts, port, 30.0))
            return
        os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
        client = containers.docker_client(DOCKER_HINT)
        containers.remove_leftovers(client)
        containers.require_image(client, self.image, BUILD_HINT)
        from testcontainers.community.cassandra import CassandraContainer
        from testcontainers.core.wait_strategies import LogMessageWaitStrategy

        container = (
            CassandraContainer(self.image)
            .with_kwargs(labels=containers.owner_labels())
            .waiting_for(LogMessageWaitStrategy("Startup complete").with_startup_timeout(STARTUP_TIMEOUT))
        )
        container.ports[CQL_PORT] = ("127.0.0.1", None)  # publish on the loopback only
        started = time.monotonic()
        with containers.removed_on_exit(container.stop):
            try:
                container.start()
            except Exception as exc:
                raise ServiceError(
                    f"the Cassandra container ({self.image}) did not start: {exc}{tail_logs(container)}"
                ) from None
            port = int(container.get_exposed_port(CQL_PORT))
            hosts = ("127.0.0.1",)
            version = wait_for_cql(hosts, port, max(30.0, STARTUP_TIMEOUT - (time.monotonic() - started)))
            yield CassandraService(hosts, port, version, (container.get_wrapped_container().id,),
                                   time.monotonic() - started)
