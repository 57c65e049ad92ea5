# SPDX-License-Identifier: Apache-2.0
"""Writing an image folder: its files, its manifest, and replacing a folder in one atomic step."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

from eie import safe_io
from eie.errors import EieError
from eie.image.build import check_image, usage
from eie.image.hexfile import format_hex
from eie.image.layout import CODEBOOK_BITS, FORMAT_NAME, FORMAT_VERSION, MANIFEST, Image, file_names
from eie.image.manifest import read_manifest


def _file_contents(image: Image) -> dict[str, bytes]:
    width = image.memory.ptr_width
    files: dict[str, bytes] = {}
    for pe in range(image.num_pes):
        spmat_name, even_name, odd_name = file_names(pe)
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
        return [MANIFEST, *read_manifest(directory)[0]["files"]]
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
        listed = {MANIFEST, *read_manifest(directory)[0]["files"]}
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
