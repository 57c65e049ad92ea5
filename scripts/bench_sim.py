#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Simulation speed: an Alex-7-shaped layer (4096 x 4096, 9% weights, 35% activations), N=64, queue 8.

Prints, from one run per simulator: simulated cycles next to the ideal bound
(max of the busiest PE's entries and the broadcasts), wall time of the whole
simulation and of the image load, and simulated cycles per second. The image
goes in through the file load (the simulator reads the image's hex files) and is
checked against eie ref.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from eie.image import write_image
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, pack
from eie.sim.simulate import simulate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", default="verilator,icarus")
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--pes", type=int, default=64)
    args = parser.parse_args()

    rng = np.random.default_rng(7)
    weight = rng.normal(size=(args.size, args.size))
    image = pack([Layer(weight, None)], PackOptions(num_pes=args.pes, density=0.09))
    acts = rng.normal(size=args.size) * (rng.random(args.size) < 0.35)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_image(image, Path(tmp) / "img")
        print(f"layer {args.size} x {args.size}, 9% weights, {np.count_nonzero(acts)} non-zero activations, N={args.pes}")
        for sim in args.sims.split(","):
            start = time.perf_counter()
            _, report = simulate(path, acts, sim=sim, load_with="files", optimize=True, verbose=False)
            wall = time.perf_counter() - start
            cycles = report["cycles"]
            bound = report["ideal"][0]["bound"]
            print(f"{sim:9s}: {cycles} cycles (ideal bound {bound}, {cycles / bound:.3f}x); wall {wall:.1f} s "
                  f"including build; simulation {report['sim_seconds']:.1f} s, of which image load "
                  f"{report['load_seconds']:.1f} s; {cycles / max(report['run_seconds'], 1e-9):,.0f} simulated cycles/s "
                  f"while computing; matches eie ref: {report['matches_reference']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
