# SPDX-License-Identifier: Apache-2.0
"""eie_relu_quant: write-back requantisation of a 48-bit accumulator to an activation.

The expected value comes from the formula in doc/microarch.md, written out below
(``model``); ``test_model_matches_fixedpoint`` checks that the software twin
``eie.fixedpoint.requantize`` agrees with it, so RTL, test and packer share one rule.
"""

from __future__ import annotations

import random

import cocotb
import pytest
from clocked_tb import run_unit
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge, Timer

ACC_WIDTH = 48
SHIFT_MAX = 31
INT16_MIN = -(1 << 15)
INT16_MAX = (1 << 15) - 1
ACC_MIN = -(1 << (ACC_WIDTH - 1))
ACC_MAX = (1 << (ACC_WIDTH - 1)) - 1


def model(acc: int, shift: int, relu: bool) -> int:
    """Round half up, saturate to int16, then ReLU."""
    y = acc if shift == 0 else (acc + (1 << (shift - 1))) >> shift
    y = max(INT16_MIN, min(INT16_MAX, y))
    return max(y, 0) if relu else y


def edge_accumulators(shift: int) -> list[int]:
    """Values where the rounding, saturation and range limits change behaviour."""
    unit = 1 << shift
    half = unit >> 1
    vals = {0, 1, -1, 2, -2, ACC_MIN, ACC_MAX, ACC_MIN + 1, ACC_MAX - 1}
    # k near +-2^16 puts 2 * acc >> shift at the edge of the RTL's 18-bit window.
    window = (1 << 16, (1 << 16) - 1, (1 << 16) + 1, -(1 << 16), -(1 << 16) - 1, -(1 << 16) + 1, 1 << 17, -(1 << 17))
    for k in (0, 1, 2, 3, 100, -1, -2, -3, -100, INT16_MAX, INT16_MIN, INT16_MAX - 1, INT16_MIN + 1) + window:
        base = k * unit
        # Exact, tie (half-way, rounds up), just below and just above the tie.
        for off in (0, half, half - 1, half + 1, -1, 1, unit - 1):
            vals.add(base + off)
    # Saturation boundaries: the largest acc that still gives 32767 / -32768 and the next.
    for edge in ((INT16_MAX + 1) * unit - half, INT16_MIN * unit - half):
        vals.update(edge + d for d in (-2, -1, 0, 1, 2))
    return sorted(v for v in vals if ACC_MIN <= v <= ACC_MAX)


def random_accumulator(rng: random.Random) -> int:
    """Random magnitude first, so that every bit length is as likely as every other."""
    bits = rng.randint(0, ACC_WIDTH - 1)
    mag = rng.getrandbits(bits) if bits else 0
    return max(ACC_MIN, min(ACC_MAX, -mag - rng.randint(0, 1) if rng.random() < 0.5 else mag))


class TB:
    """Drives the DUT and compares every vector with the model.

    Stages = 0: the output a moment after the inputs. Stages = 1: a vector goes in
    at a falling edge and the shift is registered at the next rising edge, so just
    after the following falling edge, with the next vector's inputs already
    applied, the output must be the model of the earlier accumulator and shift
    with the ReLU flag now applied (ReLU acts after the register). A combinational
    design would show the newer vector's result and fail.
    """

    def __init__(self, dut):
        self.dut = dut
        self.log = dut._log
        self.applied = 0
        self.checked = 0
        self.stages = int(dut.Stages.value)
        self.previous: tuple[int, int] | None = None  # Stages = 1: (acc, shift) in the register
        if self.stages:
            cocotb.start_soon(Clock(dut.clk_i, 10, "ns").start())
        else:
            dut.clk_i.value = 0

    async def apply(self, acc: int, shift: int, relu: bool) -> None:
        if self.stages:
            await FallingEdge(self.dut.clk_i)
        self.applied += 1
        self.dut.acc_i.value = acc & ((1 << ACC_WIDTH) - 1)
        self.dut.shift_i.value = shift
        self.dut.relu_i.value = int(relu)
        if self.stages:
            await ReadOnly()
            if self.previous is not None:
                self.check(*self.previous, relu)
            self.previous = (acc, shift)
        else:
            await Timer(1, "ns")
            self.check(acc, shift, relu)

    def check(self, acc: int, shift: int, relu: bool) -> None:
        got = self.dut.act_o.value.to_signed()
        want = model(acc, shift, relu)
        assert got == want, f"acc={acc} shift={shift} relu={relu}: got {got}, want {want}"
        self.checked += 1

    async def finish(self) -> None:
        """Checks the vector still in the register (Stages = 1), then that every vector was checked."""
        if self.previous is not None:
            await FallingEdge(self.dut.clk_i)
            await ReadOnly()
            self.check(*self.previous, bool(self.dut.relu_i.value))
            self.previous = None
        assert self.applied and self.checked == self.applied, \
            f"{self.applied} vectors applied, {self.checked} checked"
        self.log.info("%d vectors checked", self.checked)


@cocotb.test()
async def test_edges(dut):
    """Every shift 0..31, ReLU on and off, at the rounding/saturation edges."""
    tb = TB(dut)
    for shift in range(SHIFT_MAX + 1):
        for acc in edge_accumulators(shift):
            for relu in (False, True):
                await tb.apply(acc, shift, relu)
    await tb.finish()


@cocotb.test()
async def test_ties(dut):
    """Round half up: +x.5 goes up, -x.5 goes up (towards +inf) too."""
    tb = TB(dut)
    for shift in range(1, 16):
        half = 1 << (shift - 1)
        for k in range(-4, 4):
            acc = (k << shift) + half  # exactly k + 0.5
            assert model(acc, shift, False) == k + 1
            await tb.apply(acc, shift, False)
    await tb.finish()


@cocotb.test()
async def test_random(dut):
    """Seeded random accumulators of every magnitude, all shifts, ReLU on/off."""
    seed = cocotb.RANDOM_SEED
    dut._log.info("seed %d", seed)
    rng = random.Random(seed)
    tb = TB(dut)
    for _ in range(20000):
        await tb.apply(random_accumulator(rng), rng.randint(0, SHIFT_MAX), rng.random() < 0.5)
    await tb.finish()


def test_model_matches_fixedpoint():
    """The in-test model and the packer's eie.fixedpoint.requantize are the same function."""
    import numpy as np

    from eie.fixedpoint import requantize

    rng = random.Random(1)
    for shift in range(16):
        accs = edge_accumulators(shift) + [random_accumulator(rng) for _ in range(200)]
        # The packer only uses shifts 0..15 and int64 accumulators.
        accs = [a for a in accs if abs(a) < (1 << 62) - (1 << shift)]
        for relu in (False, True):
            got = requantize(np.array(accs, dtype=np.int64), shift, relu)
            want = [model(a, shift, relu) for a in accs]
            assert [int(g) for g in got] == want, f"shift {shift} relu {relu}"


@pytest.mark.parametrize("stages", [0, 1])
def test_relu_quant(sim, stages):
    run_unit("eie_relu_quant", "test_relu_quant", {"Stages": stages}, sim, ["eie_pkg.sv", "eie_relu_quant.sv"])
