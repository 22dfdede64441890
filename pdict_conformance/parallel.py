"""Parallel runs (``pytest -n N`` with pytest-xdist): one certificate, one seed, services started once.

A ``pytest11`` plugin; it does nothing without xdist.

* **One seed.**  The controller hands its hypothesis seed to every worker, so
  a random seed is still one seed for the whole run.
* **One certificate, as a serial run writes it.**  Workers collect and run;
  each report carries its test's record fields (stable id, name, area,
  provenance), and each worker hands over the records of every test it
  collected when it ends.  The controller keeps the records in collection
  order (tests that never ran included) and writes the certificate; workers
  write none.
* **Services once.**  For a spec that needs services and implements the
  hand-off contract (``handoff()`` in the process that started it,
  ``adopt(state)`` in one that did not), the controller starts the services
  and the spec once and hands ``handoff()`` to every worker, whose
  ``pdict_spec`` fixture calls ``adopt`` instead of starting anything.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest

from . import services
from .report import TestRecord

_ORDER = pytest.StashKey[list]()
_META = pytest.StashKey[dict]()
_SERVICES = pytest.StashKey[contextlib.ExitStack]()
_HANDOFF = pytest.StashKey[str]()
_META_FIELDS = ("nodeid", "name", "area", "provenance")


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _parallel_controller(config: pytest.Config) -> bool:
    return not is_worker(config) and config.pluginmanager.hasplugin("dsession")


def _state(config: pytest.Config) -> Any:
    from .plugin import _state as kit_state

    return kit_state(config)


def _implements_handoff(spec: Any) -> bool:
    """True when the spec's class defines both ``handoff`` and ``adopt`` itself (not
    :class:`BackendSpec`'s defaults, which hand over nothing)."""
    from .spec import BackendSpec

    return all(
        callable(getattr(spec, name, None)) and getattr(type(spec), name, None) is not getattr(BackendSpec, name, None)
        for name in ("handoff", "adopt")
    )


def adopted_state(config: pytest.Config) -> dict[str, Any] | None:
    """In a worker: the spec state the controller handed over (None: start as usual)."""
    if not is_worker(config):
        return None
    text = config.workerinput.get("pdict_handoff")
    return json.loads(text) if text else None


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if is_worker(config):
        seed = config.workerinput.get("pdict_seed")
        if seed is not None:
            config.option.pdict_seed = seed
        config.option.pdict_report = None  # the controller writes the certificate
    else:
        config.pluginmanager.register(_Controller(config), "pdict-parallel-controller")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Controller, before the workers start: start the services and the spec once."""
    config = session.config
    state = _state(config)
    if state is None or not _parallel_controller(config) or not state.spec.services:
        return
    spec = state.spec
    if not _implements_handoff(spec):
        return  # no hand-off of its own: each worker starts its services, as a serial run does
    stack = contextlib.ExitStack()
    try:
        handles = stack.enter_context(services.start(spec.services, config))
        spec.start(handles)
        stack.callback(spec.stop)
        config.stash[_HANDOFF] = json.dumps(spec.handoff())
    except services.ServiceError as exc:
        stack.close()
        pytest.exit(f"pdict: {exc}", returncode=3)
    except Exception as exc:
        stack.close()
        pytest.exit(f"pdict: {spec.describe()} failed to start: {type(exc).__name__}: {exc}", returncode=3)
    config.stash[_SERVICES] = stack


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    state = _state(node.config)
    if state is None:
        return
    node.workerinput["pdict_seed"] = state.seed
    handoff = node.config.stash.get(_HANDOFF, None)
    if handoff is not None:
        node.workerinput["pdict_handoff"] = handoff


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    if call.when != "setup" or not is_worker(item.config):
        return
    state = _state(item.config)
    record = state.records.get(item.nodeid) if state is not None else None
    if record is not None:
        outcome.get_result().pdict_record = {f: getattr(record, f) for f in _META_FIELDS}


def _controller_records(config: pytest.Config, report: pytest.TestReport) -> None:
    state = _state(config)
    meta = getattr(report, "pdict_record", None)
    if state is not None and meta is not None and report.nodeid not in state.records:
        state.records[report.nodeid] = TestRecord(**meta)


class _Controller:
    """Registered on the controller only: sees every worker's reports and records."""

    def __init__(self, config: pytest.Config):
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        _controller_records(self.config, report)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.config.stash.setdefault(_ORDER, list(ids))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        meta = self.config.stash.setdefault(_META, {})
        for nodeid, fields in getattr(node, "workeroutput", {}).get("pdict_records", []):
            meta.setdefault(nodeid, fields)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        state = _state(self.config)
        order = self.config.stash.get(_ORDER, None)
        if state is None or order is None:
            return
        meta = self.config.stash.get(_META, {})
        records = {}
        for nodeid in order:
            record = state.records.get(nodeid)
            if record is None and nodeid in meta:
                record = TestRecord(**meta[nodeid])
            if record is not None:
                records[nodeid] = record
        state.records = records


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if is_worker(config):
        state = _state(config)
        if state is not None:
            config.workeroutput["pdict_records"] = [
                (nodeid, {f: getattr(r, f) for f in _META_FIELDS}) for nodeid, r in state.records.items()
            ]
    stack = config.stash.get(_SERVICES, None)
    if stack is not None:
        stack.close()
