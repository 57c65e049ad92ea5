# SPDX-License-Identifier: Apache-2.0
"""The report parsers of scripts/synth.py on output captured from Yosys 0.70 and
nextpnr-ecp5 0.11 (eie_core, N = 1), the wrapper subtraction and the tool time
limit; the synthesis itself is too slow for CI."""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location("synth", Path(__file__).resolve().parents[1] / "scripts" / "synth.py")
synth = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(synth)

YOSYS_STAT = """{
   "creator": "Yosys 0.70 (git sha1 28ba3cb92, Release)",
   "invocation": "stat -json ",
   "modules": {
      "\\\\eie_core": {
         "num_cells":         11681,
         "num_cells_by_type": {"$scopeinfo": 14, "CCU2C": 398, "DP16KD": 5, "L6MUX21": 204,
            "LUT4": 7552, "MULT18X18D": 1, "PFUMX": 951, "TRELLIS_DPR16X4": 91, "TRELLIS_FF": 2465}
      }
   },
      "design": {
         "num_cells":         11681,
         "num_cells_by_type": {"$scopeinfo": 14, "CCU2C": 398, "DP16KD": 5, "L6MUX21": 204,
            "LUT4": 7552, "MULT18X18D": 1, "PFUMX": 951, "TRELLIS_DPR16X4": 91, "TRELLIS_FF": 2465}
      }
}
"""

NEXTPNR_REPORT = """{"critical_paths": [],
 "fmax": {"$glbnet$clk_i$TRELLIS_IO_IN": {"achieved": 42.01504135131836, "constraint": 100}},
 "utilization": {"DP16KD": {"available": 208, "used": 5}, "MULT18X18D": {"available": 156, "used": 1},
  "TRELLIS_COMB": {"available": 83640, "used": 9072}, "TRELLIS_FF": {"available": 83640, "used": 2465}}}
"""

NEXTPNR_LOG = """Info: Routing complete.

Info: Critical path report for clock '$glbnet$clk_i$TRELLIS_IO_IN' (posedge -> posedge):
Info:       type curr  total name
Info:   clk-to-q  0.52  0.52 Source done_o_TRELLIS_FF_Q_DI_LUT4_Z.Q
Info:      logic  0.07  11.13 Source u_arith.acc_mem.0.2_DI_CCU2C_S0$CCU2_COMB0.FCO
Info:                          Defined in:
Info:                               /work/main/rtl/eie_relu_quant.sv:35.20-35.63
Info:                               /share/lattice/arith_map_ccu2c.v:74.7-80.4
Info:      logic  0.07  11.20 Source u_arith.acc_mem.0.2_DI_CCU2C_S1$CCU2_COMB0.FCO
Info:                          Defined in:
Info:                               /work/main/rtl/eie_relu_quant.sv:35.20-35.63
Info:      logic  0.24  18.10 Source u_act_file.g_file[0].mem.0.0_DI_3_LUT4_Z.F
Info:                          Defined in:
Info:                               rtl/eie_relu_quant.sv:39.19-39.35
Info:      setup  0.00  23.80 Source u_act_file.g_file[0].mem.0.8$DPRAM_COMB3
Info: 23.8 ns logic, 0.0 ns routing

Info: Critical path report for cross-domain path '<async>' -> 'posedge $glbnet$clk_i$TRELLIS_IO_IN':
Info:                               rtl/eie_core.sv:1.1-1.2
"""


def test_yosys_stat_counts_cells_by_type():
    cells = synth.parse_yosys_stat(YOSYS_STAT)
    assert cells["LUT4"] == 7552
    assert cells["DP16KD"] == 5
    assert cells["MULT18X18D"] == 1


def test_nextpnr_report_gives_fmax_and_used_cells():
    fmax, used = synth.parse_nextpnr_report(NEXTPNR_REPORT)
    assert fmax == pytest.approx(42.015, abs=1e-3)
    assert used == {"DP16KD": 5, "MULT18X18D": 1, "TRELLIS_COMB": 9072, "TRELLIS_FF": 2465}


def test_critical_path_names_rtl_lines_of_the_clock_path_only():
    assert synth.parse_critical_path(NEXTPNR_LOG) == ["rtl/eie_relu_quant.sv:35", "rtl/eie_relu_quant.sv:39"]
    assert synth.parse_critical_path("Info: Program finished normally.\n") == []


def test_bad_pe_count_is_one_line(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["synth.py", "--pes", "1,65"])
    with pytest.raises(SystemExit) as exc:
        synth.main()
    assert exc.value.code == "synth: error: argument --pes: PE count 65 outside 1..64"
    assert capsys.readouterr().err == ""


def test_wrapper_cells_are_subtracted_from_the_core_row():
    cells = {"LUT4": 7000, "CCU2C": 400, "TRELLIS_DPR16X4": 91, "TRELLIS_FF": 2600, "PFUMX": 900}
    used = {"TRELLIS_FF": 2600, "TRELLIS_COMB": 9000, "DP16KD": 6, "MULT18X18D": 1}
    wrap = {"LUT4": 40, "CCU2C": 0, "TRELLIS_DPR16X4": 0, "TRELLIS_FF": 274, "PFUMX": 4}
    row = synth.core_row(1, cells, used, wrap)
    assert (row["lut4"], row["ccu2c"], row["lutram"], row["ff"], row["comb"]) == (6960, 400, 91, 2326, 8960)
    assert (row["dp16kd"], row["mult18"]) == (6, 1)


def test_a_tool_run_past_its_limit_is_killed_and_reported(tmp_path):
    start = synth.time.monotonic()
    with pytest.raises(synth.ToolTimeout, match="exceeded its 1 s limit"):
        synth.run([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path, "sleeper", 1.0)
    assert synth.time.monotonic() - start < 10


def test_a_tool_run_past_its_cpu_limit_is_killed_and_a_sleeping_one_is_not(tmp_path):
    # The CPU budget counts the tool's own CPU seconds: a busy loop is killed after about
    # one, a sleeper (no CPU) runs into its wall limit instead.
    start = synth.time.monotonic()
    with pytest.raises(synth.ToolTimeout, match="exceeded its 1 s CPU limit"):
        synth.run([sys.executable, "-c", "while True: pass"], tmp_path, "spinner", 60.0, cpu_limit_s=1.0)
    assert synth.time.monotonic() - start < 30
    with pytest.raises(synth.ToolTimeout, match="exceeded its 3 s limit"):
        synth.run([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path, "sleeper", 3.0, cpu_limit_s=1.0)
    assert synth.group_cpu_seconds(os.getpgrp()) > 0


def test_a_timed_out_row_keeps_the_table_shape():
    rows = [{"pes": 2, "timeout": True, "yosys_s": 30, "nextpnr_s": 1800}]
    head, rule, line = synth.table(rows).splitlines()
    assert line.count("|") == head.count("|") == rule.count("|")
    assert "timed out" in line and ">1800" in line


def test_critical_path_also_names_the_synthesis_wrapper():
    log = NEXTPNR_LOG.replace("rtl/eie_relu_quant.sv:39.19", "syn/eie_synth_top.sv:46.5")
    assert synth.parse_critical_path(log) == ["rtl/eie_relu_quant.sv:35", "syn/eie_synth_top.sv:46"]


def test_critical_path_names_the_rtl_of_cells_abc_left_unnamed():
    # ABC's LUTs carry no source line, but the path's flip-flops keep theirs in the
    # netlist: a log whose nets name no RTL still points at the registers it joins.
    log = ("Info: Critical path report for clock 'clk' (posedge -> posedge):\n"
           "Info:   clk-to-q  0.52  0.52 Source u_core.u_ccu.a_TRELLIS_FF_Q.Q\n"
           "Info:    routing  0.91  1.44 Net x (1,1) -> (2,2)\n"
           "Info:                          Sink u_core.u_ccu.lut_LUT4_Z.C\n"
           "Info:      logic  0.24  1.67 Source u_core.u_ccu.lut_LUT4_Z.F\n"
           "Info:    routing  0.13  1.80 Net y (2,2) -> (2,3)\n"
           "Info:                          Sink u_core.u_csr.b_TRELLIS_FF_Q.DI\n"
           "Info:      setup  0.00  1.80 Source u_core.u_csr.b_TRELLIS_FF_Q.DI\n\n")
    netlist = {"modules": {"top": {"cells": {
        "u_core.u_ccu.a_TRELLIS_FF_Q": {"attributes": {"src": "../../../rtl/eie_ccu.sv:480.3-496.6|cells.v:73.1"}},
        "u_core.u_ccu.lut_LUT4_Z": {"attributes": {"src": "/share/lattice/cells_map_trellis.v:119.3"}},
        "u_core.u_csr.b_TRELLIS_FF_Q": {"attributes": {"src": "../../../rtl/eie_csr.sv:335.3-357.6"}}}}}}
    assert synth.parse_critical_path(log) == []
    assert synth.parse_critical_path(log, netlist) == ["rtl/eie_ccu.sv:480", "rtl/eie_csr.sv:335"]


def test_auto_routes_with_router2_when_router1_stalls(tmp_path, monkeypatch):
    # Below N = 8, "auto" gives router1 ROUTER1_BUDGET_S, then routes with router2; an
    # explicit --router router1 keeps its whole --timeout and no second try.
    calls = []

    def fake_run(cmd, cwd, what, limit_s, prog="synth", cpu_limit_s=None):
        calls.append((what, round(limit_s), cpu_limit_s))
        if what == "yosys":
            (cwd / "stat.json").write_text(YOSYS_STAT)
            (cwd / "netlist.json").write_text("{}")
            return 30.0
        if "router1" in what:
            raise synth.ToolTimeout(f"{what} exceeded its {limit_s:.0f} s limit")
        (cwd / "report.json").write_text(NEXTPNR_REPORT)
        (cwd / "pnr.log").write_text(NEXTPNR_LOG)
        return 100.0

    monkeypatch.setattr(synth, "run", fake_run)
    args = synth.argparse.Namespace(out=tmp_path, queue=8, spmat=512, ptr=256, act=64, layers=8, pe_counters=False,
                                    take_lanes=2, freq=100, seed=2, router="auto", timeout=3600)
    row = synth.synth_one(args, 1, "yosys", "nextpnr", {})
    budget = synth.ROUTER1_BUDGET_S
    # router1's budget is CPU time; router2 gets what is left of the wall limit (the stand-in
    # takes no time).
    assert calls == [("yosys", 3600, None), ("nextpnr-ecp5 (router1)", 3600, budget),
                     ("nextpnr-ecp5 (router2)", 3600, None)]
    assert row["router"] == "router2" and "router1 stalled" in row["note"]
    assert 100 <= row["nextpnr_s"] < 110 and row["fmax_mhz"] == 42.0

    calls.clear()
    args.router = "router1"
    row = synth.synth_one(args, 1, "yosys", "nextpnr", {})
    assert row["timeout"] and calls[1:] == [("nextpnr-ecp5 (router1)", 3600, None)]
