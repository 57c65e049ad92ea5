# SPDX-License-Identifier: Apache-2.0
"""Balanced row assignment: a permutation with the fixed rows per PE, better balance, same outputs.

The balanced image holds the same weights as the interleaved one, only in other
PEs, so ``eie ref`` on the two must agree bit for bit (in model order), and both
must follow the dense computation. Bad row maps in a manifest are refused.
"""

import json

import numpy as np
import pytest

from eie.image import csc
from eie.errors import EieError
from eie.fixedpoint import dequantize, quantize, requantize
from eie.image import load, write_image
from eie.packing.model_io import Layer
from eie.packing.packer import PackOptions, pack
from eie.models.reference import reference
from eie.image.row_map import check_row_map, inverse
from eie.packing.row_assign import assign_rows, slot_counts


def skewed_codes(rng, rows: int, cols: int) -> np.ndarray:
    """Row densities from 1% to 90% in an order that puts the heavy rows in a few PEs under i mod N."""
    density = np.linspace(0.01, 0.9, rows)
    density = density[np.argsort(np.arange(rows) % 5, kind="stable")]
    return ((rng.random((rows, cols)) < density[:, None]) * rng.integers(1, 16, (rows, cols))).astype(np.uint8)


def pe_entries(codes: np.ndarray, row_map: np.ndarray, num_pes: int) -> np.ndarray:
    return np.array([share.entries for share in csc.encode_matrix(codes[row_map], num_pes)])


@pytest.mark.parametrize("rows, num_pes", [(1, 4), (3, 4), (40, 4), (41, 8), (100, 7), (130, 64), (64, 64)])
def test_assignment_is_a_permutation_with_the_fixed_rows_per_pe(rows, num_pes):
    codes = skewed_codes(np.random.default_rng(rows), rows, 37)
    row_map = assign_rows(codes, num_pes, "balanced")
    assert sorted(row_map.tolist()) == list(range(rows))
    assert check_row_map(row_map.tolist(), rows) is None
    # Slot r of PE p is physical row r*N + p: the layout, and so the rows per PE, never change.
    owned = np.bincount(np.arange(rows) % num_pes, minlength=num_pes)
    assert owned.tolist() == slot_counts(rows, num_pes).tolist()
    assert owned.max() - owned.min() <= 1
    assert np.array_equal(assign_rows(codes, num_pes, "interleave"), np.arange(rows))
    assert np.array_equal(inverse(row_map)[row_map], np.arange(rows))


@pytest.mark.parametrize("num_pes", [4, 8])
def test_balance_beats_interleaving_on_a_skewed_matrix(num_pes):
    codes = skewed_codes(np.random.default_rng(num_pes), 80, 300)
    plain = pe_entries(codes, np.arange(80), num_pes)
    balanced = pe_entries(codes, assign_rows(codes, num_pes, "balanced"), num_pes)
    assert plain.sum() >= balanced.sum() > 0  # the same weights; padding can only shrink or stay
    assert balanced.max() < plain.max()
    assert np.ptp(balanced) < np.ptp(plain) / 4
    assert balanced.max() <= 1.05 * balanced.mean()


def test_padding_is_counted():
    """Rows of one tall column: each PE's cost is dominated by padding, which the assignment sees."""
    codes = np.zeros((128, 1), dtype=np.uint8)
    codes[[0, 1, 2, 3, 120, 121, 122, 123], 0] = 1
    row_map = assign_rows(codes, 4, "balanced")
    entries = pe_entries(codes, row_map, 4)
    assert entries.max() <= pe_entries(codes, np.arange(128), 4).max()
    assert np.ptp(entries) <= 1


def make_layers(rng, shapes, biases):
    layers = []
    for (rows, cols), bias in zip(shapes, biases):
        scale = np.linspace(0.05, 2.0, rows)[:, None] * (rng.random((rows, 1)) < 0.5)  # uneven rows
        layers.append(Layer(rng.normal(size=(rows, cols)) * (scale + 0.05), rng.normal(size=rows) if bias else None))
    return layers


def dense_quantized(loaded, x_int):
    """The network from each layer's dequantised weights in model order, one dense matrix product each."""
    acts = x_int
    for layer in loaded.layers:
        spec = layer.spec
        weight = layer.weight_int()  # model order, bias column last
        if spec.bias:
            acts = np.concatenate([acts, np.full((acts.shape[0], 1), 1 << loaded.act_frac)], axis=1)
        acts = requantize(acts @ weight.T, spec.w_frac, spec.relu)
    return acts


@pytest.mark.parametrize("shapes, biases, num_pes", [
    ([(37, 23)], [True], 4),
    ([(50, 31), (19, 50)], [True, False], 3),
    ([(50, 31), (19, 50)], [False, True], 8),
])
def test_ref_equals_interleaved_and_dense(tmp_path, shapes, biases, num_pes):
    rng = np.random.default_rng(num_pes + len(shapes))
    layers = make_layers(rng, shapes, biases)
    x = np.abs(rng.normal(size=(5, shapes[0][1]))) * (rng.random((5, shapes[0][1])) < 0.6)
    images = {}
    for how in ("interleave", "balanced"):
        options = PackOptions(num_pes=num_pes, density=0.4, assign_rows=how, linear_last=True)
        images[how] = load(write_image(pack(layers, options), tmp_path / how))
    plain, bal = images["interleave"], images["balanced"]
    assert bal.image.assign_rows == "balanced"
    assert any(spec.row_map != list(range(spec.out_features)) for spec in bal.image.layers)
    for a, b in zip(plain.layers, bal.layers):  # the same model, decoded in model order
        assert np.array_equal(a.code_matrix(), b.code_matrix())
        assert np.array_equal(a.weight(), b.weight())
    out = reference(bal, x)
    assert np.array_equal(out, reference(plain, x))
    x_int = quantize(x, bal.act_frac)
    assert np.array_equal(out, dense_quantized(bal, x_int))
    single = reference(bal, x[0])
    assert single.shape == (shapes[-1][0],) and np.array_equal(single, out[0])
    # Against float: only the rounding of the fixed point separates them.
    acts = x
    for layer, model in zip(bal.layers, layers):
        acts = acts @ layer.weight().T + (layer.bias() if layer.spec.bias else 0)
        acts = np.maximum(acts, 0) if layer.spec.relu else acts
    assert np.allclose(dequantize(out, bal.act_frac), acts, atol=0.05 * max(1.0, np.abs(acts).max()))


def test_cli_pack_ref_inspect(tmp_path, run_cli, mlp_file):
    np.save(tmp_path / "x.npy", np.random.default_rng(0).normal(size=(3, 30)))
    outputs = {}
    for how in ("interleave", "balanced"):
        code, out, err = run_cli("pack", mlp_file, "-o", tmp_path / how, "--pes", "4", "--density", "0.3",
                                 "--assign-rows", how)
        assert code == 0, err
        code, out, err = run_cli("inspect", tmp_path / how)
        assert code == 0 and f"rows to PEs: {how}" in out
        assert run_cli("ref", tmp_path / how, tmp_path / "x.npy", "-o", tmp_path / f"{how}.npy")[0] == 0
        outputs[how] = np.load(tmp_path / f"{how}.npy")
    assert np.array_equal(outputs["interleave"], outputs["balanced"])
    code, _, err = run_cli("pack", mlp_file, "-o", tmp_path / "x", "--pes", "4", "--assign-rows", "random")
    assert code == 2 and "invalid choice" in err  # an argparse usage error


def test_pack_options_refuse_an_unknown_assignment():
    with pytest.raises(EieError, match="row assignment 'random'"):
        pack([Layer(np.ones((3, 2)), None)], PackOptions(num_pes=2, assign_rows="random"))


# ---------------------------------------------------------------------------- bad row maps in a manifest
@pytest.fixture
def balanced_image(tmp_path, run_cli, mlp_file):
    path = tmp_path / "img"
    assert run_cli("pack", mlp_file, "-o", path, "--pes", "4", "--density", "0.3", "--assign-rows", "balanced")[0] == 0
    return path


def edit_manifest(image, change):
    manifest = json.loads((image / "manifest.json").read_text())
    change(manifest)
    (image / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("change, words", [
    (lambda m: m["layers"][0].update(row_map=m["layers"][0]["row_map"][:-1]), ["layer 0 row_map", "40 integers"]),
    (lambda m: m["layers"][1].update(row_map=m["layers"][1]["row_map"] + [12]), ["layer 1 row_map", "12 integers"]),
    (lambda m: m["layers"][0].update(row_map="0..39"), ["layer 0 row_map", "list"]),
    (lambda m: m["layers"][0]["row_map"].__setitem__(3, 1.5), ["layer 0 row_map", "integers"]),
    (lambda m: m["layers"][0]["row_map"].__setitem__(3, 40), ["layer 0 row_map", "outside 0..39"]),
    (lambda m: m["layers"][0]["row_map"].__setitem__(3, -1), ["layer 0 row_map", "outside 0..39"]),
    (lambda m: m["layers"][0]["row_map"].__setitem__(3, 10**30), ["layer 0 row_map", "outside 0..39"]),
    (lambda m: m["layers"][0]["row_map"].__setitem__(0, m["layers"][0]["row_map"][1]), ["not a permutation"]),
    (lambda m: m["layers"][1].pop("row_map"), ["layer 1 lacks row_map"]),
    (lambda m: m.update(assign_rows="random"), ["assign_rows", "random"]),
    (lambda m: m.update(assign_rows="interleave"), ["not the identity"]),
    (lambda m: m.pop("assign_rows"), ["row_map but the manifest lacks assign_rows"]),
])
def test_bad_row_maps_are_refused(tmp_path, run_cli, balanced_image, change, words):
    edit_manifest(balanced_image, change)
    with pytest.raises(EieError) as info:
        load(balanced_image)
    message = str(info.value)
    assert "\n" not in message and "corrupted or incompatible image" in message
    for word in words:
        assert word in message, message
    np.save(tmp_path / "x.npy", np.ones(30))
    code, _, err = run_cli("ref", balanced_image, tmp_path / "x.npy", "-o", tmp_path / "y.npy")
    assert code == 1 and len(err.strip().splitlines()) == 1 and ("row_map" in err or "assign_rows" in err), err


def test_a_swapped_row_map_loads_but_changes_the_order(tmp_path, balanced_image):
    """A permutation is a valid map: the loader cannot tell, the outputs move with it (documented)."""
    x = np.abs(np.random.default_rng(1).normal(size=30))
    before = reference(load(balanced_image), x)
    edit_manifest(balanced_image, lambda m: m["layers"][1]["row_map"].__setitem__(
        slice(0, 2), m["layers"][1]["row_map"][1::-1]))
    after = reference(load(balanced_image), x)
    assert sorted(before.tolist()) == sorted(after.tolist())


def test_an_image_without_row_maps_is_interleaved(tmp_path, run_cli, mlp_file):
    """Images written before the option: no assign_rows, no row_map; they load as interleaved."""
    path = tmp_path / "old"
    assert run_cli("pack", mlp_file, "-o", path, "--pes", "4", "--density", "0.3")[0] == 0
    x = np.ones(30)
    expected = reference(load(path), x)

    def strip(m):
        m.pop("assign_rows")
        for layer in m["layers"]:
            layer.pop("row_map")

    edit_manifest(path, strip)
    loaded = load(path)
    assert loaded.image.assign_rows == "interleave"
    assert np.array_equal(reference(loaded, x), expected)


def test_bench_compares_the_two_assignments():
    from eie.apps.bench import BenchLayer, fixed_input, make_input, metrics, model_only, pack_layer
    from eie.apps.bench_report import balanced_rows, row_assignment, row_assignment_table

    layer = BenchLayer("small", 300, 90, 0.2, 0.5, 1.0)
    image, _ = pack_layer(layer, 8, False, seed=2)
    plain = metrics(layer, model_only(image), fixed_input(image, make_input(layer, 2)), 8, None)
    (row,) = row_assignment([plain], balanced_rows([layer], 8, 8, 2))
    assert row["interleave_cycles"] == plain["cycles"] and row["broadcast_bound"] == 150
    assert row["balanced_busiest_pe_bound"] <= row["interleave_busiest_pe_bound"]
    bound = max(row["balanced_average_bound"], row["broadcast_bound"])
    assert row["balanced_over_bound"] == pytest.approx(row["balanced_cycles"] / bound - 1)
    assert "| small |" in row_assignment_table([row])


def uneven_codes(seed: int, rows: int, cols: int) -> np.ndarray:
    """25 % non-zeros, rows from about half to 1.5x the mean (coefficient of variation about 0.13)."""
    rng = np.random.default_rng(seed)
    scale = np.clip(rng.normal(1, 0.13, rows), 0.5, 1.5)
    return ((rng.random((rows, cols)) < 0.25 * scale[:, None]) * rng.integers(1, 16, (rows, cols))).astype(np.uint8)


def all_column_slots(codes: np.ndarray, row_map: np.ndarray, num_pes: int) -> np.ndarray:
    """Each PE's issue slots over every column (merged paddings not counted), as the cycle model counts them."""
    from eie.image import MemoryConfig, build_image, decode
    from eie.models.perf import column_counts

    meta = {"in_features": codes.shape[1], "bias": False, "relu": False, "w_frac": 0, "codebook_int": [0] * 16,
            "codebook_float": [0.0] * 16, "row_map": row_map}
    memory = MemoryConfig(spmat_words=1 << 20, ptr_bank_depth=1 << 12, act_depth=1 << 12)
    image = build_image([codes[row_map]], [meta], num_pes, 8, memory, {}, "balanced")
    return column_counts(decode(image), 0).slots.sum(axis=1)


@pytest.mark.parametrize("rows, cols, num_pes", [(1024, 512, 64), (520, 300, 64), (2048, 700, 64), (2048, 512, 128)])
def test_balanced_brings_the_busiest_pe_within_0_3_percent_of_the_mean(rows, cols, num_pes):
    """At least 8 rows per PE: the all-column maximum of issue slots within 0.3 % of the mean."""
    codes = uneven_codes(rows + num_pes, rows, cols)
    slots = all_column_slots(codes, assign_rows(codes, num_pes, "balanced"), num_pes)
    plain = all_column_slots(codes, np.arange(rows), num_pes)
    assert slots.max() <= 1.003 * slots.mean() < plain.max()
