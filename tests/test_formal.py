# SPDX-License-Identifier: Apache-2.0
"""make formal from the regression: every proof of formal/*.sby passes, and the
harness can fail: the same properties on RTL with a bug put in by text
substitution (a copy in a temporary folder; rtl/ is untouched) give a counterexample."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
RUNNER = REPO_ROOT / "scripts" / "formal.py"


def run_formal(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(RUNNER), "--out", str(tmp_path / "build"),
           "--summary", str(tmp_path / "summary.md"), *args]
    return subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)


def mutated_rtl(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of rtl/ in which rtl/name has old replaced by new (exactly once)."""
    rtl = tmp_path / "rtl"
    shutil.copytree(REPO_ROOT / "rtl", rtl)
    text = (rtl / name).read_text()
    assert text.count(old) == 1, f"the mutation no longer matches {name}; update this test"
    (rtl / name).write_text(text.replace(old, new))
    return rtl


def check_all_pass(tmp_path: Path, *args: str) -> list[str]:
    """Runs the proofs args select; every one passes. Returns their names."""
    proc = run_formal(tmp_path, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = (tmp_path / "summary.md").read_text()
    rows = [ln for ln in summary.splitlines() if ln.startswith("| ") and not ln.startswith("| proof")]
    listed = run_formal(tmp_path, "--list", *args).stdout.split()
    assert len(rows) == len(listed) > 0
    assert all("| PASS |" in row for row in rows), summary
    assert [row.split("|")[1].strip() for row in rows] == listed
    return listed


def test_every_proof_passes(tmp_path):
    """The quick set (make test): every block, its larger parameter sets left to make formal."""
    quick = check_all_pass(tmp_path, "--quick")
    every = run_formal(tmp_path, "--list").stdout.split()
    blocks = {p.stem for p in (REPO_ROOT / "formal").glob("*.sby")}
    assert all(any(name.startswith(block + "_") for name in quick) for block in blocks)
    assert set(quick) <= set(every)


@pytest.mark.slow
def test_every_proof_passes_full(tmp_path):
    """make formal: every proof, quick set or not."""
    check_all_pass(tmp_path)


# (proof, file, text, mutated text): each bug must give a counterexample (FAIL),
# not an error of the setup.
MUTATIONS = [
    # Off by one in the positions whose bits the index encodes.
    ("lzc_w8", "eie_lzc.sv", "assign has_bit[i] = ((i >> k) & 1) == 1;",
     "assign has_bit[i] = (((i + 1) >> k) & 1) == 1;"),
    # Every group of 16 with a set bit gives its lowest one: first_o not one-hot past 16 bits.
    ("lzc_w40", "eie_lzc.sv", "assign group_first = group_any & ~(group_any - NumGroups'(1));",
     "assign group_first = group_any;"),
    # Bank 0 records lane 1's valid, not its push: wrong bank for the next entry when lane 1 is refused.
    ("fifo_l2_d1", "eie_fifo.sv", "assign bank0_wdata = {push_fire[1], push_data_i[0]};",
     "assign bank0_wdata = {push_valid_i[1], push_data_i[0]};"),
    # The head register's two sources swapped: a pop with two held takes lane 0's push.
    ("fifo_l1_d3", "eie_fifo.sv", "assign head_d        = head_from_ram ? next_entry : bank0_wdata;",
     "assign head_d        = head_from_ram ? bank0_wdata : next_entry;"),
    # A node grants the lowest valid child, ignoring in_done_i (the old priority arbiter).
    ("lnzd_node_n4", "eie_lnzd_node.sv", "      if (!in_done_i[i]) begin", "      if (in_valid_i[i]) begin"),
    # A node grants its highest child not done.
    ("lnzd_tree_l6", "eie_lnzd_node.sv", "for (int i = NumInputs - 1; i >= 0; i--) begin",
     "for (int i = 0; i < NumInputs; i++) begin"),
    # A node says done with an item still in its register.
    ("lnzd_node_n2", "eie_lnzd_node.sv", "assign out_done_o  = !out_valid_q && (&in_done_i);",
     "assign out_done_o  = &in_done_i;"),
    # A node takes a child's item with its skid register full while its output drains
    # (the parent's ready back into the children): the item is lost.
    ("lnzd_tree_l5", "eie_lnzd_node.sv", "assign can_take   = !skid_valid_q;",
     "assign can_take   = !skid_valid_q || out_ready_i;"),
    # A parent counts an empty child node as done, though leaves below it are not.
    ("lnzd_tree_l17", "eie_lnzd_tree.sv", "assign child_done  = g_level[l-1].done;",
     "assign child_done  = ~g_level[l-1].valid;"),
    # The AXI4-Lite slave drops R without RREADY (a response lost).
    ("axil_slave_a4_d32", "eie_axil_slave.sv", "end else if (rvalid_q && s_axil_rready_i) begin",
     "end else if (rvalid_q) begin"),
    # ... takes a read in the cycle after a write strobe.
    ("axil_slave_a12_d64", "eie_axil_slave.sv", "assign s_axil_arready_o = !rvalid_q && !we_q;",
     "assign s_axil_arready_o = !rvalid_q;"),
    # The history's lane 1 reads lane 0's column: a PE taking two gets the older twice.
    ("bcast_history_n2_h2", "eie_bcast_history.sv", "assign read_addr_d  = (l == 0) ? tail_moved[p] : tail1_moved[p];",
     "assign read_addr_d  = tail_moved[p];"),
    # A PE a whole history behind holds the broadcast even while it takes a column.
    ("bcast_history_n3_h2", "eie_bcast_history.sv",
     "assign too_far[p]  = lag[p][LagWidth-1] && !pe_room_i[p][0];", "assign too_far[p]  = lag[p][LagWidth-1];"),
    # A PE's second column per cycle is not counted: it would be taken twice.
    ("bcast_history_n1_h4", "eie_bcast_history.sv",
     "assign lag_next[p] = take2 ? lag_m2 : take_o[p][0] ? lag_m1 : lag[p];",
     "assign lag_next[p] = take_o[p][0] ? lag_m1 : lag[p];"),
    # The history's late write without its bypass: a PE takes the newest column's old word.
    ("bcast_history_n1_h2", "eie_bcast_history.sv", "assign bypass       = wr_q && read_addr == wr_addr_q;",
     "assign bypass       = 1'b0;"),
    # ... without the bypass of the write that landed as the block RAM was read (the
    # synchronous read misses it): a PE takes the column written a cycle ago stale.
    ("bcast_history_n1_h2", "eie_bcast_history.sv", "assign bypass2      = wr_q2 && read_addr == wr_addr_q2;",
     "assign bypass2      = 1'b0;"),
    # A PE's caught-up flag misses two columns taken at once: the layer ends a cycle late.
    ("bcast_history_n2_h2", "eie_bcast_history.sv", "(lag[p] == LagWidth'(2) && take2));",
     "1'b0);"),
    # A PE's read addresses keep the old layer's after a clear (it takes the clear a
    # cycle late): the next layer's first column is read from a stale slot.
    ("bcast_history_n2_h4", "eie_bcast_history.sv", "assign tail_d[p]      = clear_q[p] ? '0 : tail_moved[p];",
     "assign tail_d[p]      = tail_moved[p];"),
    # No bypass: back-to-back updates of one row lose the first.
    ("arith_l1_r2", "eie_arith.sv", "assign base      = rd_acc | bypass_sum_q;", "assign base      = rd_acc;"),
    # The bypass for any two back-to-back updates, whatever their rows.
    ("arith_l1_r4", "eie_arith.sv", "bypass_d   = s1_valid_q & s2_valid_q & (s1_row_q == s2_row_q);",
     "bypass_d   = s1_valid_q & s2_valid_q;"),
    # An unsigned multiply.
    ("arith_l1_r2", "eie_arith.sv", "assign prod_d = $signed(w_q) * $signed(a_q);", "assign prod_d = w_q * a_q;"),
    # The write-back reads a row without zeroing it: the layer after next adds onto it.
    ("arith_l1_r2", "eie_arith.sv", "assign wb_clr = wb_re_i & ~mine;", "assign wb_clr = 1'b0;"),
    # A sweep that stops a row short: the bank's last row keeps its old sum.
    ("arith_l1_r4", "eie_arith.sv", "if (sweep_addr_q == SubWidth'(SubDepth - 1)) sweeping_d = 1'b0;",
     "if (sweep_addr_q == SubWidth'(SubDepth - 2)) sweeping_d = 1'b0;"),
    # A read of a sweeping bank returns the RAM word, not 0.
    ("arith_l1_r2", "eie_arith.sv", "assign zero_d = sweeping_q || !vld[rword] || (mine && bypass2_d);",
     "assign zero_d = !vld[rword] || (mine && bypass2_d);"),
    # No bypass over two: an update two cycles behind another of its row reads the RAM
    # as that one writes it, and loses it.
    ("arith_l1_r2", "eie_arith.sv", "assign bypass2_d = s1_valid_d & s2_valid_q & (ent_row_i == s2_row_q);",
     "assign bypass2_d = 1'b0;"),
    # The write-back's read leaves its row valid: the layer after next adds onto its old sum.
    ("arith_l1_r2", "eie_arith.sv", "vld[wword | RowWidth'(k)] <= mine;", "vld[wword | RowWidth'(k)] <= 1'b1;"),
    # A padding in a word's last slot merges too (the next entry's word is not read yet).
    ("spmat_read_d2", "eie_spmat_read.sv", "(issue_slot != '0) & (issue_slot != '1) &", "(issue_slot != '0) &"),
    # Rows advance by z, not z + 1.
    ("spmat_read_d2", "eie_spmat_read.sv", "assign x_base = s1_first_q ? '0 : XWidth'(out_row_q) + XWidth'(1);",
     "assign x_base = s1_first_q ? '0 : XWidth'(out_row_q);"),
    # The SRAM is not read at a word change: the next word's entries come from the old one.
    ("spmat_read_d3", "eie_spmat_read.sv",
     "(~word_valid_q | (accept_nf ? start_word != word_q :",
     "(~word_valid_q | 1'b0 & (accept_nf ? start_word != word_q :"),
    # The fit test forgets the window's top bit: a value just past the window wraps.
    ("relu_quant_s0", "eie_relu_quant.sv",
     "assign fits_shift = !(|dropped) && (win_shift[WinWidth-1] == neg_shift);",
     "assign fits_shift = !(|dropped);"),
    # A unary minus before the cast, which Yosys drops: TMin reads +65537, nearly every
    # in-window result saturates low (every netlist before session 16's fix).
    ("relu_quant_s0", "eie_relu_quant.sv",
     "TMin = WinWidth'(-(2 * (1 << (ActWidth - 1)) + 1));", "TMin = -WinWidth'(2 * (1 << (ActWidth - 1)) + 1);"),
    # The first stage keeps 2 * acc's low bits without checking the ones it drops.
    ("relu_quant_s1", "eie_relu_quant.sv", "assign dropped[k] = !shift_i[k] &&", "assign dropped[k] = 1'b0 &&"),
]


@pytest.mark.parametrize("proof,name,old,new", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_a_bug_fails_the_proof(tmp_path, proof, name, old, new):
    rtl = mutated_rtl(tmp_path, name, old, new)
    proc = run_formal(tmp_path, "--rtl-dir", str(rtl), proof)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    row = next(ln for ln in proc.stdout.splitlines() if ln.startswith(proof))
    assert row.split()[3] == "FAIL", row


def test_an_unknown_proof_is_one_line_and_exit_1(tmp_path):
    proc = run_formal(tmp_path, "no_such_proof")
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("formal: error: no proof named 'no_such_proof'")
    assert "Traceback" not in proc.stderr
