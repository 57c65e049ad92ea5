# SPDX-License-Identifier: Apache-2.0
"""Seeded constrained-random whole-core scenarios for the random regression.

A seed fixes everything: the core configuration it runs on (``config_for_seed``:
the seed modulo the number of configurations; the take lanes, TakeLanes, are a
separate axis, two unless a run asks for one) and the scenario itself
(``generate``): layer count and shapes, weight densities, codebook, bias and
ReLU per layer, activation fraction bits, and the input vectors. The few core
configurations are fixed so that each is built once per simulator and runs many
scenarios; their memories are sized so that any scenario the generator makes
for them fits. Pure Python (no cocotb): the cocotb test (tb/random_run.py), the
pytest wrapper (tb/test_random_run.py) and scripts/regress.py all import it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import numpy as np

from eie.fixedpoint import INT16_MAX, INT16_MIN
from eie.image import Image, MemoryConfig, check_capacity, pack_words
from eie.image.csc import ZERO_RUN_MAX
from eie.limits import DEFAULT_TAKE_LANES
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, pack

MAX_LAYERS = 3
MAX_INPUTS = 3  # input vectors run on one loaded image


@dataclass(frozen=True)
class CoreConfig:
    """One RTL build: PE count, queue depth, per-PE memory sizes and the per-PE counters."""

    name: str
    num_pes: int
    queue_depth: int
    history_depth: int  # broadcasts kept in the history
    memory: MemoryConfig
    max_dim: int  # widest layer input or output the generator makes for this core
    pe_counters: bool = True  # the per-PE performance counters are built (PeCounters)
    take_lanes: int = DEFAULT_TAKE_LANES  # columns a PE takes from the history per cycle (TakeLanes)

    def parameters(self) -> dict:
        """The eie_core parameters, as eie.sim.simulate.core_parameters names them."""
        mem = self.memory
        return {"NumPe": self.num_pes, "QueueDepth": self.queue_depth, "HistoryDepth": self.history_depth,
                "SpmatDepth": mem.spmat_words,
                "PtrBankDepth": mem.ptr_bank_depth, "ActDepth": mem.act_depth, "MaxLayers": mem.max_layers,
                "PeCounters": int(self.pe_counters), "TakeLanes": self.take_lanes}


def _config(name: str, num_pes: int, queue_depth: int, history_depth: int, max_dim: int) -> CoreConfig:
    """Memories that hold the worst case: MAX_LAYERS dense layers of max_dim x (max_dim + bias)."""
    local_rows = -(-max_dim // num_pes)
    entries = MAX_LAYERS * (max_dim + 1) * local_rows  # a dense column needs no padding entry
    pointers = MAX_LAYERS * (max_dim + 2)
    memory = MemoryConfig(
        spmat_words=-(-entries // 8),
        ptr_bank_depth=-(-pointers // 2),
        act_depth=max(16, local_rows),  # eie_core needs ActDepth >= 16
        max_layers=MAX_LAYERS,
    )
    return CoreConfig(name, num_pes, queue_depth, history_depth, memory, max_dim)


# N = 1 and non powers of two, queue depths 1, 2 and 8, broadcast histories of
# 2 and 4 (a PE a whole history behind holds the fresh broadcasts), 16 and the
# default 128. Local columns of more
# than 16 rows (padding entries) need max_dim > 16 N, and runs of paddings more
# than 32, so the small-N cores get wide layers; the larger ones keep layers
# narrow to keep runs short.
CONFIGS = (
    _config("n1q1", 1, 1, 16, 72),
    _config("n3q2", 3, 2, 2, 56),
    _config("n8q8", 8, 8, 16, 48),
    _config("n13q1", 13, 1, 4, 40),
    _config("n16q2", 16, 2, 2, 48),
    _config("n5q8", 5, 8, 128, 48),
)
CONFIG_BY_NAME = {c.name: c for c in CONFIGS}


def with_take_lanes(config: CoreConfig, take_lanes: int) -> CoreConfig:
    """``config`` built with ``take_lanes`` (its name gets "l1" for one lane)."""
    if take_lanes == config.take_lanes:
        return config
    return replace(config, name=f"{config.name}l{take_lanes}", take_lanes=take_lanes)


def config_for_seed(seed: int, take_lanes: int = DEFAULT_TAKE_LANES) -> CoreConfig:
    return with_take_lanes(CONFIGS[seed % len(CONFIGS)], take_lanes)


def seeds_for(config: CoreConfig, count: int, first: int = 0) -> list[int]:
    """The first ``count`` seeds >= ``first`` that run on ``config`` (any take lanes)."""
    index = next(i for i, c in enumerate(CONFIGS) if with_take_lanes(c, config.take_lanes) == config)
    start = first + (index - first) % len(CONFIGS)
    return list(range(start, start + count * len(CONFIGS), len(CONFIGS)))


def replay_command(seed: int, sim: str, take_lanes: int = DEFAULT_TAKE_LANES) -> str:
    """One line that reruns exactly this scenario on this simulator."""
    lanes = "" if take_lanes == DEFAULT_TAKE_LANES else f" --take-lanes {take_lanes}"
    return f".venv/bin/python scripts/regress.py --sim {sim} --seed {seed}{lanes}"


# Codebooks at the edges of the 16-bit weight format: the largest magnitudes
# (w_frac 0; the packer sizes w_frac by magnitude, so -32768 itself is refused),
# the finest steps (w_frac 15), and both at once (the smallest entries quantise
# to a code whose weight is 0).
EXTREME_CODEBOOKS = (
    (-32767.0, 32767.0, 1.0, -1.0, 16384.0),
    (32767 / 32768, -32767 / 32768, 2.0**-15, -(2.0**-15), 0.5),
    (-1.0, 2.0**-15, 0.25, -(2.0**-14)),
    (1000.0, -1000.0, 0.001, -0.001, 3.0),
)


@dataclass
class Scenario:
    seed: int
    config: CoreConfig
    layers: list[Layer]
    options: PackOptions
    relu: list[bool]
    inputs: np.ndarray  # raw int16 activations, batch x in
    densities: list[float]
    codebook_kind: str
    # Half the scenarios write the sparse-matrix and pointer arrays directly (as
    # eie sim --direct-load), half go through the load port: on Icarus a wide
    # core's load-port beats cost seconds a scenario.
    backdoor: bool
    # Share of cycles in which the testbench holds back each valid and ready of
    # the AXI4-Lite and load-port interfaces (python/eie/sim/tb/bus_protocol.py).
    bus_idle: float
    # Some columns end on a padding entry, which the packer never writes (with_trailing_paddings).
    trailing_paddings: bool = False

    def image(self) -> Image:
        """The packed image; ReLU per layer as drawn (the packer only drops the last one's)."""
        image = pack(self.layers, self.options)
        for spec, relu in zip(image.layers, self.relu):
            spec.relu = relu
        if self.trailing_paddings:
            image = with_trailing_paddings(image, np.random.default_rng([self.seed, 0x7A11]))
        return image

    def describe(self) -> str:
        shapes = " ".join(
            f"{l.weight.shape[0]}x{l.weight.shape[1]}{'+b' if l.bias is not None else ''}{'+relu' if r else ''}"
            f"@{d:.2f}"
            for l, r, d in zip(self.layers, self.relu, self.densities)
        )
        act_density = np.count_nonzero(self.inputs) / self.inputs.size
        return (f"seed {self.seed} on {self.config.name}: {shapes}, codebook {self.codebook_kind}, "
                f"act_frac {self.options.act_frac}, rows {self.options.assign_rows}, {len(self.inputs)} input(s) at {act_density:.0%} non-zero, "
                f"{'direct' if self.backdoor else 'load-port'} load, bus idle {self.bus_idle:.0%}"
                f"{', trailing paddings' if self.trailing_paddings else ''}")


def with_trailing_paddings(image: Image, rng: np.random.Generator, share: float = 0.3) -> Image:
    """A copy of ``image`` with a padding entry after the last entry of some non-empty columns.

    The packer ends every column on a non-zero; an image from elsewhere may end one on
    a padding, which eie_spmat_read issues as the column's last entry. Each padding's
    row stays within its PE's rows of the layer (beyond them is the core's ROW_RANGE
    error), so a column still has at most as many entries as the PE has rows and the
    image fits the memories of its configuration (_config).
    """
    image = copy.deepcopy(image)
    num_pes = image.num_pes
    v_per_pe, z_per_pe, ptr_per_pe = ([[] for _ in range(num_pes)] for _ in range(3))
    base = [0] * num_pes
    for index, spec in enumerate(image.layers):
        for pe, share_of_pe in enumerate(image.layer_shares(index)):
            v, z, ptr = share_of_pe.v, share_of_pe.z, share_of_pe.pointers
            counts = np.diff(ptr)
            run = np.cumsum(z.astype(np.int64) + 1)
            rows = run - np.concatenate([[0], run])[np.repeat(ptr[:-1], counts)] - 1  # local row of each entry
            last_row = np.full(counts.size, -1)
            last_row[counts > 0] = rows[ptr[1:][counts > 0] - 1]
            room = -(-(spec.out_features - pe) // num_pes) - 1 - last_row  # rows after the column's last entry
            pick = (counts > 0) & (room >= 1) & (rng.random(counts.size) < share)
            new_z = rng.integers(0, np.minimum(room[pick] - 1, ZERO_RUN_MAX) + 1)
            v = np.insert(v, ptr[1:][pick], 0)
            z = np.insert(z, ptr[1:][pick], new_z.astype(np.uint8))
            ptr = ptr + np.concatenate([[0], np.cumsum(pick)])
            spec.entry_base[pe], spec.entries[pe], spec.padding[pe] = base[pe], int(v.size), int(np.sum(v == 0))
            absolute = ptr + base[pe]
            # As eie.image.build lays them out: every layer's pointers start in the even bank.
            ptr_per_pe[pe].append(np.concatenate([absolute, absolute[-1:]]) if absolute.size % 2 else absolute)
            v_per_pe[pe].append(v)
            z_per_pe[pe].append(z)
            base[pe] += int(v.size)
    image.spmat = [pack_words(np.concatenate(v), np.concatenate(z)) for v, z in zip(v_per_pe, z_per_pe)]
    image.pointers = [np.concatenate(ptr).astype(np.int64) for ptr in ptr_per_pe]
    check_capacity(image)
    return image


def _dim(rng: np.random.Generator, config: CoreConfig) -> int:
    """A layer width: 1, N +- 1 multiples (not divisible by N), the widest, or uniform."""
    r = rng.random()
    if r < 0.15:
        return 1
    if r < 0.35:
        n = config.num_pes
        value = n * int(rng.integers(1, max(2, config.max_dim // n + 1))) + int(rng.choice([-1, 1]))
        return int(np.clip(value, 1, config.max_dim))
    if r < 0.45:
        return config.max_dim
    return int(rng.integers(1, config.max_dim + 1))


def _density(rng: np.random.Generator) -> float:
    r = rng.random()
    if r < 0.1:
        return 0.0
    if r < 0.25:
        return 1.0
    if r < 0.4:
        return float(rng.uniform(0.0, 0.05))
    return float(rng.uniform(0.0, 1.0))


def _codebook(rng: np.random.Generator) -> tuple[str, np.ndarray | None]:
    """None (k-means) or a user codebook of distinct non-zero values."""
    r = rng.random()
    if r < 0.4:
        return "kmeans", None
    if r < 0.75:
        index = int(rng.integers(len(EXTREME_CODEBOOKS)))
        return f"extreme{index}", np.array(EXTREME_CODEBOOKS[index])
    size = int(rng.integers(1, 16))
    values = np.unique(rng.choice([-1, 1], size=size) * 2.0 ** rng.uniform(-15, 14, size=size))
    return "random", values


def _mask(rng, rows: int, cols: int, density: float, num_pes: int) -> np.ndarray:
    """Uniform non-zeros, or (on PEs with over 16 rows, sometimes) bands of a few
    local rows with long zero runs between: padding entries, runs of them, and
    entries after them, where eie_spmat_read merges paddings into the next issue."""
    if rows <= 16 * num_pes or rng.random() >= 0.5:
        return rng.random((rows, cols)) < density
    local = np.zeros(-(-rows // num_pes), dtype=bool)
    row = int(rng.integers(0, 20))
    while row < local.size:
        band = int(rng.integers(1, 5))
        local[row:row + band] = True
        row += band + int(rng.integers(16, 40))
    in_band = np.repeat(local, num_pes)[:rows]  # global row i is local row i // N (interleaved)
    return in_band[:, None] & (rng.random((rows, cols)) < max(density, 0.7))


def _weights(rng, mask: np.ndarray, codebook: np.ndarray | None) -> np.ndarray:
    rows, cols = mask.shape
    if codebook is None:
        scale = 2.0 ** rng.uniform(-8, 8)
        values = rng.normal(size=(rows, cols)) * scale
        values[values == 0] = scale  # keep the drawn non-zero pattern exact
    else:
        values = rng.choice(codebook, size=(rows, cols))
    return np.where(mask, values, 0.0)


def _bias(rng, rows: int, codebook: np.ndarray | None) -> np.ndarray:
    if codebook is None:
        return rng.normal(size=rows) * 2.0 ** rng.uniform(-6, 6)
    return rng.choice(codebook, size=rows)


def _input_row(rng: np.random.Generator, width: int) -> np.ndarray:
    """Density 0, one non-zero, random or 100 %; values from the 16-bit limits to tiny."""
    r = rng.random()
    if r < 0.1:
        mask = np.zeros(width, dtype=bool)
    elif r < 0.25:
        mask = np.zeros(width, dtype=bool)
        mask[rng.integers(width)] = True
    elif r < 0.45:
        mask = np.ones(width, dtype=bool)
    else:
        mask = rng.random(width) < rng.uniform(0.0, 1.0)
    kind = rng.random()
    if kind < 0.25:
        values = rng.choice([INT16_MIN, INT16_MAX, INT16_MIN + 1, -1, 1], size=width)
    elif kind < 0.5:
        values = rng.integers(INT16_MIN, INT16_MAX + 1, size=width)
    else:
        bound = 1 << int(rng.integers(1, 16))
        values = rng.integers(-bound, bound, size=width)
    return np.where(mask, values, 0).astype(np.int64)


def generate(seed: int, take_lanes: int = DEFAULT_TAKE_LANES) -> Scenario:
    """The scenario of ``seed`` on the configuration ``config_for_seed(seed, take_lanes)`` (the
    lanes change the core only, not the scenario)."""
    config = config_for_seed(seed, take_lanes)
    rng = np.random.default_rng([seed, 0xE1E])
    num_layers = int(rng.integers(1, MAX_LAYERS + 1))
    dims = [_dim(rng, config) for _ in range(num_layers + 1)]
    codebook_kind, codebook = _codebook(rng)
    layers, densities, relu = [], [], []
    for index in range(num_layers):
        rows, cols = dims[index + 1], dims[index]
        mask = _mask(rng, rows, cols, _density(rng), config.num_pes)
        bias = _bias(rng, rows, codebook) if rng.random() < 0.5 else None
        layers.append(Layer(_weights(rng, mask, codebook), bias))
        densities.append(float(mask.mean()))
        relu.append(bool(rng.random() < 0.6))
    act_frac = int(rng.choice([0, 8, 8, 15, int(rng.integers(1, 15))]))
    if act_frac == 15 and any(layer.bias is not None for layer in layers):
        act_frac = 14  # the bias column's 1.0 = 1 << act_frac must be an activation (eie.image)
    options = PackOptions(num_pes=config.num_pes, codebook=codebook, act_frac=act_frac, memory=config.memory)
    inputs = np.stack([_input_row(rng, dims[0]) for _ in range(int(rng.integers(1, MAX_INPUTS + 1)))])
    backdoor = bool(rng.random() < 0.5)
    bus_idle = float(rng.choice([0.0, 0.3, 0.7]))
    if rng.random() < 0.3:
        options.assign_rows = "balanced"
    trailing_paddings = bool(rng.random() < 0.25)
    return Scenario(seed, config, layers, options, relu, inputs, densities, codebook_kind, backdoor, bus_idle,
                    trailing_paddings)
