# SPDX-License-Identifier: Apache-2.0
"""Reading trained weights: .npy (one layer), .npz (an MLP), .pt (PyTorch state_dict).

Key scheme of an .npz MLP: ``W0, W1, ...`` are the weight matrices (out x in) in
layer order and ``b0, b1, ...`` the optional biases (length out). Any other key
is an error, so a typo cannot silently drop a layer.
A .pt file is a state_dict (or a saved ``nn.Sequential``) whose 2-D ``*.weight``
tensors are the Linear layers in order, each with an optional ``*.bias``.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eie.errors import EieError


@dataclass
class Layer:
    weight: np.ndarray  # float64, out x in
    bias: np.ndarray | None  # float64, out


def _as_matrix(array, name: str) -> np.ndarray:
    array = np.asarray(array)
    if array.dtype.kind not in "fiub":
        raise EieError(f"{name}: not a numeric array (dtype {array.dtype})")
    if array.ndim != 2:
        raise EieError(f"{name}: expected a 2-D weight matrix (out x in), got {array.ndim} dimensions")
    if array.size == 0:
        raise EieError(f"{name}: the matrix is empty (shape {array.shape})")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise EieError(f"{name}: contains NaN or Inf")
    return array


def _as_bias(array, name: str, rows: int) -> np.ndarray:
    array = np.asarray(array)
    if array.dtype.kind not in "fiub":
        raise EieError(f"{name}: not a numeric array (dtype {array.dtype})")
    array = array.astype(np.float64).ravel() if array.ndim <= 1 else None
    if array is None or array.size != rows:
        raise EieError(f"{name}: bias length does not match the layer's {rows} output rows")
    if not np.all(np.isfinite(array)):
        raise EieError(f"{name}: contains NaN or Inf")
    return array


def check_chain(layers: list[Layer]) -> None:
    for k in range(1, len(layers)):
        prev_out = layers[k - 1].weight.shape[0]
        this_in = layers[k].weight.shape[1]
        if prev_out != this_in:
            raise EieError(f"layer {k} takes {this_in} inputs but layer {k - 1} gives {prev_out} outputs")


def _from_npz(path: Path) -> list[Layer]:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise EieError(f"{path}: not a readable .npz file ({exc})") from None
    unknown = [k for k in arrays if not re.fullmatch(r"[Wb]\d+", k)]
    if unknown:
        raise EieError(f"{path}: unexpected key(s) {', '.join(sorted(unknown))}; use W0, b0, W1, b1, ...")
    count = len([k for k in arrays if k.startswith("W")])
    if count == 0:
        raise EieError(f"{path}: no weight matrix W0")
    layers = []
    for k in range(count):
        if f"W{k}" not in arrays:
            raise EieError(f"{path}: W{k} is missing (layers must be W0..W{count - 1})")
        weight = _as_matrix(arrays[f"W{k}"], f"{path}:W{k}")
        bias = _as_bias(arrays[f"b{k}"], f"{path}:b{k}", weight.shape[0]) if f"b{k}" in arrays else None
        layers.append(Layer(weight, bias))
    stray = [k for k in arrays if k.startswith("b") and int(k[1:]) >= count]
    if stray:
        raise EieError(f"{path}: bias {stray[0]} has no weight matrix")
    return layers


def _from_torch(path: Path) -> list[Layer]:
    try:
        import torch
    except ImportError:
        raise EieError("reading .pt files needs PyTorch: pip install torch (CPU wheel)") from None
    try:
        obj = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # torch raises many types for a bad file
        raise EieError(f"{path}: not a readable PyTorch file ({type(exc).__name__})") from None
    state = obj.state_dict() if hasattr(obj, "state_dict") else obj
    if not isinstance(state, dict):
        raise EieError(f"{path}: expected a state_dict or an nn.Module, got {type(obj).__name__}")
    layers = []
    for key, tensor in state.items():
        if key.endswith(".weight") and getattr(tensor, "ndim", 0) == 2:
            weight = _as_matrix(tensor.detach().cpu().numpy(), f"{path}:{key}")
            bias_key = key[: -len("weight")] + "bias"
            bias = state.get(bias_key)
            bias = _as_bias(bias.detach().cpu().numpy(), f"{path}:{bias_key}", weight.shape[0]) if bias is not None else None
            layers.append(Layer(weight, bias))
    if not layers:
        raise EieError(f"{path}: no 2-D '*.weight' tensors (nn.Linear layers) found")
    return layers


def load_model(path) -> list[Layer]:
    """Read a model file; every problem is an :class:`EieError` with one line of text."""
    path = Path(path)
    if not path.is_file():
        raise EieError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise EieError(f"{path}: not a readable .npy file ({exc})") from None
        layers = [Layer(_as_matrix(array, str(path)), None)]
    elif suffix == ".npz":
        layers = _from_npz(path)
    elif suffix in (".pt", ".pth"):
        layers = _from_torch(path)
    else:
        raise EieError(f"{path}: unknown model format '{suffix}' (use .npy, .npz or .pt)")
    check_chain(layers)
    return layers


def load_vector(path, length: int) -> np.ndarray:
    """An input .npy: shape (length,) or (batch, length), float or integer."""
    path = Path(path)
    if not path.is_file():
        raise EieError(f"{path}: no such file")
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise EieError(f"{path}: not a readable .npy file ({exc})") from None
    if array.dtype.kind not in "fiub":
        raise EieError(f"{path}: not a numeric array (dtype {array.dtype})")
    if array.ndim not in (1, 2) or array.shape[-1] != length:
        raise EieError(f"{path}: input of shape {array.shape} does not match the network's {length} inputs")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise EieError(f"{path}: contains NaN or Inf")
    return array
