# SPDX-License-Identifier: Apache-2.0
"""The CSC encoder against EIE.md's worked examples and a plain per-entry encoder."""

import numpy as np
import pytest

from eie.image.csc import decode_matrix, encode_column, encode_matrix, encode_rows
from eie.image.sparse_rows import SparseRows


def slow_encode_column(codes):
    """The obvious loop: independent of the vectorised encoder."""
    v, z, run = [], [], 0
    for code in codes:
        if code == 0:
            run += 1
            continue
        while run > 15:
            v.append(0)
            z.append(15)
            run -= 16
        v.append(int(code))
        z.append(run)
        run = 0
    return v, z


def test_worked_example_a():
    v, z = encode_column([0, 0, 1, 2] + [0] * 18 + [3])
    assert v.tolist() == [1, 2, 0, 3]
    assert z.tolist() == [2, 0, 15, 2]


def test_worked_example_b_paper_fig3():
    nonzeros = [(0, 0), (8, 0), (12, 0), (4, 1), (0, 2), (12, 2), (0, 4), (4, 4), (0, 5), (12, 5), (0, 6), (8, 7), (12, 7)]
    codes = np.zeros((16, 8), dtype=np.uint8)
    for row, col in nonzeros:
        codes[row, col] = 1
    pe0 = encode_matrix(codes, 4)[0]
    assert pe0.z.tolist() == [0, 1, 0, 1, 0, 2, 0, 0, 0, 2, 0, 2, 0]
    assert pe0.pointers.tolist() == [0, 3, 4, 6, 6, 8, 10, 11, 13]


@pytest.mark.parametrize("column", [[], [0], [0] * 40])
def test_empty_and_all_zero_columns(column):
    v, z = encode_column(column)
    assert v.size == 0 and z.size == 0


@pytest.mark.parametrize(
    "zeros, expect_v, expect_z",
    [
        (15, [7], [15]),
        (16, [0, 7], [15, 0]),
        (31, [0, 7], [15, 15]),
        (32, [0, 0, 7], [15, 15, 0]),
    ],
)
def test_zero_runs_at_the_padding_limits(zeros, expect_v, expect_z):
    v, z = encode_column([0] * zeros + [7])
    assert v.tolist() == expect_v and z.tolist() == expect_z
    v, z = encode_column([5] + [0] * zeros + [7])
    assert v.tolist() == [5] + expect_v and z.tolist() == [0] + expect_z


def test_trailing_zeros_need_no_entry():
    v, z = encode_column([3] + [0] * 100)
    assert v.tolist() == [3] and z.tolist() == [0]


def test_random_columns_match_slow_encoder():
    rng = np.random.default_rng(7)
    for _ in range(300):
        length = int(rng.integers(1, 200))
        density = rng.random()
        column = (rng.random(length) < density) * rng.integers(1, 16, length)
        v, z = encode_column(column)
        assert (v.tolist(), z.tolist()) == slow_encode_column(column)


@pytest.mark.parametrize("num_pes", [1, 2, 3, 4, 7, 8, 64])
def test_matrix_round_trip_and_per_pe_columns(num_pes):
    rng = np.random.default_rng(num_pes)
    rows, cols = 97, 45
    codes = ((rng.random((rows, cols)) < 0.2) * rng.integers(1, 16, (rows, cols))).astype(np.uint8)
    shares = encode_matrix(codes, num_pes)
    assert (decode_matrix(shares, rows, cols) == codes).all()
    for pe, share in enumerate(shares):
        for col in range(0, cols, 11):
            lo, hi = share.pointers[col], share.pointers[col + 1]
            v, z = slow_encode_column(codes[pe::num_pes, col])
            assert share.v[lo:hi].tolist() == v and share.z[lo:hi].tolist() == z


@pytest.mark.parametrize("num_pes", [1, 3, 8, 64])
def test_rows_in_any_column_order_encode_as_the_per_entry_encoder(num_pes):
    """encode_rows takes each row's entries in any column order (a column reorder leaves them so)."""
    rng = np.random.default_rng(10 + num_pes)
    rows, cols = 150, 70
    codes = ((rng.random((rows, cols)) < 0.1) * rng.integers(1, 16, (rows, cols))).astype(np.uint8)
    sparse = SparseRows.of(codes)
    for r in range(rows):  # shuffle each row's entries
        lo, hi = sparse.row_ptr[r], sparse.row_ptr[r + 1]
        order = lo + rng.permutation(hi - lo)
        sparse.col[lo:hi], sparse.value[lo:hi] = sparse.col[order], sparse.value[order]
    for pe, share in enumerate(encode_rows(sparse, num_pes)):
        v, z, pointers = [], [], [0]
        for col in range(cols):
            cv, cz = slow_encode_column(codes[pe::num_pes, col])
            v, z = v + cv, z + cz
            pointers.append(len(v))
        assert share.v.tolist() == v and share.z.tolist() == z and share.pointers.tolist() == pointers


def test_sparse_rows_against_dense_indexing():
    rng = np.random.default_rng(3)
    weight = rng.normal(size=(40, 25)) * (rng.random((40, 25)) < 0.3)
    bias = rng.normal(size=40) * (rng.random(40) < 0.5)
    full = np.concatenate([weight, bias[:, None]], axis=1)
    sparse = SparseRows.of(weight, bias)
    assert sparse.shape == full.shape and sparse.nnz == np.count_nonzero(full)
    assert np.array_equal(sparse.to_dense(), full)
    assert np.array_equal(SparseRows.of(weight).to_dense(), weight)
    row_map, col_order = rng.permutation(40), rng.permutation(26)
    assert np.array_equal(sparse.permute_rows(row_map).to_dense(), full[row_map])
    assert np.array_equal(sparse.permute_columns(col_order).to_dense(), full[:, col_order])
    empty = SparseRows.of(np.zeros((3, 4)), np.zeros(3))
    assert empty.nnz == 0 and empty.shape == (3, 5) and not empty.to_dense().any()
