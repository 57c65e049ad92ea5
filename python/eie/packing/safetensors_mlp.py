# SPDX-License-Identifier: Apache-2.0
"""Reading an MLP from a safetensors file: a PyTorch state_dict of Linear layers.

Every tensor is ``<name>.weight`` (out x in) or ``<name>.bias`` (out) of a
Linear layer ``<name>`` (a bare ``weight``/``bias`` is one layer with an empty
name); anything else is an error. Tensors are float: F16, BF16, F32 or F64.
As with a .pt state_dict, the file cannot say whether a ReLU follows the last
layer (``Layer.relu`` stays None; ``eie pack --linear-last`` says so).

Layer order: a safetensors file keeps no order (safetensors sorts its header by
dtype and name), so the layers are ordered by their names as nn.Sequential
numbers them: each name is cut into runs of ASCII digits and runs of other
characters, and names compare run by run, digit runs as numbers — ``0 < 2 <
10``, ``fc1 < fc2 < fc10``, ``net.0 < net.2 < net.10``. Two neighbouring names
must first differ in a number; names that differ first in a word
(``encoder.0`` and ``decoder.0``, ``hidden`` and ``out``) or only in leading
zeros say nothing about their order and are refused rather than guessed.

The header is read and checked (JSON, dtypes, shapes, offsets within the file,
the sum of the tensor sizes against :data:`eie.packing.model_io.MAX_ARRAY_BYTES`)
before any tensor data is read; the tensors are then read one at a time by
safetensors' ``safe_open`` with its numpy framework (as ``safetensors.numpy.load_file``
does), but for BF16, which numpy has no type for: those are read here and
widened to float32, as the .pt reader does.
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
from pathlib import Path

import numpy as np

from eie.errors import EieError
from eie.extras import require
from eie.packing import model_io
from eie.packing.model_io import Layer, as_bias, as_matrix, bfloat16_to_float32, shown, size_text

# safetensors' own bound on the header (its MAX_HEADER_SIZE), so that a file the
# library would refuse is refused here too, before its JSON is read.
MAX_HEADER_BYTES = 100_000_000

# The dtypes read, as their little-endian numpy twins (BF16 as its raw 16 bits).
_FLOAT_DTYPES = {"F16": "<f2", "BF16": "<u2", "F32": "<f4", "F64": "<f8"}
_RUNS = re.compile(r"([0-9]+)", re.ASCII)


def _import_safetensors():
    require("safetensors", "reading a .safetensors model")
    import safetensors

    return safetensors


def order_key(name: str) -> tuple:
    """``name`` as runs of text and numbers: ``'net.10'`` -> ``('net.', 10, '')`` (see the module docstring)."""
    return tuple(int(run) if k % 2 else run for k, run in enumerate(_RUNS.split(name)))


def _check_order(path: Path, names: list[str]) -> list[str]:
    """``names`` in layer order; two neighbours whose names do not tell their order are refused."""
    ordered = sorted(names, key=order_key)
    for first, second in zip(ordered, ordered[1:]):
        a, b = order_key(first), order_key(second)
        differ = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), None)
        if differ is None or differ % 2 == 0:
            raise EieError(f"{path}: the names of layers '{shown(first, 40)}' and '{shown(second, 40)}' do not tell "
                           f"their order (eie orders layers by the numbers in their names, as nn.Sequential numbers "
                           f"them: 0, 2, ... or fc1, fc2, ...)")
    return ordered


def _unique_keys(pairs: list) -> dict:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key appears twice")
    return dict(pairs)


def _check_entry(where: str, key: str, entry, data_bytes: int) -> None:
    """One header entry: the weight or bias of a Linear layer, float, its data within the file."""
    kind = key.rpartition(".")[2]
    if kind not in ("weight", "bias"):
        raise EieError(f"{where} is not the weight or bias of a Linear layer")
    dtype = entry.get("dtype") if isinstance(entry, dict) else None
    shape = entry.get("shape") if isinstance(entry, dict) else None
    offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
    if not isinstance(dtype, str) or not isinstance(shape, list) or not isinstance(offsets, list):
        raise EieError(f"{where} is not a safetensors tensor entry (dtype, shape and data_offsets)")
    if dtype not in _FLOAT_DTYPES:
        raise EieError(f"{where} is {shown(dtype, 20)}, not a float tensor (eie reads {', '.join(_FLOAT_DTYPES)})")
    if len(shape) > 32 or not all(type(d) is int and d >= 0 for d in shape) or len(offsets) != 2 \
            or not all(type(v) is int for v in offsets):
        raise EieError(f"{where} is not a safetensors tensor entry (a malformed shape or data_offsets)")
    begin, end = offsets
    if not 0 <= begin <= end <= data_bytes or end - begin != math.prod(shape) * np.dtype(_FLOAT_DTYPES[dtype]).itemsize:
        raise EieError(f"{where}: its data_offsets {begin}..{end} do not hold a {dtype} tensor of shape "
                       f"{tuple(shape)} within the file's {data_bytes} bytes of data (truncated or damaged)")
    if kind == "weight" and len(shape) != 2:
        raise EieError(f"{where} is a {len(shape)}-D tensor; eie runs only nn.Linear layers (2-D weights)")


def _header(path: Path, f, size: int) -> dict:
    """The header's tensor entries by name, each checked against the file; no tensor data is read."""
    if size < 8:
        raise EieError(f"{path}: not a safetensors file (shorter than its 8-byte header length)")
    (length,) = struct.unpack("<Q", f.read(8))
    if length > MAX_HEADER_BYTES or 8 + length > size:
        raise EieError(f"{path}: not a safetensors file (a header of {size_text(length)} in a file of "
                       f"{size_text(size)})")
    try:
        header = json.loads(f.read(length).decode("utf-8"), object_pairs_hook=_unique_keys)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise EieError(f"{path}: not a safetensors file (its header is not JSON: {shown(exc, 60)})") from None
    if not isinstance(header, dict):
        raise EieError(f"{path}: not a safetensors file (its header is not a JSON object)")
    header.pop("__metadata__", None)
    for key, entry in header.items():
        _check_entry(f"{path}: '{shown(key, 60)}'", key, entry, size - 8 - length)
    total = sum(entry["data_offsets"][1] - entry["data_offsets"][0] for entry in header.values())
    if total > model_io.MAX_ARRAY_BYTES:
        raise EieError(f"{path}: its tensors take {size_text(total)}, more than eie reads "
                       f"({size_text(model_io.MAX_ARRAY_BYTES)} per model)")
    return header


def _layer_names(path: Path, header: dict) -> list[str]:
    """The Linear layers' names in order (a bare ``weight`` is the layer ``''``)."""
    names = [key[: -len("weight")].removesuffix(".") for key in header if key.rpartition(".")[2] == "weight"]
    stray = next((k for k in header if k.rpartition(".")[2] == "bias" and k[: -len("bias")] + "weight" not in header),
                 None)
    if stray is not None:
        raise EieError(f"{path}: bias '{shown(stray, 60)}' has no weight")
    if not names:
        raise EieError(f"{path}: no '*.weight' tensors (nn.Linear layers) found")
    return _check_order(path, names)


def load_safetensors(path) -> list[Layer]:
    """The Linear layers of a safetensors state_dict in name order (see the module docstring)."""
    path = Path(path)
    safetensors = _import_safetensors()
    try:
        with open(path, "rb") as f:
            header = _header(path, f, os.fstat(f.fileno()).st_size)
    except OSError as exc:
        raise EieError(f"{path}: cannot read ({exc.strerror or exc})") from None
    names = _layer_names(path, header)
    layers = []
    try:
        with safetensors.safe_open(str(path), framework="numpy") as tensors:
            for name in names:
                prefix = f"{name}." if name else ""
                weight = as_matrix(_tensor(path, tensors, header, prefix + "weight"), f"{path}:{prefix}weight")
                bias = None
                if prefix + "bias" in header:
                    bias = as_bias(_tensor(path, tensors, header, prefix + "bias"), f"{path}:{prefix}bias",
                                   weight.shape[0])
                layers.append(Layer(weight, bias))
    except (safetensors.SafetensorError, OSError, ValueError, TypeError) as exc:
        raise EieError(f"{path}: not a readable safetensors file ({shown(exc, 100)})") from None
    return layers


def _tensor(path: Path, tensors, header: dict, key: str) -> np.ndarray:
    entry = header[key]
    if entry["dtype"] != "BF16":
        return tensors.get_tensor(key)
    begin, end = entry["data_offsets"]
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        f.seek(8 + length + begin)
        raw = f.read(end - begin)
    return bfloat16_to_float32(raw, "<").reshape(entry["shape"])
