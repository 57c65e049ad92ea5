// SPDX-License-Identifier: Apache-2.0
// eie_lnzd_tree: the LNZD quadtree gathering the PEs' non-zero activations into
// one stream. ceil(log4(NumLeaves)) register levels (at least one) of
// eie_lnzd_node; each node serves its children in index order, so the items come
// out leaf by leaf (leaf 0's first) whenever the leaves offer them, one item per
// cycle at full throughput. Leaves and root are valid/ready, each leaf also says
// when it is done; every leaf item reaches the root once (unless flushed). Each
// node's ready to its children is a register (its skid register empty), so the
// root's ready and the flush reach no leaf in the same cycle (timing: the CCU's
// history-full OR over every PE would otherwise run on down to every leaf).

`default_nettype none

module eie_lnzd_tree #(
  /// Leaves, one per PE (1..256).
  parameter int NumLeaves = 64,
  /// Bits of one item (activation and its column index, as the PE packs them).
  parameter int DataWidth = eie_pkg::ActWidth + eie_pkg::ColIdxWidth
) (
  /// Clock, rising edge.
  input  logic                                clk_i,
  /// Asynchronous reset, active low.
  input  logic                                rst_ni,
  /// Empty every node register; an item a leaf hands over in this cycle is dropped.
  input  logic                                flush_i,
  /// Leaf n offers leaf_data_i[n].
  input  logic [NumLeaves-1:0]                leaf_valid_i,
  /// Leaf i offers nothing now and will offer nothing more in this layer.
  input  logic [NumLeaves-1:0]                leaf_done_i,
  /// Leaf items.
  input  logic [NumLeaves-1:0][DataWidth-1:0] leaf_data_i,
  /// Leaf n's item is taken this cycle.
  output logic [NumLeaves-1:0]                leaf_ready_o,
  /// The root register holds an item.
  output logic                                root_valid_o,
  /// The item in the root register.
  output logic [DataWidth-1:0]                root_data_o,
  /// The consumer takes the root item this cycle.
  input  logic                                root_ready_i,
  /// Every leaf is done and no node register (root included) holds an item.
  output logic                                done_o
);

  // ceil(log4(n)) == ceil(ceil(log2(n)) / 2).
  localparam int NumLevels = (NumLeaves > 4) ? ($clog2(NumLeaves) + 1) / 2 : 1;

  // Nodes of the levels below level l: level l's first in the vectors of every node.
  function automatic int nodes_below(input int l);
    nodes_below = 0;
    for (int k = 1; k < l; k++) nodes_below += (NumLeaves + (1 << (2 * k)) - 1) >> (2 * k);
  endfunction

  localparam int NumNodesAll = nodes_below(NumLevels + 1);

  // Every node's skid register, level 1's nodes first, the root last: read only by
  // formal/eie_lnzd_tree_formal.sv (the tree's logic needs none of them).
  /* verilator lint_off UNUSEDSIGNAL */
  logic [NumNodesAll-1:0]           skid_valid;
  logic [NumNodesAll*DataWidth-1:0] skid_data;
  /* verilator lint_on UNUSEDSIGNAL */

  initial begin : proc_check_params
    if (NumLeaves < 1 || NumLeaves > 256) begin
      $fatal(1, "eie_lnzd_tree: NumLeaves must be 1..256, got %0d", NumLeaves);
    end
    if (DataWidth < 1) $fatal(1, "eie_lnzd_tree: DataWidth must be >= 1, got %0d", DataWidth);
  end

  // ---------------------------------------------------------------------------
  // Level l (1 = next to the leaves, NumLevels = root) has ceil(NumLeaves / 4^l)
  // nodes; node n serves children 4n .. 4n+3 of the level below (fewer at the end).
  // Per-level vectors are flat (item n at [n*DataWidth +: DataWidth]): Yosys cannot
  // size a packed 2-D array declared inside a generate block.
  // ---------------------------------------------------------------------------
  for (genvar l = 1; l <= NumLevels; l++) begin : g_level
    localparam int NumChildren = (NumLeaves + (1 << (2 * (l - 1))) - 1) >> (2 * (l - 1));
    localparam int NumNodes    = (NumChildren + 3) / 4;
    // This level's first node in skid_valid and skid_data.
    localparam int First       = nodes_below(l);

    logic [NumChildren-1:0]           child_valid;
    logic [NumChildren-1:0]           child_done;
    logic [NumChildren*DataWidth-1:0] child_data;
    logic [NumChildren-1:0]           child_ready;
    logic [NumNodes-1:0]              valid;
    logic [NumNodes*DataWidth-1:0]    data;
    logic [NumNodes-1:0]              ready;
    logic [NumNodes-1:0]              done;

    if (l == 1) begin : g_from_leaves
      assign child_valid = leaf_valid_i;
      assign child_done  = leaf_done_i;
      assign child_data  = leaf_data_i;
    end else begin : g_from_below
      assign child_valid = g_level[l-1].valid;
      assign child_done  = g_level[l-1].done;
      assign child_data  = g_level[l-1].data;
    end

    if (l == NumLevels) begin : g_to_root
      assign ready = root_ready_i;
    end else begin : g_to_above
      assign ready = g_level[l+1].child_ready;
    end

    for (genvar n = 0; n < NumNodes; n++) begin : g_node
      localparam int NumInputs = (NumChildren - 4 * n < 4) ? NumChildren - 4 * n : 4;

      eie_lnzd_node #(
        .DataWidth (DataWidth),
        .NumInputs (NumInputs)
      ) u_node (
        .clk_i        (clk_i),
        .rst_ni       (rst_ni),
        .flush_i      (flush_i),
        .in_valid_i   (child_valid[4*n +: NumInputs]),
        .in_done_i    (child_done[4*n +: NumInputs]),
        .in_data_i    (child_data[4*n*DataWidth +: NumInputs*DataWidth]),
        .in_ready_o   (child_ready[4*n +: NumInputs]),
        .out_valid_o  (valid[n]),
        .out_data_o   (data[n*DataWidth +: DataWidth]),
        .out_ready_i  (ready[n]),
        .out_done_o   (done[n]),
        .skid_valid_o (skid_valid[First + n]),
        .skid_data_o  (skid_data[(First + n)*DataWidth +: DataWidth])
      );
    end

`ifndef SYNTHESIS
    // Node registers of this level and the ones below loaded this cycle (a node
    // loads exactly when one of its children hands over outside a flush):
    // eie_core_events counts them.
    int moves;
    if (l == 1) begin : g_moves_first
      assign moves = flush_i ? 0 : $countones(child_valid & child_ready);
    end else begin : g_moves_next
      assign moves = flush_i ? 0 : g_level[l-1].moves + $countones(child_valid & child_ready);
    end
`endif
  end

  assign leaf_ready_o = g_level[1].child_ready;
  assign root_valid_o = g_level[NumLevels].valid;
  assign root_data_o  = g_level[NumLevels].data;
  assign done_o       = g_level[NumLevels].done;

`ifndef SYNTHESIS
  // Every node register loaded this cycle (simulation only: eie_core_events reads it).
  int node_moves;
  assign node_moves = g_level[NumLevels].moves;

  // ---------------------------------------------------------------------------
  // Assertions (simulation only); each node checks its own handshakes.
  // A plain always: Icarus -Wall flags system tasks inside an always_ff. $fatal,
  // not $error: Icarus carries on after $error and the cocotb test would pass.
  // ---------------------------------------------------------------------------
  logic [NumLeaves-1:0] leaf_handshake;

  assign leaf_handshake = leaf_valid_i & leaf_ready_o;

  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (rst_ni) begin
      // One item a cycle into each node: at most one leaf per level-1 node.
      assert ($countones(leaf_handshake) <= (NumLeaves + 3) / 4)
        else $fatal(1, "eie_lnzd_tree: %0d leaves taken in one cycle", $countones(leaf_handshake));
    end
  end
`endif

endmodule

`default_nettype wire
