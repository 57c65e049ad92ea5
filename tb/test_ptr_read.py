# SPDX-License-Identifier: Apache-2.0
"""cocotb testbench of eie_ptr_read: even/odd pointer banks read as one pair.

The model holds the pointer list p[k] as loaded through the load port; for a
broadcast with pointer index k it expects, exactly one cycle later, start = p[k],
end = p[k+1], empty = (start == end) and err_order = (start > end). A monitor
samples every cycle and the scoreboard checks both the values and the cycle.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from dataclasses import dataclass

import cocotb
import pytest
from clocked_tb import ClockedTB, run_unit
from cocotb.triggers import FallingEdge, ReadOnly

ACT_WIDTH = 16


# -----------------------------------------------------------------------------
# Pause generators: each next() says whether a driver idles this cycle
# -----------------------------------------------------------------------------
def make_pause(kind: str, rng: random.Random, prob: float = 0.4):
    if kind == "none":
        return itertools.repeat(False)
    if kind == "pattern":
        return itertools.cycle([False, True, False, False, True, True, False])
    if kind == "random":
        return (rng.random() < prob for _ in itertools.count())
    raise ValueError(f"unknown pause kind {kind!r}")


# -----------------------------------------------------------------------------
# Model and scoreboard
# -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PairOut:
    act: int
    start: int
    end: int
    empty: bool
    err_order: bool


class PtrModel:
    """The pointer list; a broadcast at cycle c is expected at cycle c + 1."""

    LATENCY = 1

    def __init__(self, num_ptrs: int):
        self.ptrs: list[int | None] = [None] * num_ptrs

    def expect(self, k: int, act: int) -> PairOut:
        start, end = self.ptrs[k], self.ptrs[k + 1]
        assert start is not None and end is not None, f"test bug: pointers {k}, {k + 1} not loaded"
        return PairOut(act, start, end, start == end, start > end)


class Scoreboard:
    """In-order, cycle-exact: out_valid_o must rise exactly when the head is due."""

    def __init__(self, log):
        self.log = log
        self.expected: deque[tuple[int, PairOut]] = deque()
        self.checked = 0

    def push(self, cycle: int, item: PairOut) -> None:
        self.expected.append((cycle, item))

    def observe(self, cycle: int, valid: bool, got: PairOut | None) -> None:
        due = bool(self.expected) and self.expected[0][0] == cycle
        assert not self.expected or self.expected[0][0] >= cycle, f"cycle {cycle}: missed {self.expected[0]}"
        assert valid == due, f"cycle {cycle}: out_valid_o={valid}, expected {'an output' if due else 'none'}"
        if valid:
            _, want = self.expected.popleft()
            assert got == want, f"cycle {cycle}: got {got}, want {want}"
            self.checked += 1

    def finish(self) -> None:
        assert not self.expected, f"{len(self.expected)} outputs never seen: {list(self.expected)[:4]}"
        self.log.info("%d pointer pairs checked", self.checked)


# -----------------------------------------------------------------------------
# Testbench
# -----------------------------------------------------------------------------
class TB(ClockedTB):
    IDLE_INPUTS = ("ld_we_i", "ld_re_i", "ld_index_i", "ld_data_i", "in_valid_i", "in_act_i", "in_index_i")

    def __init__(self, dut):
        super().__init__(dut)
        self.depth = int(dut.PtrBankDepth.value)
        self.ptr_width = int(dut.PtrWidth.value)
        self.num_ptrs = 2 * self.depth
        self.model = PtrModel(self.num_ptrs)
        self.scoreboard = Scoreboard(self.log)
        self.log.info("seed %d, PtrBankDepth %d, PtrWidth %d", self.seed, self.depth, self.ptr_width)

    def sample(self) -> None:
        dut = self.dut
        valid = bool(dut.out_valid_o.value)
        got = None
        if valid:  # the bank read registers hold X until first read
            got = PairOut(
                int(dut.out_act_o.value),
                int(dut.out_start_o.value),
                int(dut.out_end_o.value),
                bool(dut.out_empty_o.value),
                bool(dut.err_order_o.value),
            )
        self.scoreboard.observe(self.cycle, valid, got)

    # --- load port ------------------------------------------------------------
    async def load(self, ptrs: list[int]) -> None:
        dut = self.dut
        for k, p in enumerate(ptrs):
            await FallingEdge(dut.clk_i)
            dut.ld_we_i.value = 1
            dut.ld_index_i.value = k
            dut.ld_data_i.value = p
            self.model.ptrs[k] = p
        await FallingEdge(dut.clk_i)
        dut.ld_we_i.value = 0

    async def read_back(self, order: list[int]) -> None:
        """ld_re_i at k; ld_rdata_o one cycle later, still there a cycle after that."""
        dut = self.dut
        prev = None
        for k in [*order, None]:
            await FallingEdge(dut.clk_i)
            if prev is not None:
                got = int(dut.ld_rdata_o.value)
                assert got == self.model.ptrs[prev], f"load read of p[{prev}]: got {got}, want {self.model.ptrs[prev]}"
            dut.ld_re_i.value = int(k is not None)
            dut.ld_index_i.value = 0 if k is None else k
            prev = k
        await FallingEdge(dut.clk_i)
        assert int(dut.ld_rdata_o.value) == self.model.ptrs[order[-1]], "ld_rdata_o did not hold"

    # --- compute port -----------------------------------------------------------
    async def drive(self, items: list[tuple[int, int]], pause) -> None:
        """One broadcast (k, act) per cycle unless the pause generator idles the cycle."""
        dut = self.dut
        queue = deque(items)
        while queue:
            await FallingEdge(dut.clk_i)
            if next(pause):
                dut.in_valid_i.value = 0
                dut.in_index_i.value = self.rng.randrange(self.num_ptrs - 1)
                continue
            k, act = queue.popleft()
            dut.in_valid_i.value = 1
            dut.in_index_i.value = k
            dut.in_act_i.value = act
            await ReadOnly()
            self.scoreboard.push(self.cycle + PtrModel.LATENCY, self.model.expect(k, act))
        await FallingEdge(dut.clk_i)
        dut.in_valid_i.value = 0

    async def drain(self) -> None:
        await self.falling_edges(3)
        self.scoreboard.finish()

    def random_pointers(self) -> list[int]:
        """A walk that gives p[k+1] ==, > and < p[k] (empty, normal and reversed columns)."""
        top = (1 << self.ptr_width) - 1
        ptrs = [self.rng.randint(0, top)]
        for _ in range(self.num_ptrs - 1):
            step = self.rng.choice([0, 0, 1, 2, 3, 7, -1, -5])
            ptrs.append(min(top, max(0, ptrs[-1] + step)))
        ptrs[self.rng.randrange(self.num_ptrs)] = top  # extreme values in the banks too
        ptrs[self.rng.randrange(self.num_ptrs)] = 0
        return ptrs

    def random_act(self) -> int:
        return self.rng.getrandbits(ACT_WIDTH)


# -----------------------------------------------------------------------------
# Tests
# -----------------------------------------------------------------------------
@cocotb.test()
async def test_load_port(dut):
    """Every pointer of both banks written, then read back in random order."""
    tb = TB(dut)
    await tb.start()
    await tb.load([tb.rng.getrandbits(tb.ptr_width) for _ in range(tb.num_ptrs)])
    order = list(range(tb.num_ptrs))
    tb.rng.shuffle(order)
    await tb.read_back(order)
    await tb.drain()


@cocotb.test()
@cocotb.parametrize(pause_kind=["none", "pattern", "random"])
async def test_every_column(dut, pause_kind):
    """Every k = 0 .. 2*PtrBankDepth-2 (both parities, the last pointer of each bank)."""
    tb = TB(dut)
    await tb.start()
    await tb.load(tb.random_pointers())
    items = [(k, tb.random_act()) for k in range(tb.num_ptrs - 1)]
    await tb.drive(items, make_pause(pause_kind, tb.rng))
    await tb.drain()


@cocotb.test()
async def test_random_columns(dut):
    """Random pointer indices and pause pattern, several reloads; load reads in between."""
    tb = TB(dut)
    await tb.start()
    for _ in range(4):
        await tb.load(tb.random_pointers())
        items = [(tb.rng.randrange(tb.num_ptrs - 1), tb.random_act()) for _ in range(60)]
        await tb.drive(items, make_pause("random", tb.rng, prob=tb.rng.choice([0.1, 0.5])))
        await tb.read_back([tb.rng.randrange(tb.num_ptrs) for _ in range(5)])
    await tb.drain()


@cocotb.test()
async def test_flags(dut):
    """Directed empty, normal and reversed columns on both parities."""
    tb = TB(dut)
    await tb.start()
    ptrs = [5, 5, 9, 3, 3, 4, 0, 0] + [7] * (tb.num_ptrs - 8)
    ptrs[-1] = (1 << tb.ptr_width) - 1
    await tb.load(ptrs)
    items = [(k, k + 100) for k in (0, 1, 2, 3, 4, 5, 6, tb.num_ptrs - 2, tb.num_ptrs - 3)]
    await tb.drive(items, make_pause("none", tb.rng))
    await tb.drain()
    assert tb.scoreboard.checked == len(items)


PARAMS = [
    {"PtrBankDepth": 8, "PtrWidth": 10},
    {"PtrBankDepth": 5, "PtrWidth": 7},
]


# Every set runs on Icarus; Verilator (~25 s a build) runs PARAMS[0], the others under -m slow.
@pytest.mark.sim_matrix(PARAMS, ids=lambda p: f"D{p['PtrBankDepth']}-W{p['PtrWidth']}")
def test_ptr_read(sim, parameters):
    run_unit("eie_ptr_read", "test_ptr_read", parameters, sim, ["eie_pkg.sv", "eie_ptr_read.sv"])
