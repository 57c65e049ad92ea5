# SPDX-License-Identifier: Apache-2.0
"""cocotb testbench of eie_arith: codebook decode, multiply, accumulate with bypass.

A monitor samples the pins every cycle (read-only phase) and feeds a model that
keeps, per accumulator bank, the exact sums b[x] += cb[layer][v] * a (Python
integers, so the 48-bit accumulator is checked exactly), each landing two cycles
after its entry unless clear_i drops it; sweep_i zeroes a bank and a write-back read
zeroes its row after reading it; the write-back reads the other bank while entries
add into one. The
sums do not depend on the pipeline, so the read-after-write bypass is checked by
streams of back-to-back updates of one row. The checker also checks idle_o each
cycle (busy for the two cycles after a non-padding entry) and every write-back
read two cycles after wb_re_i (the other bank) or res_re_i (the entries' bank), and
that wb_acc_o holds when nothing is read.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cocotb
import pytest
from clocked_tb import ClockedTB, run_unit
from eie.models.perf import ACC_READ_LATENCY, ACC_SWEEP_CYCLES
from eie.sim.tb import pauses
from cocotb.triggers import FallingEdge, ReadOnly

NUM_CODES = 16
ACC_WIDTH = 48
W_MIN, W_MAX = -(1 << 15), (1 << 15) - 1
PIPE_DEPTH = 2  # a non-padding entry keeps idle_o low for the two cycles after it arrives
# Cycles from wb_re_i / res_re_i to the sum on wb_acc_o (eie_pkg::AccReadLatency: block
# RAM, its register) and the longest sweep of a bank (reset, sweep_i; AccSweepCycles).
READ_LATENCY = ACC_READ_LATENCY
SWEEP_CYCLES = ACC_SWEEP_CYCLES




def to_signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value >> (bits - 1) else value


@dataclass(frozen=True)
class Entry:
    code: int
    row: int
    act: int


# -----------------------------------------------------------------------------
# Model and checker
# -----------------------------------------------------------------------------
class ArithModel:
    def __init__(self, max_layers: int, act_depth: int):
        self.cb = [[0] * NUM_CODES for _ in range(max_layers)]
        self.acc = [[0] * act_depth for _ in range(2)]  # per bank; reset sweeps both
        self.updates = 0
        self.pads = 0
        self.swept = 0

    def sweep(self, bank: int) -> None:
        self.acc[bank] = [0] * len(self.acc[bank])
        self.swept += 1

    def apply(self, bank: int, row: int, value: int) -> None:
        self.acc[bank][row] += value
        self.updates += 1

    def read(self, bank: int, row: int) -> int:
        return self.acc[bank][row]


@dataclass
class Sample:
    cycle: int
    cb_we: bool
    cb_addr: int
    cb_wdata: int
    layer: int
    acc_bank: int
    ent_valid: bool
    entry: Entry | None
    clear: bool
    sweep: int
    wb_re: bool
    wb_row: int
    res_re: bool
    res_row: int
    wb_acc: int | None
    idle: bool


class Checker:
    def __init__(self, model: ArithModel, log):
        self.model = model
        self.log = log
        self.busy_until = -1  # last cycle with an entry in the pipeline
        self.wb_expect: deque[tuple[int, int, int]] = deque()  # (cycle due, row, value)
        self.last_wb: int | None = None
        self.hold_ok = False  # no RAM read since the last sample of wb_acc_o
        self.reads_checked = 0
        self.pending: list[tuple[int, int, int, int]] = []  # (cycle it lands, bank, row, product)

    def step(self, s: Sample) -> None:
        m, c = self.model, s.cycle
        where = f"cycle {c}"
        idle = c > self.busy_until
        assert s.idle == idle, f"{where}: idle_o={s.idle}, model {idle}"
        if self.wb_expect and self.wb_expect[0][0] == c:
            _, row, want = self.wb_expect.popleft()
            assert s.wb_acc == want, f"{where}: wb_acc_o for row {row} = {s.wb_acc}, model {want}"
            self.reads_checked += 1
        elif self.hold_ok and self.last_wb is not None:
            assert s.wb_acc == self.last_wb, f"{where}: wb_acc_o changed to {s.wb_acc} without a read"
        assert not self.wb_expect or self.wb_expect[0][0] > c, f"{where}: missed read {self.wb_expect[0]}"
        self.last_wb = s.wb_acc
        self.hold_ok = True

        # Stage 2 writes the sum of an entry that arrived two cycles ago.
        for due in [p for p in self.pending if p[0] == c]:
            m.apply(*due[1:])
        self.pending = [p for p in self.pending if p[0] > c]
        if s.cb_we:
            m.cb[s.cb_addr // NUM_CODES][s.cb_addr % NUM_CODES] = to_signed(s.cb_wdata, 16)
        # The write-back reads the bank the entries do not add into, and zeroes the row;
        # RESULT reads theirs.
        if s.wb_re:
            self.wb_expect.append((c + READ_LATENCY, s.wb_row, m.read(1 - s.acc_bank, s.wb_row)))
            m.acc[1 - s.acc_bank][s.wb_row] = 0
            self.hold_ok = False
        if s.res_re:
            self.wb_expect.append((c + READ_LATENCY, s.res_row, m.read(s.acc_bank, s.res_row)))
            self.hold_ok = False
        if s.clear:
            # The entries in flight (not yet written) and the one arriving now dropped.
            self.pending.clear()
            self.busy_until = c
        elif s.ent_valid:
            if s.entry.code == 0:
                m.pads += 1
            else:
                product = m.cb[s.layer][s.entry.code] * s.entry.act
                self.pending.append((c + PIPE_DEPTH, s.acc_bank, s.entry.row, product))
                self.busy_until = c + PIPE_DEPTH
        for bank in range(2):
            if s.sweep >> bank & 1:
                m.sweep(bank)
        # An entry's stage-0 RAM read changes the read register two cycles later.
        if self.busy_until >= c:
            self.hold_ok = False

    def finish(self) -> None:
        assert not self.wb_expect, f"write-back reads never seen: {list(self.wb_expect)[:4]}"
        assert not self.pending, f"entries never written: {self.pending[:4]}"
        self.log.info("%d updates, %d padding entries, %d sweeps, %d write-back reads checked",
                      self.model.updates, self.model.pads, self.model.swept, self.reads_checked)


# -----------------------------------------------------------------------------
# Testbench
# -----------------------------------------------------------------------------
class TB(ClockedTB):
    IDLE_INPUTS = ("cb_we_i", "cb_addr_i", "cb_wdata_i", "layer_i", "acc_bank_i", "ent_valid_i", "ent_code_i",
                   "ent_row_i", "ent_act_i", "clear_i", "sweep_i", "wb_re_i", "wb_row_i",
                   "res_re_i", "res_row_i")

    def __init__(self, dut):
        super().__init__(dut)
        self.max_layers = int(dut.MaxLayers.value)
        self.act_depth = int(dut.ActDepth.value)
        self.model = ArithModel(self.max_layers, self.act_depth)
        self.checker = Checker(self.model, self.log)
        self.log.info("seed %d, MaxLayers %d, ActDepth %d", self.seed, self.max_layers, self.act_depth)

    def sample(self) -> None:
        dut = self.dut
        valid = bool(dut.ent_valid_i.value)
        wb_acc = dut.wb_acc_o.value
        self.checker.step(Sample(
            cycle=self.cycle,
            cb_we=bool(dut.cb_we_i.value),
            cb_addr=int(dut.cb_addr_i.value),
            cb_wdata=int(dut.cb_wdata_i.value),
            layer=int(dut.layer_i.value),
            acc_bank=int(dut.acc_bank_i.value),
            ent_valid=valid,
            entry=Entry(int(dut.ent_code_i.value), int(dut.ent_row_i.value),
                        to_signed(int(dut.ent_act_i.value), 16)) if valid else None,
            clear=bool(dut.clear_i.value),
            sweep=int(dut.sweep_i.value),
            wb_re=bool(dut.wb_re_i.value),
            wb_row=int(dut.wb_row_i.value),
            res_re=bool(dut.res_re_i.value),
            res_row=int(dut.res_row_i.value),
            wb_acc=wb_acc.to_signed() if wb_acc.is_resolvable else None,
            idle=bool(dut.idle_o.value),
        ))

    # --- drivers ----------------------------------------------------------------
    async def load_codebook(self, layer: int, weights: list[int]) -> None:
        dut = self.dut
        for code, w in enumerate(weights):
            await FallingEdge(dut.clk_i)
            dut.cb_we_i.value = 1
            dut.cb_addr_i.value = layer * NUM_CODES + code
            dut.cb_wdata_i.value = w & 0xFFFF
        await FallingEdge(dut.clk_i)
        dut.cb_we_i.value = 0

    async def drive(self, entries: list[Entry], pause, layer: int = 0) -> None:
        """One entry per cycle unless paused; paused cycles carry random junk with valid low."""
        dut = self.dut
        dut.layer_i.value = layer
        for e in entries:
            while True:
                await FallingEdge(dut.clk_i)
                if not next(pause):
                    break
                dut.ent_valid_i.value = 0
                dut.ent_code_i.value = self.rng.randrange(NUM_CODES)
                dut.ent_row_i.value = self.rng.randrange(self.act_depth)
                dut.ent_act_i.value = self.rng.getrandbits(16)
            dut.ent_valid_i.value = 1
            dut.ent_code_i.value = e.code
            dut.ent_row_i.value = e.row
            dut.ent_act_i.value = e.act & 0xFFFF
        await FallingEdge(dut.clk_i)
        dut.ent_valid_i.value = 0

    async def wait_idle(self) -> None:
        while True:
            await FallingEdge(self.dut.clk_i)
            await ReadOnly()
            if self.dut.idle_o.value:
                break
        await FallingEdge(self.dut.clk_i)

    async def start(self) -> None:
        """Reset, then the reset's sweep of both banks (no entry may add into a sweeping bank)."""
        await super().start()
        await self.falling_edges(SWEEP_CYCLES)

    async def clear(self) -> None:
        await self.pulse(self.dut.clear_i)

    async def sweep(self, banks: int, wait: bool = True) -> None:
        """Pulse sweep_i (bit b: bank b) and, unless told not to, wait until the sweep is over."""
        await FallingEdge(self.dut.clk_i)
        self.dut.sweep_i.value = banks
        await FallingEdge(self.dut.clk_i)
        self.dut.sweep_i.value = 0
        if wait:
            await self.falling_edges(SWEEP_CYCLES)

    async def read_rows(self, rows: list[int] | None = None, bank: int | None = None) -> None:
        """Each row of ``bank``, back to back, with an idle cycle now and then (hold check):
        the other bank through wb_re_i (also while entries flow), the entries' own bank
        (the default) through res_re_i once the pipeline is idle."""
        dut = self.dut
        rows = list(range(self.act_depth)) if rows is None else rows
        own = bank is None or bank == int(dut.acc_bank_i.value)
        if own:
            await self.wait_idle()
        re, row_pin = (dut.res_re_i, dut.res_row_i) if own else (dut.wb_re_i, dut.wb_row_i)
        for row in rows:
            await FallingEdge(dut.clk_i)
            re.value = 1
            row_pin.value = row
            if self.rng.random() < 0.3:
                await FallingEdge(dut.clk_i)
                re.value = 0
                row_pin.value = self.rng.randrange(self.act_depth)
        await FallingEdge(dut.clk_i)
        re.value = 0
        await FallingEdge(dut.clk_i)

    async def finish(self) -> None:
        await self.read_rows(bank=1 - int(self.dut.acc_bank_i.value))
        await self.read_rows()
        await FallingEdge(self.dut.clk_i)
        self.checker.finish()

    # --- stimulus -----------------------------------------------------------------
    def random_codebook(self) -> list[int]:
        cb = [self.rng.randint(W_MIN, W_MAX) for _ in range(NUM_CODES)]
        # The extremes at random codes: every entry of the codebook RAM takes every bit both ways.
        lo, hi = self.rng.sample(range(1, NUM_CODES), 2)
        cb[lo], cb[hi] = W_MIN, W_MAX
        return cb

    def act(self) -> int:
        return self.rng.choice([W_MIN, W_MAX, -1, 0, 1, self.rng.randint(W_MIN, W_MAX)])

    def entry(self, row: int, code: int | None = None) -> Entry:
        code = self.rng.randrange(1, NUM_CODES) if code is None else code
        return Entry(code, row, self.act())


# -----------------------------------------------------------------------------
# Tests
# -----------------------------------------------------------------------------
@cocotb.test()
async def test_bypass_patterns(dut):
    """Runs of 2, 3 and many equal rows, alternating rows, padding between equal rows; no pause."""
    tb = TB(dut)
    await tb.start()
    await tb.load_codebook(0, tb.random_codebook())
    n = tb.act_depth
    r = [tb.rng.sample(range(n), 3) for _ in range(8)]
    e, pad = tb.entry, lambda row: Entry(0, row, tb.act())
    stream = (
        [e(r[0][0]), e(r[0][0])]  # run of 2
        + [e(r[1][0]), e(r[1][0]), e(r[1][0])]  # run of 3
        + [e(r[2][0]) for _ in range(25)]  # long run
        + [e(r[3][i % 2]) for i in range(12)]  # alternating rows: distance 2
        + [e(r[4][i % 3]) for i in range(12)]  # rotating rows: distance 3
        + [e(r[5][0]), pad(r[5][0]), e(r[5][0]), pad(r[5][1]), e(r[5][0])]  # padding between equal rows
        + [e(r[6][0]), pad(r[6][0]), pad(r[6][0]), e(r[6][0]), e(r[6][0])]
        + [e(r[7][0]), e(r[7][1]), e(r[7][0]), e(r[7][0]), e(r[7][1]), e(r[7][1]), e(r[7][1])]
    )
    await tb.drive(stream, pauses.pause("none", tb.rng))
    await tb.finish()


@cocotb.test()
async def test_extremes(dut):
    """-32768 and 32767 weights times -32768 and 32767 activations, hundreds of times on one row."""
    tb = TB(dut)
    await tb.start()
    await tb.load_codebook(0, [0, W_MIN, W_MAX] + [tb.rng.randint(W_MIN, W_MAX) for _ in range(13)])
    top, neg, mix, alt = 0, 1 % tb.act_depth, 2 % tb.act_depth, 3 % tb.act_depth
    stream = [Entry(1, top, W_MIN) for _ in range(300)]  # +2^30 each
    stream += [Entry(2, neg, W_MIN) for _ in range(300)]  # -(2^30 - 2^15) each
    stream += [Entry(1 + (i % 2), mix, W_MAX if i % 3 else W_MIN) for i in range(100)]
    stream += [Entry(1, alt, W_MIN), Entry(2, top, W_MAX)] * 50
    await tb.drive(stream, pauses.pause("none", tb.rng))
    await tb.finish()
    assert tb.model.acc[0][top] > (1 << 38)


@cocotb.test()
@cocotb.parametrize(pause_kind=["none", "pattern", "random"])
async def test_random_layers(dut, pause_kind):
    """Several layers: a sweep, random entries on few rows (many hazards) with padding, read all."""
    tb = TB(dut)
    await tb.start()
    for layer in range(tb.max_layers):
        await tb.load_codebook(layer, tb.random_codebook())
    for _ in range(4):
        layer = tb.rng.randrange(tb.max_layers)
        hot = tb.rng.sample(range(tb.act_depth), tb.rng.choice([1, 2, 3, tb.act_depth // 2]))
        stream = [tb.entry(tb.rng.choice(hot), 0 if tb.rng.random() < 0.2 else None)
                  for _ in range(tb.rng.randint(20, 120))]
        await tb.sweep(1 << int(dut.acc_bank_i.value))
        await tb.drive(stream, pauses.pause(pause_kind, tb.rng), layer)
        await tb.read_rows()
    await tb.finish()


@cocotb.test()
async def test_sweep(dut):
    """Rows read 0 after reset; a sweep zeroes a bank at once for reads and in the RAM for
    the entries after it; a write-back read zeroes its row; sweep_i with clear_i (an abort)
    also zeroes the sum stage 2 writes in that cycle."""
    tb = TB(dut)
    await tb.start()
    await tb.load_codebook(0, tb.random_codebook())
    n = tb.act_depth
    await tb.read_rows()  # straight after reset's sweep: every row 0
    await tb.read_rows(bank=1)
    await tb.drive([tb.entry(r) for r in range(n) for _ in range(2)], pauses.pause("none", tb.rng))
    await tb.read_rows()
    assert any(tb.model.acc[0]), "no non-zero sum to sweep"
    # Sweep bank 0 and read it while the sweep runs: 0 everywhere.
    await tb.sweep(1, wait=False)
    await tb.read_rows(list(range(min(n, 8))))
    await tb.falling_edges(SWEEP_CYCLES)
    few = tb.rng.sample(range(n), 2)
    await tb.drive([tb.entry(few[0]), tb.entry(few[1]), tb.entry(few[0])], pauses.pause("none", tb.rng))
    await tb.read_rows()
    assert sum(1 for v in tb.model.acc[0] if v) <= 2
    # Bank 0 becomes the write-back's: each row read twice, the second time 0.
    dut.acc_bank_i.value = 1
    await FallingEdge(dut.clk_i)
    await tb.read_rows(few + few, bank=0)
    assert not any(tb.model.acc[0])
    # An abort: clear_i and sweep_i of both banks in the cycle an entry is written.
    dut.acc_bank_i.value = 0
    await FallingEdge(dut.clk_i)
    task = cocotb.start_soon(tb.drive([tb.entry(few[0]) for _ in range(4)], pauses.pause("none", tb.rng)))
    await tb.falling_edges(4)
    dut.clear_i.value = 1
    dut.sweep_i.value = 3
    await FallingEdge(dut.clk_i)
    dut.clear_i.value = 0
    dut.sweep_i.value = 0
    await task
    await tb.falling_edges(SWEEP_CYCLES)
    await tb.finish()
    assert tb.model.swept == 3  # bank 0 once, then both


@cocotb.test()
async def test_clear_in_flight(dut):
    """clear_i in the middle of a stream drops the entries in flight and the arriving one."""
    tb = TB(dut)
    await tb.start()
    await tb.load_codebook(0, tb.random_codebook())
    for delay in (0, 1, 2, 3, 7):
        hot = tb.rng.sample(range(tb.act_depth), 2)
        stream = [tb.entry(hot[i % 2] if i % 3 else hot[0]) for i in range(12)]
        task = cocotb.start_soon(tb.drive(stream, pauses.pause("none", tb.rng)))
        await tb.pulse(dut.clear_i, delay + 1)
        await task
        await tb.read_rows()
    await tb.finish()


@cocotb.test()
@cocotb.parametrize(pause_kind=["none", "random"])
async def test_write_back_during_the_next_layer(dut, pause_kind):
    """Layers alternate banks; each layer's entries add into its bank while the rows of
    the layer before are read (and so zeroed) from the other, which the next layer then
    adds into without a sweep."""
    tb = TB(dut)
    await tb.start()
    for layer in range(tb.max_layers):
        await tb.load_codebook(layer, tb.random_codebook())
    for step in range(6):
        bank = step % 2
        dut.acc_bank_i.value = bank
        await FallingEdge(dut.clk_i)
        hot = tb.rng.sample(range(tb.act_depth), tb.rng.choice([1, 2, tb.act_depth // 2]))
        stream = [tb.entry(tb.rng.choice(hot), 0 if tb.rng.random() < 0.2 else None) for _ in range(40)]
        entries = cocotb.start_soon(tb.drive(stream, pauses.pause(pause_kind, tb.rng), step % tb.max_layers))
        await tb.read_rows(bank=1 - bank)
        await entries
        await tb.wait_idle()  # the bank is held while entries are in the pipeline
    await tb.finish()


@cocotb.test()
async def test_layer_select(dut):
    """Each layer decodes through its own codebook."""
    tb = TB(dut)
    await tb.start()
    for layer in range(tb.max_layers):
        await tb.load_codebook(layer, tb.random_codebook())
    for layer in reversed(range(tb.max_layers)):
        await tb.sweep(1 << int(dut.acc_bank_i.value))
        await tb.drive([tb.entry(tb.rng.randrange(tb.act_depth), code) for code in range(NUM_CODES)] * 2,
                       pauses.pause("none", tb.rng), layer)
        await tb.read_rows()
    await tb.finish()


PARAMS = [
    {"MaxLayers": 4, "ActDepth": 16},
    {"MaxLayers": 1, "ActDepth": 10},
    {"MaxLayers": 2, "ActDepth": 40},  # three 16-row sub-banks (the last partly used)
    {"MaxLayers": 8, "ActDepth": 1024},  # every bit of a 10-bit row and a 7-bit codebook address
]


# Every set runs on Icarus; Verilator (~25 s a build) runs PARAMS[0], the others under -m slow.
@pytest.mark.sim_matrix(PARAMS, ids=lambda p: f"L{p['MaxLayers']}-A{p['ActDepth']}", unit=True)
def test_arith(sim, parameters):
    run_unit("eie_arith", "test_arith", parameters, sim, ["eie_pkg.sv", "eie_arith.sv"])
