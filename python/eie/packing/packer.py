# SPDX-License-Identifier: Apache-2.0
"""``eie pack``: trained float weights to the memory image of an N-PE core.

Steps, each optional: pruning (``density``, plain or ESE load-balance-aware),
weight sharing (k-means or a user codebook), fixed point (``fixedpoint``), the
assignment of rows to PEs (``row_assign``), then the CSC encoding and memory
layout of ``image``. A bias is folded in as an extra column whose activation is
the constant 1; its values share the layer's codebook.

Two different kinds of balance: ``balanced`` prunes so that every PE keeps the
same number of non-zeros (it changes the model); ``assign_rows="balanced"``
keeps every weight and only chooses which PE owns which row (the outputs, put
back in model order, are bit-identical to interleaving).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eie.errors import EieError
from eie.fixedpoint import DEFAULT_ACT_FRAC, MAX_WEIGHT_FRAC
from eie.image import Image, MemoryConfig, build_image, row_map
from eie.image.sparse_rows import SparseRows
from eie.packing import compress, row_assign
from eie.packing.model_io import Layer, check_chain


@dataclass
class PackOptions:
    num_pes: int
    density: float | None = None  # None: keep the model's own zeros
    balanced: bool = False  # ESE load-balance-aware pruning (changes the model; needs density)
    assign_rows: str = "interleave"  # rows to PEs: "interleave" (i mod N) or "balanced" (same model)
    codebook: np.ndarray | None = None  # None: k-means per layer
    act_frac: int = DEFAULT_ACT_FRAC
    linear_last: bool = False  # no ReLU on the last layer (logits)
    memory: MemoryConfig = MemoryConfig()

    def check(self) -> None:
        if not isinstance(self.num_pes, int) or self.num_pes < 1:
            raise EieError(f"the number of PEs must be at least 1, got {self.num_pes}")
        if self.density is not None:
            compress.check_density(self.density)
        if not 0 <= self.act_frac <= MAX_WEIGHT_FRAC:
            raise EieError(f"activation fraction bits must be in 0..{MAX_WEIGHT_FRAC}, got {self.act_frac}")
        if self.assign_rows not in row_map.METHODS:
            raise EieError(f"row assignment {self.assign_rows!r} is not one of {', '.join(row_map.METHODS)}")
        self.memory.check()


def prune_layer(weight: np.ndarray, options: PackOptions) -> np.ndarray:
    if options.density is None:
        return weight
    if options.balanced:
        return compress.prune_balanced(weight, options.density, options.num_pes)
    return compress.prune(weight, options.density)


def _identity(order: np.ndarray) -> bool:
    return bool(np.array_equal(order, np.arange(order.size)))


@dataclass
class SharedLayer:
    """One layer pruned and weight-shared: what ``pack`` places on the PEs (independent of N
    unless ESE pruning balanced it over the PEs)."""

    codes: SparseRows  # out x (in + bias) codebook indices of the non-zero weights, bias column last
    in_features: int
    bias: bool
    w_frac: int
    codebook_int: np.ndarray
    codebook_float: np.ndarray


def share_layers(layers: list[Layer], options: PackOptions) -> list[SharedLayer]:
    """Prune and weight-share every layer (the steps of ``pack`` before rows go to PEs)."""
    options.check()
    if not layers:
        raise EieError("the model has no layers")
    check_chain(layers)
    centroids = compress.user_codebook(options.codebook) if options.codebook is not None else None
    shared = []
    for index, layer in enumerate(layers):
        full = SparseRows.of(prune_layer(layer.weight, options), layer.bias)
        try:
            codes, table_int, w_frac, table = compress.share_sparse(full, centroids)
        except EieError as exc:
            raise EieError(f"layer {index}: {exc}") from None
        shared.append(SharedLayer(codes, layer.weight.shape[1], layer.bias is not None, w_frac, table_int, table))
    return shared


def pack(layers: list[Layer], options: PackOptions) -> Image:
    return place_layers(share_layers(layers, options), options)


def place_layers(shared: list[SharedLayer], options: PackOptions) -> Image:
    """Rows to PEs, then the CSC encoding and memory layout, of layers from ``share_layers``
    (with the same options, but for ``memory``, and ``num_pes`` where not ESE-pruned)."""
    options.check()
    codes_per_layer, meta = [], []
    in_map = np.arange(shared[0].in_features)  # physical input k is model input in_map[k]
    for index, layer in enumerate(shared):
        codes = layer.codes
        # The inputs arrive in the previous layer's physical order; the bias column stays last.
        # (Each reorder copies the non-zeros: skipped when it is the identity.)
        col_order = np.concatenate([in_map, np.arange(in_map.size, codes.shape[1])])
        if not _identity(col_order):
            codes = codes.permute_columns(col_order)
        row_map = row_assign.assign_rows(codes, options.num_pes, options.assign_rows)
        codes_per_layer.append(codes if _identity(row_map) else codes.permute_rows(row_map))
        in_map = row_map
        meta.append(
            {
                "in_features": layer.in_features,
                "bias": layer.bias,
                "relu": not (options.linear_last and index == len(shared) - 1),
                "w_frac": layer.w_frac,
                "codebook_int": layer.codebook_int,
                "codebook_float": layer.codebook_float,
                "row_map": row_map,
            }
        )
    compression = {
        "density": options.density,
        "balanced": options.balanced,
        "codebook": "user" if options.codebook is not None else "kmeans",
    }
    return build_image(codes_per_layer, meta, options.num_pes, options.act_frac, options.memory, compression,
                       options.assign_rows)
