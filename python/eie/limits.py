# SPDX-License-Identifier: Apache-2.0
"""The RTL core's parameters in one place: their defaults, the sizes the core can
be built with, and the layers it can run.

The defaults are eie_core's (rtl/eie_core.sv): what ``eie sim`` builds and what
the packer sizes an image for. The bounds are those of eie_core's parameter checks (``initial`` blocks with
``$fatal``) and of the CSR's layer-descriptor check (ERROR.BAD_LAYER): the
packer, ``eie inspect``, ``eie ref`` and ``eie sim`` check an image or a core
configuration against them before doing any work, so a size the core cannot
build or run is refused in one line instead of failing deep in a simulation.
tests/test_pkg_twins.py checks the bounds against eie_pkg.sv and the defaults
against eie_core.sv.
"""

from __future__ import annotations

from dataclasses import dataclass

from eie.errors import EieError


@dataclass(frozen=True)
class Bound:
    """An integer parameter's inclusive range; ``power_of_two`` adds that rule."""

    name: str
    lo: int
    hi: int
    power_of_two: bool = False

    def check(self, value, what: str | None = None) -> int:
        """``value`` if it is within the bound; else an EieError naming ``what`` (default: the name)."""
        what = what or self.name
        if not isinstance(value, int) or isinstance(value, bool):
            raise EieError(f"{what} must be an integer, got {value!r}")
        if self.power_of_two and (value < self.lo or value > self.hi or value & (value - 1)):
            raise EieError(f"{what} must be a power of two >= {self.lo} and <= {self.hi} for the RTL core, "
                           f"got {value}")
        if value < self.lo:
            raise EieError(f"{what} must be at least {self.lo} for the RTL core, got {value}")
        if value > self.hi:
            raise EieError(f"{what} must be at most {self.hi} for the RTL core, got {value}")
        return value


# eie_core's parameter defaults. The memory sizes fit every layer of the EIE
# paper's benchmark table at N = 64 (128 KB of sparse matrix per PE, as the paper).
DEFAULT_QUEUE_DEPTH = 8
DEFAULT_HISTORY_DEPTH = 128
DEFAULT_SPMAT_DEPTH = 16384
DEFAULT_PTR_BANK_DEPTH = 16384
DEFAULT_ACT_DEPTH = 512
DEFAULT_MAX_LAYERS = 8
# Columns a PE takes from the broadcast history per cycle (eie_pkg::TakeLanes).
DEFAULT_TAKE_LANES = 2
# eie_core's PeCounters: the per-PE performance counters (PE_BUSY .. PE_PADDING)
# are not built by default (about 335-600 LUT4 + 201 FF per PE on an ECP5, no cycle;
# doc/synthesis.md). eie sim builds them for its report unless told not to.
DEFAULT_PE_COUNTERS = False
SIM_PE_COUNTERS = True

# eie_core parameters (names as in rtl/eie_core.sv).
NUM_PE = Bound("NumPe", 1, 64)
QUEUE_DEPTH = Bound("QueueDepth", 1, 256)
HISTORY_DEPTH = Bound("HistoryDepth", 2, 1024, power_of_two=True)
# A depth of one would leave a memory without address bits.
SPMAT_DEPTH = Bound("SpmatDepth", 2, 1 << 20)
PTR_BANK_DEPTH = Bound("PtrBankDepth", 2, 1 << 19)
# The write-back's row overflow detection needs at least 16 rows per PE.
ACT_DEPTH = Bound("ActDepth", 16, 1 << 16)
MAX_LAYERS = Bound("MaxLayers", 1, 16)
TAKE_LANES = Bound("TakeLanes", 1, 2)

# Layer descriptors: LAYER_IN and LAYER_OUT are 16-bit fields, and the bias
# column's index (in_features) must fit the 16-bit broadcast column index.
LAYER_IN = Bound("layer inputs", 1, (1 << 16) - 1)
LAYER_OUT = Bound("layer outputs", 1, (1 << 16) - 1)

CORE_PARAMETERS = (NUM_PE, QUEUE_DEPTH, HISTORY_DEPTH, SPMAT_DEPTH, PTR_BANK_DEPTH, ACT_DEPTH, MAX_LAYERS,
                   TAKE_LANES)
