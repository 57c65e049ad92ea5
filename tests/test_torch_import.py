# SPDX-License-Identifier: Apache-2.0
"""PyTorch .pt models: read without torch, packed, and eie ref against torch's own forward pass.

The fixtures in tests/data/torch/ were written by real torch
(scripts/make_torch_fixtures.py): a saved nn.Sequential, its state_dict, two
bad models, and tiny_io.npz with torch's weights, inputs and outputs. The
structural errors torch would need a model for are made here by ``fake_torch_save``,
which writes the same archive layout with stand-in classes under torch's names.
"""

import collections
import io
import pickle
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest

from eie.fixedpoint import DEFAULT_ACT_FRAC, dequantize
from eie.image import load
from eie.packing.model_io import load_model
from eie.models.reference import reference
from model_check import error_bound  # noqa: E402
from test_model_input_errors import ORDERED_DICT, pickled_text, pt_bytes, tensor_pickle  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "torch"


@pytest.fixture(scope="module")
def torch_io():
    with np.load(DATA / "tiny_io.npz") as data:
        return {key: data[key] for key in data.files}


def refused(result, *words):
    code, _, err = result
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and lines[0].startswith("eie: error: "), err
    for word in words:
        assert word in lines[0], lines[0]


# ----------------------------------------------------------------------------- reading
@pytest.mark.parametrize("name", ["tiny_sequential.pt", "tiny_state_dict.pt"])
def test_weights_equal_torchs_own(monkeypatch, torch_io, name):
    monkeypatch.setitem(sys.modules, "torch", None)  # eie must not import torch
    layers = load_model(DATA / name)
    assert len(layers) == 3
    for k, layer in enumerate(layers):
        assert np.array_equal(layer.weight, torch_io[f"W{k}"]) and np.array_equal(layer.bias, torch_io[f"b{k}"])
    relus = [layer.relu for layer in layers]
    assert relus == ([True, True, False] if name == "tiny_sequential.pt" else [None, None, None])


@pytest.mark.parametrize("shape, stride, offset", [((3, 2), (1, 3), 0), ((2, 2), (3, 1), 1), ((1, 3), (2**70, 1), 2)],
                         ids=["transposed", "offset", "length-1 axis"])
def test_strided_tensors_read_as_torch_views_them(tmp_path, shape, stride, offset):
    """A tensor is a view (offset, size, stride) of its storage; a stride along a length-1 axis is never used."""
    storage = np.arange(1, 7, dtype="<f4")
    path = tmp_path / "m.pt"
    path.write_bytes(pt_bytes(ORDERED_DICT + b"(" + pickled_text("0.weight") + tensor_pickle("0", shape, stride, offset)
                              + b"u", {"0": storage.tobytes()}))
    expected = [[storage[offset + i * stride[0] * (shape[0] > 1) + j * stride[1]] for j in range(shape[1])]
                for i in range(shape[0])]
    (layer,) = load_model(path)
    assert np.array_equal(layer.weight, expected)


@pytest.mark.parametrize("name, flags", [("tiny_sequential.pt", []), ("tiny_state_dict.pt", ["--linear-last"])])
def test_eie_ref_matches_torch_forward(tmp_path, run_cli, torch_io, name, flags):
    """The weights lie on a 14-value grid, so with that codebook only the activations' rounding differs."""
    codebook = ",".join(str(v) for v in torch_io["codebook"])
    image = tmp_path / "img"
    code, out, err = run_cli("pack", DATA / name, "-o", image, "--pes", 4, f"--codebook={codebook}", *flags)
    assert code == 0, err
    loaded = load(image)
    assert [layer.spec.relu for layer in loaded.layers] == [True, True, False]
    for k, layer in enumerate(loaded.layers):  # the packed weights are torch's, exactly
        assert np.array_equal(layer.weight(), torch_io[f"W{k}"]) and np.array_equal(layer.bias(), torch_io[f"b{k}"])
    ours = dequantize(reference(loaded, torch_io["x"].astype(np.float64)), DEFAULT_ACT_FRAC)
    theirs = torch_io["y"].astype(np.float64)
    bound = error_bound([layer.weight for layer in load_model(DATA / name)])
    assert np.all(np.abs(ours - theirs) <= bound + 1e-6), np.abs(ours - theirs).max()
    assert np.abs(ours - theirs).max() > 0  # the check is not vacuous: rounding does show


# ------------------------------------------------------------------------------ errors
def test_not_linear_relu(tmp_path, run_cli):
    refused(run_cli("pack", DATA / "bad_tanh.pt", "-o", tmp_path / "img", "--pes", 2), "bad_tanh.pt", "Tanh",
            "only Linear")
    assert not (tmp_path / "img").exists()


def test_mismatched_shapes(tmp_path, run_cli):
    refused(run_cli("pack", DATA / "bad_chain.pt", "-o", tmp_path / "img", "--pes", 2), "bad_chain.pt",
            "layer 1 takes 5 inputs but layer 0 gives 6 outputs")


def test_linear_last_against_a_final_relu(tmp_path, run_cli):
    path = fake_torch_save(tmp_path / "m.pt", sequential(linear(3, 4), relu()))
    refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", 2, "--linear-last"), "ends in a ReLU")


# A stand-in for torch.save: torch's archive layout and global names, no torch.
def _stand_in(module: str, name: str, value):
    value.__module__, value.__qualname__ = module, name
    sys.modules.setdefault(module, types.ModuleType(module))
    setattr(sys.modules[module], name, value)
    return value


class _Storage:
    def __init__(self, array):
        self.array = np.ascontiguousarray(array, dtype=np.float32)


class _Module:
    def __init__(self, **params):
        self.training = True
        self._parameters = collections.OrderedDict(params)
        self._modules = collections.OrderedDict()


def linear(inputs, outputs, bias=True):
    rng = np.random.default_rng(inputs * 100 + outputs)
    params = {"weight": rng.normal(size=(outputs, inputs)), "bias": rng.normal(size=outputs) if bias else None}
    return ("Linear", "linear", params)


def relu():
    return ("ReLU", "activation", {})


def sequential(*children):
    return ("Sequential", "container", children)


def fake_torch_save(path, tree) -> Path:
    """Write ``tree`` (nested tuples from linear/relu/sequential, or a dict of arrays) as torch.save would."""
    saved = {key: sys.modules.get(key) for key in ("torch", "torch._utils")}
    storages = []
    try:
        torch = types.ModuleType("torch")
        sys.modules["torch"] = torch
        float_storage = _stand_in("torch", "FloatStorage", type("FloatStorage", (), {}))
        rebuild = _stand_in("torch._utils", "_rebuild_tensor_v2", lambda *args: None)  # only its name is pickled
        classes = {}

        def build(node):
            if isinstance(node, np.ndarray):
                return node
            kind, module, content = node
            cls = classes.get(kind) or _stand_in(f"torch.nn.modules.{module}", kind, type(kind, (_Module,), {}))
            classes[kind] = cls
            if kind == "Sequential":
                obj = cls()
                obj._modules.update((str(i), build(child)) for i, child in enumerate(content))
                return obj
            return cls(**content)

        class Pickler(pickle.Pickler):
            def reducer_override(self, obj):
                if isinstance(obj, np.ndarray):
                    strides = tuple(s // obj.itemsize for s in np.ascontiguousarray(obj).strides)
                    return rebuild, (_Storage(obj), 0, obj.shape, strides, False, collections.OrderedDict())
                return NotImplemented

            def persistent_id(self, obj):
                if isinstance(obj, _Storage):
                    storages.append(obj.array)
                    return ("storage", float_storage, str(len(storages) - 1), "cpu", obj.array.size)
                return None

        buffer = io.BytesIO()
        Pickler(buffer, protocol=2).dump(build(tree) if isinstance(tree, tuple) else tree)
    finally:
        for key, module in saved.items():
            if module is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = module
        for module in ("torch.nn.modules.linear", "torch.nn.modules.activation", "torch.nn.modules.container",
                       "torch.nn.modules.conv"):
            sys.modules.pop(module, None)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("m/data.pkl", buffer.getvalue())
        archive.writestr("m/byteorder", "little")
        for key, array in enumerate(storages):
            archive.writestr(f"m/data/{key}", array.tobytes())
    return Path(path)


def test_stand_in_writes_what_torch_writes(tmp_path, torch_io):
    """fake_torch_save reads back like the real file, so the cases below test the real path."""
    layers = load_model(fake_torch_save(tmp_path / "m.pt", sequential(linear(12, 16), relu(), linear(16, 8))))
    assert [layer.weight.shape for layer in layers] == [(16, 12), (8, 16)] and layers[0].relu and not layers[1].relu


@pytest.mark.parametrize("tree, words", [
    (sequential(linear(3, 4), linear(4, 2)), ["follows a Linear without a ReLU"]),
    (sequential(relu(), linear(3, 4)), ["ReLU '0' comes before any Linear"]),
    (sequential(linear(3, 4), relu(), ("Conv2d", "conv", {})), ["layer '2' is Conv2d"]),
    (sequential(relu()), ["ReLU '0' comes before"]),
    (sequential(), ["no Linear layer"]),
    ({"fc.weight": np.ones((2, 3)), "fc.bias": np.ones(2), "bn.running_mean": np.ones(2)},
     ["'bn.running_mean' is not the weight or bias"]),
    ({"conv.weight": np.ones((2, 3, 3, 3))}, ["'conv.weight' is a 4-D tensor"]),
    ({"fc.weight": np.ones((2, 3)), "fc.bias": np.ones(3)}, ["bias length does not match"]),
    ({"fc.weight": np.full((2, 3), np.nan)}, ["NaN or Inf"]),
    (("Linear", "linear", {"weight": np.ones((2, 3)), "bias": None}), ["a saved Linear"]),
])
def test_structural_errors(tmp_path, run_cli, tree, words):
    path = fake_torch_save(tmp_path / "m.pt", tree)
    refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", 2), str(path), *words)


def test_dropout_and_nested_sequential_pass(tmp_path):
    tree = sequential(sequential(linear(3, 4), relu()), ("Dropout", "dropout", {}), linear(4, 2, bias=False))
    layers = load_model(fake_torch_save(tmp_path / "m.pt", tree))
    assert [layer.weight.shape for layer in layers] == [(4, 3), (2, 4)] and layers[1].bias is None


def _zip(path, entries: dict) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_bytes(b"\x80\x02}q\x00."), ["legacy (pre-zip) PyTorch file"]),
    (lambda p: p.write_bytes(b"not a model at all"), ["not a PyTorch file"]),
    (lambda p: _zip(p, {"m/data.pkl": b"", "m/constants.pkl": b"", "m/code/x.py": b""}), ["TorchScript archive"]),
    (lambda p: _zip(p, {"m/other.txt": b""}), ["no single data.pkl"]),
    (lambda p: _zip(p, {"m/data.pkl": b"\x80\x02cos\nsystem\nq\x00."}), ["refuses to load os.system"]),
    (lambda p: _zip(p, {"m/data.pkl": b"\x80\x02c__main__\nNet\nq\x00)\x81q\x01."}),
     ["__main__.Net (a class of your own: save model.state_dict() instead)"]),
    (lambda p: _zip(p, {"m/data.pkl": b"\x80\x02}q\x00(X\x01\x00\x00\x00wq"}), ["not a readable PyTorch file"]),
    (lambda p: _zip(p, {"m/data.pkl": b"\x80\x02]q\x00."}), ["holds a list"]),
])
def test_bad_files(tmp_path, run_cli, make, words):
    path = tmp_path / "m.pt"
    make(path)
    refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", 2), *words)
    assert not (tmp_path / "img").exists()


def test_storage_shorter_than_its_tensor(tmp_path, run_cli):
    path = fake_torch_save(tmp_path / "m.pt", {"fc.weight": np.ones((4, 4))})
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries["m/data/0"] = entries["m/data/0"][:20]
    refused(run_cli("pack", _zip(tmp_path / "cut.pt", entries), "-o", tmp_path / "img", "--pes", 2),
            "not a readable PyTorch file")
