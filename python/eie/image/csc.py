# SPDX-License-Identifier: Apache-2.0
"""EIE's compressed sparse column format with 4-bit relative row indices.

Each entry is ``(v, z)``: ``v`` the 4-bit codebook index (0 marks a padding
entry), ``z`` the number of zeros skipped since the previous entry of the same
column. Within a column, entry n sits at local row ``x_n = x_{n-1} + z_n + 1``
with ``x_{-1} = -1``. A gap of g zeros before a non-zero becomes ``g // 16``
padding entries ``(0, 15)`` followed by the non-zero with ``z = g % 16``.

Everything here is vectorised over all non-zeros: no Python loop over entries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eie.image.sparse_rows import SparseRows

ZERO_RUN_MAX = 15
PAD_STRIDE = ZERO_RUN_MAX + 1
PAD_SHIFT = PAD_STRIDE.bit_length() - 1  # PAD_STRIDE is a power of two: gap >> PAD_SHIFT == gap // PAD_STRIDE


@dataclass
class PeMatrix:
    """One PE's share of one layer: entries in column order and cols+1 pointers."""

    v: np.ndarray  # uint8 codes, 0 = padding
    z: np.ndarray  # uint8 relative indices
    pointers: np.ndarray  # int64, cols + 1, relative to this layer's first entry

    @property
    def entries(self) -> int:
        return int(self.v.size)

    @property
    def padding(self) -> int:
        return int(np.count_nonzero(self.v == 0))


def _encode_sorted(codes: np.ndarray, group: np.ndarray, row: np.ndarray, num_groups: int):
    """Encode non-zeros already sorted by (group, row); a group is one column of one PE.

    Returns v, z and the number of entries of every group.
    """
    # The zeros skipped before each non-zero: from the previous one of its group, or
    # from x_{-1} = -1 for a group's first.
    previous = np.empty(row.size, dtype=np.int64)
    previous[:1] = -1
    previous[1:] = row[:-1]
    previous[1:][group[1:] != group[:-1]] = -1
    gap = row - previous - 1
    pads = gap >> PAD_SHIFT
    per_group_nonzeros = np.bincount(group, minlength=num_groups)
    if not pads.any():  # no run of 16 zeros or more: one entry per non-zero
        return codes.astype(np.uint8), gap.astype(np.uint8), per_group_nonzeros.astype(np.int64)
    ends = np.cumsum(pads + 1)  # one past where each non-zero lands; its paddings precede it
    v = np.zeros(int(ends[-1]), dtype=np.uint8)
    z = np.full(int(ends[-1]), ZERO_RUN_MAX, dtype=np.uint8)
    v[ends - 1] = codes
    z[ends - 1] = gap & ZERO_RUN_MAX
    per_group = per_group_nonzeros + np.bincount(group, weights=pads, minlength=num_groups).astype(np.int64)
    return v, z, per_group


def encode_column(codes) -> tuple[np.ndarray, np.ndarray]:
    """One column of codebook indices (0 = zero weight) to its ``(v, z)`` entries."""
    codes = np.asarray(codes, dtype=np.int64).ravel()
    (row,) = np.nonzero(codes)
    if row.size == 0:
        return np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.uint8)
    v, z, _ = _encode_sorted(codes[row].astype(np.uint8), np.zeros(row.size, dtype=np.int64), row, 1)
    return v, z


def encode_matrix(codes: np.ndarray, num_pes: int) -> list[PeMatrix]:
    """A layer's code matrix (rows x cols) to the CSC share of each of ``num_pes`` PEs.

    Row i goes to PE ``i % num_pes`` as local row ``i // num_pes``.
    """
    return encode_rows(SparseRows.of(codes), num_pes)


def encode_rows(codes: SparseRows, num_pes: int) -> list[PeMatrix]:
    """:func:`encode_matrix` of a code matrix held as its non-zeros row by row (codes 1..15)."""
    rows, cols = codes.shape
    # A stable sort of 16-bit keys is a radix sort (numpy), several times faster than of wider ones.
    key_type = np.uint16 if cols <= 1 << 16 else np.int64
    shares = []
    for pe in range(num_pes):  # one iteration per PE, not per entry
        index, lengths = codes.row_entries(np.arange(pe, rows, num_pes))
        local_row = np.repeat(np.arange(lengths.size), lengths)
        col = codes.col[index]
        # Column order; within a column the rows stay in the order they were taken, ascending.
        order = np.argsort(col.astype(key_type), kind="stable")
        v, z, per_col = _encode_sorted(codes.value[index][order], col[order], local_row[order], cols)
        pointers = np.zeros(cols + 1, dtype=np.int64)
        np.cumsum(per_col, out=pointers[1:])
        shares.append(PeMatrix(v=v, z=z, pointers=pointers))
    return shares


def decode_share(share: PeMatrix, pe: int, num_pes: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One PE's share back to (global row, column, code) of its non-padding entries.

    Raises ValueError naming what is inconsistent (pointers, rows out of range).
    """
    ptr = share.pointers
    if ptr.size < 1 or ptr[0] != 0 or ptr[-1] != share.entries:
        raise ValueError(f"PE {pe}: pointer table does not span its {share.entries} entries")
    counts = np.diff(ptr)
    if np.any(counts < 0):
        bad = int(np.argmax(counts < 0))
        raise ValueError(f"PE {pe}: pointer p[{bad + 1}] < p[{bad}]")
    run = np.cumsum(share.z.astype(np.int64) + 1)
    before = np.concatenate([[0], run])[np.repeat(ptr[:-1], counts)]
    grow = (run - before - 1) * num_pes + pe
    col = np.repeat(np.arange(ptr.size - 1), counts)
    real = share.v != 0
    if np.any(grow[real] >= rows):
        raise ValueError(f"PE {pe}: an entry points past the last row of the layer")
    return grow[real], col[real], share.v[real]


def decode_matrix(shares: list[PeMatrix], rows: int, cols: int) -> np.ndarray:
    """Inverse of :func:`encode_matrix`: the dense code matrix (rows x cols)."""
    codes = np.zeros((rows, cols), dtype=np.uint8)
    for pe, share in enumerate(shares):
        if share.pointers.size != cols + 1:
            raise ValueError(f"PE {pe}: {share.pointers.size} pointers for {cols} columns")
        row, col, code = decode_share(share, pe, len(shares), rows)
        codes[row, col] = code
    return codes
