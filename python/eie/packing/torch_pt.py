# SPDX-License-Identifier: Apache-2.0
"""Reading PyTorch ``.pt`` files without torch: a restricted unpickler over the zip archive.

``torch.save`` (zip format, torch >= 1.6) writes ``<name>/data.pkl``, a pickle
whose tensors refer by persistent id ``('storage', StorageType, key, location,
numel)`` to raw little-endian storages ``<name>/data/<key>``. The unpickler here
resolves only the globals such a file needs: ``OrderedDict``, ``set``, torch's
tensor and parameter rebuild functions (answered with numpy arrays), the typed
storage classes (answered with their dtype) and ``torch.nn.modules`` classes
(answered with a :class:`Module` stub holding the module's attributes). Any
other global is refused, so loading a file runs no code from it; torch itself
is never imported, which keeps it out of the regression's dependencies.

A damaged or hostile file is one :class:`EieError` line, never a traceback: the
archive's members are size-checked (``eie.packing.model_io.MAX_ARRAY_BYTES``) before they
are read, the pickle's memo indices before it is unpickled (a huge index makes
the unpickler allocate its memo up to it), and a nesting too deep for the
interpreter's stack is refused.
"""

from __future__ import annotations

import collections
import io
import math
import pickle
import pickletools
import zipfile
from pathlib import Path

import numpy as np

from eie.packing import model_io
from eie.errors import EieError
from eie.packing.model_io import ZIP_ERRORS, bfloat16_to_float32, shown, size_text, zip_error_text

_STORAGE_DTYPES = {
    "DoubleStorage": "f8",
    "FloatStorage": "f4",
    "HalfStorage": "f2",
    "BFloat16Storage": "bf16",  # no numpy dtype: widened to float32 below
    "LongStorage": "i8",
    "IntStorage": "i4",
    "ShortStorage": "i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
}


class Module:
    """A ``torch.nn`` module as pickled: its class name and attributes (``_modules``, ``_parameters``, ...)."""

    torch_class = "Module"

    def __repr__(self) -> str:
        return f"{self.torch_class}()"


class _StorageType:
    def __init__(self, name: str):
        self.name = name
        self.dtype = _STORAGE_DTYPES[name]


def _module_class(name: str) -> type:
    return type(name, (Module,), {"torch_class": name})


def _rebuild_tensor(storage, storage_offset, size, stride, *_ignored):
    """A tensor view (offset, size, stride) of a storage: a read-only numpy view, not a copy.

    Every element the view can reach lies in the storage: the strides are
    non-negative, so the farthest one is ``offset + sum((size - 1) * stride)``.
    """
    if not isinstance(storage, np.ndarray):
        raise pickle.UnpicklingError("a tensor without a storage")
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride) or not all(isinstance(v, int) and v >= 0 for v in (storage_offset, *size, *stride)):
        raise pickle.UnpicklingError("a tensor with a malformed shape or stride")
    if 0 in size:
        return np.zeros(size, dtype=storage.dtype)
    # Only an expanded (stride 0) view has more elements than its storage; no weight is
    # saved so, and copying one (as_float64 does) could take far more memory than the file.
    if math.prod(size) > storage.size:
        raise pickle.UnpicklingError("a tensor has more elements than its storage")
    # A stride along an axis of length 1 is never used (torch may save any value there);
    # zeroing it keeps a huge one out of as_strided's byte arithmetic.
    stride = tuple(step if length > 1 else 0 for length, step in zip(size, stride))
    if storage_offset + sum((length - 1) * step for length, step in zip(size, stride)) >= storage.size:
        raise pickle.UnpicklingError("a tensor reaches past the end of its storage")
    start = storage[storage_offset:]
    return np.lib.stride_tricks.as_strided(start, shape=size, strides=[step * storage.itemsize for step in stride],
                                           writeable=False)


def _rebuild_parameter(data, *_ignored):
    return data


_GLOBALS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "set"): set,
    ("__builtin__", "set"): set,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
}


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, archive: zipfile.ZipFile, prefix: str, byteorder: str, budget: int):
        super().__init__(io.BytesIO(data))
        self._archive = archive
        self._prefix = prefix
        self._byteorder = byteorder
        self._budget = budget  # bytes of storage still allowed
        self._storages: dict[str, np.ndarray] = {}
        self._modules: dict[str, type] = {}

    def find_class(self, module: str, name: str):
        if (module, name) in _GLOBALS:
            return _GLOBALS[(module, name)]
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if module.startswith("torch.nn.modules."):
            return self._modules.setdefault(name, _module_class(name))
        what = f"{shown(module, 60)}.{shown(name, 60)}"
        if module in ("__main__", "__mp_main__") or not module.startswith("torch"):
            what += " (a class of your own: save model.state_dict() instead)"
        raise EieError(f"refuses to load {what}: eie reads only state_dicts and nn.Sequential models")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r:.60}")
        _, storage_type, key, _location, numel = pid
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"unknown storage type {storage_type!r:.60}")
        key = str(key)
        if key not in self._storages:
            try:
                info = self._archive.getinfo(f"{self._prefix}data/{key}")
            except KeyError:
                raise pickle.UnpicklingError(f"storage {shown(key, 40)} is missing from the archive") from None
            if info.file_size > self._budget:
                raise EieError(f"its tensors take more than eie reads ({size_text(model_io.MAX_ARRAY_BYTES)} per model)")
            self._budget -= info.file_size
            raw = self._archive.read(info)
            order = "<" if self._byteorder == "little" else ">"
            if storage_type.dtype == "bf16":
                array = bfloat16_to_float32(raw, order)
            else:
                dtype = np.dtype(order + storage_type.dtype if storage_type.dtype != "?" else "?")
                if len(raw) % dtype.itemsize:
                    raise pickle.UnpicklingError(
                        f"storage {shown(key, 40)} is not a whole number of {storage_type.name} items")
                array = np.frombuffer(raw, dtype=dtype)
            if isinstance(numel, int) and array.size < numel:
                raise pickle.UnpicklingError(f"storage {shown(key, 40)} holds {array.size} items, "
                                             f"the file says {numel}")
            self._storages[key] = array
        return self._storages[key]


def _check_memo(data: bytes) -> None:
    """Refuse memo indices beyond the pickle's length before unpickling: the unpickler
    grows its memo table to the largest index it is given (2**31 takes 16 GiB)."""
    for opcode, arg, _pos in pickletools.genops(data):
        if opcode.name in ("PUT", "BINPUT", "LONG_BINPUT") and not 0 <= int(arg) <= len(data):
            raise pickle.UnpicklingError(f"memo index {arg} in a pickle of {len(data)} bytes")


def load_pt(path) -> object:
    """The object a ``torch.save`` file holds, tensors as numpy arrays, modules as :class:`Module`."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        with open(path, "rb") as f:
            legacy = f.read(2) in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")
        if legacy:
            raise EieError(f"{path}: a legacy (pre-zip) PyTorch file; re-save it with a current torch.save") from None
        raise EieError(f"{path}: not a PyTorch file (not a zip archive)") from None
    except ZIP_ERRORS as exc:
        raise EieError(f"{path}: not a readable PyTorch file ({zip_error_text(exc)})") from None
    with archive:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if any(n.endswith("/constants.pkl") for n in names):  # torch.jit.save also writes a data.pkl
            raise EieError(f"{path}: a TorchScript archive; save the model's state_dict with torch.save instead")
        if len(pickles) != 1:
            raise EieError(f"{path}: not a PyTorch file (no single data.pkl in the archive)")
        prefix = pickles[0][: -len("data.pkl")]
        try:
            byteorder = "little"  # files from before torch 1.10 have no byteorder member
            if prefix + "byteorder" in names:
                order = archive.getinfo(prefix + "byteorder")
                byteorder = archive.read(order).decode("latin1").strip() if order.file_size < 64 else "?"
            if byteorder not in ("little", "big"):
                raise EieError(f"byteorder is '{shown(byteorder, 20)}', not little or big")
            info = archive.getinfo(pickles[0])
            if info.file_size > model_io.MAX_ARRAY_BYTES:
                raise EieError(f"data.pkl claims {size_text(info.file_size)}, more than eie reads")
            data = archive.read(info)
            _check_memo(data)
            return _Unpickler(data, archive, prefix, byteorder, model_io.MAX_ARRAY_BYTES).load()
        except EieError as exc:
            raise EieError(f"{path}: {exc}") from None
        except RecursionError:
            raise EieError(f"{path}: not a readable PyTorch file (objects nested too deep)") from None
        except (pickle.UnpicklingError, TypeError, AttributeError, IndexError, KeyError, *ZIP_ERRORS) as exc:
            raise EieError(f"{path}: not a readable PyTorch file ({zip_error_text(exc)})") from None
