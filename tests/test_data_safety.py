# SPDX-License-Identifier: Apache-2.0
"""Nothing the user owns is deleted, overwritten or half-written; outputs are checked before any work.

Each test stands for one promise of doc/guarantees.md.
The simulator-side promises (a snapshot of the checked image, concurrent builds,
SIGTERM and SIGINT during a simulation) are in tb/test_sim_safety.py.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

import eie.image.write
import eie.safe_io
from eie.errors import Terminated
from eie.image import load

pytestmark = pytest.mark.bad_input  # counted in the regression's verification summary


def refused(result, *words):
    code, out, err = result
    lines = err.strip().splitlines()
    assert code != 0 and len(lines) == 1 and lines[0].startswith("eie: error: "), err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder below ``folder`` with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))}


def hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


@pytest.fixture
def small_model(tmp_path) -> Path:
    path = tmp_path / "m.npy"
    np.save(path, np.random.default_rng(0).normal(size=(8, 8)))
    return path


# ----------------------------------------------------------------------------- item 1: pack never deletes
def test_pack_refuses_a_folder_that_is_not_an_image(tmp_path, run_cli):
    user = tmp_path / "u"
    (user / "sub").mkdir(parents=True)
    (user / "thesis.txt").write_text("x")
    np.save(user / "m.npy", np.ones((8, 8)))
    before = tree(user)
    refused(run_cli("pack", user / "m.npy", "-o", user, "--pes", 2), "not an eie image")
    assert tree(user) == before
    assert hidden(tmp_path) == []


def test_pack_refuses_an_image_with_a_foreign_file(tmp_path, run_cli, small_model):
    image = tmp_path / "img"
    assert run_cli("pack", small_model, "-o", image, "--pes", 2)[0] == 0
    (image / "notes.txt").write_text("mine")
    before = tree(image)
    refused(run_cli("pack", small_model, "-o", image, "--pes", 2), "notes.txt")
    assert tree(image) == before


@pytest.mark.parametrize("target", ["cwd", "/", ".", "", "parent"])
def test_pack_refuses_the_working_folder_root_and_empty(tmp_path, run_cli, small_model, monkeypatch, target):
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("x")
    monkeypatch.chdir(work)
    output = {"cwd": str(work), "/": "/", ".": ".", "": "", "parent": ".."}[target]
    before = tree(tmp_path)
    refused(run_cli("pack", small_model, "-o", output, "--pes", 2))
    assert tree(tmp_path) == before  # nothing made, nothing removed, no "..old" folder


def test_pack_refuses_a_symlink_output(tmp_path, run_cli, small_model):
    image = tmp_path / "img"
    assert run_cli("pack", small_model, "-o", image, "--pes", 2)[0] == 0
    (tmp_path / "link").symlink_to(image)
    refused(run_cli("pack", small_model, "-o", tmp_path / "link", "--pes", 4), "symbolic link")
    assert load(image).num_pes == 2


def test_pack_replaces_an_image_and_leaves_nothing_behind(tmp_path, run_cli, small_model):
    image = tmp_path / "img"
    assert run_cli("pack", small_model, "-o", image, "--pes", 2)[0] == 0
    assert run_cli("pack", small_model, "-o", image, "--pes", 4)[0] == 0
    assert load(image).num_pes == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["img", "m.npy"]


# ----------------------------------------------------------------------------- item 4: atomic swap, cleanup
def test_interrupted_pack_keeps_the_old_image_and_cleans_up(tmp_path, run_cli, small_model, monkeypatch):
    image = tmp_path / "img"
    assert run_cli("pack", small_model, "-o", image, "--pes", 2)[0] == 0
    before = tree(tmp_path)
    calls = []

    def write_then_die(path, data):
        calls.append(path)
        if len(calls) == 3:
            raise Terminated(15)
        Path(path).write_bytes(data)

    monkeypatch.setattr(eie.image.write, "_write_synced", write_then_die)
    code, _, err = run_cli("pack", small_model, "-o", image, "--pes", 4)
    assert code == 143 and "terminated" in err
    assert tree(tmp_path) == before  # old image whole, no hidden folder


def test_replacing_swaps_in_one_step(tmp_path, run_cli, small_model, monkeypatch):
    """The path never lacks an image: the new folder is exchanged with the old one, not renamed after it."""
    image = tmp_path / "img"
    assert run_cli("pack", small_model, "-o", image, "--pes", 2)[0] == 0
    seen = []
    real = eie.safe_io._renameat2

    def watch(src, dst, flags):
        done = real(src, dst, flags)
        seen.append((flags, done, (dst / "manifest.json").is_file(), (src / "manifest.json").is_file()))
        return done

    monkeypatch.setattr(eie.safe_io, "_renameat2", watch)
    assert run_cli("pack", small_model, "-o", image, "--pes", 4)[0] == 0
    # RENAME_EXCHANGE (2) succeeded: right after it both the path and the old copy were whole images.
    assert seen == [(2, True, True, True)]
    assert load(image).num_pes == 4


# ----------------------------------------------------------------------------- item 6: outputs checked first
@pytest.fixture
def image(tmp_path, run_cli, small_model) -> Path:
    path = tmp_path / "img"
    assert run_cli("pack", small_model, "-o", path, "--pes", 2)[0] == 0
    np.save(tmp_path / "x.npy", np.ones(8))
    return path


@pytest.mark.parametrize("case", ["report in a missing folder", "report is a folder", "output not .npy",
                                  "output is a folder", "output in a missing folder"])
def test_sim_checks_every_output_before_simulating(tmp_path, run_cli, image, no_simulation, case):
    (tmp_path / "dir.npy").mkdir()
    (tmp_path / "rdir").mkdir()
    output, report = {
        "report in a missing folder": ("y.npy", "missing/r.json"),
        "report is a folder": ("y.npy", "rdir"),
        "output not .npy": ("y.txt", "r.json"),
        "output is a folder": ("dir.npy", "r.json"),
        "output in a missing folder": ("missing/y.npy", "r.json"),
    }[case]
    before = tree(tmp_path)
    refused(run_cli("sim", image, tmp_path / "x.npy", "-o", tmp_path / output, "--report", tmp_path / report,
                    "--sim", "icarus"))
    assert tree(tmp_path) == before


def test_ref_refuses_a_folder_as_output(tmp_path, run_cli, image):
    (tmp_path / "out.npy").mkdir()
    before = tree(tmp_path)
    refused(run_cli("ref", image, tmp_path / "x.npy", "-o", tmp_path / "out.npy"), "is a directory")
    assert tree(tmp_path) == before


# ----------------------------------------------------------------------------- item 7: the core's limits
@pytest.mark.parametrize("option, value, words", [
    ("--act-depth", "8", "ActDepth"), ("--max-layers", "17", "MaxLayers"), ("--spmat-words", "1", "SpmatDepth"),
    ("--ptr-bank-depth", "1", "PtrBankDepth"), ("--pes", "1000000000", "--pes"), ("--pes", "65", "--pes"),
])
def test_pack_refuses_sizes_the_core_cannot_build(tmp_path, run_cli, small_model, option, value, words):
    args = ["pack", small_model, "-o", tmp_path / "img", "--pes", "2", option, value]
    refused(run_cli(*args), words)
    assert not (tmp_path / "img").exists()


@pytest.mark.parametrize("shape, words", [((1, 65536), "layer 0 inputs"), ((65536, 1), "layer 0 outputs")])
def test_pack_refuses_layers_the_core_cannot_run(tmp_path, run_cli, shape, words):
    np.save(tmp_path / "w.npy", np.ones(shape, dtype=np.float32))
    refused(run_cli("pack", tmp_path / "w.npy", "-o", tmp_path / "img", "--pes", "64", "--act-depth", "2048"), words)
    assert not (tmp_path / "img").exists()


@pytest.mark.parametrize("depth", [str(2 ** 31), "3", "0"])
def test_sim_refuses_history_depths_the_core_cannot_build(tmp_path, run_cli, image, no_simulation, depth):
    refused(run_cli("sim", image, tmp_path / "x.npy", "-o", tmp_path / "y.npy", "--history-depth", depth,
                    "--sim", "icarus"), "history depth must be a power of two")


def rewrite_manifest(image: Path, edit) -> None:
    manifest = json.loads((image / "manifest.json").read_text())
    edit(manifest)
    (image / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("command", ["inspect", "ref"])
def test_inspect_and_ref_check_the_core_limits(tmp_path, run_cli, image, command):
    rewrite_manifest(image, lambda m: m["memory"].update(act_depth=8))
    args = [command, image] + ([tmp_path / "x.npy", "-o", tmp_path / "y.npy"] if command == "ref" else [])
    refused(run_cli(*args), "ActDepth")
    assert not (tmp_path / "y.npy").exists()


# ----------------------------------------------------------------------------- item 8: tracebacks -> one line
def test_manifest_nested_too_deep(run_cli, image):
    (image / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    refused(run_cli("inspect", image), "not valid JSON")


def test_manifest_with_a_huge_integer(run_cli, image):
    rewrite_manifest(image, lambda m: m.update(num_pes="@"))
    text = (image / "manifest.json").read_text().replace('"@"', "9" * 5001)
    (image / "manifest.json").write_text(text)
    refused(run_cli("inspect", image), "not valid JSON")


def test_unreadable_image_file(run_cli, image, monkeypatch):
    real = Path.read_bytes

    def deny(path):
        if path.name.endswith(".hex"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", deny)
    refused(run_cli("inspect", image), "Permission denied")


def test_unwritable_build_folder(tmp_path, run_cli, image, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the build folder would go")
    monkeypatch.setattr("eie.sim.rtlsim.BUILD_ROOT", blocker / "sim_build")
    refused(run_cli("sim", image, tmp_path / "x.npy", "-o", tmp_path / "y.npy", "--sim", "icarus"), "build folder")
    assert not (tmp_path / "y.npy").exists()


# ----------------------------------------------------------------------------- item 9: argparse in one line
def test_negative_codebook_after_a_space(tmp_path, run_cli, small_model):
    assert run_cli("pack", small_model, "-o", tmp_path / "img", "--pes", 2, "--codebook", "-0.5,0.5")[0] == 0
    assert sorted(load(tmp_path / "img").image.layers[0].codebook_float)[0] == -0.5


def test_usage_errors_are_one_line(run_cli):
    code, _, err = run_cli("pack", "--pes", "x")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("eie: error: "), err


# ----------------------------------------------------------------------------- item 10: the umask
def test_outputs_follow_the_umask(tmp_path, run_cli, small_model):
    old = os.umask(0o002)
    try:
        assert run_cli("pack", small_model, "-o", tmp_path / "img", "--pes", 2)[0] == 0
        np.save(tmp_path / "x.npy", np.ones(8))
        assert run_cli("ref", tmp_path / "img", tmp_path / "x.npy", "-o", tmp_path / "y.npy")[0] == 0
    finally:
        os.umask(old)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(tmp_path / "img") == 0o775
    assert {mode(p) for p in (tmp_path / "img").iterdir()} == {0o664}
    assert mode(tmp_path / "y.npy") == 0o664


# ----------------------------------------------------------------------------- item 12: manifest vs files
def test_float_codebook_is_checked(run_cli, image):
    rewrite_manifest(image, lambda m: m["layers"][0]["codebook_float"].__setitem__(1, 123.0))
    refused(run_cli("inspect", image), "codebook_float")


def test_padding_count_is_checked(run_cli, image):
    rewrite_manifest(image, lambda m: m["layers"][0]["padding"].__setitem__(0, 7))
    refused(run_cli("inspect", image), "padding")


def test_symlink_out_of_the_image_is_refused(tmp_path, run_cli, image):
    outside = tmp_path / "outside.hex"
    outside.write_bytes((image / "codebook.hex").read_bytes())
    (image / "codebook.hex").unlink()
    (image / "codebook.hex").symlink_to(outside)
    refused(run_cli("inspect", image), "symbolic link")


def test_the_pgo_rebuild_drops_only_its_own_compiled_objects(tmp_path):
    """eie sim --optimize recompiles from the profile by deleting the build folder's objects:
    only *.o / *.gch / *.a at its top, only in a folder the tool built, never anything else."""
    from eie.errors import EieError
    from eie.sim.rtlsim import drop_compiled_objects

    build = tmp_path / "build"
    build.mkdir()
    objects = [build / "Vtop.o", build / "Vtop__pch.h.gch", build / "libverilated.a"]
    kept = [build / "notes.txt", build / "Vtop.cpp", build / "pgo" / "Vtop.gcda", build / "sub" / "mine.o"]
    for path in objects + kept:
        path.parent.mkdir(exist_ok=True)
        path.write_text("x")
    outside = tmp_path / "user.o"
    outside.write_text("user")
    (build / "link.o").symlink_to(outside)

    with pytest.raises(EieError, match="no .eie-built marker"):
        drop_compiled_objects(build)  # not (yet) a finished build: nothing deleted
    assert all(path.exists() for path in objects + kept)

    (build / ".eie-built").write_text("")
    assert sorted(drop_compiled_objects(build)) == sorted(objects)
    assert not any(path.exists() for path in objects)
    assert all(path.read_text() == "x" for path in kept)
    assert outside.read_text() == "user" and (build / "link.o").is_symlink()


def test_a_stale_profile_drops_only_the_tools_own_profile_files(tmp_path):
    """After an RTL change eie sim --optimize retrains: it deletes only *.gcda under the
    build's pgo/ folder and its own marker, only in a folder holding that marker."""
    from eie.errors import EieError
    from eie.sim.rtlsim import drop_stale_profile

    build = tmp_path / "build"
    profile = [build / "pgo" / "Vtop.gcda", build / "pgo" / "deep" / "Vtop__1.gcda"]
    kept = [build / "pgo" / "notes.txt", build / "Vtop.gcda", build / ".eie-built", build / "Vtop.o"]
    for path in profile + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    outside = tmp_path / "user.gcda"
    outside.write_text("user")
    (build / "pgo" / "link.gcda").symlink_to(outside)

    with pytest.raises(EieError, match="no .eie-pgo-trained marker"):
        drop_stale_profile(build)  # never trained by the tool: nothing deleted
    assert all(path.exists() for path in profile + kept)

    (build / ".eie-pgo-trained").write_text("old digest")
    assert sorted(drop_stale_profile(build)) == sorted(profile)
    assert not any(path.exists() for path in profile) and not (build / ".eie-pgo-trained").exists()
    assert all(path.read_text() == "x" for path in kept)
    assert outside.read_text() == "user" and (build / "pgo" / "link.gcda").is_symlink()
