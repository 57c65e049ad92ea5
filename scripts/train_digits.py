#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Train, prune and fine-tune the digits MLP (64-256-128-10, ReLU) and write python/eie/data/.

Numpy only, full determinism from --seed: dense training with Adam, then
iterative magnitude pruning down to eie.apps.digits.DENSITY with fine-tuning after
each step (pruned weights stay zero, biases stay dense). Pruning is the
packer's own (eie.packing.compress): load-balanced for eie.apps.digits.PES PEs by default,
plain magnitude pruning with --unbalanced. The float model and the held-out
test set (every fifth sample of sklearn's bundled digits; no download) are
written where eie.apps.digits reads them; --check retrains and compares with the
committed files instead of writing.

    .venv/bin/python scripts/train_digits.py            # about 3 min of CPU
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from eie.packing import compress
from eie.apps import digits
from eie.fixedpoint import dequantize
from eie.image import load, write_image
from eie.packing.model_io import Layer, load_model
from eie.packing.packer import pack
from eie.models.reference import reference

SEED = 0
DENSE_EPOCHS = 60
PRUNE_SCHEDULE = (0.5, 0.3, 0.2, 0.15, 0.1)  # fractions of weights kept, ends at digits.DENSITY
FINE_TUNE_EPOCHS = 20
QUANT_EPOCHS = 10
BATCH = 32
LEARNING_RATE = 1e-3
FINE_TUNE_RATE = 3e-4
WEIGHT_DECAY = 1e-4


class Mlp:
    """ReLU MLP with Adam; ``masks`` keep pruned weights at zero through fine-tuning."""

    def __init__(self, shapes, rng):
        self.weights = [rng.normal(size=(o, i)) * np.sqrt(2.0 / i) for i, o in zip(shapes[:-1], shapes[1:])]
        self.biases = [np.zeros(o) for o in shapes[1:]]
        self.masks = [np.ones_like(w) for w in self.weights]
        self.quantize = False
        self._reset_adam()

    def _reset_adam(self):
        self.params = [*self.weights, *self.biases]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.step = 0

    def layers(self) -> list[Layer]:
        return [Layer(w * m, b) for w, m, b in zip(self.weights, self.masks, self.biases)]

    def logits(self, x):
        return digits.float_forward(self.layers(), x)

    def train_epoch(self, x, y, rng, rate):
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            batch = order[start : start + BATCH]
            self._adam(self._gradients(x[batch], y[batch]), rate)

    def _full(self, k):
        return np.concatenate([self.weights[k] * self.masks[k], self.biases[k][:, None]], axis=1)

    def update_codebooks(self):
        """The packer's k-means per layer; once an epoch, as it is the costly part."""
        self.codebooks = [compress.kmeans_codebook(self._full(k)[self._full(k) != 0]) for k in range(len(self.weights))]

    def shared(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(weight, bias) of each layer as the packer stores them: 4-bit codes into a 16-bit codebook."""
        out = []
        for k, centroids in enumerate(self.codebooks):
            codes, table_int, w_frac, _ = compress.share_weights(self._full(k), centroids)
            full = dequantize(table_int[codes], w_frac)
            out.append((full[:, :-1], full[:, -1]))
        return out

    def _gradients(self, x, y):
        # Quantisation-aware fine-tuning: forward and backward through the shared
        # weights, updates applied to the float weights (straight-through).
        params = self.shared() if self.quantize else list(zip(self.weights, self.biases))
        acts = [x]
        for k, (w, b) in enumerate(params):
            z = acts[-1] @ w.T + b
            acts.append(np.maximum(z, 0.0) if k < len(self.weights) - 1 else z)
        logits = acts[-1] - acts[-1].max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        delta = prob
        delta[np.arange(len(y)), y] -= 1.0
        delta /= len(y)
        grads_w, grads_b = [], []
        for k in range(len(self.weights) - 1, -1, -1):
            grads_w.insert(0, (delta.T @ acts[k] + WEIGHT_DECAY * self.weights[k]) * self.masks[k])
            grads_b.insert(0, delta.sum(axis=0))
            if k:
                delta = (delta @ params[k][0]) * (acts[k] > 0)
        return [*grads_w, *grads_b]

    def _adam(self, grads, rate, beta1=0.9, beta2=0.999, eps=1e-8):
        self.step += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            p -= rate * (m / (1 - beta1**self.step)) / (np.sqrt(v / (1 - beta2**self.step)) + eps)
        for w, mask in zip(self.weights, self.masks):
            w *= mask

    def prune(self, density, balanced):
        for k, w in enumerate(self.weights):
            kept = compress.prune_balanced(w, density, digits.PES) if balanced else compress.prune(w, density)
            self.masks[k] = (kept != 0).astype(np.float64)
            w *= self.masks[k]
        self._reset_adam()


def load_split():
    from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

    data = load_digits()
    pixels, labels = data.data.astype(np.uint8), data.target.astype(np.int64)
    train, test = digits.split_indices(len(labels))
    return pixels[train], labels[train], pixels[test], labels[test]


def quantized_accuracy(layers, x, y) -> float:
    """Accuracy of eie ref on the packed model (the RTL equals it bit for bit)."""
    with tempfile.TemporaryDirectory() as tmp:
        loaded = load(write_image(pack(layers, digits.pack_options()), Path(tmp) / "img"))
        return digits.accuracy(reference(loaded, x), y)


def train(seed: int, balanced: bool, log=print):
    x_train_px, y_train, x_test_px, y_test = load_split()
    x_train, x_test = digits.scale_pixels(x_train_px), digits.scale_pixels(x_test_px)
    rng = np.random.default_rng(seed)
    net = Mlp(digits.SHAPES, rng)
    for _ in range(DENSE_EPOCHS):
        net.train_epoch(x_train, y_train, rng, LEARNING_RATE)
    log(f"dense:         train {digits.accuracy(net.logits(x_train), y_train):.4f}  "
        f"test {digits.accuracy(net.logits(x_test), y_test):.4f}")
    for density in PRUNE_SCHEDULE:
        net.prune(density, balanced)
        pruned_test = digits.accuracy(net.logits(x_test), y_test)
        for _ in range(FINE_TUNE_EPOCHS):
            net.train_epoch(x_train, y_train, rng, FINE_TUNE_RATE)
        log(f"density {density:4.2f}: test {pruned_test:.4f} after pruning, "
            f"{digits.accuracy(net.logits(x_test), y_test):.4f} after fine-tuning")
    net.quantize = True
    net._reset_adam()
    for _ in range(QUANT_EPOCHS):
        net.update_codebooks()
        net.train_epoch(x_train, y_train, rng, FINE_TUNE_RATE)
    # Rounded to float32 here, as saved, so the accuracies below are those of the file.
    layers = [Layer(l.weight.astype(np.float32).astype(np.float64), l.bias.astype(np.float32).astype(np.float64))
              for l in net.layers()]
    log(f"pruned float:  test {digits.accuracy(digits.float_forward(layers, x_test), y_test):.4f}")
    log(f"packed (eie ref, {digits.PES} PEs, 4-bit shared weights): test "
        f"{quantized_accuracy(layers, x_test, y_test):.4f}")
    return layers, x_test_px, y_test


def save_model(layers: list[Layer], path: Path) -> None:
    # float32 and compressed: the pruned zeros cost almost nothing.
    arrays = {}
    for k, layer in enumerate(layers):
        arrays[f"W{k}"] = layer.weight.astype(np.float32)
        arrays[f"b{k}"] = layer.bias.astype(np.float32)
    np.savez_compressed(path, **arrays)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--unbalanced", action="store_true", help="plain magnitude pruning instead of load-balanced")
    parser.add_argument("--out-dir", type=Path, default=digits.DATA_DIR, help="where to write the two .npz files")
    parser.add_argument("--check", action="store_true",
                        help="retrain and compare with the committed model and test set; write nothing")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    layers, x_test, y_test = train(args.seed, not args.unbalanced)
    if args.check:
        committed = load_model(digits.MODEL_PATH)
        with np.load(digits.TEST_SET_PATH) as data:
            same_test = np.array_equal(data["x"], x_test) and np.array_equal(data["y"], y_test)
        same_model = all(
            np.array_equal(a.weight, b.weight) and np.array_equal(a.bias, b.bias)
            for a, b in zip(committed, layers)
        )
        print(f"test set {'matches' if same_test else 'DIFFERS'}, model {'matches' if same_model else 'DIFFERS'}")
        return 0 if same_test and same_model else 1
    args.out_dir.mkdir(parents=True, exist_ok=True)
    save_model(layers, args.out_dir / digits.MODEL_PATH.name)
    np.savez_compressed(args.out_dir / digits.TEST_SET_PATH.name, x=x_test, y=y_test.astype(np.uint8))
    print(f"wrote {args.out_dir / digits.MODEL_PATH.name} and {digits.TEST_SET_PATH.name} "
          f"in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
