# SPDX-License-Identifier: Apache-2.0
"""The last sign-off figures for the verification summary of make test.

make formal, make coverage and make mutate each write results/<kind>/summary.json
on the machine that ran them. A fresh checkout (CI) has no results/, so the
figures of the last full run the docs quote are also committed, unchanged, as
doc/signoff/<kind>/summary.json; a local run's own file wins over that record.
"""

from __future__ import annotations

import json
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "results"
RECORDED = REPO_ROOT / "doc" / "signoff"
KINDS = ("formal", "coverage", "mutate")


def summary_dir(kind: str) -> Path:
    """The folder whose summary.json holds the last figures of ``kind``: this machine's
    run, else the committed record (which may be missing too)."""
    if kind not in KINDS:
        raise ValueError(f"unknown sign-off kind {kind!r}")
    local = RESULTS / kind
    return local if (local / "summary.json").exists() else RECORDED / kind


def formal_line(folder: Path | None = None) -> str:
    """make formal's last run in one line: blocks proved, proofs passed, date, commit."""
    folder = folder or summary_dir("formal")
    try:
        record = json.loads((folder / "summary.json").read_text())
        return (f"formal: {len(record['proved_blocks'])} of {len(record['blocks'])} blocks proved, "
                f"{record['passed']} of {record['proofs']} proofs passed (make formal, {record['date']}, "
                f"commit {record['commit']})")
    except (OSError, ValueError, KeyError, TypeError):
        return "formal: not measured: run make formal"

