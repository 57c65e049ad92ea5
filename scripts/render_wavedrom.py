#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make docs: render the timing diagrams, doc/wavedrom/<name>.json to <name>.svg.

yowasp-wavedrom (WaveDrom in a bundled JavaScript engine, no Node) renders each
source. tests/test_wavedrom.py checks that every committed SVG is its source's
rendering, and tb/test_core_timing.py plays the sources on the RTL. With --check
nothing is written: it exits 1 naming every SVG that is missing or stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

WAVEDROM_DIR = Path(__file__).resolve().parents[1] / "doc" / "wavedrom"


def render(source: Path) -> str:
    try:
        import yowasp_wavedrom
    except ImportError:
        raise SystemExit("error: yowasp-wavedrom is not installed; 'make setup' installs it (requirements.txt)") from None
    return yowasp_wavedrom.render(json.loads(source.read_text()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--dir", type=Path, default=WAVEDROM_DIR, help="folder of the WaveDrom sources")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if an SVG is missing or stale")
    args = parser.parse_args()
    sources = sorted(args.dir.glob("*.json"))
    if not sources:
        raise SystemExit(f"error: no WaveDrom sources (*.json) in {args.dir}")
    stale = []
    for source in sources:
        svg, text = source.with_suffix(".svg"), render(source)
        if args.check:
            if not svg.exists() or svg.read_text() != text:
                stale.append(svg.name)
            continue
        tmp = svg.with_name(svg.name + ".tmp")
        tmp.write_text(text)
        tmp.replace(svg)  # never a half-written SVG
        print(f"{source.name} -> {svg.name}")
    if stale:
        print(f"stale or missing (run make docs): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
