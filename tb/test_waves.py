# SPDX-License-Identifier: Apache-2.0
"""``eie sim --waves``: it says where the dump is and prints a gtkwave command whose view
(python/eie/sim/views/eie_core.gtkw) names only signals that the dump has.

Icarus only: Verilator's FST needs the lz4 headers (liblz4-dev), which a machine may
lack; both simulators name eie_core's hierarchy alike (eie_core.g_pe[0].u_pe...).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from eie.apps.cli import main
from eie.hw import regs
from eie.sim.waves import VIEW, dump_signals, view_signals

NUM_PES = 2


def test_waves_run_prints_the_dump_and_a_view_of_signals_it_has(tmp_path, capsys):
    rng = np.random.default_rng(5)
    np.savez(tmp_path / "m.npz", W0=rng.normal(size=(6, 5)), b0=rng.normal(size=6), W1=rng.normal(size=(3, 6)))
    np.save(tmp_path / "x.npy", rng.normal(size=5))
    assert main(["pack", str(tmp_path / "m.npz"), "-o", str(tmp_path / "img"), "--pes", str(NUM_PES),
                 "--spmat-words", "64", "--ptr-bank-depth", "32", "--act-depth", "16", "--max-layers", "2"]) == 0
    capsys.readouterr()
    code = main(["sim", str(tmp_path / "img"), str(tmp_path / "x.npy"), "-o", str(tmp_path / "y.npy"),
                 "--sim", "icarus", "--waves"])
    out = capsys.readouterr().out
    assert code == 0, out
    dump = Path(re.search(r"^waves: (\S+)", out, re.M).group(1))
    command = re.search(r"^view them: gtkwave (\S+) (\S+)$", out, re.M)
    assert command and Path(command.group(1)) == dump and dump.suffix == ".fst" and dump.is_file()
    assert "note:" not in out

    have = dump_signals(dump)
    # The scope list is the core's: every PE and no more, the ports at their widths.
    assert f"eie_core.g_pe[{NUM_PES - 1}].u_pe.idle_o" in have and f"eie_core.g_pe[{NUM_PES}].u_pe.idle_o" not in have
    assert have["eie_core.s_axil_awaddr_i"] == f"[{regs.ADDR_WIDTH - 1}:0]" and have["eie_core.busy_o"] == ""

    shown = view_signals(VIEW)
    assert len(shown) > 80 and not [s for s in shown if s not in have]
    assert {s.split(".")[1] for s in shown} >= {"s_axil_awvalid_i", "ld_valid_i", "u_ccu", "g_pe[0]"}
    # The copy next to the dump: the same signals, each with the dump's range.
    written = [line for line in Path(command.group(2)).read_text().splitlines() if line.startswith("eie_core.")]
    assert written == [name + have[name] for name in shown]
