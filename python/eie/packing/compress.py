# SPDX-License-Identifier: Apache-2.0
"""Deep-compression steps: magnitude pruning, load-balance-aware pruning, weight sharing.

- ``prune``: keep the ``round(density * size)`` largest magnitudes of a layer.
- ``prune_balanced`` (ESE): every PE's sub-matrix (rows ``i mod N``) keeps the
  same number of non-zeros, ``round(density * size / N)``, so PEs get equal work.
- ``kmeans_codebook``: 1-D k-means with linear initialisation over the
  non-zero weights, 15 centroids; code 0 stays reserved for zero. Weights that
  are already shared (at most 15 distinct non-zero values, as a quantised
  model's 4-bit weights) keep their own values.
- ``assign_codes``: each non-zero weight to its nearest non-zero codebook entry.
"""

from __future__ import annotations

import numpy as np

from eie.errors import EieError
from eie.fixedpoint import INT16_MAX, quantize, weight_frac_bits
from eie.image.sparse_rows import SparseRows

NUM_CODES = 16
KMEANS_ITERATIONS = 100


def check_density(density: float) -> None:
    if not (0.0 < density <= 1.0):
        raise EieError(f"density {density} is outside (0, 1]")


def _keep_largest(magnitude: np.ndarray, keep: int) -> np.ndarray:
    mask = np.zeros(magnitude.size, dtype=bool)
    if keep >= magnitude.size:
        mask[:] = True
    elif keep > 0:
        mask[np.argpartition(magnitude.ravel(), magnitude.size - keep)[magnitude.size - keep :]] = True
    return mask.reshape(magnitude.shape) & (magnitude != 0)


def prune(weight: np.ndarray, density: float) -> np.ndarray:
    check_density(density)
    keep = int(round(density * weight.size))
    return np.where(_keep_largest(np.abs(weight), keep), weight, 0.0)


def prune_balanced(weight: np.ndarray, density: float, num_pes: int) -> np.ndarray:
    """Prune each PE's rows (``i mod num_pes``) to the same non-zero count."""
    check_density(density)
    rows, cols = weight.shape
    keep = int(round(density * weight.size / num_pes))
    mask = np.zeros(weight.shape, dtype=bool)
    for pe in range(min(num_pes, rows)):  # one iteration per PE
        mask[pe::num_pes] = _keep_largest(np.abs(weight[pe::num_pes]), min(keep, weight[pe::num_pes].size))
    return np.where(mask, weight, 0.0)


SORT_BUCKETS = 4096


def sorted_values(data: np.ndarray) -> np.ndarray:
    """``np.sort(data)`` of finite floats, faster on large arrays: a bucket sort.

    Each value goes to one of ``SORT_BUCKETS`` equal slices of [min, max]; ``(x - lo) * scale``
    is monotone in x (each rounding is), so the buckets in order, each sorted, are the
    sorted array. A stable sort of 16-bit bucket numbers is a radix sort, and sorting
    small buckets is cheaper than one big sort.
    """
    if data.size < SORT_BUCKETS * 4:
        return np.sort(data)
    lo, hi = float(data.min()), float(data.max())
    scale = SORT_BUCKETS / (hi - lo) if hi > lo else 0.0  # Python floats: inf, not an error, on overflow
    if not (0.0 < scale < np.inf):  # one value, or a span that overflows or underflows
        return np.sort(data)
    bucket = np.minimum((data - lo) * scale, SORT_BUCKETS - 1).astype(np.uint16)
    out = data[np.argsort(bucket, kind="stable")]
    start = 0
    for end in np.cumsum(np.bincount(bucket, minlength=SORT_BUCKETS)).tolist():  # one step per bucket
        if end - start > 1:
            out[start:end].sort()
        start = end
    return out


def kmeans_codebook(values: np.ndarray, clusters: int = NUM_CODES - 1) -> np.ndarray:
    """Sorted centroids of 1-D k-means over ``values`` (linear initialisation).

    Works on the sorted values with prefix sums, so an iteration costs
    O(clusters * log n), not O(n). Values with at most ``clusters`` distinct
    entries are returned as they are: they are their own exact centroids, which
    k-means from a linear start can miss (it merges close values, e.g. 0.1, 0.11,
    0.12 and 1.0, and leaves centroids empty between them).
    """
    data = sorted_values(np.asarray(values, dtype=np.float64).ravel())
    if data.size == 0:
        return np.zeros(0)
    if np.count_nonzero(data[1:] != data[:-1]) < clusters:
        return np.unique(data)
    prefix = np.concatenate([[0.0], np.cumsum(data)])
    centroids = np.linspace(data[0], data[-1], clusters)
    for _ in range(KMEANS_ITERATIONS):
        bounds = np.searchsorted(data, (centroids[1:] + centroids[:-1]) / 2.0)
        lo = np.concatenate([[0], bounds])
        hi = np.concatenate([bounds, [data.size]])
        count = hi - lo
        sums = prefix[hi] - prefix[lo]
        updated = np.where(count > 0, sums / np.maximum(count, 1), centroids)
        if np.allclose(updated, centroids, rtol=0, atol=0):
            break
        centroids = np.sort(updated)
    return np.unique(centroids)


def assign_codes(values: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Codes 1..len(centroids) of the nearest (sorted) centroid of each non-zero value."""
    bounds = (centroids[1:] + centroids[:-1]) / 2.0
    # The bounds above which a value lies, counted: searchsorted(bounds, values, "left")
    # for sorted bounds, but one vectorised pass per bound beats a binary search per value.
    codes = np.ones(np.shape(values), dtype=np.uint8)
    above = np.empty(np.shape(values), dtype=bool)
    for bound in bounds:  # at most 14
        codes += np.greater(values, bound, out=above)
    return codes


def user_codebook(entries) -> np.ndarray:
    """Validate a user codebook: at most 16 entries with zero (if given) first; returns the non-zeros."""
    values = np.asarray(entries, dtype=np.float64).ravel()
    if values.size > NUM_CODES:
        raise EieError(f"the codebook has {values.size} entries; at most {NUM_CODES} (code 0 is zero)")
    if not np.all(np.isfinite(values)):
        raise EieError("the codebook contains NaN or Inf")
    largest = float(np.max(np.abs(values))) if values.size else 0.0
    if largest >= INT16_MAX + 0.5:  # checked before assign_codes averages neighbours (1e308 would overflow)
        raise EieError(f"a codebook entry of magnitude {largest:g} does not fit a 16-bit fixed-point weight")
    nonzero = values[values != 0]
    if nonzero.size == NUM_CODES:
        raise EieError(f"the codebook has {NUM_CODES} non-zero entries; code 0 must stay zero, so at most 15")
    if np.any((values == 0)[1:]):
        raise EieError("a zero codebook entry may only be entry 0 (code 0 is zero)")
    if nonzero.size == 0:
        raise EieError("the codebook has no non-zero entry")
    if np.unique(nonzero).size != nonzero.size:
        raise EieError("the codebook has repeated entries")
    return np.sort(nonzero)


def share_weights(weight: np.ndarray, centroids: np.ndarray | None):
    """Weight-share one layer's matrix: returns (codes, codebook_int[16], w_frac, codebook_float[16]).

    With ``centroids`` None they come from k-means over the layer's non-zeros.
    """
    codes, table_int, w_frac, table = share_sparse(SparseRows.of(weight), centroids)
    return codes.to_dense(), table_int, w_frac, table


def share_sparse(weight: SparseRows, centroids: np.ndarray | None):
    """:func:`share_weights` of a matrix held as its non-zeros; the codes come back the same way."""
    nonzero = weight.value
    if centroids is None and nonzero.size:
        # A centroid is a mean of weights, so no larger than the largest: a weight
        # out of the 16-bit range is refused before k-means sums it (1e308 would overflow).
        weight_frac_bits(float(np.max(np.abs(nonzero))))
        centroids = kmeans_codebook(nonzero)
    elif centroids is None:
        centroids = np.zeros(0)
    codes = assign_codes(nonzero, centroids) if nonzero.size else np.zeros(0, dtype=np.uint8)
    table = np.zeros(NUM_CODES)
    table[1 : 1 + centroids.size] = centroids
    w_frac = weight_frac_bits(float(np.max(np.abs(table))))
    table_int = quantize(table, w_frac)
    return weight.with_values(codes), table_int, w_frac, table
