# SPDX-License-Identifier: Apache-2.0
"""Which PE owns which row of a layer: interleaving or a work-balanced assignment.

The core's layout never changes: row slot r of PE p is physical row ``r*N + p``,
so PE p owns ``ceil`` or ``floor(rows / N)`` slots. A row map ``row_map`` says
which row of the model sits in each physical row: physical row k holds model
row ``row_map[k]``. The packer permutes W's rows (and the bias) by it before
encoding, and the next layer's columns by the same map, so the core runs the
permuted network unchanged and only the last outputs are put back in model
order on the host (``to_model_order``).

- ``interleave``: the identity, EIE's ``i mod N``.
- ``balanced``: rows are placed one at a time, heaviest first, each into the
  next free slot of a PE chosen in two steps:

  1. totals: the PEs whose projected total after taking the row is within
     ``TOTAL_SLACK`` of a mean row of the smallest. The projected total is what
     the PE holds plus its other free slots at the mean cost of the rows still
     to come, so a PE with one slot more than others (rows not divisible by N)
     takes lighter rows all along instead of one extra row at the end.
  2. columns: of those, the PE where the row adds least to sum_j E[p, j]**2,
     E[p, j] being PE p's entries in column j.

  Entries count padding: a row's padding in a PE is known exactly when it is
  placed, since slots fill in order and the gap to the PE's previous entry in
  each of the row's columns is known; so the greedy also steers rows away from
  slots that would need padding. (The read unit merges many paddings into
  the next entry's cycle, but which ones depends on the word slots the image
  layout gives them later; counting each is a slight over-estimate.)
  Why not the totals alone (plain longest-processing-time): a layer takes as
  long as its busiest PE's entries in the *broadcast* columns, which depend on
  the input. For a random input with a fraction rho of non-zero activations the
  variance of a PE's work around the mean is
  ``rho(1-rho) sum_j d[p,j]**2 + rho**2 (sum_j d[p,j])**2`` with d = E - mean
  over PEs: equal totals remove only the second part. Spreading each column's
  entries over the PEs also keeps one PE's queue from filling on a column that
  is dense in it. The slack trades the two (0.3: measured on the nine benchmark
  layers Alex-7, Alex-8, NT-We and NT-LSTM with the cycle model at N = 64;
  0.1 and 1 were both slower, and choosing by totals alone slower still).

  Then swaps: while the PE with the most entries is more than ``SWAP_TOLERANCE``
  above the mean, one of its rows is swapped for a lighter row of another PE
  (of the candidates, by non-zeros, the one that leaves the larger of the two
  PEs lowest), if the two PEs' exact entries, padding included, both end below
  its entries: a swap puts each row in the other's slot, and a row's padding
  depends on its neighbours there. The greedy's choices trade some balance of
  the totals for the columns' spread; the swaps take back the totals (what an
  input with every activation non-zero costs) at little cost to the spread.
  On layers of rows from about half to 1.5x the mean non-zeros (coefficient of
  variation 0.13) the greedy alone left its busiest PE 0.7-1.1 % above the mean
  (4096 x 1024, 16 rows per PE) and 1.6-1.9 % (512 x 512, 8 rows per PE), the
  swaps under 0.07 % (tests/test_row_assign.py holds such layers to 0.3 %).
  Multi-way largest differencing (Karmarkar-Karp) with the same swaps balances
  the totals as well, but without the spread the nine benchmark layers took
  0.2-3 % more cycles at N = 64 (the bench layer "Uneven", of rows as uneven as
  these, 0.6 % fewer).

Cost: one numpy step per row over that row's non-zeros in every PE, O(nnz * N);
then per swap one step over the heaviest PE's rows against all rows and the
exact entries of two PEs.
"""

from __future__ import annotations

import numpy as np

from eie.image.csc import PAD_STRIDE
from eie.image.sparse_rows import SparseRows
from eie.errors import EieError
from eie.image.row_map import METHODS

TOTAL_SLACK = 0.3  # in mean rows still to come
SWAP_TRIES = 16  # candidate swaps tried on the heaviest PE before giving up
SWAP_TOLERANCE = 0.0005  # the heaviest PE this far above the mean is left as it is


def slot_counts(rows: int, num_pes: int) -> np.ndarray:
    """Rows each PE owns in the fixed layout: PE p holds physical rows p, p+N, ... below ``rows``."""
    return (rows - np.arange(num_pes, dtype=np.int64) + num_pes - 1) // num_pes


def assign_rows(codes: np.ndarray | SparseRows, num_pes: int, method: str) -> np.ndarray:
    """The row map (physical row -> model row) of a code matrix (rows x cols, 0 = zero weight),
    dense or as its non-zeros."""
    if method not in METHODS:
        raise EieError(f"row assignment {method!r} is not one of {', '.join(METHODS)}")
    rows = codes.shape[0]
    if method == "interleave" or num_pes == 1 or rows <= 1:
        return np.arange(rows, dtype=np.int64)
    return _balanced(codes if isinstance(codes, SparseRows) else SparseRows.of(codes), num_pes)


def _balanced(codes: SparseRows, num_pes: int) -> np.ndarray:
    # Each row's columns are contiguous, in any order: nothing below depends on their order.
    rows, cols = codes.shape
    starts, col_of = codes.row_ptr, codes.col
    nnz = np.diff(starts)
    order = np.lexsort((np.arange(rows), -nnz))  # heaviest first, ties by row index

    capacity = slot_counts(rows, num_pes)
    total = np.zeros(num_pes, dtype=np.float64)
    left_nnz, placed_nnz, placed = float(nnz.sum()), 0.0, 0.0
    # Column-major (column x PE), so that a row's columns are whole rows of these arrays.
    entries = np.zeros((cols, num_pes), dtype=np.int64)
    last = np.full((cols, num_pes), -1, dtype=np.int64)  # slot of the PE's last entry in each column
    filled = np.zeros(num_pes, dtype=np.int64)
    slots = np.full((num_pes, int(capacity.max())), -1, dtype=np.int64)  # -1: a slot left empty
    for step, row in enumerate(order):  # one step per row, vectorised over its non-zeros and the PEs
        cols_r = col_of[starts[row]:starts[row + 1]]
        gap = filled - last[cols_r] - 1
        cost = 1 + gap // PAD_STRIDE  # the entry itself plus its padding, per column and PE
        added = cost.sum(axis=0)
        # A PE's projected total: what it holds plus its other free slots at the mean
        # cost of the rows still to come (padding at the rate so far).
        left_nnz -= nnz[row]
        later = left_nnz / max(rows - step - 1, 1) * (placed / placed_nnz if placed_nnz else 1.0)
        projected = total + (capacity - filled - 1) * later
        final = np.where(filled < capacity, projected + added, np.inf)
        crowding = ((2 * entries[cols_r] + cost) * cost).sum(axis=0)  # increase of sum_j E[p, j]**2
        pe = int(np.argmin(np.where(final <= final.min() + TOTAL_SLACK * later, crowding, np.inf)))
        entries[cols_r, pe] += cost[:, pe]
        last[cols_r, pe] = filled[pe]
        total[pe] += added[pe]
        placed += added[pe]
        placed_nnz += nnz[row]
        slots[pe, filled[pe]] = row
        filled[pe] += 1
    _swap_down(slots, nnz, starts, col_of)
    row_map = np.empty(rows, dtype=np.int64)
    for pe in range(num_pes):  # one step per PE
        row_map[pe::num_pes] = slots[pe, : capacity[pe]]
    return row_map


def _entries(slot_rows: np.ndarray, starts: np.ndarray, col_of: np.ndarray) -> int:
    """Entries of a PE whose slots hold ``slot_rows`` in that order: its non-zeros and padding."""
    rows = slot_rows[slot_rows >= 0]  # the empty slots are last
    lengths = starts[rows + 1] - starts[rows]
    total = int(lengths.sum())
    index = np.repeat(starts[rows] - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
    col, local = np.divmod(np.sort(col_of[index] * rows.size + np.repeat(np.arange(rows.size), lengths)), rows.size)
    previous = np.concatenate([[-1], local[:-1]])
    previous[np.flatnonzero(np.diff(col)) + 1] = -1  # a column's first entry counts its zeros from row 0
    return total + int(((local - previous - 1) // PAD_STRIDE).sum())


def _swap_down(slots: np.ndarray, nnz: np.ndarray, starts: np.ndarray, col_of: np.ndarray) -> None:
    """Swap rows out of the PE with the most entries, padding included, while that lowers it.

    Candidates, best first by non-zeros: a row of the heaviest PE for a lighter row of
    another PE, which must end below the heaviest's entries too. A candidate is taken
    if the exact entries of both PEs (padding depends on the rows around it) say so.
    """
    num_pes, per_pe = slots.shape
    flat = slots.reshape(-1)
    owner = np.repeat(np.arange(num_pes), per_pe)
    total = np.array([_entries(slots[pe], starts, col_of) for pe in range(num_pes)])
    weight = np.where(flat >= 0, nnz[np.maximum(flat, 0)], 0)
    good_enough = total.mean() * (1 + SWAP_TOLERANCE)
    while True:  # each swap lowers the heaviest PE: the sorted totals only go down
        pe = int(np.argmax(total))
        if total[pe] <= good_enough:
            return
        mine, others = np.flatnonzero((owner == pe) & (flat >= 0)), np.flatnonzero((owner != pe) & (flat >= 0))
        if not (mine.size and others.size):
            return
        moved = weight[mine][:, None] - weight[others][None, :]
        after = np.maximum(total[pe] - moved, total[owner[others]][None, :] + moved)
        after = np.where(moved > 0, after, np.inf)
        for _ in range(SWAP_TRIES):
            best = int(np.argmin(after))
            if after.flat[best] >= total[pe]:
                return
            after.flat[best] = np.inf
            a, b = mine[best // others.size], others[best % others.size]
            flat[[a, b]] = flat[[b, a]]
            other = int(owner[b])
            mine_now, other_now = _entries(slots[pe], starts, col_of), _entries(slots[other], starts, col_of)
            if max(mine_now, other_now) < total[pe]:
                total[pe], total[other] = mine_now, other_now
                weight[[a, b]] = weight[[b, a]]
                break
            flat[[a, b]] = flat[[b, a]]
        else:
            return
