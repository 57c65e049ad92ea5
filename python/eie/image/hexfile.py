# SPDX-License-Identifier: Apache-2.0
"""Vectorised ``$readmemh`` files: one fixed-width hex word per line, no address marks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_HEX_VALUE = np.full(256, 255, dtype=np.uint8)
_HEX_VALUE[_HEX_DIGITS] = np.arange(16, dtype=np.uint8)
_HEX_VALUE[np.frombuffer(b"ABCDEF", dtype=np.uint8)] = np.arange(10, 16, dtype=np.uint8)


def digits_for(bits: int) -> int:
    return -(-bits // 4)


def format_hex(values: np.ndarray, bits: int) -> bytes:
    """Words (non-negative, < 2**bits) as ``$readmemh`` text, one per line."""
    digits = digits_for(bits)
    values = np.asarray(values, dtype=np.uint64)
    shifts = np.arange(digits - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    nibbles = (values[:, None] >> shifts[None, :]) & np.uint64(15)
    chars = np.empty((values.size, digits + 1), dtype=np.uint8)
    chars[:, :digits] = _HEX_DIGITS[nibbles.astype(np.intp)]
    chars[:, digits] = ord("\n")
    return chars.tobytes()


def parse_hex(data: bytes, bits: int, name: str) -> np.ndarray:
    """Inverse of :func:`format_hex`; raises ValueError on any malformed line."""
    if not 1 <= bits <= 64:  # the words are uint64: a wider width would shift digits out unnoticed
        raise ValueError(f"{name}: a word width of {bits} bits; eie's memories are 1 to 64 bits wide")
    digits = digits_for(bits)
    raw = np.frombuffer(data, dtype=np.uint8)
    if raw.size % (digits + 1):
        raise ValueError(f"{name}: truncated or malformed (expected lines of {digits} hex digits)")
    chars = raw.reshape(-1, digits + 1)
    if np.any(chars[:, digits] != ord("\n")):
        raise ValueError(f"{name}: malformed line (expected {digits} hex digits per line)")
    nibbles = _HEX_VALUE[chars[:, :digits]]
    if np.any(nibbles == 255):
        raise ValueError(f"{name}: a line holds a character that is not a hex digit")
    shifts = np.arange(digits - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    values = (nibbles.astype(np.uint64) << shifts[None, :]).sum(axis=1, dtype=np.uint64)
    if bits < 64 and np.any(values >> np.uint64(bits)):
        raise ValueError(f"{name}: a value does not fit in {bits} bits")
    return values


def read_hex(path: Path, bits: int) -> np.ndarray:
    return parse_hex(Path(path).read_bytes(), bits, Path(path).name)
