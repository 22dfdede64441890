"""The durability and concurrency tier: what a persistent store promises when
processes die, when several processes and threads share it, after ``fork``,
and when its file system is full or read-only.

Its tests run for every spec that declares ``persistent=True`` and are gated
on the capabilities ``crash_durability``, ``processes``, ``thread_safe``,
``atomic_rmw``, ``after_fork`` and ``update_atomic`` (see
:mod:`pdict_conformance.capabilities`), with declared deviations held strictly
as everywhere in the kit.  ``--pdict-durability=only|skip`` runs only the
tier or leaves it out.

Modules: :mod:`.sizes` (how much each profile does), :mod:`.child` (the
process a test starts fresh: rebuilds the spec from the same
``--pdict-backend`` target and obeys commands), :mod:`.children` (starting,
talking to, killing and reaping those processes), :mod:`.workload` (the
crash workload and its judge), :mod:`.mounts` (small file systems for the
resource tests), :mod:`.fixtures` (the ``tier`` fixture); the ``test_*``
modules are the tests.
"""
