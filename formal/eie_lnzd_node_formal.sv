// SPDX-License-Identifier: Apache-2.0
// eie_lnzd_node_formal: properties of eie_lnzd_node for formal/lnzd_node.sby. The
// children keep the node's contract (a done child offers nothing and stays done
// until a flush); otherwise children and parent are free. Proved against a two-entry
// queue kept here: in_ready_o is the lowest child not done whenever the queue held
// fewer than two items at the start of the cycle, else nothing, whatever the parent's
// ready and the flush (so no child above a child not done is taken, and a granted
// child with an item is taken); within a flush epoch children are taken in index
// order; the output register is the queue's head and the skid register its second
// item (each item leaves once, in order, unchanged; a stalled output keeps valid and
// data); flush empties both; out_done_o iff both are empty and every child done.

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
  logic                 skid_valid;
  logic [DataWidth-1:0] skid_data;

  eie_lnzd_node #(
    .DataWidth (DataWidth),
    .NumInputs (NumInputs)
  ) dut (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .flush_i      (flush_i),
    .in_valid_i   (in_valid_i),
    .in_done_i    (in_done_i),
    .in_data_i    (in_data_i),
    .in_ready_o   (in_ready),
    .out_valid_o  (out_valid),
    .out_data_o   (out_data),
    .out_ready_i  (out_ready_i),
    .out_done_o   (out_done),
    .skid_valid_o (skid_valid),
    .skid_data_o  (skid_data)
  );

  // ---------------------------------------------------------------------------
  // This cycle: the lowest child not done, and what the node should take
  // ---------------------------------------------------------------------------
  // The queue: how many items the node holds, the head (output) and the second (skid).
  logic [1:0]           f_count_q;
  logic [DataWidth-1:0] f_head_q, f_second_q;
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

  assign f_room = f_count_q != 2'd2;
  assign f_fire = in_valid_i & in_ready;
  assign f_take = f_fire != '0;

  // ---------------------------------------------------------------------------
  // Last cycle, kept for the checks of this one
  // ---------------------------------------------------------------------------
  logic                 f_init_q;
  logic                 f_past_q;
  logic                 f_flush_q;
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
      f_stall_q      <= 1'b0;
      f_count_q      <= '0;
      f_head_q       <= '0;
      f_second_q     <= '0;
      f_data_q       <= '0;
      f_done_q       <= '0;
      f_served_q     <= 1'b0;
      f_served_idx_q <= '0;
    end else begin
      f_past_q  <= 1'b1;
      f_flush_q <= flush_i;
      f_stall_q <= out_valid && !out_ready_i && !flush_i;
      f_data_q  <= out_data;
      f_done_q  <= in_done_i;
      // The queue: the head leaves when the parent is ready, the item taken joins.
      if (flush_i) begin
        f_count_q <= '0;
      end else if (out_ready_i && f_count_q != '0) begin
        f_count_q  <= f_count_q - 2'(!f_take);
        f_head_q   <= (f_count_q == 2'd2) ? f_second_q : f_lowest_data;
        f_second_q <= f_lowest_data;
      end else if (f_take) begin
        f_count_q <= f_count_q + 1'b1;
        if (f_count_q == '0) f_head_q <= f_lowest_data;
        else                 f_second_q <= f_lowest_data;
      end
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
      // Children in index order since the last flush: those below the last one served
      // are done (they were when it was taken, and stay so) and never ready.
      assert (f_order_ok);
      // Done: nothing held and nothing to come from any child.
      assert (out_done == (!out_valid && in_done_i == '1));
      // The registers are the queue: the output its head, the skid its second item.
      assert (f_count_q != 2'd3);
      assert (out_valid == (f_count_q != '0));
      assert (skid_valid == (f_count_q == 2'd2));
      if (f_count_q != '0) assert (out_data == f_head_q);
      if (f_count_q == 2'd2) assert (skid_data == f_second_q);
      // Flush empties the node; a stalled output keeps valid and data.
      if (f_past_q && f_flush_q) assert (!out_valid);
      if (!f_past_q) assert (!out_valid);
      if (f_past_q && f_stall_q) assert (out_valid && out_data == f_data_q);
      // A stalled item leaves while the next is taken; the last child is served after
      // the others are done; a granted child without an item blocks the others.
      cover (f_past_q && f_stall_q && out_ready_i && f_take);
      cover (out_valid && f_fire[NumInputs-1] && f_served_q);
      cover (f_room && in_ready != '0 && !f_take && in_valid_i != '0);
      cover (f_past_q && !f_flush_q && out_done);
      // Both registers full, the parent taking one while the skid's item moves up.
      cover (f_count_q == 2'd2 && out_ready_i && !flush_i);
    end
  end

endmodule

`default_nettype wire
