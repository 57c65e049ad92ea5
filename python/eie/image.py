# SPDX-License-Identifier: Apache-2.0
"""The memory image of an N-PE core: building it, writing it atomically, loading it back.

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

import hashlib
import json
import math
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from eie import csc, limits, row_assign, safe_io
from eie.errors import EieError
from eie.fixedpoint import DEFAULT_ACT_FRAC, INT16_MAX, MAX_COLUMNS, MAX_WEIGHT_FRAC, dequantize, quantize
from eie.hexfile import format_hex, read_hex

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

    spmat_words: int = 16384  # 64-bit words = 131072 entries (128 KB, as the paper)
    ptr_bank_depth: int = 16384  # per bank; two banks hold 32768 pointers
    act_depth: int = 512  # activations per PE in each ping-pong file
    max_layers: int = 8  # codebooks and layer descriptors

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


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------
def pack_words(v: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Entries to 64-bit words: slot s of a word is bits [8s +: 8], entry = v << 4 | z."""
    entries = (v.astype(np.uint8) << 4) | z.astype(np.uint8)
    padded = np.zeros(-(-entries.size // ENTRIES_PER_WORD) * ENTRIES_PER_WORD, dtype=np.uint8)
    padded[: entries.size] = entries
    return padded.view("<u8").astype(np.uint64)


def unpack_entries(words: np.ndarray) -> np.ndarray:
    return np.asarray(words, dtype="<u8").view(np.uint8)


def build_image(layer_codes, layer_meta, num_pes: int, act_frac: int, memory: MemoryConfig, compression: dict,
                assign_rows: str = "interleave") -> Image:
    """Encode each layer's code matrix (bias column included) and lay out all memories.

    ``layer_meta`` holds per layer: in_features, bias, relu, w_frac, codebook_int, codebook_float,
    and optionally row_map (default: the identity). The code matrices are already in physical
    order: rows permuted by the row map, columns by the previous layer's.
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
        shares = csc.encode_matrix(codes, num_pes)
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
            nonzeros=int(np.count_nonzero(codes)),
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


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def _file_names(pe: int) -> tuple[str, str, str]:
    return f"spmat_pe{pe:03d}.hex", f"ptr_even_pe{pe:03d}.hex", f"ptr_odd_pe{pe:03d}.hex"


def _file_contents(image: Image) -> dict[str, bytes]:
    width = image.memory.ptr_width
    files: dict[str, bytes] = {}
    for pe in range(image.num_pes):
        spmat_name, even_name, odd_name = _file_names(pe)
        files[spmat_name] = format_hex(image.spmat[pe], 64)
        files[even_name] = format_hex(image.pointers[pe][0::2], width)
        files[odd_name] = format_hex(image.pointers[pe][1::2], width)
    codebook = np.array([c for layer in image.layers for c in layer.codebook_int], dtype=np.int64)
    files["codebook.hex"] = format_hex(codebook & 0xFFFF, CODEBOOK_BITS)
    return files


def image_files(image: Image) -> dict[str, bytes]:
    """Every file of the image folder, the manifest included, as written by :func:`write_image`."""
    files = _file_contents(image)
    checksums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    files[MANIFEST] = (json.dumps(manifest_of(image, checksums), indent=1) + "\n").encode()
    return files


def manifest_of(image: Image, checksums: dict[str, str]) -> dict:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "num_pes": image.num_pes,
        "act_frac": image.act_frac,
        "memory": {**asdict(image.memory), "ptr_width": image.memory.ptr_width},
        "compression": image.compression,
        "assign_rows": image.assign_rows,
        "layers": [
            {
                **asdict(layer),
                "density": layer.nonzeros / float(layer.out_features * layer.in_features + layer.out_features * layer.bias),
            }
            for layer in image.layers
        ],
        "usage": usage(image),
        "files": checksums,
    }


def _remove_image_files(folder: Path, names) -> None:
    """Remove ``folder`` holding only the named image files (written by eie); anything else stays."""
    for name in names:
        (folder / name).unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        print(f"eie: warning: {folder} was left behind: it holds files eie did not write", file=sys.stderr)


def _listed_files(directory: Path) -> list[str]:
    """The files an image's manifest says eie wrote, the manifest included ([] if unreadable)."""
    try:
        return [MANIFEST, *_read_manifest(directory)[0]["files"]]
    except (EieError, KeyError, TypeError):
        return []


def check_replaceable(directory: Path) -> None:
    """Refuse, in one line, to replace ``directory`` unless it is an eie image and nothing else.

    ``eie pack -o DIR`` may replace only a folder that it could have written: a valid
    manifest of this format and exactly the files it lists. Never the working folder,
    one of its parents, or a folder reached through a symbolic link.
    """
    if directory.is_symlink():
        raise EieError(f"{directory}: is a symbolic link; give the image folder itself")
    if not directory.exists():
        return
    if not directory.is_dir():
        raise EieError(f"{directory}: exists and is not a directory")
    here = Path.cwd().resolve()
    if directory.resolve() in (here, *here.parents):
        raise EieError(f"{directory}: is the working folder or one of its parents; choose a new folder")
    refuse = (f"{directory}: exists and is not an eie image; eie pack replaces only an image folder it wrote "
              f"(choose another -o or remove it yourself)")
    try:
        listed = {MANIFEST, *_read_manifest(directory)[0]["files"]}
    except (EieError, KeyError, TypeError):
        raise EieError(refuse) from None
    for entry in os.scandir(directory):
        if entry.name not in listed or not entry.is_file(follow_symlinks=False):
            raise EieError(f"{refuse}: it holds {entry.name!r}")


def write_image(image: Image, directory) -> Path:
    """Write the image folder ``directory`` in one atomic step.

    The files go to a hidden sibling folder, which then takes the place of
    ``directory`` (safe_io.publish_dir: a reader sees the old or the new image,
    whole). An existing ``directory`` must be an image (check_replaceable); its
    old files are removed after the swap. The parent folder must exist.
    """
    directory = Path(directory)
    if str(directory) in ("", "."):
        raise EieError("the image folder is an empty path or '.'; name a new folder")
    check_image(image)
    check_replaceable(directory)
    parent = directory.absolute().parent
    if not parent.is_dir():
        raise EieError(f"{directory}: the folder {parent} does not exist")
    try:
        tmp = safe_io.make_private_dir(parent, directory.name)
    except OSError as exc:
        raise EieError(f"{directory}: cannot create the image ({exc.strerror})") from None
    written: list[str] = []
    try:
        for name, data in image_files(image).items():
            written.append(name)
            _write_synced(tmp / name, data)
        old = safe_io.publish_dir(tmp, directory, check_replaceable)
        written = []  # the new files are in place; ``tmp`` is gone or holds the old image
        if old is not None:
            _remove_image_files(old, _listed_files(old))
    except OSError as exc:
        raise EieError(f"{directory}: cannot write the image ({exc.strerror})") from None
    finally:
        if written:
            _remove_image_files(tmp, written)
    return directory


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------
@dataclass
class DecodedLayer:
    """One layer decoded from an image: sparse triplets plus dense views on demand.

    The triplets are the core's view (physical rows and columns, what ``eie.reference``
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
        return row_assign.to_model_order(outputs, np.asarray(self.image.layers[-1].row_map, dtype=np.int64))


def _bad(directory: Path | None, why: str) -> EieError:
    return EieError(f"{directory or 'image'}: corrupted or incompatible image: {why}")


# A manifest holds a row map per layer: at most 16 layers of 65535 rows.
MAX_MANIFEST_BYTES = 64 << 20
# Entry and pointer counts and offsets: far above any memory, well within int64.
MAX_COUNT = 1 << 40


def _read_bytes(directory: Path, name: str, limit: int | None = None) -> bytes:
    """A file of the image; refused if unreadable, larger than ``limit``, or a link out of the image."""
    path = directory / name
    if path.is_symlink() and path.resolve().parent != directory.resolve():
        raise _bad(directory, f"{name} is a symbolic link that leaves the image")
    try:
        if limit is not None and path.stat().st_size > limit:
            raise _bad(directory, f"{name} is larger than {limit} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise EieError(f"{directory}: cannot read {name} ({exc.strerror})") from None


def _parse_manifest(directory: Path | None, data: bytes) -> dict:
    try:
        manifest = json.loads(data)
    except RecursionError:
        raise _bad(directory, f"{MANIFEST} is not valid JSON (nested too deeply)") from None
    except ValueError as exc:
        why = "an integer with too many digits" if "integer string conversion" in str(exc) else str(exc)
        raise _bad(directory, f"{MANIFEST} is not valid JSON ({why})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _bad(directory, f"{MANIFEST} is not an {FORMAT_NAME} manifest")
    if not _is_int(manifest.get("version")) or manifest.get("version") != FORMAT_VERSION:
        raise _bad(directory, f"format version {manifest.get('version')!r}, this eie reads version {FORMAT_VERSION}")
    return manifest


def _read_manifest(directory: Path) -> tuple[dict, bytes]:
    """The parsed manifest and its bytes."""
    if not directory.is_dir():
        raise EieError(f"{directory}: no such image directory")
    if not (directory / MANIFEST).is_file():
        raise EieError(f"{directory}: not an image ({MANIFEST} is missing)")
    data = _read_bytes(directory, MANIFEST, MAX_MANIFEST_BYTES)
    return _parse_manifest(directory, data), data


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_field(where: str, value, lo: int, hi: int | None = None) -> int:
    if not _is_int(value) or value < lo or (hi is not None and value > hi):
        bound = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise ValueError(f"{where} is {value!r}, expected an integer {bound}")
    return value


def _int_list(where: str, value, length: int) -> list[int]:
    if not isinstance(value, list) or len(value) != length or not all(_is_int(v) for v in value):
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
    why = row_assign.check_row_map(entry["row_map"], rows)
    if why:
        raise ValueError(f"{where} row_map {why}")
    if assign_rows == "interleave" and entry["row_map"] != list(range(rows)):
        raise ValueError(f"{where} row_map is not the identity, but assign_rows is interleave")
    return LayerSpec(**{k: entry[k] for k in LayerSpec.__dataclass_fields__})


def _checksums(directory: Path | None, manifest: dict) -> dict[str, str]:
    """The manifest's file list: plain names inside the image, each with its SHA-256."""
    checksums = manifest.get("files")
    if not isinstance(checksums, dict) or not all(isinstance(v, str) for v in checksums.values()):
        raise _bad(directory, f"{MANIFEST} lacks or mangles a field (files is not an object of file name to SHA-256)")
    for name in checksums:
        # Only plain names inside the image: the manifest must not point at other files.
        if Path(name).name != name or name in ("", ".", "..", MANIFEST):
            raise _bad(directory, f"{MANIFEST} lists a file outside the image: {name!r}")
    return checksums


def load(directory) -> LoadedImage:
    """Read and check an image folder; raises EieError on anything inconsistent.

    The result keeps the bytes it checked (``LoadedImage.files``), so that a
    simulation runs exactly them even if the folder is replaced meanwhile.
    """
    directory = Path(directory)
    manifest, data = _read_manifest(directory)
    files = {MANIFEST: data}
    for name in _checksums(directory, manifest):
        if not (directory / name).is_file():
            raise _bad(directory, f"{name} is missing")
        files[name] = _read_bytes(directory, name)
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
        if assign_rows is not None and assign_rows not in row_assign.METHODS:
            raise ValueError(f"assign_rows is {assign_rows!r}, expected one of {', '.join(row_assign.METHODS)}")
        specs = [_layer_from_manifest(i, e, num_pes, assign_rows) for i, e in enumerate(manifest["layers"])]
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(directory, f"{MANIFEST} lacks or mangles a field ({exc})") from None
    if not specs:
        raise _bad(directory, "no layers")
    try:
        if core_limits:
            check_core_limits(num_pes, memory, specs)
    except EieError as exc:
        raise _bad(directory, str(exc)) from None
    try:
        check_bias_constant(act_frac, [spec.bias for spec in specs])
    except EieError as exc:
        raise _bad(directory, str(exc)) from None

    blobs = {}
    for name, digest in checksums.items():
        data = files.get(name)
        if data is None:
            raise _bad(directory, f"{name} is missing")
        if hashlib.sha256(data).hexdigest() != digest:
            raise _bad(directory, f"{name} does not match its checksum in {MANIFEST}")
        blobs[name] = data
    try:
        from eie.hexfile import parse_hex

        spmat, pointers = [], []
        for pe in range(num_pes):
            spmat_name, even_name, odd_name = _file_names(pe)
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
        raise _bad(directory, f"{exc.args[0]} is not listed in {MANIFEST}") from None
    except ValueError as exc:
        raise _bad(directory, str(exc)) from None
    codebook = np.where(codebook >= 1 << 15, codebook - (1 << 16), codebook)
    if codebook.size != 16 * len(specs):
        raise _bad(directory, "codebook.hex does not hold 16 entries per layer")

    image = Image(num_pes, act_frac, memory, specs, spmat, pointers, manifest.get("compression", {}),
                  assign_rows or "interleave")
    decoded = []
    for index, spec in enumerate(specs):
        codebook_int = codebook[16 * index : 16 * index + 16]
        if list(codebook_int) != list(spec.codebook_int):
            raise _bad(directory, f"layer {index} codebook differs between codebook.hex and {MANIFEST}")
        if index and spec.in_features != specs[index - 1].out_features:
            raise _bad(directory, f"layer {index} inputs do not chain with layer {index - 1} outputs")
        try:
            shares = image.layer_shares(index)
            triplets = [csc.decode_share(s, pe, num_pes, spec.out_features) for pe, s in enumerate(shares)]
        except (ValueError, IndexError) as exc:
            raise _bad(directory, f"layer {index}: {exc}") from None
        for pe, share in enumerate(shares):
            if share.pointers.size != spec.cols + 1 or share.entries != spec.entries[pe]:
                raise _bad(directory, f"layer {index} PE {pe}: entry count differs from {MANIFEST}")
            if int(np.count_nonzero(share.v == 0)) != spec.padding[pe]:
                raise _bad(directory, f"layer {index} PE {pe}: padding count differs from {MANIFEST}")
        floats = np.asarray(spec.codebook_float, dtype=np.float64)
        if not np.all(np.isfinite(floats)) or not np.array_equal(quantize(floats, spec.w_frac), codebook_int):
            raise _bad(directory, f"layer {index} codebook_float does not quantise to codebook_int")
        rows = np.concatenate([t[0] for t in triplets])
        cols = np.concatenate([t[1] for t in triplets])
        codes = np.concatenate([t[2] for t in triplets])
        if codes.size != spec.nonzeros:
            raise _bad(directory, f"layer {index}: {codes.size} non-zeros decoded, {MANIFEST} says {spec.nonzeros}")
        in_map = np.asarray(specs[index - 1].row_map, dtype=np.int64) if index else None
        decoded.append(DecodedLayer(spec, rows, cols, codes, act_frac, in_map))
    # The files must hold exactly the layout build_image writes: nothing missing, nothing extra.
    ptr_end = 0
    for index, spec in enumerate(specs):
        if spec.ptr_base != ptr_end:
            raise _bad(directory, f"layer {index} ptr_base is {spec.ptr_base}, the layout puts it at {ptr_end}")
        ptr_end += spec.cols + 1 + (spec.cols + 1) % 2
    for pe in range(num_pes):
        if pointers[pe].size != ptr_end:
            raise _bad(directory, f"PE {pe} pointer files hold {pointers[pe].size} pointers, the layers need {ptr_end}")
        words = -(-sum(spec.entries[pe] for spec in specs) // ENTRIES_PER_WORD)
        if spmat[pe].size != words:
            raise _bad(directory, f"{_file_names(pe)[0]} holds {spmat[pe].size} words, the layers need {words}")
    try:
        check_capacity(image)
    except EieError as exc:
        raise _bad(directory, str(exc)) from None
    return LoadedImage(image, decoded, directory, files)


__all__ = [
    "DEFAULT_ACT_FRAC",
    "Image",
    "LayerSpec",
    "LoadedImage",
    "MemoryConfig",
    "build_image",
    "decode",
    "load",
    "write_image",
]
