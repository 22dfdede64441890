"""Resolving ``--pdict-backend`` into a :class:`BackendSpec`.

Accepted forms:

* ``module:Name`` - ``Name`` (dotted attributes allowed) is a mapping class,
  a ``BackendSpec`` subclass or instance, or a zero-argument factory returning
  a mutable mapping.
* ``name`` - a backend registered by an installed package in the
  ``pdict_conformance.backends`` entry-point group (e.g. ``sqlite``).

Every failure raises :class:`BackendLoadError` with a one-line message.
"""

from __future__ import annotations

import importlib
from collections.abc import MutableMapping
from importlib.metadata import entry_points
from typing import Any

from .spec import BackendSpec, MappingClassSpec

ENTRY_POINT_GROUP = "pdict_conformance.backends"
USAGE = "--pdict-backend takes module:Name (a mapping class or BackendSpec) or a registered backend name"
_MAPPING_METHODS = ("__getitem__", "__setitem__", "__delitem__", "__iter__", "__len__")


class BackendLoadError(Exception):
    """The --pdict-backend value cannot be turned into a backend."""


def registered_backends() -> dict[str, Any]:
    """Entry points of the ``pdict_conformance.backends`` group, by name."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_backend(target: str) -> BackendSpec:
    """The spec for ``target``; raises BackendLoadError with a usable message."""
    target = target.strip()
    if not target:
        raise BackendLoadError(f"empty backend: {USAGE}")
    if ":" not in target:
        known = registered_backends()
        if target not in known:
            names = ", ".join(sorted(known)) or "none installed"
            raise BackendLoadError(
                f"no backend named {target!r} (registered: {names}); {USAGE}"
            )
        try:
            obj = known[target].load()
        except Exception as exc:
            raise BackendLoadError(f"backend {target!r} failed to load: {type(exc).__name__}: {exc}") from exc
        return _to_spec(obj, target)
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        raise BackendLoadError(f"{target!r}: {USAGE}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise BackendLoadError(f"cannot import module {module_name!r} for {target!r}: {exc}") from exc
    except Exception as exc:
        raise BackendLoadError(
            f"importing module {module_name!r} for {target!r} failed: {type(exc).__name__}: {exc}"
        ) from exc
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise BackendLoadError(f"module {module_name!r} has no attribute {attr!r}") from None
    return _to_spec(obj, target)


def _is_mapping_class(obj: Any) -> bool:
    return isinstance(obj, type) and (
        issubclass(obj, MutableMapping) or all(hasattr(obj, m) for m in _MAPPING_METHODS)
    )


def _to_spec(obj: Any, target: str) -> BackendSpec:
    if isinstance(obj, BackendSpec):
        return obj
    if isinstance(obj, type) and issubclass(obj, BackendSpec):
        try:
            return obj()
        except Exception as exc:
            raise BackendLoadError(f"{target!r}: {obj.__name__}() failed: {type(exc).__name__}: {exc}") from exc
    if _is_mapping_class(obj):
        return MappingClassSpec(obj, target)
    if callable(obj) and not isinstance(obj, type):
        try:
            sample = obj()
        except Exception as exc:
            raise BackendLoadError(
                f"{target!r} is not a mapping class or BackendSpec, and calling it with no "
                f"arguments failed: {type(exc).__name__}: {exc}"
            ) from exc
        if isinstance(sample, MutableMapping) or all(hasattr(sample, m) for m in _MAPPING_METHODS):
            return MappingClassSpec(_FactoryClass(obj), target)
    lacks = ""
    if isinstance(obj, type):
        lacks = " (it lacks " + ", ".join(m for m in _MAPPING_METHODS if not hasattr(obj, m)) + ")"
    raise BackendLoadError(
        f"{target!r} is not a mutable mapping class, BackendSpec, or factory of mappings{lacks}"
    )


class _FactoryClass:
    """Lets a factory function stand where MappingClassSpec expects a class."""

    def __init__(self, factory: Any):
        self.factory = factory
        self.__module__ = getattr(factory, "__module__", "")
        self.__qualname__ = getattr(factory, "__qualname__", repr(factory))

    def __call__(self, *args: Any, **kwargs: Any) -> MutableMapping:
        store = self.factory()
        if args or kwargs:
            store.update(*args, **kwargs)
        return store

    def fromkeys(self, keys: Any, value: Any = None) -> MutableMapping:
        store = self.factory()
        for key in keys:
            store[key] = value
        return store
