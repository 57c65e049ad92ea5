# SPDX-License-Identifier: Apache-2.0
"""The cycle model's stepping as it was before issue 20 ("Fast instruments"): the oracle of
tests/test_perf_equivalence.py.

It stepped cycle by cycle (skipping only cycles in which nothing could change)
and matched the RTL's counters on every run of the whole-core regression, so the
faster eie.models.perf must give exactly its results. For a layer that runs
while the layer before writes back (issue 18), ``_TreeSim`` steps the LNZD
leaves and nodes register by register, as the RTL does (each node with its
output and skid registers since session 17), where eie.models.perf follows each
column up the tree in closed form, one register per node. Kept from
python/eie/models/perf.py at commit 1d5abdd, its one pointer stage made
``POINTER_STAGES`` (issue 18 registered the pointer banks' outputs): the stepping (``_compute_cycles``
and its helpers), the per-PE ``column_counts`` and ``predict`` on ``trace``;
what did not change (the statistics and write-back of ``layer_timing``,
``merged_paddings``, ``broadcast_order``) is eie.models.perf's own (so is the last layer's
``IDLE_FLAG_DELAY``, added by ``layer_timing``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from unittest import mock

import numpy as np

from eie.image import LoadedImage
from eie.models import perf
from eie.models.perf import (BCAST_TO_IDLE, DEFAULT_HISTORY_DEPTH, DEFAULT_TAKE_LANES, ISSUE_TO_IDLE, POINTER_STAGES,
                             ColumnCounts, RunTiming, broadcast_order, merged_paddings)
from eie.models.reference import trace


def layer_timing(*args, **kwargs) -> perf.LayerTiming:
    """eie.models.perf.layer_timing around the old stepping."""
    with mock.patch.object(perf, "_compute_cycles", _compute_cycles):
        return perf.layer_timing(*args, **kwargs)


class _TreeSim:
    """The LNZD leaves and nodes cycle by cycle, as eie_act_file and eie_lnzd_node work.

    Leaf p's columns show in its bitmap from their ``bit_at`` cycle; a leaf takes
    the next shown one into its register when the register is free or emptied
    this cycle. A node holds up to two columns (its output and skid registers) and
    takes its granted child's column when it held fewer than two at the start of
    the cycle, the grant going to the lowest child not done; its oldest column
    leaves when its parent (the CCU, for the root) takes it. A leaf is done when
    nothing is shown or held and its write-back is over (``done_at``); a node when
    it holds nothing and every child is done. Only how many columns a register
    holds matters (order is fixed).
    """

    def __init__(self, tree: perf._TreeTimes):
        self.n = tree.num_pes
        self.shown: list[deque[int]] = [deque() for _ in range(self.n)]
        for leaf, bit_at in zip(tree.leaf, tree.bit_at):
            self.shown[leaf].append(bit_at)
        self.done_at = tree.done_at
        self.widths = [self.n]
        while len(self.widths) == 1 or self.widths[-1] > 1:
            self.widths.append(-(-self.widths[-1] // 4))
        # Columns held: level 0 the leaves' registers (0 or 1), then the nodes (0 to 2).
        self.regs = [[0] * w for w in self.widths]

    def root_valid(self) -> bool:
        return self.regs[-1][0] > 0

    def _done(self, t: int) -> list[list[bool]]:
        done = [[not self.regs[0][p] and not (self.shown[p] and self.shown[p][0] <= t) and t >= self.done_at[p]
                 for p in range(self.n)]]
        for level in range(1, len(self.widths)):
            below = done[-1]
            done.append([not self.regs[level][node] and all(below[4 * node: 4 * node + 4])
                         for node in range(self.widths[level])])
        return done

    def done(self, t: int) -> bool:
        return self._done(t)[-1][0]

    def step(self, t: int, root_take: bool) -> None:
        """Cycle ``t``'s takes, the root's column leaving if ``root_take``."""
        done = self._done(t)
        top = len(self.widths) - 1
        out_ready = [[False] * w for w in self.widths]
        out_ready[top][0] = root_take
        new = [list(level) for level in self.regs]
        for level in range(top, 0, -1):
            for node in range(self.widths[level]):
                held = self.regs[level][node]
                if out_ready[level][node] and held:
                    new[level][node] -= 1
                children = range(4 * node, min(4 * node + 4, self.widths[level - 1]))
                grant = next((c for c in children if not done[level - 1][c]), None)
                if held < 2 and grant is not None and self.regs[level - 1][grant]:
                    out_ready[level - 1][grant] = True
                    new[level][node] += 1
        for p in range(self.n):
            if (not self.regs[0][p] or out_ready[0][p]) and self.shown[p] and self.shown[p][0] <= t:
                self.shown[p].popleft()
                new[0][p] = 1
            elif out_ready[0][p]:
                new[0][p] = 0
        self.regs = new


@dataclass
class _Broadcaster:
    """The CCU's side of one layer: fresh columns into the history, one per cycle."""

    count: int  # columns to broadcast, the bias column included
    bias: bool  # the bias column goes first, from the CCU, before the LNZD tree is loaded
    first_tree_load: int  # the first cycle the LNZD root holds a column (without a tree simulation)
    tree: _TreeSim | None = None  # the LNZD tree stepped cycle by cycle, if the input arrives over time
    head: int = 0  # fresh broadcasts written to the history

    def fresh_valid(self, t: int) -> bool:
        """A fresh column is ready to go into the history in cycle ``t``."""
        if self.head >= self.count:
            return False
        if self.bias and self.head == 0:
            return True
        return self.tree.root_valid() if self.tree is not None else t >= self.first_tree_load

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
                    levels: int, tree: perf._TreeTimes | None = None, tail_padding: np.ndarray | None = None,
                    begin: np.ndarray | None = None, final: bool = True,
                    lanes: int = DEFAULT_TAKE_LANES) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
    """(last compute cycle before the layer is drained, broadcast stalls, pops, queue full, write-back starts).

    Cycle 0 is the first compute cycle. ``active[p, i]``: issue slots of broadcast i in PE p.
    ``lanes``: columns a PE takes per cycle (TakeLanes).
    ``pops[i, p]``: the cycle PE p pops broadcast i (where it has entries), for the events.
    ``tree``: the columns' arrival as the layer before writes back (None: all there at once).
    ``tail_padding[i, p]``: 1 where broadcast i's column ends on a padding in PE p.
    ``queue_full[p]``: cycles in which PE p has a column to take and no room (PE_QUEUE_FULL;
    issue 21 added it here, counted cycle by cycle, skipped cycles included).
    Write-back starts (issue 18): each PE's first idle cycle once the CCU has seen the
    broadcast over (the cycle after it is). A PE takes nothing up to the cycle it began
    the layer (``begin``, its write-back of the layer before; counted as waiting for
    room). The run's last layer (``final``) ends when the last PE starts (is idle);
    another when the CCU sees the broadcast over.
    With a tree, its leaves start filling before cycle 0 (the layer before's
    write-backs may have started early): it is stepped from the first column's cycle.
    """
    num_pes, count = active.shape
    sim = _TreeSim(tree) if tree is not None else None
    pops = np.full((count, num_pes), -1, dtype=np.int64)
    queue_full = np.zeros(num_pes, dtype=np.int64)
    if sim is not None:
        for t in range(min([0, *tree.bit_at]), 0):
            sim.step(t, False)
    if count == 0:
        over = _tree_done_from(sim, 0) if sim is not None else 0
        return over + 1, 0, pops, queue_full, np.full(num_pes, over + 1, dtype=np.int64)
    pes = np.arange(num_pes)
    source = _Broadcaster(count, bias, first_tree_load=1 + levels, tree=sim)
    tree_done = None  # the first cycle the LNZD tree is done
    schedule = _PopSchedule.empty(num_pes, queue_depth)
    queued = np.zeros(num_pes, dtype=np.int64)  # the queue's count this cycle
    # Per pointer stage (the newest first): the columns taken into it, and of those
    # the ones with entries, which the last stage pushes into the queue.
    stage_takes = [np.zeros(num_pes, dtype=np.int64) for _ in range(POINTER_STAGES)]
    stage_news = [np.zeros(num_pes, dtype=np.int64) for _ in range(POINTER_STAGES)]
    in_ptr = np.zeros(num_pes, dtype=np.int64)  # columns in the pointer stages
    # A PE begins a layer idle: with no entries it is idle BCAST_TO_IDLE cycles after its last take.
    never = -(1 << 40)
    free_at = np.full(num_pes, never, dtype=np.int64)  # first cycle the read unit may pop the next column
    # ISSUE_TO_IDLE cycles before the PE is idle: a column ending on a padding a cycle earlier.
    idle_from = np.full(num_pes, never, dtype=np.int64)
    tail = tail_padding if tail_padding is not None else np.zeros((count, num_pes), dtype=np.int64)
    lag = np.zeros(num_pes, dtype=np.int64)  # broadcasts in the history a PE has not taken
    last_take, stalls, t = -1, 0, 0
    pe_last_take = np.full(num_pes, -1, dtype=np.int64)
    begun = np.full(num_pes, -(1 << 40), dtype=np.int64) if begin is None else np.asarray(begin, dtype=np.int64)
    # Every cycle some PE takes a column, pops or issues, or a fresh column goes
    # out: no schedule is longer than this.
    limit = 4 * (count + int(active.sum(axis=1).max()) + levels + 8) * (1 + count)
    while True:
        if t > limit:
            raise RuntimeError(f"cycle model: layer not drained after {t} cycles (a model bug)")
        # Each PE with room takes the oldest columns it has not taken (its own reads
        # of the history), up to ``lanes``; a column written last cycle is already there.
        no_room = (queue_depth - queued - in_ptr <= 0) | (t <= begun)
        take = np.minimum(np.minimum(lag, lanes), queue_depth - queued - in_ptr)
        np.maximum(take, 0, out=take)
        take[t <= begun] = 0
        queue_full += (lag > 0) & no_room
        new = np.zeros(num_pes, dtype=np.int64)
        if take.any():
            last_take = t
            pe_last_take[take > 0] = t
            for lane in range(lanes):
                lane_takes = take > lane
                item = np.minimum(source.head - lag + lane, count - 1)
                slots = active[pes, item]
                lane_new = lane_takes & (slots > 0)
                pop = np.maximum(t + POINTER_STAGES + 1, free_at)
                free_at = np.where(lane_new, pop + slots, free_at)
                idle_from = np.where(lane_new, pop + slots - tail[item, pes], idle_from)
                schedule.record(pes[lane_new], pop[lane_new])
                pops[item[lane_new], pes[lane_new]] = pop[lane_new]
                new += lane_new
            lag = lag - take
        # The queue count next cycle: this cycle's pushes (the takes POINTER_STAGES
        # cycles ago, with entries) and pop (its recorded cycle is now).
        unpopped = schedule.popped < schedule.taken - new
        pop_now = unpopped & (schedule.head_cycle() == t)
        # A fresh column goes into the history unless a PE is a whole history behind.
        fresh_valid = source.fresh_valid(t)
        from_tree = not (bias and source.head == 0)
        sent = fresh_valid and not (lag >= history_depth).any()
        if sent:
            source.head += 1
            lag = lag + 1
        else:
            stalls += fresh_valid
        if sim is not None:
            if tree_done is None and sim.done(t):
                tree_done = t
            sim.step(t, sent and from_tree)
        schedule.popped += pop_now
        queued = queued + stage_news[-1] - pop_now
        stage_takes = [take] + stage_takes[:-1]
        stage_news = [new] + stage_news[:-1]
        in_ptr = sum(stage_takes)
        t += 1
        if source.head == count and not lag.any():
            break
        if sim is None and begin is None:  # the tree simulation changes every cycle: nothing to skip
            quiet_from = t
            t, skipped_stalls = _skip_quiet_cycles(t, in_ptr, queued, lag, queue_depth, history_depth, source,
                                                   schedule)
            stalls += skipped_stalls
            # Skipped: no PE with a column to take has room.
            queue_full += (t - quiet_from) * (lag > 0)
    over = last_take + 1
    if sim is not None:
        over = max(over, tree_done if tree_done is not None else _tree_done_from(sim, t))
    pe_idle = np.maximum(pe_last_take + BCAST_TO_IDLE, idle_from + ISSUE_TO_IDLE)
    starts = np.maximum(pe_idle, over + 1)
    return (int(starts.max()) if final else over + 1), stalls, pops, queue_full, starts


def _tree_done_from(sim: _TreeSim, t: int) -> int:
    """The first cycle from ``t`` on that the tree is done, nothing more taken from it."""
    while not sim.done(t):
        sim.step(t, False)
        t += 1
    return t


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
            history_depth: int = DEFAULT_HISTORY_DEPTH, take_lanes: int = DEFAULT_TAKE_LANES) -> RunTiming:
    """Every layer of one run of integer input ``acts`` (what eie_core counts for it)."""
    run = RunTiming()
    for index, step in enumerate(trace(loaded, acts)):
        spec = step.layer.spec
        counts = column_counts(loaded, index)
        order = broadcast_order(step.inputs[0], loaded.num_pes)
        written_back = loaded.layers[index - 1].spec.out_features if index else None
        writes_back = spec.out_features if index + 1 < len(loaded.layers) else None
        # Where the columns' entries sit is the image's alone (eie.models.perf's own).
        ends = perf.column_counts(loaded, index).ends
        wb_start = run.layers[-1].wb_start if index else None
        run.layers.append(layer_timing(counts.slots, order, spec.bias, queue_depth, written_back,
                                       counts.padding, history_depth, counts.entries, ends, writes_back, wb_start,
                                       take_lanes))
    return run
