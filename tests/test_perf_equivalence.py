# SPDX-License-Identifier: Apache-2.0
"""The cycle model against the cycle-by-cycle model it replaced (tests/perf_oracle.py).

The RTL regression compares eie.models.perf with the RTL's counters on every
run, and the old model passed it: any difference in any field of a
LayerTiming or RunTiming is a bug of the faster model. Compared here on
hundreds of random layers (shapes, densities, column lengths, queue and history
depths, bias, N, following a write-back or not), on random packed networks
through ``predict``, and (marked
slow) on the nine benchmark layers at N = 64.
"""

import dataclasses

import numpy as np
import pytest

import perf_oracle as oracle
from eie.apps.bench import LAYERS, fixed_input, make_input, model_only, pack_layer
from eie.image import decode
from eie.models import perf
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, pack


def same(new, old) -> None:
    """Every field of two LayerTimings (or RunTimings) equal, arrays element by element."""
    if isinstance(new, perf.RunTiming):
        assert len(new.layers) == len(old.layers)
        for a, b in zip(new.layers, old.layers):
            same(a, b)
        assert new.cycles == old.cycles
        return
    for name in (f.name for f in dataclasses.fields(perf.LayerTiming)):
        a, b = getattr(new, name), getattr(old, name)
        if isinstance(b, dict):
            assert a.keys() == b.keys(), name
            for key in b:
                assert np.asarray(a[key]).tolist() == np.asarray(b[key]).tolist(), f"{name} {key}"
        elif isinstance(b, np.ndarray):
            assert a.dtype == b.dtype and a.tolist() == b.tolist(), name
        else:
            assert type(a) is type(b) and a == b, name
    assert new.load_efficiency == old.load_efficiency


def random_layer(rng):
    """A PE x column matrix of issue slots, with entries and paddings, and a broadcast order."""
    num_pes = int(rng.choice([1, 2, 3, 5, 8, 13, 16, 64]))
    cols = int(rng.integers(1, 80))
    density = rng.choice([0.02, 0.2, 0.5, 0.9, 1.0])
    longest = int(rng.choice([1, 2, 4, 12, 40]))
    slots = (rng.random((num_pes, cols)) < density) * rng.integers(1, longest + 1, (num_pes, cols))
    padding = rng.integers(0, 3, (num_pes, cols)) * (slots > 1)
    entries = slots + padding // 2
    bias = bool(rng.integers(2))
    order = rng.permutation(cols - bias)[: int(rng.integers(0, cols - bias + 1))] if cols > bias else np.zeros(0, int)
    return slots, np.sort(order) if rng.integers(2) else order, bias, padding, entries


@pytest.mark.parametrize("seed", range(400))
def test_layer_timing_equals_the_cycle_by_cycle_model(seed):
    rng = np.random.default_rng(seed)
    slots, order, bias, padding, entries = random_layer(rng)
    queue_depth = int(rng.choice([1, 2, 3, 4, 8, 16, 64]))
    history_depth = int(rng.choice([2, 4, 8, 16, 128]))
    # Half the layers follow a write-back of their inputs (the layer before's outputs);
    # their columns come leaf by leaf, as the LNZD tree then sends them.
    written_back = slots.shape[1] - bias if rng.integers(2) and slots.shape[1] > bias else None
    if written_back is not None:
        order = order[np.lexsort((order // slots.shape[0], order % slots.shape[0]))]
    # Column ends drawn from few words and rows, so that shared words and bypass
    # hits (which depend on the pop cycles) are frequent.
    shape = slots.shape
    first_word = rng.integers(0, 3, shape)
    ends = perf.ColumnEnds(first_word=first_word, last_word=first_word + rng.integers(0, 2, shape),
                           first_row=rng.integers(-1, 3, shape), last_row=rng.integers(-2, 3, shape))
    writes_back = int(rng.integers(0, 3 * shape[0])) if rng.integers(2) else None
    # The layer before's write-backs started early in some PEs (issue 18): its leaves
    # fill the LNZD tree before this layer starts.
    wb_start = -rng.integers(0, 30, shape[0]) if written_back is not None and rng.integers(2) else None
    # One take lane (TakeLanes = 1) or two, drawn last so the draws above stay each seed's.
    take_lanes = int(rng.choice([1, 2]))
    args = (slots, order, bias, queue_depth, written_back, padding, history_depth, entries, ends, writes_back,
            wb_start, take_lanes)
    same(perf.layer_timing(*args), oracle.layer_timing(*args))


def random_network(rng):
    dims = [int(d) for d in rng.integers(1, 90, size=int(rng.integers(2, 4)))]
    layers = [Layer(rng.normal(size=(dims[i + 1], dims[i])), rng.normal(size=dims[i + 1]) if rng.integers(2) else None)
              for i in range(len(dims) - 1)]
    options = PackOptions(num_pes=int(rng.choice([1, 3, 4, 8, 16])), density=float(rng.choice([0.05, 0.3, 1.0])),
                          assign_rows=str(rng.choice(["interleave", "balanced"])))
    acts = np.abs(rng.normal(size=dims[0])) * (rng.random(dims[0]) < rng.choice([0.1, 0.5, 1.0]))
    return layers, options, acts


@pytest.mark.parametrize("seed", range(40))
def test_predict_equals_the_cycle_by_cycle_model(seed):
    rng = np.random.default_rng([20, seed])
    layers, options, acts = random_network(rng)
    loaded = decode(pack(layers, options))
    x = fixed_input(loaded.image, acts)
    for queue_depth, history_depth, lanes in ((8, 128, 2), (1, 2, 2), (int(rng.integers(1, 10)), 4, 2),
                                              (8, 128, 1), (2, 4, 1)):
        same(perf.predict(loaded, x, queue_depth, history_depth, lanes),
             oracle.predict(loaded, x, queue_depth, history_depth, lanes))


@pytest.mark.slow
@pytest.mark.parametrize("layer", LAYERS, ids=[layer.name for layer in LAYERS])
def test_the_nine_bench_layers_at_64_pes(layer):
    image, _ = pack_layer(layer, 64, False, seed=1)
    loaded = model_only(image)
    acts = fixed_input(image, make_input(layer, 1))
    for queue_depth in (1, 8, 64):
        same(perf.predict(loaded, acts, queue_depth), oracle.predict(loaded, acts, queue_depth))
