# SPDX-License-Identifier: Apache-2.0
"""Every bad input gets one line on stderr, a non-zero exit, and leaves no output behind."""

import json
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.bad_input  # counted in the regression's verification summary


def assert_refused(result, *words, outputs=()):
    code, out, err = result
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("eie: error: "), err
    for word in words:
        assert word in lines[0], lines[0]
    for path in outputs:
        assert not path.exists(), f"{path} was left behind"


@pytest.fixture
def good_image(tmp_path, mlp_file, run_cli):
    image = tmp_path / "good"
    assert run_cli("pack", mlp_file, "-o", image, "--pes", "4", "--density", "0.3")[0] == 0
    return image


def npy(tmp_path, name, array):
    path = tmp_path / name
    np.save(path, array, allow_pickle=True)
    return path


# ---------------------------------------------------------------------------- pack
def test_missing_file(tmp_path, run_cli):
    assert_refused(run_cli("pack", tmp_path / "nope.npy", "-o", tmp_path / "img", "--pes", 2), "no such file",
                   outputs=[tmp_path / "img"])


def test_unreadable_file(tmp_path, run_cli):
    bad = tmp_path / "garbage.npy"
    bad.write_bytes(b"this is not numpy")
    assert_refused(run_cli("pack", bad, "-o", tmp_path / "img", "--pes", 2), "not a readable", outputs=[tmp_path / "img"])
    badz = tmp_path / "garbage.npz"
    badz.write_bytes(b"PK not a zip")
    assert_refused(run_cli("pack", badz, "-o", tmp_path / "img", "--pes", 2), "not a readable")


def test_unknown_format(tmp_path, run_cli):
    other = tmp_path / "model.txt"
    other.write_text("1 2 3")
    assert_refused(run_cli("pack", other, "-o", tmp_path / "img", "--pes", 2), "unknown model format")


def test_not_numeric(tmp_path, run_cli):
    path = npy(tmp_path, "s.npy", np.array([["a", "b"], ["c", "d"]]))
    assert_refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", 2), "not a numeric array")


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4)])
def test_wrong_dimensions(tmp_path, run_cli, shape):
    path = npy(tmp_path, "w.npy", np.ones(shape))
    assert_refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", 2), "2-D", outputs=[tmp_path / "img"])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf(tmp_path, run_cli, bad):
    w = np.ones((4, 4))
    w[1, 2] = bad
    path = npy(tmp_path, "w.npy", w)
    assert_refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", 2), "NaN or Inf", outputs=[tmp_path / "img"])


def test_empty_matrix(tmp_path, run_cli):
    path = npy(tmp_path, "w.npy", np.ones((0, 5)))
    assert_refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", 2), "empty", outputs=[tmp_path / "img"])


@pytest.mark.parametrize("density", ["0", "1.5", "-0.1"])
def test_density_out_of_range(tmp_path, run_cli, density):
    path = npy(tmp_path, "w.npy", np.ones((4, 4)))
    assert_refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", 2, "--density", density), "outside (0, 1]",
                   outputs=[tmp_path / "img"])


@pytest.mark.parametrize("pes", ["0", "-3"])
def test_pe_count_below_one(tmp_path, run_cli, pes):
    path = npy(tmp_path, "w.npy", np.ones((4, 4)))
    assert_refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", pes), "at least 1", outputs=[tmp_path / "img"])


def test_bias_length_mismatch(tmp_path, run_cli):
    path = tmp_path / "m.npz"
    np.savez(path, W0=np.ones((4, 3)), b0=np.ones(5))
    assert_refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", 2), "bias length", outputs=[tmp_path / "img"])


def test_layers_that_do_not_chain(tmp_path, run_cli):
    path = tmp_path / "m.npz"
    np.savez(path, W0=np.ones((4, 3)), W1=np.ones((2, 5)))
    assert_refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", 2), "layer 1 takes 5 inputs",
                   outputs=[tmp_path / "img"])


def test_unexpected_npz_key(tmp_path, run_cli):
    path = tmp_path / "m.npz"
    np.savez(path, W0=np.ones((4, 3)), weights1=np.ones((2, 4)))
    assert_refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", 2), "weights1")


def test_too_many_codebook_entries(tmp_path, run_cli):
    path = npy(tmp_path, "w.npy", np.ones((4, 4)))
    book = ",".join(str(x) for x in range(1, 18))
    assert_refused(run_cli("pack", path, "-o", tmp_path / "img", "--pes", 2, "--codebook", book), "17 entries",
                   outputs=[tmp_path / "img"])


def test_image_that_does_not_fit(tmp_path, run_cli, mlp_file):
    assert_refused(
        run_cli("pack", mlp_file, "-o", tmp_path / "img", "--pes", 2, "--spmat-words", 8),
        "PE 0", "sparse-matrix memory needs", "has 8", outputs=[tmp_path / "img"],
    )
    assert_refused(
        run_cli("pack", mlp_file, "-o", tmp_path / "img", "--pes", 2, "--ptr-bank-depth", 4),
        "pointer banks need", outputs=[tmp_path / "img"],
    )
    assert_refused(
        run_cli("pack", mlp_file, "-o", tmp_path / "img", "--pes", 2, "--act-depth", 16),
        "activation entries", outputs=[tmp_path / "img"],
    )


def test_failed_pack_keeps_the_previous_image(tmp_path, run_cli, good_image, mlp_file):
    before = {p.name: p.read_bytes() for p in good_image.iterdir()}
    assert_refused(run_cli("pack", mlp_file, "-o", good_image, "--pes", 2, "--spmat-words", 8), "does not fit")
    assert {p.name: p.read_bytes() for p in good_image.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# ---------------------------------------------------------------------------- image corruption
def test_flipped_pointer_bit(tmp_path, run_cli, good_image):
    path = good_image / "ptr_odd_pe001.hex"
    data = bytearray(path.read_bytes())
    data[3] = ord("f") if data[3] != ord("f") else ord("0")
    path.write_bytes(bytes(data))
    assert_refused(run_cli("inspect", good_image), "ptr_odd_pe001.hex", "checksum")


def test_hand_edit_with_fixed_checksum_is_still_caught(tmp_path, run_cli, good_image):
    """A consistent-looking edit: change a pointer and update the checksum; decoding must object."""
    import hashlib

    path = good_image / "ptr_even_pe000.hex"
    lines = path.read_bytes().splitlines(keepends=True)
    width = len(lines[1]) - 1
    lines[1] = format(int(lines[1], 16) + 5000, f"0{width}x").encode() + b"\n"
    path.write_bytes(b"".join(lines))
    manifest = json.loads((good_image / "manifest.json").read_text())
    manifest["files"][path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    (good_image / "manifest.json").write_text(json.dumps(manifest))
    assert_refused(run_cli("inspect", good_image), "corrupted")


def test_truncated_hex_file(tmp_path, run_cli, good_image):
    path = good_image / "spmat_pe002.hex"
    path.write_bytes(path.read_bytes()[:-7])
    assert_refused(run_cli("inspect", good_image), "spmat_pe002.hex")


def test_wrong_manifest_version(tmp_path, run_cli, good_image):
    manifest = json.loads((good_image / "manifest.json").read_text())
    manifest["version"] = 99
    (good_image / "manifest.json").write_text(json.dumps(manifest))
    assert_refused(run_cli("inspect", good_image), "version 99")


def test_manifest_not_json(tmp_path, run_cli, good_image):
    (good_image / "manifest.json").write_text("{ not json")
    assert_refused(run_cli("inspect", good_image), "not valid JSON")


def test_not_an_image(tmp_path, run_cli):
    (tmp_path / "empty").mkdir()
    assert_refused(run_cli("inspect", tmp_path / "empty"), "manifest.json is missing")
    assert_refused(run_cli("inspect", tmp_path / "absent"), "no such image")


# ---------------------------------------------------------------------------- ref
def test_input_of_wrong_length(tmp_path, run_cli, good_image):
    x = npy(tmp_path, "x.npy", np.ones(29))
    out = tmp_path / "y.npy"
    assert_refused(run_cli("ref", good_image, x, "-o", out), "does not match the network's 30 inputs", outputs=[out])


@pytest.mark.parametrize("flag, value, message", [
    ("--history-depth", "3", "history depth must be a power of two >= 2"),
    ("--history-depth", "1", "history depth must be a power of two >= 2"),
    ("--queue-depth", "0", "queue depth must be at least 1"),
])
def test_sim_core_parameter_out_of_range(tmp_path, run_cli, good_image, flag, value, message):
    x = npy(tmp_path, "x.npy", np.ones(30))
    out = tmp_path / "y.npy"
    assert_refused(run_cli("sim", good_image, x, "-o", out, flag, value), message, outputs=[out])


def test_input_not_numeric_or_nan(tmp_path, run_cli, good_image):
    out = tmp_path / "y.npy"
    assert_refused(run_cli("ref", good_image, npy(tmp_path, "s.npy", np.array(["x"] * 30)), "-o", out), "numeric",
                   outputs=[out])
    nan = np.ones(30)
    nan[3] = np.nan
    assert_refused(run_cli("ref", good_image, npy(tmp_path, "n.npy", nan), "-o", out), "NaN", outputs=[out])


def test_ref_writes_int16(tmp_path, run_cli, good_image):
    x = npy(tmp_path, "x.npy", np.linspace(-1, 1, 30))
    out = tmp_path / "y.npy"
    code, stdout, _ = run_cli("ref", good_image, x, "-o", out)
    assert code == 0 and np.load(out).dtype == np.int16 and np.load(out).shape == (12,)


def test_console_entry_point_prints_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "eie", "inspect", str(tmp_path / "absent")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr


def test_bad_pt_without_torch(tmp_path, run_cli, monkeypatch):
    """eie reads .pt itself (tests/test_torch_import.py); a bad one is refused in one line, torch or not."""
    monkeypatch.setitem(sys.modules, "torch", None)  # makes 'import torch' fail
    model = tmp_path / "m.pt"
    model.write_bytes(b"\x80\x02")
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), "legacy (pre-zip) PyTorch file",
                   outputs=[tmp_path / "img"])
