# SPDX-License-Identifier: Apache-2.0
"""Shared helpers for the Python-side tests."""

import numpy as np
import pytest

from eie.apps.cli import main


@pytest.fixture
def run_cli(capsys):
    """Run ``eie`` in-process; returns (exit code, stdout, stderr)."""

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def mlp_file(tmp_path):
    rng = np.random.default_rng(3)
    path = tmp_path / "mlp.npz"
    np.savez(path, W0=rng.normal(size=(40, 30)), b0=rng.normal(size=40) * 0.1, W1=rng.normal(size=(12, 40)))
    return path


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if anything gets as far as building or running the RTL."""
    import eie.sim.rtlsim

    def refuse(*args, **kwargs):
        raise AssertionError("the simulator was started although the input or an output was bad")

    monkeypatch.setattr(eie.sim.rtlsim, "run_cocotb", refuse)
