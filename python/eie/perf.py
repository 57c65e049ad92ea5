# SPDX-License-Identifier: Apache-2.0
"""A cycle model of eie_core that predicts the RTL's counters without simulating it.

The same micro-architecture as rtl/ (doc/microarch.md), one broadcast at a time
with every PE's state held in numpy arrays:

- The LNZD tree streams the non-zero activations in leaf order: PE 0's slice in
  increasing local index, then PE 1's, and so on, one per cycle once its
  ``levels`` register stages are full. A bias column goes first, from the CCU.
- Broadcast i is accepted at the first cycle t, no earlier than one cycle after
  it was loaded into the CCU's register, at which every PE has room:
  (columns queued and not yet popped) + (column in the pointer stage) < depth.
- One cycle later the pointer pair is known and a non-empty column enters the
  PE's queue; the sparse-matrix read unit pops it once it is in the queue
  (two cycles after the broadcast) and the previous column has issued its last
  entry, then issues one entry per cycle with no bubble between columns.
- A layer ends when the broadcast is over and every PE is idle: five cycles
  after its last issue (SRAM read, row stage, codebook, multiply, add) and two
  after the last broadcast. A non-final layer then writes back its rows, one per
  cycle, plus four cycles of hand-shake; each layer starts with one INIT cycle.

tests/test_perf.py holds the model to this description on hand-worked cases
and tb/test_core.py (run_and_compare) to the RTL's own counters on every run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from eie.image import LoadedImage
from eie.reference import layer_accumulators
from eie.fixedpoint import requantize

# Cycles from a PE's last issued entry to its idle signal, and from the last
# broadcast to the end of the pointer stage (doc/microarch.md "How a PE is wired").
ISSUE_TO_IDLE = 5
BCAST_TO_IDLE = 2
# Write-back: rows of the busiest PE plus four cycles: the start, the read
# pipeline, the last write and the CCU seeing every PE finish; plus one INIT cycle.
WRITEBACK_EXTRA = 4
INIT_CYCLES = 1


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
    busy: np.ndarray  # per PE: entries issued (PE_BUSY)
    padding: np.ndarray  # per PE: padding entries issued (PE_PADDING)

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


def layer_timing(col_entries: np.ndarray, order: np.ndarray, bias: bool, queue_depth: int,
                 out_features: int, last_layer: bool, col_padding: np.ndarray | None = None) -> LayerTiming:
    """One layer of one run.

    ``col_entries[p, j]``: entries (padding included) of column j in PE p, the bias
    column last; ``order``: the non-zero activations' columns in broadcast order
    (``broadcast_order``); ``bias``: the layer has a bias column, broadcast first.
    """
    num_pes = col_entries.shape[0]
    if queue_depth < 1:
        raise ValueError(f"queue depth must be >= 1, got {queue_depth}")
    columns = np.concatenate([[col_entries.shape[1] - 1], order]).astype(np.int64) if bias else order
    pes = np.arange(num_pes)
    never = np.iinfo(np.int64).min // 4
    first_tree_load = 1 + tree_levels(num_pes)  # compute starts at cycle 0

    ring = np.full((num_pes, queue_depth), never, dtype=np.int64)  # pop cycles of the last columns
    pushed = np.zeros(num_pes, dtype=np.int64)  # non-empty columns so far
    free_at = np.full(num_pes, never, dtype=np.int64)  # first cycle the unit may pop the next column
    prev_accept, prev_nonempty, stalls = never, np.zeros(num_pes, dtype=bool), 0
    active = col_entries[:, columns]  # PE x broadcast
    for i, column_entries in enumerate(active.T):
        # The CCU's broadcast register takes the bias in the first compute cycle and
        # the tree's root in the cycle the previous broadcast leaves.
        loaded = 0 if (bias and i == 0) else max(prev_accept, first_tree_load)
        earliest = loaded + 1
        accept = earliest if i == 0 else max(earliest, _first_room(ring, pushed, prev_accept, prev_nonempty,
                                                                    queue_depth, pes))
        stalls += accept - earliest
        nonempty = column_entries > 0
        pop = np.maximum(accept + 2, free_at)
        free_at = np.where(nonempty, pop + column_entries, free_at)
        ring[pes[nonempty], (pushed % queue_depth)[nonempty]] = pop[nonempty]
        pushed += nonempty
        prev_accept, prev_nonempty = accept, nonempty

    if columns.size:
        last_issue = free_at.max()
        drained = max(prev_accept + BCAST_TO_IDLE, last_issue + ISSUE_TO_IDLE)
    else:
        drained = 0
    compute = drained + 1
    cycles = INIT_CYCLES + compute
    if not last_layer:
        cycles += math.ceil(out_features / num_pes) + WRITEBACK_EXTRA
    padding = col_padding[:, columns].sum(axis=1) if col_padding is not None else np.zeros(num_pes, np.int64)
    return LayerTiming(cycles=int(cycles), compute_cycles=int(compute), broadcasts=int(columns.size),
                       broadcast_stalls=int(stalls), busy=active.sum(axis=1).astype(np.int64),
                       padding=np.asarray(padding, dtype=np.int64))


def _first_room(ring, pushed, prev_accept, prev_nonempty, queue_depth, pes) -> int:
    """First cycle after ``prev_accept`` at which every PE can take a broadcast."""
    t0 = prev_accept + 1
    # At t0 the previous column is still in the pointer stage: it counts as one,
    # beside the columns before it that are queued and not yet popped.
    if queue_depth > 1:
        before = pushed - prev_nonempty  # non-empty columns before the previous one
        pos = before - (queue_depth - 1)
        limit = np.where(pos >= 0, ring[pes, np.maximum(pos, 0) % queue_depth], np.iinfo(np.int64).min)
        if (limit < t0).all():
            return t0
    # From t0 + 1 on: room once the oldest of the last `depth` columns has popped.
    oldest = np.where(pushed >= queue_depth, ring[pes, pushed % queue_depth], np.iinfo(np.int64).min // 4)
    return int(max(t0 + 1, oldest.max() + 1))


def column_counts(loaded: LoadedImage, index: int) -> tuple[np.ndarray, np.ndarray]:
    """(entries, padding entries) of every column of layer ``index`` in every PE."""
    shares = loaded.image.layer_shares(index)
    entries = np.stack([np.diff(share.pointers) for share in shares]).astype(np.int64)
    padding = np.zeros_like(entries)
    for pe, share in enumerate(shares):
        if share.v.size:
            column = np.repeat(np.arange(entries.shape[1]), entries[pe])
            padding[pe] = np.bincount(column[share.v == 0], minlength=entries.shape[1])
    return entries, padding


def predict(loaded: LoadedImage, acts: np.ndarray, queue_depth: int = 8) -> RunTiming:
    """Every layer of one run of integer input ``acts`` (what eie_core counts for it)."""
    run = RunTiming()
    acts = np.asarray(acts, dtype=np.int64)
    last = len(loaded.layers) - 1
    for index, layer in enumerate(loaded.layers):
        spec = layer.spec
        entries, padding = column_counts(loaded, index)
        order = broadcast_order(acts, loaded.num_pes)
        run.layers.append(layer_timing(entries, order, spec.bias, queue_depth, spec.out_features,
                                       index == last, padding))
        acts = requantize(layer_accumulators(layer, acts[None, :], loaded.act_frac), spec.w_frac, spec.relu)[0]
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
