# SPDX-License-Identifier: Apache-2.0
"""The energy-relevant events of a run: their names and what each one counts.

eie.models.perf predicts every count for every layer (per PE or core-wide);
the RTL counts the same events in simulation-only counters, and the regression
compares the two. eie.models.energy prices them with the 45 nm table
(python/eie/data/energy_45nm.json, doc/energy.md).

Events of a layer are those of its compute cycles and of the write-back of its
own outputs (which runs during the next layer): a run's total is the sum over
its layers.
"""

from __future__ import annotations

# Per PE (one count per PE and layer).
PE_EVENTS: dict[str, str] = {
    "spmat_reads": "64-bit words read from the sparse-matrix SRAM while computing",
    "ptr_reads": "pointer-bank words read while computing (each bank's read counts once)",
    "codebook_reads": "codebook (weight decoder) look-ups",
    "multiplies": "16 x 16-bit multiplies in the arithmetic unit",
    "acc_reads": "accumulator-file reads (an update not served by the bypass, and the write-back's reads)",
    "acc_writes": "accumulator-file writes",
    "bypass_hits": "updates whose accumulator came from the bypass instead of a read",
    "act_reads": "activation-file reads (the LNZD leaf's scan of the source file)",
    "act_writes": "activation-file writes (the write-back of this layer's outputs)",
    "queue_pushes": "columns pushed into the activation queue",
    "queue_pops": "columns popped from the activation queue",
    "history_reads": "columns taken from the broadcast history (one read of a history copy each)",
    "busy_cycles": "compute cycles in which the PE issues an entry",
    "idle_cycles": "compute cycles in which it does not",
}

# Core-wide (one count per layer).
CORE_EVENTS: dict[str, str] = {
    "broadcasts": "columns broadcast (the bias column included)",
    "history_writes": "broadcast-history writes (one per broadcast, into every PE's copies)",
    "lnzd_node_moves": "LNZD tree node registers loaded with a new non-zero",
    "cycles": "cycles of the layer (INIT + compute)",
}
