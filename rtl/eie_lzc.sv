// SPDX-License-Identifier: Apache-2.0
// eie_lzc: leading non-zero detector, combinational. index_o is the lowest set
// bit of bits_i (bit 0 has priority) and 0 when empty_o. A binary tree of
// log2(Width) levels in labelled generate blocks, as pulp cc_lzc; no handshake.
// clk_i/rst_ni (every block has them) only sample the self-check assertions.

`default_nettype none

module eie_lzc #(
  /// Bits searched (>= 1, any value; the tree is padded to a power of two).
  parameter int Width = 8
) (
  /// Clock; only the simulation assertions use it.
  input  logic                                    clk_i,
  /// Asynchronous reset, active low; only the simulation assertions use it.
  input  logic                                    rst_ni,
  /// Bits to search; bit 0 has the highest priority.
  input  logic [Width-1:0]                        bits_i,
  /// Index of the lowest set bit of bits_i; 0 when empty_o.
  output logic [(Width > 1 ? $clog2(Width) : 1)-1:0] index_o,
  /// No bit of bits_i is set.
  output logic                                    empty_o
);

  localparam int NumLevels   = $clog2(Width);
  localparam int PaddedWidth = 1 << NumLevels;
  localparam int IdxWidth    = (Width > 1) ? NumLevels : 1;

  initial begin : proc_check_params
    if (Width < 1) $fatal(1, "eie_lzc: Width must be >= 1, got %0d", Width);
  end

  // ---------------------------------------------------------------------------
  // Tree: level 0 are the (padded) input bits, level NumLevels the root. Every
  // node carries a full-width index; level l sets bit l-1 when the right child wins.
  // Per-level vectors are flat (node n at [n*IdxWidth +: IdxWidth]): Yosys cannot
  // size a packed 2-D array declared inside a generate block.
  // ---------------------------------------------------------------------------
  for (genvar l = 0; l <= NumLevels; l++) begin : g_level
    localparam int NumNodes = PaddedWidth >> l;

    logic [NumNodes-1:0]          valid;
    logic [NumNodes*IdxWidth-1:0] index;

    if (l == 0) begin : g_leaves
      assign valid = NumNodes'(bits_i);
      assign index = '0;
    end else begin : g_nodes
      localparam logic [IdxWidth-1:0] LevelBit = IdxWidth'(1) << (l - 1);

      for (genvar n = 0; n < NumNodes; n++) begin : g_node
        logic sel_right;

        // The right child wins only when the left one has no bit set.
        assign sel_right = !g_level[l-1].valid[2*n] && g_level[l-1].valid[2*n+1];
        assign valid[n]  = g_level[l-1].valid[2*n] || g_level[l-1].valid[2*n+1];
        assign index[n*IdxWidth +: IdxWidth] =
            sel_right ? (g_level[l-1].index[(2*n+1)*IdxWidth +: IdxWidth] | LevelBit)
                      : g_level[l-1].index[2*n*IdxWidth +: IdxWidth];
      end
    end
  end

  assign index_o = g_level[NumLevels].index;
  assign empty_o = !g_level[NumLevels].valid[0];

`ifndef SYNTHESIS
  // ---------------------------------------------------------------------------
  // Assertions (simulation only), sampled at the clock so that no glitch fires.
  // A plain always: Icarus -Wall flags system tasks inside an always_ff. $fatal,
  // not $error: Icarus carries on after $error and the cocotb test would pass.
  // ---------------------------------------------------------------------------
  logic [Width-1:0] below_index;

  assign below_index = (Width'(1) << index_o) - Width'(1);

  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (rst_ni && !$isunknown(bits_i)) begin
      assert (empty_o == (bits_i == '0))
        else $fatal(1, "eie_lzc: empty_o=%0b for bits %b", empty_o, bits_i);
      assert (empty_o || (((bits_i >> index_o) & Width'(1)) != '0 && (bits_i & below_index) == '0))
        else $fatal(1, "eie_lzc: index %0d is not the lowest set bit of %b", index_o, bits_i);
      assert (!empty_o || index_o == '0)
        else $fatal(1, "eie_lzc: index %0d while empty", index_o);
    end
  end
`endif

endmodule

`default_nettype wire
