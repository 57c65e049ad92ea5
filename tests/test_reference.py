# SPDX-License-Identifier: Apache-2.0
"""eie ref against an obviously correct dense integer model and against float math."""

import numpy as np
import pytest

from eie.fixedpoint import dequantize, quantize
from eie.image import load, write_image
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, pack
from eie.models.reference import reference


def slow_reference(loaded, a_int):
    """Python integers, one multiply at a time, from the dense decoded weights."""
    acts = [int(x) for x in a_int]
    for layer in loaded.layers:
        spec = layer.spec
        weights = layer.weight_int().tolist()
        inputs = acts + ([1 << loaded.act_frac] if spec.bias else [])
        acts = []
        for row in weights:
            acc = sum(w * a for w, a in zip(row, inputs))
            if spec.w_frac:
                acc = (acc + (1 << (spec.w_frac - 1))) >> spec.w_frac
            acc = max(-32768, min(32767, acc))
            acts.append(max(acc, 0) if spec.relu else acc)
    return acts


@pytest.mark.parametrize("num_pes", [1, 3, 8])
def test_matches_slow_dense_model(tmp_path, num_pes):
    rng = np.random.default_rng(num_pes)
    layers = [
        Layer(rng.normal(size=(24, 16)), rng.normal(size=24)),
        Layer(rng.normal(size=(19, 24)) * 4, None),
        Layer(rng.normal(size=(5, 19)), rng.normal(size=5)),
    ]
    image = pack(layers, PackOptions(num_pes=num_pes, density=0.4, linear_last=True))
    loaded = load(write_image(image, tmp_path / "img"))
    for trial in range(5):
        # raw integer inputs, including the 16-bit limits so saturation is exercised
        a_int = rng.integers(-32768, 32768, size=16) if trial % 2 else rng.integers(-600, 600, size=16)
        out = reference(loaded, a_int.astype(np.int64))
        assert out.tolist() == slow_reference(loaded, a_int)


def test_batch_equals_one_at_a_time(tmp_path):
    rng = np.random.default_rng(9)
    image = pack([Layer(rng.normal(size=(30, 20)), rng.normal(size=30))], PackOptions(num_pes=4, density=0.3))
    loaded = load(write_image(image, tmp_path / "img"))
    batch = rng.random((6, 20)) * 4 - 2
    together = reference(loaded, batch)
    assert together.shape == (6, 30) and together.dtype == np.int16
    for b in range(6):
        assert (reference(loaded, batch[b]) == together[b]).all()


@pytest.mark.parametrize("seed", range(5))
def test_within_half_lsb_of_float(tmp_path, seed):
    """One layer, inputs on the activation grid: |ref - ReLU(W_q a)| <= 2**-(act_frac+1)."""
    rng = np.random.default_rng(seed)
    weight = rng.normal(size=(64, 48)) * 0.2
    bias = rng.normal(size=64) * 0.1
    image = pack([Layer(weight, bias)], PackOptions(num_pes=4, density=0.25))
    loaded = load(write_image(image, tmp_path / "img"))
    a = dequantize(quantize(rng.random(48) * 2, loaded.act_frac), loaded.act_frac)
    layer = loaded.layers[0]
    exact = np.maximum(layer.weight() @ a + layer.bias(), 0.0)
    got = dequantize(reference(loaded, a), loaded.act_frac)
    assert np.abs(exact).max() < 100  # no saturation in this range
    assert np.max(np.abs(got - exact)) <= 2.0 ** -(loaded.act_frac + 1)
