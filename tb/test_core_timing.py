# SPDX-License-Identifier: Apache-2.0
"""The timing diagrams of doc/integration.md against the RTL (cocotb tests in tb/core_timing.py).

The diagrams' WaveDrom sources (doc/wavedrom/*.json) are played on eie_core:
inputs driven, outputs checked, cycle by cycle.
"""

from pathlib import Path

import numpy as np

from eie.image import write_image
from eie.sim.rtlsim import run_cocotb
from eie.sim.simulate import core_parameters
from test_core import make_network

WAVEDROM_DIR = Path(__file__).resolve().parents[1] / "doc" / "wavedrom"


def test_timing_diagrams_match_the_rtl(tmp_path, sim):
    # The build of tb/test_core_misuse.py (4 PEs, the small memories).
    image = make_network(np.random.default_rng(3), 4, [(9, 7)], (True,), 0.5)
    write_image(image, tmp_path / "img")
    run_cocotb("eie_core", "core_timing", core_parameters(image), sim=sim,
               extra_env={"EIE_IMAGE": str(tmp_path / "img"), "EIE_WAVEDROM": str(WAVEDROM_DIR)})
