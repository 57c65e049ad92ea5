#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The .pt reader's cost on an Alex-6-sized fp32 weight (4096 x 9216, 151 MB).

Writes a state_dict holding that one tensor as torch.save lays it out (the
stand-in writer of tests/test_torch_import.py; torch is not needed), then loads
it in a fresh process per reader and prints the wall time and the peak memory
the load adds (Linux: VmHWM, the peak reset just before the load):

- ``view``: eie.packing.torch_pt as it is, a bounds-checked strided view of the storage;
- ``gather``: the reader before it, which built an int64 index of every element
  and gathered through it (kept here only to measure against);
- ``torch``: torch.load(weights_only=True), when torch is installed (the arrays
  must then agree).

  scripts/bench_pt_reader.py [--rows 4096 --cols 9216]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

# One load in a fresh process: {"seconds", "peak_mib", "checksum"}.
_MEASURE = r"""
import json, sys, time
import numpy as np
sys.path.insert(0, {python!r})
import eie.packing.torch_pt as pt

def gather(storage, storage_offset, size, stride, *_ignored):
    # The reader before the strided view: an int64 index per element, then a gather.
    size, stride = tuple(size), tuple(stride)
    index = np.full(size, storage_offset, dtype=np.int64)
    for axis, (length, step) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[axis] = length
        index = index + (np.arange(length, dtype=np.int64) * step).reshape(shape)
    if index.max() >= storage.size:
        raise ValueError("a tensor reaches past the end of its storage")
    return storage[index]

reader = {reader!r}
if reader == "gather":
    pt._GLOBALS[("torch._utils", "_rebuild_tensor_v2")] = gather
if reader == "torch":
    import torch
    load = lambda path: {{k: v.numpy() for k, v in torch.load(path, weights_only=True).items()}}
else:
    load = pt.load_pt
def high_water_kib():
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0])

# Reset the peak to the present size (a process started by a big parent inherits
# the parent's peak in ru_maxrss).
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = high_water_kib()
start = time.perf_counter()
weights = load({path!r})["0.weight"]
seconds = time.perf_counter() - start
peak = high_water_kib() - before
print(json.dumps({{"seconds": seconds, "peak_mib": peak / 1024, "shape": list(weights.shape),
                  "checksum": float(np.asarray(weights, dtype=np.float64).sum())}}))
"""


def measure(reader: str, path: Path) -> dict:
    code = _MEASURE.format(python=str(REPO / "python"), reader=reader, path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--rows", type=int, default=4096, help="the weight's rows (outputs)")
    parser.add_argument("--cols", type=int, default=9216, help="the weight's columns (inputs)")
    args = parser.parse_args()
    from test_torch_import import fake_torch_save

    weight = np.random.default_rng(6).normal(size=(args.rows, args.cols)).astype(np.float32)
    readers = ["view", "gather"]
    if importlib.util.find_spec("torch") is not None:
        readers.append("torch")
    else:
        print("torch is not installed: no torch.load comparison (tests/test_torch_import.py checks the reader "
              "against files real torch wrote, tests/data/torch/)")
    with tempfile.TemporaryDirectory(prefix="eie-pt-") as tmp:
        path = fake_torch_save(Path(tmp) / "alex6.pt", {"0.weight": weight})
        print(f"{args.rows} x {args.cols} fp32 ({weight.nbytes / 2**20:.0f} MiB), {path.stat().st_size / 2**20:.0f} MiB file")
        expected = float(weight.astype(np.float64).sum())
        for reader in readers:
            result = measure(reader, path)
            assert result["shape"] == [args.rows, args.cols] and result["checksum"] == expected, \
                f"{reader}: the weights differ from those written"
            print(f"  {reader:7s} {result['seconds']:6.2f} s  peak +{result['peak_mib']:5.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
