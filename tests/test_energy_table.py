# SPDX-License-Identifier: Apache-2.0
"""The committed 45 nm energy table (python/eie/data/energy_45nm.json, written by
`make cacti`): every entry has its numbers and a source, energies are positive,
and its memory sizes are the core's current defaults, so a change of a size in
python/eie/image/layout.py MemoryConfig or rtl/eie_core.sv fails here until the table
is regenerated."""

import importlib.util
import json
import math
from dataclasses import asdict
from pathlib import Path

import pytest

from eie.image import MemoryConfig

ROOT = Path(__file__).resolve().parents[1]
TABLE = json.loads((ROOT / "python" / "eie" / "data" / "energy_45nm.json").read_text())
SPEC = importlib.util.spec_from_file_location("cacti_table", ROOT / "scripts" / "cacti_table.py")
cacti_table = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(cacti_table)

MEMORY_FIELDS = ("read_pj", "write_pj", "leakage_mw", "area_um2", "access_ns", "cycle_ns")
ALL_MEMORIES = [(group, name) for group in ("memories", "paper_memories", "reference_memories")
                for name in TABLE[group]]


def is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def test_memory_config_is_the_default():
    mem = MemoryConfig()
    config = TABLE["memory_config"]
    for name, value in asdict(mem).items():
        assert config[name] == value, f"energy_45nm.json has {name} = {config[name]}, MemoryConfig {value}: run make cacti"
    assert config["ptr_width"] == mem.ptr_width


def test_memories_are_the_rtl_memories():
    sizes = cacti_table.default_sizes()
    expected = cacti_table.our_memories(sizes)
    assert sorted(TABLE["memories"]) == sorted(m["name"] for m in expected)
    for m in expected:
        entry = TABLE["memories"][m["name"]]
        got = (entry["words"], entry["width_bits"], entry["ports"], entry["copies_per_pe"])
        assert got == (m["words"], m["width"], m["ports"], m["copies"]), f"{m['name']}: run make cacti"
    assert TABLE["memory_config"]["queue_depth"] == sizes["queue_depth"]
    assert TABLE["memory_config"]["history_depth"] == sizes["history_depth"]


@pytest.mark.parametrize("group,name", ALL_MEMORIES)
def test_memory_entry_complete(group, name):
    entry = TABLE[group][name]
    for field in MEMORY_FIELDS:
        assert is_number(entry[field]), f"{group}.{name}.{field} = {entry[field]!r}"
        assert entry[field] >= 0
    assert entry["read_pj"] > 0 and entry["write_pj"] > 0 and entry["area_um2"] > 0
    assert isinstance(entry["source"], str) and entry["source"].strip()
    assert entry["words"] * entry["width_bits"] == entry["bytes"] * 8
    if entry["cacti_config"] is None:
        assert entry["model"].startswith("flip-flop array")
        assert entry["words"] < cacti_table.CACTI_MIN_ROWS


@pytest.mark.parametrize("group", ["arithmetic", "calibrated"])
def test_event_entries_have_value_and_source(group):
    assert TABLE[group]
    for name, entry in TABLE[group].items():
        assert is_number(entry["value"]) and entry["value"] > 0, f"{group}.{name}"
        assert isinstance(entry["source"], str) and entry["source"].strip(), f"{group}.{name}"


def test_calibration_marked_and_consistent():
    cal = TABLE["calibrated"]
    for name in ("clock_register_pj_per_cycle_per_pe", "clock_register_pj_per_flop_cycle"):
        assert "calibrated against Table II" in cal[name]["source"]
    t2 = TABLE["table_ii"]
    assert cal["clock_register_pj_per_cycle_per_pe"]["value"] == pytest.approx(
        (t2["clock_mw"] + t2["register_mw"]) / 800e6 * 1e9)


def test_parse_cacti_report():
    text = """
    Access time (ns): 0.972206
    Cycle time (ns):  0.867586
    Total dynamic read energy per access (nJ): 0.0269497
    Total dynamic write energy per access (nJ): 0.0207481
    Total leakage power of a bank (mW): 6.72839
    Total gate leakage power of a bank (mW): 0.70832
    Cache height x width (mm): 0.789916 x 0.543839
"""
    got = cacti_table.parse_cacti(text)
    assert got["read_pj"] == pytest.approx(26.9497)
    assert got["leakage_mw"] == pytest.approx(7.43671)
    assert got["area_um2"] == pytest.approx(0.789916 * 0.543839 * 1e6)
