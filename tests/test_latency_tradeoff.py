# SPDX-License-Identifier: Apache-2.0
"""scripts/latency_tradeoff.py: each cut lengthens the model by the cycle it names, and only inside."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from eie.models import perf

_SPEC = importlib.util.spec_from_file_location(
    "latency_tradeoff", Path(__file__).resolve().parents[1] / "scripts" / "latency_tradeoff.py")
tradeoff = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(tradeoff)

N = 1000


def one_dense_column(model) -> int:
    # tests/test_perf.py's hand-worked case: n + 13 cycles on the RTL of today.
    return model.layer_timing(np.array([[N]]), np.array([0]), False, 8).cycles


@pytest.mark.parametrize("cuts, extra", [
    ([], 0),
    (["pointer"], 1),  # taken at 3 as before, popped at 7, not 6
    (["idle"], 1),     # the CCU sees the PE idle two cycles after its flag, not one
    (["tree"], 1),     # root valid at 1 + 2 levels: taken at 4
    (["scan"], 0),     # one layer: nothing is written back
    (["pointer", "idle", "tree", "scan"], 3),
])
def test_each_cut_costs_its_cycle_on_one_dense_column(cuts, extra):
    with tradeoff.extra_latency(cuts) as model:
        assert one_dense_column(model) == N + 13 + extra


def test_scan_cut_delays_the_next_layer_by_a_cycle():
    # A layer after a write-back: its columns reach the root a cycle later.
    order = np.array([0])
    base = perf._TreeTimes.after_writeback(order, 1, 1)
    with tradeoff.extra_latency(["scan"]) as model:
        later = model._TreeTimes.after_writeback(order, 1, 1)
    assert later.bit_at[0] == base.bit_at[0] + 1
    assert later.done_at[0] == base.done_at[0] + 1


def test_the_model_is_restored_after_a_cut_even_on_error():
    before = {name: getattr(perf, name) for names in tradeoff.LENGTHENS.values() for name in names}
    levels = perf.tree_levels(64)
    with pytest.raises(RuntimeError):
        with tradeoff.extra_latency(list(tradeoff.CUTS)):
            assert perf.tree_levels(64) == levels + 1
            raise RuntimeError("inside")
    assert {name: getattr(perf, name) for name in before} == before
    assert perf.tree_levels(64) == levels
    assert one_dense_column(perf) == N + 13


def test_an_unknown_cut_is_a_one_line_error(capsys):
    assert tradeoff.main(["--cuts", "pointer+bogus", "--images", "1"]) == 2
    assert capsys.readouterr().err.strip() == \
        "latency_tradeoff: unknown cut(s) bogus; the cuts are pointer, idle, tree, scan"
