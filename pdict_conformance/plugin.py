"""The pytest plugin: ``pytest --pdict-backend=module:Name`` runs the kit.

Installed as a ``pytest11`` entry point, so it is active wherever the package
is installed.  Without ``--pdict-backend`` it does nothing.  With it, and no
test paths on the command line, the session collects the kit's own tests
(the conformance suite, the stateful models and the ported CPython tests);
with explicit paths, those paths run, with the kit's fixtures available.

Fixtures for test authors:

``harness``  a :class:`~pdict_conformance.harness.StoreHarness` for this test.
``store``    a fresh, empty store.
``caps``     the backend's :class:`~pdict_conformance.capabilities.Capabilities`.
``pdict_spec``  the :class:`~pdict_conformance.spec.BackendSpec` in use; the
             first test that needs it starts the spec's services and runs the
             preflight (:mod:`pdict_conformance.preflight`), which ends the run
             with one message if no store can be opened or it is not a
             mutable mapping.
``pdict_run``  the run's :class:`RunInfo` (target, profile, seed).

The kit's own test files are collected by the kit itself, whatever the host's
``python_files``, ``python_classes`` and ``python_functions`` settings.  A kit
test may attach to its certificate record a one-line ``pdict_detail`` and a
falsifying ``pdict_example`` through ``request.node.user_properties``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import seed as hypothesis_seed

from . import parallel, services
from .capabilities import Capabilities, CapabilityError
from .gating import capability_deviation, named_deviation, unmet_requirement
from .harness import StoreHarness
from .loading import BackendLoadError, load_backend
from .preflight import PreflightError, preflight
from .profiles import DEFAULT_PROFILE, PROFILES, load_profile, register_profiles
from .certificate import BAD_OUTCOMES
from .report import TestRecord, build_certificate, classify, write_certificate
from .spec import BackendSpec

_STATE = pytest.StashKey["KitState"]()

#: The exit code of a run that cannot certify at all: a service or the spec
#: failed to start, or the preflight failed.
EXIT_BACKEND_UNUSABLE = 3


def kit_test_paths() -> list[Path]:
    """The directories of the kit's own tests."""
    import cpython_dict_tests

    here = Path(__file__).resolve().parent
    return [
        here / "suite", here / "models", Path(cpython_dict_tests.__file__).resolve().parent,
        durability_tier_path(),
    ]


def durability_tier_path() -> Path:
    """The durability and concurrency tier (``--pdict-durability`` selects it)."""
    return Path(__file__).resolve().parent / "durability"


#: ``--pdict-durability`` values: run the tier with the rest, run only it, or skip it.
DURABILITY_CHOICES = ("include", "only", "skip")


@dataclasses.dataclass(frozen=True)
class RunInfo:
    """What a kit test needs to know about the run it is part of."""

    target: str
    profile: str
    seed: int

    @property
    def shrink_seconds(self) -> float | None:
        """The state machines' shrink-time budget under this profile."""
        return PROFILES[self.profile].shrink_seconds

    def reproduce(self, test: str) -> str:
        """The command that reruns ``test`` with this run's profile and seed."""
        return (
            f"pytest --pdict-backend={self.target} --pdict-profile={self.profile} "
            f"--pdict-seed={self.seed} -k '{test}'"
        )


class KitState:
    """The session's backend, capabilities and test records; registered as a
    plugin so that it receives the session's hooks."""

    def __init__(
        self, target: str, spec: BackendSpec, caps: Capabilities, profile: str, seed: int, command: str = ""
    ):
        self.target = target
        self.command = command
        self.spec = spec
        self.caps = caps
        self.profile = profile
        self.seed = seed
        self.records: dict[str, TestRecord] = {}
        self.aborted: str | None = None

    @property
    def run(self) -> RunInfo:
        return RunInfo(self.target, self.profile, self.seed)

    def pytest_report_header(self) -> list[str]:
        return [
            f"pdict backend: {self.spec.describe()}"
            + ("" if self.spec.describe() == self.target else f" ({self.target})"),
            f"pdict hypothesis: profile={self.profile} seed={self.seed} "
            f"(rerun with --pdict-profile={self.profile} --pdict-seed={self.seed})",
        ]

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        _select_durability(config, items)
        for item in items:
            _gate(self, item)
            test = getattr(item, "obj", None)
            if test is not None and hasattr(test, "hypothesis"):
                hypothesis_seed(self.seed)(test)  # the public form of --hypothesis-seed

    @pytest.hookimpl(wrapper=True)
    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> Any:
        """Kit files are collected by the kit's naming rules, not the host's ini."""
        collected = yield
        if file_path.suffix != ".py" or not any(file_path.is_relative_to(p) for p in kit_test_paths()):
            return collected
        kept = [c for c in collected if not isinstance(c, pytest.Module)]
        if file_path.name.startswith("test_"):
            kept.append(KitModule.from_parent(parent, path=file_path))
        return kept

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.records = {
            item.nodeid: TestRecord(
                nodeid=stable_id(item), name=item.name, area=_area(item), provenance=_provenance(item)
            )
            for item in session.items
        }

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = self.records.get(report.nodeid)
        if record is None:
            return
        record.duration += report.duration
        for name, value in report.user_properties:
            if name == FIGURES_PROPERTY and value:
                record.figures = {**(record.figures or {}), **value}
        settled = classify(report)
        if settled is None:
            return
        if report.when == "teardown" and (settled[0] != "error" or record.outcome == "failed"):
            return
        record.outcome, record.detail = settled
        if record.outcome == "failed":
            extra = dict(report.user_properties)
            record.detail = str(extra.get("pdict_detail", record.detail))
            if "pdict_example" in extra:
                record.example = str(extra["pdict_example"])

    def certificate(self) -> dict[str, Any]:
        return build_certificate(
            backend=self.spec.describe(),
            target=self.target,
            backend_distribution=self.spec.distribution,
            capabilities=self.caps.as_json(),
            deviations=dict(self.spec.deviations),
            profile=self.profile,
            seed=self.seed,
            records=list(self.records.values()),
            command=self.command or None,
        )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = session.config.getoption("pdict_report")
        if path and not session.config.option.collectonly and self.aborted is None:
            write_certificate(Path(path), self.certificate())

    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        if self.aborted is not None:
            terminalreporter.section("pdict conformance")
            terminalreporter.write_line(f"{self.spec.describe()}: NOT CERTIFIED: {self.aborted}")
            return
        if not self.records or config.option.collectonly:
            return
        cert = self.certificate()
        s = cert["summary"]
        tr = terminalreporter
        tr.section("pdict conformance")
        verdict = "CONFORMS" if cert["conforms"] else "DOES NOT CONFORM"
        tr.write_line(
            f"{self.spec.describe()}: {verdict}: {s['passed']} passed, {s['failed']} failed, "
            f"{s['error']} errors, {s['stale deviation']} stale deviations, {s['deviation']} declared deviations, "
            f"{s['not applicable']} not applicable"
        )
        tr.write_line(f"hypothesis profile={self.profile} seed={self.seed}")
        for r in cert["tests"]:
            if r["outcome"] in BAD_OUTCOMES:
                tr.write_line(f"  {r['outcome'].upper()}: {r['nodeid']}: {r['detail']}")
        path = config.getoption("pdict_report")
        if path:
            tr.write_line(f"certificate: {path} and {Path(path).with_suffix('.md')}")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pdict", "pdict conformance kit")
    group.addoption(
        "--pdict-backend", metavar="MODULE:NAME|NAME",
        help="certify this backend: a mapping class, a BackendSpec, or a registered backend name",
    )
    group.addoption(
        "--pdict-report", metavar="PATH",
        help="write the JSON certificate to PATH and the Markdown one beside it (.md)",
    )
    group.addoption(
        "--pdict-profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE,
        help=f"hypothesis profile for the stateful models (default {DEFAULT_PROFILE})",
    )
    group.addoption("--pdict-seed", type=int, metavar="N", help="hypothesis seed (default: random, printed)")
    group.addoption(
        "--pdict-durability", choices=DURABILITY_CHOICES, default="include",
        help="the durability and concurrency tier (crash, processes, threads, fork, resources): "
        "include it (default), run only it, or skip it",
    )
    services.add_options(group)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pdict_requires(**caps): test applies only with these capabilities")
    config.addinivalue_line("markers", "pdict_deviates(**caps): dict behaviour these capabilities declare absent")
    config.addinivalue_line(
        "markers", "pdict_may_deviate(**caps): behaviour these capabilities do not promise (a race): "
        "a failure is a declared deviation, a pass is not stale"
    )
    config.addinivalue_line("markers", "cpython(test, version): the CPython test this one mirrors")
    config.addinivalue_line("markers", "pdict_area(name): the area of the contract a test belongs to")
    register_profiles()
    target = config.getoption("pdict_backend")
    if target is None:
        return
    report = config.getoption("pdict_report")
    if report and Path(report).suffix == ".md":
        raise pytest.UsageError("--pdict-report names the JSON file; the Markdown one is written beside it")
    # As with ``python -m pytest``: a module in the folder pytest runs in can be named.
    invocation_dir = str(config.invocation_params.dir)
    if invocation_dir not in sys.path:
        sys.path.insert(0, invocation_dir)
    try:
        spec = load_backend(target)
        caps = spec.declared_capabilities()
    except (BackendLoadError, CapabilityError) as exc:
        raise pytest.UsageError(f"--pdict-backend: {exc}") from None
    try:
        services.check_names(spec.services)
    except ValueError as exc:
        raise pytest.UsageError(f"--pdict-backend: {exc}") from None
    profile = config.getoption("pdict_profile")
    seed = config.getoption("pdict_seed")
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
    load_profile(profile)
    command = shlex.join(["pytest", *config.invocation_params.args])
    state = KitState(target, spec, caps, profile, seed, command)
    config.stash[_STATE] = state
    config.pluginmanager.register(state, "pdict-kit-state")
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args[:] = [str(p) for p in _default_paths(config.getoption("pdict_durability"))]


def _default_paths(durability: str) -> list[Path]:
    """The kit's test paths for a ``--pdict-durability`` choice."""
    tier = durability_tier_path()
    if durability == "only":
        return [tier]
    return [p for p in kit_test_paths() if durability == "include" or p != tier]


class KitModule(pytest.Module):
    """A kit test file: ``test*`` functions and ``Test*`` classes, as pytest's
    defaults say, whatever the host's ini says."""

    def funcnamefilter(self, name: str) -> bool:
        return name.startswith("test")

    def classnamefilter(self, name: str) -> bool:
        return name.startswith("Test")


def _select_durability(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the tier's tests (``skip``) or every other test (``only``)."""
    choice = config.getoption("pdict_durability")
    if choice == "include":
        return
    tier = durability_tier_path()
    keep, drop = [], []
    for item in items:
        in_tier = item.path.resolve().is_relative_to(tier)
        (keep if in_tier == (choice == "only") else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _state(config: pytest.Config) -> KitState | None:
    return config.stash.get(_STATE, None)


def stable_id(item: pytest.Item) -> str:
    """The test's id whatever folder pytest runs in: kit tests are named from
    their package (``pdict_conformance/suite/test_order.py::test_x``)."""
    path = item.path.resolve()
    rest = item.nodeid.split("::", 1)[1] if "::" in item.nodeid else item.name
    for root in kit_test_paths():
        base = root.parent if root.name == "cpython_dict_tests" else root.parent.parent
        if path.is_relative_to(root):
            return f"{path.relative_to(base).as_posix()}::{rest}"
    return item.nodeid


def _area(item: pytest.Item) -> str:
    marker = item.get_closest_marker("pdict_area")
    if marker:
        return marker.args[0]
    area = getattr(getattr(item, "module", None), "AREA", None)
    return area or item.path.stem.removeprefix("test_")


def _provenance(item: pytest.Item) -> str:
    marker = item.get_closest_marker("cpython")
    if marker is None:
        return "pdict kit"
    version = marker.kwargs.get("version", "3.13.0")
    return f"CPython {version} " + ", ".join(marker.args)


def _gate(state: KitState, item: pytest.Item) -> None:
    """Mark ``item`` not applicable or a declared deviation, per the capabilities."""
    wanted: dict[str, Any] = {}
    for marker in reversed(list(item.iter_markers("pdict_requires"))):
        wanted.update(marker.kwargs)
    declared: dict[str, Any] = {}
    for marker in item.iter_markers("pdict_deviates"):
        declared.update(marker.kwargs)
    unpromised: dict[str, Any] = {}
    for marker in item.iter_markers("pdict_may_deviate"):
        unpromised.update(marker.kwargs)
    name = getattr(item, "originalname", None) or item.name
    try:
        skip = unmet_requirement(state.caps, wanted)
        deviation = capability_deviation(state.caps, declared) or named_deviation(
            state.spec.deviations, stable_id(item), name
        )
        may_deviate = capability_deviation(state.caps, unpromised)
    except CapabilityError as exc:
        raise pytest.UsageError(f"{item.nodeid}: {exc}") from None
    if skip:
        item.add_marker(pytest.mark.skip(reason=skip))
    elif deviation:
        item.add_marker(pytest.mark.xfail(strict=True, reason=deviation))
    elif may_deviate:
        # "Nothing promised" (e.g. a race that may or may not show in one run):
        # a failure is the declared deviation, a pass is a pass, never stale.
        item.add_marker(pytest.mark.xfail(strict=False, reason=may_deviate))


# -- fixtures --------------------------------------------------------------

def _abort(state: KitState, message: str) -> None:
    """End the session now: the backend cannot be certified at all."""
    state.aborted = message
    pytest.exit(f"pdict: {message}", returncode=EXIT_BACKEND_UNUSABLE)


@pytest.fixture(scope="session")
def pdict_spec(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendSpec]:
    """The started backend spec for this session (its services running, the preflight passed)."""
    state = _state(request.config)
    if state is None:
        pytest.fail("the pdict kit fixtures need --pdict-backend=MODULE:NAME", pytrace=False)
    spec = state.spec
    adopted = parallel.adopted_state(request.config)
    if adopted is not None:  # an xdist worker: the controller started the services and the spec
        spec.adopt(adopted)
        yield spec
        return
    with contextlib.ExitStack() as stack:
        try:
            handles = stack.enter_context(services.start(spec.services, request.config))
        except services.ServiceError as exc:
            _abort(state, str(exc))
        try:
            spec.start(handles)
        except Exception as exc:
            _abort(state, f"{spec.describe()} failed to start: {type(exc).__name__}: {exc}")
        stack.callback(spec.stop)
        try:
            preflight(spec, state.caps, tmp_path_factory.mktemp("pdict-preflight"))
        except PreflightError as exc:
            _abort(state, str(exc))
        yield spec


@pytest.fixture(scope="session")
def pdict_run(request: pytest.FixtureRequest) -> RunInfo:
    """The run's target, hypothesis profile and seed."""
    state = _state(request.config)
    if state is None:
        pytest.fail("the pdict kit fixtures need --pdict-backend=MODULE:NAME", pytrace=False)
    return state.run


@pytest.fixture(scope="session")
def caps(pdict_spec: BackendSpec, request: pytest.FixtureRequest) -> Capabilities:
    """The backend's declared capabilities."""
    state = _state(request.config)
    assert state is not None
    return state.caps


@pytest.fixture
def harness(pdict_spec: BackendSpec, caps: Capabilities, tmp_path: Path) -> Iterator[StoreHarness]:
    """Opens stores for this test and cleans them all up afterwards."""
    h = StoreHarness(pdict_spec, caps, tmp_path)
    try:
        yield h
    finally:
        h.cleanup()


#: The ``user_properties`` name under which a test's figures reach its report.
FIGURES_PROPERTY = "pdict_figures"


@pytest.fixture
def pdict_figures(request: pytest.FixtureRequest) -> dict[str, float]:
    """A dict the test fills with measured figures (name -> number); they go
    into the test's certificate record, even when the test fails."""
    figures: dict[str, float] = {}
    request.node.user_properties.append((FIGURES_PROPERTY, figures))
    return figures


@pytest.fixture
def store(harness: StoreHarness):
    """A fresh, empty store."""
    return harness.new()
