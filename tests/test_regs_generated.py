# SPDX-License-Identifier: Apache-2.0
"""The files generated from rtl/eie_regs.rdl are up to date (no simulator).

scripts/gen_regs.py writes sw/eie_regs.h, sw/eie_load_port.h, doc/registers.md
and python/eie/hw/regs.py; after an edit of the .rdl, run it and commit them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("gen_regs", REPO / "scripts" / "gen_regs.py")
gen_regs = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(gen_regs)


def test_generated_files_match_the_rdl():
    stale = gen_regs.stale()
    assert not stale, f"out of date with {gen_regs.RDL}: {[str(p) for p in stale]}; run scripts/gen_regs.py"


def test_python_constants_are_the_committed_module():
    from eie.hw import regs

    assert Path(regs.__file__).resolve() == (gen_regs.REPO_ROOT / gen_regs.PY).resolve()
    assert regs.REG["ID"] == 0 and regs.REGISTERS["ID"].reset == 0xE1E00100
