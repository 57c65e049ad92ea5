# SPDX-License-Identifier: Apache-2.0
"""The digits network: a pruned 64-256-128-10 MLP trained on scikit-learn's handwritten digits.

``scripts/train_digits.py`` writes the two files of ``eie/data/`` from a fixed
seed; everything else (``make sim``, ``make demo``, the tests) reads them:

- ``digits_mlp.npz``: the float model in ``eie pack``'s format (W0, b0, ...),
  pruned load-balanced for ``PES`` PEs to ``DENSITY`` of the weights (biases dense).
- ``digits_test.npz``: the held-out test set, ``x`` (uint8 pixels 0..16, 8 x 8
  images flattened) and ``y`` (labels). It is every fifth sample of
  ``sklearn.datasets.load_digits`` (index % 5 == 4), so it can be recomputed,
  but it is stored so that the demo needs no scikit-learn and cannot drift with it.

Inputs are pixels / 16, which lie on the activation grid (8 fraction bits) exactly.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import numpy as np

from eie.image import MemoryConfig
from eie.packing.model_io import Layer, load_model
from eie.packing.packer import PackOptions

# Package data: a folder both in a checkout and in an installed wheel.
DATA_DIR = Path(importlib.resources.files("eie") / "data")
MODEL_PATH = DATA_DIR / "digits_mlp.npz"
TEST_SET_PATH = DATA_DIR / "digits_test.npz"

SHAPES = (64, 256, 128, 10)
PES = 8
DENSITY = 0.1
TEST_EVERY = 5  # sample i is held out when i % TEST_EVERY == TEST_EVERY - 1
PIXEL_MAX = 16.0
# The same core as tb/test_core.py's N = 8 case, so the regression builds it once.
MEMORY = MemoryConfig(spmat_words=512, ptr_bank_depth=256, act_depth=32, max_layers=4)


def pack_options() -> PackOptions:
    """How the shipped model is packed: the same pruning it was trained with is a no-op here."""
    return PackOptions(num_pes=PES, density=DENSITY, balanced=True, linear_last=True, memory=MEMORY)


def split_indices(count: int) -> tuple[np.ndarray, np.ndarray]:
    index = np.arange(count)
    test = index % TEST_EVERY == TEST_EVERY - 1
    return index[~test], index[test]


def scale_pixels(pixels: np.ndarray) -> np.ndarray:
    return np.asarray(pixels, dtype=np.float64) / PIXEL_MAX


def load_test_set() -> tuple[np.ndarray, np.ndarray]:
    """(inputs as floats in [0, 1], labels)."""
    with np.load(TEST_SET_PATH, allow_pickle=False) as data:
        return scale_pixels(data["x"]), data["y"].astype(np.int64)


def load_digits_model() -> list[Layer]:
    return load_model(MODEL_PATH)


def float_forward(layers: list[Layer], inputs: np.ndarray) -> np.ndarray:
    """Logits of the float model: ReLU after every layer but the last."""
    acts = np.asarray(inputs, dtype=np.float64)
    for index, layer in enumerate(layers):
        acts = acts @ layer.weight.T + (0.0 if layer.bias is None else layer.bias)
        if index < len(layers) - 1:
            acts = np.maximum(acts, 0.0)
    return acts


def predictions(logits: np.ndarray) -> np.ndarray:
    """Class of each row; ties go to the lowest class, the same for float and integer logits."""
    return np.argmax(np.asarray(logits), axis=-1)


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(predictions(logits) == labels))
