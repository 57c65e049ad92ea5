# SPDX-License-Identifier: Apache-2.0
"""``import eie``: the everyday verbs on an image in memory agree with the library on the written image."""

import subprocess
import sys

import numpy as np
import pytest

import eie
from eie.errors import EieError
from eie.image import Image, load, write_image
from eie.models import energy, perf, reference
from eie.models.reference import input_to_fixed
from eie.packing.model_io import Layer


def tiny_layers(seed: int = 5) -> list[Layer]:
    rng = np.random.default_rng(seed)
    return [Layer(rng.normal(size=(16, 12)), rng.normal(size=16) * 0.1), Layer(rng.normal(size=(6, 16)), None)]


@pytest.fixture
def packed(tmp_path):
    """(the image in memory, the same image written and loaded back, inputs)."""
    image = eie.pack(tiny_layers(), num_pes=2, density=0.5)
    write_image(image, tmp_path / "img")
    x = np.random.default_rng(9).uniform(-1, 1, size=(3, 12))
    return image, load(tmp_path / "img"), x


def test_pack_returns_an_image_in_memory(packed):
    image, loaded, _ = packed
    assert isinstance(image, Image)
    assert image.num_pes == 2 and len(image.layers) == 2


def test_load_model_reads_a_model_file(tmp_path):
    layers = tiny_layers()
    np.savez(tmp_path / "m.npz", W0=layers[0].weight, b0=layers[0].bias, W1=layers[1].weight)
    read = eie.load_model(tmp_path / "m.npz")
    assert [layer.weight.shape for layer in read] == [(16, 12), (6, 16)]
    np.testing.assert_array_equal(read[0].weight, layers[0].weight)


def test_reference_in_memory_equals_the_written_image(packed):
    image, loaded, x = packed
    np.testing.assert_array_equal(eie.reference(image, x), reference.reference(loaded, x))
    np.testing.assert_array_equal(eie.reference(image, x[0]), reference.reference(loaded, x[0]))


def test_predict_in_memory_equals_the_cycle_model_on_the_written_image(packed):
    image, loaded, x = packed
    row = input_to_fixed(x[0], loaded.act_frac)
    expected = perf.predict(loaded, row)
    got = eie.predict(image, x[0])
    assert got.cycles == expected.cycles > 0
    assert [layer.cycles for layer in got.layers] == [layer.cycles for layer in expected.layers]


def test_predict_refuses_a_batch(packed):
    image, _, x = packed
    with pytest.raises(EieError, match="one inference"):
        eie.predict(image, x)


def test_energy_in_memory_equals_the_energy_model_on_the_written_image(packed):
    image, loaded, x = packed
    acts = input_to_fixed(x, loaded.act_frac)
    for clock in (energy.DEFAULT_CLOCK_MHZ, 400.0):
        expected = energy.model_energy(loaded, acts, clock)
        got = eie.energy(image, x, clock_mhz=clock)
        assert got.total_pj == pytest.approx(expected.total_pj, rel=0) and got.total_pj > 0
        assert got.inferences == expected.inferences == len(x)


def test_idle_cycles_count_each_run_exactly_and_never_go_negative(packed):
    """With overlapped layers a PE's busy cycles may spill into the next layer's: the
    energy model's idle count stays >= 0 per layer and over a run is its compute
    cycles less busy."""
    _, loaded, x = packed
    spilled = False
    for row in input_to_fixed(x, loaded.act_frac):
        run = perf.predict(loaded, row)
        segments = energy.timing_segments(run)
        for layer, segment in zip(run.layers, segments, strict=True):
            assert (np.asarray(segment.pe["idle_cycles"]) >= 0).all()
            spilled |= bool((layer.busy > layer.compute_cycles).any())
        total_idle = sum(np.asarray(segment.pe["idle_cycles"]) for segment in segments)
        total = sum(layer.compute_cycles for layer in run.layers)
        assert (total_idle == total - sum(layer.busy for layer in run.layers)).all()
    assert spilled  # the case the carry exists for


def test_bad_input_is_one_line(packed):
    image, _, _ = packed
    with pytest.raises(EieError, match="does not match the network's 12 inputs"):
        eie.energy(image, np.zeros(5))


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'no_such_verb'"):
        eie.no_such_verb  # noqa: B018
    assert set(eie.__all__) <= set(dir(eie))
    assert all(getattr(eie, name).__doc__ for name in eie.__all__)


def test_import_eie_is_cheap():
    code = ("import sys, eie; eie.__version__; "
            "print(sorted(m for m in ('cocotb', 'matplotlib', 'onnx', 'eie.api') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_simulate_in_memory_equals_reference(packed, monkeypatch):
    monkeypatch.delenv("WAVES", raising=False)
    image, _, x = packed
    outputs, report = eie.simulate(image, x[:2], sim="icarus", verbose=False)
    np.testing.assert_array_equal(outputs, eie.reference(image, x[:2]))
    assert report["matches_reference"]
