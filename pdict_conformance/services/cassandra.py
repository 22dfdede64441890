"""The Cassandra service: one Cassandra 5.0 node for backends that need it.

By default the kit starts a node in a container with testcontainers (image
``--pdict-cassandra-image``, default the project's locally built
``pdict/cassandra:5.0``; the official ``cassandra:5.0`` works the same where a
registry is reachable), waits until CQL answers on 127.0.0.1 and the mapped
port, and removes the container when the session ends: also on Ctrl-C or
SIGTERM, and containers left by a killed session are removed by the next one.
testcontainers' reaper (ryuk) is disabled, since its image cannot be pulled
everywhere.

With ``--pdict-cassandra-contact-points=HOST[:PORT],...`` the kit uses that
existing cluster instead and starts nothing.

What the spec receives is a :class:`CassandraService`.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

from . import ServiceError

DEFAULT_IMAGE = "pdict/cassandra:5.0"
CQL_PORT = 9042
OWNER_LABEL = "pdict.conformance.owner-pid"
STARTUP_TIMEOUT = 240.0
BUILD_HINT = "build it with scripts/build-cassandra-image.sh (or scripts/setup.sh --all)"


@dataclasses.dataclass(frozen=True)
class CassandraService:
    """Where the node is: give these to ``cassandra.cluster.Cluster``."""

    contact_points: tuple[str, ...]
    port: int
    release_version: str = ""
    container_id: str | None = None


def add_options(group: Any) -> None:
    group.addoption(
        "--pdict-cassandra-image", default=DEFAULT_IMAGE, metavar="IMAGE",
        help=f"image of the Cassandra node the kit starts (default {DEFAULT_IMAGE}; "
        "the official cassandra:5.0 works where a registry is reachable)",
    )
    group.addoption(
        "--pdict-cassandra-contact-points", metavar="HOST[:PORT],...",
        help="use this existing Cassandra cluster instead of starting a container",
    )


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
            raise ServiceError(f"--pdict-cassandra-contact-points: cannot read {part!r} as HOST[:PORT]")
        hosts.append(host)
        ports.add(int(port))
    if not hosts:
        raise ServiceError("--pdict-cassandra-contact-points: no host given")
    if len(ports) > 1:
        raise ServiceError("--pdict-cassandra-contact-points: all contact points must use one port")
    return tuple(hosts), ports.pop()


def wait_for_cql(hosts: tuple[str, ...], port: int, timeout: float) -> str:
    """Connect until ``SELECT release_version`` answers; return the version."""
    from cassandra.cluster import Cluster

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        cluster = Cluster(list(hosts), port=port, connect_timeout=5, control_connection_timeout=5)
        try:
            session = cluster.connect()
            return session.execute("SELECT release_version FROM system.local").one()[0]
        except Exception as exc:  # not up yet: retry until the deadline
            last = exc
            time.sleep(1.0)
        finally:
            cluster.shutdown()
    raise ServiceError(
        f"Cassandra at {', '.join(hosts)} port {port} did not answer CQL within {timeout:.0f} s: {last}"
    )


def _docker_client() -> Any:
    try:
        import docker
    except ImportError:
        raise ServiceError(
            "the Cassandra service needs testcontainers and docker: pip install 'pdict[cassandra]'"
        ) from None
    try:
        client = docker.from_env()
        client.ping()
    except Exception as exc:
        raise ServiceError(
            f"no Docker engine answers ({exc}); start one with scripts/ensure-dockerd.sh, or pass "
            "--pdict-cassandra-contact-points to use a running Cassandra"
        ) from None
    return client


def _ensure_image(client: Any, image: str) -> None:
    import docker.errors

    try:
        client.images.get(image)
        return
    except docker.errors.ImageNotFound:
        pass
    try:
        client.images.pull(image)
    except Exception as exc:
        raise ServiceError(
            f"the Cassandra image {image!r} is not on this machine and could not be pulled ({exc}); "
            + BUILD_HINT
        ) from None


def remove_leftovers(client: Any) -> list[str]:
    """Remove containers labelled by earlier sessions whose process is gone."""
    removed = []
    for container in client.containers.list(all=True, filters={"label": OWNER_LABEL}):
        pid = int(container.labels.get(OWNER_LABEL, "0") or 0)
        if pid and pid != os.getpid() and _alive(pid):
            continue
        container.remove(force=True, v=True)
        removed.append(container.short_id)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _removed_on_exit(container: Any) -> Iterator[None]:
    """Stop the container on leaving, at interpreter exit, and on SIGTERM."""
    done = False

    def remove() -> None:
        nonlocal done
        if not done:
            done = True
            with contextlib.suppress(Exception):
                container.stop()

    def on_sigterm(signum: int, frame: Any) -> None:
        remove()
        raise SystemExit(128 + signum)

    atexit.register(remove)
    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        remove()
        atexit.unregister(remove)


@contextlib.contextmanager
def provide(config: Any) -> Iterator[CassandraService]:
    """Yield a reachable Cassandra node for the session; clean up afterwards."""
    points = config.getoption("pdict_cassandra_contact_points")
    if points:
        hosts, port = parse_contact_points(points)
        yield CassandraService(hosts, port, wait_for_cql(hosts, port, 30.0))
        return
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    image = config.getoption("pdict_cassandra_image")
    client = _docker_client()
    remove_leftovers(client)
    _ensure_image(client, image)
    from testcontainers.community.cassandra import CassandraContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    container = (
        CassandraContainer(image)
        .with_kwargs(labels={OWNER_LABEL: str(os.getpid())})
        .waiting_for(LogMessageWaitStrategy("Startup complete").with_startup_timeout(STARTUP_TIMEOUT))
    )
    container.ports[CQL_PORT] = ("127.0.0.1", None)  # publish on the loopback only
    started = time.monotonic()
    with _removed_on_exit(container):
        try:
            container.start()
        except Exception as exc:
            logs = _tail_logs(container)
            raise ServiceError(f"the Cassandra container ({image}) did not start: {exc}{logs}") from None
        port = int(container.get_exposed_port(CQL_PORT))
        hosts = ("127.0.0.1",)
        version = wait_for_cql(hosts, port, max(30.0, STARTUP_TIMEOUT - (time.monotonic() - started)))
        yield CassandraService(hosts, port, version, container.get_wrapped_container().id)


def _tail_logs(container: Any) -> str:
    with contextlib.suppress(Exception):
        out, err = container.get_logs()
        text = (out + err).decode(errors="replace").strip().splitlines()[-15:]
        return "\ncontainer log (last lines):\n" + "\n".join(text)
    return ""
