# SPDX-License-Identifier: Apache-2.0
"""``eie ref``: the bit-exact model of the core, computed from a decoded image.

Integer arithmetic throughout: each layer sums codebook weight x activation
products exactly (float64 holds every partial sum exactly, since products are
below 2**31 and sums below 2**53), then applies the write-back of
``eie.fixedpoint.requantize``. Vectorised over the non-zeros with np.bincount.

``trace`` is the one forward pass: per layer its input, exact accumulators and
output, in physical row order, as the activation files hold them; the cycle
model, ``eie sim``'s ideal bounds and the coverage model read it.
``run_layers`` is the core's view of the result (eie.sim.tb.core_check compares the
RTL's files with it).
``reference`` is the user's: outputs in the model's row order, whatever the
image's row assignment (``eie.packing.row_assign``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eie.errors import EieError
from eie.fixedpoint import INT16_MAX, INT16_MIN, quantize, requantize
from eie.image import DecodedLayer, LoadedImage


def input_to_fixed(values: np.ndarray, act_frac: int) -> np.ndarray:
    """Floats are quantised to activations; integer arrays are taken as raw activations."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        return quantize(values, act_frac)
    if values.size and (values.min() < INT16_MIN or values.max() > INT16_MAX):
        raise EieError("an integer input is outside the 16-bit activation range")
    return values.astype(np.int64)


def layer_accumulators(layer: DecodedLayer, acts: np.ndarray, act_frac: int) -> np.ndarray:
    """Exact accumulators (batch x out) of one layer for integer activations (batch x in)."""
    spec = layer.spec
    batch = acts.shape[0]
    if spec.bias:
        acts = np.concatenate([acts, np.full((batch, 1), 1 << act_frac, dtype=np.int64)], axis=1)
    weights = layer.codebook_int[layer.codes].astype(np.float64)
    acc = np.empty((batch, spec.out_features), dtype=np.int64)
    for b in range(batch):  # one pass over the non-zeros per input vector
        products = weights * acts[b, layer.cols].astype(np.float64)
        acc[b] = np.rint(np.bincount(layer.rows, weights=products, minlength=spec.out_features)).astype(np.int64)
    return acc


@dataclass
class LayerTrace:
    """One layer of a forward pass, batch x features, physical row order."""

    layer: DecodedLayer
    inputs: np.ndarray  # integer activations into the layer
    accumulators: np.ndarray  # exact sums, bias included
    outputs: np.ndarray  # after the write-back (requantize)


def _forward(image: LoadedImage, acts: np.ndarray, layers: list[DecodedLayer]):
    """Integer activations (batch x in, or one vector) through ``layers``, one LayerTrace at a time."""
    acts = np.asarray(acts, dtype=np.int64).reshape(-1, image.image.in_features)
    for layer in layers:
        acc = layer_accumulators(layer, acts, image.act_frac)
        out = requantize(acc, layer.spec.w_frac, layer.spec.relu)
        yield LayerTrace(layer, acts, acc, out)
        acts = out


def trace(image: LoadedImage, acts: np.ndarray) -> list[LayerTrace]:
    """Integer activations (batch x in, or one vector) through every layer, keeping each step."""
    return list(_forward(image, acts, image.layers))


def layer_inputs(image: LoadedImage, acts: np.ndarray) -> list[np.ndarray]:
    """Each layer's integer input (batch x in): ``trace`` without the last layer's sums,
    which the cycle model does not need (on a one-layer image, no arithmetic at all)."""
    first = np.asarray(acts, dtype=np.int64).reshape(-1, image.image.in_features)
    return [first, *(step.outputs for step in _forward(image, first, image.layers[:-1]))]


def run_layers(image: LoadedImage, acts: np.ndarray, keep_all: bool = False):
    """Integer activations (batch x in) through every layer; returns the last output (or all).

    Outputs are in physical row order (the image's row maps not undone).
    """
    outputs = [step.outputs for step in trace(image, acts)]
    return outputs if keep_all else outputs[-1]


def reference(image: LoadedImage, inputs: np.ndarray) -> np.ndarray:
    """Outputs as int16 raw activations in model row order, with the same leading shape as ``inputs``."""
    inputs = np.asarray(inputs)
    if inputs.shape[-1] != image.image.in_features or inputs.ndim not in (1, 2):
        raise EieError(
            f"input of shape {inputs.shape} does not match the network's {image.image.in_features} inputs"
        )
    acts = input_to_fixed(inputs, image.act_frac).reshape(-1, inputs.shape[-1])
    out = image.to_model_order(run_layers(image, acts)).astype(np.int16)
    return out.reshape(inputs.shape[:-1] + (out.shape[-1],))
