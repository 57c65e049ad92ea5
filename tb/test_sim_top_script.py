# SPDX-License-Identifier: Apache-2.0
"""eie_sim_top's script player: load-port reads and a reset between scripts (cocotb
test in tb/sim_top_script.py). The parameters and build are test_core.py's
test_script_io_matches_the_port's: no build of its own."""

import numpy as np

from eie.image import write_image
from eie.sim.rtlsim import run_cocotb
from eie.sim.simulate import core_parameters
from eie.sim.toolchain import SIM_TOP, rtl_sources
from test_core import make_network


def test_script_player_reads_and_resets(tmp_path, sim):
    # test_script_io_matches_the_port's image (its build), another seed's weights.
    image = make_network(np.random.default_rng(13), 4, [(21, 17), (9, 21)], (True, False), 0.4)
    write_image(image, tmp_path / "img")
    script = tmp_path / "script.hex"
    # probes=False as eie sim builds it (eie.sim.simulate): the same build folder.
    run_cocotb(SIM_TOP.stem, "sim_top_script", core_parameters(image, 8), sim=sim, test_dir=tmp_path,
               extra_env={"EIE_IMAGE": str(tmp_path / "img"), "EIE_SCRIPT": str(script)}, probes=False,
               plusargs=[f"+eie_image_dir={tmp_path / 'img'}", f"+eie_script={script}"],
               sources=[*rtl_sources(), SIM_TOP])
