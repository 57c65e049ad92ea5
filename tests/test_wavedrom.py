# SPDX-License-Identifier: Apache-2.0
"""The timing diagrams of doc/integration.md: every WaveDrom source has its SVG, rendered from it.

tb/test_core_timing.py plays the same sources on the RTL; this test keeps the
committed pictures equal to the sources (make docs re-renders them).
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WAVEDROM = ROOT / "doc" / "wavedrom"


def test_every_svg_is_its_sources_rendering():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "render_wavedrom.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_the_check_finds_a_stale_svg(tmp_path):
    for source in WAVEDROM.glob("*.json"):
        (tmp_path / source.name).write_text(source.read_text())
        (tmp_path / source.with_suffix(".svg").name).write_text("<svg/>")
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "render_wavedrom.py"), "--check", "--dir", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "load_port.svg" in proc.stderr


def test_integration_page_shows_every_diagram():
    page = (ROOT / "doc" / "integration.md").read_text()
    shown = set(re.findall(r"\(wavedrom/(\w+)\.svg\)", page))
    assert shown == {p.stem for p in WAVEDROM.glob("*.json")}
