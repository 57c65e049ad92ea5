# SPDX-License-Identifier: Apache-2.0
"""Hostile or damaged model, input and codebook files: one line ``eie: error: ...``, exit 1, nothing written.

Each test is the regression test of a bug that gave a traceback, a MemoryError, a
numpy warning on stderr or a silently wrong model (python/eie/model_io.py,
torch_pt.py). The builders below write the bad files; tests/test_fuzz_inputs.py
uses them for its seed corpus (tests/data/fuzz/).
"""

import io
import struct
import warnings
import zipfile

import numpy as np
import pytest

from eie.packing import model_io
from eie.errors import EieError
from eie.packing.model_io import load_codebook

pytestmark = pytest.mark.bad_input  # counted in the regression's verification summary


def assert_refused(result, *words, outputs=()):
    code, _, err = result
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and lines[0].startswith("eie: error: "), (code, err)
    for word in words:
        assert word in lines[0], lines[0]
    for path in outputs:
        assert not path.exists(), f"{path} was left behind"


def refused_by(call, *words):
    """``call()`` raises one EieError line holding ``words``."""
    with pytest.raises(EieError) as info:
        call()
    text = str(info.value)
    assert "\n" not in text, text
    for word in words:
        assert word in text, text
    return text


@pytest.fixture
def no_warnings():
    """Fail on any warning (numpy's overflow warnings would be a second stderr line outside pytest)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    assert not caught, [str(w.message) for w in caught]


# ---------------------------------------------------------------------------- file builders
def npy_bytes(descr: str, shape, data: bytes = b"", version=(1, 0)) -> bytes:
    """An .npy file with a hand-written header (any shape, whatever the data)."""
    header = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': {tuple(shape)!r}, }}"
    size_field = "<H" if version == (1, 0) else "<I"
    prefix = 8 + struct.calcsize(size_field)
    header += " " * (63 - (prefix + len(header)) % 64) + "\n"
    return b"\x93NUMPY" + bytes(version) + struct.pack(size_field, len(header)) + header.encode("latin1") + data


def npy_of(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def npz_bytes(members: dict, compress: bool = False) -> bytes:
    """A zip archive of raw member bytes (names as given: add .npy yourself), the same bytes on every run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name or "?", date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            archive.writestr(info, data)
    return buffer.getvalue()


def pickled_text(value: str) -> bytes:
    data = value.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def pickled_global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


ORDERED_DICT = pickled_global("collections", "OrderedDict") + b")R"
SEQUENTIAL = pickled_global("torch.nn.modules.container", "Sequential")
LINEAR = pickled_global("torch.nn.modules.linear", "Linear")


def pickled_module(cls: bytes, modules: bytes = b"", parameters: bytes = b"") -> bytes:
    """A pickled torch module stub: ``cls()`` with state {_modules: OrderedDict(..), _parameters: ..}."""
    return (cls + b")\x81}(" + pickled_text("_modules") + ORDERED_DICT + b"(" + modules + b"u"
            + pickled_text("_parameters") + ORDERED_DICT + b"(" + parameters + b"u" + b"ub")


def _ints(values) -> bytes:
    """A pickled tuple of ints: 4-byte BININT, or 9-byte LONG1 for the huge ones."""
    return b"(" + b"".join(b"J" + struct.pack("<i", v) if v < 2**31 else b"\x8a\x09" + v.to_bytes(9, "little")
                           for v in values) + b"t"


def tensor_pickle(key: str, shape, stride, offset: int = 0) -> bytes:
    """``torch._utils._rebuild_tensor_v2`` over FloatStorage ``key``; shape and stride as given."""
    storage = (b"(" + pickled_text("storage") + pickled_global("torch", "FloatStorage") + pickled_text(key)
               + pickled_text("cpu") + b"K\x04tQ")
    return (pickled_global("torch._utils", "_rebuild_tensor_v2") + b"(" + storage + b"J" + struct.pack("<i", offset)
            + _ints(shape) + _ints(stride) + b"\x89" + ORDERED_DICT + b"tR")


def pt_bytes(pickled: bytes, storages: dict | None = None, byteorder: bytes = b"little") -> bytes:
    """A torch.save zip archive around a hand-written protocol-2 pickle (deflated: deep files stay small)."""
    members = {"m/data.pkl": b"\x80\x02" + pickled + b".", "m/byteorder": byteorder}
    members.update((f"m/data/{key}", data) for key, data in (storages or {}).items())
    return npz_bytes(members, compress=True)


def deep_sequential_pt(depth: int) -> bytes:
    """``depth`` nn.Sequential, each the only child of the one before."""
    opening = SEQUENTIAL + b")\x81}(" + pickled_text("_modules") + ORDERED_DICT + b"(" + pickled_text("0")
    return pt_bytes(opening * depth + pickled_module(SEQUENTIAL) + b"uub" * depth)


def cyclic_sequential_pt() -> bytes:
    """An nn.Sequential that contains itself (the pickle memo allows it)."""
    return pt_bytes(SEQUENTIAL + b")\x81q\x00}(" + pickled_text("_modules") + ORDERED_DICT + b"(" + pickled_text("0")
                    + b"h\x00uub")


def deep_tuple_pt(depth: int) -> bytes:
    """A persistent id that is a tuple nested ``depth`` deep (its repr recurses)."""
    return pt_bytes(b")" + b"\x85" * depth + b"Q")


def huge_memo_pt() -> bytes:
    """A memo index of 2**32 - 1: the unpickler would size its memo table to it."""
    return pt_bytes(b"Nr" + struct.pack("<I", 2**32 - 1))


def sequential_with(child: bytes) -> bytes:
    return pt_bytes(pickled_module(SEQUENTIAL, pickled_text("0") + child))


def encrypted(archive: bytes) -> bytes:
    """Sets the 'encrypted' flag of the first member (zipfile then wants a password)."""
    data = bytearray(archive)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 1
    return bytes(data)


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def good_weights():
    rng = np.random.default_rng(5)
    return rng.normal(size=(6, 5)), rng.normal(size=6), rng.normal(size=(3, 6))


# ---------------------------------------------------------------------------- 1. --codebook files
CODEBOOK_FILES = {
    "pickled": (npy_of(np.array([{"a": 1}, None], dtype=object)), "pickled"),
    "garbage": (b"garbage, not numpy", "not a readable .npy"),
    "string": (npy_of(np.array(["0.5", "-0.5"])), "not a numeric array"),
    "complex": (npy_of(np.array([0.5 + 1j, -0.5])), "complex"),
    "nan": (npy_of(np.array([0.5, np.nan])), "NaN or Inf"),
    "inf": (npy_of(np.array([np.inf, 0.5])), "NaN or Inf"),
    "empty": (npy_of(np.zeros(0)), "empty"),
    "2-D": (npy_of(np.ones((2, 3))), "1-D"),
    "scalar": (npy_of(np.float64(0.5)), "1-D"),
    "truncated": (npy_of(np.linspace(-1, 1, 8))[:-5], "truncated"),
    "structured": (npy_of(np.zeros(3, dtype=[("a", "<f8")])), "not a numeric array"),
    "huge header": (npy_bytes("<f8", (10**6, 10**6), b"\0" * 64), "7.3 TiB"),
}


@pytest.mark.parametrize("case", CODEBOOK_FILES)
def test_codebook_file_refused(tmp_path, case):
    data, words = CODEBOOK_FILES[case]
    path = write(tmp_path, "cb.npy", data)
    refused_by(lambda: load_codebook(str(path)), str(path), words)


@pytest.mark.parametrize("text, words", [
    ("0.5,nan", "NaN or Inf"), ("1e999,0.5", "NaN or Inf"), (" , ,", "empty"), ("0x10,1", "comma-separated"),
    ("0.5\n-0.5", "comma-separated"),
])
def test_codebook_list_refused(text, words):
    refused_by(lambda: load_codebook(text), words)


def test_codebook_absent_file(tmp_path):
    refused_by(lambda: load_codebook(str(tmp_path / "no.npy")), "no such file")


def test_codebook_good_forms(tmp_path):
    assert np.array_equal(load_codebook("0, 0.5,-0.25,"), [0.0, 0.5, -0.25])
    path = write(tmp_path, "cb.npy", npy_of(np.array([0, 1, -2], dtype=np.int8)))
    codebook = load_codebook(str(path))
    assert codebook.dtype == np.float64 and np.array_equal(codebook, [0.0, 1.0, -2.0])


@pytest.mark.parametrize("case", ["pickled", "complex", "string"])
def test_codebook_through_cli(tmp_path, run_cli, case):
    model = tmp_path / "w.npy"
    np.save(model, good_weights()[0])
    codebook = write(tmp_path, "cb.npy", CODEBOOK_FILES[case][0])
    out = tmp_path / "img"
    assert_refused(run_cli("pack", model, "-o", out, "--pes", 2, "--codebook", codebook), CODEBOOK_FILES[case][1],
                   outputs=[out])


# ---------------------------------------------------------------------------- 2. headers that claim too much
HUGE = npy_bytes("<f8", (10**6, 10**6), b"\0" * 64)  # 128 bytes claiming 7 TiB


@pytest.mark.parametrize("container", ["npy", "npz stored", "npz deflated"])
def test_model_header_claims_more_than_the_file(tmp_path, run_cli, container):
    if container == "npy":
        model = write(tmp_path, "w.npy", HUGE)
    else:
        model = write(tmp_path, "m.npz", npz_bytes({"W0.npy": HUGE}, compress=container.endswith("deflated")))
    out = tmp_path / "img"
    assert_refused(run_cli("pack", model, "-o", out, "--pes", 2), "claims shape (1000000, 1000000)", "7.3 TiB",
                   outputs=[out])


def test_input_header_claims_more_than_the_file(tmp_path, run_cli):
    model = tmp_path / "w.npy"
    np.save(model, good_weights()[0])
    image = tmp_path / "img"
    assert run_cli("pack", model, "-o", image, "--pes", 2)[0] == 0
    out = tmp_path / "y.npy"
    x = write(tmp_path, "x.npy", npy_bytes("<f8", (10**6, 5), b"\0" * 40))
    assert_refused(run_cli("ref", image, x, "-o", out), "claims shape (1000000, 5)", outputs=[out])


def test_header_with_absurd_shapes(tmp_path, run_cli, record_property):
    out = tmp_path / "img"
    shapes = [(-1, 2), (2**70, 2**70), (1,) * 40, (10**30,), (0, 2**63)]  # the last: found by the fuzz test
    record_property("bad_inputs", len(shapes))
    for shape in shapes:
        model = write(tmp_path, "w.npy", npy_bytes("<f8", shape, b"\0" * 64))
        assert_refused(run_cli("pack", model, "-o", out, "--pes", 2), str(model), outputs=[out])


def test_arrays_beyond_the_cap(tmp_path, run_cli, monkeypatch):
    """Data that is really in the file, but more than eie reads: per .npy and summed over an .npz."""
    monkeypatch.setattr(model_io, "MAX_ARRAY_BYTES", 1000)
    out = tmp_path / "img"
    model = tmp_path / "w.npy"
    np.save(model, np.ones((20, 10)))  # 1600 bytes
    assert_refused(run_cli("pack", model, "-o", out, "--pes", 2), "more than eie reads", outputs=[out])
    model = tmp_path / "m.npz"
    np.savez(model, W0=np.ones((10, 6)), W1=np.ones((6, 10)))  # 480 bytes each, 960 in all: fits
    assert run_cli("pack", model, "-o", out, "--pes", 2)[0] == 0
    np.savez(model, W0=np.ones((10, 6)), b0=np.ones(10), W1=np.ones((6, 10)))  # 1040 bytes in all
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img2", "--pes", 2), "more than eie reads",
                   outputs=[tmp_path / "img2"])
    state = pt_bytes(ORDERED_DICT + b"(" + pickled_text("0.weight") + tensor_pickle("0", (20, 20), (20, 1)) + b"u",
                     {"0": np.ones(400, dtype="<f4").tobytes()})  # 1600 bytes of storage
    model = write(tmp_path, "m.pt", state)
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img3", "--pes", 2), "more than eie reads",
                   outputs=[tmp_path / "img3"])


# ---------------------------------------------------------------------------- 3. weights near 1e308
def test_huge_weight_says_its_magnitude(tmp_path, run_cli, no_warnings):
    out = tmp_path / "img"
    model = tmp_path / "w.npy"
    np.save(model, np.full((4, 4), 1e308))
    assert_refused(run_cli("pack", model, "-o", out, "--pes", 2), "layer 0", "magnitude 1e+308", outputs=[out])
    weight, bias, second = good_weights()
    bias[2] = -1.5e308
    np.savez(tmp_path / "m.npz", W0=weight, b0=bias, W1=second)
    assert_refused(run_cli("pack", tmp_path / "m.npz", "-o", out, "--pes", 2), "layer 0", "magnitude 1.5e+308",
                   outputs=[out])


def test_huge_codebook_entry(tmp_path, run_cli, no_warnings):
    model = tmp_path / "w.npy"
    np.save(model, good_weights()[0])
    out = tmp_path / "img"
    assert_refused(run_cli("pack", model, "-o", out, "--pes", 2, "--codebook", "1e308,1.7e308"), "magnitude 1.7e+308",
                   outputs=[out])


def test_longdouble_beyond_float64(tmp_path, run_cli, no_warnings):
    if np.finfo(np.longdouble).max <= np.finfo(np.float64).max:
        pytest.skip("longdouble is float64 on this platform")
    model = tmp_path / "w.npy"
    np.save(model, np.full((3, 3), np.longdouble("1e4000")))
    out = tmp_path / "img"
    assert_refused(run_cli("pack", model, "-o", out, "--pes", 2), "1.e+4000", "float64", outputs=[out])


def test_huge_input_saturates_quietly(tmp_path, run_cli, no_warnings):
    model = tmp_path / "w.npy"
    np.save(model, np.eye(4))
    image = tmp_path / "img"
    assert run_cli("pack", model, "-o", image, "--pes", 2)[0] == 0
    x = tmp_path / "x.npy"
    np.save(x, np.array([1e308, -1e308, 3.0, 1e5]))
    out = tmp_path / "y.npy"
    assert run_cli("ref", image, x, "-o", out)[0] == 0
    assert np.load(out).tolist() == [32767, 0, 3 << 8, 32767]  # ReLU on the negative one


# ---------------------------------------------------------------------------- 4. deep nesting in a .pt
@pytest.mark.parametrize("data, words", [
    (deep_sequential_pt(5000), "nested more than 64 deep"),
    (cyclic_sequential_pt(), "containing itself"),
    (deep_tuple_pt(100_000), "nested too deep"),
], ids=["5000 Sequentials", "cyclic Sequential", "deep tuple"])
def test_deep_pt(tmp_path, run_cli, data, words):
    assert len(data) < 20_000  # the fuzz corpus keeps copies
    model = write(tmp_path, "m.pt", data)
    out = tmp_path / "img"
    assert_refused(run_cli("pack", model, "-o", out, "--pes", 2), words, outputs=[out])


def test_nesting_at_the_limit_is_read(tmp_path):
    linear = pickled_module(LINEAR, b"",
                     pickled_text("weight") + tensor_pickle("0", (3, 2), (2, 1)) + pickled_text("bias") + b"N")
    opening = SEQUENTIAL + b")\x81}(" + pickled_text("_modules") + ORDERED_DICT + b"(" + pickled_text("0")
    depth = model_io.MAX_NESTING - 1  # this many around the innermost Sequential
    inner = pickled_module(SEQUENTIAL, pickled_text("0") + linear)
    data = pt_bytes(opening * depth + inner + b"uub" * depth, {"0": np.arange(6, dtype="<f4").tobytes()})
    (layer,) = model_io.load_model(write(tmp_path, "m.pt", data))
    assert layer.weight.tolist() == [[0, 1], [2, 3], [4, 5]] and layer.relu is False


def test_huge_memo_index(tmp_path, run_cli):
    model = write(tmp_path, "m.pt", huge_memo_pt())
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), "memo index 4294967295")


# ---------------------------------------------------------------------------- 5. .npz keys
@pytest.mark.parametrize("key", ["b\u0661", "W\u0661", "b00", "W01", "b1\n", "b" + "9" * 5000, "W\uff11"],
                         ids=["arabic-indic one", "arabic-indic W", "leading zero b", "leading zero W", "newline",
                              "5000 digits", "fullwidth one"])
def test_npz_key_that_only_looks_right(tmp_path, run_cli, key):
    weight, bias, second = good_weights()
    arrays = {"W0": weight, "W1": second}
    arrays[key] = bias[:3] if key.startswith("b") else second
    np.savez(tmp_path / "m.npz", **arrays)
    out = tmp_path / "img"
    assert_refused(run_cli("pack", tmp_path / "m.npz", "-o", out, "--pes", 2), outputs=[out])


def test_npz_keys_as_written(tmp_path, run_cli):
    weight, bias, second = good_weights()
    np.savez(tmp_path / "m.npz", W0=weight, b0=bias, W1=second, b1=np.zeros(3))
    assert len(model_io.load_model(tmp_path / "m.npz")) == 2


# ---------------------------------------------------------------------------- 6. found by the fuzz test
def test_npz_encrypted_member(tmp_path, run_cli):
    model = write(tmp_path, "m.npz", encrypted(npz_bytes({"W0.npy": npy_of(np.ones((2, 2)))})))
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), "encrypted")


def test_npz_member_twice(tmp_path, run_cli):
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = npz_bytes({"W0.npy": npy_of(np.ones((2, 2)))})
        buffer = io.BytesIO(data)
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("W0.npy", npy_of(np.ones((3, 2))))
    model = write(tmp_path, "m.npz", buffer.getvalue())
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), "twice")


@pytest.mark.parametrize("child, words", [
    (b"K\x05", "is a int, not a torch module"),
    (pickled_module(LINEAR, b"", pickled_text("weight") + b"((K\x01K\x02l(K\x03ll"), "not a tensor"),  # [[1, 2], [3]]
    (pickled_module(LINEAR), "without a weight"),
], ids=["int child", "list weight", "no weight"])
def test_pt_sequential_of_odd_objects(tmp_path, run_cli, child, words):
    model = write(tmp_path, "m.pt", sequential_with(child))
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), words)


@pytest.mark.parametrize("shape, stride", [((2, 2), (2**70, 1)), ((2**70, 0), (1, 1))], ids=["stride", "size"])
def test_pt_tensor_with_huge_numbers(tmp_path, run_cli, shape, stride):
    state = pt_bytes(ORDERED_DICT + b"(" + pickled_text("0.weight") + tensor_pickle("0", shape, stride) + b"u",
                     {"0": np.ones(4, dtype="<f4").tobytes()})
    model = write(tmp_path, "m.pt", state)
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), "not a readable PyTorch file")


@pytest.mark.parametrize("shape, stride, offset", [((2, 2), (2, 1), 1), ((2, 2), (1, 3), 0), ((1, 1), (1, 1), 4)],
                         ids=["offset", "stride", "offset at the end"])
def test_pt_tensor_past_its_storage(tmp_path, run_cli, shape, stride, offset):
    """The farthest element, offset + sum((size - 1) * stride), must lie in the storage (4 floats here)."""
    state = pt_bytes(ORDERED_DICT + b"(" + pickled_text("0.weight") + tensor_pickle("0", shape, stride, offset) + b"u",
                     {"0": np.ones(4, dtype="<f4").tobytes()})
    model = write(tmp_path, "m.pt", state)
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), "reaches past the end of its storage")


def test_pt_state_dict_key_not_a_name(tmp_path, run_cli):
    key = b")" + b"\x85" * 50  # a nested tuple as a key
    state = pt_bytes(ORDERED_DICT + b"(" + key + tensor_pickle("0", (2, 2), (2, 1)) + b"u",
                     {"0": np.ones(4, dtype="<f4").tobytes()})
    model = write(tmp_path, "m.pt", state)
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), "a state_dict key is a tuple")


def test_pt_unknown_byteorder(tmp_path, run_cli):
    state = pt_bytes(ORDERED_DICT + b"(" + pickled_text("0.weight") + tensor_pickle("0", (2, 2), (2, 1)) + b"u",
                     {"0": np.ones(4, dtype="<f4").tobytes()}, byteorder=b"middle")
    model = write(tmp_path, "m.pt", state)
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), "byteorder")


def test_npy_header_with_an_unclosed_brace(tmp_path, run_cli):
    """numpy's header tokenizer raises tokenize.TokenError, not a ValueError."""
    model = write(tmp_path, "w.npy", npy_bytes("<f4", (6, 5)).replace(b"}", b" ", 1))
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), "not a readable .npy file")
