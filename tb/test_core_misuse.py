# SPDX-License-Identifier: Apache-2.0
"""Misuse and faults on the whole core (cocotb tests in tb/core_misuse.py)."""

import ast
from pathlib import Path

import numpy as np
import pytest
from cocotb_tools.runner import get_results

from eie.image import write_image
from eie.sim.rtlsim import run_cocotb
from eie.sim.simulate import core_parameters
from test_core import SMALL_MEMORY, make_network


pytestmark = pytest.mark.bad_input

# The cocotb tests of tb/core_misuse.py, read from its source: every one must have run.
MISUSE_TESTS = [node.name for node in ast.parse((Path(__file__).parent / "core_misuse.py").read_text()).body
                if isinstance(node, ast.AsyncFunctionDef)
                and any("cocotb.test" in ast.unparse(d) for d in node.decorator_list)]


def test_misuse_sets_error_bits_and_recovers(tmp_path, sim, record_property):
    # Every scenario of tb/core_misuse.py: an error bit, back to idle, then a correct run.
    image = make_network(np.random.default_rng(8), 4, [(21, 17), (9, 21)], (True, False), 0.4, memory=SMALL_MEMORY)
    write_image(image, tmp_path / "img")
    results = run_cocotb("eie_core", "core_misuse", core_parameters(image), sim=sim,
                         extra_env={"EIE_IMAGE": str(tmp_path / "img")})
    # Every cocotb test that ran is one misuse scenario (the summary counts them), read
    # from the run's results file; a failing one has already failed this test.
    tried, failed = get_results(results)
    assert tried == len(MISUSE_TESTS) and failed == 0, \
        f"{tried} misuse scenarios ran of the {len(MISUSE_TESTS)} in core_misuse.py, {failed} failed"
    record_property("bad_inputs", tried)
