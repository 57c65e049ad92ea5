// SPDX-License-Identifier: Apache-2.0
// eie_bcast_history_formal: properties of eie_bcast_history (1-3 PEs, history of 2
// or 4) for formal/bcast_history.sby. The CCU and the PEs are free, but for the
// contract that a PE's room is a prefix of its lanes. The wrapper counts each PE's
// lag itself (broadcasts written minus columns taken since the clear). Proved: a
// PE wants exactly the columns it lags, takes exactly those it wants and has room
// for, and never lags more than the history; a fresh broadcast is written exactly
// when offered in the compute phase unless some PE lags a whole history and takes
// nothing; an arbitrary broadcast, picked as it is written, reaches every PE once,
// on the lane after exactly the columns that were ahead of it, with its data;
// clear drops what some PE has not taken (and a broadcast written with it), so
// next cycle every PE is caught up and the next broadcast is each PE's next column.
// The lag, head, tail and caught-up registers, each PE's copy of the late writes'
// registers, the synchronous reads' registers and the history copies are read through
// Yosys hierconn wires, joined by flatten after memory_map.

`default_nettype none

module eie_bcast_history_formal #(
  /// PEs, passed to the DUT (1..3: the wrapper names each history word).
  parameter int NumPe        = 2,
  /// Broadcasts kept, passed to the DUT (2 or 4).
  parameter int HistoryDepth = 4,
  /// Bits of a broadcast, passed to the DUT.
  parameter int DataWidth    = 2,
  /// Take lanes, passed to the DUT (1 or 2).
  parameter int TakeLanes    = eie_pkg::TakeLanes,
  localparam int Lanes       = TakeLanes,
  localparam int LagWidth    = $clog2(HistoryDepth) + 1,
  localparam int AddrWidth   = $clog2(HistoryDepth)
) (
  /// Clock, rising edge.
  input  logic                        clk_i,
  /// Asynchronous reset, active low; low in the first cycle, free afterwards.
  input  logic                        rst_ni,
  /// Any clear.
  input  logic                        clear_i,
  /// Any compute phase.
  input  logic                        enable_i,
  /// Any fresh broadcast.
  input  logic                        fresh_valid_i,
  /// Any fresh data.
  input  logic [DataWidth-1:0]        fresh_data_i,
  /// Any room, a prefix of each PE's lanes.
  input  logic [NumPe-1:0][Lanes-1:0] pe_room_i,
  /// Track the broadcast written in this cycle (free).
  input  logic                        f_pick_i
);

  logic                                       fresh_take;
  logic [NumPe-1:0][Lanes-1:0]                want, take;
  logic [NumPe-1:0][Lanes-1:0][DataWidth-1:0] data;
  logic                                       full, caught_up;

  eie_bcast_history #(
    .NumPe        (NumPe),
    .HistoryDepth (HistoryDepth),
    .DataWidth    (DataWidth),
    .TakeLanes    (TakeLanes)
  ) dut (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .clear_i       (clear_i),
    .enable_i      (enable_i),
    .fresh_valid_i (fresh_valid_i),
    .fresh_data_i  (fresh_data_i),
    .fresh_take_o  (fresh_take),
    .pe_room_i     (pe_room_i),
    .want_o        (want),
    .take_o        (take),
    .data_o        (data),
    .full_o        (full),
    .caught_up_o   (caught_up)
  );

  // ---------------------------------------------------------------------------
  // The DUT's state, read through hierconn wires
  // ---------------------------------------------------------------------------
  // Driven by Yosys flatten, not by this source: Verilator sees them undriven, and
  // the words past NumPe and HistoryDepth unused.
  /* verilator lint_off UNDRIVEN */
  /* verilator lint_off UNUSEDSIGNAL */
  (* hierconn, keep *) logic [NumPe-1:0][LagWidth-1:0]  \dut.lag ;
  (* hierconn, keep *) logic [AddrWidth-1:0]             \dut.head_q ;
  (* hierconn, keep *) logic [NumPe-1:0][AddrWidth-1:0] \dut.tail_q ;
  (* hierconn, keep *) logic [NumPe-1:0][AddrWidth-1:0] \dut.tail1_q ;
  (* hierconn, keep *) logic [NumPe-1:0]                \dut.caught_q ;
  (* hierconn, keep *) logic [NumPe-1:0]                \dut.clear_q ;
  (* hierconn, keep *) logic [NumPe-1:0]                \dut.lag_nz_q ;
  (* hierconn, keep *) logic [NumPe-1:0]                \dut.lag_gt1_q ;
  (* hierconn, keep *) logic \dut.g_pe[0].wr_q ;
  (* hierconn, keep *) logic \dut.g_pe[0].wr_q2 ;
  (* hierconn, keep *) logic [AddrWidth-1:0] \dut.g_pe[0].wr_addr_q ;
  (* hierconn, keep *) logic [AddrWidth-1:0] \dut.g_pe[0].wr_addr_q2 ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[0].wr_data_q ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[0].wr_data_q2 ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[0].g_lane[0].read_q ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[0].g_lane[1].read_q ;
  (* hierconn, keep *) logic \dut.g_pe[1].wr_q ;
  (* hierconn, keep *) logic \dut.g_pe[1].wr_q2 ;
  (* hierconn, keep *) logic [AddrWidth-1:0] \dut.g_pe[1].wr_addr_q ;
  (* hierconn, keep *) logic [AddrWidth-1:0] \dut.g_pe[1].wr_addr_q2 ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[1].wr_data_q ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[1].wr_data_q2 ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[1].g_lane[0].read_q ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[1].g_lane[1].read_q ;
  (* hierconn, keep *) logic \dut.g_pe[2].wr_q ;
  (* hierconn, keep *) logic \dut.g_pe[2].wr_q2 ;
  (* hierconn, keep *) logic [AddrWidth-1:0] \dut.g_pe[2].wr_addr_q ;
  (* hierconn, keep *) logic [AddrWidth-1:0] \dut.g_pe[2].wr_addr_q2 ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[2].wr_data_q ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[2].wr_data_q2 ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[2].g_lane[0].read_q ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[2].g_lane[1].read_q ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[0].g_lane[0].history[0] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[0].g_lane[0].history[1] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[0].g_lane[0].history[2] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[0].g_lane[0].history[3] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[0].g_lane[1].history[0] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[0].g_lane[1].history[1] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[0].g_lane[1].history[2] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[0].g_lane[1].history[3] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[1].g_lane[0].history[0] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[1].g_lane[0].history[1] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[1].g_lane[0].history[2] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[1].g_lane[0].history[3] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[1].g_lane[1].history[0] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[1].g_lane[1].history[1] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[1].g_lane[1].history[2] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[1].g_lane[1].history[3] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[2].g_lane[0].history[0] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[2].g_lane[0].history[1] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[2].g_lane[0].history[2] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[2].g_lane[0].history[3] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[2].g_lane[1].history[0] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[2].g_lane[1].history[1] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[2].g_lane[1].history[2] ;
  (* hierconn, keep *) logic [DataWidth-1:0] \dut.g_pe[2].g_lane[1].history[3] ;
  /* verilator lint_on UNDRIVEN */
  // Per PE and lane, its copy of the history, word s at [s*DataWidth +: DataWidth]. Two
  // lanes always: with TakeLanes = 1 the second lane's names match nothing and go unused.
  logic [2:0][1:0][4*DataWidth-1:0]       f_words;
  // Per PE: its copy of the late write (wr_*_q) and of the write before (wr_*_q2);
  // per lane, the synchronous read's register.
  logic [2:0]                             f_wr, f_wr2;
  logic [2:0][AddrWidth-1:0]              f_wr_addr, f_wr_addr2;
  logic [2:0][DataWidth-1:0]              f_wr_data, f_wr_data2;
  logic [2:0][1:0][DataWidth-1:0]         f_read;
  /* verilator lint_on UNUSEDSIGNAL */

  assign f_words[0][0] = {\dut.g_pe[0].g_lane[0].history[3] , \dut.g_pe[0].g_lane[0].history[2] ,
                          \dut.g_pe[0].g_lane[0].history[1] , \dut.g_pe[0].g_lane[0].history[0] };
  assign f_words[0][1] = {\dut.g_pe[0].g_lane[1].history[3] , \dut.g_pe[0].g_lane[1].history[2] ,
                          \dut.g_pe[0].g_lane[1].history[1] , \dut.g_pe[0].g_lane[1].history[0] };
  assign f_words[1][0] = {\dut.g_pe[1].g_lane[0].history[3] , \dut.g_pe[1].g_lane[0].history[2] ,
                          \dut.g_pe[1].g_lane[0].history[1] , \dut.g_pe[1].g_lane[0].history[0] };
  assign f_words[1][1] = {\dut.g_pe[1].g_lane[1].history[3] , \dut.g_pe[1].g_lane[1].history[2] ,
                          \dut.g_pe[1].g_lane[1].history[1] , \dut.g_pe[1].g_lane[1].history[0] };
  assign f_words[2][0] = {\dut.g_pe[2].g_lane[0].history[3] , \dut.g_pe[2].g_lane[0].history[2] ,
                          \dut.g_pe[2].g_lane[0].history[1] , \dut.g_pe[2].g_lane[0].history[0] };
  assign f_words[2][1] = {\dut.g_pe[2].g_lane[1].history[3] , \dut.g_pe[2].g_lane[1].history[2] ,
                          \dut.g_pe[2].g_lane[1].history[1] , \dut.g_pe[2].g_lane[1].history[0] };

  assign f_wr[0]        = \dut.g_pe[0].wr_q ;
  assign f_wr2[0]       = \dut.g_pe[0].wr_q2 ;
  assign f_wr_addr[0]   = \dut.g_pe[0].wr_addr_q ;
  assign f_wr_addr2[0]  = \dut.g_pe[0].wr_addr_q2 ;
  assign f_wr_data[0]   = \dut.g_pe[0].wr_data_q ;
  assign f_wr_data2[0]  = \dut.g_pe[0].wr_data_q2 ;
  assign f_read[0][0]   = \dut.g_pe[0].g_lane[0].read_q ;
  assign f_read[0][1]   = \dut.g_pe[0].g_lane[1].read_q ;
  assign f_wr[1]        = \dut.g_pe[1].wr_q ;
  assign f_wr2[1]       = \dut.g_pe[1].wr_q2 ;
  assign f_wr_addr[1]   = \dut.g_pe[1].wr_addr_q ;
  assign f_wr_addr2[1]  = \dut.g_pe[1].wr_addr_q2 ;
  assign f_wr_data[1]   = \dut.g_pe[1].wr_data_q ;
  assign f_wr_data2[1]  = \dut.g_pe[1].wr_data_q2 ;
  assign f_read[1][0]   = \dut.g_pe[1].g_lane[0].read_q ;
  assign f_read[1][1]   = \dut.g_pe[1].g_lane[1].read_q ;
  assign f_wr[2]        = \dut.g_pe[2].wr_q ;
  assign f_wr2[2]       = \dut.g_pe[2].wr_q2 ;
  assign f_wr_addr[2]   = \dut.g_pe[2].wr_addr_q ;
  assign f_wr_addr2[2]  = \dut.g_pe[2].wr_addr_q2 ;
  assign f_wr_data[2]   = \dut.g_pe[2].wr_data_q ;
  assign f_wr_data2[2]  = \dut.g_pe[2].wr_data_q2 ;
  assign f_read[2][0]   = \dut.g_pe[2].g_lane[0].read_q ;
  assign f_read[2][1]   = \dut.g_pe[2].g_lane[1].read_q ;

  // ---------------------------------------------------------------------------
  // Ghost state: each PE's lag and the head, counted here; the tracked broadcast
  // ---------------------------------------------------------------------------
  logic                            f_init_q;
  logic                            f_past_q;
  logic                            f_clear_q;
  logic                            f_clear_q2;
  logic [NumPe-1:0][LagWidth-1:0]  f_lag_q;
  logic [AddrWidth-1:0]            f_head_q;
  logic [NumPe-1:0]                f_track_q;
  logic [NumPe-1:0][LagWidth-1:0]  f_ahead_q;
  logic [DataWidth-1:0]            f_data_q;
  logic [NumPe-1:0][LagWidth-1:0]  f_taken;
  logic                            f_pick;
  logic                            f_waits;

  for (genvar p = 0; p < NumPe; p++) begin : g_taken
    if (Lanes == 2) begin : g_two
      assign f_taken[p] = LagWidth'(take[p][0]) + LagWidth'(take[p][1]);
    end else begin : g_one
      assign f_taken[p] = LagWidth'(take[p][0]);
    end
  end

  // One broadcast tracked at a time, picked as it is written (not with a clear).
  assign f_pick = f_pick_i && fresh_take && !clear_i && f_track_q == '0;

  // The first cycle of every trace; the solver starts from the initial value.
  initial f_init_q = 1'b1;

  always @(posedge clk_i) begin : proc_init
    f_init_q <= 1'b0;
  end

  always @(posedge clk_i or negedge rst_ni) begin : proc_ghost
    if (!rst_ni) begin
      f_past_q  <= 1'b0;
      f_clear_q <= 1'b0;
      f_clear_q2 <= 1'b0;
      f_lag_q   <= '0;
      f_head_q  <= '0;
      f_track_q <= '0;
      f_ahead_q <= '0;
      f_data_q  <= '0;
    end else begin
      f_past_q  <= 1'b1;
      f_clear_q <= clear_i;
      f_clear_q2 <= f_clear_q;
      f_head_q  <= clear_i ? '0 : f_head_q + AddrWidth'(fresh_take);
      if (f_pick) f_data_q <= fresh_data_i;
      for (int p = 0; p < NumPe; p++) begin
        f_lag_q[p] <= clear_i ? '0 : f_lag_q[p] - f_taken[p] + LagWidth'(fresh_take);
        if (clear_i) begin
          f_track_q[p] <= 1'b0;
        end else if (f_pick) begin
          // Behind the columns this PE has yet to take after this cycle's.
          f_track_q[p] <= 1'b1;
          f_ahead_q[p] <= f_lag_q[p] - f_taken[p];
        end else if (f_track_q[p]) begin
          f_track_q[p] <= f_taken[p] <= f_ahead_q[p];
          f_ahead_q[p] <= f_ahead_q[p] - f_taken[p];
        end
      end
    end
  end

  // A fresh broadcast waits only for a PE a whole history behind that takes nothing.
  logic [NumPe-1:0] f_pe_waits;
  for (genvar p = 0; p < NumPe; p++) begin : g_waits
    assign f_pe_waits[p] = 32'(f_lag_q[p]) == HistoryDepth && !pe_room_i[p][0];
  end
  assign f_waits = |f_pe_waits;

  // ---------------------------------------------------------------------------
  // Assumptions: a reset first; room is a prefix of the lanes
  // ---------------------------------------------------------------------------
  always @* begin : proc_assume
    if (f_init_q) assume (!rst_ni);
  end

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
  always @* begin : proc_assert
    if (rst_ni) begin
      assert (fresh_take == (enable_i && fresh_valid_i && !f_waits));
      assert (full == f_waits);
      assert (caught_up == (f_lag_q == '0));
      // The state agrees with the counts (what makes the rest inductive).
      assert (\dut.head_q == f_head_q);
      // Cleared last cycle: nothing wanted, the next broadcast goes to slot 0.
      if (f_past_q && f_clear_q) assert (f_lag_q == '0 && f_head_q == '0 && want == '0);
      cover (f_past_q && f_clear_q && fresh_take && f_pick_i);
    end
  end

  for (genvar p = 0; p < NumPe; p++) begin : g_pe
    logic [AddrWidth-1:0]                  f_tail;
    logic [AddrWidth-1:0]                  f_slot;
    // Lane l's copy, word s at [(l*HistoryDepth + s)*DataWidth +: DataWidth].
    logic [Lanes*HistoryDepth*DataWidth-1:0] f_copies;

    // The tracked broadcast's slot in the history: the lag counts back from the head.
    assign f_tail   = f_head_q - AddrWidth'(f_lag_q[p]);
    assign f_slot   = f_tail + AddrWidth'(f_ahead_q[p]);
    for (genvar l = 0; l < Lanes; l++) begin : g_copy
      assign f_copies[l*HistoryDepth*DataWidth +: HistoryDepth*DataWidth] =
        f_words[p][l][HistoryDepth*DataWidth-1:0];
    end

    always @* begin : proc_assume_pe
      assume (!pe_room_i[p][Lanes-1] || pe_room_i[p][0]);
    end

    always @* begin : proc_assert_pe
      if (rst_ni) begin
        assert (32'(f_lag_q[p]) <= HistoryDepth);
        assert (\dut.lag [p] == f_lag_q[p]);
        // Each PE takes the clear a cycle late, from its own register: in the cycle
        // after a clear its lag reads 0 but its registers still hold the old layer's.
        assert (\dut.clear_q [p] == f_clear_q);
        if (!f_clear_q) begin
          assert (\dut.tail_q [p] == f_tail);
          assert (\dut.tail1_q [p] == f_tail + 1'b1);
          assert (\dut.caught_q [p] == (f_lag_q[p] == '0));
          assert (\dut.lag_nz_q [p] == (\dut.lag [p] != '0 && !f_wr[p] ||
                                          32'(\dut.lag [p]) > 1 && f_wr[p]));
          assert (\dut.lag_gt1_q [p] == (32'(\dut.lag [p]) > 1 && !f_wr[p] ||
                                           32'(\dut.lag [p]) > 2 && f_wr[p]));
        end
        // Every PE's copy of the late writes is the same; the write a cycle late
        // goes to the newest slot; the write that landed at this cycle's start is
        // in every copy.
        assert (f_wr[p] == f_wr[0] && f_wr2[p] == f_wr2[0]);
        if (f_wr[p]) assert (f_wr_addr[p] == f_head_q - 1'b1 && f_wr_data[p] == f_wr_data[0]);
        if (f_wr2[p]) begin
          assert (f_wr_addr2[p] == f_wr_addr2[0] && f_wr_data2[p] == f_wr_data2[0]);
          for (int l = 0; l < Lanes; l++) begin
            assert (f_copies[(l * HistoryDepth + 32'(f_wr_addr2[p])) * DataWidth +: DataWidth]
                    == f_wr_data2[p]);
          end
        end
        // The tracked broadcast is still in the history.
        if (f_track_q[p]) assert (f_ahead_q[p] < f_lag_q[p]);
        // The PE a whole history behind takes the tracked broadcast while the next
        // waits; a PE takes two columns, the tracked one in lane 1.
        cover (f_track_q[p] && f_ahead_q[p] == '0 && 32'(f_lag_q[p]) == HistoryDepth &&
               take[p][0] && fresh_valid_i && enable_i);
        cover (f_track_q[p] && f_ahead_q[p] == LagWidth'(1) && take[p][Lanes-1]);
        cover (f_track_q[p] && f_waits && clear_i);
      end
    end

    for (genvar l = 0; l < Lanes; l++) begin : g_lane
      logic [AddrWidth-1:0] f_read_addr;

      assign f_read_addr = f_tail + AddrWidth'(l);

      always @* begin : proc_assert_lane
        if (rst_ni) begin
          // Lane l wants the (l+1)-th column not taken; it takes it with room.
          assert (want[p][l] == (f_lag_q[p] > LagWidth'(l)));
          assert (take[p][l] == (want[p][l] && pe_room_i[p][l]));
          if (!want[p][l]) assert (data[p][l] == '0);
          // The tracked broadcast: in this lane's copy, and taken on lane l after the
          // l columns ahead of it, with its data.
          if (f_track_q[p]) begin
            // In this lane's copy, or still in the late write to its slot.
            if (f_wr[p] && f_wr_addr[p] == f_slot) begin
              assert (f_wr_data[p] == f_data_q);
            end else begin
              assert (f_copies[(l * HistoryDepth + 32'(f_slot)) * DataWidth +: DataWidth]
                      == f_data_q);
            end
            if (32'(f_ahead_q[p]) == l && take[p][l]) assert (data[p][l] == f_data_q);
          end
          // The synchronous read holds the word at the lane's address, but for the
          // write that landed since it was read (its first cycle out of reset aside),
          // and for the two cycles after a clear: it read where the takes moved, or
          // where the old layer's stale addresses pointed, and the word is never used
          // (nothing is wanted in the first; in the second lane 0 reads slot 0 from
          // the late write's register, and lane 1 wants nothing).
          if (f_past_q && !f_clear_q && !f_clear_q2 &&
              !(f_wr2[p] && f_wr_addr2[p] == f_read_addr)) begin
            assert (f_read[p][l] ==
                    f_copies[(l * HistoryDepth + 32'(f_read_addr)) * DataWidth +: DataWidth]);
          end
        end
      end
    end
  end

endmodule

`default_nettype wire
