#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Cycle-model speed: eie.models.perf.predict on a 4096 x 1024 layer and the paper's nine layers, N = 64.

Prints, from one run, per layer: its entries, the predicted cycles, the time of
``predict`` on a freshly decoded image (the forward pass and the per-PE column
counts included) and again on the same image (the median of ``--repeat`` calls;
the column counts are kept on the image), each next to the 0.08 s target, and
the model's simulated cycles per second on the first call next to the RTL's on
Verilator (the README's figure for the lean 64-PE build: about 10,600 simulated
cycles per CPU second while computing; the model needs no build).
"""

from __future__ import annotations

import argparse
import statistics
import time

TARGET_SECONDS = 0.08
RTL_CYCLES_PER_S = 10600  # Verilator, the lean 64-PE build, per CPU second (README, "Headline figures")


def main() -> int:
    from eie.apps.bench import LAYERS, BenchLayer, fixed_input, layer_by_name, make_input, model_only, pack_layer
    from eie.models.perf import predict

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", nargs="*", default=None,
                        help="bench layers by name (default: the 4096 x 1024 layer and all nine)")
    parser.add_argument("--pes", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    big = BenchLayer("4096x1024", 1024, 4096, 0.25, 0.43, 0.0)
    layers = [big, *LAYERS] if args.layers is None else [
        big if name.lower() == big.name else layer_by_name(name) for name in args.layers]
    print(f"eie.models.perf.predict, N={args.pes}, queue depth 8; target <= {TARGET_SECONDS} s; "
          f"'again': median of {args.repeat} more calls on the same image")
    print(f"{'layer':10s} {'out x in':>12s} {'entries':>9s} {'cycles':>7s} {'first':>8s} {'again':>8s} "
          f"{'target':>8s} {'model cycles/s':>15s} {'RTL cycles/s':>13s}")
    for layer in layers:
        image, _ = pack_layer(layer, args.pes, False, args.seed)
        loaded = model_only(image)
        acts = fixed_input(image, make_input(layer, args.seed))
        times = []
        for _ in range(1 + args.repeat):
            start = time.perf_counter()
            timing = predict(loaded, acts).layers[0]
            times.append(time.perf_counter() - start)
        first, again = times[0], statistics.median(times[1:])
        verdict = "met" if max(first, again) <= TARGET_SECONDS else ("again" if again <= TARGET_SECONDS else "MISSED")
        print(f"{layer.name:10s} {f'{layer.out_features} x {layer.in_features}':>12s} "
              f"{sum(image.layers[0].entries):9d} {timing.cycles:7d} {first:7.3f}s {again:7.3f}s {verdict:>8s} "
              f"{timing.cycles / first:15,.0f} {RTL_CYCLES_PER_S:13,d}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
