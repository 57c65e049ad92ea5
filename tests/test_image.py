# SPDX-License-Identifier: Apache-2.0
"""pack -> write -> load reproduces the quantised network exactly."""

import json

import numpy as np
import pytest

from eie.packing import compress
from eie.fixedpoint import dequantize
from eie.image import MemoryConfig, load, write_image
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, pack


def quantised_by_steps(weight, bias, options):
    """The expected quantised matrix, from the compression steps called directly."""
    pruned = compress.prune(weight, options.density) if options.density else weight
    full = pruned if bias is None else np.concatenate([pruned, bias[:, None]], axis=1)
    codes, table_int, w_frac, _ = compress.share_weights(full, None)
    return dequantize(table_int[codes], w_frac), codes


SHAPES = [(1, 1), (1, 50), (50, 1), (17, 33), (64, 64), (130, 20)]


@pytest.mark.parametrize("num_pes", [1, 2, 3, 4, 7, 8, 64])
@pytest.mark.parametrize("density", [0.01, 0.1, 0.5, 1.0])
def test_round_trip(tmp_path, num_pes, density):
    rng = np.random.default_rng(num_pes * 1000 + int(density * 100))
    for index, (rows, cols) in enumerate(SHAPES):
        weight = rng.normal(size=(rows, cols))
        bias = rng.normal(size=rows) if index % 2 else None
        options = PackOptions(num_pes=num_pes, density=density)
        image = pack([Layer(weight, bias)], options)
        loaded = load(write_image(image, tmp_path / f"img{index}"))
        expected, codes = quantised_by_steps(weight, bias, options)
        layer = loaded.layers[0]
        assert (layer.code_matrix() == codes).all()
        assert np.array_equal(layer.weight(), expected[:, :cols])
        if bias is not None:
            assert np.array_equal(layer.bias(), expected[:, cols])
        assert layer.spec.nonzeros == np.count_nonzero(codes)


def test_pruning_keeps_the_largest_magnitudes():
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(50, 40))
    pruned = compress.prune(weight, 0.1)
    kept = np.abs(weight[pruned != 0])
    dropped = np.abs(weight[pruned == 0])
    assert np.count_nonzero(pruned) == 200
    assert kept.min() >= dropped.max()


@pytest.mark.parametrize("num_pes", [1, 3, 8])
def test_balanced_pruning_equalises_pes(num_pes):
    rng = np.random.default_rng(num_pes)
    weight = rng.normal(size=(48, 30)) * np.linspace(0.1, 3, 48)[:, None]  # rows of unequal scale
    pruned = compress.prune_balanced(weight, 0.2, num_pes)
    per_pe = [np.count_nonzero(pruned[pe::num_pes]) for pe in range(num_pes)]
    assert len(set(per_pe)) == 1
    assert per_pe[0] == round(0.2 * weight.size / num_pes)


def test_kmeans_uses_at_most_15_values_and_reserves_zero():
    rng = np.random.default_rng(1)
    weight = compress.prune(rng.normal(size=(80, 80)), 0.3)
    codes, table_int, w_frac, table = compress.share_weights(weight, None)
    assert table[0] == 0 and table_int[0] == 0
    assert codes.max() <= 15
    assert ((codes == 0) == (weight == 0)).all()
    # every weight went to its nearest centroid
    nearest = np.abs(weight[weight != 0][:, None] - table[1:][None, :]).argmin(axis=1) + 1
    assert (codes[weight != 0] == nearest).all()


def test_weights_already_shared_keep_their_values():
    """A quantised layer (here 15 values, three of them close together) is not blurred by k-means."""
    rng = np.random.default_rng(2)
    values = np.array([-8, -7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7]) * 0.013
    values[-3:] = [0.1, 0.11, 0.12]
    weight = rng.choice(np.concatenate([values, [0.0]]), size=(40, 30), p=[0.02] * 15 + [0.7])
    codes, _, _, table = compress.share_weights(weight, None)
    assert np.array_equal(table[1:], np.sort(values))
    assert np.array_equal(table[codes], weight)


def test_multi_layer_layout(tmp_path):
    rng = np.random.default_rng(5)
    layers = [Layer(rng.normal(size=(20, 9)), rng.normal(size=20)), Layer(rng.normal(size=(7, 20)), None)]
    image = pack(layers, PackOptions(num_pes=3, density=0.5, linear_last=True))
    loaded = load(write_image(image, tmp_path / "img"))
    specs = [layer.spec for layer in loaded.layers]
    assert specs[0].ptr_base == 0 and specs[1].ptr_base % 2 == 0 and specs[1].ptr_base >= 11
    assert specs[0].relu and not specs[1].relu
    for pe in range(3):
        # layer 1's pointers start where layer 0's entries end
        assert image.pointers[pe][specs[1].ptr_base] == specs[0].entries[pe]
    manifest = json.loads((tmp_path / "img" / "manifest.json").read_text())
    assert manifest["usage"]["spmat_words"]["available"] == MemoryConfig().spmat_words
    assert len(manifest["layers"][0]["codebook_int"]) == 16


def test_memory_words_hold_eight_entries_little_slot_first(tmp_path):
    codes = np.zeros((1, 9), dtype=np.float64)
    codes[0, :] = 1.0  # nine equal non-zeros: one codebook value, code 1, z=0
    image = pack([Layer(codes.T.copy(), None)], PackOptions(num_pes=1))
    words = image.spmat[0]
    assert words.size == 2
    assert int(words[0]) == 0x1010101010101010  # eight entries {v=1, z=0}
    assert int(words[1]) == 0x10


@pytest.mark.parametrize("kind", ["normal", "cauchy", "few-values", "huge-span", "outlier", "constant"])
def test_sorted_values_is_numpy_sort(kind):
    """k-means' bucket sort gives np.sort's array exactly (its prefix sums, so the codebook, depend on it)."""
    rng = np.random.default_rng(4)
    size = compress.SORT_BUCKETS * 20
    data = {
        "normal": rng.normal(size=size),
        "cauchy": rng.standard_cauchy(size=size),
        "few-values": rng.integers(-3, 4, size=size) * 0.25,
        "huge-span": rng.normal(size=size) * 10.0 ** rng.integers(-300, 300, size=size),
        "outlier": np.concatenate([rng.random(size - 1), [1e6]]),
        "constant": np.full(size, 0.5),
    }[kind]
    assert np.array_equal(compress.sorted_values(data), np.sort(data))


def test_codes_are_the_binary_search_of_the_midpoints():
    rng = np.random.default_rng(6)
    centroids = np.sort(rng.normal(size=15))
    values = np.concatenate([rng.normal(size=5000), (centroids[1:] + centroids[:-1]) / 2.0, centroids])
    expected = np.searchsorted((centroids[1:] + centroids[:-1]) / 2.0, values, side="left") + 1
    assert np.array_equal(compress.assign_codes(values, centroids), expected)
