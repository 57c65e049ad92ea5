# SPDX-License-Identifier: Apache-2.0
"""``make sim``: the default network packed, run on the RTL, checked and reported.

The default network is a fixed-seed synthetic MLP (64-96-48-10, bias on every
layer, 25% weight density, no ReLU on the logits) on 8 PEs; it exists so that a
fresh checkout shows the whole flow in one command.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from eie.image import MemoryConfig, load, write_image
from eie.model_io import Layer
from eie.packer import PackOptions, pack
from eie.reference import reference
from eie.simulate import simulate

DEFAULT_SHAPES = (64, 96, 48, 10)
DEFAULT_PES = 8
DEFAULT_MEMORY = MemoryConfig(spmat_words=512, ptr_bank_depth=256, act_depth=16, max_layers=4)


def default_network(seed: int = 0) -> list[Layer]:
    rng = np.random.default_rng(seed)
    layers = []
    for fan_in, fan_out in zip(DEFAULT_SHAPES[:-1], DEFAULT_SHAPES[1:]):
        scale = 1.0 / np.sqrt(fan_in * 0.25)
        layers.append(Layer(rng.normal(size=(fan_out, fan_in)) * scale, rng.normal(size=fan_out) * 0.1))
    return layers


def default_inputs(seed: int = 1, count: int = 4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.maximum(rng.normal(size=(count, DEFAULT_SHAPES[0])), 0.0)  # post-ReLU-like: about half zero


def format_report(report: dict, matches: bool, outputs: np.ndarray, sim: str) -> str:
    lines = [
        f"EIE default network {'-'.join(map(str, DEFAULT_SHAPES))} on {DEFAULT_PES} PEs "
        f"(queue depth {report['parameters']['QueueDepth']}), simulator {sim}",
        f"result: {outputs.size} outputs over {outputs.shape[0]} inputs "
        f"{'match eie ref bit for bit' if matches else 'DIFFER from eie ref'}",
        f"{'input':>5} {'cycles':>7} {'ideal':>6} {'ratio':>6}   per layer: cycles / ideal bound",
    ]
    for index, (run, ideal) in enumerate(zip(report["runs"], report["ideal"])):
        per_layer = "  ".join(f"{c}/{b['bound']}" for c, b in zip(run["layer_cycles"], ideal["layers"]))
        lines.append(f"{index:>5} {run['cycles']:>7} {ideal['bound']:>6} {run['cycles'] / ideal['bound']:>6.2f}   {per_layer}")
    run = report["runs"][-1]
    compute = np.sum([run["pe"][k] for k in ("busy", "starved", "stalled", "drained")], axis=0)
    util = np.asarray(run["pe"]["busy"]) / np.maximum(compute, 1)
    lines.append("PE utilisation (busy / compute cycles, last input): " + " ".join(f"{u:.0%}" for u in util))
    lines.append(f"image load: {report['load_beats']} load-port beats in {report['load_cycles']} cycles")
    return "\n".join(lines)


def run_demo(sim: str | None = None) -> int:
    layers = default_network()
    image = pack(layers, PackOptions(num_pes=DEFAULT_PES, density=0.25, linear_last=True, memory=DEFAULT_MEMORY))
    inputs = default_inputs()
    with tempfile.TemporaryDirectory(prefix="eie-demo-") as tmp:
        path = write_image(image, Path(tmp) / "image")
        outputs, report = simulate(path, inputs, sim=sim, verbose=False)
        expected = reference(load(path), inputs)
    matches = bool(np.array_equal(outputs, expected))
    print(format_report(report, matches, outputs, report["simulator"]))
    return 0 if matches else 1
