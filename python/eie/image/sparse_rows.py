# SPDX-License-Identifier: Apache-2.0
"""A layer's non-zeros row by row (CSR): what the packer carries from pruning to the encoder.

Row r's entries are ``col[row_ptr[r]:row_ptr[r + 1]]`` and the same slice of
``value``, in any column order (a column reorder leaves them unsorted). The
packer never builds a dense code matrix: weight sharing, the row and column
maps and the CSC encoder all work on these arrays, O(non-zeros) each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class SparseRows:
    shape: tuple[int, int]
    row_ptr: np.ndarray  # int64, rows + 1
    col: np.ndarray  # int64, the column of each entry
    value: np.ndarray  # a weight (float) or a codebook index (uint8, never 0)

    @classmethod
    def of(cls, matrix: np.ndarray, last_column: np.ndarray | None = None) -> "SparseRows":
        """The non-zeros of a dense matrix, with ``last_column`` (a bias) appended as one more column."""
        rows, cols = matrix.shape
        # One pass over the dense matrix for the mask; flatnonzero of a bool mask is several
        # times faster than of floats. Row-major: each row's entries come together.
        flat = np.flatnonzero(np.not_equal(matrix, 0))
        row = flat // max(cols, 1)
        col = flat - row * cols
        value = np.ravel(matrix)[flat]
        lengths = np.bincount(row, minlength=rows)
        if last_column is None:
            return cls((rows, cols), _pointers(lengths), col, value)
        extra = np.not_equal(last_column, 0)
        row_ptr = _pointers(lengths + extra)
        # A row's entries move up by the extra entries of the rows above it; its own goes last.
        position = np.arange(flat.size) + np.repeat(np.cumsum(extra) - extra, lengths)
        merged_col = np.full(int(row_ptr[-1]), cols, dtype=np.int64)
        merged_value = np.empty(int(row_ptr[-1]), dtype=np.result_type(matrix, last_column))
        merged_col[position] = col
        merged_value[position] = value
        extra_rows = np.flatnonzero(extra)
        merged_value[row_ptr[extra_rows + 1] - 1] = np.asarray(last_column)[extra_rows]
        return cls((rows, cols + 1), row_ptr, merged_col, merged_value)

    @property
    def nnz(self) -> int:
        return int(self.col.size)

    def with_values(self, value: np.ndarray) -> "SparseRows":
        return SparseRows(self.shape, self.row_ptr, self.col, value)

    def row_entries(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index of the entries of ``rows``, one row after another; the number of entries of each)."""
        start = self.row_ptr[rows]
        lengths = self.row_ptr[np.asarray(rows) + 1] - start
        ends = np.cumsum(lengths)
        index = np.repeat(start - ends + lengths, lengths) + np.arange(int(ends[-1]) if ends.size else 0)
        return index, lengths

    def permute_rows(self, row_map: np.ndarray) -> "SparseRows":
        """Row k of the result is row ``row_map[k]`` of this one."""
        index, lengths = self.row_entries(np.asarray(row_map, dtype=np.int64))
        return SparseRows(self.shape, _pointers(lengths), self.col[index], self.value[index])

    def permute_columns(self, col_order: np.ndarray) -> "SparseRows":
        """Column j of the result is column ``col_order[j]`` of this one."""
        new_col = np.empty(self.shape[1], dtype=np.int64)
        new_col[np.asarray(col_order, dtype=np.int64)] = np.arange(self.shape[1])
        return SparseRows(self.shape, self.row_ptr, new_col[self.col], self.value)

    def rows_of_entries(self) -> np.ndarray:
        return np.repeat(np.arange(self.shape[0]), np.diff(self.row_ptr))

    def to_dense(self) -> np.ndarray:
        dense = np.zeros(self.shape, dtype=self.value.dtype)
        dense[self.rows_of_entries(), self.col] = self.value
        return dense


def _pointers(lengths: np.ndarray) -> np.ndarray:
    pointers = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=pointers[1:])
    return pointers
