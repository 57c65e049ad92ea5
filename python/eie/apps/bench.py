# SPDX-License-Identifier: Apache-2.0
"""The EIE paper's nine benchmark layers (and one of uneven rows) on the RTL and on the cycle model.

Each layer is synthetic but faithful: the paper's shape and weight density
(magnitude-pruned from a seeded random matrix, or ESE-balanced), an input with
the paper's activation density (seeded, non-negative as after a ReLU). The RTL
runs it (bit-exact against eie ref, counters read back); eie.models.perf predicts the
same counters and must agree; the sweeps then use the model where the RTL
would take too long, and every figure says where it came from.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from eie.errors import EieError
from eie.image import Image, LoadedImage, MemoryConfig, check_capacity, decode
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, SharedLayer, place_layers, share_layers
from eie.models import energy
from eie.models.perf import column_counts, differences, predict
from eie.models.reference import input_to_fixed

CLOCK_MHZ = energy.DEFAULT_CLOCK_MHZ  # EIE's clock in the paper


@dataclass(frozen=True)
class BenchLayer:
    name: str
    in_features: int
    out_features: int
    weight_density: float
    act_density: float
    paper_us: float | None  # EIE's latency in the paper (Table IV, 64 PEs, 800 MHz); None: not a paper layer
    # Spread of a seeded per-row weight scale, exp(row_scale * normal): magnitude pruning
    # then keeps more of some rows than of others (0: rows alike, as in the paper's layers).
    row_scale: float = 0.0

    @property
    def paper_cycles(self) -> int | None:
        return None if self.paper_us is None else round(self.paper_us * CLOCK_MHZ)


LAYERS = (
    BenchLayer("Alex-6", 9216, 4096, 0.09, 0.351, 30.3),
    BenchLayer("Alex-7", 4096, 4096, 0.09, 0.353, 12.2),
    BenchLayer("Alex-8", 4096, 1000, 0.25, 0.375, 9.9),
    BenchLayer("VGG-6", 25088, 4096, 0.04, 0.183, 34.4),
    BenchLayer("VGG-7", 4096, 4096, 0.04, 0.375, 8.7),
    BenchLayer("VGG-8", 4096, 1000, 0.23, 0.411, 8.4),
    BenchLayer("NT-We", 4096, 600, 0.10, 1.0, 8.0),
    BenchLayer("NT-Wd", 600, 8791, 0.11, 1.0, 13.9),
    BenchLayer("NT-LSTM", 1201, 2400, 0.10, 1.0, 7.5),
)


# Not in the paper: the shape, densities and activations of the 4096 x 1024 layer of
# scripts/bench_model.py, with rows of uneven weight (row scale 0.06: non-zeros per
# row from 0.56 to 1.47x the mean, coefficient of variation 0.127 at seed 1), where
# the row assignment has the most to balance.
UNEVEN = BenchLayer("Uneven", 1024, 4096, 0.25, 0.43, None, row_scale=0.06)
BENCH_LAYERS = (*LAYERS, UNEVEN)


def layer_by_name(name: str) -> BenchLayer:
    for layer in BENCH_LAYERS:
        if layer.name.lower() == name.lower():
            return layer
    raise ValueError(f"unknown benchmark layer {name!r}; the layers are {', '.join(l.name for l in BENCH_LAYERS)}")


# Memories large enough for any layer: images that do not fit the RTL's default
# memories (few PEs, large layers) still run on the cycle model.
MODEL_MEMORY = MemoryConfig(spmat_words=1 << 26, ptr_bank_depth=1 << 16, act_depth=1 << 16)


def make_weights(layer: BenchLayer, seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, layer.in_features, layer.out_features])
    weights = rng.standard_normal((layer.out_features, layer.in_features), dtype=np.float32)
    if layer.row_scale:
        spread = np.random.default_rng([seed, layer.out_features, 2]).standard_normal(layer.out_features)
        weights *= np.exp(layer.row_scale * spread).astype(np.float32)[:, None]
    return weights


def make_input(layer: BenchLayer, seed: int) -> np.ndarray:
    """Non-negative activations (as after a ReLU) with the paper's density."""
    rng = np.random.default_rng([seed, layer.in_features, 1])
    values = np.abs(rng.standard_normal(layer.in_features)) + 0.05
    active = rng.permutation(layer.in_features)[: round(layer.act_density * layer.in_features)]
    acts = np.zeros(layer.in_features)
    acts[active] = values[active]
    return acts


@functools.lru_cache(maxsize=None)
def _shared_layer(layer: BenchLayer, seed: int, balanced: bool, ese_pes: int) -> SharedLayer:
    options = PackOptions(num_pes=ese_pes, density=layer.weight_density, balanced=balanced, linear_last=True)
    (shared,) = share_layers([Layer(make_weights(layer, seed), None)], options)
    return shared


def shared_layer(layer: BenchLayer, num_pes: int, balanced: bool, seed: int) -> SharedLayer:
    """The layer pruned and weight-shared, once per process: magnitude pruning and k-means
    do not depend on N or on the row assignment, so the table, the row-assignment study
    and both sweeps share one (ESE pruning does depend on N)."""
    return _shared_layer(layer, seed, balanced, num_pes if balanced else 1)


def pack_layer(layer: BenchLayer, num_pes: int, balanced: bool, seed: int, assign_rows: str = "interleave"):
    """(image, fits): packed for the RTL's default memories if it fits them, else for the model's.

    ``balanced``: ESE pruning (another model); ``assign_rows``: which PE owns which row (same model).
    """
    options = PackOptions(num_pes=num_pes, density=layer.weight_density, balanced=balanced, linear_last=True,
                          memory=MODEL_MEMORY, assign_rows=assign_rows)
    image = place_layers([shared_layer(layer, num_pes, balanced, seed)], options)
    # The memory sizes change nothing in the image but the sizes it is checked against.
    rtl_sized = dataclasses.replace(image, memory=MemoryConfig())
    try:
        check_capacity(rtl_sized)
    except EieError:
        return image, False
    return rtl_sized, num_pes <= 64


@functools.lru_cache(maxsize=16)
def model_image(layer: BenchLayer, num_pes: int, balanced: bool, seed: int,
                assign_rows: str = "interleave") -> tuple[Image, LoadedImage]:
    """(image, decoded image) of ``pack_layer`` for the cycle model: the table's images come
    back in both sweeps, and the model keeps its column counts on the decoded one."""
    image, _ = pack_layer(layer, num_pes, balanced, seed, assign_rows)
    return image, model_only(image)


def metrics(layer: BenchLayer, loaded: LoadedImage, acts_fixed: np.ndarray, queue_depth: int,
            rtl_run: dict | None, predicted=None) -> dict:
    """Cycles, bounds, load efficiency and padding share of one layer, from the RTL's
    counters when ``rtl_run`` is given (then the model must agree), else from the model.
    ``predicted``: the model's ``predict`` of this input, if the caller has it."""
    predicted = predicted or predict(loaded, acts_fixed, queue_depth)
    timing = predicted.layers[0]
    source = "model"
    if rtl_run is not None:
        found = differences(predicted, rtl_run)
        if found:
            raise AssertionError(f"{layer.name}: the cycle model disagrees with the RTL: {'; '.join(found)}")
        source = "RTL"
    busy = timing.busy
    num_pes = busy.size
    busiest, average, broadcasts = int(busy.max()), float(busy.mean()), timing.broadcasts
    cycles = timing.cycles
    bound = max(busiest, broadcasts)
    all_columns = column_counts(loaded, 0).slots.sum(axis=1)
    row = {
        "layer": layer.name,
        "source": source,
        "num_pes": num_pes,
        "queue_depth": queue_depth,
        "cycles": cycles,
        "busiest_pe_bound": busiest,
        "average_bound": round(average, 1),
        "broadcast_bound": broadcasts,
        "over_bound": cycles / bound - 1 if bound else 0.0,
        "load_efficiency": timing.load_efficiency,
        "padding_share": float(timing.padding.sum() / max(timing.entries.sum(), 1)),
        "broadcast_stalls": timing.broadcast_stalls,
        "latency_us": cycles / CLOCK_MHZ,
        "paper_us": layer.paper_us,
        "vs_paper": cycles / layer.paper_cycles if layer.paper_cycles else None,
        # The layer's whole work (every column): how far the busiest PE is above the mean.
        "all_columns_over_mean": float(all_columns.max() / all_columns.mean() - 1) if all_columns.any() else 0.0,
    }
    if rtl_run is not None and rtl_run["pe"] is not None:  # None: a core without per-PE counters
        row.update(where_cycles_go(rtl_run["pe"], busiest))
    return row


def energy_figures(layer: BenchLayer, loaded: LoadedImage, predicted, queue_depth: int,
                   rtl_report: dict | None) -> dict:
    """Energy per inference at CLOCK_MHZ: from the RTL's event counts when ``rtl_report``
    (eie sim's report) priced them, else from the cycle model's; next to the paper's."""
    priced = (rtl_report or {}).get("energy")
    run = priced["runs"][0] if priced else None
    source, notes = "RTL", priced["notes"] if priced else []
    if run is None:
        run = energy.model_energy_of(loaded, predicted, CLOCK_MHZ, queue_depth).to_json()
        source, notes = "model", run["notes"]
    per = run["per_inference"]
    table_v = energy.PAPER_TABLE_V
    at_paper_size = loaded.num_pes == table_v["num_pes"] and layer.paper_us is not None
    return {
        "energy_source": source,
        "energy_uj": per["total_pj"] * 1e-6,
        "energy_dynamic_uj": per["dynamic_pj"] * 1e-6,
        "energy_components_uj": {k: v * 1e-6 for k, v in per["components_pj"].items()},
        "energy_memories_uj": {k: v * 1e-6 for k, v in per["memories_pj"].items()},
        "pj_per_mac": run["pj_per_mac"],
        "dynamic_pj_per_mac": run["dynamic_pj_per_mac"],
        "frames_per_joule": run["frames_per_joule"],
        "power_per_pe_mw": run["power_per_pe_mw"],
        # The paper's energy of a layer: its Table IV latency at Table V's power (64 PEs).
        "paper_uj": layer.paper_us * table_v["power_w"] if at_paper_size else None,
        "paper_frames_per_joule": (table_v["frames_per_joule"]
                                   if at_paper_size and layer.name == table_v["layer"] else None),
        "energy_notes": notes,
    }


def where_cycles_go(pe_counters: dict, busiest: int) -> dict:
    """From the RTL's per-PE counters: which PE had its queue full longest (a column
    waiting for it in the history), and the busiest PE's own idle cycles, which is
    what a layer loses."""
    full = np.asarray(pe_counters["queue_full"])
    busy = np.asarray(pe_counters["busy"])
    critical = int(np.argmax(busy == busiest))
    return {
        "fullest_pe": int(full.argmax()),
        "fullest_pe_cycles": int(full.max()),
        "pes_ever_full": int(np.count_nonzero(full)),
        "busiest_pe": critical,
        "busiest_pe_starved": int(pe_counters["starved"][critical]),
        "busiest_pe_queue_full": int(full[critical]),
    }


def run_rtl(image, acts: np.ndarray, sim: str, queue_depth: int, optimize: bool):
    """One run on the RTL (the file load, bit-exact check); returns (loaded image, report)."""
    from eie.sim.simulate import simulate

    loaded = decode(image)
    # eie sim's Verilator build: no simulation-only assertions (the outputs are checked here).
    _, report = simulate(loaded, acts, sim=sim, queue_depth=queue_depth, load_with="files",
                         optimize=optimize, verbose=False, assertions=False)
    if not report["matches_reference"]:
        raise AssertionError("the RTL's outputs differ from eie ref")
    return loaded, report


def model_only(image) -> LoadedImage:
    """The decoded image without a trip through the disk (the model needs no files)."""
    return decode(image)


def fixed_input(image, acts: np.ndarray) -> np.ndarray:
    return input_to_fixed(acts, image.act_frac)
