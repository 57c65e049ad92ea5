# SPDX-License-Identifier: Apache-2.0
"""eie.models.perf on cases worked out by hand from doc/microarch.md's timing.

The whole-core tests (tb/test_core.py run_and_compare) hold the model to the
RTL's own counters on every run; these pin down the rules one at a time.
"""

import numpy as np
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from eie.image import decode
from eie.limits import DEFAULT_HISTORY_DEPTH
from eie.models import perf
from eie.models.events import PE_EVENTS
from eie.models.perf import (ColumnEnds, broadcast_order, column_counts, layer_timing, merged_paddings, predict,
                             tree_levels)
from eie.models.reference import layer_inputs
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, pack


def test_tree_levels_are_ceil_log4_at_least_one():
    assert [tree_levels(n) for n in (1, 2, 4, 5, 16, 17, 64, 65, 256)] == [1, 1, 1, 2, 2, 3, 3, 4, 4]


def test_broadcast_order_is_leaf_by_leaf():
    acts = np.zeros(12, dtype=np.int64)
    acts[[0, 1, 4, 5, 9, 11]] = 1
    # N = 4: PE 0 holds 0, 4, 8; PE 1 holds 1, 5, 9; PE 3 holds 11.
    assert broadcast_order(acts, 4).tolist() == [0, 4, 1, 5, 9, 11]


def test_one_dense_column_on_one_pe():
    # Root valid at 1 + 1 (one tree level), into the history then, taken at 3,
    # through the two pointer stages and popped at 6, entries issued in cycles
    # 7..6+n, idle 5 cycles after the last, seen by the CCU a cycle later (each PE's
    # idle flag is registered, eie_core): compute n + 13 cycles.
    n = 1000
    timing = layer_timing(np.array([[n]]), np.array([0]), False, 8)
    assert timing.compute_cycles == n + 13
    assert timing.cycles == n + 13  # LAYER_CYCLES: compute cycles only (no INIT)
    assert timing.busy.tolist() == [n]


def test_no_active_column_costs_three_compute_cycles():
    # The broadcast is over in cycle 0, the CCU sees it (registered) in cycle 1 and
    # every PE's registered idle flag with it in cycle 2: the layer ends there. No
    # INIT cycle is counted.
    timing = layer_timing(np.ones((2, 5), dtype=np.int64), np.array([], dtype=np.int64), False, 8)
    assert (timing.cycles, timing.broadcasts, timing.busy.tolist()) == (3, 0, [0, 0])


def test_a_short_first_layer_waits_for_the_accumulator_sweep():
    # A run's first layer that another follows ends no earlier than compute cycle 16
    # (eie_pkg::AccSweepCycles): the next layer adds into the bank its start began to sweep.
    empty = (np.ones((2, 5), dtype=np.int64), np.array([], dtype=np.int64), False, 8)
    first = layer_timing(*empty, writes_back=3)
    assert (first.compute_cycles, first.cycles) == (16 + 1, 16 + 1)
    # Its PEs started their write-backs (and the next layer) when the broadcast was
    # over (cycle 1), long before the layer's end: 17 - 1 cycles before the next
    # layer's first cycle.
    assert first.wb_start.tolist() == [1 - 17, 1 - 17]
    # Not a run's last (or only) layer, nor a later one (written_back: it follows a layer).
    assert layer_timing(*empty).cycles == 3
    assert layer_timing(*empty, written_back=4, writes_back=3).compute_cycles < 16
    # A first layer ends with its broadcast (its PEs drain into the next layer), so a
    # long column (broadcast over at 4) leaves it at the sweep's end too.
    n = 1000
    assert layer_timing(np.array([[n]]), np.array([0]), False, 8, writes_back=1).compute_cycles == 16 + 1


def test_bias_goes_first_and_hides_in_the_tree_fill():
    # The CCU broadcasts the bias in cycle 0, taken in 1 (its entry issues in cycle
    # 5) while the tree fills; column 0 is still taken in cycle 3 and issues in 7.
    entries = np.array([[1, 1]])  # column 0 and the bias column
    with_bias = layer_timing(entries, np.array([0]), True, 8)
    without = layer_timing(entries, np.array([0]), False, 8)
    assert with_bias.broadcasts == 2 and with_bias.busy.tolist() == [2]
    assert with_bias.compute_cycles == without.compute_cycles == 7 + 5 + 1 + 1  # + the idle flag's register


def test_single_entry_columns_stream_at_one_broadcast_per_cycle():
    cols = 50
    timing = layer_timing(np.ones((1, cols), dtype=np.int64), np.arange(cols), False, 8)
    assert timing.broadcast_stalls == 0
    assert timing.compute_cycles == cols + 13  # issues in cycles 7..6+cols, idle 5 later, seen 1 later


def test_queue_depth_one_takes_a_broadcast_every_other_cycle_at_best():
    cols = 20
    timing = layer_timing(np.zeros((1, cols), dtype=np.int64), np.arange(cols), False, 1)
    # Empty columns: only the two pointer stages occupy the single slot. Fresh
    # columns go into the history one per cycle from cycle 2; the PE takes column
    # 0 in 3 and then one every third cycle (the pointer stages hold the previous
    # one in between), falling behind by at most 14 < 128: no fresh column waits.
    assert timing.broadcast_stalls == 0
    assert timing.compute_cycles == 3 + 3 * (cols - 1) + 3 + 1 + 1  # last take, +3 to idle, +1 seen


def test_empty_columns_cost_a_pe_nothing_while_others_work():
    # PE 0 has 4 entries in each column; PE 1 has none: PE 0 alone sets the pace.
    entries = np.array([[4] * 10, [0] * 10])
    timing = layer_timing(entries, np.arange(10), False, 8)
    alone = layer_timing(entries[:1], np.arange(10), False, 8)
    assert timing.compute_cycles == alone.compute_cycles
    assert timing.compute_cycles == 40 + 13  # 40 entries back to back from cycle 7


def test_a_full_queue_makes_the_pe_fall_behind_and_starve():
    # One 30-entry column (taken in 3, popped in 6, issued in cycles 7..36), then
    # six 1-entry columns. Depth 8 queues them all by cycle 12. Depth 2: columns
    # 1 and 2 are taken in 4 and 7; then the queue is full until column 1 pops
    # (36). Column 2 pops in 37; column 3 is taken in 37 and popped in 40, column
    # 5 in 41 and popped in 44: cycles 38, 39, 42 and 43 issue nothing, four
    # bubbles. The history never fills: no stall.
    entries = np.array([[30] + [1] * 6])
    deep = layer_timing(entries, np.arange(7), False, 8)
    shallow = layer_timing(entries, np.arange(7), False, 2)
    assert (deep.broadcast_stalls, deep.compute_cycles) == (0, 36 + 13)
    assert (shallow.broadcast_stalls, shallow.compute_cycles) == (0, 36 + 13 + 4)


def test_a_full_pe_no_longer_holds_the_others():
    # Depth 2. PE 0 has a 30-entry column 0, then one entry in columns 1-3; PE 1 has
    # only a 30-entry column 4. PE 0's queue is full from cycle 8 to 36, but the
    # history holds column 4 from cycle 6 and PE 1 takes it in 9 (its two places
    # held three cycles each by columns 0-3, taken in 3, 4, 6 and 7), exactly as if
    # it were alone: PE 0 no longer delays it. (Holding the broadcast until PE 0
    # had room, as the first core did, started column 4 after cycle 35.)
    entries = np.array([[30, 1, 1, 1, 0], [0, 0, 0, 0, 30]])
    both = layer_timing(entries, np.arange(5), False, 2)
    pe1_alone = layer_timing(entries[1:], np.arange(5), False, 2)
    assert (both.broadcast_stalls, both.compute_cycles) == (0, pe1_alone.compute_cycles)
    assert pe1_alone.compute_cycles == 9 + 3 + 30 + 5 + 1 + 1  # taken 9, popped 12, issues 13..42


def test_a_pe_a_whole_history_behind_holds_the_fresh_broadcasts():
    # Depth 1, one PE: a 20-entry column 0 (taken in 3, popped in 6, issued
    # 7..26), a 1-entry column 1 taken in 7 that waits in the queue until 26, then
    # four empty columns, each taken when the one before leaves the pointer
    # stages (27, 30, 33, 36). With a history of 2, column 3 waits for column 1's
    # take (2 stalls), column 4 for column 2's (19), column 5 for column 3's (2);
    # with 16 they never wait. The schedule ends the same: the PE's queue was the
    # limit either way (last take 36, idle 3 later, seen by the CCU 1 later).
    entries = np.array([[20, 1] + [0] * 4])
    short = layer_timing(entries, np.arange(6), False, 1, history_depth=2)
    deep = layer_timing(entries, np.arange(6), False, 1, history_depth=16)
    assert (short.broadcast_stalls, short.compute_cycles) == (23, 41)
    assert (deep.broadcast_stalls, deep.compute_cycles) == (0, 41)


def test_a_pe_behind_takes_two_columns_a_cycle():
    # Depth 4, one PE: a 12-entry column 0 (popped 6, issues 7..18), four 1-entry
    # columns holding the queue's four places from cycle 7, then twelve empty
    # columns and a last 1-entry column 17 (fresh in 19). The PE falls behind
    # while its queue is full; pops at 18..21 free a place a cycle, then each
    # empty column holds a place for three cycles (its take and the two pointer
    # stages), so the four places let it take up to two a cycle: column 17 in
    # 28, popped 31, issued 32, idle 5 later, seen 1 later. Taking one a cycle, it
    # would end 3 cycles later.
    entries = np.array([[12, 1, 1, 1, 1] + [0] * 12 + [1]])
    timing = layer_timing(entries, np.arange(18), False, 4)
    assert (timing.broadcast_stalls, timing.compute_cycles) == (0, 32 + 5 + 1 + 1)


def test_a_column_written_back_shows_k_plus_six_cycles_late():
    # Local row k of a PE is written back (start register, accumulator read and its
    # register, the requantisation's register, the write register) so that its bitmap
    # bit is seen in cycle k + 6; everything after it moves by k + 6 (one PE, one column
    # of n entries at local row k, the write-back over before the column is done).
    n, k = 40, 3
    entries = np.zeros((1, k + 1), dtype=np.int64)
    entries[0, k] = n
    first = layer_timing(entries, np.array([k]), False, 8)
    after = layer_timing(entries, np.array([k]), False, 8, written_back=k + 1)
    assert after.compute_cycles - first.compute_cycles == k + 6


def test_the_broadcast_is_not_over_before_the_write_back():
    # One PE writes back 100 rows: its leaf is done from cycle 100 + 5 on, so the
    # broadcast (one short column, at row 0) is over there, the CCU sees it a cycle
    # later, the PE's registered idle flag with it a cycle after, and the layer is
    # drained then: 108 compute cycles.
    entries = np.zeros((1, 100), dtype=np.int64)
    entries[0, 0] = 1
    assert layer_timing(entries, np.array([0]), False, 8, written_back=100).compute_cycles == 108
    # With no broadcast at all the same holds (one row: done from 1 + 5; a PE without rows from 2).
    none = np.array([], dtype=np.int64)
    assert layer_timing(entries, none, False, 8, written_back=100).compute_cycles == 108
    assert layer_timing(np.zeros((4, 1), dtype=np.int64), none, False, 8,
                        written_back=1).compute_cycles == 1 + 5 + 2 + 1
    # A write-back that started early (in the layer before) ends early: 10 cycles.
    early = layer_timing(entries, np.array([0]), False, 8, written_back=100, wb_start=np.array([-10]))
    assert early.compute_cycles == 108 - 10


def test_each_pe_starts_its_write_back_once_idle_with_the_broadcast_over():
    # Two PEs (one tree level), one column: 40 entries in PE 0, 1 in PE 1. The root
    # is valid at 2, sent then, taken at 3, popped at 6; PE 1 issues at 7 and is idle
    # from 12, PE 0 issues 7..46 and is idle from 51. The broadcast is over at 4 (the
    # take's lag cleared), seen by the CCU at 5: the layer could end there, but a
    # run's first layer waits for the accumulator sweep (cycle 16: 17 compute
    # cycles). PE 1 starts its write-back (and the next layer) at 12, PE 0 at 51:
    # 5 cycles before the next layer and 34 into it.
    entries = np.array([[40], [1]])
    timing = layer_timing(entries, np.array([0]), False, 8, writes_back=2)
    assert timing.compute_cycles == 17
    assert timing.wb_start.tolist() == [51 - 17, 12 - 17]
    # Not a run's first layer (its input written back, one row: bit seen at 6, root
    # valid at 8, sent, taken at 9, over at 10, seen at 11): it ends there.
    after = layer_timing(entries, np.array([0]), False, 8, written_back=1, writes_back=2)
    assert after.compute_cycles == 12
    assert after.wb_start.tolist() == [57 - 12, 18 - 12]
    # The run's last layer is not written back: it ends once every PE is idle (51),
    # seen by the CCU a cycle later.
    last = layer_timing(entries, np.array([0]), False, 8)
    assert (last.compute_cycles, last.wb_start) == (53, None)


def test_a_pe_still_in_the_layer_before_takes_nothing_until_it_starts_this_one():
    # One PE, one column of 10 entries, the PE starting this layer in its cycle 20
    # (it drained the layer before): the column, sent at 2 (root valid at 1 + 1),
    # waits in the history until the PE takes it at 21 (PE_QUEUE_FULL counts the
    # 18 cycles 3..20), pops at 24, issues 25..34, idle from 39, seen by the CCU at
    # 40: 41 compute cycles.
    entries = np.array([[10]])
    alone = layer_timing(entries, np.array([0]), False, 8)
    late = layer_timing(entries, np.array([0]), False, 8, written_back=None, wb_start=np.array([20]))
    assert (alone.compute_cycles, alone.queue_full.tolist()) == (2 + 1 + 3 + 10 + 5 + 1 + 1, [0])
    assert (late.compute_cycles, late.queue_full.tolist()) == (41, [18])


def test_a_leaf_waits_for_the_leaves_before_it_to_be_done():
    # N = 2 (one tree level), 41 rows written back: PE 0 has 21, done from cycle
    # 26; PE 1 has 20. Column 18 (PE 0, row 9) shows at 15, is in the leaf
    # register at 16 and the root at 17: sent at 17. Column 1 (PE 1, row 0) shows
    # at 6 but the node takes it only once PE 0 is done (26): root at 27, sent at
    # 27 against cycle 3 in a first layer, 24 later; it is the layer's last column.
    entries = np.zeros((2, 41), dtype=np.int64)
    entries[:, [1, 18]] = 1
    order = np.array([18, 1])
    first = layer_timing(entries, order, False, 8)
    after = layer_timing(entries, order, False, 8, written_back=41)
    assert after.compute_cycles - first.compute_cycles == 24


def test_history_depth_must_be_a_power_of_two():
    with pytest.raises(ValueError, match="history depth"):
        layer_timing(np.ones((1, 1), dtype=np.int64), np.array([0]), False, 8, history_depth=3)


def test_queue_depth_must_be_positive():
    with pytest.raises(ValueError, match="queue depth"):
        layer_timing(np.ones((1, 1), dtype=np.int64), np.array([0]), False, 0)


def test_merged_paddings_by_hand():
    # One column of 8 entries from slot 0: v = 5, pad, pad, pad, 3, pad, 2, 1.
    # Entry 1 (slot 1) merges and takes entry 2; entry 3 merges (slot 3, two
    # entries follow); entry 5 (slot 5) is followed by two entries: merges too.
    v = np.array([5, 0, 0, 0, 3, 0, 2, 1])
    assert merged_paddings(v, np.array([0, 8])).tolist() == [0, 1, 0, 1, 0, 1, 0, 0]
    # The same column from slot 6 (base 6): entry 1 is in slot 7, entries 2..7 in
    # the next word's slots 0..5; entry 3 (slot 1) merges, entry 5 (slot 3) too.
    assert merged_paddings(v, np.array([0, 8]), base=6).tolist() == [0, 0, 0, 1, 0, 1, 0, 0]
    # A padding first in its column, or with only one entry after it, never merges.
    v = np.array([0, 4, 7, 0, 6])
    assert merged_paddings(v, np.array([0, 3, 5])).tolist() == [0, 0, 0, 0, 0]


def _merged_by_walk(v, pointers, base):
    """The read unit's walk, one issue slot at a time (the contract in words)."""
    merged = [False] * len(v)
    for start, end in zip(pointers[:-1], pointers[1:]):
        e = start
        while e < end:
            slot = (base + e) % 8
            if v[e] == 0 and e != start and slot not in (0, 7) and e + 2 < end:
                merged[e] = True
                e += 2
            else:
                e += 1
    return merged


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=12), st.integers(0, 15), st.randoms(use_true_random=False))
def test_merged_paddings_equals_the_slot_walk(lengths, base, rng):
    pointers = np.concatenate([[0], np.cumsum(lengths)])
    v = np.array([rng.choice([0, 0, 0, 1, 9]) for _ in range(int(pointers[-1]))], dtype=np.int64)
    assert merged_paddings(v, pointers, base).tolist() == _merged_by_walk(v.tolist(), pointers.tolist(), base)


def test_a_column_costs_its_issue_slots():
    # Busy counts issue slots: 5 slots for a 7-entry column with two merged paddings.
    slots, entries = np.array([[5]]), np.array([[7]])
    timing = layer_timing(slots, np.array([0]), False, 8, col_entries=entries)
    assert (timing.busy.tolist(), timing.entries.tolist(), timing.compute_cycles) == ([5], [7], 5 + 13)


# ---------------------------------------------------------------------------
# Events (eie.models.events): what the RTL's memory enables count
# ---------------------------------------------------------------------------

def _ends(first_word, last_word, first_row, last_row) -> ColumnEnds:
    return ColumnEnds(*(np.array([values]) for values in (first_word, last_word, first_row, last_row)))


def test_events_of_two_columns_by_hand():
    # One PE, a 3-entry column 0 (words 0..1, rows 2 and 5) and a 1-entry column 1
    # in word 1 at row 5, no bias, written back into 3 rows. Column 0 pops in 6
    # and issues 7..9; column 1, taken in 4, pops in 9 and issues in 10: back to
    # back, and its row is column 0's last, so its update takes the sum from the
    # bypass. The SRAM reads words 0 and 1, and column 1's word is still there.
    slots = np.array([[3, 1]])
    ends = _ends([0, 1], [1, 1], [2, 5], [5, 5])
    timing = layer_timing(slots, np.arange(2), False, 8, ends=ends, writes_back=3)
    events = {name: counts.tolist() for name, counts in timing.events.items()}
    assert events == {
        "spmat_reads": [2], "ptr_reads": [4], "codebook_reads": [4], "multiplies": [4], "acc_reads": [4 + 3],
        "acc_writes": [4], "bypass_hits": [1], "act_reads": [2], "act_writes": [3], "queue_pushes": [2],
        "queue_pops": [2], "history_reads": [2], "busy_cycles": [4], "idle_cycles": [timing.compute_cycles - 4],
    }
    assert set(events) == set(PE_EVENTS)
    # One tree level: each of the two non-zeros loads one node register.
    assert timing.core_events == {"broadcasts": 2, "history_writes": 2, "lnzd_node_moves": 2,
                                  "cycles": timing.cycles}


def test_bypass_needs_the_columns_back_to_back():
    # Two 1-entry columns at the same row: column 1 (taken in 4, popped in 7)
    # issues the cycle after column 0 (popped 6, issued 7): a hit. With an empty
    # column between them the second is taken in 5 and issues in 9: no hit, and a
    # padding at either end updates nothing: no hit either.
    same_row = layer_timing(np.array([[1, 1]]), np.arange(2), False, 8, ends=_ends([0, 0], [0, 0], [4, 4], [4, 4]))
    gap = layer_timing(np.array([[1, 0, 1]]), np.arange(3), False, 8,
                       ends=_ends([0, 0, 0], [0, 0, 0], [4, 0, 4], [4, 0, 4]))
    padding = layer_timing(np.array([[1, 1]]), np.arange(2), False, 8, ends=_ends([0, 0], [0, 0], [4, -1], [4, -2]))
    other_row = layer_timing(np.array([[1, 1]]), np.arange(2), False, 8, ends=_ends([0, 0], [0, 0], [4, 3], [4, 3]))
    assert [t.events["bypass_hits"].tolist() for t in (same_row, gap, padding, other_row)] == [[1], [0], [0], [0]]


def test_spmat_reads_a_word_once_per_change():
    # Columns 0 (words 3..5) and 1 (word 5, then 6) share word 5: 3 + 2 - 1 reads;
    # column 2 (word 3 again) follows word 6: read again.
    ends = _ends([3, 5, 3], [5, 6, 3], [0, 0, 0], [0, 0, 0])
    timing = layer_timing(np.array([[9, 9, 1]]), np.arange(3), False, 8, ends=ends)
    assert timing.events["spmat_reads"].tolist() == [3 + 2 - 1 + 1]


def _walked_events(loaded, index: int, acts: np.ndarray, pops: np.ndarray, columns: np.ndarray) -> dict:
    """spmat_reads, bypass_hits and the updates of one layer by walking every PE's
    entries cycle by cycle: the read unit issues a column's entries from the cycle
    after its pop (a merged padding takes the next entry into its slot), reading
    the SRAM when the word changes; the arithmetic unit's bypass hits when an
    update follows one to the same row in the cycle before."""
    layer = loaded.image.layers[index]
    reads, hits, updates = [], [], []
    for pe, share in enumerate(loaded.image.layer_shares(index)):
        merged = merged_paddings(share.v, share.pointers, layer.entry_base[pe])
        word, last_update, pe_reads, pe_hits, pe_updates = None, None, 0, 0, 0
        for item, col in enumerate(columns):
            start, end = int(share.pointers[col]), int(share.pointers[col + 1])
            if start == end:
                continue
            cycle, row, e = int(pops[item, pe]), -1, start
            while e < end:
                cycle += 1
                if (layer.entry_base[pe] + e) // 8 != word:
                    word, pe_reads = (layer.entry_base[pe] + e) // 8, pe_reads + 1
                if merged[e]:
                    row += int(share.z[e]) + 1
                    e += 1
                row += int(share.z[e]) + 1
                if share.v[e]:
                    pe_updates += 1
                    pe_hits += last_update == (cycle - 1, row)
                    last_update = (cycle, row)
                e += 1
        reads.append(pe_reads)
        hits.append(pe_hits)
        updates.append(pe_updates)
    return {"spmat_reads": reads, "bypass_hits": hits, "multiplies": updates}


@pytest.mark.parametrize("seed", range(12))
def test_events_equal_a_walk_of_the_entries(seed):
    rng = np.random.default_rng([19, seed])
    dims = [int(d) for d in rng.integers(4, 60, size=3)]
    layers = [Layer(rng.normal(size=(dims[i + 1], dims[i])), rng.normal(size=dims[i + 1]) if rng.integers(2) else None)
              for i in range(2)]
    options = PackOptions(num_pes=int(rng.choice([1, 2, 4, 8])), density=float(rng.choice([0.1, 0.4, 1.0])))
    loaded = decode(pack(layers, options))
    acts = (rng.integers(-300, 300, dims[0]) * (rng.random(dims[0]) < 0.6)).astype(np.int64)
    queue_depth = int(rng.choice([1, 2, 8]))
    run = predict(loaded, acts, queue_depth)
    for index, inputs in enumerate(layer_inputs(loaded, acts)):
        spec, timing = loaded.layers[index].spec, run.layers[index]
        order = broadcast_order(inputs[0], loaded.num_pes)
        columns = np.concatenate([[spec.in_features], order]) if spec.bias else order
        counts = column_counts(loaded, index)
        begin = None if index == 0 else run.layers[index - 1].wb_start
        tree = None if index == 0 else perf._TreeTimes.after_writeback(
            order, loaded.num_pes, loaded.layers[index - 1].spec.out_features, begin)
        _, _, pops, _, _ = perf._compute_cycles(counts.slots[:, columns], spec.bias, queue_depth, DEFAULT_HISTORY_DEPTH,
                                                tree_levels(loaded.num_pes), tree, begin=begin)
        walked = _walked_events(loaded, index, inputs[0], pops, columns)
        for name, counts_walked in walked.items():
            assert timing.events[name].tolist() == counts_walked, name
        # Rows written back: this layer's outputs r with r mod N == p, unless it is the last.
        rows = [sum(1 for r in range(spec.out_features) if r % loaded.num_pes == pe) if index == 0 else 0
                for pe in range(loaded.num_pes)]
        assert timing.events["act_writes"].tolist() == rows
        assert timing.events["acc_reads"].tolist() == [u + r for u, r in zip(walked["multiplies"], rows)]
        assert timing.events["act_reads"].tolist() == [int(np.count_nonzero(inputs[0][pe::loaded.num_pes]))
                                                       for pe in range(loaded.num_pes)]
        assert timing.events["idle_cycles"].tolist() == (timing.compute_cycles - timing.busy).tolist()
