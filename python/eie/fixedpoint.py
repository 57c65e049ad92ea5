# SPDX-License-Identifier: Apache-2.0
"""The number formats of the core, in one place (twin of rtl/eie_pkg.sv).

- Activation: 16-bit signed, ``act_frac`` fraction bits (image-wide, default 8).
- Codebook weight: 16-bit signed, ``w_frac`` fraction bits chosen per layer as
  the largest value in 0..15 that keeps every codebook entry in range.
- Product: 32-bit; accumulator: 48-bit, exact (no rounding, no saturation) for
  any layer of up to 65536 columns, so the broadcast order does not matter.
- Write-back: ``y = (acc + 2**(s-1)) >> s`` (round half up; ``y = acc`` when
  ``s == 0``) with ``s = w_frac``, then saturation to 16 bits, then ReLU if the
  layer has it. The result is again an activation with ``act_frac`` bits.
- Quantising a float x to a format with f fraction bits: ``floor(x * 2**f + 0.5)``
  (round half up) saturated to 16 bits.

Tolerance: for inputs already on the activation grid, one layer's output
differs from the float ``ReLU(W_q a)`` by at most half an activation LSB
(``2**-(act_frac+1)``), unless it saturates.
"""

from __future__ import annotations

import numpy as np

from eie.errors import EieError

ACT_WIDTH = 16
WEIGHT_WIDTH = 16
ACC_WIDTH = 48
MAX_WEIGHT_FRAC = 15
MAX_COLUMNS = 1 << 16
DEFAULT_ACT_FRAC = 8

INT16_MIN = -(1 << 15)
INT16_MAX = (1 << 15) - 1


def saturate16(values: np.ndarray) -> np.ndarray:
    return np.clip(values, INT16_MIN, INT16_MAX).astype(np.int64)


# Every float at or beyond this magnitude saturates in any format (it exceeds
# INT16_MAX even with no fraction bits); clipping to it first keeps the scaling
# below from overflowing (a weight or input near 1e308).
_SATURATED = float(1 << 16)


def quantize(values: np.ndarray, frac_bits: int) -> np.ndarray:
    """Floats to 16-bit fixed point with ``frac_bits`` fraction bits (round half up, saturate)."""
    clipped = np.clip(np.asarray(values, dtype=np.float64), -_SATURATED, _SATURATED)
    scaled = np.floor(clipped * float(1 << frac_bits) + 0.5)
    return saturate16(scaled)


def dequantize(values: np.ndarray, frac_bits: int) -> np.ndarray:
    return np.asarray(values, dtype=np.float64) / float(1 << frac_bits)


def weight_frac_bits(max_abs: float) -> int:
    """The most fraction bits (0..15) that keep ``max_abs`` within a signed 16-bit weight."""
    if not max_abs < INT16_MAX + 0.5:  # too large even with no fraction bits (or NaN); no scaling needed to say so
        raise EieError(f"a weight of magnitude {max_abs:g} does not fit a 16-bit fixed-point weight "
                       f"(|w| < {INT16_MAX + 0.5:g})")
    if max_abs == 0.0:
        return MAX_WEIGHT_FRAC
    frac = MAX_WEIGHT_FRAC
    while frac >= 0 and np.floor(max_abs * (1 << frac) + 0.5) > INT16_MAX:
        frac -= 1
    if frac < 0:
        raise EieError(f"a weight of magnitude {max_abs:g} does not fit a 16-bit fixed-point weight")
    return frac


def round_shift(acc: np.ndarray, shift: int) -> np.ndarray:
    """The write-back's first step: ``(acc + 2**(shift-1)) >> shift`` (round half up), before saturation."""
    acc = np.asarray(acc, dtype=np.int64)
    return (acc + (1 << (shift - 1))) >> shift if shift > 0 else acc


def requantize(acc: np.ndarray, shift: int, relu: bool) -> np.ndarray:
    """The write-back of an exact accumulator to an activation (see the module text)."""
    out = saturate16(round_shift(acc, shift))
    return np.maximum(out, 0) if relu else out
