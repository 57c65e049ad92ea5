# SPDX-License-Identifier: Apache-2.0
"""The cycle model's stepping as it was before issue 20 ("Fast instruments"): the oracle of
tests/test_perf_equivalence.py.

It stepped cycle by cycle (skipping only cycles in which nothing could change)
and matched the RTL's counters on every run of the whole-core regression, so the
faster eie.models.perf must give exactly its results. Kept from
python/eie/models/perf.py at commit 1d5abdd, its one pointer stage made
``POINTER_STAGES`` (issue 18 registered the pointer banks' outputs): the stepping (``_compute_cycles``
and its helpers), the per-PE ``column_counts`` and ``predict`` on ``trace``;
what did not change (the statistics and write-back of ``layer_timing``,
``merged_paddings``, ``broadcast_order``) is eie.models.perf's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from unittest import mock

import numpy as np

from eie.image import LoadedImage
from eie.models import perf
from eie.models.perf import (BCAST_TO_IDLE, DEFAULT_HISTORY_DEPTH, ISSUE_TO_IDLE, POINTER_STAGES, TAKES_PER_CYCLE,
                             ColumnCounts, RunTiming, broadcast_order, merged_paddings)
from eie.models.reference import trace


def layer_timing(*args, **kwargs) -> perf.LayerTiming:
    """eie.models.perf.layer_timing around the old stepping."""
    with mock.patch.object(perf, "_compute_cycles", _compute_cycles):
        return perf.layer_timing(*args, **kwargs)


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
    # Per pointer stage (the newest first): the columns taken into it, and of those
    # the ones with entries, which the last stage pushes into the queue.
    stage_takes = [np.zeros(num_pes, dtype=np.int64) for _ in range(POINTER_STAGES)]
    stage_news = [np.zeros(num_pes, dtype=np.int64) for _ in range(POINTER_STAGES)]
    in_ptr = np.zeros(num_pes, dtype=np.int64)  # columns in the pointer stages
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
                pop = np.maximum(t + POINTER_STAGES + 1, free_at)
                free_at = np.where(lane_new, pop + slots, free_at)
                schedule.record(pes[lane_new], pop[lane_new])
                new += lane_new
            lag = lag - take
        # The queue count next cycle: this cycle's pushes (the takes POINTER_STAGES
        # cycles ago, with entries) and pop (its recorded cycle is now).
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
        queued = queued + stage_news[-1] - pop_now
        stage_takes = [take] + stage_takes[:-1]
        stage_news = [new] + stage_news[:-1]
        in_ptr = sum(stage_takes)
        t += 1
        if source.head == count and not lag.any():
            break
        t, skipped_stalls = _skip_quiet_cycles(t, in_ptr, queued, lag, queue_depth, history_depth, source, schedule)
        stalls += skipped_stalls
    drained = max(last_take + BCAST_TO_IDLE, int(free_at.max()) + ISSUE_TO_IDLE)
    return drained, stalls


def _skip_quiet_cycles(t: int, in_ptr: np.ndarray, queued: np.ndarray, lag: np.ndarray, queue_depth: int,
                       history_depth: int, source: _Broadcaster, schedule: _PopSchedule) -> tuple[int, int]:
    """The next cycle at which anything can change, and the stalls counted until then.

    Nothing changes while no PE has a column in the pointer stages, no PE can
    take (no room or nothing to take), and no fresh column can go out (none
    left, the LNZD root not yet valid, or a PE a whole history behind) - the
    read units just issue entries. The next change is then the earliest pop
    (a PE's queue gets room) or the root's first valid cycle. A layer of long
    columns on few PEs spends most of its cycles like this.
    """
    if in_ptr.any():  # a column in the pointer stages: a push, and room, to come
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


def predict(loaded: LoadedImage, acts: np.ndarray, queue_depth: int = 8,
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
