# SPDX-License-Identifier: Apache-2.0
"""Misuse and faults on the whole core (cocotb tests in tb/core_misuse.py)."""

import numpy as np

from eie.image import write_image
from eie.rtlsim import run_cocotb
from eie.simulate import core_parameters
from test_core import SMALL_MEMORY, make_network


def test_misuse_sets_error_bits_and_recovers(tmp_path, sim):
    # Every scenario of tb/core_misuse.py: an error bit, back to idle, then a correct run.
    image = make_network(np.random.default_rng(8), 4, [(21, 17), (9, 21)], (True, False), 0.4, memory=SMALL_MEMORY)
    write_image(image, tmp_path / "img")
    run_cocotb("eie_core", "core_misuse", core_parameters(image), sim=sim,
               extra_env={"EIE_IMAGE": str(tmp_path / "img")})
