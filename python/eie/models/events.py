# SPDX-License-Identifier: Apache-2.0
"""The energy-relevant events of a run: their names and what each one counts.

eie.models.perf predicts every count for every layer (per PE or core-wide);
the RTL counts the same events in simulation-only counters, and the regression
compares the two. eie.models.energy prices them with the 45 nm table
(python/eie/data/energy_45nm.json, doc/energy.md).

Events of a layer are those of its compute cycles and of the write-back of its
own outputs (which runs during the next layer): a run's total is the sum over
its layers. A run's last layer is not written back (its outputs stay in the
accumulators, read out through the load port's RESULT target after the run), and
load-port accesses (I/O mode, outside a run) are not events of the run. Each
description says which RTL enable is counted (rtl/eie_pe_events.sv,
rtl/eie_core_events.sv, doc/energy.md "Events").
"""

from __future__ import annotations

# Per PE (one count per PE and layer).
PE_EVENTS: dict[str, str] = {
    "spmat_reads": "64-bit sparse-matrix SRAM words read for the entries: a word when the next entry's "
                   "word differs from the one read last (so a column starting in the word the PE's "
                   "previous column ended in costs no read), the first of each layer always",
    "ptr_reads": "pointer-bank words read: each column the PE takes reads p_j from one bank and p_j+1 "
                 "from the other, two per take, with or without entries for this PE",
    "codebook_reads": "codebook (weight decoder) look-ups: one per non-padding entry",
    "multiplies": "16 x 16-bit multiplies with fresh operands: one per non-padding entry",
    "acc_reads": "accumulator reads: every update reads its row (also when the bypass then serves it), "
                 "and the write-back reads each row of this layer's outputs once",
    "acc_writes": "accumulator writes: one per update",
    "bypass_hits": "updates whose sum came from the bypass (the same row as the update the cycle "
                   "before); the accumulator is read anyway",
    "act_reads": "activation-file reads: one per non-zero input in the PE's slice (the LNZD leaf's take)",
    "act_writes": "activation-file writes: the write-back of this layer's outputs, one per row, zeros "
                  "included (none for a run's last layer)",
    "queue_pushes": "columns with entries for the PE pushed into its activation queue",
    "queue_pops": "columns popped from the activation queue",
    "history_reads": "columns taken from the broadcast history: every broadcast once per PE (a read "
                     "of one of its two copies)",
    "busy_cycles": "compute cycles in which the PE issues an entry",
    "idle_cycles": "compute cycles in which it does not",
}

# Core-wide (one count per layer).
CORE_EVENTS: dict[str, str] = {
    "broadcasts": "columns broadcast (the bias column included)",
    "history_writes": "broadcast-history writes, one per broadcast; each writes every PE's two copies",
    "lnzd_node_moves": "LNZD tree node registers loaded: every non-zero input once per tree level",
    "cycles": "compute cycles of the layer (LAYER_CYCLES)",
}
