# SPDX-License-Identifier: Apache-2.0
"""Fuzzing every file a user hands to ``eie``: models, inputs, codebooks and image folders.

Hypothesis mutates the valid seeds of tests/data/fuzz/ (and the real torch files
of tests/data/torch/): byte flips, truncations, insertions, spliced and
rewritten .npy headers (huge, negative and absurd shapes, every dtype kind),
.npz archives with look-alike keys and odd members, .pt archives with damaged
members and generated module trees, manifest.json values replaced by huge
integers, deep nesting or wrong types, and .hex lines damaged with and without
a matching checksum. Each example goes through the CLI in-process
(``eie.apps.cli.main``): ``pack`` on model files, ``inspect`` and ``ref`` on images,
and a few ``sim --sim icarus`` runs on a 2-PE image. Every run must either
succeed (exit 0, nothing on stderr) or print exactly one line
``eie: error: ...`` and exit 1, emit no warning, and change no file but its
output, which may appear or be replaced only on success.

The corpus test re-runs every seed and every input that once found a bug
(``bug_*`` files, described in tests/data/fuzz/README.md; each must be
refused). Its ``image:`` cases are manifests that broke python/eie/image/
(nested 3,000 deep, an integer of 5,001 digits, an entry_base of 10**30); they
fail until image.py handles them.

Default run (``make test``): a fixed number of derandomised examples per
target, under 2 minutes on the 2-core CI machine. A long run::

    EIE_FUZZ_EXAMPLES=5000 EIE_FUZZ_SIM_EXAMPLES=40 .venv/bin/python -m pytest tests/test_fuzz_inputs.py

takes every target to 5000 examples (40 RTL runs); ``EIE_FUZZ_SEED=<n>`` draws
another random sequence instead of the fixed one. ``python tests/test_fuzz_inputs.py``
rewrites the corpus (after a change of the image format, say).
"""

from __future__ import annotations

import collections
import functools
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import traceback
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, seed, settings
from hypothesis import strategies as st

from eie.apps.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_model_input_errors import (  # noqa: E402  (the builders of the bad files)
    ORDERED_DICT, SEQUENTIAL, cyclic_sequential_pt, deep_sequential_pt, deep_tuple_pt, encrypted, huge_memo_pt,
    npy_bytes, npy_of, npz_bytes, pickled_global, pickled_module, pickled_text, pt_bytes, tensor_pickle,
)

pytestmark = pytest.mark.bad_input  # counted in the regression's verification summary

CORPUS = Path(__file__).resolve().parent / "data" / "fuzz"
TORCH = Path(__file__).resolve().parent / "data" / "torch"
EXAMPLES = int(os.environ.get("EIE_FUZZ_EXAMPLES", "0"))
SIM_EXAMPLES = int(os.environ.get("EIE_FUZZ_SIM_EXAMPLES", "5"))
SEED = os.environ.get("EIE_FUZZ_SEED")
# A 2-PE core with small memories: a quick Icarus build, shared by every sim example.
PACK_SMALL = ["--pes", "2", "--spmat-words", "64", "--ptr-bank-depth", "64", "--act-depth", "16", "--max-layers", "4"]


def fuzz(default: int, examples: int | None = None):
    """Hypothesis settings of one target: ``default`` examples (EIE_FUZZ_EXAMPLES for a long run)."""

    def decorate(test):
        test = settings(max_examples=examples or EXAMPLES or default, deadline=None, derandomize=SEED is None,
                        database=None, suppress_health_check=list(HealthCheck))(test)
        return seed(int(SEED))(test) if SEED is not None else test

    return decorate


# ---------------------------------------------------------------------------- the oracle
def snapshot(root: Path, skip: Path | None = None) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``root``, except ``skip`` and what is under it."""
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        found[str(path.relative_to(root))] = None if path.is_dir() and not path.is_symlink() else path.read_bytes()
    return found


def state_of(path: Path):
    if path.is_dir():
        return snapshot(path)
    return path.read_bytes() if path.exists() else "absent"


def run_checked(capsys, root: Path, argv: list, output: Path | None, what: str) -> int:
    """Runs ``eie argv``; asserts the contract of the module text; returns the exit code."""
    code, _ = run_and_check(capsys, root, argv, output, what)
    return code


def run_and_check(capsys, root: Path, argv: list, output: Path | None, what: str) -> tuple[int, str]:
    """:func:`run_checked`, also returning stderr."""
    before = snapshot(root, output)
    output_before = state_of(output) if output is not None else None
    capsys.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = main([str(a) for a in argv])
        except BaseException as exc:  # noqa: BLE001: what reaches here would be a traceback
            last = traceback.format_exception_only(type(exc), exc)[-1].strip()[:300]
            pytest.fail(f"{what}: eie {' '.join(map(str, argv))} raised {last}")
    _, err = capsys.readouterr()
    assert not caught, f"{what}: warnings {[str(w.message)[:200] for w in caught]}"
    lines = err.splitlines()
    if code == 0:
        assert err == "", f"{what}: exit 0 with stderr {err[:500]!r}"
    else:
        assert code == 1, f"{what}: exit {code}, stderr {err[:500]!r}"
        assert len(lines) == 1 and lines[0].startswith("eie: error: "), f"{what}: stderr {err[:1000]!r}"
    assert "Traceback" not in err
    assert snapshot(root, output) == before, f"{what}: a file other than the output changed"
    if code != 0 and output is not None:
        assert state_of(output) == output_before, f"{what}: the output changed on a failure"
    return code, err


class Target:
    """One fuzz target: a fresh folder per example, the number of examples run."""

    def __init__(self, tmp_path: Path, capsys, record_property):
        self.tmp_path, self.capsys, self.record_property, self.tried = tmp_path, capsys, record_property, 0
        self.codes: collections.Counter = collections.Counter()
        self.errors: collections.Counter = collections.Counter()  # the first words of each refusal

    def folder(self) -> Path:
        return Path(tempfile.mkdtemp(dir=self.tmp_path))

    def run(self, root: Path, argv: list, output: Path | None, what: str) -> int:
        self.tried += 1
        code, err = run_and_check(self.capsys, root, argv, output, what)
        self.codes[code] += 1
        if code:
            message = err.replace(str(root), "").split(": ", 2)[-1]
            self.errors[" ".join(message.split()[:12])] += 1
        return code

    def finish(self) -> None:
        """Records the cases tried for the verification summary (EIE_FUZZ_VERBOSE=1: and how they ended)."""
        self.record_property("bad_inputs", self.tried)
        if os.environ.get("EIE_FUZZ_VERBOSE"):
            print(f"\n{self.tried} runs, exit codes {dict(self.codes)}")
            for message, count in self.errors.most_common():
                print(f"{count:6} {message[:100]}")


# ---------------------------------------------------------------------------- seeds
def seed_bytes(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


SEED_IMAGE = CORPUS / "seed_image"


def copy_image(folder: Path, name: str = "img") -> Path:
    image = folder / name
    shutil.copytree(SEED_IMAGE, image)
    return image


def write_manifest(image: Path, data: bytes) -> None:
    (image / "manifest.json").write_bytes(data)


# ---------------------------------------------------------------------------- byte-level mutation
INTERESTING = [0x00, 0xFF, 0x7F, 0x80, 0x0A, 0x0D, 0x20, 0x22, 0x27, 0x28, 0x29, 0x2C, 0x2D, 0x30, 0x39, 0x3A,
               0x5B, 0x7B, 0x7D]


@st.composite
def mutated(draw, seed_data: bytes, header: int = 160):
    """1-3 mutations of ``seed_data``, positions biased towards its first ``header`` bytes."""
    data = bytearray(seed_data)
    for _ in range(draw(st.integers(1, 3))):
        n = len(data)
        at = draw(st.one_of(st.integers(0, min(n, header)), st.integers(0, n)))
        op = draw(st.sampled_from(["flip", "byte", "truncate", "insert", "delete", "repeat", "digits", "splice"]))
        if op == "flip" and n:
            data[min(at, n - 1)] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte" and n:
            data[min(at, n - 1)] = draw(st.sampled_from(INTERESTING))
        elif op == "truncate":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 32))]
        elif op == "repeat":
            chunk = data[at : at + draw(st.integers(1, 64))]
            data[at:at] = chunk * draw(st.integers(1, 40))
        elif op == "digits":
            data[at:at] = draw(st.sampled_from([b"9" * 20, b"9" * 5001, b"-1", b"0" * 40, b"1e999"]))
        elif op == "splice":  # another seed's bytes over this one's
            other = draw(st.sampled_from(splice_sources()))
            start = draw(st.integers(0, len(other)))
            data[at : at + draw(st.integers(0, 200))] = other[start : start + draw(st.integers(1, 200))]
    return bytes(data)


@functools.cache
def splice_sources() -> list[bytes]:
    return [seed_bytes(name) for name in ("seed_model.npy", "seed_input.npy", "seed_model.npz")]

# ---------------------------------------------------------------------------- .npy
DESCRS = ["<f8", "<f4", ">f8", "<f2", "<i2", ">i8", "|u1", "<u8", "|b1", "<c16", "<U3", "|S4", "|O", "|V8", "<f16",
          "<M8[s]", "<m8[s]", "bogus", "", "<f0"]
DIMS = st.one_of(st.integers(0, 8), st.integers(-3, -1), st.sampled_from([2**31, 2**63, 2**64 + 1, 10**6, 10**40]))


@st.composite
def npy_files(draw, seed_names=("seed_model.npy", "seed_model_fortran.npy")):
    """An .npy file: a mutated seed, a rewritten header, or a valid array of any dtype."""
    kind = draw(st.sampled_from(["mutated", "mutated", "header", "valid", "valid"]))
    if kind == "mutated":
        return draw(mutated(seed_bytes(draw(st.sampled_from(seed_names)))))
    if kind == "valid":
        dtype = draw(st.sampled_from(["<f8", ">f4", "<f2", "<i8", "|u1", "|b1", "<c8", np.longdouble]))
        shape = draw(st.tuples(st.integers(1, 7), st.integers(1, 7)) | st.lists(st.integers(0, 7), max_size=3))
        values = draw(st.sampled_from([0.0, 1.0, -0.5, 3e4, 4e4, 1e308, np.nan, np.inf, -1e5]))
        array = np.random.default_rng(draw(st.integers(0, 9))).normal(size=shape) * 2
        array.flat[:1] = values
        with np.errstate(all="ignore"):
            return npy_of(array.astype(dtype))
    descr = draw(st.sampled_from(DESCRS))
    shape = draw(st.lists(DIMS, max_size=4))
    version = draw(st.sampled_from([(1, 0), (1, 0), (2, 0), (3, 0), (0, 9)]))
    try:
        itemsize = np.dtype(descr).itemsize
    except (TypeError, ValueError):
        itemsize = 8
    size = int(np.prod(shape)) * itemsize if all(0 <= d < 100 for d in shape) else 0
    data = draw(st.sampled_from([b"", b"\0" * size, b"\0" * max(size - 1, 0), b"\x01" * 64]))
    return npy_bytes(descr, shape, data, version)


# ---------------------------------------------------------------------------- .npz
NPZ_KEYS = ["W0", "b0", "W1", "b1", "W2", "b00", "W01", "b\u0661", "W\u0660", "w0", "B0", "W0 ", "W-1", "W" + "9" * 30,
            "b" + "9" * 5000, "x", "dir/W0", "W0\n", "", "W\uff10"]
GOOD_ARRAYS = {"W0": np.ones((6, 5)) * 0.5, "b0": np.linspace(-1, 1, 6), "W1": np.eye(3, 6), "b1": np.zeros(3)}


@st.composite
def npz_files(draw):
    kind = draw(st.sampled_from(["mutated", "members", "members"]))
    if kind == "mutated":
        return draw(mutated(seed_bytes(draw(st.sampled_from(["seed_model.npz", "seed_model_compressed.npz"]))),
                            header=400))
    members = {}
    for key in draw(st.lists(st.sampled_from(NPZ_KEYS), min_size=1, max_size=5)):
        source = draw(st.sampled_from(["good", "good", "npy"]))
        if source == "good" and key in GOOD_ARRAYS:
            data = npy_of(GOOD_ARRAYS[key])
        elif source == "good":
            data = npy_of(GOOD_ARRAYS[draw(st.sampled_from(sorted(GOOD_ARRAYS)))])
        else:
            data = draw(npy_files())
        suffix = draw(st.sampled_from([".npy"] * 7 + ["", ".txt", "/"]))
        members[key + suffix if key or suffix != "/" else "/x"] = data  # zipfile cannot write a member "/"
    data = npz_bytes(members, compress=draw(st.booleans()))
    if draw(st.sampled_from([False] * 9 + [True])):
        data = encrypted(data)
    return data


# ---------------------------------------------------------------------------- .pt
def _storage(shape) -> bytes:
    return (np.arange(int(np.prod(shape)), dtype="<f4") / 7).astype("<f4").tobytes()


@st.composite
def tensors(draw, storages: dict):
    """A pickled tensor over a new storage; its shape, stride and offset sometimes disagree with the storage."""
    rows, cols = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    key = str(len(storages))
    storages[key] = _storage((rows, cols))[: draw(st.sampled_from([None] * 9 + [4, 0]))]
    shape = draw(st.sampled_from([(rows, cols)] * 8 + [(cols,), (rows, cols, 1), (2**40, 2), (0, cols)]))
    stride = draw(st.sampled_from([(cols, 1)] * 8 + [(1, rows), (0, 0), (2**62, 1), (1,)]))[: len(shape)]
    stride = stride + (1,) * (len(shape) - len(stride))
    offset = draw(st.sampled_from([0] * 8 + [1, 2**30]))
    return tensor_pickle(key, shape, stride, offset)


@st.composite
def modules(draw, storages: dict, depth: int = 0):
    """A pickled module tree: Linear, ReLU, Tanh, Dropout, Sequential (nested), or not a module at all."""
    kinds = ["Linear", "ReLU", "Dropout", "Tanh", "int", "None"] + (["Sequential"] if depth < 3 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "int":
        return b"K\x05"
    if kind == "None":
        return b"N"
    if kind == "Sequential":
        children = draw(st.lists(modules(storages, depth + 1), max_size=4))
        return pickled_module(SEQUENTIAL, b"".join(pickled_text(str(i)) + c for i, c in enumerate(children)))
    module = {"Linear": "linear", "ReLU": "activation", "Tanh": "activation", "Dropout": "dropout"}[kind]
    params = b""
    if kind == "Linear":
        params = pickled_text("weight") + draw(tensors(storages))
        if draw(st.booleans()):
            params += pickled_text("bias") + draw(st.sampled_from([b"N", b"K\x01"]) | tensors(storages))
    return pickled_module(pickled_global(f"torch.nn.modules.{module}", kind), b"", params)


@st.composite
def pt_files(draw):
    kind = draw(st.sampled_from(["bytes", "member", "tree", "state_dict", "built"]))
    seeds = [TORCH / "tiny_state_dict.pt", TORCH / "tiny_sequential.pt", CORPUS / "seed_state_dict.pt"]
    if kind == "bytes":
        return draw(mutated(draw(st.sampled_from(seeds)).read_bytes(), header=600))
    if kind == "member":  # one member damaged inside a sound archive (its CRC matches)
        with zipfile.ZipFile(draw(st.sampled_from(seeds))) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()}
        name = draw(st.sampled_from(sorted(members)))
        action = draw(st.sampled_from(["mutate", "mutate", "mutate", "drop", "rename"]))
        if action == "mutate":
            members[name] = draw(mutated(members[name], header=len(members[name])))
        elif action == "drop":
            del members[name]
        else:
            members["x/" + name.split("/", 1)[-1]] = members.pop(name)
        return npz_bytes(members, compress=draw(st.booleans()))
    storages: dict = {}
    if kind == "tree":  # mostly a Sequential at the top, as torch.save(model) writes
        children = draw(st.lists(modules(storages, 1), max_size=5))
        top = pickled_module(SEQUENTIAL, b"".join(pickled_text(str(i)) + c for i, c in enumerate(children)))
        return pt_bytes(draw(st.sampled_from([top, top, top, draw(modules(storages))])), storages)
    if kind == "state_dict":
        names = ["0.weight", "0.bias", "2.weight", "2.bias", "weight", "x", "0.w\u0661eight"]
        keys = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4))
        body = b"".join(pickled_text(k) + draw(tensors(storages)) for k in keys)
        return pt_bytes(ORDERED_DICT + b"(" + body + b"u", storages,
                        byteorder=draw(st.sampled_from([b"little"] * 6 + [b"big", b"", b"\xff"])))
    return draw(st.sampled_from([deep_sequential_pt(draw(st.integers(60, 70))), cyclic_sequential_pt(),
                                 deep_tuple_pt(draw(st.sampled_from([10, 990, 5000]))), huge_memo_pt()]))


# ---------------------------------------------------------------------------- images
RAW_JSON = ["9" * 5001, "-" + "9" * 5001, "1e999", "-1e999", "NaN", "Infinity", "1" + "0" * 30, "-1", "0", "1.5",
            "true", "false", "null", '""', '"\\u0000"', "[]", "{}", '"' + "x" * 300 + '"', "[" * 3000 + "]" * 3000,
            '{"a":' * 3000 + "1" + "}" * 3000, "2147483648", "4294967296", "65536", "65535", "1e308", "[1, 2]",
            '"interleave"', '"balanced"', '"../manifest.json"', '"spmat_pe000.hex"']


def json_paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from json_paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from json_paths(child, prefix + (index,))


@st.composite
def manifest_texts(draw):
    """The seed manifest with 1-3 values replaced, removed or added, or its text damaged."""
    text = (SEED_IMAGE / "manifest.json").read_text()
    if draw(st.sampled_from([False] * 4 + [True])):
        return draw(mutated(text.encode(), header=len(text)))
    manifest = json.loads(text)
    paths = list(json_paths(manifest))
    raw = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add"]))
        parent = manifest
        try:
            for key in path[:-1]:
                parent = parent[key]
        except (KeyError, IndexError, TypeError):
            continue
        if not path:
            parent, key = None, None
        else:
            key = path[-1]
        if action == "replace":
            raw.append(draw(st.sampled_from(RAW_JSON)))
            sentinel = f"\x00RAW{len(raw) - 1}\x00"
            if parent is None:
                manifest = sentinel
            elif isinstance(parent, dict) and key in parent or isinstance(parent, list) and key < len(parent):
                parent[key] = sentinel
        elif action == "delete" and isinstance(parent, (dict, list)):
            try:
                del parent[key]
            except (KeyError, IndexError):
                pass
        elif action == "add" and isinstance(parent, dict):
            parent["extra"] = 1
        elif action == "add" and isinstance(parent, list):
            parent.append(parent[0] if parent else 0)
    text = json.dumps(manifest, indent=1)
    for index, value in enumerate(raw):
        text = text.replace(json.dumps(f"\x00RAW{index}\x00"), value)
    return text.encode()


@st.composite
def hex_damage(draw):
    """(file name, new bytes, whether the manifest's checksum is updated to match)."""
    name = draw(st.sampled_from(sorted(p.name for p in SEED_IMAGE.glob("*.hex"))))
    data = (SEED_IMAGE / name).read_bytes()
    lines = data.split(b"\n")[:-1]
    op = draw(st.sampled_from(["bytes", "digit", "drop", "dup", "swap", "extra", "empty", "crlf", "upper"]))
    at = draw(st.integers(0, max(len(lines) - 1, 0)))
    if op == "bytes":
        data = draw(mutated(data, header=len(data)))
    elif op == "digit" and lines:
        line = bytearray(lines[at])
        line[draw(st.integers(0, len(line) - 1))] = draw(st.sampled_from(b"0123456789abcdefFg \t"))
        lines[at] = bytes(line)
    elif op == "drop" and lines:
        del lines[at]
    elif op == "dup" and lines:
        lines.insert(at, lines[at])
    elif op == "swap" and len(lines) > 1:
        lines[at], lines[-1] = lines[-1], lines[at]
    elif op == "extra":
        lines.append(b"f" * len(lines[0]) if lines else b"ffff")
    elif op == "empty":
        lines = []
    elif op == "upper":
        lines = [line.upper() for line in lines]
    if op != "bytes":
        data = b"".join(line + (b"\r\n" if op == "crlf" else b"\n") for line in lines)
    return name, data, draw(st.booleans()) or op != "bytes"


def damage_hex(image: Path, damage) -> None:
    name, data, resign = damage
    (image / name).write_bytes(data)
    if resign:
        manifest = json.loads((image / "manifest.json").read_text())
        manifest["files"][name] = hashlib.sha256(data).hexdigest()
        (image / "manifest.json").write_text(json.dumps(manifest, indent=1))


# ---------------------------------------------------------------------------- targets
@pytest.fixture
def target(tmp_path, capsys, record_property):
    return Target(tmp_path, capsys, record_property)


def fuzz_each(target: Target, default: int, body, explicit=(), examples: int | None = None, **strategies) -> None:
    """Runs ``body(folder, **drawn)`` for each example, in a fresh folder removed afterwards."""

    def one(**drawn):
        folder = target.folder()
        try:
            body(folder, **drawn)
        finally:
            shutil.rmtree(folder)

    test = given(**strategies)(one)
    for values in explicit:
        test = example(**values)(test)
    try:
        fuzz(default, examples)(test)()
    finally:  # during the test's call: the summary reads the call's properties
        target.finish()


def pack_model(target: Target, folder: Path, model: Path, existing: bool = False, extra=()) -> int:
    out = folder / "out_img"
    if existing:  # an earlier image, which pack may replace only on success
        copy_image(folder, "out_img")
    return target.run(folder, ["pack", model, "-o", out, *PACK_SMALL, *extra], out, f"pack {model.name}")


def inspect_and_ref(target: Target, folder: Path, change=None, input_data: bytes | None = None,
                    existing: bool = False) -> None:
    """``inspect`` and ``ref`` on the seed image after ``change(image)``."""
    image = copy_image(folder)
    if change is not None:
        change(image)
    (folder / "x.npy").write_bytes(input_data if input_data is not None else seed_bytes("seed_input.npy"))
    out = folder / "y.npy"
    if existing:
        out.write_bytes(b"an earlier output")
    target.run(folder, ["inspect", image], None, "inspect")
    target.run(folder, ["ref", image, folder / "x.npy", "-o", out], out, "ref")


@pytest.mark.parametrize("suffix", [".npy", ".npz", ".pt"])
def test_fuzz_pack(target, suffix):
    def body(folder, data, existing, options):
        (folder / f"model{suffix}").write_bytes(data)
        pack_model(target, folder, folder / f"model{suffix}", existing, options)

    fuzz_each(target, {".npy": 400, ".npz": 400, ".pt": 500}[suffix], body,
              data={".npy": npy_files(), ".npz": npz_files(), ".pt": pt_files()}[suffix],
              existing=st.sampled_from([False] * 9 + [True]),
              options=st.sampled_from([(), (), ("--density", "0.5"), ("--assign-rows", "balanced"),
                                       ("--linear-last",)]))


def test_fuzz_codebook(target):
    def body(folder, codebook):
        (folder / "model.npy").write_bytes(seed_bytes("seed_model.npy"))
        if isinstance(codebook, bytes):
            (folder / "cb.npy").write_bytes(codebook)
            codebook = folder / "cb.npy"
        pack_model(target, folder, folder / "model.npy", extra=("--codebook", codebook))

    fuzz_each(target, 200, body, codebook=npy_files(("seed_codebook.npy",))
              | st.text(alphabet="0123456789.,-+eE naif_x\u0661", min_size=1, max_size=40))


def test_fuzz_image_manifest(target):
    def body(folder, text):
        inspect_and_ref(target, folder, lambda image: write_manifest(image, text))

    fuzz_each(target, 300, body, text=manifest_texts())


def test_fuzz_image_hex(target):
    def body(folder, damage):
        inspect_and_ref(target, folder, lambda image: damage_hex(image, damage))

    fuzz_each(target, 300, body, damage=hex_damage())


def test_fuzz_ref_input(target):
    fuzz_each(target, 300, lambda folder, data, existing: inspect_and_ref(target, folder, None, data, existing),
              data=npy_files(("seed_input.npy", "seed_input_batch.npy")), existing=st.booleans())


SIM_INPUTS = st.one_of(
    st.just(None),
    st.sampled_from([np.array([1e308, -3.0, 0.5, 2.0, 1e-3]), np.array([[40000, 0, 1, 2, 3]], dtype=np.int32),
                     np.arange(10, dtype=np.int16).reshape(2, 5), np.ones(4)]).map(npy_of),
)


def test_fuzz_sim(target):
    """A few RTL runs (Icarus, one build of the 2-PE core for all): damaged images and odd inputs."""

    def body(folder, damage, input_data):
        image = copy_image(folder)
        if damage is not None:
            damage_hex(image, damage)
        (folder / "x.npy").write_bytes(input_data if input_data is not None else seed_bytes("seed_input.npy"))
        out = folder / "y.npy"
        code = target.run(folder, ["sim", image, folder / "x.npy", "-o", out, "--sim", "icarus"], out, "sim")
        if damage is None and input_data is None:
            assert code == 0 and out.exists()

    fuzz_each(target, SIM_EXAMPLES, body, explicit=[{"damage": None, "input_data": None}], examples=SIM_EXAMPLES,
              damage=st.one_of(st.none(), st.none(), hex_damage()), input_data=SIM_INPUTS)


# ---------------------------------------------------------------------------- the corpus
def corpus_cases() -> list:
    """Every corpus file; the id names the module whose bug it found."""
    names = sorted(p.name for p in CORPUS.glob("*") if p.name not in ("README.md", "seed_image"))
    return [pytest.param(name, id=f"{'image' if name.startswith('bug_manifest') else 'model_io'}:{name}")
            for name in names]


def test_corpus_seed_image_is_current(tmp_path, capsys):
    """The committed image still loads: otherwise the image fuzzing would test nothing but refusals."""
    code = run_checked(capsys, tmp_path, ["inspect", SEED_IMAGE], None, "seed image")
    assert code == 0, "tests/data/fuzz/seed_image is stale: run python tests/test_fuzz_inputs.py to rewrite the corpus"


@pytest.mark.parametrize("name", corpus_cases())
def test_corpus(tmp_path, capsys, name):
    """Every seed passes, every input that once found a bug is refused in one line."""
    path = CORPUS / name
    folder = tmp_path / "work"
    folder.mkdir()
    if name.startswith(("seed_input", "bug_input")):
        image = copy_image(folder)
        shutil.copy(path, folder / "x.npy")
        codes = [run_checked(capsys, folder, ["ref", image, folder / "x.npy", "-o", folder / "y.npy"],
                             folder / "y.npy", name)]
    elif name.startswith("bug_manifest"):
        image = copy_image(folder)
        shutil.copy(path, image / "manifest.json")
        shutil.copy(CORPUS / "seed_input.npy", folder / "x.npy")
        codes = [run_checked(capsys, folder, ["inspect", image], None, name),
                 run_checked(capsys, folder, ["ref", image, folder / "x.npy", "-o", folder / "y.npy"],
                             folder / "y.npy", name)]
    elif name.startswith(("seed_codebook", "bug_codebook")):
        shutil.copy(CORPUS / "seed_model.npy", folder / "model.npy")
        shutil.copy(path, folder / "cb.npy")
        codes = [run_checked(capsys, folder, ["pack", folder / "model.npy", "-o", folder / "img", *PACK_SMALL,
                                              "--codebook", folder / "cb.npy"], folder / "img", name)]
    else:
        shutil.copy(path, folder / name)
        codes = [run_checked(capsys, folder, ["pack", folder / name, "-o", folder / "img", *PACK_SMALL],
                             folder / "img", name)]
    expected = 0 if name.startswith("seed_") else 1
    assert codes == [expected] * len(codes), f"{name}: exit codes {codes}"


# ---------------------------------------------------------------------------- writing the corpus
def write_corpus() -> None:
    """The seed corpus: small valid files of each kind, and the inputs that found bugs."""
    from test_model_input_errors import sequential_with

    rng = np.random.default_rng(11)
    files = {
        "seed_model.npy": npy_of((rng.normal(size=(6, 5)) * 0.5).astype(np.float32)),
        "seed_model_fortran.npy": npy_of(np.asfortranarray(rng.normal(size=(4, 5)))),
        "seed_input.npy": npy_of(rng.normal(size=5)),
        "seed_input_batch.npy": npy_of(rng.integers(-300, 300, size=(3, 5)).astype(np.int16)),
        "seed_codebook.npy": npy_of(np.array([0.0, -0.5, -0.25, 0.25, 0.5])),
        "seed_state_dict.pt": pt_bytes(
            ORDERED_DICT + b"(" + pickled_text("0.weight") + tensor_pickle("0", (6, 5), (5, 1)) + pickled_text("0.bias")
            + tensor_pickle("1", (6,), (1,)) + pickled_text("2.weight") + tensor_pickle("2", (3, 6), (6, 1)) + b"u",
            {"0": _storage((6, 5)), "1": _storage((6,)), "2": _storage((3, 6))}),
        "bug_codebook_pickled.npy": npy_of(np.array([{"a": 1}, None], dtype=object)),
        "bug_codebook_string.npy": npy_of(np.array(["0.5", "-0.5"])),
        "bug_codebook_complex.npy": npy_of(np.array([0.5 + 1j, -0.5])),
        "bug_huge_header.npy": npy_bytes("<f8", (10**6, 10**6), b"\0" * 64),
        "bug_huge_header.npz": npz_bytes({"W0.npy": npy_bytes("<f8", (10**6, 10**6), b"\0" * 64)}),
        "bug_input_huge_header.npy": npy_bytes("<f8", (10**6, 5), b"\0" * 40),
        "bug_zero_by_huge.npy": npy_bytes("<f8", (0, 2**63)),
        "bug_npy_header_unclosed.npy": npy_bytes("<f4", (6, 5)).replace(b"}", b" ", 1),
        "bug_huge_weights.npy": npy_of(np.full((4, 4), 1e308)),
        "bug_longdouble_weights.npy": npy_of(np.full((3, 3), np.longdouble("1e4000"))),
        "bug_deep_sequential.pt": deep_sequential_pt(5000),
        "bug_cyclic_sequential.pt": cyclic_sequential_pt(),
        "bug_deep_tuple.pt": deep_tuple_pt(100_000),
        "bug_huge_memo.pt": huge_memo_pt(),
        "bug_int_child.pt": sequential_with(b"K\x05"),
        "bug_encrypted.npz": encrypted(npz_bytes({"W0.npy": npy_of(np.ones((2, 2)))})),
    }
    weights = {"W0": rng.normal(size=(6, 5)), "b0": rng.normal(size=6) * 0.1, "W1": rng.normal(size=(3, 6))}
    buffer = io.BytesIO()
    np.savez(buffer, **weights)
    files["seed_model.npz"] = buffer.getvalue()
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **weights)
    files["seed_model_compressed.npz"] = buffer.getvalue()
    for name, key in (("bug_arabic_bias.npz", "b\u0661"), ("bug_leading_zero_bias.npz", "b01")):
        buffer = io.BytesIO()
        np.savez(buffer, W0=weights["W0"], W1=weights["W1"], **{key: np.ones(3)})
        files[name] = buffer.getvalue()
    CORPUS.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(SEED_IMAGE, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "m.npz").write_bytes(files["seed_model.npz"])
        assert main(["pack", str(Path(tmp) / "m.npz"), "-o", str(SEED_IMAGE), *PACK_SMALL]) == 0
    manifest = (SEED_IMAGE / "manifest.json").read_text()
    files["bug_manifest_deep.json"] = manifest.replace('"layers": [', '"layers": [' + "[" * 3000 + "]" * 3000 + ", ",
                                                       1).encode()
    files["bug_manifest_bigint.json"] = manifest.replace('"num_pes": 2', '"num_pes": ' + "9" * 5001, 1).encode()
    entry_base = json.loads(manifest)
    entry_base["layers"][0]["entry_base"][0] = 10**30  # found by the fuzz test: OverflowError
    files["bug_manifest_entry_base.json"] = json.dumps(entry_base, indent=1).encode()
    for name, data in files.items():
        (CORPUS / name).write_bytes(data)


if __name__ == "__main__":
    write_corpus()
