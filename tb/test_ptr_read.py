# SPDX-License-Identifier: Apache-2.0
"""cocotb testbench of eie_ptr_read: even/odd pointer banks read as pairs, one or two take lanes.

The model holds the pointer list p[k] as written through the load port; for a
column with pointer index k on lane l it expects, exactly two cycles later on
lane l (the bank read, then the register behind it), start = p[k], end =
p[k+1], empty = (start == end) and err_order = (start > end), and mid_valid_o
the cycle between. A flush drops the columns read in its cycle and the one
before. A monitor samples every cycle and a scoreboard per lane checks both the
values and the cycle. The driver only ever drives a prefix of the lanes (none,
lane 0, or both): lane 1 alone is illegal and the RTL would $fatal. A load read
of p[k] is expected on ld_rdata_o two cycles later and for as long as port 0
then reads nothing else.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass

import cocotb
import pytest
from clocked_tb import ClockedTB, run_unit
from eie.sim.tb import pauses
from cocotb.triggers import FallingEdge, ReadOnly

ACT_WIDTH = 16


PAUSE_PATTERN = [False, True, False, False, True, True, False]
# test_lane_pairs drives every pair of up to this many ks (a sample of them beyond).
LANE_PAIR_KS = 40


# -----------------------------------------------------------------------------
# Stimulus: one step per cycle (None is an idle cycle)
# -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Compute:
    """The cycle's columns (k, act), lane 0 first: one or two."""

    cols: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Flush:
    """A flush, with the columns (none, one or two) that it drops in its own cycle."""

    cols: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class LoadWrite:
    k: int
    ptr: int


@dataclass(frozen=True)
class LoadRead:
    k: int


def pack(values: list[int], width: int) -> int:
    """Lane values into a packed [Lanes-1:0][width-1:0] port, lane 0 in the low bits."""
    return sum(v << (lane * width) for lane, v in enumerate(values))


def unpack(handle, width: int, lanes: int) -> list[str]:
    """A packed [Lanes-1:0][width-1:0] port as one binary string per lane, lane 0 first."""
    bits = str(handle.value)
    assert len(bits) == lanes * width, f"{len(bits)} bits, expected {lanes} x {width}"
    return [bits[len(bits) - (lane + 1) * width : len(bits) - lane * width] for lane in range(lanes)]


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
    """The pointer list; a column taken at cycle c is expected on its lane at cycle c + 2."""

    LATENCY = 2

    def __init__(self, num_ptrs: int):
        self.ptrs: list[int | None] = [None] * num_ptrs

    def pointer(self, k: int) -> int:
        p = self.ptrs[k]
        assert p is not None, f"test bug: pointer {k} not loaded"
        return p

    def expect(self, k: int, act: int) -> PairOut:
        start, end = self.pointer(k), self.pointer(k + 1)
        return PairOut(act, start, end, start == end, start > end)


class Scoreboard:
    """One lane, in-order, cycle-exact: out_valid_o[lane] must rise exactly when the head is due."""

    def __init__(self, log, lane: int):
        self.log = log
        self.lane = lane
        self.expected: deque[tuple[int, int, PairOut]] = deque()
        self.checked = 0

    def push(self, cycle: int, k: int, item: PairOut) -> None:
        self.expected.append((cycle, k, item))

    def observe(self, cycle: int, valid: bool, got: PairOut | None) -> None:
        lane = self.lane
        due = bool(self.expected) and self.expected[0][0] == cycle
        missed = bool(self.expected) and self.expected[0][0] < cycle
        assert not missed, f"cycle {cycle} lane {lane}: missed {self.expected[0]}"
        assert valid == due, f"cycle {cycle}: out_valid_o[{lane}]={valid}, expected {'an output' if due else 'none'}"
        if valid:
            _, k, want = self.expected.popleft()
            assert got == want, f"cycle {cycle} lane {lane}, k {k}: got {got}, want {want}"
            self.checked += 1

    def drop_due(self, cycles: set[int]) -> None:
        """A flush: the columns due in these cycles never come out."""
        self.expected = deque(e for e in self.expected if e[0] not in cycles)

    def finish(self) -> None:
        left = list(self.expected)
        assert not left, f"lane {self.lane}: {len(left)} outputs never seen: {left[:4]}"
        self.log.info("lane %d: %d pointer pairs checked", self.lane, self.checked)


# -----------------------------------------------------------------------------
# Testbench
# -----------------------------------------------------------------------------
class TB(ClockedTB):
    IDLE_INPUTS = ("ld_we_i", "ld_re_i", "ld_index_i", "ld_data_i", "flush_i", "in_valid_i", "in_act_i",
                   "in_index_i", "in_even_addr_i")

    def __init__(self, dut):
        super().__init__(dut)
        self.depth = int(dut.PtrBankDepth.value)
        self.ptr_width = int(dut.PtrWidth.value)
        self.index_width = (self.depth - 1).bit_length() + 1  # $clog2(PtrBankDepth) + 1
        self.num_ptrs = 2 * self.depth
        self.last_k = self.num_ptrs - 2  # the last index with a p_{k+1}
        # The DUT's TakeLanes (1 or 2): a column pair for one lane goes in two cycles (run).
        self.lanes = len(dut.in_valid_i)
        assert self.lanes in (1, 2), f"in_valid_i has {self.lanes} lanes"
        assert len(dut.in_index_i) == self.lanes * self.index_width, "in_index_i width"
        self.model = PtrModel(self.num_ptrs)
        self.scoreboards = [Scoreboard(self.log, lane) for lane in range(self.lanes)]
        self.ld_want: tuple[int, int] | None = None  # (k, p[k]) that ld_rdata_o must show
        # Per cycle: what ld_rdata_o shows from then on ((k, p[k]), or None: unknown),
        # set two cycles after each read of port 0.
        self.ld_from: dict[int, tuple[int, int] | None] = {}
        self.ld_reads = 0
        self.ld_reads_checked = 0
        self.ld_read_due: set[int] = set()
        self.mid_due: dict[int, int] = {}  # cycle -> mid_valid_o expected then
        self.mid_checked = 0
        self.log.info("seed %d, PtrBankDepth %d, PtrWidth %d, TakeLanes %d", self.seed, self.depth,
                      self.ptr_width, self.lanes)

    def sample(self) -> None:
        dut = self.dut
        valid = unpack(dut.out_valid_o, 1, self.lanes)
        act = unpack(dut.out_act_o, ACT_WIDTH, self.lanes)
        start = unpack(dut.out_start_o, self.ptr_width, self.lanes)
        end = unpack(dut.out_end_o, self.ptr_width, self.lanes)
        empty = unpack(dut.out_empty_o, 1, self.lanes)
        err = unpack(dut.err_order_o, 1, self.lanes)
        for lane, scoreboard in enumerate(self.scoreboards):
            got = None
            if valid[lane] == "1":  # a lane's bank read registers hold X until it first reads
                got = PairOut(
                    int(act[lane], 2),
                    int(start[lane], 2),
                    int(end[lane], 2),
                    empty[lane] == "1",
                    err[lane] == "1",
                )
            scoreboard.observe(self.cycle, valid[lane] == "1", got)
        mid = int(dut.mid_valid_o.value)
        want_mid = self.mid_due.pop(self.cycle, 0)
        assert mid == want_mid, f"cycle {self.cycle}: mid_valid_o {mid:02b}, expected {want_mid:02b}"
        self.mid_checked += want_mid != 0

    # --- driver -----------------------------------------------------------------
    async def step(self, step: Compute | Flush | LoadWrite | LoadRead | None) -> None:
        """Drive one cycle; inputs a step does not use get random values."""
        dut = self.dut
        cols = step.cols if isinstance(step, (Compute, Flush)) else ()
        assert len(cols) <= self.lanes and (len(cols) > 0 or not isinstance(step, Compute)), f"test bug: {step}"
        load = step if isinstance(step, (LoadWrite, LoadRead)) else None
        await FallingEdge(dut.clk_i)
        # A prefix of the lanes: 0b00, 0b01 or 0b11, never lane 1 alone.
        dut.in_valid_i.value = (1 << len(cols)) - 1
        free = range(self.lanes - len(cols))
        ks = [k for k, _ in cols] + [self.rng.getrandbits(self.index_width) for _ in free]
        acts = [a for _, a in cols] + [self.rng.getrandbits(ACT_WIDTH) for _ in free]
        # The even bank's address of a column, (k + 1) >> 1, as the CCU forms it; a
        # random one on the lanes not read.
        even = [(k + 1) >> 1 for k, _ in cols] + [self.rng.getrandbits(self.index_width - 1) for _ in free]
        if load:
            # Lane 0 carries zeros with a load access, as the history's output does
            # for a PE that wants nothing (the unit ORs it into the load's address).
            ks[0] = even[0] = 0
        dut.in_index_i.value = pack(ks, self.index_width)
        dut.in_even_addr_i.value = pack(even, self.index_width - 1)
        dut.in_act_i.value = pack(acts, ACT_WIDTH)
        dut.ld_we_i.value = int(isinstance(step, LoadWrite))
        dut.ld_re_i.value = int(isinstance(step, LoadRead))
        dut.ld_index_i.value = load.k if load else self.rng.getrandbits(self.index_width)
        dut.ld_data_i.value = step.ptr if isinstance(step, LoadWrite) else self.rng.getrandbits(self.ptr_width)
        dut.flush_i.value = int(isinstance(step, Flush))
        await ReadOnly()
        self.check_ld_rdata()
        due = self.cycle + PtrModel.LATENCY
        if isinstance(step, LoadWrite):
            self.model.ptrs[step.k] = step.ptr
        if isinstance(step, LoadRead):
            self.ld_from[due] = (step.k, self.model.pointer(step.k))
            self.ld_reads += 1
            self.ld_read_due.add(due)
        elif step is not None:
            # Held only while port 0 reads nothing else: a compute read shares it.
            self.ld_from[due] = None
        if isinstance(step, Flush):
            # The columns read last cycle and this one are dropped.
            for scoreboard in self.scoreboards:
                scoreboard.drop_due({due - 1, due})
            self.mid_due.pop(due - 1, None)
            return
        for lane, (k, act) in enumerate(cols):
            self.scoreboards[lane].push(due, k, self.model.expect(k, act))
        if cols:
            self.mid_due[due - 1] = (1 << len(cols)) - 1

    def check_ld_rdata(self) -> None:
        """ld_rdata_o, two cycles after a load read and while port 0 reads nothing else."""
        if self.cycle in self.ld_from:
            self.ld_want = self.ld_from.pop(self.cycle)
        if self.ld_want is None:
            return
        k, want = self.ld_want
        got = int(self.dut.ld_rdata_o.value)
        assert got == want, f"cycle {self.cycle}: ld_rdata_o {got}, want p[{k}] = {want}"
        if self.cycle in self.ld_read_due:
            self.ld_reads_checked += 1
            self.ld_read_due.discard(self.cycle)

    async def run(self, steps, pause=None) -> None:
        """The steps in order, idle cycles where the pause generator says, then idle cycles
        until the last read shows."""
        pause = pause if pause is not None else pauses.pause("none", self.rng)
        for step in self.fit(steps):
            while next(pause):
                await self.step(None)
            await self.step(step)
        for _ in range(PtrModel.LATENCY):
            await self.step(None)

    def fit(self, steps):
        """The steps, a Compute of more columns than the DUT has lanes split into
        consecutive cycles (the same columns in the same order, one lane: TakeLanes 1)."""
        for step in steps:
            if isinstance(step, Compute) and len(step.cols) > self.lanes:
                for i in range(0, len(step.cols), self.lanes):
                    yield Compute(step.cols[i : i + self.lanes])
            else:
                yield step

    def checked(self) -> int:
        """Pointer pairs checked on all lanes."""
        return sum(scoreboard.checked for scoreboard in self.scoreboards)

    async def load(self, ptrs: list[int]) -> None:
        await self.run([LoadWrite(k, p) for k, p in enumerate(ptrs)])

    async def drain(self) -> None:
        await self.falling_edges(4)
        for scoreboard in self.scoreboards:
            scoreboard.finish()
        assert self.ld_reads_checked == self.ld_reads, f"{self.ld_reads - self.ld_reads_checked} load reads never seen"
        self.log.info("%d load reads checked", self.ld_reads)

    # --- stimulus ---------------------------------------------------------------
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

    def distinct_pointers(self) -> list[int]:
        """All different, so a pointer read from any wrong index shows."""
        return self.rng.sample(range(1 << self.ptr_width), self.num_ptrs)

    def random_act(self) -> int:
        return self.rng.getrandbits(ACT_WIDTH)

    def random_k(self) -> int:
        return self.rng.randint(0, self.last_k)

    def take(self, ks: list[int], weights: tuple[float, float, float]) -> list[Compute | None]:
        """The columns in order, 0, 1 or 2 of them per cycle (weights; at most the DUT's
        lanes), as the PE takes them."""
        queue = deque((k, self.random_act()) for k in ks)
        steps: list[Compute | None] = []
        while queue:
            n = min(len(queue), self.rng.choices(range(self.lanes + 1), weights[: self.lanes + 1])[0])
            steps.append(Compute(tuple(queue.popleft() for _ in range(n))) if n else None)
        return steps

    def singles(self, ks: list[int]) -> list[Compute]:
        return [Compute(((k, self.random_act()),)) for k in ks]

    def pairs(self, ks: list[int]) -> list[Compute]:
        """Consecutive ks two per cycle (the last one alone if odd in number)."""
        return [Compute(tuple((k, self.random_act()) for k in ks[i : i + 2])) for i in range(0, len(ks), 2)]


# -----------------------------------------------------------------------------
# Tests
# -----------------------------------------------------------------------------
@cocotb.test()
async def test_load_port(dut):
    """Every pointer of both banks written, then read back in random order, back to back and with idles."""
    tb = TB(dut)
    await tb.start()
    await tb.load([tb.rng.getrandbits(tb.ptr_width) for _ in range(tb.num_ptrs)])
    for pause_kind in ("none", "random"):
        order = list(range(tb.num_ptrs))
        tb.rng.shuffle(order)
        await tb.run([LoadRead(k) for k in order], pauses.pause(pause_kind, tb.rng, pattern=PAUSE_PATTERN))
    await tb.drain()
    assert tb.ld_reads == 2 * tb.num_ptrs


@cocotb.test()
@cocotb.parametrize(pause_kind=["none", "pattern", "random"])
async def test_every_column(dut, pause_kind):
    """Every k = 0 .. 2*PtrBankDepth-2 on lane 0 alone and on each lane of a pair, in both parities."""
    tb = TB(dut)
    await tb.start()
    await tb.load(tb.random_pointers())
    ks = list(range(tb.last_k + 1))
    # Pairs from k = 0 put even k on lane 0; from k = 1 (k = 0 alone first) odd k.
    steps = tb.singles(ks) + tb.pairs(ks) + tb.singles(ks[:1]) + tb.pairs(ks[1:])
    await tb.run(steps, pauses.pause(pause_kind, tb.rng, pattern=PAUSE_PATTERN))
    await tb.drain()
    assert tb.checked() == 3 * len(ks)
    if tb.lanes == 2:
        assert tb.scoreboards[1].checked == len(ks) - 1


@cocotb.test()
@cocotb.parametrize(pointers=["distinct", "walk"])
async def test_lane_pairs(dut, pointers):
    """Every (k0, k1) in one cycle: the same index, adjacent either way in both parities, far apart."""
    tb = TB(dut)
    await tb.start()
    await tb.load(tb.distinct_pointers() if pointers == "distinct" else tb.random_pointers())
    ks = list(range(tb.last_k + 1))
    if len(ks) > LANE_PAIR_KS:
        # A large bank: every pair of a sample of ks (both ends and both parities of each
        # bank's first and last addresses, the rest random), not all (len(ks)^2 cycles).
        ends = [0, 1, 2, 3, tb.last_k - 3, tb.last_k - 2, tb.last_k - 1, tb.last_k]
        ks = ends + tb.rng.sample([k for k in ks if k not in ends], LANE_PAIR_KS - len(ends))
    combos = list(itertools.product(ks, repeat=2))
    tb.rng.shuffle(combos)
    await tb.run([Compute(tuple((k, tb.random_act()) for k in ks)) for ks in combos])
    await tb.drain()
    assert tb.checked() == 2 * len(combos)
    assert tb.scoreboards[-1].checked == len(combos) * (2 if tb.lanes == 1 else 1)


@cocotb.test()
async def test_random_columns(dut):
    """Random columns taken 0, 1 or 2 per cycle, several reloads; load reads in between."""
    tb = TB(dut)
    await tb.start()
    for _ in range(4):
        await tb.load(tb.random_pointers())
        ks = [tb.random_k() for _ in range(80)]
        weights = tb.rng.choice([(1, 1, 1), (1, 4, 1), (1, 1, 4), (4, 1, 1)])
        steps = tb.take(ks, weights)
        prob = tb.rng.choice([0.0, 0.1, 0.5])
        await tb.run(steps, pauses.pause("random", tb.rng, prob=prob, pattern=PAUSE_PATTERN))
        await tb.run([LoadRead(tb.rng.randrange(tb.num_ptrs)) for _ in range(5)])
    await tb.drain()


@cocotb.test()
async def test_load_between_columns(dut):
    """Load writes and reads in the cycles between compute cycles; a written pointer read the next cycle."""
    tb = TB(dut)
    await tb.start()
    await tb.load(tb.distinct_pointers())
    steps: list[Compute | LoadWrite | LoadRead | None] = []
    for _ in range(300):
        kind = tb.rng.choice(["write", "read", "compute", "idle"])
        if kind == "write":
            k = tb.rng.randrange(tb.num_ptrs)
            steps.append(LoadWrite(k, tb.rng.getrandbits(tb.ptr_width)))
            # The new p[k] at once, as p_k and as p_{k+1}, on either lane.
            ks = [j for j in (k, k - 1) if 0 <= j <= tb.last_k]
            tb.rng.shuffle(ks)
            steps.append(Compute(tuple((j, tb.random_act()) for j in ks)))
        elif kind == "read":
            steps.append(LoadRead(tb.rng.randrange(tb.num_ptrs)))
        elif kind == "compute":
            n = tb.rng.randint(1, tb.lanes)
            steps.append(Compute(tuple((tb.random_k(), tb.random_act()) for _ in range(n))))
        else:
            steps.append(None)
    await tb.run(steps)
    await tb.drain()
    assert tb.ld_reads > 0 and tb.scoreboards[-1].checked > 0


@cocotb.test()
async def test_flags(dut):
    """Directed empty, normal and reversed columns on both parities and both lanes."""
    tb = TB(dut)
    await tb.start()
    ptrs = [5, 5, 9, 3, 3, 4, 0, 0] + [7] * (tb.num_ptrs - 8)
    ptrs[-1] = (1 << tb.ptr_width) - 1
    await tb.load(ptrs)
    ks = [0, 1, 2, 3, 4, 5, 6, tb.last_k, tb.last_k - 1]
    rotated = ks[1:] + ks[:1]  # every k once on lane 1, next to another k on lane 0
    steps = tb.singles(ks) + [Compute(((k0, k0 + 100), (k1, k1 + 200))) for k0, k1 in zip(rotated, ks)]
    await tb.run(steps)
    await tb.drain()
    assert tb.checked() == 3 * len(ks)
    if tb.lanes == 2:
        assert tb.scoreboards[1].checked == len(ks)


PARAMS = [
    {"PtrBankDepth": 8, "PtrWidth": 10},
    {"PtrBankDepth": 5, "PtrWidth": 7},
    # Banks of 16 x 16 bits: the largest whose words Verilator counts toggles of (256
    # bits a bank), as wide as a small core's pointers.
    {"PtrBankDepth": 16, "PtrWidth": 16},
    # Banks and pointers as large as a core's of 16384 words of entries (PtrWidth 18): every
    # bit of the index, the bank addresses and the pointers driven both ways (make coverage).
    {"PtrBankDepth": 1024, "PtrWidth": 18},
    # eie_core's default banks (PtrBankDepth 16384, built by the register and timing
    # tests): every bit of a 15-bit pointer index. Verilator only (make coverage): the
    # tests walk every pointer, some minutes on Icarus.
    {"PtrBankDepth": 16384, "PtrWidth": 18},
    # One take lane (eie_core's TakeLanes = 1): a column a cycle, the second read port gone.
    {"PtrBankDepth": 8, "PtrWidth": 10, "TakeLanes": 1},
    {"PtrBankDepth": 5, "PtrWidth": 7, "TakeLanes": 1},
]


# Icarus runs every set but the last; Verilator (~25 s a build) runs PARAMS[0], the others under -m slow.
@pytest.mark.sim_matrix(PARAMS, ids=lambda p: f"D{p['PtrBankDepth']}-W{p['PtrWidth']}-L{p.get('TakeLanes', 2)}",
                        unit=True, verilator_only=PARAMS[4:5])
def test_ptr_read(sim, parameters):
    run_unit("eie_ptr_read", "test_ptr_read", parameters, sim, ["eie_pkg.sv", "eie_ptr_read.sv"])


@cocotb.test()
async def test_flush(dut):
    """Random columns with flushes between and with them: a flush drops its cycle's and the last cycle's reads."""
    tb = TB(dut)
    await tb.start()
    await tb.load(tb.random_pointers())
    steps: list[Compute | Flush | None] = []
    for step in tb.take([tb.random_k() for _ in range(300)], (1, 2, 2)):
        if tb.rng.random() < 0.15:
            cols = step.cols if step is not None and tb.rng.random() < 0.5 else ()
            steps.append(Flush(cols))
        else:
            steps.append(step)
    await tb.run(steps)
    await tb.drain()
    assert tb.mid_checked > 0 and tb.scoreboards[-1].checked > 0
