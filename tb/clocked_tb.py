# SPDX-License-Identifier: Apache-2.0
"""Clock, reset, cycle count and per-cycle sampling shared by the unit testbenches.

``ClockedTB`` is the base of every clocked unit testbench (a block with ``clk_i`` and
``rst_ni``): ``start()`` drives the inputs named in ``IDLE_INPUTS`` to 0, starts a
10 ns clock with ``rst_ni`` low, releases reset after three falling edges and,
if the subclass defines ``sample()``, from then on calls it in the read-only
phase after every falling edge. ``cycle`` counts the falling edges since the
clock started; ``rng`` is seeded from cocotb's random seed plus the test's
``salt``. ``constants`` are input ports tied to one value for the whole test
(a PE's index), driven before reset. ``run_unit`` is the pytest side: it builds a
block from its RTL files and runs a testbench module's cocotb tests on it, passing
the constants through the environment (they are not parameters: one build serves
every value).
"""

from __future__ import annotations

import json
import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge, ReadOnly

CLOCK_PERIOD_NS = 10
RESET_CYCLES = 3
CONSTANTS_ENV = "EIE_TB_CONSTANTS"


class ClockedTB:
    """Base testbench: subclasses name their inputs in ``IDLE_INPUTS`` and may implement ``sample``."""

    IDLE_INPUTS: tuple[str, ...] = ()

    def __init__(self, dut, salt: int = 0):
        self.dut = dut
        self.log = dut._log
        self.cycle = 0
        self.seed = cocotb.RANDOM_SEED
        self.rng = random.Random(self.seed + salt)
        self.constants: dict[str, int] = json.loads(os.environ.get(CONSTANTS_ENV, "{}"))

    async def start(self) -> None:
        """Idle inputs and reset, clock and cycle counter; returns with reset released."""
        dut = self.dut
        for name in self.IDLE_INPUTS:
            getattr(dut, name).value = 0
        for name, value in self.constants.items():
            getattr(dut, name).value = value
        dut.rst_ni.value = 0
        Clock(dut.clk_i, CLOCK_PERIOD_NS, unit="ns").start()
        cocotb.start_soon(self._count())
        await self.falling_edges(RESET_CYCLES)
        dut.rst_ni.value = 1
        if type(self).sample is not ClockedTB.sample:
            cocotb.start_soon(self._monitor())

    async def falling_edges(self, n: int) -> None:
        await ClockCycles(self.dut.clk_i, n, rising=False)

    async def pulse(self, signal, after: int = 1) -> None:
        """Drive ``signal`` high at the ``after``-th falling edge from now, low again at the next."""
        await self.falling_edges(after)
        signal.value = 1
        await FallingEdge(self.dut.clk_i)
        signal.value = 0

    def sample(self) -> None:
        """Read the pins and check them; called in the read-only phase of every cycle after reset."""
        raise NotImplementedError

    async def _count(self) -> None:
        while True:
            await FallingEdge(self.dut.clk_i)
            self.cycle += 1

    async def _monitor(self) -> None:
        while True:
            await FallingEdge(self.dut.clk_i)
            await ReadOnly()
            self.sample()


def run_unit(toplevel: str, test_module: str, parameters: dict, sim: str, rtl_files: list[str],
             constants: dict[str, int] | None = None) -> None:
    """Build ``toplevel`` from ``rtl_files`` (names under rtl/) and run ``test_module``'s cocotb tests;
    ``constants``: input ports the testbench ties to these values (ClockedTB.constants)."""
    from eie.sim.rtlsim import run_cocotb
    from eie.sim.toolchain import RTL_DIR

    env = {CONSTANTS_ENV: json.dumps(constants)} if constants else None
    run_cocotb(toplevel, test_module, parameters, sim=sim, sources=[RTL_DIR / name for name in rtl_files],
               extra_env=env)
