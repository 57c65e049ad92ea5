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
"""

from __future__ import annotations

import collections
import io
import pickle
import zipfile
from pathlib import Path

import numpy as np

from eie.errors import EieError

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
    """A tensor view (offset, size, stride) of a storage, copied out as a numpy array."""
    if not isinstance(storage, np.ndarray):
        raise pickle.UnpicklingError("a tensor without a storage")
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride) or not all(isinstance(v, int) and v >= 0 for v in (storage_offset, *size, *stride)):
        raise pickle.UnpicklingError("a tensor with a malformed shape or stride")
    if 0 in size:
        return np.zeros(size, dtype=storage.dtype)
    if int(np.prod(size)) > storage.size:  # only an expanded (stride 0) view is; no weight is saved so
        raise pickle.UnpicklingError("a tensor has more elements than its storage")
    index = np.full(size, storage_offset, dtype=np.int64)
    for axis, (length, step) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[axis] = length
        index = index + (np.arange(length, dtype=np.int64) * step).reshape(shape)
    if index.max() >= storage.size:
        raise pickle.UnpicklingError("a tensor reaches past the end of its storage")
    return storage[index]


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
    def __init__(self, data: bytes, archive: zipfile.ZipFile, prefix: str, byteorder: str):
        super().__init__(io.BytesIO(data))
        self._archive = archive
        self._prefix = prefix
        self._byteorder = byteorder
        self._storages: dict[str, np.ndarray] = {}
        self._modules: dict[str, type] = {}

    def find_class(self, module: str, name: str):
        if (module, name) in _GLOBALS:
            return _GLOBALS[(module, name)]
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if module.startswith("torch.nn.modules."):
            return self._modules.setdefault(name, _module_class(name))
        what = f"{module}.{name}"
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
                raw = self._archive.read(f"{self._prefix}data/{key}")
            except KeyError:
                raise pickle.UnpicklingError(f"storage {key} is missing from the archive") from None
            order = "<" if self._byteorder == "little" else ">"
            if storage_type.dtype == "bf16":
                halves = np.frombuffer(raw, dtype=order + "u2")
                array = (halves.astype(np.uint32) << 16).view(np.float32)
            else:
                dtype = np.dtype(order + storage_type.dtype if storage_type.dtype != "?" else "?")
                if len(raw) % dtype.itemsize:
                    raise pickle.UnpicklingError(f"storage {key} is not a whole number of {storage_type.name} items")
                array = np.frombuffer(raw, dtype=dtype)
            if isinstance(numel, int) and array.size < numel:
                raise pickle.UnpicklingError(f"storage {key} holds {array.size} items, the file says {numel}")
            self._storages[key] = array
        return self._storages[key]


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
    except OSError as exc:
        raise EieError(f"{path}: cannot read ({exc.strerror})") from None
    with archive:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if any(n.endswith("/constants.pkl") for n in names):  # torch.jit.save also writes a data.pkl
            raise EieError(f"{path}: a TorchScript archive; save the model's state_dict with torch.save instead")
        if len(pickles) != 1:
            raise EieError(f"{path}: not a PyTorch file (no single data.pkl in the archive)")
        prefix = pickles[0][: -len("data.pkl")]
        try:
            has_order = prefix + "byteorder" in names  # files from before torch 1.10 have none: little
            byteorder = archive.read(prefix + "byteorder").decode().strip() if has_order else "little"
            return _Unpickler(archive.read(pickles[0]), archive, prefix, byteorder).load()
        except EieError as exc:
            raise EieError(f"{path}: {exc}") from None
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError,
                KeyError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
            raise EieError(f"{path}: not a readable PyTorch file ({exc})") from None
