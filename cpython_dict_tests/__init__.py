"""CPython's own dict tests, ported to the kit.

The source is CPython 3.13.0: ``Lib/test/test_dict.py`` (class ``DictTest``,
83 test methods) and ``Lib/test/mapping_tests.py`` (classes
``BasicTestMappingProtocol``, ``TestMappingProtocol`` and
``TestHashMappingProtocol``, 38 test methods).  Every test case that can apply
to a mapping is rewritten here as a plain pytest function on the kit's
fixtures (``store``, ``harness``, ``caps``), so it runs against any backend:

* ``test_dict.py`` mirrors ``DictTest``;
* ``test_mapping_protocol.py`` mirrors the ``mapping_tests`` classes (a part
  that checks exactly what a ``DictTest`` part checks is one test in
  ``test_dict.py`` naming both sources).

Each test carries ``@pytest.mark.cpython("<module>.<Class>.<method>", ...)``,
which the certificate shows as ``CPython 3.13.0 <source>``.  A method checking
several things is split into ``test_<method>__<part>`` tests, so a backend can
pass one part and fail another.  Tests that need a capability a backend lacks
are gated with ``pdict_requires``; tests of dict behaviour a declared
capability rules out are ``pdict_deviates``.

``docs/cpython-tests.md`` lists all 121 source methods and what became of each
(ported, ported and gated, or not applicable and why).
"""

CPYTHON_VERSION = "3.13.0"
