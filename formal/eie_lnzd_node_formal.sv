// SPDX-License-Identifier: Apache-2.0
// eie_lnzd_node_formal: properties of eie_lnzd_node for formal/lnzd_node.sby. The
// children keep the node's contract (a done child offers nothing and stays done
// until a flush); otherwise children and parent are free. Proved: in_ready_o is the
// lowest child not done whenever the register has room and no flush, else nothing
// (so no child above a child not done is taken, and a granted child with an item
// is taken); within a flush epoch children are taken in index order; the register
// holds next cycle exactly the item taken, else the stalled item, else nothing (each
// item leaves once, unchanged; a stalled output keeps valid and data); flush empties
// it and takes nothing; out_done_o iff the register is empty and every child done.

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
  /// Any children, but no item from a done child.
  input  logic [NumInputs-1:0]                in_valid_i,
  /// Any done flags, but one falls only in the cycle after a flush.
  input  logic [NumInputs-1:0]                in_done_i,
  /// Any child items.
  input  logic [NumInputs-1:0][DataWidth-1:0] in_data_i,
  /// Any parent.
  input  logic                                out_ready_i
);

  localparam int IdxWidth = (NumInputs > 1) ? $clog2(NumInputs) : 1;

  logic [NumInputs-1:0] in_ready;
  logic                 out_valid;
  logic [DataWidth-1:0] out_data;
  logic                 out_done;

  eie_lnzd_node #(
    .DataWidth (DataWidth),
    .NumInputs (NumInputs)
  ) dut (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .flush_i     (flush_i),
    .in_valid_i  (in_valid_i),
    .in_done_i   (in_done_i),
    .in_data_i   (in_data_i),
    .in_ready_o  (in_ready),
    .out_valid_o (out_valid),
    .out_data_o  (out_data),
    .out_ready_i (out_ready_i),
    .out_done_o  (out_done)
  );

  // ---------------------------------------------------------------------------
  // This cycle: the lowest child not done, and what the node should take
  // ---------------------------------------------------------------------------
  logic [NumInputs-1:0] f_lowest;
  logic [DataWidth-1:0] f_lowest_data;
  logic [IdxWidth-1:0]  f_lowest_idx;
  logic                 f_room;
  logic [NumInputs-1:0] f_fire;
  logic                 f_take;
  // in_ready_o names no child above a child not done; no child below the last one
  // served since the flush is ready or not done.
  logic                 f_above_done_ok;
  logic                 f_order_ok;

  always_comb begin : proc_lowest
    f_lowest      = '0;
    f_lowest_data = '0;
    f_lowest_idx  = '0;
    for (int i = NumInputs - 1; i >= 0; i--) begin
      if (!in_done_i[i]) begin
        f_lowest      = '0;
        f_lowest[i]   = 1'b1;
        f_lowest_data = in_data_i[i];
        f_lowest_idx  = IdxWidth'(i);
      end
    end
  end

  assign f_room = (!out_valid || out_ready_i) && !flush_i;
  assign f_fire = in_valid_i & in_ready;
  assign f_take = f_fire != '0;

  // ---------------------------------------------------------------------------
  // Last cycle, kept for the checks of this one
  // ---------------------------------------------------------------------------
  logic                 f_init_q;
  logic                 f_past_q;
  logic                 f_flush_q;
  logic                 f_take_q;
  logic                 f_stall_q;
  logic [DataWidth-1:0] f_data_q;
  logic [NumInputs-1:0] f_done_q;
  // A child was taken since the last flush, and the last such child.
  logic                 f_served_q;
  logic [IdxWidth-1:0]  f_served_idx_q;

  // The first cycle of every trace; the solver starts from the initial value.
  initial f_init_q = 1'b1;

  always @(posedge clk_i) begin : proc_init
    f_init_q <= 1'b0;
  end

  always @(posedge clk_i or negedge rst_ni) begin : proc_past
    if (!rst_ni) begin
      f_past_q       <= 1'b0;
      f_flush_q      <= 1'b0;
      f_take_q       <= 1'b0;
      f_stall_q      <= 1'b0;
      f_data_q       <= '0;
      f_done_q       <= '0;
      f_served_q     <= 1'b0;
      f_served_idx_q <= '0;
    end else begin
      f_past_q  <= 1'b1;
      f_flush_q <= flush_i;
      f_take_q  <= f_take;
      f_stall_q <= out_valid && !out_ready_i && !flush_i;
      f_data_q  <= f_take ? f_lowest_data : out_data;
      f_done_q  <= in_done_i;
      if (flush_i) begin
        f_served_q <= 1'b0;
      end else if (f_take) begin
        f_served_q     <= 1'b1;
        f_served_idx_q <= f_lowest_idx;
      end
    end
  end

  always_comb begin : proc_order
    f_above_done_ok = 1'b1;
    f_order_ok      = 1'b1;
    for (int i = 0; i < NumInputs; i++) begin
      for (int j = 0; j < i; j++) begin
        if (in_ready[i] && !in_done_i[j]) f_above_done_ok = 1'b0;
      end
      if (f_served_q && 32'(i) < 32'(f_served_idx_q) && (!in_done_i[i] || in_ready[i])) begin
        f_order_ok = 1'b0;
      end
    end
  end

  // ---------------------------------------------------------------------------
  // Assumptions: a reset first; the children's contract (the RTL's header)
  // ---------------------------------------------------------------------------
  always @* begin : proc_assume
    if (f_init_q) assume (!rst_ni);
    // A done child offers nothing now ...
    assume ((in_valid_i & in_done_i) == '0);
    // ... and will offer nothing more: done falls only in the cycle after a flush.
    if (rst_ni && f_past_q && !f_flush_q) assume ((f_done_q & ~in_done_i) == '0);
  end

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
  always @* begin : proc_assert
    if (rst_ni) begin
      // In order: only the lowest child not done, and it whenever there is room.
      assert (in_ready == (f_room ? f_lowest : '0));
      assert (f_above_done_ok);
      assert (!flush_i || in_ready == '0);
      // Children in index order since the last flush: those below the last one served
      // are done (they were when it was taken, and stay so) and never ready.
      assert (f_order_ok);
      // Done: nothing held and nothing to come from any child.
      assert (out_done == (!out_valid && in_done_i == '1));
      // The register: what was taken, else what stalled, else empty.
      if (!f_past_q || f_flush_q) begin
        assert (!out_valid);
      end else if (f_take_q || f_stall_q) begin
        assert (out_valid && out_data == f_data_q);
      end else begin
        assert (!out_valid);
      end
      // A stalled item leaves while the next is taken; the last child is served after
      // the others are done; a granted child without an item blocks the others.
      cover (f_past_q && f_stall_q && out_ready_i && f_take);
      cover (out_valid && f_fire[NumInputs-1] && f_served_q);
      cover (f_room && in_ready != '0 && !f_take && in_valid_i != '0);
      cover (f_past_q && !f_flush_q && out_done);
    end
  end

endmodule

`default_nettype wire
