# SPDX-License-Identifier: Apache-2.0
"""cocotb testbench of eie_act_file: ping-pong activation files, bitmap and LNZD leaf.

A monitor samples every pin each cycle (read-only phase); the checker steps a
cycle-level model of the contract: the leaf register offers the lowest set
bitmap bit k of the source file (value and global column k*NumPe + p, p the PE's
index on pe_index_i) one cycle after it is taken, takes the next one in the same
cycle it is handed over
(one per cycle, zeros cost nothing, valid and data hold under backpressure),
write-back writes the source file and sets the bitmap bit only for a non-zero
value (also while the file is scanned), the leaf is done only with nothing set,
nothing offered and no write-back pending, and a load read returns the file
word one cycle later.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cocotb
import pytest
from clocked_tb import ClockedTB, run_unit
from eie.sim.tb import pauses
from cocotb.triggers import FallingEdge, ReadOnly


PAUSE_PATTERN = [False, True, True, False, False, True, False]


# -----------------------------------------------------------------------------
# Model and checker
# -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaf:
    act: int
    col: int


@dataclass
class Sample:
    cycle: int
    src_sel: int
    scan_en: bool
    leaf_valid: bool
    leaf_ready: bool
    leaf: Leaf | None
    done: bool
    wb_pending: bool
    wb_valid: bool
    wb_row: int
    wb_act: int
    ld_we: bool
    ld_re: bool
    ld_file: int
    ld_addr: int
    ld_wdata: int
    ld_rdata: int | None
    bitmap_clear: bool


class ActFileModel:
    def __init__(self, depth: int, num_pe: int, pe_index: int):
        self.depth = depth
        self.num_pe = num_pe
        self.pe_index = pe_index
        self.files: list[list[int | None]] = [[None] * depth, [None] * depth]
        self.bitmap: set[int] = set()
        self.leaf: Leaf | None = None

    def col(self, k: int) -> int:
        return k * self.num_pe + self.pe_index

    def set_bit(self, k: int, value: int) -> None:
        if value:
            self.bitmap.add(k)
        else:
            self.bitmap.discard(k)

    def nonzeros(self, file: int) -> list[Leaf]:
        """What a full scan of `file` must produce, in order (for files loaded through the model)."""
        return [Leaf(v, self.col(k)) for k, v in enumerate(self.files[file]) if v]


class Checker:
    def __init__(self, model: ActFileModel, log):
        self.model = model
        self.log = log
        self.ld_expect: deque[tuple[int, int, int, int]] = deque()  # (cycle due, file, addr, value)
        self.fired: list[tuple[int, Leaf]] = []  # (cycle, leaf) of every handshake
        self.reads_checked = 0

    def step(self, s: Sample) -> None:
        m, c = self.model, s.cycle
        where = f"cycle {c}"
        assert s.leaf_valid == (m.leaf is not None), f"{where}: leaf_valid_o={s.leaf_valid}, model {m.leaf}"
        if s.leaf_valid:
            assert s.leaf == m.leaf, f"{where}: leaf {s.leaf}, model {m.leaf}"
        done = not m.bitmap and m.leaf is None and not s.wb_pending
        assert s.done == done, f"{where}: done_o={s.done}, model {done}"
        if self.ld_expect and self.ld_expect[0][0] == c:
            _, file, addr, want = self.ld_expect.popleft()
            assert s.ld_rdata == want, f"{where}: ld_rdata_o of file {file}[{addr}] = {s.ld_rdata}, model {want}"
            self.reads_checked += 1
        assert not self.ld_expect or self.ld_expect[0][0] > c, f"{where}: missed load read {self.ld_expect[0]}"

        # Reads see the files before this cycle's writes.
        src = s.src_sel
        take = s.scan_en and bool(m.bitmap) and (m.leaf is None or s.leaf_ready)
        fired = s.leaf_valid and s.leaf_ready
        if fired:
            self.fired.append((c, m.leaf))
            m.leaf = None
        if take:
            k = min(m.bitmap)
            m.bitmap.discard(k)
            m.leaf = Leaf(m.files[src][k], m.col(k))
        if s.ld_re:
            self.ld_expect.append((c + 1, s.ld_file, s.ld_addr, m.files[s.ld_file][s.ld_addr]))
        if s.wb_valid:
            m.files[src][s.wb_row] = s.wb_act
            m.set_bit(s.wb_row, s.wb_act)
        if s.ld_we:
            m.files[s.ld_file][s.ld_addr] = s.ld_wdata
            if s.ld_file == src:
                m.set_bit(s.ld_addr, s.ld_wdata)
        if s.bitmap_clear:
            m.bitmap.clear()
            m.leaf = None

    def finish(self) -> None:
        assert not self.ld_expect, f"load reads never seen: {list(self.ld_expect)[:4]}"
        assert self.model.leaf is None, f"leaf {self.model.leaf} never taken"
        self.log.info("%d leaves handed over, %d load reads checked", len(self.fired), self.reads_checked)


# -----------------------------------------------------------------------------
# Testbench
# -----------------------------------------------------------------------------
class TB(ClockedTB):
    IDLE_INPUTS = ("src_sel_i", "scan_en_i", "leaf_ready_i", "wb_pending_i", "wb_valid_i", "wb_row_i", "wb_act_i",
                   "ld_we_i", "ld_re_i", "ld_file_i", "ld_addr_i", "ld_wdata_i", "bitmap_clear_i")

    def __init__(self, dut):
        super().__init__(dut)
        self.depth = int(dut.ActDepth.value)
        self.num_pe = int(dut.NumPe.value)
        self.pe_index = self.constants["pe_index_i"]
        self.model = ActFileModel(self.depth, self.num_pe, self.pe_index)
        self.checker = Checker(self.model, self.log)
        self.log.info("seed %d, ActDepth %d, NumPe %d, pe_index_i %d", self.seed, self.depth, self.num_pe, self.pe_index)

    def sample(self) -> None:
        dut = self.dut
        leaf_valid = bool(dut.leaf_valid_o.value)
        ld_rdata = dut.ld_rdata_o.value
        self.checker.step(Sample(
            cycle=self.cycle,
            src_sel=int(dut.src_sel_i.value),
            scan_en=bool(dut.scan_en_i.value),
            leaf_valid=leaf_valid,
            leaf_ready=bool(dut.leaf_ready_i.value),
            leaf=Leaf(dut.leaf_act_o.value.to_signed(), int(dut.leaf_col_o.value)) if leaf_valid else None,
            done=bool(dut.done_o.value),
            wb_pending=bool(dut.wb_pending_i.value),
            wb_valid=bool(dut.wb_valid_i.value),
            wb_row=int(dut.wb_row_i.value),
            wb_act=dut.wb_act_i.value.to_signed(),
            ld_we=bool(dut.ld_we_i.value),
            ld_re=bool(dut.ld_re_i.value),
            ld_file=int(dut.ld_file_i.value),
            ld_addr=int(dut.ld_addr_i.value),
            ld_wdata=dut.ld_wdata_i.value.to_signed(),
            ld_rdata=ld_rdata.to_signed() if ld_rdata.is_resolvable else None,
            bitmap_clear=bool(dut.bitmap_clear_i.value),
        ))

    # --- drivers ----------------------------------------------------------------
    async def load(self, file: int, values: list[int]) -> None:
        dut = self.dut
        for addr, v in enumerate(values):
            await FallingEdge(dut.clk_i)
            dut.ld_we_i.value = 1
            dut.ld_file_i.value = file
            dut.ld_addr_i.value = addr
            dut.ld_wdata_i.value = v & 0xFFFF
        await FallingEdge(dut.clk_i)
        dut.ld_we_i.value = 0

    async def read_file(self, file: int) -> None:
        dut = self.dut
        for addr in range(self.depth):
            await FallingEdge(dut.clk_i)
            dut.ld_re_i.value = 1
            dut.ld_file_i.value = file
            dut.ld_addr_i.value = addr
        await FallingEdge(dut.clk_i)
        dut.ld_re_i.value = 0
        await FallingEdge(dut.clk_i)

    async def write_back(self, values: list[int], pause) -> None:
        """Rows in order, with pauses; wb_pending_i from the first cycle to the last write's."""
        dut = self.dut
        await FallingEdge(dut.clk_i)
        dut.wb_pending_i.value = 1
        for row, v in enumerate(values):
            while True:
                await FallingEdge(dut.clk_i)
                if not next(pause):
                    break
                dut.wb_valid_i.value = 0
            dut.wb_valid_i.value = 1
            dut.wb_row_i.value = row
            dut.wb_act_i.value = v & 0xFFFF
        await FallingEdge(dut.clk_i)
        dut.wb_valid_i.value = 0
        dut.wb_pending_i.value = 0

    async def scan(self, pause) -> list[tuple[int, Leaf]]:
        """scan_en_i high, leaf_ready_i from the pause generator, until done_o; the leaves handed over."""
        dut = self.dut
        first = len(self.checker.fired)
        dut.scan_en_i.value = 1
        while True:
            await FallingEdge(dut.clk_i)
            dut.leaf_ready_i.value = int(not next(pause))
            await ReadOnly()
            if dut.done_o.value:
                break
        await FallingEdge(dut.clk_i)
        dut.scan_en_i.value = 0
        dut.leaf_ready_i.value = 0
        return self.checker.fired[first:]

    async def finish(self) -> None:
        await self.falling_edges(3)
        self.checker.finish()

    # --- stimulus -----------------------------------------------------------------
    def sparse_values(self, density: float | None = None) -> list[int]:
        density = self.rng.choice([0.0, 0.1, 0.3, 0.7, 1.0]) if density is None else density
        vals = []
        for _ in range(self.depth):
            v = 0
            if self.rng.random() < density:
                v = self.rng.choice([1, -1, 32767, -32768, self.rng.randint(-32768, 32767) or 5])
            vals.append(v)
        return vals


def leaves(fired: list[tuple[int, Leaf]]) -> list[Leaf]:
    return [leaf for _, leaf in fired]


# -----------------------------------------------------------------------------
# Tests
# -----------------------------------------------------------------------------
@cocotb.test()
async def test_load_port(dut):
    """Both files written and read back; only source-file writes reach the bitmap."""
    tb = TB(dut)
    await tb.start()
    for src in (0, 1):
        dut.src_sel_i.value = src
        await tb.load(0, tb.sparse_values(0.5))
        await tb.load(1, tb.sparse_values(0.5))
        await tb.read_file(0)
        await tb.read_file(1)
        want = tb.model.nonzeros(src)
        got = leaves(await tb.scan(pauses.pause("none", tb.rng)))
        assert got == want, f"scan of file {src}: {got} != {want}"
    await tb.finish()


@cocotb.test()
@cocotb.parametrize(pause_kind=["none", "pattern", "random"])
async def test_scan_order_backpressure(dut, pause_kind):
    """Lowest index first, one leaf per accepted cycle, zeros skipped at no cost."""
    tb = TB(dut)
    await tb.start()
    for density in (0.2, 1.0, None, None):
        src = tb.rng.randint(0, 1)
        dut.src_sel_i.value = src
        await tb.load(src, tb.sparse_values(density))
        want = tb.model.nonzeros(src)
        fired = await tb.scan(pauses.pause(pause_kind, tb.rng, pattern=PAUSE_PATTERN))
        assert leaves(fired) == want
        if pause_kind == "none" and fired:
            cycles = [c for c, _ in fired]
            assert cycles == list(range(cycles[0], cycles[0] + len(cycles))), f"bubble in {cycles}"
    await tb.finish()


@cocotb.test()
@cocotb.parametrize(wb_pause=["none", "random"], scan_pause=["none", "random"])
async def test_writeback_while_scanning(dut, wb_pause, scan_pause):
    """Scan the source; swap; the layer's result is written back into the new source while it is scanned."""
    tb = TB(dut)
    await tb.start()
    src = 0
    dut.src_sel_i.value = src
    await tb.load(src, tb.sparse_values(0.5))
    assert leaves(await tb.scan(pauses.pause("none", tb.rng))) == tb.model.nonzeros(src)
    for _layer in range(5):
        src = 1 - src
        await FallingEdge(dut.clk_i)
        dut.src_sel_i.value = src
        # Every row, zeros included (they must not set the bitmap); the scan follows the
        # rows as they land and is done only after the last.
        values = tb.sparse_values()
        writer = cocotb.start_soon(tb.write_back(values, pauses.pause(wb_pause, tb.rng, pattern=PAUSE_PATTERN)))
        fired = await tb.scan(pauses.pause(scan_pause, tb.rng, pattern=PAUSE_PATTERN))
        assert writer.done(), "the scan was done before the write-back"
        assert leaves(fired) == [Leaf(v, tb.model.col(k)) for k, v in enumerate(values) if v]
        await tb.read_file(src)
    await tb.finish()


@cocotb.test()
async def test_bitmap_edits(dut):
    """A zero loaded over a non-zero clears its bit; bitmap_clear_i empties it and drops an offered leaf."""
    tb = TB(dut)
    await tb.start()
    dut.src_sel_i.value = 1
    vals = tb.sparse_values(1.0)
    await tb.load(1, vals)
    await tb.load(1, [0 if k % 2 else v for k, v in enumerate(vals)])
    assert leaves(await tb.scan(pauses.pause("none", tb.rng))) == tb.model.nonzeros(1)
    await tb.load(1, vals)
    # Offer a leaf, hold it with leaf_ready_i low, then clear.
    dut.scan_en_i.value = 1
    for _ in range(3):
        await FallingEdge(dut.clk_i)
    dut.scan_en_i.value = 0
    dut.bitmap_clear_i.value = 1
    await FallingEdge(dut.clk_i)
    dut.bitmap_clear_i.value = 0
    await FallingEdge(dut.clk_i)
    assert dut.done_o.value and not dut.leaf_valid_o.value
    assert leaves(await tb.scan(pauses.pause("none", tb.rng))) == []
    await tb.finish()


PARAMS = [
    {"ActDepth": 16, "NumPe": 4, "pe_index_i": 1},
    {"ActDepth": 10, "NumPe": 3, "pe_index_i": 2},
    {"ActDepth": 8, "NumPe": 1, "pe_index_i": 0},
    # A bitmap of 64 rows, as wide as a core's with ActDepth 64 (Verilator counts the
    # toggles of a vector up to 256 bits wide: the bitmap of the set below has none).
    {"ActDepth": 64, "NumPe": 2, "pe_index_i": 1},
    # The last PE of 64 with 1024 rows: global columns up to 65535, every bit of the
    # 16-bit column index (eie_pkg::ColIdxWidth) driven both ways.
    {"ActDepth": 1024, "NumPe": 64, "pe_index_i": 63},
]


# Every set runs on Icarus; Verilator (~25 s a build) runs PARAMS[0], the others under -m slow.
@pytest.mark.sim_matrix(PARAMS, ids=lambda p: f"A{p['ActDepth']}-N{p['NumPe']}-P{p['pe_index_i']}", unit=True)
def test_act_file(sim, parameters):
    params = dict(parameters)
    pe_index = params.pop("pe_index_i")  # an input port, not a parameter
    run_unit("eie_act_file", "test_act_file", params, sim, ["eie_pkg.sv", "eie_lzc.sv", "eie_act_file.sv"],
             constants={"pe_index_i": pe_index})
