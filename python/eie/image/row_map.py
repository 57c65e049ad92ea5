# SPDX-License-Identifier: Apache-2.0
"""Row maps: physical row k of a layer (slot ``k // N`` of PE ``k % N``) holds the model's row ``row_map[k]``.

How rows are assigned is eie.packing.row_assign; this module is what the image
format needs of a map: its methods' names, its check and its inverse.
"""

from __future__ import annotations

import numpy as np

METHODS = ("interleave", "balanced")


def inverse(row_map: np.ndarray) -> np.ndarray:
    """Model row -> physical row."""
    inv = np.empty_like(row_map)
    inv[row_map] = np.arange(row_map.size)
    return inv


def to_model_order(outputs: np.ndarray, row_map: np.ndarray) -> np.ndarray:
    """Outputs in physical row order (last axis) back to the model's order."""
    return np.asarray(outputs)[..., inverse(np.asarray(row_map))]


def check_row_map(row_map, rows: int) -> str | None:
    """Why ``row_map`` is not a permutation of 0..rows-1, or None if it is."""
    if not isinstance(row_map, list) or len(row_map) != rows or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in row_map
    ):
        return f"is not a list of {rows} integers"
    outside = [v for v in row_map if not 0 <= v < rows]  # before numpy: any size of integer
    if outside:
        return f"holds {outside[0]}, outside 0..{rows - 1}"
    seen = np.bincount(np.asarray(row_map, dtype=np.int64), minlength=rows)
    if np.any(seen != 1):
        return f"is not a permutation of 0..{rows - 1}: row {int(np.argmax(seen > 1))} appears twice"
    return None
