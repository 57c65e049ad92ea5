# SPDX-License-Identifier: Apache-2.0
"""cocotb testbench of eie_max_tree (combinational) against Python's max().

Seeded random vectors plus the corners (all zero, all at the top, the maximum
alone at each position, ties) for several input counts, odd ones included so
that the pass-through of an odd value out is exercised at every level.
"""

from __future__ import annotations

import random

import cocotb
import pytest
from cocotb.triggers import Timer
from clocked_tb import run_unit

RANDOM_VECTORS = 500


def vectors(rng: random.Random, count: int, width: int) -> list[list[int]]:
    top = (1 << width) - 1
    corners = [[0] * count, [top] * count]
    for position in range(count):  # the maximum alone at each position, and tied with the last input
        alone = [rng.randrange(top) for _ in range(count)]
        alone[position] = top
        corners.append(alone)
        corners.append([1 if i in (position, count - 1) else 0 for i in range(count)])
    return corners + [[rng.randrange(top + 1) for _ in range(count)] for _ in range(RANDOM_VECTORS)]


@cocotb.test()
async def max_tree_random(dut):
    count, width = int(dut.NumInputs.value), int(dut.Width.value)
    rng = random.Random(cocotb.RANDOM_SEED)
    checked = 0
    for values in vectors(rng, count, width):
        dut.values_i.value = sum(v << (i * width) for i, v in enumerate(values))
        await Timer(1, unit="ns")
        got = int(dut.max_o.value)
        assert got == max(values), f"inputs {values}: max_o {got}, expected {max(values)}"
        checked += 1
    dut._log.info("%d vectors of %d x %d bits checked", checked, count, width)


COUNTS = [1, 2, 3, 5, 8, 13, 64]


@pytest.mark.sim_matrix(COUNTS, argname="count", verilator_default=[13])
def test_max_tree(sim, count):
    run_unit("eie_max_tree", "test_max_tree", {"NumInputs": count, "Width": 5}, sim, ["eie_max_tree.sv"])
