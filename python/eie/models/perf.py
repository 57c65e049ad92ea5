# SPDX-License-Identifier: Apache-2.0
"""A cycle model of eie_core that predicts the RTL's counters without simulating it.

The same micro-architecture as rtl/ (doc/microarch.md), stepped cycle by cycle
with every PE's state held in numpy arrays:

- The LNZD tree streams the non-zero activations in leaf order: PE 0's slice in
  increasing local index, then PE 1's, and so on, one per cycle once its
  ``levels`` register stages are full. A bias column goes first, from the CCU.
- One fresh broadcast per cycle goes into the CCU's history (eie_bcast_history):
  the bias column in the first compute cycle, the LNZD root's from cycle
  1 + levels on, unless some PE lags a whole history behind (then it waits: a
  broadcast stall). From the next cycle on, each PE takes the oldest columns it
  has not taken yet, up to two per cycle and as many as it has room for: room
  is depth - (columns queued and not yet popped) - (columns in the pointer
  stage). A PE without room falls behind. Two takes a cycle let a PE that is
  behind run through columns with no entries for it at twice the broadcast
  rate, so such columns rarely cost it a cycle of its own.
- One cycle after a take the pointer pairs are known and the non-empty columns
  enter the PE's queue, in order; the sparse-matrix read unit pops a column once
  it is in the queue (two cycles after the take) and the previous column has
  issued its last entry, then issues one entry per cycle with no bubble between
  columns, except that a padding entry merges into the next entry's issue where
  ``merged_paddings`` says so: a column costs its issue slots, not its entries.
- A layer ends when the broadcast is over and every PE is idle: five cycles
  after its last issue (SRAM read, row stage, codebook, multiply, add) and two
  after the last take. A non-final layer then writes back its rows, one per
  cycle, plus four cycles of hand-shake; each layer starts with one INIT cycle.

tests/test_perf.py holds the model to this description on hand-worked cases,
tb/test_core.py (run_and_compare) to the RTL's own counters on every run, and
tb/random_run.py to the cycles, broadcasts and stalls of every random scenario.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from eie import limits
from eie.limits import DEFAULT_HISTORY_DEPTH, DEFAULT_QUEUE_DEPTH
from eie.errors import EieError
from eie.image import ENTRIES_PER_WORD, LoadedImage
from eie.models.reference import trace

# Cycles from a PE's last issued entry to its idle signal, and from the last
# broadcast to the end of the pointer stage (doc/microarch.md "How a PE is wired").
ISSUE_TO_IDLE = 5
BCAST_TO_IDLE = 2
# Write-back: rows of the busiest PE plus four cycles: the start, the read
# pipeline, the last write and the CCU seeing every PE finish; plus one INIT cycle.
WRITEBACK_EXTRA = 4
INIT_CYCLES = 1
# Columns a PE takes from the history per cycle (eie_bcast_history's read lanes).
TAKES_PER_CYCLE = 2


def tree_levels(num_pes: int) -> int:
    """Register stages of the LNZD tree: ceil(log4(N)), at least one (eie_lnzd_tree)."""
    levels = 1
    while 4 ** levels < num_pes:
        levels += 1
    return levels


def broadcast_order(acts: np.ndarray, num_pes: int) -> np.ndarray:
    """Columns of the non-zero activations in the order the LNZD tree emits them."""
    cols = np.nonzero(acts)[0]
    return cols[np.lexsort((cols // num_pes, cols % num_pes))]


@dataclass
class LayerTiming:
    """What the model predicts for one layer of one run (the RTL counter names)."""

    cycles: int  # LAYER_CYCLES: INIT + compute + write-back
    compute_cycles: int  # cycles in the compute state (BUSY+STARVED+STALLED+DRAINED per PE)
    broadcasts: int
    broadcast_stalls: int
    busy: np.ndarray  # per PE: issue slots, merged paddings not counted (PE_BUSY)
    padding: np.ndarray  # per PE: padding entries read, merged or not (PE_PADDING)
    entries: np.ndarray  # per PE: entries read, paddings included

    @property
    def load_efficiency(self) -> float:
        """The paper's measure: busy / total cycles, averaged over the PEs."""
        return float(np.mean(self.busy) / self.compute_cycles) if self.compute_cycles else 1.0


@dataclass
class RunTiming:
    layers: list[LayerTiming] = field(default_factory=list)

    @property
    def cycles(self) -> int:
        return sum(layer.cycles for layer in self.layers)


def check_depths(queue_depth: int, history_depth: int) -> None:
    """The core's queue and history depths as its RTL accepts them (ValueError if not)."""
    try:
        limits.QUEUE_DEPTH.check(queue_depth, "the queue depth")
        limits.HISTORY_DEPTH.check(history_depth, "the broadcast history depth")
    except EieError as exc:
        raise ValueError(str(exc)) from None


def layer_timing(col_slots: np.ndarray, order: np.ndarray, bias: bool, queue_depth: int,
                 out_features: int, last_layer: bool, col_padding: np.ndarray | None = None,
                 history_depth: int = DEFAULT_HISTORY_DEPTH, col_entries: np.ndarray | None = None) -> LayerTiming:
    """One layer of one run, stepped cycle by cycle with every PE in numpy arrays.

    ``col_slots[p, j]``: issue slots of column j in PE p (its entries less its
    merged paddings, ``column_counts``), the bias column last; ``order``: the
    non-zero activations' columns in broadcast order (``broadcast_order``);
    ``bias``: the layer has a bias column, broadcast first. ``col_padding`` and
    ``col_entries`` (default: the slots) only feed the statistics.
    """
    num_pes = col_slots.shape[0]
    check_depths(queue_depth, history_depth)
    columns = np.concatenate([[col_slots.shape[1] - 1], order]).astype(np.int64) if bias else order
    active = col_slots[:, columns]  # PE x broadcast
    count = columns.size
    padding = col_padding[:, columns].sum(axis=1) if col_padding is not None else np.zeros(num_pes, np.int64)
    entries = (col_entries if col_entries is not None else col_slots)[:, columns].sum(axis=1)
    drained, stalls = _compute_cycles(active, bias, queue_depth, history_depth, tree_levels(num_pes))
    compute = drained + 1
    cycles = INIT_CYCLES + compute
    if not last_layer:
        cycles += math.ceil(out_features / num_pes) + WRITEBACK_EXTRA
    return LayerTiming(cycles=int(cycles), compute_cycles=int(compute), broadcasts=int(count),
                       broadcast_stalls=int(stalls), busy=active.sum(axis=1).astype(np.int64),
                       padding=np.asarray(padding, dtype=np.int64), entries=np.asarray(entries, dtype=np.int64))


@dataclass
class _Broadcaster:
    """The CCU's side of one layer: fresh columns into the history, one per cycle."""

    count: int  # columns to broadcast, the bias column included
    bias: bool  # the bias column goes first, from the CCU, before the LNZD tree is loaded
    first_tree_load: int  # the first cycle the LNZD root holds a column
    head: int = 0  # fresh broadcasts written to the history

    def fresh_valid(self, t: int) -> bool:
        """A fresh column is ready to go into the history in cycle ``t``."""
        return self.head < self.count and (t >= self.first_tree_load or (self.bias and self.head == 0))

    def waiting_for_tree(self, t: int) -> bool:
        """Columns are left but the LNZD root holds none yet in cycle ``t``."""
        return self.head < self.count and not self.fresh_valid(t)


@dataclass
class _PopSchedule:
    """Per PE, the pop cycle of each column taken with entries and not yet popped, in order."""

    pops: np.ndarray  # PE x ring of pop cycles
    taken: np.ndarray  # columns with entries taken so far
    popped: np.ndarray  # of those, popped so far

    @classmethod
    def empty(cls, num_pes: int, queue_depth: int) -> "_PopSchedule":
        # Columns taken and not yet popped never exceed queue_depth.
        return cls(np.zeros((num_pes, queue_depth + 2), dtype=np.int64),
                   np.zeros(num_pes, dtype=np.int64), np.zeros(num_pes, dtype=np.int64))

    def record(self, pes: np.ndarray, cycles: np.ndarray) -> None:
        """PEs ``pes`` took a column with entries that pops at ``cycles``."""
        self.pops[pes, self.taken[pes] % self.pops.shape[1]] = cycles
        self.taken[pes] += 1

    def head_cycle(self) -> np.ndarray:
        """Per PE, the pop cycle of its oldest unpopped column (meaningless where none)."""
        return self.pops[np.arange(self.popped.size), self.popped % self.pops.shape[1]]

    def next_pop(self) -> int | None:
        """The earliest pop still to come, over all PEs."""
        waiting = self.popped < self.taken
        return int(self.head_cycle()[waiting].min()) if waiting.any() else None


def _compute_cycles(active: np.ndarray, bias: bool, queue_depth: int, history_depth: int,
                    levels: int) -> tuple[int, int]:
    """(last compute cycle before the layer is drained, broadcast stalls) of one layer.

    Cycle 0 is the first compute cycle. ``active[p, i]``: issue slots of broadcast i in PE p.
    """
    num_pes, count = active.shape
    if count == 0:
        return 0, 0
    pes = np.arange(num_pes)
    source = _Broadcaster(count, bias, first_tree_load=1 + levels)
    schedule = _PopSchedule.empty(num_pes, queue_depth)
    queued = np.zeros(num_pes, dtype=np.int64)  # the queue's count this cycle
    push = np.zeros(num_pes, dtype=np.int64)  # columns the pointer stage pushes this cycle
    in_ptr = np.zeros(num_pes, dtype=np.int64)  # columns in the pointer stage (taken last cycle)
    free_at = np.zeros(num_pes, dtype=np.int64)  # first cycle the read unit may pop the next column
    lag = np.zeros(num_pes, dtype=np.int64)  # broadcasts in the history a PE has not taken
    last_take, stalls, t = -1, 0, 0
    # Every cycle some PE takes a column, pops or issues, or a fresh column goes
    # out: no schedule is longer than this.
    limit = 4 * (count + int(active.sum(axis=1).max()) + levels + 8) * (1 + count)
    while True:
        if t > limit:
            raise RuntimeError(f"cycle model: layer not drained after {t} cycles (a model bug)")
        # Each PE with room takes the oldest columns it has not taken (its own reads
        # of the history), up to two; a column written last cycle is already there.
        take = np.minimum(np.minimum(lag, TAKES_PER_CYCLE), queue_depth - queued - in_ptr)
        np.maximum(take, 0, out=take)
        new = np.zeros(num_pes, dtype=np.int64)
        if take.any():
            last_take = t
            for lane in range(TAKES_PER_CYCLE):
                lane_takes = take > lane
                slots = active[pes, np.minimum(source.head - lag + lane, count - 1)]
                lane_new = lane_takes & (slots > 0)
                pop = np.maximum(t + 2, free_at)
                free_at = np.where(lane_new, pop + slots, free_at)
                schedule.record(pes[lane_new], pop[lane_new])
                new += lane_new
            lag = lag - take
        # The queue count next cycle: this cycle's pushes (last cycle's takes, with
        # entries) and pop (its recorded cycle is now).
        unpopped = schedule.popped < schedule.taken - new
        pop_now = unpopped & (schedule.head_cycle() == t)
        # A fresh column goes into the history unless a PE is a whole history behind.
        fresh_valid = source.fresh_valid(t)
        if fresh_valid and not (lag >= history_depth).any():
            source.head += 1
            lag = lag + 1
        else:
            stalls += fresh_valid
        schedule.popped += pop_now
        queued, push, in_ptr = queued + push - pop_now, new, take
        t += 1
        if source.head == count and not lag.any():
            break
        t, skipped_stalls = _skip_quiet_cycles(t, take, queued, lag, queue_depth, history_depth, source, schedule)
        stalls += skipped_stalls
    drained = max(last_take + BCAST_TO_IDLE, int(free_at.max()) + ISSUE_TO_IDLE)
    return drained, stalls


def _skip_quiet_cycles(t: int, take: np.ndarray, queued: np.ndarray, lag: np.ndarray, queue_depth: int,
                       history_depth: int, source: _Broadcaster, schedule: _PopSchedule) -> tuple[int, int]:
    """The next cycle at which anything can change, and the stalls counted until then.

    Nothing changes while no PE is in the pointer stage or pushing, no PE can
    take (no room or nothing to take), and no fresh column can go out (none
    left, the LNZD root not yet valid, or a PE a whole history behind) - the
    read units just issue entries. The next change is then the earliest pop
    (a PE's queue gets room) or the root's first valid cycle. A layer of long
    columns on few PEs spends most of its cycles like this.
    """
    if take.any():  # a take puts a column in the pointer stage and maybe a push next cycle
        return t, 0
    if ((queued < queue_depth) & (lag > 0)).any():
        return t, 0
    full = bool((lag >= history_depth).any())
    if source.fresh_valid(t) and not full:
        return t, 0
    next_pop = schedule.next_pop()
    events = [] if next_pop is None else [next_pop]
    if source.waiting_for_tree(t):
        events.append(source.first_tree_load)
    if not events:
        return t, 0
    until = max(t, min(events))
    # Each skipped cycle with a fresh column waiting behind a full history is a stall.
    stalls = (until - t) if (source.head < source.count and full and t >= source.first_tree_load) else 0
    return until, stalls


def merged_paddings(v: np.ndarray, pointers: np.ndarray, base: int = 0) -> np.ndarray:
    """Per entry of one PE's share of a layer: a padding eie_spmat_read merges into the next entry's issue.

    ``pointers`` are relative to ``base``, the absolute entry address of the
    share's first entry (8 entries to a 64-bit word). An entry is mergeable when
    it is a padding (v == 0), not its column's first entry, not in its word's
    first or last slot (the read register then holds its word, and the next entry
    is in it too), and two more entries of its column follow it. A mergeable entry
    takes the next entry into its issue slot, so in a run of mergeable entries
    every other one merges, starting with the first.
    """
    v, pointers = np.asarray(v), np.asarray(pointers, dtype=np.int64)
    merged = np.zeros(v.size, dtype=bool)
    if not v.size:
        return merged
    entry = np.arange(v.size)
    column = np.repeat(np.arange(pointers.size - 1), np.diff(pointers))
    start, end = pointers[:-1][column], pointers[1:][column]
    slot = (base + entry) % ENTRIES_PER_WORD
    mergeable = (v == 0) & (entry != start) & (slot != 0) & (slot != ENTRIES_PER_WORD - 1) & (entry + 2 < end)
    where = np.flatnonzero(mergeable)
    if where.size:
        run_start = np.ones(where.size, dtype=bool)
        run_start[1:] = (where[1:] != where[:-1] + 1) | (column[where[1:]] != column[where[:-1]])
        first_of_run = where[run_start][np.cumsum(run_start) - 1]
        merged[where[(where - first_of_run) % 2 == 0]] = True
    return merged


@dataclass
class ColumnCounts:
    """Every column of one layer in every PE (PE x column arrays)."""

    slots: np.ndarray  # issue slots: what a column costs the PE's read unit
    entries: np.ndarray  # entries, paddings included
    padding: np.ndarray  # padding entries, merged or not


def column_counts(loaded: LoadedImage, index: int) -> ColumnCounts:
    """Issue slots, entries and padding entries of every column of layer ``index`` in every PE."""
    shares = loaded.image.layer_shares(index)
    bases = loaded.image.layers[index].entry_base
    entries = np.stack([np.diff(share.pointers) for share in shares]).astype(np.int64)
    padding = np.zeros_like(entries)
    slots = entries.copy()
    for pe, share in enumerate(shares):
        if share.v.size:
            column = np.repeat(np.arange(entries.shape[1]), entries[pe])
            padding[pe] = np.bincount(column[share.v == 0], minlength=entries.shape[1])
            merged = merged_paddings(share.v, share.pointers, int(bases[pe]))
            slots[pe] -= np.bincount(column[merged], minlength=entries.shape[1])
    return ColumnCounts(slots=slots, entries=entries, padding=padding)


def predict(loaded: LoadedImage, acts: np.ndarray, queue_depth: int = DEFAULT_QUEUE_DEPTH,
            history_depth: int = DEFAULT_HISTORY_DEPTH) -> RunTiming:
    """Every layer of one run of integer input ``acts`` (what eie_core counts for it)."""
    run = RunTiming()
    last = len(loaded.layers) - 1
    for index, step in enumerate(trace(loaded, acts)):
        spec = step.layer.spec
        counts = column_counts(loaded, index)
        order = broadcast_order(step.inputs[0], loaded.num_pes)
        run.layers.append(layer_timing(counts.slots, order, spec.bias, queue_depth, spec.out_features,
                                       index == last, counts.padding, history_depth, counts.entries))
    return run


def differences(predicted: RunTiming, rtl_run: dict) -> list[str]:
    """What differs between the model and one run's RTL counters (eie sim report["runs"][i])."""
    found = []
    pairs = [
        ("layer_cycles", [layer.cycles for layer in predicted.layers], rtl_run["layer_cycles"]),
        ("broadcasts", sum(layer.broadcasts for layer in predicted.layers), rtl_run["broadcasts"]),
        ("broadcast_stalls", sum(layer.broadcast_stalls for layer in predicted.layers), rtl_run["broadcast_stalls"]),
        ("pe busy", sum(layer.busy for layer in predicted.layers).tolist(), rtl_run["pe"]["busy"]),
        ("pe padding", sum(layer.padding for layer in predicted.layers).tolist(), rtl_run["pe"]["padding"]),
    ]
    for name, model, rtl in pairs:
        if model != rtl:
            found.append(f"{name}: model {model}, RTL {rtl}")
    return found
