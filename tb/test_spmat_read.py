# SPDX-License-Identifier: Apache-2.0
"""cocotb testbench of eie_spmat_read: walking CSC columns one issue per cycle.

Columns come from random dense columns encoded here (``encode_column``: 4-bit
relative indices, padding entries for gaps over 15), so every expected row is
a real row. A monitor samples every pin each cycle (read-only phase); the
checker steps a cycle-level model of the contract in doc/microarch.md:
a column taken at cycle a issues its n issue slots at a+1 .. a+n and shows them
at a+3 .. a+n+2, one entry each; a padding entry merges into the next entry's
slot (shown as that entry, ``ent_merged_o`` set) when it is not its column's
first entry, not in its word's first or last slot, and two entries of its
column follow it (``issue_plan``); col_ready_o is high from the cycle of the
last issue on; the SRAM (internal ``sram_re``) is read exactly when the word of
the entry that issues next cycle differs from the previously read one.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cocotb
import pytest
from clocked_tb import ClockedTB, run_unit
from eie.sim.tb import pauses
from cocotb.triggers import FallingEdge, ReadOnly

ACT_WIDTH = 16
ENTRIES_PER_WORD = 8
Z_MAX = 15
ISSUE_DELAY = 1  # column taken at a -> first entry issued at a + 1
OUT_DELAY = 2  # entry issued at i -> on ent_* at i + 2 (the register behind the SRAM, row stage)
# Entries from which layout() may start its columns anywhere in the memory's first half.
LARGE_MEMORY = 1024




# -----------------------------------------------------------------------------
# Encoding of test matrices (independent of the packer)
# -----------------------------------------------------------------------------
def encode_column(codes: list[int]) -> list[tuple[int, int]]:
    """Dense column of codes (0 = zero weight) to (v, z) entries, padding (0, 15) for long gaps."""
    entries = []
    prev = -1
    for row, code in enumerate(codes):
        if code == 0:
            continue
        gap = row - prev - 1
        while gap > Z_MAX:
            entries.append((0, Z_MAX))
            gap -= Z_MAX + 1
        entries.append((code, gap))
        prev = row
    return entries


def entry_byte(v: int, z: int) -> int:
    return (v << 4) | z


@dataclass(frozen=True)
class Column:
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


# -----------------------------------------------------------------------------
# Model: the contract, cycle by cycle
# -----------------------------------------------------------------------------
@dataclass(frozen=True)
class EntOut:
    code: int
    row: int
    act: int
    pad: bool
    merged: bool


@dataclass
class Sample:
    cycle: int
    flush: bool
    col_valid: bool
    col_ready: bool
    col_start: int
    col_end: int
    col_act: int
    busy: bool
    idle: bool
    err_range: bool
    sram_re: bool
    ld_re: bool
    ld_we: bool
    ent_valid: bool
    ent: EntOut | None


class SpmatModel:
    def __init__(self, depth: int, row_width: int, log):
        self.log = log
        self.limit = depth * ENTRIES_PER_WORD
        self.row_mask = (1 << row_width) - 1
        self.mem = [0] * self.limit  # entry bytes, as loaded
        self.issues: dict[int, int] = {}  # cycle -> entry address
        self.outputs: dict[int, EntOut] = {}  # cycle -> entry on ent_*
        self.errs: set[int] = set()
        self.last_issue = -1
        self.word: int | None = None
        self.stats = {"issues": 0, "merged": 0, "sram_reads": 0, "columns": 0, "range_errors": 0}

    def rows(self, col: Column) -> list[int]:
        """x_0 = z_0, x_n = x_{n-1} + z_n + 1."""
        xs, x = [], -1
        for e in range(col.start, col.end):
            x = x + (self.mem[e] & 0xF) + 1
            xs.append(x & self.row_mask)
        return xs

    def issue_plan(self, col: Column) -> list[tuple[int, bool]]:
        """(entry address, a padding before it merged) of each issue slot of the column."""
        plan, e = [], col.start
        while e < col.end:
            mergeable = (e > col.start and e % ENTRIES_PER_WORD not in (0, ENTRIES_PER_WORD - 1)
                         and e + 2 < col.end and self.mem[e] >> 4 == 0)
            plan.append((e + 1, True) if mergeable else (e, False))
            e += 2 if mergeable else 1
        return plan

    def take(self, cycle: int, col: Column, act: int) -> None:
        if col.end > self.limit:
            self.errs.add(cycle + 1)
            self.stats["range_errors"] += 1
            return
        self.stats["columns"] += 1
        rows = self.rows(col)
        plan = self.issue_plan(col)
        for i, (e, merged) in enumerate(plan):
            issue = cycle + ISSUE_DELAY + i
            v = self.mem[e] >> 4
            self.issues[issue] = e
            self.outputs[issue + OUT_DELAY] = EntOut(v, rows[e - col.start], act, v == 0, merged)
        self.last_issue = cycle + ISSUE_DELAY + len(plan) - 1

    def flush(self, cycle: int) -> None:
        self.issues = {c: e for c, e in self.issues.items() if c < cycle}
        self.outputs = {c: o for c, o in self.outputs.items() if c <= cycle}
        self.last_issue = cycle - 1
        self.word = None

    def pending(self) -> int:
        return len(self.issues) + len(self.outputs) + len(self.errs)


class Checker:
    """Compares each cycle's sample with the model, then steps the model."""

    def __init__(self, model: SpmatModel):
        self.model = model
        self.checked = 0
        self.out_cycles: list[int] = []

    def step(self, s: Sample) -> None:
        m, c = self.model, s.cycle
        where = f"cycle {c}"
        # Registered outputs first: they do not see this cycle's flush.
        idle = c not in m.issues and not any(c + d in m.outputs for d in range(OUT_DELAY))
        assert s.idle == idle, f"{where}: idle_o={s.idle}, model {idle}"
        want = m.outputs.pop(c, None)
        assert s.ent_valid == (want is not None), f"{where}: ent_valid_o={s.ent_valid}, model {want}"
        if want is not None:
            assert s.ent == want, f"{where}: entry {s.ent}, model {want}"
            self.checked += 1
            m.stats["merged"] += want.merged
            self.out_cycles.append(c)
        err = c in m.errs
        m.errs.discard(c)
        assert s.err_range == err, f"{where}: err_range_o={s.err_range}, model {err}"

        if s.flush:
            m.flush(c)
        ready = not s.flush and c >= m.last_issue
        assert s.col_ready == ready, f"{where}: col_ready_o={s.col_ready}, model {ready}"
        addr = m.issues.pop(c, None)
        assert s.busy == (addr is not None), f"{where}: busy_o={s.busy}, model issues {addr}"
        if addr is not None:
            m.stats["issues"] += 1
        if s.col_valid and s.col_ready:
            m.take(c, Column(s.col_start, s.col_end), s.col_act)
        # The SRAM reads the word of the entry that issues next cycle, a cycle ahead.
        upcoming = m.issues.get(c + 1)
        read = False
        if upcoming is not None:
            read = m.word != upcoming // ENTRIES_PER_WORD
            m.word = upcoming // ENTRIES_PER_WORD
            m.stats["sram_reads"] += read
        assert s.sram_re == (read or s.ld_re), \
            f"{where}: SRAM read enable {s.sram_re}, model {read} (next entry {upcoming})"
        if s.ld_re or s.ld_we:
            m.word = None  # a load access replaces or may change the buffered word

    def finish(self) -> None:
        m = self.model
        assert m.pending() == 0, f"left unchecked: issues {m.issues}, outputs {m.outputs}, errors {m.errs}"
        m.log.info("%d entries checked; stats %s", self.checked, m.stats)


# -----------------------------------------------------------------------------
# Testbench
# -----------------------------------------------------------------------------
class TB(ClockedTB):
    IDLE_INPUTS = ("ld_we_i", "ld_re_i", "ld_addr_i", "ld_wdata_i", "flush_i", "col_valid_i", "col_act_i",
                   "col_start_i", "col_end_i", "col_ok_i",
                   "col_len1_i", "col_len2_i")

    def __init__(self, dut):
        super().__init__(dut)
        self.depth = int(dut.SpmatDepth.value)
        self.ptr_width = int(dut.PtrWidth.value)
        self.row_width = int(dut.RowWidth.value)
        self.limit = self.depth * ENTRIES_PER_WORD
        self.model = SpmatModel(self.depth, self.row_width, self.log)
        self.checker = Checker(self.model)
        self.log.info("seed %d, SpmatDepth %d, PtrWidth %d, RowWidth %d", self.seed, self.depth, self.ptr_width, self.row_width)

    def sample(self) -> None:
        dut = self.dut
        valid = bool(dut.ent_valid_o.value)
        ent = None
        if valid:
            ent = EntOut(int(dut.ent_code_o.value), int(dut.ent_row_o.value), int(dut.ent_act_o.value),
                         bool(dut.ent_pad_o.value), bool(dut.ent_merged_o.value))
        col_valid = bool(dut.col_valid_i.value)
        self.checker.step(Sample(
            cycle=self.cycle,
            flush=bool(dut.flush_i.value),
            col_valid=col_valid,
            col_ready=bool(dut.col_ready_o.value),
            col_start=int(dut.col_start_i.value) if col_valid else 0,
            col_end=int(dut.col_end_i.value) if col_valid else 0,
            col_act=int(dut.col_act_i.value) if col_valid else 0,
            busy=bool(dut.busy_o.value),
            idle=bool(dut.idle_o.value),
            err_range=bool(dut.err_range_o.value),
            sram_re=bool(dut.sram_re.value),
            ld_re=bool(dut.ld_re_i.value),
            ld_we=bool(dut.ld_we_i.value),
            ent_valid=valid,
            ent=ent,
        ))

    # --- load port ------------------------------------------------------------
    async def load(self, entries: list[int]) -> None:
        """Write the whole memory: entry bytes, 8 to a word, slot s at bits [8s +: 8]."""
        dut = self.dut
        assert len(entries) == self.limit
        for w in range(self.depth):
            await FallingEdge(dut.clk_i)
            word = sum(b << (8 * s) for s, b in enumerate(entries[w * 8:(w + 1) * 8]))
            dut.ld_we_i.value = 1
            dut.ld_addr_i.value = w
            dut.ld_wdata_i.value = word
        await FallingEdge(dut.clk_i)
        dut.ld_we_i.value = 0
        self.model.mem = list(entries)

    async def read_back(self, words: list[int]) -> None:
        dut = self.dut
        # ld_rdata_o shows a read two cycles after it (the SRAM, the register behind it).
        in_flight: deque[int | None] = deque([None, None])
        for w in [*words, None, None]:
            await FallingEdge(dut.clk_i)
            prev = in_flight.popleft()
            if prev is not None:
                want = sum(b << (8 * s) for s, b in enumerate(self.model.mem[prev * 8:(prev + 1) * 8]))
                got = int(dut.ld_rdata_o.value)
                assert got == want, f"load read of word {prev}: {got:#x}, want {want:#x}"
            dut.ld_re_i.value = int(w is not None)
            dut.ld_addr_i.value = 0 if w is None else w
            in_flight.append(w)

    async def read_and_hold(self, word: int, cycles: int) -> None:
        """One read of ``word``: ld_rdata_o shows it two cycles later and holds it while nothing
        else reads the SRAM (the port's contract; no compute read when nothing issues)."""
        dut = self.dut
        want = sum(b << (8 * s) for s, b in enumerate(self.model.mem[word * 8:(word + 1) * 8]))
        await FallingEdge(dut.clk_i)
        dut.ld_re_i.value = 1
        dut.ld_addr_i.value = word
        await FallingEdge(dut.clk_i)
        dut.ld_re_i.value = 0
        for cycle in range(cycles):
            await FallingEdge(dut.clk_i)
            got = int(dut.ld_rdata_o.value)
            assert got == want, f"load read of word {word}, {cycle + 2} cycles later: {got:#x}, want {want:#x}"

    # --- column source ----------------------------------------------------------
    async def drive(self, columns: list[tuple[Column, int]], pause) -> None:
        """valid/ready source: a pause only happens between columns; data holds until taken."""
        dut = self.dut
        queue = deque(columns)
        while queue:
            await FallingEdge(dut.clk_i)
            if next(pause):
                dut.col_valid_i.value = 0
                continue
            col, act = queue[0]
            dut.col_valid_i.value = 1
            dut.col_start_i.value = col.start
            dut.col_end_i.value = col.end
            # The PE computes it before its queue: a column with entries, inside the SRAM.
            dut.col_ok_i.value = int(col.start < col.end <= self.limit)
            length = (col.end - col.start) % (1 << self.ptr_width)
            dut.col_len1_i.value = int(length == 1)
            dut.col_len2_i.value = int(length == 2)
            dut.col_act_i.value = act
            await ReadOnly()
            if dut.col_ready_o.value:
                queue.popleft()
        await FallingEdge(dut.clk_i)
        dut.col_valid_i.value = 0

    async def wait_idle(self) -> None:
        await self.falling_edges(5)
        while not self.dut.idle_o.value:
            await FallingEdge(self.dut.clk_i)
        await FallingEdge(self.dut.clk_i)

    async def finish(self) -> None:
        await self.wait_idle()
        self.checker.finish()

    # --- stimulus -----------------------------------------------------------------
    def random_dense(self) -> list[int]:
        height = 1 << self.row_width
        density = self.rng.choice([0.02, 0.06, 0.15, 0.5, 1.0])
        codes = [self.rng.randint(1, 15) if self.rng.random() < density else 0 for _ in range(height)]
        if not any(codes):
            codes[self.rng.randrange(height)] = self.rng.randint(1, 15)
        return codes

    def layout(self, dense_columns: list[list[int]] | None = None,
               start: int | None = None) -> tuple[list[int], list[Column]]:
        """Columns stored one after another from a random slot of the first word (of the first
        half in a large memory), or ``start``; the rest random bytes.

        Given columns are stored in order until one does not fit; without them,
        random columns are tried until the memory is nearly full.
        """
        mem = [self.rng.getrandbits(8) for _ in range(self.limit)]
        cols = []
        e = self.rng.randrange(ENTRIES_PER_WORD) if start is None else start
        if start is None and self.limit >= LARGE_MEMORY and self.rng.random() < 0.5:
            e += self.rng.randrange(self.limit // 2)  # a large memory's upper words too
        tries = dense_columns if dense_columns is not None else (self.random_dense() for _ in range(40))
        for dense in tries:
            entries = encode_column(dense)
            if dense_columns is None and self.rng.random() < 0.3:
                # Some weights stored as explicit zeros (code 0) with short zero runs: the
                # read unit merges them as it merges a padding (z = 15), whatever their z.
                entries = [(0, z) if self.rng.random() < 0.25 else (v, z) for v, z in entries]
            if e + len(entries) > self.limit:
                if dense_columns is not None:
                    break
                continue
            for v, z in entries:
                mem[e] = entry_byte(v, z)
                e += 1
            cols.append(Column(e - len(entries), e))
        assert cols, "test bug: no column fits"
        return mem, cols

    def act(self) -> int:
        return self.rng.getrandbits(ACT_WIDTH)


# -----------------------------------------------------------------------------
# Tests
# -----------------------------------------------------------------------------
@cocotb.test()
async def test_load_port(dut):
    tb = TB(dut)
    await tb.start()
    await tb.load([tb.rng.getrandbits(8) for _ in range(tb.limit)])
    words = list(range(tb.depth))
    tb.rng.shuffle(words)
    await tb.read_back(words)
    # Two words of different contents, each held: whatever word a stray SRAM read fetched
    # (the read register written when nothing reads), it differs from one of them.
    first = words[0]
    other = next(w for w in words if tb.model.mem[w * 8:(w + 1) * 8] != tb.model.mem[first * 8:(first + 1) * 8])
    for word in (first, other):
        await tb.read_and_hold(word, 8)
    await tb.finish()


@cocotb.test()
async def test_directed_no_bubble(dut):
    """One-entry columns back to back, mid-word starts, word crossings, padding, long columns.

    With the source never pausing, the entries must leave one per cycle with no
    gap from the first to the last.
    """
    tb = TB(dut)
    await tb.start()
    height = 1 << tb.row_width
    one = [[0] * height for _ in range(11)]
    for i, col in enumerate(one):
        col[i % min(height, 16)] = 1 + i % 15  # one entry, z = row
    long_col = [1 + (r % 15) for r in range(height)]  # every row: `height` entries
    padded = [0] * height
    padded[height - 1] = 7  # gap of height-1 zeros: padding entries then the non-zero
    padded[0] = 3
    mixed = [0] * height
    for r in (2, 3, 20 % height, (20 + 17) % height):
        mixed[r] = 9
    dense = [*one[:5], long_col[: min(height, 12)] + [0] * (height - min(height, 12)), padded, *one[5:], mixed]
    mem, cols = tb.layout(dense)
    assert any(c.length > 8 for c in cols) and sum(c.length == 1 for c in cols) >= 8
    await tb.load(mem)
    await tb.drive([(c, tb.act()) for c in cols], pauses.pause("none", tb.rng))
    await tb.finish()
    total = sum(len(tb.model.issue_plan(c)) for c in cols)
    out = tb.checker.out_cycles
    assert len(out) == total
    assert out == list(range(out[0], out[0] + total)), "a bubble between entries"
    entries = sum(c.length for c in cols)
    dut._log.info("%d entries of %d columns in %d consecutive cycles", entries, len(cols), total)


@cocotb.test()
async def test_padding_merge(dut):
    """Padding runs at every slot of a word: each merges exactly where the rule allows.

    Columns (v, padding..., v [, v]) and (v, v, padding, v, v), whose padding is
    the column's third entry, stored back to back, start at every slot; the rows,
    the merged flags and the issue cycles are all checked against the model's
    rule, and the slots saved must be the ones it predicts.
    """
    tb = TB(dut)
    await tb.start()
    height = 1 << tb.row_width
    gap = [0] * height
    gap[0], gap[height - 1] = 3, 7  # padding entries between the two non-zeros
    tail = [0] * height
    tail[0], tail[height - 3], tail[height - 1] = 5, 6, 8  # padding then two entries
    third = [0] * height
    third[0], third[1], third[18], third[19] = 2, 4, 9, 1  # 16 zeros: one padding, third
    # The first column's padding sits in slot 2, so at least one merges even when the
    # memory (5 words) holds only a dozen columns.
    mem, cols = tb.layout([third] + [gap, tail] * 8 + [third] * 8, start=0)
    assert len({c.start % ENTRIES_PER_WORD for c in cols}) == ENTRIES_PER_WORD, "test bug: starts miss a slot"
    await tb.load(mem)
    await tb.drive([(c, tb.act()) for c in cols], pauses.pause("none", tb.rng))
    await tb.finish()
    saved = sum(c.length - len(tb.model.issue_plan(c)) for c in cols)
    assert tb.model.stats["merged"] == saved > 0, f"merged {tb.model.stats['merged']}, rule {saved}"
    out = tb.checker.out_cycles
    assert out == list(range(out[0], out[0] + len(out))), "a bubble between issue slots"
    dut._log.info("%d entries in %d issue slots (%d paddings merged)", sum(c.length for c in cols), len(out), saved)


@cocotb.test()
@cocotb.parametrize(pause_kind=["none", "pattern", "random"])
async def test_random_columns(dut, pause_kind):
    """Random layouts; columns in storage order, reversed and random picks with repeats."""
    tb = TB(dut)
    await tb.start()
    for rnd in range(6):
        mem, cols = tb.layout()
        await tb.load(mem)
        order = [list(cols), list(reversed(cols)), [tb.rng.choice(cols) for _ in range(2 * len(cols))]][rnd % 3]
        await tb.drive([(c, tb.act()) for c in order], pauses.pause(pause_kind, tb.rng))
        await tb.wait_idle()
    await tb.read_back([0, tb.depth - 1])
    await tb.finish()


@cocotb.test()
async def test_new_column_one_address_bit_away(dut):
    """A column whose first word differs from the word in the read register in one address bit
    (the read unit compares the two to skip a read of the same word): every bit of the word
    address, both ways, from the memory's last word and from a random one. One-entry columns, the
    two of each pair in the same slot: a read skipped shows the other word's entry, whose code
    differs (a used slot of word w holds code 1 + w mod 15, and 2^b mod 15 is never 0)."""
    tb = TB(dut)
    await tb.start()
    mem = [tb.rng.getrandbits(8) for _ in range(tb.limit)]
    stream = []
    for bit in range((tb.depth - 1).bit_length()):
        for base in (tb.depth - 1, tb.rng.randrange(tb.depth)):
            other = base ^ (1 << bit)
            if other >= tb.depth:
                continue
            slot = tb.rng.randrange(ENTRIES_PER_WORD)
            pair = []
            for word in (base, other):
                mem[word * ENTRIES_PER_WORD + slot] = entry_byte(1 + word % 15, word % 16)
                pair.append(Column(word * ENTRIES_PER_WORD + slot, word * ENTRIES_PER_WORD + slot + 1))
            stream += [(pair[0], tb.act()), (pair[1], tb.act()), (pair[0], tb.act())]
    assert stream, "test bug: no pair of words"
    await tb.load(mem)
    await tb.drive(stream, pauses.pause("none", tb.rng))
    await tb.finish()
    # Every column whose word is not the one before it needs a read (two groups in a row may
    # share a word: the random base can be another group's word).
    words = [col.start // ENTRIES_PER_WORD for col, _ in stream]
    changes = sum(1 for i, word in enumerate(words) if i == 0 or word != words[i - 1])
    assert tb.model.stats["sram_reads"] >= changes, tb.model.stats


@cocotb.test()
async def test_flush(dut):
    """flush_i mid-column drops the rest and the entries in flight; the next entry re-reads the SRAM."""
    tb = TB(dut)
    await tb.start()
    height = 1 << tb.row_width
    mem, cols = tb.layout([[5] * min(height, 20) + [0] * (height - min(height, 20))] + [[0] * (height - 1) + [2]] * 3)
    await tb.load(mem)
    long_col = cols[0]
    for delay in (1, 2, 3, 5, 8):
        task = cocotb.start_soon(tb.drive([(long_col, tb.act()), (Column(long_col.start, long_col.start + 1), 7)],
                                          pauses.pause("none", tb.rng)))
        await tb.pulse(dut.flush_i, delay)
        await task
        await tb.wait_idle()
    await tb.finish()


@cocotb.test()
async def test_range_error(dut):
    """A column reaching past SpmatDepth*8 is dropped with err_range_o; good columns still work."""
    tb = TB(dut)
    await tb.start()
    mem, cols = tb.layout()
    await tb.load(mem)
    top = (1 << tb.ptr_width) - 1
    # The last one spans every pointer: its length's top bit set.
    bad = [Column(tb.limit - 2, tb.limit + 1), Column(tb.limit, top), Column(top - 1, top), Column(0, top)]
    stream = []
    for b in bad:
        stream += [(b, 1), (tb.rng.choice(cols), 2)]
    await tb.drive(stream, pauses.pause("none", tb.rng))
    await tb.finish()
    assert tb.model.stats["range_errors"] == len(bad)


PARAMS = [
    {"SpmatDepth": 32, "PtrWidth": 9, "RowWidth": 6},
    {"SpmatDepth": 5, "PtrWidth": 7, "RowWidth": 5},
    # A memory as large as a core's of 2048 words, 256 rows: every bit of the word
    # address, the entry pointers and the rows driven both ways.
    {"SpmatDepth": 2048, "PtrWidth": 15, "RowWidth": 8},
    # eie_core's defaults (SpmatDepth 16384, ActDepth 512: built by the register and timing
    # tests). Verilator only (make coverage): the tests load the whole memory many times.
    {"SpmatDepth": 16384, "PtrWidth": 18, "RowWidth": 9},
]


# Icarus runs every set but the last; Verilator (~25 s a build) runs PARAMS[0], the others under -m slow.
@pytest.mark.sim_matrix(PARAMS, ids=lambda p: f"D{p['SpmatDepth']}-P{p['PtrWidth']}-R{p['RowWidth']}", unit=True,
                        verilator_only=PARAMS[3:])
def test_spmat_read(sim, parameters):
    run_unit("eie_spmat_read", "test_spmat_read", parameters, sim, ["eie_pkg.sv", "eie_spmat_read.sv"])
