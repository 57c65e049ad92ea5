# SPDX-License-Identifier: Apache-2.0
"""A cycle model of eie_core that predicts the RTL's counters without simulating it.

The same micro-architecture as rtl/ (doc/microarch.md), with every PE's state
held in numpy arrays:

- The LNZD tree streams the non-zero activations in leaf order: PE 0's slice in
  increasing local index, then PE 1's, and so on, one per cycle once its
  ``levels`` register stages are full. A bias column goes first, from the CCU.
- One fresh broadcast per cycle goes into the CCU's history (eie_bcast_history):
  the bias column in the first compute cycle, the LNZD root's from cycle
  1 + levels on, unless some PE lags a whole history behind (then it waits: a
  broadcast stall). From the next cycle on, each PE takes the oldest columns it
  has not taken yet, up to TakeLanes (two by default, or one) per cycle and as
  many as it has room for: room is depth - (columns queued and not yet popped) -
  (columns in the pointer stage). A PE without room falls behind. Two takes a
  cycle let a PE that is behind run through columns with no entries for it at
  twice the broadcast rate, so such columns rarely cost it a cycle of its own.
- Two cycles after a take (the pointer banks' read and the register behind them,
  ``POINTER_STAGES``) the pointer pairs are known and the non-empty columns
  enter the PE's queue, in order; the sparse-matrix read unit pops a column once
  it is in the queue (three cycles after the take) and the previous column has
  issued its last entry, then issues one entry per cycle with no bubble between
  columns, except that a padding entry merges into the next entry's issue where
  ``merged_paddings`` says so: a column costs its issue slots, not its entries.
- A layer that another follows ends in the cycle the CCU sees its broadcast
  over (registered: the cycle after), the next layer's first compute cycle
  following at once (no INIT cycle between layers, nor after a START once the
  accumulator sweep is over; LAYER_CYCLES counts compute cycles); each PE drains
  on its own meanwhile (below). The run's last layer ends when, besides, every
  PE is idle: five cycles after its last issue (the register behind the SRAM,
  which read the word a cycle ahead, row stage, codebook, multiply, add) and
  three after its last take. A column may end on a padding
  entry (the packer never writes one; an image from elsewhere may): a padding
  stops before the codebook, so after a column ending on one padding the PE is
  idle when the entry issued before it is, a cycle earlier.
- Layers overlap: each PE starts the write-back of a layer (not the run's last)
  on its own, in the first cycle it is idle with the broadcast over (registered:
  from the cycle after it is over), so a PE that finishes early writes back
  early; it runs on during the next layer, whose entries add into the other
  accumulator bank. That is also when the PE starts the next layer: it takes
  none of its broadcasts before the cycle after (waiting for room meanwhile, as
  PE_QUEUE_FULL counts). A PE that started at cycle s writes its local row k into the
  next layer's source file so that the row's bitmap bit is seen in cycle
  s + k + ``WB_BIT_AT``; its leaf is done (nothing more to come) from cycle
  s + ``rows + WB_DONE_AFTER_ROWS`` on (s + ``WB_DONE_NO_ROWS`` for a PE with no
  row). Its leaf scans the new file at once, so the LNZD tree fills before the
  next layer starts (the CCU takes nothing from it until then, and a leaf whose
  PE has not started its write-back counts as not done). The LNZD nodes serve
  their children in order (a child not done blocks the ones after it), so the
  broadcast order is the same as with the whole file there at once, only later:
  ``_TreeTimes`` follows each column through the leaf and node registers.
- A run's first layer that another follows ends no earlier than compute cycle
  ``ACC_SWEEP_CYCLES``: its start starts the sweep of the accumulator bank the run
  before ended in, and the second layer adds into that bank (eie_arith, eie_ccu).

How it is computed: one broadcast at a time, every PE at once, not cycle by
cycle. Each event above happens in the earliest cycle its conditions allow, and
each condition is a bound from earlier events:

- broadcast i goes into the history in cycle ``max(sent[i-1] + 1, ready[i],
  the cycle the last PE takes broadcast i - HistoryDepth)``; each cycle it waits
  on the last of these is a broadcast stall;
- PE p takes it in the first cycle after it is sent and after the cycle the PE
  began the layer, not before its take of
  broadcast i - 1 and after its take of i - TakeLanes (two takes a cycle, or one), in which one
  of its ``queue_depth`` places is free. A column holds a place from its take:
  without entries through the pointer stages (take + 2), with entries until its
  pop, ``max(take + 3, the previous column's pop + its slots)``. A PE's room is
  exactly its free places, so it waits for the place that frees first.

Broadcast i reads only earlier broadcasts, the history bound only those a whole
history back: a block of HistoryDepth broadcasts goes out in one running
maximum, then the PEs take them one after another. One numpy step per
broadcast instead of one per cycle (a layer takes several cycles per broadcast).
tests/test_perf_equivalence.py holds it to the cycle-by-cycle model it replaced.

Each layer also carries its energy-relevant events (eie.models.events, per PE and
core-wide, ``layer_events``): most follow from the image and the input, the
sparse-matrix word reads from the order of each PE's columns, and the accumulator
bypass hits from the pop cycles above.

tests/test_perf.py holds the model to this description on hand-worked cases,
tb/test_core.py (run_and_compare) to the RTL's own counters and event counters on
every run, and tb/random_run.py to every counter and event of every random scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eie import limits
from eie.limits import DEFAULT_HISTORY_DEPTH, DEFAULT_QUEUE_DEPTH, DEFAULT_TAKE_LANES
from eie.errors import EieError
from eie.image import ENTRIES_PER_WORD, LoadedImage
from eie.models.events import CORE_EVENTS, PE_EVENTS
from eie.models.reference import layer_inputs

# Cycles from a PE's take of a column to its push into the queue (eie_ptr_read: the
# bank read and the register behind it), from a PE's last issued entry to its idle
# signal, and from the last take to the end of the pointer stages
# (doc/microarch.md "How a PE is wired").
POINTER_STAGES = 2
ISSUE_TO_IDLE = 5
BCAST_TO_IDLE = POINTER_STAGES + 1
# Cycles from an accumulator read to its sum (eie_pkg::AccReadLatency: the block RAM
# and its register) and the requantisation's registers (eie_pkg::RequantStages).
ACC_READ_LATENCY = 2
REQUANT_STAGES = 1
# The write-back of a layer, from the cycle a PE starts it: local row k's bitmap bit
# is set from cycle k + WB_BIT_AT (the start's register, the accumulator read, the
# requantisation, the write register, the bit's register); a PE with rows is done
# writing from cycle rows + WB_DONE_AFTER_ROWS, one without from WB_DONE_NO_ROWS.
WB_BIT_AT = ACC_READ_LATENCY + REQUANT_STAGES + 3
WB_DONE_AFTER_ROWS = ACC_READ_LATENCY + REQUANT_STAGES + 2
WB_DONE_NO_ROWS = 2
# Cycles from the PEs' idle flags to the CCU's AND of them (eie_core registers each
# PE's flag): the run's last layer ends this much after every PE is idle.
IDLE_FLAG_DELAY = 1
# A run's first layer's start begins the sweep of the accumulator bank the run before
# ended in (eie_arith, eie_pkg::AccSweepCycles); the second layer adds into that bank,
# so the CCU ends the first layer no earlier than this compute cycle. Only a first
# layer whose broadcast ends within it (few columns) waits, its PEs draining meanwhile.
ACC_SWEEP_CYCLES = 16


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

    cycles: int  # LAYER_CYCLES: its compute cycles (the write-back runs in the next layer's)
    compute_cycles: int  # cycles in the compute state (BUSY+STARVED+STALLED+DRAINED per PE)
    broadcasts: int
    broadcast_stalls: int
    busy: np.ndarray  # per PE: issue slots, merged paddings not counted (PE_BUSY)
    padding: np.ndarray  # per PE: padding entries read, merged or not (PE_PADDING)
    queue_full: np.ndarray  # per PE: cycles its oldest column not taken waits in the history for room (PE_QUEUE_FULL)
    entries: np.ndarray  # per PE: entries read, paddings included
    # Per PE: the cycle it starts this layer's write-back, counted from the next
    # layer's first compute cycle (negative: before it; None if not written back).
    wb_start: np.ndarray | None = None
    # The energy-relevant events of the layer (eie.models.events): per PE (int64
    # arrays) and core-wide. Empty when layer_timing is not told where the entries
    # sit (``ends``): then only the timing is known.
    events: dict[str, np.ndarray] = field(default_factory=dict)
    core_events: dict[str, int] = field(default_factory=dict)

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


def check_depths(queue_depth: int, history_depth: int, take_lanes: int = DEFAULT_TAKE_LANES) -> None:
    """The core's queue and history depths and take lanes as its RTL accepts them (ValueError if not)."""
    try:
        limits.QUEUE_DEPTH.check(queue_depth, "the queue depth")
        limits.HISTORY_DEPTH.check(history_depth, "the broadcast history depth")
        limits.TAKE_LANES.check(take_lanes, "the take lanes")
    except EieError as exc:
        raise ValueError(str(exc)) from None


def layer_timing(col_slots: np.ndarray, order: np.ndarray, bias: bool, queue_depth: int,
                 written_back: int | None = None, col_padding: np.ndarray | None = None,
                 history_depth: int = DEFAULT_HISTORY_DEPTH, col_entries: np.ndarray | None = None,
                 ends: ColumnEnds | None = None, writes_back: int | None = None,
                 wb_start: np.ndarray | None = None, take_lanes: int = DEFAULT_TAKE_LANES) -> LayerTiming:
    """One layer of one run, every PE at once in numpy arrays.

    ``col_slots[p, j]``: issue slots of column j in PE p (its entries less its
    merged paddings, ``column_counts``), the bias column last; ``order``: the
    non-zero activations' columns in broadcast order (``broadcast_order``);
    ``bias``: the layer has a bias column, broadcast first; ``written_back``: the
    rows (output features) of the layer before, written back while this one runs,
    or None for a run's first layer (its input is in the files before it starts);
    ``wb_start``: the cycle each PE started that write-back (the layer before's
    ``LayerTiming.wb_start``; default 0, all in this layer's first compute cycle).
    ``col_padding`` and ``col_entries`` (default: the slots) only feed the statistics.
    ``ends``: where each column's first and last entries sit (``column_ends``), for the
    events (``layer_events``); ``writes_back``: this layer's rows (output features)
    if they are written back (None for a run's last layer, whose outputs stay in the
    accumulators for the load port's RESULT reads). A first layer that writes back
    lasts at least ``ACC_SWEEP_CYCLES`` + 1 compute cycles. ``take_lanes``: columns a PE
    takes from the history per cycle (eie_core's TakeLanes).
    """
    num_pes = col_slots.shape[0]
    check_depths(queue_depth, history_depth, take_lanes)
    columns = np.concatenate([[col_slots.shape[1] - 1], order]).astype(np.int64) if bias else order
    active = col_slots[:, columns]  # PE x broadcast
    count = columns.size
    padding = col_padding[:, columns].sum(axis=1) if col_padding is not None else np.zeros(num_pes, np.int64)
    entries = (col_entries if col_entries is not None else col_slots)[:, columns].sum(axis=1)
    tree = None if written_back is None else _TreeTimes.after_writeback(order, num_pes, written_back, wb_start)
    levels = tree_levels(num_pes)
    tail_padding = None if ends is None else ((ends.last_row[:, columns] == -2) & (active > 0)).T.astype(np.int64)
    if tail_padding is not None and not tail_padding.any():
        tail_padding = None
    drained, stalls, pops, queue_full, starts = _compute_cycles(active, bias, queue_depth, history_depth, levels,
                                                                tree, tail_padding, wb_start,
                                                                final=writes_back is None, lanes=take_lanes)
    if written_back is None and writes_back is not None:
        drained = max(drained, ACC_SWEEP_CYCLES)
    if writes_back is None:
        drained += IDLE_FLAG_DELAY  # the run's last layer: the CCU sees its PEs idle a cycle late
    compute = drained + 1
    timing = LayerTiming(cycles=int(compute), compute_cycles=int(compute), broadcasts=int(count),
                         broadcast_stalls=int(stalls), busy=active.sum(axis=1).astype(np.int64),
                         padding=np.asarray(padding, dtype=np.int64), queue_full=queue_full,
                         entries=np.asarray(entries, dtype=np.int64),
                         wb_start=None if writes_back is None else starts - compute)
    if ends is not None:
        timing.events, timing.core_events = layer_events(timing, active, columns, pops, order, ends, levels,
                                                         writes_back)
    return timing


def pe_rows(rows: int, num_pes: int) -> np.ndarray:
    """Per PE: its local rows of a layer with ``rows`` outputs (global row r is PE r mod N's)."""
    return np.maximum(0, -(-(rows - np.arange(num_pes)) // num_pes))


def layer_events(timing: LayerTiming, active: np.ndarray, columns: np.ndarray, pops: np.ndarray,
                 order: np.ndarray, ends: ColumnEnds, levels: int,
                 writes_back: int | None) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """The events of one layer (eie.models.events), per PE and core-wide.

    ``active``: issue slots, PE x broadcast; ``columns``: each broadcast's column;
    ``pops``: broadcast x PE, the cycle each column with entries is popped
    (``_compute_cycles``). Most counts follow from the image and the input alone.
    Two follow from the order of the columns a PE works on: the sparse-matrix
    SRAM reads a word only when the next entry's word differs from the word it
    read last (so a column starting in the word the PE's previous column ended in
    saves a read), and the accumulator bypass hits when a column's first update
    is the cycle after the previous column's last and to the same row, which
    depends on the timing (no gap between the two columns' issues).
    """
    num_pes, count = active.shape
    useful = timing.entries - timing.padding  # updates: codebook look-up, multiply, add
    wb_rows = pe_rows(writes_back, num_pes) if writes_back is not None else np.zeros(num_pes, np.int64)
    # Every PE's columns with entries, PE by PE in broadcast order, looked up by
    # flat index (one gather each, not a PE x broadcast copy).
    pe, item = np.nonzero(active > 0)
    nonempty = np.bincount(pe, minlength=num_pes)
    at = pe * ends.first_word.shape[1] + columns[item]

    def listed(per_column: np.ndarray) -> np.ndarray:
        return per_column.ravel().take(at)

    first_word, last_word = listed(ends.first_word), listed(ends.last_word)
    same_pe = pe[1:] == pe[:-1]
    shared_word = same_pe & (first_word[1:] == last_word[:-1])
    words = np.bincount(pe, weights=last_word - first_word + 1, minlength=num_pes).astype(np.int64)
    spmat_reads = words - np.bincount(pe[1:][shared_word], minlength=num_pes)
    # A column issues from the cycle after its pop, so it follows the column before
    # it back to back (its first update the cycle after that one's last) when it
    # pops in that one's pop + slots, the cycle of its last issue.
    pop, slots = pops.ravel().take(item * num_pes + pe), active.ravel().take(pe * count + item)
    back_to_back = same_pe & (pop[1:] == pop[:-1] + slots[:-1])
    bypass = back_to_back & (listed(ends.first_row)[1:] == listed(ends.last_row)[:-1])
    takes = np.full(num_pes, count, dtype=np.int64)
    events = {
        "spmat_reads": spmat_reads,
        "ptr_reads": 2 * takes,  # each take reads p_j and p_{j+1}, one from each bank
        "codebook_reads": useful,
        "multiplies": useful,
        "acc_reads": useful + wb_rows,
        "acc_writes": useful,
        "bypass_hits": np.bincount(pe[1:][bypass], minlength=num_pes),
        "act_reads": np.bincount(order % num_pes, minlength=num_pes),
        "act_writes": wb_rows,
        "queue_pushes": nonempty,
        "queue_pops": nonempty,
        "history_reads": takes,
        "busy_cycles": timing.busy,
        "idle_cycles": timing.compute_cycles - timing.busy,
    }
    events = {name: np.asarray(events[name], dtype=np.int64) for name in PE_EVENTS}
    core = {
        "broadcasts": timing.broadcasts,
        "history_writes": timing.broadcasts,
        "lnzd_node_moves": int(order.size) * levels,  # every non-zero through every tree level
        "cycles": timing.cycles,
    }
    return events, {name: int(core[name]) for name in CORE_EVENTS}


class _TreeTimes:
    """When each column of a layer reaches the LNZD root, its leaf's bits arriving over time.

    Column i (broadcast order, no bias) comes from leaf ``leaf[i]``, whose bitmap
    shows it from cycle ``bit_at[i]``; leaf p is done (nothing more to come) from
    ``done_at[p]`` on once its last column has left it. Each register (the leaf's,
    then one per tree level) takes a column when the one below offers it and its
    own column leaves in that cycle or has left; a node takes from a child only
    when every child before it is done. ``root_valid`` follows one column up to
    the root register, ``sent`` records the cycle the CCU takes it.

    Each eie_lnzd_node also has a skid register (its ready to its children is a
    register, for the clock): a column may climb into a node whose output
    stalls. That changes no cycle in which a column reaches the CCU: a column
    held back a level by the column ahead of it follows that one up, and reaches
    the CCU the cycle after it, either way. So one register per node gives the
    RTL's cycles exactly (tests/perf_oracle.py steps both registers and agrees).
    """

    def __init__(self, num_pes: int, leaf: np.ndarray, bit_at: np.ndarray, done_at: np.ndarray):
        self.levels = tree_levels(num_pes)
        self.num_pes = num_pes
        self.leaf = leaf.tolist()
        self.bit_at = bit_at.tolist()
        self.done_at = done_at.tolist()
        self.prev_leaf: int | None = None
        self.prev: list[int] = []  # the last column's take cycle into each register, then the CCU's
        # Per level (0 = the leaves) and register: the cycle its last column left it.
        self.left: list[dict[int, int]] = [{} for _ in range(self.levels + 1)]
        self.done_memo: dict[tuple[int, int], int] = {}

    @classmethod
    def after_writeback(cls, order: np.ndarray, num_pes: int, rows: int,
                        start: np.ndarray | None = None) -> "_TreeTimes":
        """The columns of a layer whose input the layer before writes back (``rows`` rows) as it runs.

        ``start[p]``: the cycle PE p started that write-back (default 0).
        """
        leaf, row = order % num_pes, order // num_pes
        if np.any(np.diff(leaf * (int(row.max(initial=0)) + 1) + row) <= 0):
            raise ValueError("the columns of a layer after a write-back must come leaf by leaf (broadcast_order)")
        local_rows = pe_rows(rows, num_pes)
        start = np.zeros(num_pes, dtype=np.int64) if start is None else np.asarray(start, dtype=np.int64)
        done_at = np.where(local_rows > 0, local_rows + WB_DONE_AFTER_ROWS, WB_DONE_NO_ROWS) + start
        return cls(num_pes, leaf, row + WB_BIT_AT + start[leaf], done_at)

    def _nodes(self, level: int) -> int:
        return -(-self.num_pes // 4 ** level)

    def done(self, level: int, node: int) -> int:
        """The first cycle register ``node`` of ``level`` and everything below it are done (all columns sent)."""
        key = (level, node)
        if key not in self.done_memo:
            left = self.left[level].get(node, -(1 << 40)) + 1
            if level == 0:
                below = self.done_at[node]
            else:
                below = max(self.done(level - 1, c) for c in range(4 * node, min(4 * node + 4, self._nodes(level - 1))))
            self.done_memo[key] = max(left, below)
        return self.done_memo[key]

    def root_valid(self, item: int) -> int:
        """The first cycle column ``item`` (the next in order) is in the root register."""
        p = self.leaf[item]
        prev_p = self.prev_leaf
        take = [max(self.bit_at[item], self.prev[1]) if prev_p == p else self.bit_at[item]]
        for level in range(1, self.levels + 1):
            node, child = p >> (2 * level), p >> (2 * (level - 1))
            t = take[-1] + 1
            if prev_p is not None and prev_p >> (2 * level) == node:
                t = max(t, self.prev[level + 1])  # the register frees when its column moves up
            if prev_p is None or prev_p >> (2 * (level - 1)) != child:
                for sibling in range(4 * node, child):  # a new child: the ones before it are done
                    t = max(t, self.done(level - 1, sibling))
            take.append(t)
        self.take, self.item_leaf = take, p
        return take[-1] + 1

    def sent(self, cycle: int) -> None:
        """The CCU takes the column of the last ``root_valid`` call in ``cycle``."""
        take = self.take + [cycle]
        for level in range(self.levels + 1):
            self.left[level][self.item_leaf >> (2 * level)] = take[level + 1]
        self.prev_leaf, self.prev = self.item_leaf, take

    def all_done(self) -> int:
        """The first cycle the whole tree is done (the layer's broadcast can be over)."""
        self.done_memo.pop((self.levels, 0), None)
        return self.done(self.levels, 0)


def _compute_cycles(active: np.ndarray, bias: bool, queue_depth: int, history_depth: int,
                    levels: int, tree: _TreeTimes | None = None, tail_padding: np.ndarray | None = None,
                    begin: np.ndarray | None = None, final: bool = True,
                    lanes: int = DEFAULT_TAKE_LANES) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
    """(last compute cycle before the layer is drained, broadcast stalls, pops, queue full, write-back starts).

    Cycle 0 is the first compute cycle. ``active[p, i]``: issue slots of broadcast i in PE p.
    ``pops[i, p]``: the cycle PE p pops broadcast i from its queue (where it has entries).
    ``queue_full[p]``: the cycles in which PE p's oldest column not taken is in the
    history and it has no room (PE_QUEUE_FULL): broadcast i is that column from the
    cycle after both its send and the take of i - 1 until its take.
    One step per broadcast, every PE at once (the module docstring has the rules).
    ``tree``: the columns reach the LNZD root as the layer before writes them back
    (None: the whole input is there from the start). ``tail_padding[i, p]``: 1 where
    broadcast i's column ends on a padding entry in PE p (None: nowhere).
    ``starts[p]``: the cycle PE p starts the layer's write-back (``wb_start``), were it written back.
    ``begin[p]``: the cycle PE p started this layer (the layer before's write-back; default
    before cycle 0); it takes from the cycle after. ``final``: the run's last layer, which
    ends once every PE is idle too (another ends when the CCU sees the broadcast over).
    """
    num_pes, count = active.shape
    if count == 0:
        # (A PE still in the layer before holds its leaf not done: the tree waits for it.)
        over = max(tree.all_done(), 0) if tree is not None else 0  # the CCU looks from cycle 0
        return (over + 1, 0, np.zeros((0, num_pes), dtype=np.int64), np.zeros(num_pes, dtype=np.int64),
                np.full(num_pes, over + 1, dtype=np.int64))
    # The cycle from which broadcast i may go out: the bias at once, the others once in
    # the LNZD root (with a tree, ``_TreeTimes`` says when: it may fill before cycle 0).
    ready = np.full(count, 1 + levels if tree is None else 0, dtype=np.int64)
    if bias:
        ready[0] = 0
    slots = np.ascontiguousarray(active.T, dtype=np.int64)  # broadcast x PE
    # Added to a column's pop cycle: when the read unit is free again, and when its
    # queue place is; a column without entries is never popped, so neither.
    never = -(1 << 40)
    busy_for = np.where(slots > 0, slots, never)
    held_after_pop = np.where(slots > 0, 1, never)
    took = np.full((count + lanes, num_pes), -2, dtype=np.int64)  # row i + lanes: each PE's take of broadcast i
    # Broadcast 0 is taken after the cycle the PE began; no take before it is moved, so
    # a wait from then on counts as waiting for room (with one lane or two).
    first_take = None if begin is None else np.maximum(begin, -2) + 1
    sent = np.empty(count, dtype=np.int64)  # the cycle broadcast i goes into the history
    free_from = np.full((num_pes, queue_depth), -1, dtype=np.int64)  # per PE and queue place: first free cycle
    places = free_from.reshape(-1)
    row_start = np.arange(num_pes) * queue_depth
    # A PE begins a layer idle: until its first issue only its takes keep it busy (a PE
    # with no entries in the layer is idle BCAST_TO_IDLE cycles after its last take).
    free_at = np.full(num_pes, never, dtype=np.int64)  # per PE: first cycle the read unit may pop the next column
    idle_from = np.full(num_pes, never, dtype=np.int64)  # per PE: ISSUE_TO_IDLE cycles before it is idle
    early, scratch = (np.empty(num_pes, dtype=np.int64) for _ in range(2))
    pops = np.empty((count, num_pes), dtype=np.int64)
    queue_full = np.zeros(num_pes, dtype=np.int64)
    previous = -1
    for first in range(0, count, history_depth):
        last = min(first + history_depth, count)
        # These broadcasts go out one a cycle once ready, each once every PE has taken
        # the one a whole history earlier, which an earlier block settled.
        floor = ready[first:last].copy()
        if first:
            np.maximum(floor, took[first - history_depth + lanes: last - history_depth + lanes].max(axis=1), out=floor)
        if tree is None:
            index = np.arange(first, last)
            sent[first:last] = np.maximum.accumulate(np.maximum(floor - index, previous + 1 - first)) + index
            previous = int(sent[last - 1])
        else:
            for i in range(first, last):
                earliest = max(previous + 1, int(floor[i - first]))
                if not (bias and i == 0):
                    ready[i] = tree.root_valid(i - int(bias))
                    earliest = max(earliest, int(ready[i]))
                sent[i] = previous = earliest
                if not (bias and i == 0):
                    tree.sent(previous)
        for i in range(first, last):
            # Each PE takes broadcast i after the one before it, at most ``lanes`` in a
            # cycle, once it is in the history and a place of its queue is free.
            take = took[i + lanes]
            np.add(took[i], 1, out=take)
            np.maximum(take, took[i + lanes - 1], out=take)
            if i == 0 and first_take is not None:
                np.maximum(take, first_take, out=take)
            place = free_from.argmin(axis=1)
            place += row_start
            np.maximum(take, places[place], out=take)
            # Each cycle from the first it could be taken in (it is the oldest not taken
            # and in the history) to its take, the PE had no room (none: taken in lane 1).
            np.maximum(took[i + lanes - 1] + 1, sent[i] + 1, out=scratch)
            np.maximum(take, sent[i] + 1, out=take)
            queue_full += np.maximum(take - scratch, 0)
            # In the pointer stages; with entries, queued until popped.
            np.add(take, POINTER_STAGES + 1, out=early)
            pop = pops[i]
            np.maximum(early, free_at, out=pop)
            np.add(pop, held_after_pop[i], out=scratch)
            np.maximum(scratch, early, out=scratch)
            places[place] = scratch
            np.add(pop, busy_for[i], out=scratch)
            np.maximum(free_at, scratch, out=free_at)
            if tail_padding is not None:
                np.subtract(scratch, tail_padding[i], out=scratch)
                np.maximum(idle_from, scratch, out=idle_from)
    idle_from = free_at if tail_padding is None else idle_from
    # Each PE is idle from its last take's end of the pointer stages or its last
    # issue's end of the pipeline; the broadcast is over once every PE has taken
    # the last one (and the tree is done), the CCU sees it a cycle later.
    pe_idle = np.maximum(took[-1] + BCAST_TO_IDLE, idle_from + ISSUE_TO_IDLE)
    over = int(took[-1].max()) + 1
    if tree is not None:
        over = max(over, tree.all_done())
    starts = np.maximum(pe_idle, over + 1)
    drained = int(starts.max()) if final else over + 1
    # A stall is a cycle a ready broadcast, the one before it out, waited for the history.
    earliest = np.maximum(ready, np.concatenate([[0], sent[:-1] + 1]))
    return drained, int((sent - earliest).sum()), pops, queue_full, starts


def merged_paddings(v: np.ndarray, pointers: np.ndarray, base=0) -> np.ndarray:
    """Per entry of one PE's share of a layer: a padding eie_spmat_read merges into the next entry's issue.

    ``pointers`` are relative to ``base``, the absolute entry address of the
    share's first entry (8 entries to a 64-bit word). An entry is mergeable when
    it is a padding (v == 0), not its column's first entry, not in its word's
    first or last slot (the read register then holds its word, and the next entry
    is in it too), and two more entries of its column follow it. A mergeable entry
    takes the next entry into its issue slot, so in a run of mergeable entries
    every other one merges, starting with the first. (``base`` may also be an
    array, one per entry: then ``v`` may hold several PEs' shares one after
    another, each entry's address being ``base + its index``.)
    """
    v, pointers = np.asarray(v), np.asarray(pointers, dtype=np.int64)
    merged = np.zeros(v.size, dtype=bool)
    if not v.size:
        return merged
    # Entries that cannot merge for their place in the column: the first and the last two.
    starts, ends = pointers[:-1], pointers[1:]
    edge = np.zeros(v.size + 2, dtype=bool)
    edge[starts[ends > starts]] = True
    edge[np.maximum(ends - 1, starts)] = True
    edge[np.maximum(ends - 2, starts)] = True
    slot = (base + np.arange(v.size)) % ENTRIES_PER_WORD
    mergeable = (v == 0) & ~edge[: v.size] & (slot != 0) & (slot != ENTRIES_PER_WORD - 1)
    where = np.flatnonzero(mergeable)
    if where.size:
        # A column's first entry never merges, so a run of mergeable entries stays in one column.
        run_start = np.ones(where.size, dtype=bool)
        run_start[1:] = where[1:] != where[:-1] + 1
        first_of_run = where[run_start][np.cumsum(run_start) - 1]
        merged[where[(where - first_of_run) % 2 == 0]] = True
    return merged


@dataclass
class ColumnEnds:
    """Where every column of one layer starts and ends in every PE (PE x column arrays).

    Meaningful for columns with entries only. A row is the local row the entry
    updates, or (for a padding entry, which updates nothing) -1 for a first entry
    and -2 for a last one, so that a padding never matches a row.
    """

    first_word: np.ndarray  # sparse-matrix word of the column's first entry
    last_word: np.ndarray  # and of its last
    first_row: np.ndarray  # local row of its first entry
    last_row: np.ndarray  # and of its last


@dataclass
class ColumnCounts:
    """Every column of one layer in every PE (PE x column arrays)."""

    slots: np.ndarray  # issue slots: what a column costs the PE's read unit
    entries: np.ndarray  # entries, paddings included
    padding: np.ndarray  # padding entries, merged or not
    ends: ColumnEnds | None = None  # for the events (eie.models.perf.layer_events)


def column_counts(loaded: LoadedImage, index: int) -> ColumnCounts:
    """Issue slots, entries and padding entries of every column of layer ``index`` in every PE.

    A property of the image alone: computed once per layer and kept in ``loaded.derived``.
    """
    key = ("column_counts", index)
    if key not in loaded.derived:
        loaded.derived[key] = _column_counts(loaded, index)
    return loaded.derived[key]


def _column_counts(loaded: LoadedImage, index: int) -> ColumnCounts:
    """All PEs' shares as one list of columns (PE-major), in one pass over the entries."""
    shares = loaded.image.layer_shares(index)
    num_pes, cols = len(shares), shares[0].pointers.size - 1
    sizes = np.array([share.entries for share in shares], dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])  # each share's first entry in the list
    pointers = np.concatenate([*(share.pointers[:-1] + at for share, at in zip(shares, first)), [sizes.sum()]])
    v = np.concatenate([share.v for share in shares])
    z = np.concatenate([share.z for share in shares])
    address_less_index = np.repeat(np.asarray(loaded.image.layers[index].entry_base, dtype=np.int64) - first, sizes)
    merged = merged_paddings(v, pointers, address_less_index)

    def per_column(flags: np.ndarray) -> np.ndarray:
        return np.diff(np.concatenate([[0], np.cumsum(flags)])[pointers]).reshape(num_pes, cols)

    entries = np.diff(pointers).reshape(num_pes, cols)
    ends = _column_ends(v, z, pointers, address_less_index, (num_pes, cols))
    return ColumnCounts(slots=entries - per_column(merged), entries=entries, padding=per_column(v == 0), ends=ends)


def _column_ends(v: np.ndarray, z: np.ndarray, pointers: np.ndarray, address_less_index: np.ndarray,
                 shape: tuple[int, int]) -> ColumnEnds:
    """``ColumnEnds`` of the columns of ``_column_counts``' one list (only their first and
    last entries are looked at, besides one running sum over all)."""
    if not v.size:
        none = np.zeros(shape, dtype=np.int64)
        return ColumnEnds(none, none, none, none)
    # The first and last entry of each column (a column without entries gets the
    # entry after it, or the one before: meaningless, never used).
    head = np.minimum(pointers[:-1], v.size - 1)
    tail = np.maximum(pointers[1:] - 1, 0)
    # Local rows: x_0 = z_0, x_n = x_(n-1) + z_n + 1 within a column (decode_share),
    # so entry k of a column from entry s has row (z_s + ... + z_k) + k - s.
    run = np.cumsum(z, dtype=np.int64)
    before = run[head] - z[head]
    last_row = run[tail] - before + (tail - head)

    def word(at: np.ndarray) -> np.ndarray:
        return ((address_less_index[at] + at) // ENTRIES_PER_WORD).reshape(shape)

    return ColumnEnds(first_word=word(head), last_word=word(tail),
                      first_row=np.where(v[head] != 0, z[head].astype(np.int64), -1).reshape(shape),
                      last_row=np.where(v[tail] != 0, last_row, -2).reshape(shape))


def predict(loaded: LoadedImage, acts: np.ndarray, queue_depth: int = DEFAULT_QUEUE_DEPTH,
            history_depth: int = DEFAULT_HISTORY_DEPTH, take_lanes: int = DEFAULT_TAKE_LANES) -> RunTiming:
    """Every layer of one run of integer input ``acts`` (what eie_core counts for it)."""
    run = RunTiming()
    for index, inputs in enumerate(layer_inputs(loaded, acts)):
        spec = loaded.layers[index].spec
        counts = column_counts(loaded, index)
        order = broadcast_order(inputs[0], loaded.num_pes)
        written_back = loaded.layers[index - 1].spec.out_features if index else None
        # The run's last layer is not written back: its outputs stay in the accumulators.
        writes_back = spec.out_features if index + 1 < len(loaded.layers) else None
        wb_start = run.layers[-1].wb_start if index else None
        run.layers.append(layer_timing(counts.slots, order, spec.bias, queue_depth, written_back,
                                       counts.padding, history_depth, counts.entries, counts.ends, writes_back,
                                       wb_start, take_lanes))
    return run


def run_events(predicted: RunTiming) -> dict:
    """A run's events, summed over its layers, in the form of eie sim's report["runs"][i]["events"]."""
    return {
        "pe": {name: sum(layer.events[name] for layer in predicted.layers).tolist() for name in PE_EVENTS},
        "core": {name: sum(layer.core_events[name] for layer in predicted.layers) for name in CORE_EVENTS},
    }


def differences(predicted: RunTiming, rtl_run: dict) -> list[str]:
    """What differs between the model and one run's RTL counters (eie sim report["runs"][i]).

    A core built without per-PE counters (``rtl_run["pe"]`` None) is compared on the
    core-wide counters alone. The events (``rtl_run["events"]``, the simulation-only
    counters) are compared, run totals per PE and core-wide, when the run carries them.
    """
    found = []
    pairs = [
        ("cycles", predicted.cycles, rtl_run["cycles"]),
        ("layer_cycles", [layer.cycles for layer in predicted.layers], rtl_run["layer_cycles"]),
        ("broadcasts", sum(layer.broadcasts for layer in predicted.layers), rtl_run["broadcasts"]),
        ("broadcast_stalls", sum(layer.broadcast_stalls for layer in predicted.layers), rtl_run["broadcast_stalls"]),
    ]
    if rtl_run["pe"] is not None:
        pairs += [
            ("pe busy", sum(layer.busy for layer in predicted.layers).tolist(), rtl_run["pe"]["busy"]),
            ("pe padding", sum(layer.padding for layer in predicted.layers).tolist(), rtl_run["pe"]["padding"]),
            ("pe queue_full", sum(layer.queue_full for layer in predicted.layers).tolist(),
             rtl_run["pe"]["queue_full"]),
        ]
    if rtl_run.get("events") is not None:
        model = run_events(predicted)
        pairs += [(f"event {name}", model["pe"][name], rtl_run["events"]["pe"][name]) for name in PE_EVENTS]
        pairs += [(f"event {name}", model["core"][name], rtl_run["events"]["core"][name]) for name in CORE_EVENTS]
    for name, model, rtl in pairs:
        if model != rtl:
            found.append(f"{name}: model {model}, RTL {rtl}")
    return found
