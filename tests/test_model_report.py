"""What a failing state machine leaves in the certificate, and the Markdown page.

The model's record carries a one-line reason and a falsifying ``example`` (its
steps and the command that reproduces the run); the Markdown certificate opens
with the verdict and a failures-first table, and escapes what tests write.
"""

from __future__ import annotations

import re

from pdict_conformance.report import TestRecord as Record
from pdict_conformance.report import build_certificate, render_markdown

MODEL = "test_store_behaves_like_dict"


def _cert(records):
    return build_certificate(
        backend="my<store>", target="mod:Store", backend_distribution=None, capabilities={"ordering": "none"},
        deviations={}, profile="ci", seed=7, records=records,
    )


def test_markdown_opens_with_the_verdict_and_the_failures():
    records = [
        Record("suite/test_views.py::test_keys", "test_keys", "views", "pdict kit", "passed", ""),
        Record("suite/test_views.py::test_values", "test_values", "views", "pdict kit", "failed",
                   "values() is <generator object values at 0x7f> | not a view, *sorry*"),
        Record("models/test_dict_model.py::" + MODEL, MODEL, "stateful model", "pdict kit", "failed",
                   "the store diverged from dict in 1 kind of operation",
                   example="1. get_item: KeyError\n     store = <a new store>\n     store['']\nreproduce: pytest -k x"),
    ]
    md = render_markdown(_cert(records))
    lines = md.splitlines()
    assert lines[0] == "# pdict conformance certificate: `my<store>`"
    assert lines[2].startswith("**DOES NOT CONFORM**: 1 passed, 2 failed")
    assert md.index("## Failures") < md.index("## Falsifying examples") < md.index("## Versions") < md.index("## Tests")
    failures = md[md.index("## Failures"):md.index("## Falsifying examples")]
    assert "test_keys" not in failures
    assert ("| `test_values` | views | failed | values() is &lt;generator object values at 0x7f&gt; "
            "\\| not a view, \\*sorry\\* |  |") in failures
    assert f"| `{MODEL}` | stateful model | failed |" in failures and "[below](#falsifying-examples)" in failures
    block = md[md.index("## Falsifying examples"):md.index("## Versions")]
    assert "```text\n1. get_item: KeyError\n     store = <a new store>\n     store['']\nreproduce: pytest -k x\n```" in block
    # Nothing a renderer would swallow as HTML, outside code: every < of the detail is escaped.
    assert "<generator" not in md


def test_conforming_certificate_has_no_failures_section():
    md = render_markdown(_cert([Record("a::test_a", "test_a", "keys", "pdict kit", "passed", "")]))
    assert "**CONFORMS**" in md.splitlines()[2] and "## Failures" not in md
    assert "example" not in _cert([Record("a::test_a", "test_a", "keys", "pdict kit", "passed", "")])["tests"][0]


def test_failing_model_records_its_example(run_kit):
    run = run_kit("broken_mappings:KeyErrorWithoutKey", paths=["models"], profile="ci")
    assert run.ret == 1, run.output[-3000:]
    record = run.record(MODEL)
    assert record["outcome"] == "failed"
    assert record["detail"].startswith("the store diverged from dict in ")
    assert "KeyError should carry the key" in record["detail"]
    example = record["example"].splitlines()
    assert example[0].startswith("1. ") and example[1].strip() == "store = <a new store>"
    assert example[-1] == (
        "reproduce: pytest --pdict-backend=broken_mappings:KeyErrorWithoutKey --pdict-profile=ci "
        f"--pdict-seed={run.cert['hypothesis']['seed']} -k '{MODEL}'"
    )
    md = run.report.with_suffix(".md").read_text(encoding="utf-8")
    assert md.index("## Failures") < md.index("## Versions")
    assert record["example"] in md
    # The terminal shows the example too.
    assert "reproduce: pytest --pdict-backend=broken_mappings:KeyErrorWithoutKey" in run.output


GIVEN_TEST = """
from hypothesis import given, settings, strategies as st


@settings(max_examples=20)
@given(st.integers())
def test_draw(x):
    print("DRAWN", x)
"""


def test_seed_option_seeds_hypothesis_tests(run_kit, pytester):
    """--pdict-seed seeds @given tests through hypothesis' public seed: the same
    seed draws the same values, another seed others."""
    pytester.makepyfile(test_given=GIVEN_TEST)

    def draws(seed: int) -> list[str]:
        run = run_kit("builtins:dict", "-s", str(pytester.path / "test_given.py"), seed=seed, report=None)
        assert run.ret == 0, run.output[-2000:]
        return re.findall(r"DRAWN (-?\d+)", run.output)

    first = draws(11)
    assert len(first) == 20
    assert draws(11) == first
    assert draws(12) != first
