#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Packer speed: an Alex-6-sized layer (9216 x 4096 weights, 9% density) at N=64.

Prints, from one run: the whole pack of an already pruned matrix (k-means
included) next to scipy.sparse.csc_matrix built from the same dense matrix,
their ratio against the 2x target (issue 20; it was 4x) in wall and in CPU time, and
eie ref on the packed layer against 1 s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def timed(fn):
    """The result, wall and CPU seconds (user and system: the page faults of big temporaries included)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - start, time.process_time() - start_cpu


def main() -> int:
    import scipy.sparse

    from eie.image import load, write_image
    from eie.packing.model_io import Layer
    from eie.packing.packer import PackOptions, pack
    from eie.models.reference import reference

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4096)
    parser.add_argument("--cols", type=int, default=9216)
    parser.add_argument("--density", type=float, default=0.09)
    parser.add_argument("--pes", type=int, default=64)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    weight = rng.normal(size=(args.rows, args.cols)).astype(np.float64)
    weight[rng.random(weight.shape) >= args.density] = 0.0  # already pruned
    print(f"layer {args.cols} x {args.rows}, density {np.count_nonzero(weight) / weight.size:.2%}, N={args.pes}")

    _, t_scipy, c_scipy = timed(lambda: scipy.sparse.csc_matrix(weight))
    image, t_pack, c_pack = timed(lambda: pack([Layer(weight, None)], PackOptions(num_pes=args.pes)))
    with tempfile.TemporaryDirectory() as tmp:
        _, t_write, _ = timed(lambda: write_image(image, Path(tmp) / "img"))
        loaded, t_load, _ = timed(lambda: load(Path(tmp) / "img"))
    acts = rng.random(args.cols) * (rng.random(args.cols) < 0.35)
    _, t_ref, _ = timed(lambda: reference(loaded, acts))

    ratio = t_pack / t_scipy
    print(f"scipy.sparse.csc_matrix(dense) : {t_scipy:7.3f} s")
    print(f"eie pack (k-means + encode)    : {t_pack:7.3f} s   = {ratio:.2f}x scipy   (target <= 2x: {'met' if ratio <= 2 else 'MISSED'})")
    print(f"the same in CPU time           : {c_pack:7.3f} s against {c_scipy:.3f} s = {c_pack / c_scipy:.2f}x "
          f"(a shared machine stretches wall times)")
    print(f"write image / load image       : {t_write:7.3f} s / {t_load:.3f} s")
    print(f"eie ref, one input vector      : {t_ref:7.3f} s   (target < 1 s: {'met' if t_ref < 1 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
