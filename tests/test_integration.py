# SPDX-License-Identifier: Apache-2.0
"""doc/integration.md against the RTL: the port table and the instantiation template.

eie_core's ports (name, direction, width) and parameters (name, default) are
parsed from rtl/eie_core.sv, the widths evaluated with eie_pkg's values; the
page's port table must list exactly those ports in order, and its template must
connect exactly those ports and set every parameter to its default. The template
is then pasted into a small top level and elaborated by Icarus and Verilator -Wall
(the lint flow's tools and waivers), so it cannot stop compiling either.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

from eie.sim.toolchain import VERILATOR_WAIVERS, require_icarus, rtl_sources, setup_verilator_env
from sv_pkg import localparams

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "rtl" / "eie_core.sv"
PAGE = ROOT / "doc" / "integration.md"

_PORT = re.compile(r"^\s*(input|output)\s+logic\s*(?:\[([^\]:]+):0\])?\s*(\w+)\s*,?\s*$", re.M)
_PARAM = re.compile(r"^\s*parameter\s+(?:int|bit)\s+(\w+)\s*=\s*([^,\s]+)\s*,", re.M)
_ALIAS = re.compile(r"^\s*localparam\s+int\s+(\w+)\s*=\s*eie_pkg::(\w+)\s*,?\s*$", re.M)
_TABLE_ROW = re.compile(r"^\| `(\w+)` \| (in|out) \| (\d+) \|", re.M)


def sv_int(literal: str) -> int:
    """A parameter default: a decimal or a sized literal such as 1'b1."""
    if "'" in literal:
        base = {"b": 2, "d": 10, "h": 16, "o": 8}[literal.split("'")[1][0].lower()]
        return int(literal.split("'")[1][1:].replace("_", ""), base)
    return int(literal)


def core_ports() -> list[tuple[str, str, int]]:
    """(name, 'in'/'out', width) of every eie_core port, in declaration order."""
    text = CORE.read_text()
    pkg = localparams()
    names = {alias: pkg[name] for alias, name in _ALIAS.findall(text)}
    ports = []
    for direction, msb, name in _PORT.findall(text):
        width = 1 if not msb else int(eval(msb, {"__builtins__": {}}, names)) + 1  # noqa: S307 (names only)
        ports.append((name, "in" if direction == "input" else "out", width))
    return ports


def core_parameters() -> dict[str, int]:
    return {name: sv_int(value) for name, value in _PARAM.findall(CORE.read_text())}


def template() -> str:
    match = re.search(r"<!-- template[^\n]*-->\n```systemverilog\n(.*?)```", PAGE.read_text(), re.S)
    assert match, "doc/integration.md has no template block"
    return match.group(1)


def test_the_parser_sees_the_whole_port_list():
    ports = core_ports()
    # The port list runs from the clock to done_o; a port the regex missed would break this.
    assert ports[0][0] == "clk_i" and ports[-1][0] == "done_o"
    text = CORE.read_text()
    port_list = text[text.index(") (\n"):text.index("\n);")]
    assert len(ports) == len(re.findall(r"^\s*(?:input|output)\b", port_list, re.M))
    assert ("s_axil_wstrb_i", "in", 4) in ports and ("ld_wdata_i", "in", 64) in ports


def test_port_table_lists_every_port():
    table = [(name, direction, int(width)) for name, direction, width in _TABLE_ROW.findall(PAGE.read_text())]
    assert table == core_ports()


def test_template_connects_every_port_and_sets_the_defaults():
    text = template()
    connected = re.findall(r"^\s*\.(\w+_[io]|\w+_ni)\s*\(", text, re.M)
    assert connected == [name for name, _, _ in core_ports()]
    set_to = {name: sv_int(value) for name, value in re.findall(r"^\s*\.([A-Z]\w*)\s*\(([^)]+)\)", text, re.M)}
    assert set_to == core_parameters()


@pytest.fixture(scope="module")
def template_top(tmp_path_factory) -> Path:
    top = tmp_path_factory.mktemp("template") / "eie_template_top.sv"
    top.write_text("`default_nettype none\n\nmodule eie_template_top (\n  input logic clk,\n"
                   f"  input logic rst_n\n);\n\n{template()}\nendmodule\n\n`default_nettype wire\n")
    return top


def test_template_elaborates_with_icarus(template_top, tmp_path):
    require_icarus()
    proc = subprocess.run(["iverilog", "-g2012", "-Wall", "-Wno-timescale", "-s", "eie_template_top",
                           "-o", str(tmp_path / "t.vvp"), *map(str, rtl_sources()), str(template_top)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Icarus only warns about a port the instance leaves out or a width that differs:
    # nothing may be said about the template's file.
    about_template = [line for line in (proc.stdout + proc.stderr).splitlines() if template_top.name in line]
    assert not about_template, "\n".join(about_template)


def test_template_lints_with_verilator(template_top):
    # The host-side signals are declared but nothing drives or reads them in this
    # stand-in top: those two warnings are expected, every other one is a finding.
    cmd = ["verilator", "--lint-only", "-Wall", "--quiet-stats", "-Wno-UNDRIVEN", "-Wno-UNUSEDSIGNAL",
           "--top-module", "eie_template_top", str(VERILATOR_WAIVERS), *map(str, rtl_sources()), str(template_top)]
    proc = subprocess.run(cmd, cwd=ROOT, env=setup_verilator_env(dict(os.environ)), capture_output=True, text=True)
    assert proc.returncode == 0 and not (proc.stdout + proc.stderr).strip(), proc.stdout + proc.stderr
