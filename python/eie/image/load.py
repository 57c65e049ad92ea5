# SPDX-License-Identifier: Apache-2.0
"""Loading an image folder (or decoding one in memory): every field and file checked against the others."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eie.errors import EieError
from eie.fixedpoint import MAX_COLUMNS, MAX_WEIGHT_FRAC, dequantize, quantize
from eie.image import csc, row_map
from eie.image.build import check_bias_constant, check_capacity, check_core_limits
from eie.image.layout import CODEBOOK_BITS, ENTRIES_PER_WORD, MANIFEST, Image, LayerSpec, MemoryConfig, file_names
from eie.image.manifest import bad_image, is_int, read_file, read_manifest
from eie.image.write import image_files

# Entry and pointer counts and offsets: far above any memory, well within int64.
MAX_COUNT = 1 << 40


@dataclass
class DecodedLayer:
    """One layer decoded from an image: sparse triplets plus dense views on demand.

    The triplets are the core's view (physical rows and columns, what ``eie.models.reference``
    computes with); the dense views are the model's (rows and columns in model order).
    """

    spec: LayerSpec
    rows: np.ndarray  # physical output row of each non-padding entry
    cols: np.ndarray  # physical column (== in_features for the bias column)
    codes: np.ndarray  # codebook index of each entry
    act_frac: int
    in_map: np.ndarray | None = None  # physical input -> model input (the previous layer's row map)

    @property
    def codebook_int(self) -> np.ndarray:
        return np.asarray(self.spec.codebook_int, dtype=np.int64)

    def code_matrix(self) -> np.ndarray:
        """Dense codes in model order, out x (in + bias)."""
        dense = np.zeros((self.spec.out_features, self.spec.cols), dtype=np.uint8)
        col_map = np.arange(self.spec.cols)
        if self.in_map is not None:
            col_map[: self.spec.in_features] = self.in_map
        dense[np.asarray(self.spec.row_map, dtype=np.int64)[self.rows], col_map[self.cols]] = self.codes
        return dense

    def weight_int(self) -> np.ndarray:
        return self.codebook_int[self.code_matrix()]

    def weight(self) -> np.ndarray:
        """Dequantized dense weights, out x in (bias column excluded)."""
        return dequantize(self.weight_int()[:, : self.spec.in_features], self.spec.w_frac)

    def bias(self) -> np.ndarray | None:
        """Dequantized bias (the weight of the constant-one column), or None."""
        if not self.spec.bias:
            return None
        return dequantize(self.weight_int()[:, self.spec.in_features], self.spec.w_frac)


@dataclass
class LoadedImage:
    image: Image
    layers: list[DecodedLayer]
    directory: Path | None  # None: decoded from memory
    files: dict[str, bytes]  # the image's files as checked, manifest included
    # What models compute from the image alone, kept for the next call (eie.models.perf's column counts).
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    def snapshot(self, directory: Path) -> Path:
        """Write the checked bytes into the new folder ``directory`` (for a simulator to read)."""
        directory.mkdir()
        for name, data in self.files.items():
            (directory / name).write_bytes(data)
        return directory

    @property
    def num_pes(self) -> int:
        return self.image.num_pes

    @property
    def act_frac(self) -> int:
        return self.image.act_frac

    def to_model_order(self, outputs: np.ndarray) -> np.ndarray:
        """The core's outputs (physical rows on the last axis) in the model's row order."""
        return row_map.to_model_order(outputs, np.asarray(self.image.layers[-1].row_map, dtype=np.int64))




def _int_field(where: str, value, lo: int, hi: int | None = None) -> int:
    if not is_int(value) or value < lo or (hi is not None and value > hi):
        bound = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise ValueError(f"{where} is {value!r}, expected an integer {bound}")
    return value


def _int_list(where: str, value, length: int) -> list[int]:
    if not isinstance(value, list) or len(value) != length or not all(is_int(v) for v in value):
        raise ValueError(f"{where} is not a list of {length} integers")
    return value


def _layer_from_manifest(index: int, entry, num_pes: int, assign_rows: str | None) -> LayerSpec:
    """A layer descriptor with every field of the type and range the core and eie ref need."""
    where = f"layer {index}"
    if not isinstance(entry, dict):
        raise ValueError(f"{where} is not an object")
    missing = [f for f in LayerSpec.__dataclass_fields__ if f not in entry and f != "row_map"]
    if missing:
        raise ValueError(f"{where} lacks {', '.join(missing)}")
    for name in ("in_features", "out_features"):
        _int_field(f"{where} {name}", entry[name], 1, MAX_COLUMNS)
    for name in ("bias", "relu"):
        if not isinstance(entry[name], bool):
            raise ValueError(f"{where} {name} is {entry[name]!r}, expected true or false")
    _int_field(f"{where} w_frac", entry["w_frac"], 0, MAX_WEIGHT_FRAC)
    if _int_field(f"{where} ptr_base", entry["ptr_base"], 0, MAX_COUNT) % 2:
        raise ValueError(f"{where} ptr_base {entry['ptr_base']} is odd (p_j and p_j+1 must sit in different banks)")
    _int_field(f"{where} nonzeros", entry["nonzeros"], 0, MAX_COUNT)
    _int_list(f"{where} codebook_int", entry["codebook_int"], 16)
    floats = entry["codebook_float"]
    if not isinstance(floats, list) or len(floats) != 16 or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in floats
    ):
        raise ValueError(f"{where} codebook_float is not a list of 16 numbers")
    for name in ("entry_base", "entries", "padding"):
        if any(not 0 <= v <= MAX_COUNT for v in _int_list(f"{where} {name}", entry[name], num_pes)):
            raise ValueError(f"{where} {name} holds a count outside 0..{MAX_COUNT}")
    rows = entry["out_features"]
    if assign_rows is None:  # written before the row assignment was recorded: interleaved
        if "row_map" in entry:
            raise ValueError(f"{where} has a row_map but the manifest lacks assign_rows")
        entry = {**entry, "row_map": list(range(rows))}
    elif "row_map" not in entry:
        raise ValueError(f"{where} lacks row_map")
    why = row_map.check_row_map(entry["row_map"], rows)
    if why:
        raise ValueError(f"{where} row_map {why}")
    if assign_rows == "interleave" and entry["row_map"] != list(range(rows)):
        raise ValueError(f"{where} row_map is not the identity, but assign_rows is interleave")
    return LayerSpec(**{k: entry[k] for k in LayerSpec.__dataclass_fields__})


def _checksums(directory: Path | None, manifest: dict) -> dict[str, str]:
    """The manifest's file list: plain names inside the image, each with its SHA-256."""
    checksums = manifest.get("files")
    if not isinstance(checksums, dict) or not all(isinstance(v, str) for v in checksums.values()):
        raise bad_image(directory, f"{MANIFEST} lacks or mangles a field (files is not an object of file name to SHA-256)")
    for name in checksums:
        # Only plain names inside the image: the manifest must not point at other files.
        if Path(name).name != name or name in ("", ".", "..", MANIFEST):
            raise bad_image(directory, f"{MANIFEST} lists a file outside the image: {name!r}")
    return checksums


def load(directory) -> LoadedImage:
    """Read and check an image folder; raises EieError on anything inconsistent.

    The result keeps the bytes it checked (``LoadedImage.files``), so that a
    simulation runs exactly them even if the folder is replaced meanwhile.
    """
    directory = Path(directory)
    manifest, data = read_manifest(directory)
    files = {MANIFEST: data}
    for name in _checksums(directory, manifest):
        if not (directory / name).is_file():
            raise bad_image(directory, f"{name} is missing")
        files[name] = read_file(directory, name)
    return _decode(manifest, files, directory, core_limits=True)


def decode(image: Image) -> LoadedImage:
    """An image built in memory, checked and decoded as :func:`load` would, without the disk.

    Unlike a folder, which is written for the RTL core, an image in memory may
    exceed the core's limits (eie.limits): the cycle model's studies use larger ones.
    """
    files = image_files(image)
    return _decode(json.loads(files[MANIFEST]), files, None, core_limits=False)


def _decode(manifest: dict, files: dict[str, bytes], directory: Path | None, core_limits: bool) -> LoadedImage:
    """Check the manifest's fields and the files against each other; decode every layer."""
    checksums = _checksums(directory, manifest)
    try:
        num_pes = _int_field("num_pes", manifest["num_pes"], 1)
        act_frac = _int_field("act_frac", manifest["act_frac"], 0, MAX_WEIGHT_FRAC)
        mem_fields = {k: _int_field(f"memory {k}", manifest["memory"][k], 1) for k in MemoryConfig.__dataclass_fields__}
        memory = MemoryConfig(**mem_fields)
        if not isinstance(manifest["layers"], list):
            raise ValueError("layers is not a list")
        assign_rows = manifest.get("assign_rows")
        if assign_rows is not None and assign_rows not in row_map.METHODS:
            raise ValueError(f"assign_rows is {assign_rows!r}, expected one of {', '.join(row_map.METHODS)}")
        specs = [_layer_from_manifest(i, e, num_pes, assign_rows) for i, e in enumerate(manifest["layers"])]
    except (KeyError, TypeError, ValueError) as exc:
        raise bad_image(directory, f"{MANIFEST} lacks or mangles a field ({exc})") from None
    if not specs:
        raise bad_image(directory, "no layers")
    try:
        if core_limits:
            check_core_limits(num_pes, memory, specs)
    except EieError as exc:
        raise bad_image(directory, str(exc)) from None
    try:
        check_bias_constant(act_frac, [spec.bias for spec in specs])
    except EieError as exc:
        raise bad_image(directory, str(exc)) from None

    blobs = {}
    for name, digest in checksums.items():
        data = files.get(name)
        if data is None:
            raise bad_image(directory, f"{name} is missing")
        if hashlib.sha256(data).hexdigest() != digest:
            raise bad_image(directory, f"{name} does not match its checksum in {MANIFEST}")
        blobs[name] = data
    try:
        from eie.image.hexfile import parse_hex

        spmat, pointers = [], []
        for pe in range(num_pes):
            spmat_name, even_name, odd_name = file_names(pe)
            spmat.append(parse_hex(blobs[spmat_name], 64, spmat_name))
            even = parse_hex(blobs[even_name], memory.ptr_width, even_name).astype(np.int64)
            odd = parse_hex(blobs[odd_name], memory.ptr_width, odd_name).astype(np.int64)
            if even.size not in (odd.size, odd.size + 1):
                raise ValueError(f"{even_name} and {odd_name} differ in length")
            ptr = np.empty(even.size + odd.size, dtype=np.int64)
            ptr[0::2], ptr[1::2] = even, odd
            pointers.append(ptr)
        codebook = parse_hex(blobs["codebook.hex"], CODEBOOK_BITS, "codebook.hex").astype(np.int64)
    except KeyError as exc:
        raise bad_image(directory, f"{exc.args[0]} is not listed in {MANIFEST}") from None
    except ValueError as exc:
        raise bad_image(directory, str(exc)) from None
    codebook = np.where(codebook >= 1 << 15, codebook - (1 << 16), codebook)
    if codebook.size != 16 * len(specs):
        raise bad_image(directory, "codebook.hex does not hold 16 entries per layer")

    image = Image(num_pes, act_frac, memory, specs, spmat, pointers, manifest.get("compression", {}),
                  assign_rows or "interleave")
    decoded = []
    for index, spec in enumerate(specs):
        codebook_int = codebook[16 * index : 16 * index + 16]
        if list(codebook_int) != list(spec.codebook_int):
            raise bad_image(directory, f"layer {index} codebook differs between codebook.hex and {MANIFEST}")
        if index and spec.in_features != specs[index - 1].out_features:
            raise bad_image(directory, f"layer {index} inputs do not chain with layer {index - 1} outputs")
        try:
            shares = image.layer_shares(index)
            triplets = [csc.decode_share(s, pe, num_pes, spec.out_features) for pe, s in enumerate(shares)]
        except (ValueError, IndexError) as exc:
            raise bad_image(directory, f"layer {index}: {exc}") from None
        for pe, share in enumerate(shares):
            if share.pointers.size != spec.cols + 1 or share.entries != spec.entries[pe]:
                raise bad_image(directory, f"layer {index} PE {pe}: entry count differs from {MANIFEST}")
            if int(np.count_nonzero(share.v == 0)) != spec.padding[pe]:
                raise bad_image(directory, f"layer {index} PE {pe}: padding count differs from {MANIFEST}")
        floats = np.asarray(spec.codebook_float, dtype=np.float64)
        if not np.all(np.isfinite(floats)) or not np.array_equal(quantize(floats, spec.w_frac), codebook_int):
            raise bad_image(directory, f"layer {index} codebook_float does not quantise to codebook_int")
        rows = np.concatenate([t[0] for t in triplets])
        cols = np.concatenate([t[1] for t in triplets])
        codes = np.concatenate([t[2] for t in triplets])
        if codes.size != spec.nonzeros:
            raise bad_image(directory, f"layer {index}: {codes.size} non-zeros decoded, {MANIFEST} says {spec.nonzeros}")
        in_map = np.asarray(specs[index - 1].row_map, dtype=np.int64) if index else None
        decoded.append(DecodedLayer(spec, rows, cols, codes, act_frac, in_map))
    # The files must hold exactly the layout build_image writes: nothing missing, nothing extra.
    ptr_end = 0
    for index, spec in enumerate(specs):
        if spec.ptr_base != ptr_end:
            raise bad_image(directory, f"layer {index} ptr_base is {spec.ptr_base}, the layout puts it at {ptr_end}")
        ptr_end += spec.cols + 1 + (spec.cols + 1) % 2
    for pe in range(num_pes):
        if pointers[pe].size != ptr_end:
            raise bad_image(directory, f"PE {pe} pointer files hold {pointers[pe].size} pointers, the layers need {ptr_end}")
        words = -(-sum(spec.entries[pe] for spec in specs) // ENTRIES_PER_WORD)
        if spmat[pe].size != words:
            raise bad_image(directory, f"{file_names(pe)[0]} holds {spmat[pe].size} words, the layers need {words}")
    try:
        check_capacity(image)
    except EieError as exc:
        raise bad_image(directory, str(exc)) from None
    return LoadedImage(image, decoded, directory, files)


