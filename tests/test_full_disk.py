# SPDX-License-Identifier: Apache-2.0
"""A full disk: pack, ref and sim fail in one line and the previous outputs survive byte for byte.

The outputs live on a tiny tmpfs that the test mounts (root and mount rights
needed; without them the test is skipped and says why).
"""

from __future__ import annotations

import errno
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.bad_input  # counted in the regression's verification summary


@pytest.fixture
def tiny_disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def fill(disk: Path) -> None:
    """Take every free byte of the file system."""
    with open(disk / "filler", "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("eie: error: "), err
    for word in words:
        assert word in lines[0], lines[0]


def test_full_disk_keeps_every_previous_output(tmp_path, tiny_disk, run_cli):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "small.npy", rng.normal(size=(8, 8)))
    np.save(tmp_path / "large.npy", rng.normal(size=(256, 256)))
    np.save(tmp_path / "x.npy", rng.normal(size=8))
    image, output = tiny_disk / "img", tiny_disk / "y.npy"
    assert run_cli("pack", tmp_path / "small.npy", "-o", image, "--pes", 2)[0] == 0
    assert run_cli("ref", image, tmp_path / "x.npy", "-o", output)[0] == 0
    # Full before the image's folder is made, then with room for the folder but not its files.
    for room in (False, True):
        if room:
            (tiny_disk / "filler").unlink()
        fill(tiny_disk)
        before = contents(tiny_disk)
        code, _, err = run_cli("pack", tmp_path / "large.npy", "-o", image, "--pes", 2)
        assert code == 1
        one_line(err, "No space left on device")
        assert contents(tiny_disk) == before

    for command in (["ref", image, tmp_path / "x.npy", "-o", output],
                    ["sim", image, tmp_path / "x.npy", "-o", output, "--sim", "icarus"]):
        code, _, err = run_cli(*command)
        assert code == 1
        one_line(err, "No space left on device")
        assert contents(tiny_disk) == before
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler", "img", "y.npy"]
