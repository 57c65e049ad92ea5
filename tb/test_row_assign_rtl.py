# SPDX-License-Identifier: Apache-2.0
"""A balanced row assignment on eie_core: the RTL runs the permuted network unchanged.

A two-layer chain packed with ``assign_rows="balanced"`` (layer 1's columns follow
layer 0's row map, so nothing is shuffled on the chip): the outputs read back and
put in model order equal ``eie ref`` on the image and on the interleaved image of
the same model, and every counter equals the cycle model's.
"""

from __future__ import annotations

import numpy as np

from eie.image import MemoryConfig, load, write_image
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, pack
from eie.models.reference import reference
from eie.sim.simulate import simulate
from test_core import check_against_models

MEMORY = MemoryConfig(spmat_words=512, ptr_bank_depth=256, act_depth=32, max_layers=4)
NUM_PES = 4


def test_balanced_two_layer_chain(tmp_path, sim):
    rng = np.random.default_rng(44)
    # Rows of very different weight so the assignment differs from i mod N.
    scale = np.where(np.arange(30) % NUM_PES == 0, 3.0, 0.2)[:, None]
    layers = [Layer(rng.normal(size=(30, 21)) * scale, rng.normal(size=30) * 0.5),
              Layer(rng.normal(size=(11, 30)), None)]
    paths = {}
    for how in ("interleave", "balanced"):
        options = PackOptions(num_pes=NUM_PES, density=0.35, memory=MEMORY, assign_rows=how, linear_last=True)
        paths[how] = write_image(pack(layers, options), tmp_path / how)
    loaded = load(paths["balanced"])
    assert any(spec.row_map != list(range(spec.out_features)) for spec in loaded.image.layers)

    inputs = np.abs(rng.normal(size=(3, 21))) * (rng.random((3, 21)) < [[0.35], [1.0], [0.1]])
    outputs, report = simulate(paths["balanced"], inputs, sim=sim, queue_depth=4)
    check_against_models(loaded, inputs, outputs, report, queue_depth=4)
    assert np.array_equal(outputs, reference(load(paths["interleave"]), inputs))
