# SPDX-License-Identifier: Apache-2.0
"""scripts/signoff.py: the sign-off lines of the verification summary read the last
make formal / coverage / mutate figures, this machine's before the committed record."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import signoff  # noqa: E402


def test_formal_line_counts_blocks_and_proofs(tmp_path):
    record = {"date": "2026-12-04", "commit": "abc1234", "proofs": 52, "passed": 51,
              "blocks": ["arith", "fifo", "lzc"], "proved_blocks": ["fifo", "lzc"]}
    (tmp_path / "summary.json").write_text(json.dumps(record))
    line = signoff.formal_line(tmp_path)
    assert line == ("formal: 2 of 3 blocks proved, 51 of 52 proofs passed "
                    "(make formal, 2026-12-04, commit abc1234)")


def test_formal_line_without_a_run(tmp_path):
    assert signoff.formal_line(tmp_path) == "formal: not measured: run make formal"
    (tmp_path / "summary.json").write_text("{not json")
    assert signoff.formal_line(tmp_path) == "formal: not measured: run make formal"


def test_a_local_run_wins_over_the_committed_record(tmp_path, monkeypatch):
    results, recorded = tmp_path / "results", tmp_path / "recorded"
    monkeypatch.setattr(signoff, "RESULTS", results)
    monkeypatch.setattr(signoff, "RECORDED", recorded)
    assert signoff.summary_dir("mutate") == recorded / "mutate"
    (results / "mutate").mkdir(parents=True)
    (results / "mutate" / "summary.json").write_text("{}")
    assert signoff.summary_dir("mutate") == results / "mutate"
    assert signoff.summary_dir("coverage") == recorded / "coverage"
    with pytest.raises(ValueError, match="unknown sign-off kind"):
        signoff.summary_dir("lint")


def test_every_kind_has_a_committed_record():
    for kind in signoff.KINDS:
        record = json.loads((signoff.RECORDED / kind / "summary.json").read_text())
        assert record["date"] and record["commit"], kind
