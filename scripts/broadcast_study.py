#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Why the paper's layers miss "2 % over the bound" at queue depth 8, and what would close it.

The first core broadcast a column only when every PE had room in its activation
queue, so one PE with a full queue held the broadcast while the others drained
and went idle. This script compares broadcast policies on the benchmark layers
at N = 64, queue depth 8, in a deliberately simple cycle-stepped model (a
broadcast decision, then every PE issues one entry; no pipeline latencies):

- stall:      the first core's policy: broadcast when every PE has room.
- lookahead:  a full PE holds the broadcast only if the column has entries for it.
- two lanes:  stall, but up to two columns broadcast per cycle.
- replay:     a shared history of the last H broadcasts in the CCU; a PE that is
              full simply misses a broadcast and the CCU replays it later, always
              serving the most lagging PE that has room (one broadcast per cycle).
- per-PE:     the same history, every PE reading it at its own pace (N read
              ports), a PE at most H broadcasts behind the leader (eie_bcast_history).

The "as built" column is eie.models.perf, the exact model of the RTL, at the core's
default history. ``--depths 16,64,128`` instead tabulates eie.models.perf alone on all
nine layers at those history depths, with interleaved and with balanced rows:
how deep the history must be for the targets (doc/results.md).
Run: .venv/bin/python scripts/broadcast_study.py [--layers NT-We,VGG-6] [--history 64] [--depths 16,128]
"""

from __future__ import annotations

import argparse
from collections import deque

import numpy as np

from eie.apps.bench import LAYERS, fixed_input, layer_by_name, make_input, model_only, pack_layer
from eie.models.perf import broadcast_order, column_counts, layer_timing

POLICIES = ("stall", "lookahead", "two lanes", "replay", "per-PE")


def simulate(work: np.ndarray, queue_depth: int, policy: str, history: int) -> int:
    """Cycles until every PE has issued all of ``work[p, i]`` (entries of broadcast i in PE p)."""
    num_pes, count = work.shape
    queues = [deque() for _ in range(num_pes)]
    queued = np.zeros(num_pes, dtype=np.int64)
    left = np.zeros(num_pes, dtype=np.int64)  # entries left of the column being issued
    expect = np.zeros(num_pes, dtype=np.int64)  # next broadcast each PE needs
    pes = np.arange(num_pes)
    cycles = 0

    def take(index: int, who: np.ndarray) -> None:
        for p in pes[who]:
            expect[p] += 1
            if work[p, index]:
                queues[p].append(work[p, index])
                queued[p] += 1

    while (expect < count).any() or queued.any() or left.any():
        room = queued < queue_depth
        if policy in ("stall", "lookahead", "two lanes"):
            for _ in range(2 if policy == "two lanes" else 1):
                i = int(expect[0])
                if i >= count:
                    break
                blocked = ~room & (work[:, i] > 0) if policy == "lookahead" else ~room
                if blocked.any():
                    break
                take(i, pes >= 0)
                room = queued < queue_depth
        elif policy == "replay":
            lowest = expect.min()
            wanting = expect[room & (expect < count) & (expect - lowest < history)]
            if wanting.size:
                i = int(wanting.min())
                take(i, (expect == i) & (room | (work[:, i] == 0)))
        else:  # per-PE reads of the shared history
            lowest = expect.min()
            for p in pes[room & (expect < count) & (expect - lowest < history)]:
                take(int(expect[p]), pes == p)
        for p in pes[(left == 0) & (queued > 0)]:
            left[p] = queues[p].popleft()
            queued[p] -= 1
        left = np.maximum(left - 1, 0)
        cycles += 1
    return cycles


def layer_columns(layer, seed: int, assign_rows: str = "interleave") -> tuple[np.ndarray, np.ndarray]:
    """(entries of every column in every PE, broadcast order) of a benchmark layer at N = 64."""
    image, _ = pack_layer(layer, 64, False, seed, assign_rows=assign_rows)
    entries = column_counts(model_only(image), 0).slots  # issue slots per PE and column
    return entries, broadcast_order(fixed_input(image, make_input(layer, seed)), 64)


def study(names: list[str], queue_depth: int, history: int, seed: int) -> list[dict]:
    rows = []
    for name in names:
        layer = layer_by_name(name)
        entries, order = layer_columns(layer, seed)
        work = entries[:, order]
        bound = max(int(work.sum(axis=1).max()), order.size)
        built = layer_timing(entries, order, False, queue_depth).compute_cycles
        row = {"layer": name, "bound": bound, "as built": built}
        for policy in POLICIES:
            row[policy] = simulate(work, queue_depth, policy, history)
            print(f"{name:8s} {policy:10s} {row[policy]:7d} ({row[policy] / bound - 1:+.1%})", flush=True)
        rows.append(row)
    return rows


def history_sweep(names: list[str], depths: list[int], queue_depth: int, seed: int) -> None:
    """eie.models.perf (the RTL's timing) at each history depth: cycles over the targets' bounds."""
    print(f"N = 64, queue depth {queue_depth}: eie.models.perf cycles over max(busiest PE, broadcasts) (interleaved rows) "
          f"and over max(average, broadcasts) (balanced rows)")
    print("| layer | rows | bound | " + " | ".join(f"history {d}" for d in depths) + " |")
    print("|---|---|---|" + "---|" * len(depths))
    for name in names:
        layer = layer_by_name(name)
        for assign in ("interleave", "balanced"):
            entries, order = layer_columns(layer, seed, assign)
            work = entries[:, order]
            busiest = int(work.sum(axis=1).max()) if assign == "interleave" else work.sum() / 64
            bound = max(busiest, order.size)
            cells = []
            for depth in depths:
                cycles = layer_timing(entries, order, False, queue_depth, history_depth=depth).compute_cycles
                cells.append(f"{cycles} ({cycles / bound - 1:+.1%})")
            print(f"| {name} | {assign} | {bound:.0f} | " + " | ".join(cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", default="NT-We,VGG-6,VGG-7,Alex-8",
                        help="comma-separated benchmark layers (default: the four furthest from the bound)")
    parser.add_argument("--queue-depth", type=int, default=8)
    parser.add_argument("--history", type=int, default=64, help="broadcasts kept for replay (default 64)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--depths", default=None,
                        help="comma-separated history depths: eie.models.perf on all nine layers at each instead")
    args = parser.parse_args()
    if args.depths:
        history_sweep([layer.name for layer in LAYERS], [int(d) for d in args.depths.split(",")],
                      args.queue_depth, args.seed)
        return
    rows = study([n.strip() for n in args.layers.split(",")], args.queue_depth, args.history, args.seed)
    columns = ["as built", *POLICIES]
    print(f"\nN = 64, queue depth {args.queue_depth}, history {args.history}: cycles over max(busiest PE, broadcasts)")
    print("| layer | bound | " + " | ".join(columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for row in rows:
        cells = [f"{row[c]} ({row[c] / row['bound'] - 1:+.1%})" for c in columns]
        print(f"| {row['layer']} | {row['bound']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
