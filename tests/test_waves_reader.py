# SPDX-License-Identifier: Apache-2.0
"""eie.sim.waves reads the scope list of a dump without a waveform library: FST with a
gzip or LZ4 hierarchy block (Icarus, Verilator) and VCD. Hand-made files, no simulator
(tb/test_waves.py reads a real Icarus dump)."""

import gzip
import struct

import pytest

from eie.errors import EieError
from eie.sim.waves import _lz4_block, dump_signals, view_signals, VIEW

# A hierarchy as fstapi writes it: scope, vars (type, direction, name, width, alias), upscope.
HIER = (b"\xfe\x00eie_core\x00eie_core\x00"
        b"\x10\x00busy_o\x00\x01\x00"
        b"\x10\x00ld_addr_i [31:0]\x00\x20\x00"
        b"\xfc\x00\x03src.sv\x00\x01"  # an attribute (the source file), skipped
        b"\xfe\x00g_pe[0]\x00\x00\x10\x00idle_o\x00\x01\x00\xff"
        b"\xff")
EXPECTED = {"eie_core.busy_o": "", "eie_core.ld_addr_i": "[31:0]", "eie_core.g_pe[0].idle_o": ""}


def lz4_literals(data: bytes) -> bytes:
    """An LZ4 block of literals only (a valid block: the decoder must take it)."""
    n = len(data) - 15
    ext = b"\xff" * (n // 255) + bytes([n % 255])
    return b"\xf0" + ext + data


def fst(kind: int, body: bytes) -> bytes:
    header_block = b"\x00" + struct.pack(">Q", 8 + 4) + b"\0" * 4  # a block before, skipped
    return header_block + bytes([kind]) + struct.pack(">Q", 8 + len(body)) + body


def test_lz4_literals_and_overlapping_matches():
    # "abcd", then a match 4 back of length 8 (it overlaps its own output), then "xyz".
    block = b"\x44abcd\x04\x00" + b"\x30xyz"
    assert _lz4_block(block, 15) == b"abcdabcdabcdxyz"
    assert _lz4_block(lz4_literals(b"q" * 300), 300) == b"q" * 300
    with pytest.raises(ValueError):
        _lz4_block(b"\x44abcd\x09\x00", 20)  # a match before the start


@pytest.mark.parametrize("kind", ["gzip", "lz4", "lz4duo"])
def test_fst_hierarchy(tmp_path, kind):
    size = struct.pack(">Q", len(HIER))
    if kind == "gzip":
        raw = fst(4, size + gzip.compress(HIER))
    elif kind == "lz4":
        raw = fst(6, size + lz4_literals(HIER))
    else:
        once = lz4_literals(HIER)
        raw = fst(7, size + bytes([len(once) & 0x7F | 0x80, len(once) >> 7]) + lz4_literals(once))
    (tmp_path / "d.fst").write_bytes(raw)
    assert dump_signals(tmp_path / "d.fst") == EXPECTED


def test_vcd_as_verilator_writes_it(tmp_path):
    (tmp_path / "d.vcd").write_text(
        "$timescale 1ps $end\n $scope module $rootio $end\n  $var wire 1 \" clk_i $end\n $upscope $end\n"
        " $scope module eie_core $end\n  $var wire 1 # busy_o $end\n  $var wire 32 $ ld_addr_i [31:0] $end\n"
        "  $scope module g_pe[0] $end\n   $var wire 1 % idle_o $end\n  $upscope $end\n $upscope $end\n"
        "$enddefinitions $end\n#0\n0\"\n")
    assert dump_signals(tmp_path / "d.vcd") == {"$rootio.clk_i": "", **EXPECTED}


def test_unreadable_dump_is_one_error(tmp_path):
    (tmp_path / "bad.fst").write_bytes(b"\x00\x00")
    with pytest.raises(EieError, match="not a FST or VCD dump"):
        dump_signals(tmp_path / "bad.fst")
    with pytest.raises(EieError, match="cannot read"):
        dump_signals(tmp_path / "none.fst")


def test_view_names_the_four_parts():
    shown = view_signals(VIEW)
    assert shown[0] == "eie_core.clk_i" and len(shown) == len(set(shown))
    assert all(s.startswith("eie_core.") for s in shown)
    text = VIEW.read_text()
    for title in ("AXI4-Lite", "Load port", "CCU broadcast", "PE 0 pipeline"):
        assert f"\n-{title}" in text
