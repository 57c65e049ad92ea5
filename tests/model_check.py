# SPDX-License-Identifier: Apache-2.0
"""For the model-format tests: small MLPs on a weight grid, and ``eie ref`` against their float forward pass.

Weights and biases on ``GRID`` (14 non-zero eighths) are already shared and exact
in fixed point, so the packer keeps them as they are (at most 15 distinct
non-zero values per layer) and only the activations' rounding separates
``eie ref`` from float math: :func:`error_bound` says by how much at most.
"""

from __future__ import annotations

import numpy as np

from eie.fixedpoint import DEFAULT_ACT_FRAC, dequantize, quantize
from eie.image import load

GRID = np.arange(-7, 8) / 8.0


def grid_mlp(sizes: list[int], seed: int, bias: bool = True) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """(weight out x in, bias or None) per layer, float32, every value on ``GRID``; ``sizes`` = [in, h1, ..., out]."""
    rng = np.random.default_rng(seed)
    layers = []
    for inputs, outputs in zip(sizes, sizes[1:]):
        weight = rng.choice(GRID, size=(outputs, inputs)).astype(np.float32)
        layers.append((weight, rng.choice(GRID, size=outputs).astype(np.float32) if bias else None))
    return layers


def error_bound(weights, frac_bits: int = DEFAULT_ACT_FRAC) -> np.ndarray:
    """Per output, the most eie ref can differ from exact float math on grid inputs.

    Each write-back rounds to half an LSB; a layer passes its input error on through
    the absolute row sums of its weights (ReLU does not increase a difference).
    """
    err = np.zeros(weights[0].shape[1])
    for weight in weights:
        err = np.abs(weight) @ err + 0.5 * 2.0 ** -frac_bits
    return err


def float_forward(layers, relus: list[bool], x: np.ndarray) -> np.ndarray:
    for (weight, bias), relu in zip(layers, relus):
        x = x @ weight.astype(np.float64).T + (0.0 if bias is None else bias.astype(np.float64))
        x = np.maximum(x, 0.0) if relu else x
    return x


def assert_ref_matches_float(run_cli, tmp_path, model, layers, relus: list[bool], *flags) -> None:
    """``eie pack`` then ``eie ref`` on ``model``: the packed weights are ``layers``' exactly, the
    outputs within :func:`error_bound` of the float forward pass with ReLU where ``relus`` says."""
    image, x_file, y_file = tmp_path / "img", tmp_path / "x.npy", tmp_path / "y.npy"
    code, _, err = run_cli("pack", model, "-o", image, "--pes", 3, *flags)
    assert code == 0, err
    loaded = load(image)
    assert [layer.spec.relu for layer in loaded.layers] == relus
    for packed, (weight, bias) in zip(loaded.layers, layers, strict=True):
        assert np.array_equal(packed.weight(), weight)
        assert (bias is None and packed.bias() is None) or np.array_equal(packed.bias(), bias)
    rng = np.random.default_rng(7)
    x = dequantize(quantize(rng.random((6, layers[0][0].shape[1])) * 4 - 2, DEFAULT_ACT_FRAC), DEFAULT_ACT_FRAC)
    np.save(x_file, x)
    code, _, err = run_cli("ref", image, x_file, "-o", y_file)
    assert code == 0, err
    ours = dequantize(np.load(y_file), DEFAULT_ACT_FRAC)
    theirs = float_forward(layers, relus, x)
    bound = error_bound([weight for weight, _ in layers])
    assert np.all(np.abs(ours - theirs) <= bound + 1e-6), np.abs(ours - theirs).max()
    assert np.abs(ours - theirs).max() > 0  # the check is not vacuous: rounding does show
