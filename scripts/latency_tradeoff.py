#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What a pipeline register on each of the core's critical paths would cost in cycles.

doc/synthesis.md names the paths that keep eie_core below 100 MHz on the ECP5 and
the register that would cut each. Every such register adds a cycle of latency
somewhere; this prints, from one run of the cycle model (eie.models.perf), what
that cycle costs on issue 18's two cycle targets, next to them:

- the digits MLP (8 PEs, the held-out test set): mean cycles per inference over
  the mean of the per-layer ideal bounds, target <= 1.04;
- the paper's nine layers at N = 64, queue depth 8: cycles over max(busiest PE,
  broadcasts), target <= +0.5 % on every layer.

Each cut is the model with one of its latencies a cycle longer (``extra_latency``),
the rest of the model as the RTL is today:

- ``pointer``: the column's length (``ptr_end - ptr_start`` and its compares,
  eie_pe) registered before the queue: a take reaches the queue a cycle later
  (N = 1 and 4's path);
- ``idle``: the PEs' idle flags reach the CCU's AND a cycle later (a second
  register after eie_core's per-PE ``idle_ok_q``, where N = 4's and N = 8's
  paths from a PE's pipeline end); a run's last layer ends a cycle later;
- ``tree``: one more register between the LNZD leaves and the root (N = 8's
  path, a leaf's scan into the tree's node registers in the CCU);
- ``scan``: the activation file's scan registered: a written-back row shows in
  its leaf a cycle later (N = 2's path).

These are the model's estimates of a change not made: the exact figure comes
when the RTL changes and the model with it (the regression holds the two
together). The RTL of today is the ``none`` row, which equals the RTL's
counters (``make demo``, ``make bench``).

    .venv/bin/python scripts/latency_tradeoff.py [--images N] [--cuts pointer tree ...]
"""

from __future__ import annotations

import argparse
import contextlib
import sys

import numpy as np

DIGITS_TARGET = 1.04
LAYER_TARGET = 0.005
CUTS = ("pointer", "idle", "tree", "scan")
# The model's latencies each cut lengthens by a cycle (eie.models.perf's constants).
LENGTHENS = {
    "pointer": ("POINTER_STAGES", "BCAST_TO_IDLE"),
    "idle": ("IDLE_FLAG_DELAY",),
    "tree": (),  # tree_levels, below
    "scan": ("WB_BIT_AT", "WB_DONE_AFTER_ROWS", "WB_DONE_NO_ROWS"),
}


def check_cuts(cuts) -> None:
    unknown = set(cuts) - set(CUTS)
    if unknown:
        raise ValueError(f"unknown cut(s) {', '.join(sorted(unknown))}; the cuts are {', '.join(CUTS)}")


@contextlib.contextmanager
def extra_latency(cuts):
    """eie.models.perf with a cycle more on each of ``cuts`` (names of CUTS), restored on exit."""
    import eie.models.perf as perf

    check_cuts(cuts)
    saved = {name: getattr(perf, name) for cut in CUTS for name in LENGTHENS[cut]}
    saved_levels = perf.tree_levels
    try:
        for cut in cuts:
            for name in LENGTHENS[cut]:
                setattr(perf, name, getattr(perf, name) + 1)
        if "tree" in cuts:
            perf.tree_levels = lambda num_pes: saved_levels(num_pes) + 1
        yield perf
    finally:
        for name, value in saved.items():
            setattr(perf, name, value)
        perf.tree_levels = saved_levels


def digits_runs(images: int | None):
    """(decoded digits image, its fixed-point test inputs, mean ideal bound): what no cut changes."""
    from eie.apps import digits
    from eie.image import decode
    from eie.models.reference import input_to_fixed
    from eie.packing.packer import pack
    from eie.sim.simulate import ideal_cycles

    loaded = decode(pack(digits.load_digits_model(), digits.pack_options()))
    inputs, _ = digits.load_test_set()
    rows = input_to_fixed(inputs[:images], loaded.act_frac)
    return loaded, rows, float(np.mean([ideal_cycles(loaded, row)["bound"] for row in rows]))


def layer_overs(perf, pes: int, seed: int) -> dict[str, float]:
    """Per benchmark layer: cycles / max(busiest PE, broadcasts) - 1, queue depth 8 (eie.apps.bench's measure)."""
    from eie.apps.bench import LAYERS, fixed_input, make_input, metrics, model_image
    from eie.limits import DEFAULT_QUEUE_DEPTH

    overs = {}
    for layer in LAYERS:
        image, loaded = model_image(layer, pes, False, seed)  # cached across the rows
        acts = fixed_input(image, make_input(layer, seed))
        overs[layer.name] = metrics(layer, loaded, acts, DEFAULT_QUEUE_DEPTH, None,
                                    perf.predict(loaded, acts))["over_bound"]
    return overs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cuts", nargs="*", default=None,
                        help=f"rows to print, each a cut or cuts joined by '+' ({', '.join(CUTS)}); "
                             "default: none, each alone, and all four")
    parser.add_argument("--images", type=int, default=None, help="only the first N digits test images")
    parser.add_argument("--pes", type=int, default=64, help="PEs for the nine layers (default 64)")
    parser.add_argument("--seed", type=int, default=1, help="the nine layers' weights and inputs (default 1)")
    args = parser.parse_args(argv)
    rows = args.cuts if args.cuts is not None else ["none", *CUTS, "+".join(CUTS)]
    variants = [[] if row == "none" else row.split("+") for row in rows]
    try:
        for cuts in variants:
            check_cuts(cuts)
    except ValueError as err:
        print(f"latency_tradeoff: {err}", file=sys.stderr)
        return 2

    print(f"A cycle more on each named path, through the cycle model: the digits MLP "
          f"(target <= {DIGITS_TARGET}) and the nine layers at N = {args.pes} (target <= +{LAYER_TARGET:.1%})")
    print(f"{'cut':28s} {'digits cycles / bound':>22s} {'ratio':>7s} {'':6s} {'worst layer':>18s} {'':6s}  each layer")
    loaded, inputs, bound = digits_runs(args.images)
    for row, cuts in zip(rows, variants):
        with extra_latency(cuts) as perf:
            cycles = float(np.mean([perf.predict(loaded, x).cycles for x in inputs]))
            overs = layer_overs(perf, args.pes, args.seed)
        ratio = cycles / bound
        worst = max(overs, key=overs.get)
        print(f"{row:28s} {f'{cycles:.1f} / {bound:.1f}':>22s} {ratio:7.4f} "
              f"{'met' if ratio <= DIGITS_TARGET else 'MISSED':6s} {f'{worst} {overs[worst]:+.2%}':>18s} "
              f"{'met' if overs[worst] <= LAYER_TARGET else 'MISSED':6s}  "
              + " ".join(f"{name} {over:+.2%}" for name, over in overs.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
