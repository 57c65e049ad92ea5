# SPDX-License-Identifier: Apache-2.0
"""cocotb testbench of eie_bcast_history against a Python model of its header's rules.

The model: the broadcasts written since the last clear, in order, and per PE its lag
(how many of them it has not taken). Lane l of a PE wants the (l+1)-th oldest column it
has not taken (lag > l) and shows it (0 while not wanted), and takes it when the PE has
room for l + 1 columns; a fresh broadcast is written when enabled and offered unless
some PE lags a whole history (HistoryDepth) behind and has no room for one (full_o);
caught_up_o when no PE lags; a clear empties the history and drops that cycle's
write. Every output is compared with the model in every cycle.

In the whole core a PE lags at most one layer's broadcasts (ActDepth x N + 1: a layer
ends when every PE has taken its columns), under HistoryDepth at make mutate's
parameters (65 < 128), so the full history and the pointer bits above such a layer's
are seen here only. The tests: each PE in turn without room while the broadcasts go on
(it falls a whole history behind, the broadcasts wait, it catches up one and two
columns a cycle); seeded random room, offers and clears, with each PE's readiness
changing in phases so that the lags spread over the history. pytest runs it at the
bottom, at make mutate's parameters (N = 2, HistoryDepth 128, 33-bit entries) and at
small histories with three PEs, two take lanes and one.
"""

from __future__ import annotations

import cocotb
import pytest
from cocotb.triggers import FallingEdge, ReadOnly
from clocked_tb import ClockedTB, run_unit

INPUTS = ("clear_i", "enable_i", "fresh_valid_i", "fresh_data_i", "pe_room_i")
RANDOM_CYCLES = 4000


class HistoryModel:
    """The broadcasts written since the last clear and each PE's lag."""

    def __init__(self, num_pes: int, depth: int, lanes: int):
        self.depth = depth
        self.lanes = lanes
        self.written: list[int] = []
        self.lag = [0] * num_pes

    def outputs(self, room: list[list[bool]], enable: bool, fresh_valid: bool) -> dict:
        """This cycle's outputs for the inputs driven (lane l's room: room for l + 1 columns)."""
        want = [[lag > lane for lane in range(self.lanes)] for lag in self.lag]
        take = [[w and r for w, r in zip(ws, rs)] for ws, rs in zip(want, room)]
        data = [[self.written[len(self.written) - lag + lane] if w else 0 for lane, w in enumerate(ws)]
                for lag, ws in zip(self.lag, want)]
        full = any(lag == self.depth and not rs[0] for lag, rs in zip(self.lag, room))
        return {"want": want, "take": take, "data": data, "full": full,
                "fresh_take": enable and fresh_valid and not full, "caught_up": not any(self.lag)}

    def step(self, out: dict, fresh_data: int, clear: bool) -> None:
        """The rising edge after ``out``."""
        if clear:
            self.written.clear()
            self.lag = [0] * len(self.lag)
            return
        if out["fresh_take"]:
            self.written.append(fresh_data)
        self.lag = [lag + out["fresh_take"] - sum(take) for lag, take in zip(self.lag, out["take"])]
        assert all(0 <= lag <= self.depth for lag in self.lag), f"model lags {self.lag} (testbench bug)"


class TB(ClockedTB):
    IDLE_INPUTS = INPUTS

    def __init__(self, dut, salt: int = 0):
        super().__init__(dut, salt)
        self.num_pes = int(dut.NumPe.value)
        self.depth = int(dut.HistoryDepth.value)
        self.width = int(dut.DataWidth.value)
        self.lanes = int(dut.TakeLanes.value)
        self.model = HistoryModel(self.num_pes, self.depth, self.lanes)
        self.checked = 0
        self.seen = {"full": 0, "two_takes": 0, "whole_history": 0, "clear": 0}

    def bits(self, name: str) -> list[list[bool]]:
        word = int(getattr(self.dut, name).value)
        lanes = self.lanes
        return [[bool(word >> (p * lanes + lane) & 1) for lane in range(lanes)] for p in range(self.num_pes)]

    def words(self) -> list[list[int]]:
        word, mask = int(self.dut.data_o.value), (1 << self.width) - 1
        return [[word >> ((p * self.lanes + lane) * self.width) & mask for lane in range(self.lanes)]
                for p in range(self.num_pes)]

    async def step(self, room: list[int], fresh_valid: bool = True, enable: bool = True, clear: bool = False,
                    data: int | None = None) -> None:
        """One cycle: ``room[p]`` is PE p's room (0, 1 or 2 columns, as many lanes as there are);
        outputs checked, model stepped."""
        dut = self.dut
        data = self.rng.getrandbits(self.width) if data is None else data
        room_bits = [[room[p] > lane for lane in range(self.lanes)] for p in range(self.num_pes)]
        dut.clear_i.value = int(clear)
        dut.enable_i.value = int(enable)
        dut.fresh_valid_i.value = int(fresh_valid)
        dut.fresh_data_i.value = data
        dut.pe_room_i.value = sum(int(r) << (p * self.lanes + lane) for p, rs in enumerate(room_bits)
                                  for lane, r in enumerate(rs))
        await ReadOnly()
        want = self.model.outputs(room_bits, enable, fresh_valid)
        got = {"want": self.bits("want_o"), "take": self.bits("take_o"), "data": self.words(),
               "full": bool(dut.full_o.value), "fresh_take": bool(dut.fresh_take_o.value),
               "caught_up": bool(dut.caught_up_o.value)}
        diff = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
        assert not diff, f"cycle {self.cycle} (lags {self.model.lag}): (RTL, model) {diff}"
        self.checked += 1
        self.seen["full"] += want["full"]
        self.seen["two_takes"] += any(t[-1] for t in want["take"]) and self.lanes == 2
        self.seen["whole_history"] += self.depth in self.model.lag
        self.seen["clear"] += clear
        self.model.step(want, data, clear)
        await FallingEdge(dut.clk_i)

    async def begin(self) -> None:
        await self.start()
        await FallingEdge(self.dut.clk_i)


@cocotb.test()
async def a_pe_a_whole_history_behind_holds_the_broadcasts(dut):
    """Each PE in turn without room while a broadcast is offered every cycle: it falls HistoryDepth
    behind and the broadcasts wait (full_o) until it has room; it then takes one column a cycle
    with a broadcast a cycle (still a whole history behind), then two (one lane: one, with no
    broadcast), and catches up."""
    tb = TB(dut)
    await tb.begin()
    everyone = [2] * tb.num_pes
    for slow in range(tb.num_pes):
        stopped = [0 if p == slow else 2 for p in range(tb.num_pes)]
        for _ in range(tb.depth + 8):
            await tb.step(stopped)
        assert tb.model.lag[slow] == tb.depth, f"PE {slow} lags {tb.model.lag[slow]}"
        one = [1 if p == slow else 2 for p in range(tb.num_pes)]
        for _ in range(8):
            await tb.step(one)
        # Two columns a cycle against one broadcast: the lag falls by one a cycle to 1, where
        # the broadcasts stop and the PE takes its last column. One lane keeps pace with the
        # broadcasts only, so they stop for it to catch up.
        while tb.model.lag[slow] > 1:
            await tb.step(everyone, fresh_valid=tb.lanes == 2)
        await tb.step(everyone, fresh_valid=False)
        await tb.step(everyone, fresh_valid=False)
        assert not any(tb.model.lag), tb.model.lag
    assert tb.seen["full"] >= 8 * tb.num_pes, tb.seen


@cocotb.test()
async def random_room_offers_and_clears(dut):
    """Seeded random room and offers, PEs fast or slow in phases of 50-400 cycles, a clear now and
    then: every output equals the model in every cycle."""
    tb = TB(dut, salt=1)
    await tb.begin()
    # Per PE: the chance of no room and of room for one only, redrawn at each phase.
    odds = [(0.0, 0.0)] * tb.num_pes
    phase_end = 0
    for cycle in range(RANDOM_CYCLES):
        if cycle >= phase_end:
            phase_end = cycle + tb.rng.randint(50, 400)
            odds = [tb.rng.choice([(0.1, 0.2), (0.5, 0.3), (0.97, 0.02), (0.0, 0.0)]) for _ in range(tb.num_pes)]
        room = []
        for none, one in odds:
            r = tb.rng.random()
            room.append(0 if r < none else 1 if r < none + one else 2)
        await tb.step(room, fresh_valid=tb.rng.random() < 0.8, enable=tb.rng.random() < 0.95,
                       clear=tb.rng.random() < 0.002)
    assert tb.checked == RANDOM_CYCLES
    expected = {case: n for case, n in tb.seen.items() if case != "two_takes" or tb.lanes == 2}
    assert all(expected.values()), f"a case never came up: {tb.seen} (seed {tb.seed})"


# -----------------------------------------------------------------------------
# pytest: make mutate's parameters (the whole core's at N = 2: entries of 16 + 9 + 8
# bits) on both simulators, and a small history with three PEs on Icarus (Verilator
# with -m slow).
# -----------------------------------------------------------------------------
CONFIGS = [(2, 128, 33, 2), (3, 8, 12, 2), (3, 4, 12, 1)]  # (NumPe, HistoryDepth, DataWidth, TakeLanes)


@pytest.mark.sim_matrix(CONFIGS, argname="config", unit=True, ids=lambda c: f"n{c[0]}-depth{c[1]}-lanes{c[3]}")
def test_bcast_history(sim, config):
    num_pes, depth, width, lanes = config
    run_unit("eie_bcast_history", "test_bcast_history", {"NumPe": num_pes, "HistoryDepth": depth,
                                                          "DataWidth": width, "TakeLanes": lanes}, sim,
             ["eie_pkg.sv", "eie_bcast_history.sv"])
