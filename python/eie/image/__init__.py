# SPDX-License-Identifier: Apache-2.0
"""The image format: the exact memory contents of an N-PE core, as a folder of
``$readmemh`` files and a manifest (layout.py says what is where).

- layout: the dataclasses and the bit layout; build: from encoded layers to an
  Image and the checks that it fits; write: the folder, replaced atomically;
  load: the folder (or an in-memory Image) read back and checked.
- csc, hexfile, row_map: the column encoding, the hex files, the row maps.
"""

from eie.fixedpoint import DEFAULT_ACT_FRAC
from eie.image.build import build_image, check_capacity, check_core_limits, check_image, usage
from eie.image.layout import ENTRIES_PER_WORD, Image, LayerSpec, MemoryConfig, pack_words, unpack_entries
from eie.image.load import DecodedLayer, LoadedImage, decode, load
from eie.image.write import check_replaceable, image_files, write_image

__all__ = [
    "DEFAULT_ACT_FRAC",
    "ENTRIES_PER_WORD",
    "DecodedLayer",
    "Image",
    "LayerSpec",
    "LoadedImage",
    "MemoryConfig",
    "build_image",
    "check_capacity",
    "check_core_limits",
    "check_image",
    "check_replaceable",
    "decode",
    "image_files",
    "load",
    "pack_words",
    "unpack_entries",
    "usage",
    "write_image",
]
