# SPDX-License-Identifier: Apache-2.0
"""Building an image from encoded layers, and the checks that it fits the core."""

from __future__ import annotations

import numpy as np

from eie import limits
from eie.errors import EieError
from eie.fixedpoint import INT16_MAX, MAX_COLUMNS
from eie.image import csc
from eie.image.layout import Image, LayerSpec, MemoryConfig, pack_words
from eie.image.sparse_rows import SparseRows


def build_image(layer_codes, layer_meta, num_pes: int, act_frac: int, memory: MemoryConfig, compression: dict,
                assign_rows: str = "interleave") -> Image:
    """Encode each layer's code matrix (bias column included) and lay out all memories.

    ``layer_meta`` holds per layer: in_features, bias, relu, w_frac, codebook_int, codebook_float,
    and optionally row_map (default: the identity). The code matrices, dense or as their
    non-zeros (``SparseRows``), are already in physical order: rows permuted by the row map,
    columns by the previous layer's.
    """
    memory.check()
    if num_pes < 1:
        raise EieError(f"the number of PEs must be at least 1, got {num_pes}")
    if len(layer_codes) > memory.max_layers:
        raise EieError(f"the network has {len(layer_codes)} layers; the core holds at most {memory.max_layers}")
    check_bias_constant(act_frac, [meta["bias"] for meta in layer_meta])
    layers: list[LayerSpec] = []
    v_per_pe: list[list[np.ndarray]] = [[] for _ in range(num_pes)]
    z_per_pe: list[list[np.ndarray]] = [[] for _ in range(num_pes)]
    ptr_per_pe: list[list[np.ndarray]] = [[] for _ in range(num_pes)]
    entry_base = np.zeros(num_pes, dtype=np.int64)
    ptr_base = 0
    for index, (codes, meta) in enumerate(zip(layer_codes, layer_meta)):
        rows, cols = codes.shape
        if cols > MAX_COLUMNS:
            raise EieError(f"layer {index} has {cols} columns (bias included); the core takes at most {MAX_COLUMNS}")
        if not isinstance(codes, SparseRows):
            codes = SparseRows.of(codes)
        shares = csc.encode_rows(codes, num_pes)
        spec = LayerSpec(
            in_features=meta["in_features"],
            out_features=rows,
            bias=meta["bias"],
            relu=meta["relu"],
            w_frac=meta["w_frac"],
            codebook_int=[int(x) for x in meta["codebook_int"]],
            codebook_float=[float(x) for x in meta["codebook_float"]],
            ptr_base=ptr_base,
            entry_base=[int(x) for x in entry_base],
            entries=[s.entries for s in shares],
            padding=[s.padding for s in shares],
            nonzeros=codes.nnz,
            row_map=[int(x) for x in meta.get("row_map", range(rows))],
        )
        layers.append(spec)
        for pe, share in enumerate(shares):
            v_per_pe[pe].append(share.v)
            z_per_pe[pe].append(share.z)
            ptr = share.pointers + entry_base[pe]
            # Keep the next layer's base even so p_j and p_{j+1} always sit in different banks.
            if ptr.size % 2:
                ptr = np.concatenate([ptr, ptr[-1:]])
            ptr_per_pe[pe].append(ptr)
            entry_base[pe] += share.entries
        ptr_base += cols + 1 + (cols + 1) % 2
    spmat = []
    pointers = []
    for pe in range(num_pes):
        v = np.concatenate(v_per_pe[pe]) if v_per_pe[pe] else np.zeros(0, np.uint8)
        z = np.concatenate(z_per_pe[pe]) if z_per_pe[pe] else np.zeros(0, np.uint8)
        spmat.append(pack_words(v, z))
        pointers.append(np.concatenate(ptr_per_pe[pe]).astype(np.int64))
    image = Image(num_pes, act_frac, memory, layers, spmat, pointers, compression, assign_rows)
    check_capacity(image)
    return image


def check_bias_constant(act_frac: int, biases) -> None:
    """A bias column's activation is 1.0 = ``1 << act_frac``, a signed 16-bit activation.

    With 15 fraction bits 1.0 does not exist (the core would broadcast -1.0), so a
    layer with a bias needs ``act_frac <= 14``.
    """
    if any(biases) and (1 << act_frac) > INT16_MAX:
        raise EieError(
            f"a bias needs the constant 1.0 = 1 << act_frac as a 16-bit activation, which {act_frac} "
            f"fraction bits cannot hold: use an activation fraction of at most 14 bits"
        )


def check_capacity(image: Image) -> None:
    """Raise naming the PE, the memory, what is needed and what is available."""
    mem = image.memory
    for pe in range(image.num_pes):
        words = image.spmat[pe].size
        if words > mem.spmat_words:
            raise EieError(
                f"image does not fit: PE {pe} sparse-matrix memory needs {words} words, has {mem.spmat_words}"
            )
        per_bank = -(-image.pointers[pe].size // 2)
        if per_bank > mem.ptr_bank_depth:
            raise EieError(
                f"image does not fit: PE {pe} pointer banks need {per_bank} entries each, have {mem.ptr_bank_depth}"
            )
    if len(image.layers) > mem.max_layers:
        raise EieError(f"image does not fit: {len(image.layers)} layers, the core holds {mem.max_layers}")
    for index, layer in enumerate(image.layers):
        for what, count in (("inputs", layer.in_features), ("outputs", layer.out_features)):
            need = -(-count // image.num_pes)
            if need > mem.act_depth:
                raise EieError(
                    f"image does not fit: layer {index} {what} need {need} activation entries in PE 0, "
                    f"each PE has {mem.act_depth}"
                )


def check_core_limits(num_pes: int, memory: MemoryConfig, layers: list[LayerSpec]) -> None:
    """An image the RTL core can run: PE count, memory sizes and layer shapes within eie.limits."""
    limits.NUM_PE.check(num_pes, "the number of PEs (NumPe)")
    memory.check_core()
    for index, layer in enumerate(layers):
        limits.LAYER_IN.check(layer.in_features, f"layer {index} inputs")
        limits.LAYER_OUT.check(layer.out_features, f"layer {index} outputs")


def check_image(image: Image) -> None:
    """An image that may be written to disk: one the RTL core can build and run, and that fits it."""
    check_core_limits(image.num_pes, image.memory, image.layers)
    check_capacity(image)


def usage(image: Image) -> dict:
    mem = image.memory
    spmat_used = [int(w.size) for w in image.spmat]
    ptr_used = [-(-int(p.size) // 2) for p in image.pointers]
    act_used = max(-(-max(l.in_features, l.out_features) // image.num_pes) for l in image.layers)
    return {
        "spmat_words": {"used_max": max(spmat_used), "used_per_pe": spmat_used, "available": mem.spmat_words},
        "ptr_bank_entries": {"used_max": max(ptr_used), "available": mem.ptr_bank_depth},
        "act_entries": {"used_max": act_used, "available": mem.act_depth},
        "layers": {"used": len(image.layers), "available": mem.max_layers},
    }
