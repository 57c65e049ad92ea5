# SPDX-License-Identifier: Apache-2.0
"""safetensors state_dicts: written by safetensors.numpy, packed by ``eie pack``, ``eie ref`` against numpy's
float forward pass; layers in the order of the numbers in their names; every bad file one line."""

import json
import struct

import numpy as np
import pytest
from safetensors.numpy import save_file

from eie.packing import model_io
from eie.packing.model_io import load_model
from eie.packing.safetensors_mlp import order_key
from model_check import assert_ref_matches_float, grid_mlp  # noqa: E402
from test_model_input_errors import assert_refused  # noqa: E402


def state_dict(names, layers) -> dict:
    tensors = {}
    for name, (weight, bias) in zip(names, layers):
        prefix = f"{name}." if name else ""
        tensors[prefix + "weight"] = weight
        if bias is not None:
            tensors[prefix + "bias"] = bias
    return tensors


def raw_file(path, entries: dict, data: bytes = b"", length: int | None = None):
    """A safetensors file written by hand: the header ``entries`` as given, then ``data``."""
    header = json.dumps(entries).encode()
    path.write_bytes(struct.pack("<Q", len(header) if length is None else length) + header + data)
    return path


@pytest.mark.parametrize("names", [["0", "2", "10"], ["fc1", "fc2", "fc10"], ["net.0.lin", "net.2.lin", "net.10.lin"]])
@pytest.mark.parametrize("linear_last", [True, False], ids=["linear-last", "relu-last"])
def test_eie_ref_matches_float_forward(tmp_path, run_cli, names, linear_last):
    """Alphabetical order would put layer 10 before layer 2; the numbers in the names order the layers."""
    layers = grid_mlp([6, 10, 8, 3], seed=21)
    model = tmp_path / "m.safetensors"
    save_file(state_dict(names, layers), model)
    flags = ["--linear-last"] if linear_last else []
    assert_ref_matches_float(run_cli, tmp_path, model, layers, [True, True, not linear_last], *flags)


def test_bare_linear_without_bias(tmp_path, run_cli):
    layers = grid_mlp([6, 4], seed=22, bias=False)
    model = tmp_path / "m.safetensors"
    save_file(state_dict([""], layers), model)
    assert_ref_matches_float(run_cli, tmp_path, model, layers, [False], "--linear-last")


def test_float_dtypes_read_exactly(tmp_path):
    """F16 and F64 through safetensors.numpy; BF16 (no numpy type) widened to float32 as the .pt reader does."""
    weight = np.array([[1.5, -2.25, 0.0], [3.0, 0.125, -1.0]])
    save_file({"0.weight": weight.astype(np.float16), "0.bias": np.array([0.5, -0.5])}, tmp_path / "a.safetensors")
    (layer,) = load_model(tmp_path / "a.safetensors")
    assert np.array_equal(layer.weight, weight) and np.array_equal(layer.bias, [0.5, -0.5]) and layer.relu is None
    bf16 = (weight.astype(np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()  # these values are exact
    raw_file(tmp_path / "b.safetensors", {"weight": {"dtype": "BF16", "shape": [2, 3], "data_offsets": [0, 12]}}, bf16)
    (layer,) = load_model(tmp_path / "b.safetensors")
    assert np.array_equal(layer.weight, weight)


def test_order_key():
    assert order_key("net.10.lin") == ("net.", 10, ".lin", )
    assert sorted(["fc10", "fc2", "fc1"], key=order_key) == ["fc1", "fc2", "fc10"]


# ------------------------------------------------------------------------------ refusals
def _entry(dtype, shape, begin):
    size = int(np.prod(shape)) * {"F32": 4, "I64": 8, "F64": 8}[dtype]
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, begin + size]}


def _save(tensors):
    return lambda path: save_file(tensors, path)


def _raw(entries, data=b"", length=None):
    return lambda path: raw_file(path, entries, data, length)


ONES = np.ones((3, 4), np.float32)
BAD_FILES = {
    "garbage": (lambda p: p.write_bytes(b"definitely not a safetensors file"), ["not a safetensors file"]),
    "short": (lambda p: p.write_bytes(b"\x01\x02"), ["shorter than its 8-byte header length"]),
    "header length": (_raw({}, length=1 << 40), ["not a safetensors file", "a header of 1.0 TiB"]),
    "header not json": (lambda p: p.write_bytes(struct.pack("<Q", 4) + b"{{{{"), ["its header is not JSON"]),
    "header a list": (_raw([]), ["not a JSON object"]),
    "duplicate key": (lambda p: p.write_bytes(struct.pack("<Q", 19) + b'{"a": {}, "a": {}} '),
                      ["a key appears twice"]),
    "not linear": (_save({"0.weight": ONES, "bn.running_mean": np.ones(3, np.float32)}),
                   ["'bn.running_mean'", "not the weight or bias of a Linear layer"]),
    "integer weight": (_save({"0.weight": np.ones((3, 4), np.int64)}), ["'0.weight' is I64, not a float tensor"]),
    "4-D weight": (_save({"conv.weight": np.ones((2, 3, 3, 3), np.float32)}), ["'conv.weight'", "a 4-D tensor"]),
    "1-D weight": (_save({"0.weight": np.ones(3, np.float32)}), ["'0.weight'", "a 1-D tensor"]),
    "mismatched layers": (_save({"0.weight": ONES, "1.weight": np.ones((2, 5), np.float32)}),
                          ["layer 1 takes 5 inputs but layer 0 gives 3 outputs"]),
    "bias length": (_save({"0.weight": ONES, "0.bias": np.ones(4, np.float32)}), ["0.bias", "bias length"]),
    "bias alone": (_save({"0.weight": ONES, "1.bias": np.ones(3, np.float32)}), ["bias '1.bias' has no weight"]),
    "no weights": (_save({}), ["no '*.weight' tensors"]),
    "nan": (_save({"0.weight": np.full((3, 4), np.nan, np.float32)}), ["0.weight", "NaN or Inf"]),
    "truncated": (_raw({"0.weight": _entry("F32", [3, 4], 0)}, b"\0" * 40),
                  ["'0.weight'", "data_offsets 0..48", "within the file's 40 bytes"]),
    "offsets lie": (_raw({"0.weight": {"dtype": "F32", "shape": [3, 4], "data_offsets": [0, 8]}}, b"\0" * 48),
                    ["'0.weight'", "data_offsets 0..8 do not hold a F32 tensor of shape (3, 4)"]),
    "malformed entry": (_raw({"0.weight": {"dtype": "F32", "shape": [-3, 4], "data_offsets": [0, 8]}}, b"\0" * 48),
                        ["'0.weight'", "malformed shape"]),
    "words in names": (_save({"encoder.0.weight": ONES, "decoder.0.weight": ONES}),
                       ["layers 'decoder.0' and 'encoder.0' do not tell their order"]),
    "leading zeros": (_save({"layer01.weight": ONES, "layer1.weight": ONES}), ["do not tell their order"]),
}


@pytest.mark.bad_input
@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_file_in_one_line(tmp_path, run_cli, case):
    make, words = BAD_FILES[case]
    model = tmp_path / "m.safetensors"
    make(model)
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), str(model), *words,
                   outputs=[tmp_path / "img"])


@pytest.mark.bad_input
def test_tensors_beyond_the_cap(tmp_path, run_cli, monkeypatch):
    """The header's sizes are summed against the cap before any tensor is read."""
    model = tmp_path / "m.safetensors"
    save_file({"0.weight": np.ones((10, 20), np.float32), "1.weight": np.ones((5, 10), np.float32)}, model)  # 1000 B
    monkeypatch.setattr(model_io, "MAX_ARRAY_BYTES", 1000)
    assert run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2)[0] == 0
    monkeypatch.setattr(model_io, "MAX_ARRAY_BYTES", 999)
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img2", "--pes", 2), "1000 bytes, more than eie reads",
                   outputs=[tmp_path / "img2"])
