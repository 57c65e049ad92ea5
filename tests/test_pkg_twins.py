# SPDX-License-Identifier: Apache-2.0
"""Every rtl/eie_pkg.sv localparam with a Python twin equals it (no simulator).

Number formats and the sparse-matrix encoding are stated in eie_pkg.sv for the
RTL and in the eie package for the packer, reference and cycle models; this
test is what keeps the two statements one. Register-map constants are checked
against rtl/eie_regs.rdl by tests/test_regs_pkg.py.
"""

from __future__ import annotations

import pytest

from eie import fixedpoint, image, limits
from eie.packing import compress
from eie.image import csc, layout
from eie.models import perf
from sv_pkg import localparams

PKG = localparams()

# (eie_pkg name, what of it the Python value is, Python name, Python value)
FORMAT_PAIRS = [
    ("ActWidth", "value", "fixedpoint.ACT_WIDTH", fixedpoint.ACT_WIDTH),
    ("WeightWidth", "value", "fixedpoint.WEIGHT_WIDTH", fixedpoint.WEIGHT_WIDTH),
    ("WeightWidth", "value", "image.layout.CODEBOOK_BITS", layout.CODEBOOK_BITS),
    ("AccWidth", "value", "fixedpoint.ACC_WIDTH", fixedpoint.ACC_WIDTH),
    ("MaxWeightFrac", "value", "fixedpoint.MAX_WEIGHT_FRAC", fixedpoint.MAX_WEIGHT_FRAC),
    ("MaxColumns", "value", "fixedpoint.MAX_COLUMNS", fixedpoint.MAX_COLUMNS),
    ("ActFracReset", "value", "fixedpoint.DEFAULT_ACT_FRAC", fixedpoint.DEFAULT_ACT_FRAC),
    ("ActWidth", "signed minimum", "fixedpoint.INT16_MIN", fixedpoint.INT16_MIN),
    ("ActWidth", "signed maximum", "fixedpoint.INT16_MAX", fixedpoint.INT16_MAX),
    ("NumCodes", "value", "compress.NUM_CODES", compress.NUM_CODES),
    ("ZeroRunWidth", "unsigned maximum", "csc.ZERO_RUN_MAX", csc.ZERO_RUN_MAX),
    ("EntriesPerWord", "value", "image.ENTRIES_PER_WORD", image.ENTRIES_PER_WORD),
    ("TakeLanes", "value", "limits.DEFAULT_TAKE_LANES", limits.DEFAULT_TAKE_LANES),
    ("AccSweepCycles", "value", "perf.ACC_SWEEP_CYCLES", perf.ACC_SWEEP_CYCLES),
    ("AccReadLatency", "value", "perf.ACC_READ_LATENCY", perf.ACC_READ_LATENCY),
    ("RequantStages", "value", "perf.REQUANT_STAGES", perf.REQUANT_STAGES),
]

# The core's size limits (python/eie/limits.py), as eie_core's parameter checks use them.
LIMITS_PAIRS = [
    (f"{side}{bound.name}", "value", f"limits.{attr}.{'lo' if side == 'Min' else 'hi'}",
     bound.lo if side == "Min" else bound.hi)
    for attr, bound in (("NUM_PE", limits.NUM_PE), ("QUEUE_DEPTH", limits.QUEUE_DEPTH),
                        ("HISTORY_DEPTH", limits.HISTORY_DEPTH), ("SPMAT_DEPTH", limits.SPMAT_DEPTH),
                        ("PTR_BANK_DEPTH", limits.PTR_BANK_DEPTH), ("ACT_DEPTH", limits.ACT_DEPTH),
                        ("MAX_LAYERS", limits.MAX_LAYERS), ("TAKE_LANES", limits.TAKE_LANES))
    for side in ("Min", "Max")
] + [
    ("LayerInWidth", "unsigned maximum", "limits.LAYER_IN.hi", limits.LAYER_IN.hi),
    ("LayerOutWidth", "unsigned maximum", "limits.LAYER_OUT.hi", limits.LAYER_OUT.hi),
    ("ColIdxWidth", "unsigned maximum", "limits.LAYER_IN.hi (the bias column's index)", limits.LAYER_IN.hi),
]

PAIRS = FORMAT_PAIRS + LIMITS_PAIRS

DERIVED = {
    "value": lambda v: v,
    "signed minimum": lambda width: -(1 << (width - 1)),
    "signed maximum": lambda width: (1 << (width - 1)) - 1,
    "unsigned maximum": lambda width: (1 << width) - 1,
}


@pytest.mark.parametrize("name, what, python_name, python_value", PAIRS, ids=[p[2] for p in PAIRS])
def test_package_constant_equals_its_python_twin(name, what, python_name, python_value):
    assert DERIVED[what](PKG[name]) == python_value, f"eie_pkg::{name} ({what}) differs from {python_name}"


def test_encoding_widths_agree():
    assert PKG["EntryWidth"] == PKG["CodeWidth"] + PKG["ZeroRunWidth"]
    assert PKG["NumCodes"] == 1 << PKG["CodeWidth"]
    assert PKG["SpmatWordWidth"] == PKG["EntriesPerWord"] * PKG["EntryWidth"]
    assert PKG["EntriesPerWord"] == 1 << PKG["SlotWidth"]
    assert PKG["SpmatWordWidth"] == PKG["LdDataWidth"]
    assert PKG["MaxWeightFrac"] < 1 << PKG["ShiftWidth"]


def test_core_parameter_defaults_are_eie_limits():
    """eie_core.sv's parameter defaults are eie.limits' DEFAULT_* (what eie sim builds by default)."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "rtl" / "eie_core.sv").read_text()
    defaults = {name: int(value) for name, value in re.findall(r"parameter int (\w+)\s*=\s*(\d+)", text)}
    assert {name: defaults[name] for name in ("QueueDepth", "HistoryDepth", "SpmatDepth", "PtrBankDepth",
                                              "ActDepth", "MaxLayers")} == {
        "QueueDepth": limits.DEFAULT_QUEUE_DEPTH, "HistoryDepth": limits.DEFAULT_HISTORY_DEPTH,
        "SpmatDepth": limits.DEFAULT_SPMAT_DEPTH, "PtrBankDepth": limits.DEFAULT_PTR_BANK_DEPTH,
        "ActDepth": limits.DEFAULT_ACT_DEPTH, "MaxLayers": limits.DEFAULT_MAX_LAYERS}
    (pe_counters,) = re.findall(r"parameter bit PeCounters\s*=\s*1'b([01])", text)
    assert bool(int(pe_counters)) == limits.DEFAULT_PE_COUNTERS
    assert defaults["TakeLanes"] == limits.DEFAULT_TAKE_LANES == PKG["TakeLanes"]
