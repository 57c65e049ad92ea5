# SPDX-License-Identifier: Apache-2.0
"""The memory image of an N-PE core: its layout and the dataclasses that hold it.

An image directory holds ``manifest.json`` and, per PE p, the exact contents of
its memories as ``$readmemh`` files (doc/microarch.md has the bit layout):

- ``spmat_pe{p:03d}.hex``: 64-bit sparse-matrix words, 8 entries ``{v,z}`` each,
  entry e in word ``e >> 3`` bits ``[8*(e&7) +: 8]``; all layers one after another.
- ``ptr_even_pe{p:03d}.hex`` / ``ptr_odd_pe{p:03d}.hex``: the pointer banks,
  pointer index k in bank ``k & 1`` at address ``k >> 1``; layer L owns indices
  ``ptr_base .. ptr_base + cols`` (``ptr_base`` even, ``cols`` = inputs + bias).
- ``codebook.hex``: 16 signed 16-bit weights per layer (address ``16*L + code``),
  shared by every PE.

The manifest records shapes, formats, codebooks, per-PE entry and padding
counts, memory use against capacity and a SHA-256 of every file, so a corrupted
or hand-edited image is refused when loaded.

It also records how rows were assigned to PEs (``assign_rows``) and, per layer,
the row map: physical row k (slot ``k // N`` of PE ``k % N``) holds the model's
row ``row_map[k]``. The memories hold the permuted network (layer l+1's columns
follow layer l's row map), so the core needs nothing of it; the host puts the
last layer's outputs back in model order. Images written before the option have
neither field and are interleaved.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from eie import limits
from eie.errors import EieError
from eie.image import csc

FORMAT_NAME = "eie-image"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ENTRIES_PER_WORD = 8
CODEBOOK_BITS = 16


@dataclass(frozen=True)
class MemoryConfig:
    """Per-PE memory sizes; the RTL's parameters of the same names must match.

    Defaults fit every layer of the EIE paper's benchmark table at N = 64.
    """

    spmat_words: int = limits.DEFAULT_SPMAT_DEPTH  # 64-bit words, 8 entries each
    ptr_bank_depth: int = limits.DEFAULT_PTR_BANK_DEPTH  # per bank (even and odd)
    act_depth: int = limits.DEFAULT_ACT_DEPTH  # activations per PE in each ping-pong file
    max_layers: int = limits.DEFAULT_MAX_LAYERS  # codebooks and layer descriptors

    @property
    def ptr_width(self) -> int:
        return max(1, math.ceil(math.log2(self.spmat_words * ENTRIES_PER_WORD + 1)))

    def check(self) -> None:
        for name, value in asdict(self).items():
            if not isinstance(value, int) or value < 1:
                raise EieError(f"memory size {name} must be a positive integer, got {value!r}")

    def check_core(self) -> None:
        """The sizes an RTL core can be built with (eie.limits)."""
        limits.SPMAT_DEPTH.check(self.spmat_words, "sparse-matrix words per PE (SpmatDepth)")
        limits.PTR_BANK_DEPTH.check(self.ptr_bank_depth, "pointer bank depth (PtrBankDepth)")
        limits.ACT_DEPTH.check(self.act_depth, "activations per PE (ActDepth)")
        limits.MAX_LAYERS.check(self.max_layers, "layers the core holds (MaxLayers)")


@dataclass
class LayerSpec:
    in_features: int
    out_features: int
    bias: bool
    relu: bool
    w_frac: int
    codebook_int: list[int]
    codebook_float: list[float]
    ptr_base: int
    entry_base: list[int] = field(default_factory=list)  # per PE
    entries: list[int] = field(default_factory=list)  # per PE
    padding: list[int] = field(default_factory=list)  # per PE
    nonzeros: int = 0
    row_map: list[int] = field(default_factory=list)  # physical row -> model row

    @property
    def cols(self) -> int:
        return self.in_features + int(self.bias)


@dataclass
class Image:
    """An image in memory: manifest-level description plus every PE's memory contents."""

    num_pes: int
    act_frac: int
    memory: MemoryConfig
    layers: list[LayerSpec]
    spmat: list[np.ndarray]  # per PE, uint64 words
    pointers: list[np.ndarray]  # per PE, int64, absolute, concatenated over layers
    compression: dict = field(default_factory=dict)
    assign_rows: str = "interleave"

    @property
    def in_features(self) -> int:
        return self.layers[0].in_features

    @property
    def out_features(self) -> int:
        return self.layers[-1].out_features

    def layer_shares(self, index: int) -> list[csc.PeMatrix]:
        """Layer ``index`` of every PE, decoded from the memory words."""
        layer = self.layers[index]
        shares = []
        for pe in range(self.num_pes):
            entries = unpack_entries(self.spmat[pe])
            lo = layer.entry_base[pe]
            ptr = self.pointers[pe][layer.ptr_base : layer.ptr_base + layer.cols + 1] - lo
            hi = lo + (int(ptr[-1]) if ptr.size else 0)
            shares.append(csc.PeMatrix(v=entries[lo:hi] >> 4, z=entries[lo:hi] & 15, pointers=ptr))
        return shares


def pack_words(v: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Entries to 64-bit words: slot s of a word is bits [8s +: 8], entry = v << 4 | z."""
    entries = (v.astype(np.uint8) << 4) | z.astype(np.uint8)
    padded = np.zeros(-(-entries.size // ENTRIES_PER_WORD) * ENTRIES_PER_WORD, dtype=np.uint8)
    padded[: entries.size] = entries
    return padded.view("<u8").astype(np.uint64)


def unpack_entries(words: np.ndarray) -> np.ndarray:
    return np.asarray(words, dtype="<u8").view(np.uint8)


def file_names(pe: int) -> tuple[str, str, str]:
    """The sparse-matrix, even and odd pointer files of PE ``pe``."""
    return f"spmat_pe{pe:03d}.hex", f"ptr_even_pe{pe:03d}.hex", f"ptr_odd_pe{pe:03d}.hex"
