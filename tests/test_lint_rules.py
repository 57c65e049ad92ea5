# SPDX-License-Identifier: Apache-2.0
"""The comb-loop rule of scripts/lint.py: the Icarus 11 hang pattern is found, clean code passes."""

import importlib.util
from pathlib import Path

SPEC = importlib.util.spec_from_file_location("lint", Path(__file__).resolve().parents[1] / "scripts" / "lint.py")
lint = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(lint)


def test_flags_a_block_that_reads_what_it_writes():
    text = """module m;
  always_comb begin
    abort = 1'b0;
    if (start_i && busy) abort = 1'b1;
    if (abort) begin
      state_d = Idle;  // reads abort, written above
    end
  end
endmodule"""
    assert lint.comb_self_reads(text) == [(2, ["abort"])]


def test_flags_an_accumulating_or_and_an_indexed_read():
    text = """  always_comb begin
    errors_d = errors_q;
    errors_d = errors_d | bus_errors;
  end
  always_comb begin
    idx = base_q;
    mem_d[idx] = 1'b1;
  end"""
    assert lint.comb_self_reads(text) == [(1, ["errors_d"]), (5, ["idx"])]


def test_passes_defaults_then_overrides_and_loop_variables():
    text = """  always_comb begin : proc_next
    count_d = count_q;
    if (clear_i) begin
      count_d = '0;  // a comment with count_d = count_d + 1
    end else if (push && !pop) begin
      count_d = count_q + 1'b1;
    end
    for (int c = 0; c < 6; c++) begin
      cnt_d[c] = cnt_q[c] + 32'(inc[c]);
    end
  end"""
    assert lint.comb_self_reads(text) == []


def test_the_rtl_is_clean():
    assert lint.lint_comb_loops(lint.rtl_sources()) == []


def test_style_flags_long_lines_unnamed_blocks_labels_and_bare_ports():
    text = """module m #(
  parameter int A = 1
) (
  /// Documented.
  input  logic a_i,
  output logic b_o
);
  always_comb begin
    b_o = a_i;
  end
  for (genvar i = 0; i < A; i++) begin : gen_x
  end
  // """ + "x" * 100 + """
endmodule"""
    assert [line for line, _ in lint.style_findings(text)] == [8, 11, 13, 6]


def test_style_passes_the_house_layout():
    text = """module m (
  // A group heading, then each port's own comment.
  /// Documented.
  input  logic a_i,
  /// Documented too.
  output logic b_o
);
  always_comb begin : proc_b
    b_o = a_i;
  end
  if (1) begin : g_one
  end
endmodule"""
    assert lint.style_findings(text) == []


def test_the_rtl_keeps_the_house_layout():
    assert lint.lint_style(lint.rtl_sources()) == []


def test_style_refuses_a_unary_minus_before_a_size_cast():
    # Yosys 0.70 reads -W'(x) as W'(x): eie_relu_quant's TMin was +65537 in every netlist.
    text = """module m;
  localparam logic signed [17:0] A = -18'(65537);
  localparam logic signed [17:0] B = 18'(-65537);
  localparam logic signed [17:0] C = (W > 1) ? -W'(3) : '0;
  assign y = a - W'(b);
  assign z = a -W'(b);
endmodule"""
    assert [line for line, _ in lint.style_findings(text)] == [2, 4]
