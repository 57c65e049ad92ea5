// SPDX-License-Identifier: Apache-2.0
// eie_lnzd_node_formal: properties of eie_lnzd_node for formal/lnzd_node.sby. The
// children and the parent are free (no assumption but a reset in the first cycle).
// Proved: a child is taken only if it is the lowest valid one, at most one per
// cycle, and one is whenever the register has room; the output register holds
// next cycle exactly the item taken, else the stalled item, else nothing (so every
// item taken leaves once, unchanged, and a stalled output keeps valid and data);
// flush empties it and takes nothing.

`default_nettype none

module eie_lnzd_node_formal #(
  /// Bits of one item, passed to the DUT.
  parameter int DataWidth = 3,
  /// Children, passed to the DUT.
  parameter int NumInputs = 4
) (
  /// Clock, rising edge.
  input  logic                                clk_i,
  /// Asynchronous reset, active low; low in the first cycle, free afterwards.
  input  logic                                rst_ni,
  /// Any flush.
  input  logic                                flush_i,
  /// Any children.
  input  logic [NumInputs-1:0]                in_valid_i,
  /// Any child items.
  input  logic [NumInputs-1:0][DataWidth-1:0] in_data_i,
  /// Any parent.
  input  logic                                out_ready_i
);

  logic [NumInputs-1:0] in_ready;
  logic                 out_valid;
  logic [DataWidth-1:0] out_data;

  eie_lnzd_node #(
    .DataWidth (DataWidth),
    .NumInputs (NumInputs)
  ) dut (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .flush_i     (flush_i),
    .in_valid_i  (in_valid_i),
    .in_data_i   (in_data_i),
    .in_ready_o  (in_ready),
    .out_valid_o (out_valid),
    .out_data_o  (out_data),
    .out_ready_i (out_ready_i)
  );

  // ---------------------------------------------------------------------------
  // This cycle: the lowest valid child, and what the node should take
  // ---------------------------------------------------------------------------
  logic [NumInputs-1:0] f_lowest;
  logic [DataWidth-1:0] f_lowest_data;
  logic                 f_room;

  always_comb begin : proc_lowest
    f_lowest      = '0;
    f_lowest_data = '0;
    for (int i = NumInputs - 1; i >= 0; i--) begin
      if (in_valid_i[i]) begin
        f_lowest      = '0;
        f_lowest[i]   = 1'b1;
        f_lowest_data = in_data_i[i];
      end
    end
  end

  assign f_room = (!out_valid || out_ready_i) && !flush_i;

  // ---------------------------------------------------------------------------
  // Last cycle, kept for the checks of this one
  // ---------------------------------------------------------------------------
  logic                 f_init_q;
  logic                 f_past_q;
  logic                 f_flush_q;
  logic                 f_take_q;
  logic                 f_stall_q;
  logic [DataWidth-1:0] f_data_q;

  // The first cycle of every trace; the solver starts from the initial value.
  initial f_init_q = 1'b1;

  always @(posedge clk_i) begin : proc_init
    f_init_q <= 1'b0;
  end

  always @(posedge clk_i or negedge rst_ni) begin : proc_past
    if (!rst_ni) begin
      f_past_q  <= 1'b0;
      f_flush_q <= 1'b0;
      f_take_q  <= 1'b0;
      f_stall_q <= 1'b0;
      f_data_q  <= '0;
    end else begin
      f_past_q  <= 1'b1;
      f_flush_q <= flush_i;
      f_take_q  <= (in_ready != '0);
      f_stall_q <= out_valid && !out_ready_i && !flush_i;
      f_data_q  <= (in_ready != '0) ? f_lowest_data : out_data;
    end
  end

  always @* begin : proc_assume
    if (f_init_q) assume (!rst_ni);
  end

  always @* begin : proc_assert
    if (rst_ni) begin
      // Arbitration: only the lowest valid child, and it whenever there is room.
      assert (in_ready == (f_room ? f_lowest : '0));
      // The register: what was taken, else what stalled, else empty.
      if (!f_past_q || f_flush_q) begin
        assert (!out_valid);
      end else if (f_take_q || f_stall_q) begin
        assert (out_valid && out_data == f_data_q);
      end else begin
        assert (!out_valid);
      end
      // A stalled item leaves while the next is taken; the last child is served.
      cover (f_past_q && f_stall_q && out_ready_i && in_ready != '0);
      cover (out_valid && in_ready[NumInputs-1]);
    end
  end

endmodule

`default_nettype wire
