# SPDX-License-Identifier: Apache-2.0
"""The core's host interface from the software side: ``eie.hw.regs`` is generated
from rtl/eie_regs.rdl (scripts/gen_regs.py); the helpers here build addresses from it."""

from __future__ import annotations

from eie.hw import regs


_TARGET, _PE, _INDEX = (regs.LD_ADDR.field(name) for name in ("TARGET", "PE", "INDEX"))
_FLAGS = regs.REGISTERS["LAYER_FLAGS"]


def ld_address(target: int, pe: int, index: int) -> int:
    """The load-port address of ``index`` in memory ``target`` (a ``regs.LdTarget``) of PE ``pe``."""
    return _TARGET.encode(int(target)) | _PE.encode(pe) | _INDEX.encode(index)


def layer_flags(bias: bool, relu: bool, shift: int) -> int:
    """A LAYER_FLAGS word: the layer's bias and ReLU flags and its write-back shift (w_frac)."""
    return (_FLAGS.field("BIAS").encode(int(bias)) | _FLAGS.field("RELU").encode(int(relu)) |
            _FLAGS.field("SHIFT").encode(shift))
