# SPDX-License-Identifier: Apache-2.0
"""Corrupted image directories: ``eie sim`` and ``eie.image.load`` refuse them before any simulation.

Each case corrupts a freshly packed image on disk and runs ``eie sim`` through the
CLI's main(): one line ``eie: error: ...``, exit 1, no traceback, no output file,
and the RTL runner is never called.
"""

import hashlib
import json

import numpy as np
import pytest

from eie.errors import EieError
from eie.image import load

pytestmark = pytest.mark.bad_input  # counted in the regression's verification summary


@pytest.fixture
def image(tmp_path, mlp_file, run_cli):
    path = tmp_path / "img"
    assert run_cli("pack", mlp_file, "-o", path, "--pes", "4", "--density", "0.3")[0] == 0
    return path


def refused_by_sim(run_cli, tmp_path, image, *words):
    np.save(tmp_path / "x.npy", np.ones(30))
    out = tmp_path / "rtl.npy"
    code, stdout, err = run_cli("sim", image, tmp_path / "x.npy", "-o", out, "--sim", "icarus")
    lines = err.strip().splitlines()
    assert code == 1, (code, err)
    assert len(lines) == 1 and lines[0].startswith("eie: error: "), err
    assert "Traceback" not in err and not out.exists()
    for word in words:
        assert word in lines[0], lines[0]
    with pytest.raises(EieError):
        load(image)


def edit_manifest(image, change, resign=None):
    manifest = json.loads((image / "manifest.json").read_text())
    change(manifest)
    if resign:
        manifest["files"][resign] = hashlib.sha256((image / resign).read_bytes()).hexdigest()
    (image / "manifest.json").write_text(json.dumps(manifest))


# ---------------------------------------------------------------------------- the four cases of the issue
@pytest.mark.parametrize("bit", [0, 1, 2, 3, 6])
def test_flipped_bit_in_a_pointer_file(tmp_path, run_cli, image, no_simulation, bit):
    path = image / "ptr_even_pe002.hex"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1 << bit  # a digit becomes another digit, a letter, or a control character
    path.write_bytes(bytes(data))
    refused_by_sim(run_cli, tmp_path, image, "ptr_even_pe002.hex", "checksum")


@pytest.mark.parametrize("cut", [1, 4, "line"])
def test_truncated_hex_file(tmp_path, run_cli, image, no_simulation, cut):
    path = image / "spmat_pe001.hex"
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 1] if cut == "line" else data[:-cut])
    refused_by_sim(run_cli, tmp_path, image, "spmat_pe001.hex")


@pytest.mark.parametrize("version", [0, 2, 99, "1", True, None])
def test_wrong_manifest_version(tmp_path, run_cli, image, no_simulation, version):
    edit_manifest(image, lambda m: m.update(version=version))
    refused_by_sim(run_cli, tmp_path, image, "format version")


@pytest.mark.parametrize("text", ["", "{ not json", '{"format": "eie-image", "version": 1', "\xff\xfe", "[1, 2]", "null"])
def test_manifest_that_does_not_parse(tmp_path, run_cli, image, no_simulation, text):
    (image / "manifest.json").write_bytes(text.encode("latin-1"))
    refused_by_sim(run_cli, tmp_path, image, "manifest.json")


# ---------------------------------------------------------------------------- consistent-looking edits
def test_truncated_hex_file_with_a_fixed_checksum(tmp_path, run_cli, image, no_simulation):
    """A whole line cut and the checksum updated: the decoder still notices the missing entries."""
    path = image / "ptr_odd_pe000.hex"
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:-1]))
    edit_manifest(image, lambda m: None, resign=path.name)
    refused_by_sim(run_cli, tmp_path, image, "corrupted")


@pytest.mark.parametrize("field, value, words", [
    (("layers", 0, "w_frac"), 99, ["w_frac"]),
    (("layers", 0, "ptr_base"), "x", ["ptr_base"]),
    (("layers", 1, "ptr_base"), 33, ["odd"]),
    (("layers", 0, "codebook_int"), 5, ["codebook_int"]),
    (("layers", 0, "relu"), 3, ["relu"]),
    (("layers", 0), "a layer", ["layer 0"]),
    (("act_frac",), 40, ["act_frac"]),
    (("act_frac",), 15, ["1.0", "at most 14"]),  # layer 0 has a bias: its 1.0 would not fit
    (("num_pes",), "four", ["num_pes"]),
    (("memory", "max_layers"), 1, ["2 layers"]),
    (("files",), ["spmat_pe000.hex"], ["files"]),
])
def test_mangled_manifest_fields(tmp_path, run_cli, image, no_simulation, field, value, words):
    def change(manifest):
        target = manifest
        for key in field[:-1]:
            target = target[key]
        target[field[-1]] = value

    edit_manifest(image, change)
    refused_by_sim(run_cli, tmp_path, image, *words)


def test_manifest_naming_a_file_outside_the_image(tmp_path, run_cli, image, no_simulation):
    (tmp_path / "outside.hex").write_text("0\n")
    digest = hashlib.sha256(b"0\n").hexdigest()
    edit_manifest(image, lambda m: m["files"].update({"../outside.hex": digest}))
    refused_by_sim(run_cli, tmp_path, image, "outside the image")


def test_pack_refuses_a_bias_with_fifteen_fraction_bits(tmp_path, run_cli, mlp_file):
    """The bias column's activation 1.0 = 1 << 15 is not a 16-bit activation (the core would use -1.0)."""
    code, _, err = run_cli("pack", mlp_file, "-o", tmp_path / "img15", "--pes", "2", "--act-frac", "15")
    assert code == 1 and "at most 14" in err and not (tmp_path / "img15").exists()
    np.save(tmp_path / "w.npy", np.ones((3, 2)))
    assert run_cli("pack", tmp_path / "w.npy", "-o", tmp_path / "nobias", "--pes", "2", "--act-frac", "15")[0] == 0
