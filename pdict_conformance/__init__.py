"""pdict_conformance: a conformance kit for persistent dict-like stores.

The contract
============

A conforming store behaves as the builtin ``dict`` does, through the
``MutableMapping`` interface and dict's own extras (``copy``, ``fromkeys``,
``|``/``|=``, ``reversed``), except where the backend *declares* otherwise:

* Keys: every key of a declared type can be stored and found again; keys that
  compare equal (``1``, ``1.0``, ``True``) are one key, and the key object
  first inserted is the one iteration yields.
* Values: reading a key gives back what was stored (the same object, an equal
  one, or its JSON round trip, as declared), never a silently changed type.
* Order: iteration follows insertion order, an overwrite keeps a key's place,
  ``popitem`` takes the last item; or the declared sorted order; or none.
* Size and membership are exact at every moment (no stale ``len``), views are
  live and support set operations, iteration sees every key exactly once
  however many keys there are, and errors are dict's (``KeyError`` with the
  key, ``TypeError`` for a wrong call).
* Persistence (if declared): a reopened store holds exactly what was written,
  and a second handle sees every change at once.

How to run it
=============

``pytest --pdict-backend=module:Name`` in any folder.  ``Name`` is a mapping
class (judged against full dict semantics) or a :class:`BackendSpec` that says
how to open stores and which :mod:`capabilities <pdict_conformance.capabilities>`
the backend has.  ``--pdict-report=cert.json`` writes the certificate.

Every test ends as *passed*, *not applicable* (a capability rules it out),
*declared deviation* (strict: a passing one is an error) or *failed*.
"""

from typing import TYPE_CHECKING, Any

from .capabilities import CAPABILITIES, Capabilities, CapabilityError
from .spec import BackendSpec, MappingClassSpec

if TYPE_CHECKING:
    from .harness import StoreHarness


def __getattr__(name: str) -> Any:
    # StoreHarness needs pytest; importing it lazily keeps ``import pdict_conformance``
    # (and every backend spec module) free of pytest, so that the durability tier's
    # child processes start in a fraction of the time.
    if name == "StoreHarness":
        from .harness import StoreHarness

        return StoreHarness
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BackendSpec",
    "MappingClassSpec",
    "Capabilities",
    "CapabilityError",
    "CAPABILITIES",
    "StoreHarness",
]
__version__ = "0.1.0"
