# SPDX-License-Identifier: Apache-2.0
"""The registers of the whole core against rtl/eie_regs.rdl (cocotb tests in tb/core_regs.py)."""

import json

from eie.sim.rtlsim import run_cocotb
from eie.limits import DEFAULT_HISTORY_DEPTH, DEFAULT_QUEUE_DEPTH
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
}


def test_registers_follow_the_rdl(sim):
    run_cocotb("eie_core", "core_regs", PARAMETERS, sim=sim, extra_env={"EIE_PARAMS": json.dumps(PARAMETERS)})
