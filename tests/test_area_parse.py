# SPDX-License-Identifier: Apache-2.0
"""The stat parsing and per-module grouping of scripts/area_breakdown.py on a
`stat -json` captured from Yosys 0.70 (eie_core, N = 2, synth_ecp5 -noflatten;
trimmed to the cell counts); the synthesis itself is too slow for CI."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("area_breakdown", ROOT / "scripts" / "area_breakdown.py")
area = importlib.util.module_from_spec(SPEC)
sys.modules["area_breakdown"] = area  # its dataclass looks its module up while being defined
SPEC.loader.exec_module(area)

STAT = (ROOT / "tests" / "data" / "area_stat_n2.json").read_text()


def test_module_names_lose_the_parameter_decoration():
    assert area.base_name("$paramod$f0bb297f851efdcce2ac88bfac96530858fcdb20\\eie_pe") == "eie_pe"
    assert area.base_name("$paramod\\eie_lzc\\Width=s32'00000000000000000000000001000000") == "eie_lzc"
    assert area.base_name("\\eie_core") == "eie_core"
    assert area.base_name("eie_pe_counters") == "eie_pe_counters"


def test_submodule_instances_are_not_counted_as_own_cells():
    mods = area.parse_hier_stat(STAT)
    pes = [name for name in mods if area.base_name(name) == "eie_pe"]
    assert len(pes) == 2  # one copy per PeIndex
    for name in pes:
        assert set(map(area.base_name, mods[name]["subs"])) == {
            "eie_arith", "eie_act_file", "eie_ptr_read", "eie_spmat_read", "eie_wb_seq", "eie_fifo",
            "eie_pe_counters", "eie_relu_quant"}
        assert not any("eie" in typ for typ in mods[name]["own"])
    # A module without parameters: '\\eie_relu_quant' as a module, 'eie_relu_quant' as a cell type.
    assert "eie_relu_quant" in mods
    assert area.top_module(mods) == "eie_core"


def test_the_top_with_its_submodules_is_the_design_total():
    mods = area.parse_hier_stat(STAT)
    design = json.loads(STAT)["design"]["num_cells_by_type"]
    assert area.columns(area.with_submodules(mods, "eie_core")) == area.columns(design)


def test_copies_are_grouped_and_every_instance_counted():
    groups = area.group_by_module(area.parse_hier_stat(STAT))
    assert (groups["eie_pe"]["instances"], groups["eie_pe"]["copies"]) == (2, 2)
    assert groups["eie_lzc"]["instances"] == 2  # one in each PE's activation file
    assert groups["eie_core"]["instances"] == 1
    # Own cells summed over every instance add up to the whole design.
    total = {}
    for g in groups.values():
        area.add_cells(total, g["own"])
    assert area.columns(total) == area.columns(groups["eie_core"]["with"])
    # A PE with its submodules: its own cells plus those of its eight submodules.
    subs = ("eie_arith", "eie_act_file", "eie_lzc", "eie_ptr_read", "eie_spmat_read", "eie_wb_seq",
            "eie_fifo", "eie_pe_counters", "eie_relu_quant")
    lut4 = sum(area.columns(groups[m]["own"])["LUT4"] for m in ("eie_pe", *subs))
    assert area.columns(groups["eie_pe"]["with"])["LUT4"] == lut4


def test_per_pe_is_the_difference_over_the_pe_span():
    one = {"eie_pe": {"own": {"LUT4": 100, "TRELLIS_FF": 10}}, "eie_csr": {"own": {"LUT4": 50}}}
    three = {"eie_pe": {"own": {"LUT4": 300, "TRELLIS_FF": 30}}, "eie_csr": {"own": {"LUT4": 51}},
             "eie_lnzd_node": {"own": {"LUT4": 70}}}
    diff = area.per_pe(one, three, (1, 3))
    assert (diff["eie_pe"]["LUT4"], diff["eie_pe"]["FF"]) == (100, 10)
    assert diff["eie_csr"]["LUT4"] == 0.5
    assert diff["eie_lnzd_node"]["LUT4"] == 35  # absent at N = 1


def test_module_table_shows_one_instance_and_all():
    groups = area.group_by_module(area.parse_hier_stat(STAT))
    lines = area.module_table(groups, "own").splitlines()
    assert lines[0].count("|") == lines[1].count("|") == lines[2].count("|")
    row = next(line for line in lines if line.startswith("| eie_pe |"))
    mult = area.columns(groups["eie_pe"]["own"])
    assert "| 2 (2 copies) |" in row
    assert f"/ {mult['LUT4']} |" in row
    # The with-submodules table lists only modules that have submodules.
    with_rows = area.module_table(groups, "with").splitlines()[2:]
    assert {row.split(" | ")[0][2:] for row in with_rows} == {"eie_core", "eie_pe", "eie_ccu", "eie_act_file",
                                                               "eie_lnzd_tree"}


def test_two_top_modules_are_refused():
    with pytest.raises(ValueError, match="one top module"):
        area.top_module({"a": {"own": {}, "subs": {}}, "b": {"own": {}, "subs": {}}})


@pytest.mark.parametrize("argv, message", [
    (["--sweep", "16,12"], "argument --sweep: HistoryDepth must be a power of two"),
    (["--history", "16,32"], "argument --history: one history depth, not '16,32'"),
    (["--pes", "0"], "argument --pes: PE count 0 outside 1..64"),
])
def test_bad_options_are_one_line(capsys, monkeypatch, argv, message):
    monkeypatch.setattr(sys, "argv", ["area_breakdown.py", *argv])
    with pytest.raises(SystemExit) as exc:
        area.main()
    assert exc.value.code.startswith(f"area_breakdown: error: {message}")
    assert "\n" not in exc.value.code
    assert capsys.readouterr().err == ""
