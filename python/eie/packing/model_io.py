# SPDX-License-Identifier: Apache-2.0
"""Reading trained weights: .npy (one layer), .npz (an MLP), .pt (PyTorch), .onnx, .safetensors; inputs; codebooks.

Key scheme of an .npz MLP: ``W0, W1, ...`` are the weight matrices (out x in) in
layer order and ``b0, b1, ...`` the optional biases (length out), numbered in
ASCII digits without leading zeros. Any other key is an error, so a typo (or a
look-alike digit) cannot silently drop a layer.
A .pt file (read without torch, see ``eie.packing.torch_pt``) is a state_dict whose
2-D ``*.weight`` tensors are the Linear layers in order, each with an optional
``*.bias``, or a saved ``nn.Sequential`` of Linear layers with a ReLU after each
(the last may go without; Dropout and Identity are passed over).
An .onnx file (``eie.packing.onnx_mlp``) is a chain of Gemm or MatMul (+ Add)
layers with Relu between them; a .safetensors file (``eie.packing.safetensors_mlp``)
a state_dict of Linear layers, ordered by the numbers in their names.

Every array (.npy, .npz member, input, codebook) is read by :func:`read_npy_stream`:
its header first, so a file whose header claims more data than it holds, or more
than :data:`MAX_ARRAY_BYTES`, is refused before anything is allocated, and
pickled (object) arrays are refused without unpickling anything.
"""

from __future__ import annotations

import errno
import math
import os
import re
import struct
import tokenize
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eie.errors import EieError

# The most array data eie reads from one file (the sum of an .npz's members). Not a
# limit of the core (eie.limits): a bound on what reading a file may allocate, so
# that a header or a zip directory claiming a huge size is refused in one line.
# VGG-16's largest layer (fc6, 4096 x 25088) in float64 takes 0.8 GB.
MAX_ARRAY_BYTES = 2 << 30

# Deepest nesting of nn.Sequential a saved model may have (torch's own models nest
# a few levels; the limit keeps a malicious or cyclic file from exhausting the stack).
MAX_NESTING = 64

# What a damaged zip archive (an .npz or a .pt) can raise while it is opened or read:
# a bad directory or CRC, a broken deflate stream, an encrypted member (RuntimeError)
# or an unknown compression method (NotImplementedError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError,
              struct.error, OverflowError, UnicodeDecodeError)

# Malformed .npy headers: numpy tokenizes them (tokenize.TokenError on an unclosed bracket)
# and parses them with ast.literal_eval.
_HEADER_ERRORS = (ValueError, TypeError, SyntaxError, OverflowError, RecursionError, EOFError, UnicodeDecodeError,
                  struct.error, tokenize.TokenError)

_NPZ_KEY = re.compile(r"([Wb])(0|[1-9][0-9]*)", re.ASCII)


def shown(text, limit: int = 80) -> str:
    """Text taken from a file, for an error message: one line, ASCII, cut to ``limit`` characters."""
    try:
        text = str(text)
    except RecursionError:  # the repr of an object nested thousands deep
        return "(an object nested too deep to print)"
    cut = text[:limit]
    if not (cut.isascii() and cut.isprintable()):
        cut = ascii(cut)[1:-1]
    return cut + ("..." if len(text) > limit else "")


def zip_error_text(exc: BaseException) -> str:
    """What went wrong reading a zip archive, in a few words (zipfile's own text can hold a whole ZipInfo)."""
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "a member is encrypted; eie reads only unencrypted archives"
    if isinstance(exc, OSError) and exc.errno == errno.EINVAL:  # an offset that points before the file's start
        return "a damaged zip directory"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read: {exc.strerror}"
    return shown(exc, 120)


def size_text(count: int) -> str:
    """A byte count for a message: ``7.3 TiB``; a count beyond any disk as a power of two."""
    if count >= 1 << 70:
        return f"about 2**{count.bit_length() - 1} bytes"
    for unit, shift in (("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if count >= 1 << shift:
            return f"{count / (1 << shift):.1f} {unit}"
    return f"{count} bytes"


def _shape_text(shape) -> str:
    dims = [str(d) if d.bit_length() < 64 else f"~2**{d.bit_length() - 1}" for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def read_npy_stream(f, available: int, name: str, limit: int | None = None) -> np.ndarray:
    """One numeric array from the .npy data of the open binary file ``f`` (``available`` bytes long).

    The header is checked before any allocation: the array must fit in the data
    that follows it and in ``limit`` bytes. Object arrays (pickles) and
    non-numeric dtypes are refused. Every problem is one :class:`EieError` line.
    ``limit`` defaults to :data:`MAX_ARRAY_BYTES`.
    """
    limit = MAX_ARRAY_BYTES if limit is None else limit
    fmt = np.lib.format
    try:
        version = fmt.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(f)
        else:
            raise ValueError(f"format version {version[0]}.{version[1]}; eie reads 1.0 and 2.0")
        data_start = f.tell()
    except _HEADER_ERRORS as exc:
        raise EieError(f"{name}: not a readable .npy file ({shown(exc, 120)})") from None
    if dtype.hasobject:
        raise EieError(f"{name}: holds Python objects (a pickled array); eie reads only numeric arrays")
    if dtype.kind not in "biufc" or dtype.itemsize == 0:
        raise EieError(f"{name}: not a numeric array (dtype {shown(dtype.str)})")
    if len(shape) > 32 or not all(type(d) is int and d >= 0 for d in shape):
        raise EieError(f"{name}: not a readable .npy file (a malformed shape in its header)")
    if math.prod(max(d, 1) for d in shape) * dtype.itemsize >= 1 << 63:  # numpy's limit, even with a 0 in the shape
        raise EieError(f"{name}: the header claims shape {_shape_text(shape)}, more than an array can hold")
    count = math.prod(shape)
    need = count * dtype.itemsize
    have = max(available - data_start, 0)
    if need > have:
        raise EieError(f"{name}: the header claims shape {_shape_text(shape)} of {dtype.name} "
                       f"({size_text(need)}) but the file holds {size_text(have)} of data (truncated or damaged)")
    if need > limit:
        raise EieError(f"{name}: an array of {size_text(need)} is more than eie reads "
                       f"({size_text(MAX_ARRAY_BYTES)} per model, input or codebook)")
    array = np.empty(count, dtype=dtype)
    buffer = memoryview(array.view(np.uint8))
    done = 0
    try:
        while done < need:
            got = f.readinto(buffer[done:])
            if not got:
                break
            done += got
    except ZIP_ERRORS as exc:
        raise EieError(f"{name}: cannot read the array data ({zip_error_text(exc)})") from None
    if done < need:
        raise EieError(f"{name}: truncated (the array needs {need} bytes of data, the file holds {done})")
    return array.reshape(shape[::-1]).transpose() if fortran else array.reshape(shape)


def read_npy(path, limit: int | None = None) -> np.ndarray:
    """A numeric array from an .npy file (see :func:`read_npy_stream`)."""
    path = Path(path)
    if not path.is_file():
        raise EieError(f"{path}: no such file")
    try:
        with open(path, "rb") as f:
            return read_npy_stream(f, os.fstat(f.fileno()).st_size, str(path), limit)
    except OSError as exc:
        raise EieError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_npz(path, limit: int | None = None) -> dict[str, np.ndarray]:
    """The arrays of an .npz file by key (member name less ``.npy``); nothing but .npy members allowed."""
    path = Path(path)
    limit = MAX_ARRAY_BYTES if limit is None else limit
    arrays: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                if not info.filename.endswith(".npy"):
                    raise EieError(f"{path}: member '{shown(info.filename)}' is not an .npy array")
                key = info.filename[: -len(".npy")]
                if key in arrays:
                    raise EieError(f"{path}: key {shown(key)} appears twice")
                with archive.open(info) as f:
                    array = read_npy_stream(f, info.file_size, f"{path}:{shown(key)}", limit)
                limit -= array.nbytes
                arrays[key] = array
    except ZIP_ERRORS as exc:
        raise EieError(f"{path}: not a readable .npz file ({zip_error_text(exc)})") from None
    return arrays


def bfloat16_to_float32(raw: bytes, order: str) -> np.ndarray:
    """bfloat16 values (numpy has no such type) widened exactly to float32; ``order`` is ``<`` or ``>``."""
    halves = np.frombuffer(raw, dtype=order + "u2")
    return (halves.astype(np.uint32) << 16).view(np.float32)


def as_float64(array: np.ndarray, name: str) -> np.ndarray:
    """A real numeric array as float64; NaN, Inf and values beyond float64 (from a longdouble) are refused."""
    if array.dtype.kind not in "fiub":
        what = "complex, not real" if array.dtype.kind == "c" else "not a numeric array"
        raise EieError(f"{name}: {what} (dtype {shown(array.dtype)})")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise EieError(f"{name}: contains NaN or Inf")
    with np.errstate(over="ignore"):
        converted = array.astype(np.float64)
    if not np.all(np.isfinite(converted)):
        largest = np.format_float_scientific(np.max(np.abs(array)), precision=3)
        raise EieError(f"{name}: a value of magnitude {largest} does not fit a float64")
    return converted


@dataclass
class Layer:
    weight: np.ndarray  # float64, out x in
    bias: np.ndarray | None  # float64, out
    relu: bool | None = None  # whether a ReLU follows, when the model file says (nn.Sequential, ONNX)


def as_matrix(array, name: str) -> np.ndarray:
    array = np.asarray(array)
    if array.dtype.kind not in "fiub":
        raise EieError(f"{name}: not a numeric array (dtype {shown(array.dtype)})")
    if array.ndim != 2:
        raise EieError(f"{name}: expected a 2-D weight matrix (out x in), got {array.ndim} dimensions")
    if array.size == 0:
        raise EieError(f"{name}: the matrix is empty (shape {array.shape})")
    return as_float64(array, name)


def as_bias(array, name: str, rows: int) -> np.ndarray:
    array = np.asarray(array)
    if array.dtype.kind not in "fiub":
        raise EieError(f"{name}: not a numeric array (dtype {shown(array.dtype)})")
    if array.ndim > 1 or array.size != rows:
        raise EieError(f"{name}: bias length does not match the layer's {rows} output rows")
    return as_float64(array.ravel(), name)


def check_chain(layers: list[Layer], where: str = "") -> None:
    for k in range(1, len(layers)):
        prev_out = layers[k - 1].weight.shape[0]
        this_in = layers[k].weight.shape[1]
        if prev_out != this_in:
            prefix = f"{where}: " if where else ""
            raise EieError(f"{prefix}layer {k} takes {this_in} inputs but layer {k - 1} gives {prev_out} outputs")


def _from_npz(path: Path) -> list[Layer]:
    arrays = read_npz(path)
    # Only W<n> and b<n> with n in ASCII digits and no leading zero: "b01" or "b\u0661"
    # (an Arabic-Indic one, which \d and int() accept) would otherwise be read as no bias at all.
    unknown = [k for k in arrays if not _NPZ_KEY.fullmatch(k)]
    if unknown:
        keys = ", ".join(shown(k, 40) for k in sorted(unknown)[:5])
        raise EieError(f"{path}: unexpected key(s) {keys}; use W0, b0, W1, b1, ... (ASCII digits, no leading zeros)")
    count = len([k for k in arrays if k.startswith("W")])
    if count == 0:
        raise EieError(f"{path}: no weight matrix W0")
    layers = []
    for k in range(count):
        if f"W{k}" not in arrays:
            raise EieError(f"{path}: W{k} is missing (layers must be W0..W{count - 1})")
        weight = as_matrix(arrays[f"W{k}"], f"{path}:W{k}")
        bias = as_bias(arrays[f"b{k}"], f"{path}:b{k}", weight.shape[0]) if f"b{k}" in arrays else None
        layers.append(Layer(weight, bias))
    biases = {f"b{k}" for k in range(count)}
    stray = sorted(k for k in arrays if k.startswith("b") and k not in biases)
    if stray:
        raise EieError(f"{path}: bias {shown(stray[0], 40)} has no weight matrix")
    return layers


_TORCH_NO_OPS = ("Dropout", "Identity")  # identities at inference


def _kind(module) -> str:
    """The torch class of a module stub; the class attribute, which the file's own state cannot override."""
    from eie.packing.torch_pt import Module

    return type(module).torch_class if isinstance(module, Module) else type(module).__name__


def _torch_param(module, name: str, where: str):
    params = getattr(module, "_parameters", None)
    if not isinstance(params, dict):
        raise EieError(f"{where}: a {_kind(module)} without parameters")
    value = params.get(name)
    if value is not None and not isinstance(value, np.ndarray):
        raise EieError(f"{where}: its {name} is a {type(value).__name__}, not a tensor")
    return value


def _flatten_sequential(module, where: str, depth: int = 0) -> list[tuple[str, object]]:
    from eie.packing.torch_pt import Module

    if depth >= MAX_NESTING:
        raise EieError(f"{where}: nn.Sequential nested more than {MAX_NESTING} deep (or containing itself)")
    children = getattr(module, "_modules", None)
    if not isinstance(children, dict):
        raise EieError(f"{where}: a {_kind(module)} without submodules")
    flat = []
    for name, child in children.items():
        name = shown(name, 40)
        if child is not None and not isinstance(child, Module):
            raise EieError(f"{where}: submodule '{name}' is a {type(child).__name__}, not a torch module")
        if child is not None and _kind(child) == "Sequential":
            flat.extend((f"{name}.{n}", c) for n, c in _flatten_sequential(child, where, depth + 1))
        elif child is not None:
            flat.append((name, child))
    return flat


def _from_torch_sequential(path: Path, model) -> list[Layer]:
    """Linear layers with a ReLU after each; the last Linear may go without (then ``relu`` is False)."""
    if _kind(model) != "Sequential":
        raise EieError(f"{path}: a saved {shown(_kind(model), 40)}; eie reads an nn.Sequential of Linear and ReLU "
                       f"layers or a state_dict")
    layers: list[Layer] = []
    for name, child in _flatten_sequential(model, str(path)):
        kind = _kind(child)
        if kind == "Linear":
            if layers and not layers[-1].relu:
                raise EieError(f"{path}: Linear '{name}' follows a Linear without a ReLU between them; "
                               f"the core applies ReLU after every layer but the last")
            weight = _torch_param(child, "weight", f"{path}:{name}")
            bias = _torch_param(child, "bias", f"{path}:{name}")
            if weight is None:
                raise EieError(f"{path}:{name}: a Linear without a weight")
            weight = as_matrix(weight, f"{path}:{name}.weight")
            bias = None if bias is None else as_bias(bias, f"{path}:{name}.bias", weight.shape[0])
            layers.append(Layer(weight, bias, relu=False))
        elif kind == "ReLU":
            if not layers:
                raise EieError(f"{path}: ReLU '{name}' comes before any Linear layer; the core starts with a Linear")
            layers[-1].relu = True
        elif kind not in _TORCH_NO_OPS:
            raise EieError(f"{path}: layer '{name}' is {shown(kind, 40)}; eie runs only Linear layers with ReLU "
                           f"between them")
    if not layers:
        raise EieError(f"{path}: the nn.Sequential has no Linear layer")
    return layers


def _from_torch_state_dict(path: Path, state: dict) -> list[Layer]:
    """The 2-D ``*.weight`` tensors in order, each with its ``*.bias``; any other entry is an error."""
    odd = next((k for k in state if not isinstance(k, str)), None)
    if odd is not None:
        raise EieError(f"{path}: a state_dict key is a {type(odd).__name__}, not a name")
    layers: list[Layer] = []
    used: set[str] = set()
    for key, tensor in state.items():
        if not key.endswith("weight"):
            continue
        if tensor.ndim != 2:
            raise EieError(f"{path}: '{shown(key)}' is a {tensor.ndim}-D tensor; eie runs only nn.Linear layers "
                           f"(2-D weights)")
        weight = as_matrix(tensor, f"{path}:{shown(key)}")
        bias_key = key[: -len("weight")] + "bias"
        bias = state.get(bias_key)
        bias = None if bias is None else as_bias(bias, f"{path}:{shown(bias_key)}", weight.shape[0])
        used.update((key, bias_key))
        layers.append(Layer(weight, bias))
    stray = [k for k in state if k not in used]
    if stray:
        raise EieError(f"{path}: '{shown(stray[0])}' is not the weight or bias of a Linear layer")
    if not layers:
        raise EieError(f"{path}: no '*.weight' tensors (nn.Linear layers) found")
    return layers


def _from_torch(path: Path) -> list[Layer]:
    from eie.packing.torch_pt import Module, load_pt

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
        layers = [Layer(as_matrix(read_npy(path), str(path)), None)]
    elif suffix == ".npz":
        layers = _from_npz(path)
    elif suffix in (".pt", ".pth"):
        layers = _from_torch(path)
    elif suffix == ".onnx":
        from eie.packing.onnx_mlp import load_onnx

        layers = load_onnx(path)
    elif suffix == ".safetensors":
        from eie.packing.safetensors_mlp import load_safetensors

        layers = load_safetensors(path)
    else:
        raise EieError(f"{path}: unknown model format '{shown(suffix, 20)}' (use .npy, .npz, .pt, .onnx or "
                       f".safetensors)")
    check_chain(layers, str(path))
    return layers


# Any float input beyond this saturates every activation format (at most 2**15 - 1
# with no fraction bits), so a wider float is clipped to it before it becomes a float64.
_INPUT_CLIP = float(1 << 16)


def load_vector(path, length: int) -> np.ndarray:
    """An input .npy: shape (length,) or (batch, length), float or integer."""
    path = Path(path)
    array = read_npy(path)
    if array.dtype.kind not in "fiub":
        what = "complex, not real" if array.dtype.kind == "c" else "not a numeric array"
        raise EieError(f"{path}: {what} (dtype {array.dtype})")
    if array.ndim not in (1, 2) or array.shape[-1] != length:
        raise EieError(f"{path}: input of shape {array.shape} does not match the network's {length} inputs")
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)):
            raise EieError(f"{path}: contains NaN or Inf")
        if array.dtype.itemsize > 8:  # a longdouble: float64 could overflow to Inf
            array = np.clip(array, -_INPUT_CLIP, _INPUT_CLIP).astype(np.float64)
    return array


def load_codebook(text: str) -> np.ndarray:
    """``--codebook``: a comma-separated list of numbers or a 1-D real .npy; returns its entries as float64.

    Only the form is checked here (readable, real, finite, 1-D, not empty); what a
    codebook must hold (at most 16 entries, zero only first, ...) is
    ``eie.packing.compress.user_codebook``'s.
    """
    if text.lower().endswith(".npy"):
        path = Path(text)
        array = read_npy(path)
        name = str(path)
        if array.ndim != 1:
            raise EieError(f"{name}: a codebook must be a 1-D array, got shape {array.shape}")
    else:
        name = "--codebook"
        try:
            array = np.array([float(x) for x in text.split(",") if x.strip()], dtype=np.float64)
        except ValueError:
            raise EieError(f"--codebook: '{shown(text, 60)}' is not a comma-separated list of numbers "
                           f"or a .npy file") from None
    if array.size == 0:
        raise EieError(f"{name}: the codebook is empty")
    return as_float64(array, name)
