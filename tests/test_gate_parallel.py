"""``pytest -n 2`` (pytest-xdist): the same certificate as a serial run, services started once."""

from __future__ import annotations

#: A service, registered as a package would register it (``_install_counting_service``):
#: every start, stop and adoption is appended to ``events.log`` with the process id.
COUNTING_SERVICE = '''
import contextlib
import os

LOG = os.path.join(os.environ["PDICT_EVENTS_DIR"], "events.log")


def log(event):
    with open(LOG, "a") as fh:
        fh.write(f"{event} {os.getpid()}\\n")


class CountingService:
    @classmethod
    def add_options(cls, group):
        pass

    @classmethod
    def from_options(cls, getoption):
        return cls()

    @contextlib.contextmanager
    def provide(self):
        log("service-start")
        try:
            yield "token-42"
        finally:
            log("service-stop")
'''


def _install_counting_service(pytester, spec: str) -> None:
    """The service module, the spec, and a dist-info that registers the service in the
    ``pdict_conformance.services`` entry-point group (found on sys.path, as installed)."""
    pytester.makepyfile(counting_service=COUNTING_SERVICE, counted=spec)
    info = pytester.path / "counting_service-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: counting-service\nVersion: 0\n")
    (info / "entry_points.txt").write_text(
        "[pdict_conformance.services]\ncounting = counting_service:CountingService\n"
    )

SPEC = '''
from pdict_conformance import BackendSpec

import counting_service


class CountedSpec(BackendSpec):
    services = ("counting",)

    def start(self, handles):
        counting_service.log("spec-start")
        self.token = handles["counting"]

    def handoff(self):
        return {"token": self.token}

    def adopt(self, state):
        counting_service.log("adopt-" + state["token"])
        self.token = state["token"]

    def open(self, location, *args, **kwargs):
        assert self.token == "token-42"
        return dict(*args, **kwargs)
'''

PATHS = ["suite/test_order.py", "suite/test_views.py", "cpython/test_mapping_protocol.py"]


def _content(cert: dict) -> dict:
    """The certificate without what differs between any two runs (timings, the command line)."""
    return {**{k: v for k, v in cert.items() if k != "command"},
            "tests": [{k: v for k, v in t.items() if k != "duration"} for t in cert["tests"]]}


def test_parallel_certificate_equals_serial(run_kit):
    parallel = run_kit("reference_backends.specs:SqliteSpec", "-n", "2", paths=PATHS, seed=None,
                       report="parallel.json")
    assert parallel.ret == 0, parallel.output[-3000:]
    seed = parallel.cert["hypothesis"]["seed"]  # one random seed for the whole run, not one per worker
    serial = run_kit("reference_backends.specs:SqliteSpec", paths=PATHS, seed=seed, report="serial.json")
    assert serial.ret == 0, serial.output[-3000:]
    assert len(serial.cert["tests"]) > 50
    assert _content(parallel.cert) == _content(serial.cert)
    assert " -n 2 " in parallel.cert["command"]


def test_parallel_run_keeps_tests_that_never_ran(run_kit):
    """-x stops the run: the tests no worker reached are on the certificate as never run, in order."""
    parallel = run_kit("broken_mappings:OverwriteMovesToEnd", "-n", "2", "-x", paths=["suite/test_order.py"],
                       report="parallel.json")
    cert = parallel.cert
    assert parallel.ret in (1, 2)  # xdist reports a stop after -x as an interruption
    serial = run_kit("broken_mappings:OverwriteMovesToEnd", paths=["suite/test_order.py"], report="serial.json")
    assert [t["nodeid"] for t in cert["tests"]] == [t["nodeid"] for t in serial.cert["tests"]]
    assert any(t["outcome"] == "failed" for t in cert["tests"])
    assert cert["summary"]["total"] == len(cert["tests"])


def test_services_start_once_per_run(run_kit, pytester, monkeypatch):
    monkeypatch.setenv("PDICT_EVENTS_DIR", str(pytester.path))
    _install_counting_service(pytester, SPEC)
    run = run_kit("counted:CountedSpec", "-n", "2", paths=["suite/test_order.py"])
    assert run.ret == 0, run.output[-3000:]
    events = [line.split() for line in (pytester.path / "events.log").read_text().splitlines()]
    kinds = [e[0] for e in events]
    assert kinds.count("service-start") == kinds.count("spec-start") == kinds.count("service-stop") == 1
    assert kinds.count("adopt-token-42") == 2  # each worker adopts, none starts
    starter = {pid for kind, pid in events if kind == "service-start"}
    adopters = {pid for kind, pid in events if kind.startswith("adopt")}
    assert len(adopters) == 2 and not (starter & adopters)
    assert run.cert["summary"]["passed"] > 5


def test_serial_run_with_a_service_starts_it_in_the_session(run_kit, pytester, monkeypatch):
    """Without workers (-n 0) the session starts the service itself, once, and adopts nothing."""
    monkeypatch.setenv("PDICT_EVENTS_DIR", str(pytester.path))
    _install_counting_service(pytester, SPEC)
    run = run_kit("counted:CountedSpec", "-n", "0", paths=["suite/test_order.py"])
    assert run.ret == 0, run.output[-3000:]
    kinds = [line.split()[0] for line in (pytester.path / "events.log").read_text().splitlines()]
    assert kinds == ["service-start", "spec-start", "service-stop"]


def test_without_a_handoff_each_worker_starts_its_services(run_kit, pytester, monkeypatch):
    """A spec that does not implement handoff/adopt is started per worker, as in a serial run."""
    monkeypatch.setenv("PDICT_EVENTS_DIR", str(pytester.path))
    no_handoff = SPEC.replace("    def handoff(self):", "    def _handoff(self):").replace(
        "    def adopt(self, state):", "    def _adopt(self, state):")
    _install_counting_service(pytester, no_handoff)
    run = run_kit("counted:CountedSpec", "-n", "2", paths=["suite/test_order.py"])
    assert run.ret == 0, run.output[-3000:]
    kinds = [line.split()[0] for line in (pytester.path / "events.log").read_text().splitlines()]
    assert kinds.count("service-start") == kinds.count("spec-start") == 2
    assert not any(k.startswith("adopt") for k in kinds)
