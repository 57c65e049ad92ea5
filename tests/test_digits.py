# SPDX-License-Identifier: Apache-2.0
"""The shipped digits network: its files, its accuracy, and that training is reproducible."""

import importlib.util
import tempfile
from pathlib import Path

import numpy as np
import pytest

from eie.apps import digits
from eie.image import load, write_image
from eie.packing.packer import pack
from eie.models.reference import reference

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "train_digits.py"


@pytest.fixture(scope="module")
def train_digits():
    spec = importlib.util.spec_from_file_location("train_digits", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def packed():
    with tempfile.TemporaryDirectory() as tmp:
        yield load(write_image(pack(digits.load_digits_model(), digits.pack_options()), Path(tmp) / "img"))


def test_stored_test_set_is_sklearns_split(train_digits):
    _, _, x_test, y_test = train_digits.load_split()
    with np.load(digits.TEST_SET_PATH) as data:
        assert np.array_equal(data["x"], x_test) and np.array_equal(data["y"], y_test)
    assert len(y_test) == 359 and set(np.unique(y_test)) == set(range(10))


def test_model_is_pruned_load_balanced():
    layers = digits.load_digits_model()
    assert [layer.weight.shape[1] for layer in layers] + [layers[-1].weight.shape[0]] == list(digits.SHAPES)
    for layer in layers:
        per_pe = [np.count_nonzero(layer.weight[pe :: digits.PES]) for pe in range(digits.PES)]
        assert len(set(per_pe)) == 1, per_pe
        assert abs(np.count_nonzero(layer.weight) / layer.weight.size - digits.DENSITY) < 0.005


def test_packing_keeps_every_trained_weight(packed):
    """The packer's pruning at the trained density is a no-op on the pruned model."""
    for layer, decoded in zip(digits.load_digits_model(), packed.layers):
        assert np.array_equal(decoded.weight() != 0, layer.weight != 0)


def test_accuracy_float_and_eie_ref(packed):
    inputs, labels = digits.load_test_set()
    float_acc = digits.accuracy(digits.float_forward(digits.load_digits_model(), inputs), labels)
    ref_acc = digits.accuracy(reference(packed, inputs), labels)
    assert float_acc >= 0.97 and ref_acc >= 0.97
    assert abs(float_acc - ref_acc) <= 0.01  # 4-bit weight sharing and 16-bit fixed point cost under a point


def test_training_is_reproducible(train_digits, monkeypatch):
    """Every step (dense, pruning, fine-tuning, quantisation-aware) for one epoch, twice: identical weights.

    The full run (~3 min) is `scripts/train_digits.py --check`, which compares with the committed files.
    """
    for name, value in (("DENSE_EPOCHS", 1), ("PRUNE_SCHEDULE", (0.1,)), ("FINE_TUNE_EPOCHS", 1),
                        ("QUANT_EPOCHS", 1)):
        monkeypatch.setattr(train_digits, name, value)
    runs = [train_digits.train(seed=0, balanced=True, log=lambda *_: None)[0] for _ in range(2)]
    for first, second in zip(*runs):
        assert np.array_equal(first.weight, second.weight) and np.array_equal(first.bias, second.bias)
    other = train_digits.train(seed=1, balanced=False, log=lambda *_: None)[0]
    assert not np.array_equal(other[0].weight, runs[0][0].weight)
