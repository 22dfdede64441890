"""pdict's benchmark harness: commands that measure the reference backends
side by side with the raw APIs and write JSON results; ``benchmarks.plot``
turns the JSON into the PNG plots and tables of ``docs/benchmarks.md``.

Run everything (the one command behind ``docs/benchmarks.md``)::

    .venv/bin/python -m benchmarks

or one benchmark: ``.venv/bin/python -m benchmarks.bench_sqlite --help``.
"""
