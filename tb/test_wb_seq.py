# SPDX-License-Identifier: Apache-2.0
"""cocotb testbench of eie_wb_seq (the write-back sequencer of a PE) against a model.

The model is the block's contract: after wb_start_i in cycle s with layer_out_i = O,
the rows r of PE p (pe_index_i) with r*NumPe + p < O and r < ActDepth (R of them) are read
one per cycle, row r in cycle s+1+r (rd_o, rd_row_o); row r's requantised value is
the act_i of ActLatency cycles after its read, and it is written (wr_valid_o,
wr_row_o, wr_act_o) the cycle after that. The write-back ends in cycle
E = s+1 (R = 0) or s+R+ActLatency+1: busy_o is high from s+1 to E, and err_row_o
pulses in E exactly when an entry of the layer written back (the entries since the
last flush or write-back start) had a row >= R. An abort (stop_i with flush_i)
in cycle t cancels every read and write after t and the end pulse. Every cycle
each output is compared with the model. The layers are random in
size, up to the whole 16-bit output field, and the entries' rows random over the
whole entry-row field (one bit wider than a row), so every bit of the rows, the
global row and the output count is driven both ways. pytest runs it at the bottom.
"""

from __future__ import annotations

import cocotb
import pytest
from clocked_tb import ClockedTB, run_unit
from cocotb.triggers import FallingEdge, ReadOnly, Timer

ACT_WIDTH = 16  # eie_pkg::ActWidth
OUT_WIDTH = 16  # eie_pkg::LayerOutWidth


class WbModel:
    """Expected outputs by cycle, built when a write-back starts."""

    def __init__(self, num_pe: int, pe_index: int, act_depth: int, latency: int):
        self.num_pe, self.pe_index, self.act_depth, self.latency = num_pe, pe_index, act_depth, latency
        self.reads: dict[int, int] = {}  # cycle -> row read
        self.writes: dict[int, int] = {}  # cycle -> row written (its value: the act_i of the cycle before)
        self.busy: set[int] = set()
        self.errors: dict[int, bool] = {}  # end cycle -> err_row_o expected there
        self.layer_rows: list[int] = []  # rows of the entries of the layer under way
        self.end = -1

    def rows(self, out: int) -> int:
        """R: rows r with r*NumPe + pe_index < out, at most ActDepth."""
        if out <= self.pe_index:
            return 0
        return min(self.act_depth, (out - self.pe_index + self.num_pe - 1) // self.num_pe)

    def start(self, cycle: int, out: int) -> None:
        rows = self.rows(out)
        checked, self.layer_rows = self.layer_rows, []
        for r in range(rows):
            self.reads[cycle + 1 + r] = r
            self.writes[cycle + 1 + r + self.latency + 1] = r
        self.end = cycle + 1 if rows == 0 else cycle + rows + self.latency + 1
        self.busy.update(range(cycle + 1, self.end + 1))
        self.errors[self.end] = bool(checked) and max(checked) >= rows

    def abort(self, cycle: int) -> None:
        """stop_i and flush_i in this cycle: nothing after it, and a new layer."""
        for table in (self.reads, self.writes, self.errors):
            for c in [c for c in table if c > cycle]:
                del table[c]
        self.errors.pop(cycle, None)  # stop_i masks the end pulse in its own cycle
        self.busy = {c for c in self.busy if c <= cycle}
        self.end = min(self.end, cycle)
        self.layer_rows = []


class TB(ClockedTB):
    IDLE_INPUTS = ("flush_i", "stop_i", "wb_start_i", "layer_out_i", "ent_valid_i", "ent_row_i", "act_i")

    def __init__(self, dut):
        super().__init__(dut)
        self.num_pe = int(dut.NumPe.value)
        self.pe_index = self.constants["pe_index_i"]
        self.act_depth = int(dut.ActDepth.value)
        self.latency = int(dut.ActLatency.value)
        self.row_width = max(1, (self.act_depth - 1).bit_length())
        self.model = WbModel(self.num_pe, self.pe_index, self.act_depth, self.latency)
        self.acts: dict[int, int] = {}  # cycle -> act_i driven then
        self.checked = {"reads": 0, "writes": 0, "ends": 0, "errors": 0}
        self.log.info("NumPe %d, pe_index_i %d, ActDepth %d, ActLatency %d, seed %d",
                      self.num_pe, self.pe_index, self.act_depth, self.latency, self.seed)

    def check(self) -> None:
        """Every output against the model, in the cycle's read-only phase."""
        dut, c, m = self.dut, self.cycle, self.model
        rd, wr, busy, err = (bool(dut.rd_o.value), bool(dut.wr_valid_o.value), bool(dut.busy_o.value),
                             bool(dut.err_row_o.value))
        assert rd == (c in m.reads), f"cycle {c}: rd_o {rd}, expected {c in m.reads}"
        if rd:
            assert int(dut.rd_row_o.value) == m.reads[c], f"cycle {c}: rd_row_o {int(dut.rd_row_o.value)}, want {m.reads[c]}"
            self.checked["reads"] += 1
        assert wr == (c in m.writes), f"cycle {c}: wr_valid_o {wr}, expected {c in m.writes}"
        if wr:
            row, act = int(dut.wr_row_o.value), int(dut.wr_act_o.value)
            assert row == m.writes[c], f"cycle {c}: wr_row_o {row}, want {m.writes[c]}"
            assert act == self.acts[c - 1], f"cycle {c}: wr_act_o {act:#x}, want act_i of cycle {c - 1} {self.acts[c - 1]:#x}"
            self.checked["writes"] += 1
        assert busy == (c in m.busy), f"cycle {c}: busy_o {busy}, expected {c in m.busy}"
        want_err = m.errors.get(c, False)
        assert err == want_err, f"cycle {c}: err_row_o {err}, expected {want_err}"
        if c in m.errors:
            self.checked["ends"] += 1
            self.checked["errors"] += want_err

    async def cycle_inputs(self, *, start: int | None = None, entry: int | None = None, abort: bool = False,
                           flush: bool = False) -> None:
        """One cycle's inputs, driven after its falling edge; act_i and, when not used, the
        layer size and entry row take random values."""
        dut = self.dut
        await FallingEdge(dut.clk_i)
        await ReadOnly()  # the cycle counter has moved on; the inputs below apply from the next phase
        c = self.cycle
        await Timer(1, "ns")
        act = self.rng.getrandbits(ACT_WIDTH)
        dut.act_i.value = act
        self.acts[c] = act
        dut.wb_start_i.value = int(start is not None)
        dut.flush_i.value = int(start is not None or abort or flush)
        dut.stop_i.value = int(abort)
        dut.ent_valid_i.value = int(entry is not None)
        dut.ent_row_i.value = entry if entry is not None else self.rng.getrandbits(self.row_width + 1)
        if start is not None:
            dut.layer_out_i.value = start
        elif c >= self.model.end:
            dut.layer_out_i.value = self.rng.getrandbits(OUT_WIDTH)  # held while a write-back reads
        if start is not None:
            self.model.start(c, start)
        elif abort:
            self.model.abort(c)
        elif flush:
            self.model.layer_rows = []
        if entry is not None:
            self.model.layer_rows.append(entry)
        await ReadOnly()
        self.check()

    def busy_after(self) -> bool:
        return self.cycle < self.model.end

    def random_out(self) -> int:
        """A layer size: small, about the PE's rows, or anywhere in the 16-bit field."""
        kind = self.rng.choice(["none", "small", "fits", "over", "any", "top"])
        top = (1 << OUT_WIDTH) - 1
        full = min(top, self.num_pe * self.act_depth)
        return {"none": self.rng.randint(0, self.pe_index),
                "small": self.rng.randint(0, 4 * self.num_pe),
                "fits": self.rng.randint(max(0, full - 3 * self.num_pe), full),
                "over": min(top, full + self.rng.randint(1, 3 * self.num_pe)),
                "any": self.rng.getrandbits(OUT_WIDTH),
                "top": top - self.rng.randrange(4)}[kind]

    def random_entry(self, rows_hint: int) -> int:
        """An entry row: mostly below the rows a layer of rows_hint rows covers, sometimes past them."""
        top = (1 << (self.row_width + 1)) - 1
        if self.rng.random() < 0.85 and rows_hint > 0:
            return self.rng.randrange(rows_hint)
        return self.rng.randint(0, top)

    async def layers(self, count: int, abort_prob: float) -> None:
        """count write-backs, entries of the next layer arriving during each, idle gaps, aborts."""
        out = self.random_out()
        for _ in range(count):
            # Entries of the layer to be written back (the PE runs it before its write-back).
            rows = self.model.rows(out)
            for _ in range(self.rng.randint(0, 6)):
                await self.cycle_inputs(entry=self.random_entry(rows) if self.rng.random() < 0.7 else None)
            if self.rng.random() < 0.1:
                await self.cycle_inputs(flush=True)  # a new run: those entries are forgotten
            await self.cycle_inputs(start=out)
            next_out = self.random_out()
            abort_at = self.cycle + self.rng.randint(1, self.model.end - self.cycle + 2) \
                if self.rng.random() < abort_prob else None
            while self.busy_after():
                if abort_at is not None and self.cycle + 1 == abort_at:
                    await self.cycle_inputs(abort=True)
                    break
                # The next layer's entries arrive while this one is written back.
                hint = self.model.rows(next_out)
                await self.cycle_inputs(entry=self.random_entry(hint) if self.rng.random() < 0.3 else None)
            out = next_out
            for _ in range(self.rng.randint(0, 2)):
                await self.cycle_inputs()

    async def finish(self) -> None:
        for _ in range(self.latency + 4):
            await self.cycle_inputs()
        assert self.checked["reads"] > 0 and self.checked["writes"] > 0 and self.checked["ends"] > 0, self.checked
        self.log.info("checked: %s", self.checked)


@cocotb.test()
@cocotb.parametrize(abort_prob=[0.0, 0.6])
async def test_layers(dut, abort_prob):
    """Random write-backs of every size class, the next layer's entries arriving meanwhile;
    with abort_prob, aborted at random cycles (stop_i with flush_i), before, during and at their end."""
    tb = TB(dut)
    await tb.start()
    await tb.layers(40, abort_prob)
    await tb.finish()
    if not abort_prob:
        assert tb.checked["errors"] > 0, "no write-back ended with a row error"
        assert tb.checked["ends"] > tb.checked["errors"], "every write-back ended with a row error"


@cocotb.test()
async def test_whole_file(dut):
    """The largest layers: every row of the file, the global row past the 16-bit output field."""
    tb = TB(dut)
    await tb.start()
    top = (1 << OUT_WIDTH) - 1
    for out in (top, min(top, tb.num_pe * tb.act_depth), top - tb.pe_index, 0):
        await tb.cycle_inputs(entry=tb.rng.randrange(tb.act_depth))
        await tb.cycle_inputs(start=out)
        while tb.busy_after():
            await tb.cycle_inputs()
    await tb.finish()


PARAMS = [
    {"NumPe": 4, "pe_index_i": 1, "ActDepth": 16, "ActLatency": 3},
    # The first PE of 64 with 1024 rows: global rows up to the 16-bit output field and,
    # after the last of all 1024 rows (global row 65472), one step past it.
    {"NumPe": 64, "pe_index_i": 0, "ActDepth": 1024, "ActLatency": 3},
    {"NumPe": 3, "pe_index_i": 0, "ActDepth": 10, "ActLatency": 3},
]
# ActLatency is 3 in every core (the accumulators' block RAM and its register, then
# the requantisation's register); 1 and 2 are not built.


# Every set runs on Icarus; Verilator (~25 s a build) runs PARAMS[0], the others under -m slow.
@pytest.mark.sim_matrix(PARAMS, ids=lambda p: f"N{p['NumPe']}-P{p['pe_index_i']}-A{p['ActDepth']}", unit=True)
def test_wb_seq(sim, parameters):
    params = dict(parameters)
    pe_index = params.pop("pe_index_i")  # an input port, not a parameter
    run_unit("eie_wb_seq", "test_wb_seq", params, sim, ["eie_pkg.sv", "eie_wb_seq.sv"],
             constants={"pe_index_i": pe_index})
