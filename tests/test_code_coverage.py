# SPDX-License-Identifier: Apache-2.0
"""make coverage's results folder: a new run replaces only a folder the script made
(its marker file); a foreign folder given as --out is refused and nothing in it is
removed, for a full run and for --no-run alike."""

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import code_coverage  # noqa: E402


def foreign_folder(tmp_path: Path) -> Path:
    theirs = tmp_path / "theirs"
    (theirs / "dat").mkdir(parents=True)
    (theirs / "keep.txt").write_text("a user's file")
    (theirs / "dat" / "mine.dat").write_text("a user's counts")
    return theirs


def untouched(theirs: Path) -> bool:
    return ((theirs / "keep.txt").read_text() == "a user's file"
            and (theirs / "dat" / "mine.dat").read_text() == "a user's counts"
            and sorted(p.name for p in theirs.rglob("*")) == ["dat", "keep.txt", "mine.dat"])


@pytest.mark.parametrize("extra", [[], ["--no-run"]], ids=["run", "no_run"])
def test_a_foreign_out_folder_is_refused_and_kept(tmp_path, extra):
    theirs = foreign_folder(tmp_path)
    refused = r"not a folder of make coverage's \(no \.eie-coverage\); choose another --out"
    with pytest.raises(SystemExit, match=refused):
        code_coverage.main(["--out", str(theirs), *extra])  # refused before any test runs
    assert untouched(theirs)


def test_a_new_run_replaces_only_its_own_folder(tmp_path):
    clear = code_coverage.clear_own_folder
    theirs = foreign_folder(tmp_path)
    with pytest.raises(SystemExit, match="not a folder of make coverage's"):
        clear(theirs)
    assert untouched(theirs)
    file_out = tmp_path / "a_file"
    file_out.write_text("not a folder")
    with pytest.raises(SystemExit, match="not a folder of make coverage's"):
        clear(file_out)
    assert file_out.read_text() == "not a folder"

    ours = tmp_path / "ours"
    clear(ours)  # absent: made, with the marker
    (ours / "dat").mkdir()
    (ours / "dat" / "old.dat").write_text("last run")
    (ours / "summary.json").write_text("{}")
    clear(ours)
    assert sorted(p.name for p in ours.iterdir()) == [code_coverage.MARKER]
    empty = tmp_path / "empty"
    empty.mkdir()
    clear(empty)
    assert sorted(p.name for p in empty.iterdir()) == [code_coverage.MARKER]


def test_no_run_in_its_own_folder_without_a_run(tmp_path):
    ours = tmp_path / "ours"
    code_coverage.clear_own_folder(ours)
    with pytest.raises(SystemExit, match="no earlier run in"):
        code_coverage.main(["--out", str(ours), "--no-run"])


def test_the_unit_parameter_sets_run_unless_the_marks_are_chosen():
    default = ["-m", "not slow or param_set"]
    skip = ["--deselect=tb/test_core.py::test_optimize_trains_and_rebuilds_from_its_profile",
            "--deselect=tb/test_core.py::test_sixty_four_pes"]
    assert code_coverage.selection([]) == [*default, *skip]
    assert code_coverage.selection(["-k", "lzc"]) == [*default, *skip, "-k", "lzc"]
    assert code_coverage.selection(["-m", "slow", "-k", "lzc"]) == [*skip, "-m", "slow", "-k", "lzc"]
    assert code_coverage.selection(["-mslow"]) == [*skip, "-mslow"]
    assert code_coverage.selection(["--maxfail=1"]) == [*default, *skip, "--maxfail=1"]
