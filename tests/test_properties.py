# SPDX-License-Identifier: Apache-2.0
"""Property-based tests (Hypothesis) of the packer, the CSC encoder and eie ref.

- ``load(write_image(pack(W)))`` gives back the quantized matrix: the codes and
  integer codebook that weight sharing (eie.packing.compress) assigned, bias included.
- ``eie ref`` equals the slow dense model of tests/test_reference.py, fed with
  those independently quantized weights, for any shapes, N, act_frac and inputs
  up to the 16-bit limits.
- The vectorised CSC encoder equals a per-entry loop written from EIE.md, for a
  single column and for a whole matrix split over N = 1..64 PEs.

Examples are bounded and derandomized, so every run (and CI) tries the same cases.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from eie.packing import compress
from eie.image import csc
from eie.fixedpoint import INT16_MAX, INT16_MIN
from eie.image import MemoryConfig, load, write_image
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, pack
from eie.models.reference import reference
from test_csc import slow_encode_column
from test_reference import slow_reference

PROPERTY = settings(max_examples=40, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ROOMY = MemoryConfig(spmat_words=4096, ptr_bank_depth=512, act_depth=64, max_layers=4)


# ---------------------------------------------------------------------------- strategies
@st.composite
def sparse_matrix(draw, rows: int, cols: int):
    """A float matrix of any density (0 to 100 %), magnitudes over 2**-10 .. 2**10."""
    seed = draw(st.integers(0, 2**32 - 1))
    density = draw(st.sampled_from([0.0, 0.02, 0.1, 0.5, 0.9, 1.0]))
    rng = np.random.default_rng(seed)
    scale = 2.0 ** rng.uniform(-10, 10)
    values = rng.normal(size=(rows, cols)) * scale
    values[values == 0] = scale
    return np.where(rng.random((rows, cols)) < density, values, 0.0)


@st.composite
def network(draw):
    """1..3 chained layers, bias on or off per layer, N in 1..64, any act_frac the format allows."""
    num_layers = draw(st.integers(1, 3))
    dims = [draw(st.integers(1, 24)) for _ in range(num_layers + 1)]
    layers = []
    for index in range(num_layers):
        weight = draw(sparse_matrix(dims[index + 1], dims[index]))
        bias = None
        if draw(st.booleans()):
            bias = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).normal(size=dims[index + 1]) * 4
        layers.append(Layer(weight, bias))
    num_pes = draw(st.integers(1, 64))
    has_bias = any(layer.bias is not None for layer in layers)
    act_frac = draw(st.integers(0, 14 if has_bias else 15))
    return layers, num_pes, act_frac, draw(st.booleans())


def codes_matrix(max_rows=80, max_cols=12):
    """Codebook indices 0..15 (0 = zero), density from empty to full, long zero runs included."""
    return st.tuples(st.integers(1, max_rows), st.integers(1, max_cols), st.sampled_from([0.0, 0.03, 0.2, 0.7, 1.0]),
                     st.integers(0, 2**32 - 1)).map(_codes)


def _codes(args):
    rows, cols, density, seed = args
    rng = np.random.default_rng(seed)
    return np.where(rng.random((rows, cols)) < density, rng.integers(1, 16, size=(rows, cols)), 0).astype(np.uint8)


# ---------------------------------------------------------------------------- obvious models
def naive_encode_matrix(codes: np.ndarray, num_pes: int):
    """Per PE p: the columns of rows p, p+N, ... one after another, and their pointers."""
    shares = []
    for pe in range(num_pes):
        local = codes[pe::num_pes]
        v, z, pointers = [], [], [0]
        for col in range(codes.shape[1]):
            cv, cz = slow_encode_column(local[:, col])
            v += cv
            z += cz
            pointers.append(len(v))
        shares.append((v, z, pointers))
    return shares


def expected_quantization(layer: Layer, options: PackOptions):
    """Codes and integer codebook as weight sharing assigns them (bias as the last column)."""
    weight = layer.weight if layer.bias is None else np.concatenate([layer.weight, layer.bias[:, None]], axis=1)
    codes, table_int, w_frac, _ = compress.share_weights(weight, None)
    return codes, np.asarray(table_int, dtype=np.int64), w_frac


# ---------------------------------------------------------------------------- properties
@PROPERTY
@given(network())
def test_load_of_pack_gives_the_quantized_matrix(net):
    layers, num_pes, act_frac, linear_last = net
    options = PackOptions(num_pes=num_pes, act_frac=act_frac, linear_last=linear_last, memory=ROOMY)
    with tempfile.TemporaryDirectory() as tmp:
        loaded = load(write_image(pack(layers, options), Path(tmp) / "img"))
    assert loaded.num_pes == num_pes and loaded.act_frac == act_frac
    for index, (layer, decoded) in enumerate(zip(layers, loaded.layers)):
        codes, table_int, w_frac = expected_quantization(layer, options)
        assert decoded.spec.w_frac == w_frac
        assert decoded.spec.bias == (layer.bias is not None)
        assert decoded.spec.relu == (not linear_last or index < len(layers) - 1)
        assert np.array_equal(decoded.code_matrix(), codes)
        assert np.array_equal(decoded.weight_int(), table_int[codes])


@PROPERTY
@given(network(), st.integers(0, 2**32 - 1), st.sampled_from(["limits", "full", "small", "sparse", "zero"]))
def test_reference_equals_slow_dense_model(net, seed, kind):
    layers, num_pes, act_frac, linear_last = net
    options = PackOptions(num_pes=num_pes, act_frac=act_frac, linear_last=linear_last, memory=ROOMY)
    with tempfile.TemporaryDirectory() as tmp:
        loaded = load(write_image(pack(layers, options), Path(tmp) / "img"))
    # The dense model's weights come from weight sharing, not from the image decoder.
    for layer, decoded in zip(layers, loaded.layers):
        codes, table_int, _ = expected_quantization(layer, options)
        assert np.array_equal(decoded.weight_int(), table_int[codes])
    rng = np.random.default_rng(seed)
    width = layers[0].weight.shape[1]
    if kind == "limits":
        a_int = rng.choice([INT16_MIN, INT16_MAX, -1, 0, 1], size=width)
    elif kind == "full":
        a_int = rng.integers(INT16_MIN, INT16_MAX + 1, size=width)
    elif kind == "small":
        a_int = rng.integers(-300, 300, size=width)
    elif kind == "sparse":
        a_int = rng.integers(INT16_MIN, INT16_MAX + 1, size=width) * (rng.random(width) < 0.2)
    else:
        a_int = np.zeros(width, dtype=np.int64)
    out = reference(loaded, a_int.astype(np.int64))
    assert out.tolist() == slow_reference(loaded, a_int)


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(hnp.arrays(np.uint8, st.integers(0, 120), elements=st.sampled_from([0] * 12 + list(range(1, 16)))))
def test_encode_column_equals_per_entry_encoder(column):
    v, z = csc.encode_column(column)
    assert (v.tolist(), z.tolist()) == slow_encode_column(column)
    # and the encoding decodes back to the column
    share = csc.PeMatrix(v=v, z=z, pointers=np.array([0, v.size]))
    rows, _, codes = csc.decode_share(share, 0, 1, max(column.size, 1))
    dense = np.zeros(column.size, dtype=np.uint8)
    dense[rows] = codes
    assert np.array_equal(dense, column)


@PROPERTY
@given(codes_matrix(), st.integers(1, 64))
def test_encode_matrix_equals_per_entry_encoder(codes, num_pes):
    shares = csc.encode_matrix(codes, num_pes)
    assert len(shares) == num_pes
    for share, (v, z, pointers) in zip(shares, naive_encode_matrix(codes, num_pes)):
        assert share.v.tolist() == v and share.z.tolist() == z and share.pointers.tolist() == pointers
    assert np.array_equal(csc.decode_matrix(shares, *codes.shape), codes)
