// SPDX-License-Identifier: Apache-2.0
// Combinational maximum of NumInputs unsigned values, as a balanced binary tree
// (ceil(log2(NumInputs)) comparator levels, not a chain of NumInputs).

`default_nettype none

module eie_max_tree #(
  /// Number of values.
  parameter int NumInputs = 4,
  /// Width of each value.
  parameter int Width     = 8
) (
  /// Value i at [i*Width +: Width].
  input  logic [NumInputs*Width-1:0] values_i,
  /// The largest value.
  output logic [Width-1:0]           max_o
);

  localparam int NumLevels = (NumInputs > 1) ? $clog2(NumInputs) : 0;

  initial begin : proc_check_params
    if (NumInputs < 1) $fatal(1, "eie_max_tree: NumInputs must be >= 1, got %0d", NumInputs);
    if (Width < 1) $fatal(1, "eie_max_tree: Width must be >= 1, got %0d", Width);
  end

  // Level l has ceil(NumInputs / 2^l) values; value n of level l is the larger of
  // values 2n and 2n+1 of level l-1 (an odd one out passes through). Flat
  // vectors: Yosys cannot size a packed 2-D array declared in a generate block.
  for (genvar l = 0; l <= NumLevels; l++) begin : g_level
    localparam int NumValues = (NumInputs + (1 << l) - 1) >> l;
    logic [NumValues*Width-1:0] value;

    if (l == 0) begin : g_inputs
      assign value = values_i;
    end else begin : g_compare
      localparam int NumBelow = (NumInputs + (1 << (l - 1)) - 1) >> (l - 1);
      for (genvar n = 0; n < NumValues; n++) begin : g_node
        if (2 * n + 1 < NumBelow) begin : g_pair
          logic [Width-1:0] a, b;
          assign a = g_level[l-1].value[2*n*Width +: Width];
          assign b = g_level[l-1].value[(2*n+1)*Width +: Width];
          assign value[n*Width +: Width] = (a >= b) ? a : b;
        end else begin : g_single
          assign value[n*Width +: Width] = g_level[l-1].value[2*n*Width +: Width];
        end
      end
    end
  end

  assign max_o = g_level[NumLevels].value[Width-1:0];

endmodule

`default_nettype wire
