"""The stateful model: the store against a dict over random operation sequences."""

from __future__ import annotations

from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from pdict_conformance.models.dict_model import dict_model_machine

AREA = "stateful model"


def test_store_behaves_like_dict(harness):
    """Random sequences of every dict operation (get/set/del, get, pop, popitem,
    setdefault, update with a mapping, pairs and keywords, clear, copy, |, |=,
    views and their set operations, len, in, iteration, reversed, ==), and
    reopen / a second handle where declared, leave the store equal to a dict
    run side by side, checked after every step."""
    machine = dict_model_machine(harness)
    run_state_machine_as_test(machine, settings=settings())
