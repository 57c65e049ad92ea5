"""scripts/asic_area.py's memory cut-out: the patterns must name the RTL's memories."""
import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
SPEC = importlib.util.spec_from_file_location("asic_area", ROOT / "scripts" / "asic_area.py")
asic = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(asic)


def mem_cell(memid: str) -> dict:
    return {"type": "$mem_v2",
            "parameters": {"MEMID": "\\" + memid, "SIZE": 16, "WIDTH": 4, "RD_PORTS": 1, "WR_PORTS": 1},
            "port_directions": {"RD_DATA": "output", "WR_DATA": "input", "RD_CLK": "input"},
            "connections": {"RD_DATA": [2, 3, 4, 5], "WR_DATA": [6, 7, 8, 9], "RD_CLK": [10]}}


def netlist(*memids: str) -> dict:
    return {"modules": {"top": {"ports": {}, "cells": {f"m{i}": mem_cell(m) for i, m in enumerate(memids)}}}}


def test_matching_memories_become_ports_and_the_rest_stay():
    net, cut, kept = asic.cut_memories(netlist("u_a.mem", "u_b.cb"), "top", [r"u_a\.mem$"])
    assert [m["memid"] for m in cut] == ["u_a.mem"]
    assert [m["memid"] for m in kept] == ["u_b.cb"]
    assert sorted(net["modules"]["top"]["ports"]) == ["bb0_RD_DATA", "bb0_WR_DATA"]
    assert net["modules"]["top"]["ports"]["bb0_RD_DATA"]["direction"] == "input"


def test_a_pattern_that_matches_no_memory_is_an_error():
    # The accumulators were renamed once and silently counted as flip-flops.
    with pytest.raises(SystemExit, match="no memory matches the cut-out pattern"):
        asic.cut_memories(netlist("u_arith.g_bank[0].mem"), "top", [r"u_arith\.acc_mem$"])


def test_the_pe_patterns_name_the_rtl_memories():
    """Every PE cut-out pattern matches a memory name the RTL really has (names read off the
    RTL's declarations, so a rename there fails here before `make asic` is run)."""
    rtl = {p.stem: p.read_text() for p in (ROOT / "rtl").glob("eie_*.sv")}
    names = {
        r"u_spmat_read\.mem$": "u_spmat_read.mem" if " mem [" in rtl["eie_spmat_read"] else None,
        r"u_ptr_read\.(even|odd)_mem$": "u_ptr_read.even_mem" if "even_mem" in rtl["eie_ptr_read"] else None,
        r"u_act_file\.g_file\[\d\]\.mem$": "u_act_file.g_file[0].mem"
        if "g_file" in rtl["eie_act_file"] and " mem [" in rtl["eie_act_file"] else None,
        r"u_arith\.g_bank\[\d\]\.mem$": "u_arith.g_bank[0].mem"
        if "g_bank" in rtl["eie_arith"] and " mem [" in rtl["eie_arith"] else None,
    }
    patterns = asic.blocks(64)["pe"]["black_box"]
    assert sorted(patterns) == sorted(names)
    for pat, name in names.items():
        assert name is not None, f"the RTL no longer declares the memory {pat} names"
        assert re.search(pat, name)
