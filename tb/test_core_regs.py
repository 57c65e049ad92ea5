# SPDX-License-Identifier: Apache-2.0
"""The registers of the whole core against rtl/eie_regs.rdl (cocotb tests in tb/core_regs.py).

Built with and without the per-PE counters (PeCounters): FEATURES and every
other register must read as the .rdl and the build say in both.
"""

import json

import pytest

from eie.sim.rtlsim import run_cocotb
from eie.limits import DEFAULT_HISTORY_DEPTH, DEFAULT_QUEUE_DEPTH, DEFAULT_TAKE_LANES
from test_core import SMALL_MEMORY

# The build of tb/test_core_misuse.py: the same parameters share one simulator build.
PARAMETERS = {
    "NumPe": 4,
    "QueueDepth": DEFAULT_QUEUE_DEPTH,
    "HistoryDepth": DEFAULT_HISTORY_DEPTH,
    "SpmatDepth": SMALL_MEMORY.spmat_words,
    "PtrBankDepth": SMALL_MEMORY.ptr_bank_depth,
    "ActDepth": SMALL_MEMORY.act_depth,
    "MaxLayers": SMALL_MEMORY.max_layers,
    "PeCounters": 1,
    "TakeLanes": DEFAULT_TAKE_LANES,
}


@pytest.mark.sim_matrix([1, 0], ids=["pe_counters", "no_pe_counters"], argname="pe_counters")
def test_registers_follow_the_rdl(sim, pe_counters):
    # The build without the counters also takes one lane: TAKE_LANES reads each value.
    parameters = {**PARAMETERS, "PeCounters": pe_counters, "TakeLanes": DEFAULT_TAKE_LANES if pe_counters else 1}
    run_cocotb("eie_core", "core_regs", parameters, sim=sim, extra_env={"EIE_PARAMS": json.dumps(parameters)})
