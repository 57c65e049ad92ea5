# SPDX-License-Identifier: Apache-2.0
"""pytest glue for the cocotb testbenches: the simulator list comes from SIM."""

import os

import pytest

ALL_SIMS = ("icarus", "verilator")


def pytest_generate_tests(metafunc):
    # SIM=icarus or SIM=verilator narrows every testbench to one simulator.
    if "sim" in metafunc.fixturenames:
        chosen = os.environ.get("SIM")
        sims = [chosen] if chosen in ALL_SIMS else list(ALL_SIMS)
        metafunc.parametrize("sim", sims)


@pytest.fixture
def rtl_dir():
    from eie.toolchain import RTL_DIR

    return RTL_DIR
