# SPDX-License-Identifier: Apache-2.0
"""Reading an image folder's manifest: bounded in size and depth, refused in one line when broken."""

from __future__ import annotations

import json
from pathlib import Path

from eie.errors import EieError
from eie.image.layout import FORMAT_NAME, FORMAT_VERSION, MANIFEST


def bad_image(directory: Path | None, why: str) -> EieError:
    return EieError(f"{directory or 'image'}: corrupted or incompatible image: {why}")


# A manifest holds a row map per layer: at most 16 layers of 65535 rows.
MAX_MANIFEST_BYTES = 64 << 20


def read_file(directory: Path, name: str, limit: int | None = None) -> bytes:
    """A file of the image; refused if unreadable, larger than ``limit``, or a link out of the image."""
    path = directory / name
    if path.is_symlink() and path.resolve().parent != directory.resolve():
        raise bad_image(directory, f"{name} is a symbolic link that leaves the image")
    try:
        if limit is not None and path.stat().st_size > limit:
            raise bad_image(directory, f"{name} is larger than {limit} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise EieError(f"{directory}: cannot read {name} ({exc.strerror})") from None


def parse_manifest(directory: Path | None, data: bytes) -> dict:
    try:
        manifest = json.loads(data)
    except RecursionError:
        raise bad_image(directory, f"{MANIFEST} is not valid JSON (nested too deeply)") from None
    except ValueError as exc:
        why = "an integer with too many digits" if "integer string conversion" in str(exc) else str(exc)
        raise bad_image(directory, f"{MANIFEST} is not valid JSON ({why})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise bad_image(directory, f"{MANIFEST} is not an {FORMAT_NAME} manifest")
    if not is_int(manifest.get("version")) or manifest.get("version") != FORMAT_VERSION:
        raise bad_image(directory, f"format version {manifest.get('version')!r}, this eie reads version {FORMAT_VERSION}")
    return manifest


def read_manifest(directory: Path) -> tuple[dict, bytes]:
    """The parsed manifest and its bytes."""
    if not directory.is_dir():
        raise EieError(f"{directory}: no such image directory")
    if not (directory / MANIFEST).is_file():
        raise EieError(f"{directory}: not an image ({MANIFEST} is missing)")
    data = read_file(directory, MANIFEST, MAX_MANIFEST_BYTES)
    return parse_manifest(directory, data), data


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
