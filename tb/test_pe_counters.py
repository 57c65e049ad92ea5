# SPDX-License-Identifier: Apache-2.0
"""cocotb testbench of eie_pe_counters against a Python model of its header's rules.

The model: each cycle's increments (BUSY, STARVED, STALLED, DRAINED from compute_i,
issue_i, has_work_i and bcast_over_i; QUEUE_FULL from wait_room_i; PADDING from pad_i,
plus one for pad_merged_i) are registered and added a cycle later; clear_i zeroes
every counter and drops that cycle's increments. The tests: seeded random inputs with
clears, checked every cycle; long stretches of one event each, checked with bit 14 of
the count set, with bit 15 set and again past 2^16, so every counter's bits up to 16
carry (a whole-core run at make mutate's parameters counts a few thousand at most: its
high bits are tested only here); a clear in a cycle full of events. pytest runs it at
the bottom.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import FallingEdge
from clocked_tb import ClockedTB, run_unit
from eie.hw import regs

# The counters in eie_pkg's PeCnt* order and their width (eie_pkg::CounterWidth), from the
# register map that tests/test_regs_pkg.py holds to eie_pkg.
NAMES = tuple(name.removeprefix("PE_").lower() for name in regs.PE_COUNTERS)
WIDTH = regs.REGISTERS["PE_BUSY"].fields[0].width
INPUTS = ("clear_i", "compute_i", "bcast_over_i", "issue_i", "has_work_i", "wait_room_i", "pad_i", "pad_merged_i")
RANDOM_CYCLES = 3000
# Each long stretch of one event is checked where its count has bit 14 set, where it has bit 15
# set, then past 2^16 (a wrong bit that appears and goes away again may be right at the end, and
# one wrong only while a higher bit is set, e.g. a low bit flipped while bit 14 is, shows only
# inside that bit's band: [2^14, 2^15) is the band 2^15 + 7000 skips).
STRETCH_CYCLES = ((1 << 14) + 5000, (1 << 14) + 2000, (1 << 15) - 6000)
# Single cycles checked after each part: eight, every residue of the count's low three bits.
SINGLE_CYCLES = 8


class CountersModel:
    """Cycle model of the counters: step() is one rising edge with the inputs driven before it."""

    def __init__(self):
        self.counts = [0] * len(NAMES)
        self.inc = [0] * len(NAMES)
        self.merged = 0

    @staticmethod
    def increments(v: dict[str, int]) -> list[int]:
        idle = v["compute_i"] and not v["issue_i"]
        return [int(bool(x)) for x in (
            v["compute_i"] and v["issue_i"],
            idle and not v["has_work_i"] and not v["bcast_over_i"],
            idle and v["has_work_i"],
            idle and not v["has_work_i"] and v["bcast_over_i"],
            v["compute_i"] and v["wait_room_i"],
            v["pad_i"],
        )]

    def step(self, v: dict[str, int], cycles: int = 1) -> None:
        """``cycles`` edges with the inputs ``v`` held: the first adds the registered increments,
        each later one those of ``v`` (in closed form, not edge by edge)."""
        if v["clear_i"]:
            self.counts, self.inc, self.merged = [0] * len(NAMES), [0] * len(NAMES), 0
            return
        inc, merged = self.increments(v), int(bool(v["pad_merged_i"]))
        self.counts = [(c + i + (cycles - 1) * j) % (1 << WIDTH) for c, i, j in zip(self.counts, self.inc, inc)]
        self.counts[-1] = (self.counts[-1] + self.merged + (cycles - 1) * merged) % (1 << WIDTH)
        self.inc, self.merged = inc, merged


class TB(ClockedTB):
    IDLE_INPUTS = INPUTS

    def __init__(self, dut):
        super().__init__(dut)
        self.model = CountersModel()
        self.checked = 0

    def counters(self) -> list[int]:
        word = int(self.dut.counters_o.value)
        return [(word >> (WIDTH * c)) & ((1 << WIDTH) - 1) for c in range(len(NAMES))]

    def check(self, when: str) -> None:
        got = self.counters()
        diff = {n: (g, m) for n, g, m in zip(NAMES, got, self.model.counts) if g != m}
        assert not diff, f"{when}: counter (RTL, model) {diff}"
        self.checked += 1

    async def hold(self, values: dict[str, int], cycles: int, when: str) -> None:
        """Drive ``values`` (others 0) for ``cycles`` rising edges, then check (after the last falling edge)."""
        v = {name: int(values.get(name, 0)) for name in INPUTS}
        for name, value in v.items():
            getattr(self.dut, name).value = value
        self.model.step(v, cycles)
        await self.falling_edges(cycles)
        self.check(when)


@cocotb.test()
async def random_events_and_clears(dut):
    """Random inputs each cycle (a clear now and then): every counter equals the model in every cycle."""
    tb = TB(dut)
    await tb.start()
    tb.check("after reset")
    for cycle in range(RANDOM_CYCLES):
        values = {name: tb.rng.random() < 0.5 for name in INPUTS}
        values["clear_i"] = tb.rng.random() < 0.01
        await tb.hold(values, 1, f"cycle {cycle}")
    assert tb.checked == RANDOM_CYCLES + 1


@cocotb.test()
async def long_stretches_carry_the_high_bits(dut):
    """Each event alone for 2^16 + 1000 cycles and more (QUEUE_FULL and PADDING throughout), checked
    inside the bands of bits 14 and 15 and past 2^16, then a clear."""
    tb = TB(dut)
    await tb.start()
    await FallingEdge(dut.clk_i)
    extra = {"wait_room_i": 1, "pad_i": 1, "pad_merged_i": 1}
    stretches = [
        ("busy", {"compute_i": 1, "issue_i": 1}),
        ("starved", {"compute_i": 1}),
        ("stalled", {"compute_i": 1, "has_work_i": 1}),
        ("drained", {"compute_i": 1, "bcast_over_i": 1}),
    ]
    for name, values in stretches:
        for part, cycles in enumerate(STRETCH_CYCLES):
            await tb.hold({**values, **extra}, cycles, f"after part {part} ({cycles} cycles) of {name}")
            # Single cycles: a wrong bit that comes and goes shows in one of them.
            for k in range(SINGLE_CYCLES):
                await tb.hold({**values, **extra}, 1, f"{name}, cycle {k} after part {part}")
    assert all(c > (1 << 16) for c in tb.model.counts), tb.model.counts  # the stretches carried every bit 16
    await tb.hold({"clear_i": 1}, 1, "clear")
    await tb.hold({}, 2, "after the clear")
    assert tb.model.counts == [0] * len(NAMES)


@cocotb.test()
async def a_clear_drops_its_cycles_events(dut):
    """Events in the clear's cycle and the one before: the clear's are dropped, the earlier counted."""
    tb = TB(dut)
    await tb.start()
    await FallingEdge(dut.clk_i)
    every = {name: 1 for name in INPUTS if name != "clear_i"}
    await tb.hold(every, 3, "three cycles of every event")
    await tb.hold({**every, "clear_i": 1}, 1, "a clear with every event")
    await tb.hold({}, 3, "after the clear")
    assert tb.model.counts == [0] * len(NAMES)


# -----------------------------------------------------------------------------
# pytest: no parameters; Icarus and Verilator.
# -----------------------------------------------------------------------------
def test_pe_counters(sim):
    run_unit("eie_pe_counters", "test_pe_counters", {}, sim, ["eie_pkg.sv", "eie_pe_counters.sv"])
