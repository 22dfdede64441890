"""The stateful model: the store against a dict over random operation sequences."""

from __future__ import annotations

import pytest

from pdict_conformance.models.dict_model import bind, explore

AREA = "stateful model"


def test_store_behaves_like_dict(harness, pdict_run, request):
    """Random sequences of every dict operation (get/set/del, get, pop, popitem,
    setdefault, update with a mapping, pairs, keywords and a bad item, clear,
    copy, |, |=, views and their set operations, len, in, iteration, reversed,
    ==, mutating stored values), and reopen / a second handle where declared,
    leave the store as dict would under the declaration, checked after every
    step.  The run goes past each divergence where that is sound and reports
    the first of each kind with the shortest example found."""
    machine = bind(harness, shrink_seconds=pdict_run.shrink_seconds)
    journal = explore(machine, seed=pdict_run.seed)
    if journal.findings:
        example = journal.example(pdict_run.reproduce(request.node.name))
        request.node.user_properties.append(("pdict_detail", journal.summary()))
        request.node.user_properties.append(("pdict_example", example))
        pytest.fail(journal.summary() + "\n\n" + example, pytrace=False)
