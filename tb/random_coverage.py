# SPDX-License-Identifier: Apache-2.0
"""Functional coverage of the random regression (cocotb-coverage), sampled once per run.

Two cover points, named by where their samples come from:

- ``eie.data``: situations read off the scenario itself (the packed image and
  the reference model's intermediate values). They say what the core was given.
- ``eie.dut``: situations observed on the DUT, from a counter register read over
  AXI4-Lite after the run or from internal signals sampled every cycle of the
  run (``RunMonitor``). They say what the core actually did.

``data_hits``, ``RunMonitor`` and the BCAST_STALLS register give the bins a run hits; ``sample``
records them; ``counts`` and ``format_report`` give bins hit / total with counts.
The bins read off eie_pe_counters (padding entry, padding merged, queue full, all
PEs starved) are sampled only on a core that has per-PE counters
(FEATURES.PE_COUNTERS, eie_core's PeCounters).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge
from cocotb_coverage.coverage import CoverPoint, coverage_db
from eie.fixedpoint import INT16_MAX, INT16_MIN, round_shift
from eie.hw import regs
from eie.models.reference import trace

# bin -> how it is sampled
DATA_BINS = {
    "N=1": "config: one PE",
    "N not a power of two": "config",
    "multi-layer (file swap)": "image: two or more layers chained through the ping-pong files",
    "balanced row map": "image: rows assigned to PEs by their entries (eie pack --assign-rows balanced)",
    "zero-activation layer": "reference: a layer whose input activations are all zero",
    "empty column": "image: a broadcast column with no entry in some PE",
    "column > 8 entries": "image: a broadcast column longer than one 64-bit word in some PE",
    "single padding": "image: a broadcast column with a padding entry between two non-paddings",
    "padding run": "image: a broadcast column with two or more padding entries in a row",
    "padding at column start": "image: a broadcast column whose first entry is a padding",
    "padding before last entry": "image: a broadcast column whose last-but-one entry is a padding",
    "padding at column end": "image: a broadcast column whose last entry is a padding",
    "saturation positive": "reference: a write-back above +32767 before saturation",
    "saturation negative": "reference: a write-back below -32768 before saturation",
    "rounding tie": "reference: a write-back exactly half an LSB above a step (round half up)",
}
DUT_BINS = {
    "padding entry": "signal cnt_inc[5] (PE_PADDING counts it): a padding entry processed in its own issue slot",
    "padding merged": "signal pad_merged (PE_PADDING counts it): a padding merged into the next entry's issue slot",
    "queue full": "signal cnt_inc[4] (what PE_QUEUE_FULL counts): a column waited in the history, the PE's queue full",
    "broadcast stall": "register BCAST_STALLS > 0 after the run",
    "PE behind": "signal u_ccu.u_history.behind_take: a PE took a column older than the newest",
    "history full": "signal u_ccu.u_history.full_o: a PE a whole history behind held the fresh broadcasts",
    "two takes": "signal u_ccu.u_history.two_takes: a PE took two columns from the history in one cycle",
    "all PEs starved": "signals cnt_inc[1] of every PE (PE_STARVED) set in the same cycle",
    "bypass x2": "signal u_arith.bypass_q: 2 same-row updates in a row (1 bypass cycle)",
    "bypass x3": "signal u_arith.bypass_q: 3 same-row updates in a row",
    "bypass x4+": "signal u_arith.bypass_q: 4 or more same-row updates in a row",
}


def _member(hits, name) -> bool:
    return name in hits


@CoverPoint("eie.data", rel=_member, bins=list(DATA_BINS), inj=False)
def _sample_data(hits) -> None:
    pass


@CoverPoint("eie.dut", rel=_member, bins=list(DUT_BINS), inj=False)
def _sample_dut(hits) -> None:
    pass


def sample(data: set[str], dut: set[str]) -> None:
    _sample_data(frozenset(data))
    _sample_dut(frozenset(dut))


def data_hits(loaded, acts: np.ndarray) -> set[str]:
    """Bins of one input vector through ``loaded`` (an eie.image.LoadedImage)."""
    image = loaded.image
    n = image.num_pes
    hits: set[str] = set()
    if n == 1:
        hits.add("N=1")
    if n & (n - 1):
        hits.add("N not a power of two")
    if len(image.layers) > 1:
        hits.add("multi-layer (file swap)")
    if image.assign_rows == "balanced":
        hits.add("balanced row map")
    for index, step in enumerate(trace(loaded, acts)):
        spec = step.layer.spec
        if not np.any(step.inputs):
            hits.add("zero-activation layer")
        active = np.nonzero(step.inputs[0])[0]
        if spec.bias:
            active = np.append(active, spec.in_features)
        lengths = np.array([np.diff(s.pointers)[active] for s in image.layer_shares(index)])
        if lengths.size and np.any(lengths == 0):
            hits.add("empty column")
        if lengths.size and np.any(lengths > 8):
            hits.add("column > 8 entries")
        for share in image.layer_shares(index):
            hits |= _padding_hits(share, active)
        acc, shift = step.accumulators, spec.w_frac
        shifted = round_shift(acc, shift)
        if np.any(shifted > INT16_MAX):
            hits.add("saturation positive")
        if np.any(shifted < INT16_MIN):
            hits.add("saturation negative")
        if shift and np.any((acc & ((1 << shift) - 1)) == 1 << (shift - 1)):
            hits.add("rounding tie")
    return hits


def _padding_hits(share, columns: np.ndarray) -> set[str]:
    """Padding bins of one PE's share of a layer (csc.PeMatrix), over the broadcast ``columns``."""
    hits: set[str] = set()
    for j in columns:
        pad = share.v[share.pointers[j]:share.pointers[j + 1]] == 0
        if not pad.any():
            continue
        if pad[0]:
            hits.add("padding at column start")
        if pad.size >= 2 and pad[-2]:
            hits.add("padding before last entry")
        if pad[-1]:
            hits.add("padding at column end")
        edges = np.diff(np.concatenate([[0], pad.astype(np.int8), [0]]))
        runs = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
        if runs.min() == 1:
            hits.add("single padding")
        if runs.max() >= 2:
            hits.add("padding run")
    return hits


class RunMonitor:
    """Samples every PE's bypass flag and counter increments each cycle while the core is busy.

    ``cnt_inc`` is the vector eie_pe_counters adds up, so a bin taken
    from it is what the counter registers would show, per cycle and per PE, without
    reading 6 N registers over AXI4-Lite after every run. Without ``pe_counters``
    (a core built without them) the bins taken from them are not sampled.
    """

    # bits of eie_pe_counters' cnt_inc, in PE counter register order
    STARVED, QUEUE_FULL, PADDING = (regs.PE_COUNTERS.index(name) for name in
                                    ("PE_STARVED", "PE_QUEUE_FULL", "PE_PADDING"))

    def __init__(self, dut, num_pes: int, pe_counters: bool = True):
        self.dut = dut
        pes = [dut.g_pe[p].u_pe for p in range(num_pes)]
        self.bypass = [pe.u_arith.bypass_q for pe in pes]
        counters = [pe.g_counters.u_counters for pe in pes] if pe_counters else []
        self.cnt_inc = [unit.cnt_inc for unit in counters]
        self.pad_merged = [unit.pad_merged for unit in counters]
        self.behind = dut.u_ccu.u_history.behind_take
        self.two_takes = dut.u_ccu.u_history.two_takes
        self.full = dut.u_ccu.u_history.full_o
        self.hits: set[str] = set()
        cocotb.start_soon(self._run())

    def take(self) -> set[str]:
        hits, self.hits = self.hits, set()
        return hits

    def _bypass_run(self, length: int) -> None:
        self.hits.add("bypass x2" if length == 1 else "bypass x3" if length == 2 else "bypass x4+")

    def _sample_counters(self) -> None:
        incs = [int(inc.value) for inc in self.cnt_inc]
        if all(inc >> self.STARVED & 1 for inc in incs):
            self.hits.add("all PEs starved")
        if any(inc >> self.QUEUE_FULL & 1 for inc in incs):
            self.hits.add("queue full")
        if any(inc >> self.PADDING & 1 for inc in incs):
            self.hits.add("padding entry")
        if any(flag.value for flag in self.pad_merged):
            self.hits.add("padding merged")

    async def _run(self) -> None:
        clk, busy = self.dut.clk_i, self.dut.busy_o
        runs = [0] * len(self.bypass)
        while True:
            await RisingEdge(clk)
            await ReadOnly()
            if not busy.value:
                for p, length in enumerate(runs):
                    if length:
                        self._bypass_run(length)
                        runs[p] = 0
                await RisingEdge(busy)
                continue
            if self.cnt_inc:
                self._sample_counters()
            if self.behind.value:
                self.hits.add("PE behind")
            if self.two_takes.value:
                self.hits.add("two takes")
            if self.full.value:
                self.hits.add("history full")
            for p, flag in enumerate(self.bypass):
                if flag.value:
                    runs[p] += 1
                elif runs[p]:
                    self._bypass_run(runs[p])
                    runs[p] = 0


def counts() -> dict[str, dict[str, int]]:
    """Cover point -> bin -> hits so far."""
    return {name: dict(coverage_db[name].detailed_coverage) for name in ("eie.data", "eie.dut")}


def merge(many: list[dict]) -> dict[str, dict[str, int]]:
    total = {"eie.data": dict.fromkeys(DATA_BINS, 0), "eie.dut": dict.fromkeys(DUT_BINS, 0)}
    for one in many:
        for point, bins in one.items():
            for name, hits in bins.items():
                total[point][name] = total[point].get(name, 0) + hits
    return total


def format_report(total: dict[str, dict[str, int]]) -> str:
    lines = []
    hit = sum(1 for bins in total.values() for v in bins.values() if v)
    size = sum(len(bins) for bins in total.values())
    lines.append(f"functional coverage: {hit} / {size} bins hit (counts are runs)")
    for point, bins in total.items():
        how = DATA_BINS if point == "eie.data" else DUT_BINS
        lines.append(f"  {point}: {sum(1 for v in bins.values() if v)} / {len(bins)}")
        for name, hits in bins.items():
            lines.append(f"    {'hit ' if hits else 'MISS'} {hits:6d}  {name:26s} {how.get(name, '')}")
    return "\n".join(lines)


def write(path: Path) -> None:
    Path(path).write_text(json.dumps(counts(), indent=1))
