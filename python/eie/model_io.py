# SPDX-License-Identifier: Apache-2.0
"""Reading trained weights: .npy (one layer), .npz (an MLP), .pt (PyTorch state_dict).

Key scheme of an .npz MLP: ``W0, W1, ...`` are the weight matrices (out x in) in
layer order and ``b0, b1, ...`` the optional biases (length out). Any other key
is an error, so a typo cannot silently drop a layer.
A .pt file (read without torch, see ``eie.torch_pt``) is a state_dict whose
2-D ``*.weight`` tensors are the Linear layers in order, each with an optional
``*.bias``, or a saved ``nn.Sequential`` of Linear layers with a ReLU after each
(the last may go without; Dropout and Identity are passed over).
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
    relu: bool | None = None  # whether a ReLU follows, when the model file says (a saved nn.Sequential)


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


def check_chain(layers: list[Layer], where: str = "") -> None:
    for k in range(1, len(layers)):
        prev_out = layers[k - 1].weight.shape[0]
        this_in = layers[k].weight.shape[1]
        if prev_out != this_in:
            prefix = f"{where}: " if where else ""
            raise EieError(f"{prefix}layer {k} takes {this_in} inputs but layer {k - 1} gives {prev_out} outputs")


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


_TORCH_NO_OPS = ("Dropout", "Identity")  # identities at inference


def _torch_param(module, name: str, where: str):
    params = getattr(module, "_parameters", None)
    if not isinstance(params, dict):
        raise EieError(f"{where}: a {module.torch_class} without parameters")
    return params.get(name)


def _flatten_sequential(module, where: str) -> list[tuple[str, object]]:
    children = getattr(module, "_modules", None)
    if not isinstance(children, dict):
        raise EieError(f"{where}: a {module.torch_class} without submodules")
    flat = []
    for name, child in children.items():
        if child is not None and child.torch_class == "Sequential":
            flat.extend((f"{name}.{n}", c) for n, c in _flatten_sequential(child, where))
        elif child is not None:
            flat.append((str(name), child))
    return flat


def _from_torch_sequential(path: Path, model) -> list[Layer]:
    """Linear layers with a ReLU after each; the last Linear may go without (then ``relu`` is False)."""
    if model.torch_class != "Sequential":
        raise EieError(f"{path}: a saved {model.torch_class}; eie reads an nn.Sequential of Linear and ReLU "
                       f"layers or a state_dict")
    layers: list[Layer] = []
    for name, child in _flatten_sequential(model, str(path)):
        kind = child.torch_class
        if kind == "Linear":
            if layers and not layers[-1].relu:
                raise EieError(f"{path}: Linear '{name}' follows a Linear without a ReLU between them; "
                               f"the core applies ReLU after every layer but the last")
            weight = _torch_param(child, "weight", f"{path}:{name}")
            bias = _torch_param(child, "bias", f"{path}:{name}")
            weight = _as_matrix(weight, f"{path}:{name}.weight")
            bias = None if bias is None else _as_bias(bias, f"{path}:{name}.bias", weight.shape[0])
            layers.append(Layer(weight, bias, relu=False))
        elif kind == "ReLU":
            if not layers:
                raise EieError(f"{path}: ReLU '{name}' comes before any Linear layer; the core starts with a Linear")
            layers[-1].relu = True
        elif kind not in _TORCH_NO_OPS:
            raise EieError(f"{path}: layer '{name}' is {kind}; eie runs only Linear layers with ReLU between them")
    if not layers:
        raise EieError(f"{path}: the nn.Sequential has no Linear layer")
    return layers


def _from_torch_state_dict(path: Path, state: dict) -> list[Layer]:
    """The 2-D ``*.weight`` tensors in order, each with its ``*.bias``; any other entry is an error."""
    layers: list[Layer] = []
    used: set[str] = set()
    for key, tensor in state.items():
        key = str(key)
        if not key.endswith("weight"):
            continue
        array = np.asarray(tensor)
        if array.ndim != 2:
            raise EieError(f"{path}: '{key}' is a {array.ndim}-D tensor; eie runs only nn.Linear layers (2-D weights)")
        weight = _as_matrix(array, f"{path}:{key}")
        bias_key = key[: -len("weight")] + "bias"
        bias = state.get(bias_key)
        bias = None if bias is None else _as_bias(bias, f"{path}:{bias_key}", weight.shape[0])
        used.update((key, bias_key))
        layers.append(Layer(weight, bias))
    stray = [str(k) for k in state if str(k) not in used]
    if stray:
        raise EieError(f"{path}: '{stray[0]}' is not the weight or bias of a Linear layer")
    if not layers:
        raise EieError(f"{path}: no '*.weight' tensors (nn.Linear layers) found")
    return layers


def _from_torch(path: Path) -> list[Layer]:
    from eie.torch_pt import Module, load_pt

    obj = load_pt(path)
    if isinstance(obj, Module):
        return _from_torch_sequential(path, obj)
    if isinstance(obj, dict) and all(isinstance(v, np.ndarray) for v in obj.values()):
        return _from_torch_state_dict(path, obj)
    raise EieError(f"{path}: holds a {type(obj).__name__}, not a state_dict or an nn.Sequential")


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
    check_chain(layers, str(path))
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
