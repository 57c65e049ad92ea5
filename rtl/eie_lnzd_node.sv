// SPDX-License-Identifier: Apache-2.0
// eie_lnzd_node: one node of the LNZD quadtree, a registered in-order arbiter.
// It serves its children in index order: the lowest-index child that is not done
// (that may still offer an item) is granted, and its item is taken whenever the
// node's skid register is empty, one item per cycle. The output register feeds the
// parent; an item taken while the output stalls waits in the skid register, so the
// ready to the children is a register (timing: the parent's ready, and through it
// the CCU's, reaches no child in the same cycle). A granted child without an item
// blocks the higher ones, so the order of the items out does not depend on when
// the children offer them (a child still being written, eie_act_file). A flush
// empties both registers; a child handing over in that cycle loses its item.
// Output: valid/ready and done; after a stall valid stays high and data stays put.

`default_nettype none

module eie_lnzd_node #(
  /// Bits of one item (activation and its column index, as the PE packs them).
  parameter int DataWidth = eie_pkg::ActWidth + eie_pkg::ColIdxWidth,
  /// Children (1..4).
  parameter int NumInputs = 4
) (
  /// Clock, rising edge.
  input  logic                                clk_i,
  /// Asynchronous reset, active low.
  input  logic                                rst_ni,
  /// Empty both registers; an item handed over in this cycle is dropped.
  input  logic                                flush_i,
  /// Child n offers in_data_i[n].
  input  logic [NumInputs-1:0]                in_valid_i,
  /// Child n offers nothing now and will offer nothing more (until a flush).
  input  logic [NumInputs-1:0]                in_done_i,
  /// Child items.
  input  logic [NumInputs-1:0][DataWidth-1:0] in_data_i,
  /// The node takes child n's item if it offers one: at most one bit set, for the
  /// lowest child not done, and only when the skid register is empty (a register).
  output logic [NumInputs-1:0]                in_ready_o,
  /// The output register holds an item.
  output logic                                out_valid_o,
  /// The item in the output register.
  output logic [DataWidth-1:0]                out_data_o,
  /// The parent takes the output item this cycle.
  input  logic                                out_ready_i,
  /// Nothing in either register and every child done.
  output logic                                out_done_o,
  /// The skid register holds an item (for the tree's assertions and proofs).
  output logic                                skid_valid_o,
  /// The item in the skid register (for the tree's proofs).
  output logic [DataWidth-1:0]                skid_data_o
);

  initial begin : proc_check_params
    if (DataWidth < 1) $fatal(1, "eie_lnzd_node: DataWidth must be >= 1, got %0d", DataWidth);
    if (NumInputs < 1 || NumInputs > 4) begin
      $fatal(1, "eie_lnzd_node: NumInputs must be 1..4, got %0d", NumInputs);
    end
  end

  logic                 can_take;
  logic                 take;
  logic                 out_free;
  logic [NumInputs-1:0] grant;
  logic [DataWidth-1:0] grant_data;
  logic                 out_valid_d, out_valid_q;
  logic [DataWidth-1:0] out_data_d, out_data_q;
  // Holds the item taken while the output stalled; full only while the output is.
  logic                 skid_valid_d, skid_valid_q;
  logic [DataWidth-1:0] skid_data_d, skid_data_q;

  // ---------------------------------------------------------------------------
  // In-order select: the lowest-index child not done (loop runs downwards, last hit wins)
  // ---------------------------------------------------------------------------
  always_comb begin : proc_grant
    grant      = '0;
    grant_data = '0;
    for (int i = NumInputs - 1; i >= 0; i--) begin
      if (!in_done_i[i]) begin
        grant      = NumInputs'(1) << i;
        grant_data = in_data_i[i];
      end
    end
  end

  // Neither the parent's ready nor the flush: the ready to the children is a register.
  assign can_take   = !skid_valid_q;
  assign take       = can_take && (in_valid_i & grant) != '0;
  assign in_ready_o = can_take ? grant : '0;
  assign out_free   = !out_valid_q || out_ready_i;

  // ---------------------------------------------------------------------------
  // Output and skid registers: the output takes the skid's item, else the child's;
  // a child's item goes to the skid only while the output stalls.
  // ---------------------------------------------------------------------------
  always_comb begin : proc_next
    out_valid_d  = out_valid_q;
    out_data_d   = out_data_q;
    skid_valid_d = skid_valid_q;
    skid_data_d  = skid_data_q;
    if (flush_i) begin
      out_valid_d  = 1'b0;
      skid_valid_d = 1'b0;
    end else if (out_free) begin
      out_valid_d  = skid_valid_q || take;
      out_data_d   = skid_valid_q ? skid_data_q : grant_data;
      skid_valid_d = 1'b0;
    end else if (take) begin
      skid_valid_d = 1'b1;
      skid_data_d  = grant_data;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_regs
    if (!rst_ni) begin
      out_valid_q  <= 1'b0;
      out_data_q   <= '0;
      skid_valid_q <= 1'b0;
      skid_data_q  <= '0;
    end else begin
      out_valid_q  <= out_valid_d;
      out_data_q   <= out_data_d;
      skid_valid_q <= skid_valid_d;
      skid_data_q  <= skid_data_d;
    end
  end

  assign out_valid_o  = out_valid_q;
  assign out_data_o   = out_data_q;
  assign skid_valid_o = skid_valid_q;
  assign skid_data_o  = skid_data_q;
  // The skid is full only while the output is (asserted below).
  assign out_done_o  = !out_valid_q && (&in_done_i);

`ifndef SYNTHESIS
  // ---------------------------------------------------------------------------
  // Assertions (simulation only)
  // A plain always: Icarus -Wall flags system tasks inside an always_ff. $fatal,
  // not $error: Icarus carries on after $error and the cocotb test would pass.
  // ---------------------------------------------------------------------------
  logic [NumInputs-1:0] handshake;
  logic                 out_stall_q;
  logic [DataWidth-1:0] out_stall_data_q;

  assign handshake = in_valid_i & in_ready_o;

  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (!rst_ni) begin
      out_stall_q      <= 1'b0;
      out_stall_data_q <= '0;
    end else begin
      assert ((handshake & (handshake - 1'b1)) == '0)
        else $fatal(1, "eie_lnzd_node: more than one child taken (%b)", handshake);
      assert (handshake == '0 || (~in_done_i & (handshake - 1'b1)) == '0)
        else $fatal(1, "eie_lnzd_node: child %b taken before a lower one not done (%b)",
                    handshake, in_done_i);
      assert ((in_valid_i & in_done_i) == '0)
        else $fatal(1, "eie_lnzd_node: a child offers an item and says it is done (%b)",
                    in_valid_i & in_done_i);
      assert (!can_take || (in_valid_i & grant) == '0 || handshake != '0)
        else $fatal(1, "eie_lnzd_node: room and the granted child valid, but nothing taken");
      assert (!skid_valid_q || out_valid_q)
        else $fatal(1, "eie_lnzd_node: skid register full with the output empty");
      assert (!out_stall_q || (out_valid_o && out_data_o == out_stall_data_q))
        else $fatal(1, "eie_lnzd_node: output changed or vanished while stalled");
      out_stall_q      <= out_valid_o && !out_ready_i && !flush_i;
      out_stall_data_q <= out_data_o;
    end
  end
`endif

endmodule

`default_nettype wire
