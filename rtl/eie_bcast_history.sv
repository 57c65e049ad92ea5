// SPDX-License-Identifier: Apache-2.0
// Broadcast history. Instead of holding every PE while one PE's queue is full,
// the CCU writes each broadcast (activation and pointer index) into a history
// of the layer's last HistoryDepth broadcasts, one per cycle, and every PE
// reads the history at its own place: a PE with room takes the next columns it
// has not taken yet, however far behind the newest those are. A PE whose queue
// is full simply falls behind and catches up later, while the others carry on;
// a full queue no longer idles the array, which is what held the paper's
// layers 1-16 % over their bound (README "Numbers", scripts/broadcast_study.py).
//
// A PE takes up to TakeLanes (one or two) columns per cycle, oldest first in lane
// 0, as many as it has room for: with two, a PE that is behind runs through columns
// without entries for it faster than the broadcast, so such a column seldom costs
// it a cycle of its own.
//
// A PE's lag is how many of the layer's broadcasts it has not taken yet; it
// never exceeds HistoryDepth. A fresh broadcast waits only while some PE lags
// a whole history behind and takes nothing (it would overwrite that PE's next
// column).
//
// Each PE reads its own entries through TakeLanes read ports, each with its own
// copy of the history (one write and one read port: a block RAM on the FPGA at
// the default depth); lane l reads the write pointer minus the PE's lag plus l,
// so a column written in one cycle is taken in the next, as a registered
// broadcast would be. The read is synchronous: it is addressed a cycle early,
// with the read address's next value, so the word is there in the same cycle
// as an asynchronous read of the address register would give it.
//
// For the clock, a fresh broadcast lands in the copies a cycle after its take,
// from registers that every PE keeps a copy of (one set fanning out to every
// copy across the die was the critical path); in that cycle a lane reading its
// slot (the newest column) takes it from the register instead. The write that
// landed at the cycle's start is not in the synchronous read either (a block
// RAM's read of a word written on its other port at the same edge is undefined):
// a lane reading that slot takes it from a second register. No cycle changes.
//
// Each PE's part of the history (its lag, read addresses and caught-up flag) takes
// the clear a cycle late, from its own register, so the CCU's layer start and
// abort logic ends at a flip-flop beside each PE instead of fanning out to every
// PE's state (timing). In that cycle the PE acts as cleared: its lag reads 0, it
// wants nothing (as at a clear in time: the first broadcast lands a cycle later),
// and its state is set as the clear would have left it.

`default_nettype none

module eie_bcast_history #(
  /// Number of PEs.
  parameter int NumPe        = 4,
  /// Broadcasts kept in the history (a power of two, >= 2).
  parameter int HistoryDepth = 128,
  /// Width of a broadcast: activation and pointer index.
  parameter int DataWidth    = 32,
  /// Columns a PE takes per cycle (1 or 2): the read ports per PE.
  parameter int TakeLanes    = eie_pkg::TakeLanes,
  localparam int Lanes       = TakeLanes,
  localparam int LagWidth    = $clog2(HistoryDepth) + 1,
  localparam int AddrWidth   = $clog2(HistoryDepth)
) (
  /// Clock.
  input  logic                                           clk_i,
  /// Asynchronous reset, active low.
  input  logic                                           rst_ni,
  /// New layer or abort: every PE is caught up with an empty history next cycle.
  input  logic                                           clear_i,
  /// The layer's compute phase: fresh broadcasts may be written.
  input  logic                                           enable_i,
  /// A fresh broadcast (the bias column or the LNZD root) is offered.
  input  logic                                           fresh_valid_i,
  /// Its activation and pointer index.
  input  logic [DataWidth-1:0]                           fresh_data_i,
  /// It is written into the history this cycle.
  output logic                                           fresh_take_o,
  /// Per PE and lane l: room for l + 1 more columns this cycle.
  input  logic [NumPe-1:0][Lanes-1:0]                    pe_room_i,
  /// Per PE and lane: a column it has not taken is in the history.
  output logic [NumPe-1:0][Lanes-1:0]                    want_o,
  /// Per PE and lane: it takes that column now.
  output logic [NumPe-1:0][Lanes-1:0]                    take_o,
  /// Per PE and lane: that column.
  output logic [NumPe-1:0][Lanes-1:0][DataWidth-1:0]     data_o,
  /// A PE a whole history behind holds the fresh broadcasts (coverage, counters).
  output logic                                           full_o,
  /// Every PE has taken every broadcast so far.
  output logic                                           caught_up_o
);

  initial begin : proc_check_params
    if (Lanes < 1 || Lanes > 2) begin
      $fatal(1, "eie_bcast_history: TakeLanes must be 1 or 2, got %0d", Lanes);
    end
    if (NumPe < 1 || NumPe > 256) begin
      $fatal(1, "eie_bcast_history: NumPe must be 1..256, got %0d", NumPe);
    end
    if (HistoryDepth < 2 || (HistoryDepth & (HistoryDepth - 1)) != 0) begin
      $fatal(1, "eie_bcast_history: HistoryDepth must be a power of two >= 2, got %0d",
             HistoryDepth);
    end
  end

  // A PE's lag is held as two registers, the lag before last cycle's fresh broadcast
  // (lag_q) and that plus one (lag1_q), and picked by the PE's own copy of the fresh
  // take (wr_q): the take, which fans out from the CCU's state to every PE, then ends
  // at a flip-flop beside each PE, not in N lag adders across the die (timing; no
  // cycle changes: lag is what one register updated by the take would hold).
  logic [NumPe-1:0][LagWidth-1:0] lag, lag_d, lag_q, lag1_d, lag1_q, lag_next, lag1_next;
  // Per PE: the clear a cycle late (its own copy; see the header).
  logic [NumPe-1:0]               clear_q;
  // Per PE: lag_q > 0 and lag_q > 1, kept in registers so that a lane's want is one
  // LUT of flip-flops, not a compare's carry chain, in front of the take and the
  // block RAMs' read addresses (timing). lag > l is then (wr_q ? lag_q + 1 : lag_q) > l.
  logic [NumPe-1:0]               lag_nz_q, lag_gt1_q;
  logic [NumPe-1:0]               too_far;
  logic [AddrWidth-1:0]           head_d, head_q;
  // Some PE takes a column older than the newest; some PE takes two columns:
  // read by the testbench's coverage only (waived in eie_waivers.vlt).
  logic [NumPe-1:0]               behind, two;
  logic                           behind_take, two_takes;

  // Per PE: where its next column sits (head - lag) and the one after, kept in
  // registers so that the history's read addresses need no subtract (timing).
  logic [NumPe-1:0][AddrWidth-1:0] tail_d, tail_q, tail1_d, tail1_q;
  // The same after this cycle's takes but ignoring a clear: the synchronous read's
  // address. A clear empties every PE's lag, so the word read in its cycle is never
  // used (nothing is wanted next cycle), and the layer's start and abort logic stays
  // off the block RAM's address (timing).
  logic [NumPe-1:0][AddrWidth-1:0] tail_moved, tail1_moved;
  // Per PE: lag == 0, computed a cycle ahead (timing: the layer's end ANDs these
  // flags, not N lag compares).
  logic [NumPe-1:0]                caught_d, caught_q;

  // The write a cycle late: the broadcast taken last cycle into its slot (head - 1),
  // from each PE's own copy of these registers. A broadcast taken with a clear is
  // dropped: no PE reads its slot before a new broadcast overwrites it.
  logic wr_d;

  assign wr_d = fresh_take_o && !clear_i;

  for (genvar p = 0; p < NumPe; p++) begin : g_pe
    // The lag less one and two, and plus one, from registers only: the takes pick one
    // (timing: no adder behind the PE's room flags).
    logic [LagWidth-1:0] lag_m1, lag_m2, lag_p1;
    // This PE's copy of the late write (wr_*_q: lands at this cycle's end) and of
    // the one before it (wr_*_q2: landed at its start, unseen by the synchronous
    // read). keep on the process (its flip-flops): Yosys's opt_merge would merge
    // the PEs' identical copies into one again (a keep on the wires does not stop it).
    logic                 clr_q, wr_q, wr_q2;
    logic                 lag_gt0, lag_gt1;
    logic [AddrWidth-1:0] wr_addr_q, wr_addr_q2;
    logic [DataWidth-1:0] wr_data_q, wr_data_q2;

    (* keep *) always_ff @(posedge clk_i or negedge rst_ni) begin : proc_wr_regs
      if (!rst_ni) begin
        clr_q      <= 1'b0;
        wr_q       <= 1'b0;
        wr_q2      <= 1'b0;
        wr_addr_q  <= '0;
        wr_addr_q2 <= '0;
        wr_data_q  <= '0;
        wr_data_q2 <= '0;
      end else begin
        clr_q      <= clear_i;
        wr_q       <= wr_d;
        wr_q2      <= wr_q;
        wr_addr_q  <= head_q;
        wr_addr_q2 <= wr_addr_q;
        wr_data_q  <= fresh_data_i;
        wr_data_q2 <= wr_data_q;
      end
    end

    for (genvar l = 0; l < Lanes; l++) begin : g_lane
      // This read port's own copy of the history, written with every fresh
      // broadcast: one write and one read port, which Yosys maps to a block RAM
      // (a single memory with 2N read ports it may map to flip-flops and muxes,
      // which no longer fits the FPGA at N = 8 and a deep history). no_rw_check:
      // a read of the slot being written is never used (bypass2 below), so Yosys
      // need not emulate one.
      (* no_rw_check *) logic [DataWidth-1:0] history [HistoryDepth];
      logic [AddrWidth-1:0] read_addr_d, read_addr;
      logic [DataWidth-1:0] read_q;
      logic                 bypass, bypass2, use_read;
      logic [DataWidth-1:0] from_regs;

      always_ff @(posedge clk_i) begin : proc_history
        if (wr_q) history[wr_addr_q] <= wr_data_q;
      end

      always_ff @(posedge clk_i) begin : proc_read
        read_q <= history[read_addr_d];
      end

      // Lane l wants the (l+1)-th oldest column not taken; lane l takes only
      // with lane l-1 (room for l+1 columns implies room for l).
      assign want_o[p][l] = (l == 0) ? lag_gt0 : lag_gt1;
      assign take_o[p][l] = want_o[p][l] && pe_room_i[p][l];
      assign read_addr_d  = (l == 0) ? tail_moved[p] : tail1_moved[p];
      assign read_addr    = (l == 0) ? tail_q[p] : tail1_q[p];
      // The slot written at this cycle's end holds its old word until the edge;
      // the slot written at its start was read before the write.
      assign bypass       = wr_q && read_addr == wr_addr_q;
      assign bypass2      = wr_q2 && read_addr == wr_addr_q2;
      // Zero while nothing is wanted: the history is not reset (block RAM). As an
      // AND-OR whose other terms come from registers only (timing: the block RAM's
      // 5.8 ns clock-to-output then passes one LUT on its way to the PE's pointer
      // bank address, not the bypass muxes).
      assign use_read     = want_o[p][l] && !bypass && !bypass2;
      assign from_regs    = !want_o[p][l] ? '0 :
                            bypass       ? wr_data_q :
                            bypass2      ? wr_data_q2 : '0;
      assign data_o[p][l] = from_regs | (read_q & {DataWidth{use_read}});
    end

`ifndef SYNTHESIS
    always @(posedge clk_i or negedge rst_ni) begin : proc_assert_wr
      if (rst_ni) begin
        assert (!wr_q || wr_addr_q == head_q - 1'b1)
          else $fatal(1, "eie_bcast_history: PE %0d's late write is not the newest slot", p);
        assert (lag_gt0 == (lag[p] > LagWidth'(0)) && lag_gt1 == (lag[p] > LagWidth'(1)))
          else $fatal(1, "eie_bcast_history: PE %0d's want flags disagree with its lag", p);
      end
    end
`endif

    // Lanes take a prefix (0, 1 or 2 columns): the lag after them, and that plus one.
    // take2: lane 1 takes (never with one lane).
    logic take2;
    if (Lanes == 2) begin : g_take2
      assign take2 = take_o[p][1];
    end else begin : g_no_take2
      assign take2 = 1'b0;
    end
    assign clear_q[p]  = clr_q;
    // The lag reads 0 in the cycle after a clear (the state still holds the old layer's).
    assign lag[p]      = clear_q[p] ? '0 : wr_q ? lag1_q[p] : lag_q[p];
    assign lag_gt0     = !clear_q[p] && (wr_q || lag_nz_q[p]);
    assign lag_gt1     = !clear_q[p] && (wr_q ? lag_nz_q[p] : lag_gt1_q[p]);
    assign lag_m1      = lag[p] - LagWidth'(1);
    assign lag_m2      = lag[p] - LagWidth'(2);
    assign lag_p1      = lag[p] + LagWidth'(1);
    assign lag_next[p] = take2 ? lag_m2 : take_o[p][0] ? lag_m1 : lag[p];
    assign lag1_next[p] = take2 ? lag_m1 : take_o[p][0] ? lag[p] : lag_p1;
    assign behind[p]   = take_o[p][0] && lag[p] > LagWidth'(1);
    assign two[p]      = take2;
    // A whole history behind (the lag's top bit: it never exceeds HistoryDepth)
    // and taking nothing: a fresh broadcast would overwrite its next column.
    // The same as the top bit of lag_next, without the subtract in the path
    // from the PE's room to the fresh write (timing).
    assign too_far[p]  = lag[p][LagWidth-1] && !pe_room_i[p][0];
    // The read addresses move by the columns taken, picked from sums of registers
    // (timing: no add behind the takes).
    assign tail_moved[p]  = take2 ? tail1_q[p] + AddrWidth'(1) :
                            take_o[p][0] ? tail1_q[p] : tail_q[p];
    assign tail1_moved[p] = take2 ? tail1_q[p] + AddrWidth'(2) :
                            take_o[p][0] ? tail1_q[p] + AddrWidth'(1) : tail1_q[p];
    // A cleared PE takes nothing, so its lag needs no override (it reads 0); its
    // read addresses do. The synchronous read's address ignores the clear: nothing
    // is wanted in the cycle after a clear, and the next cycle's lane 0 reads slot 0,
    // the late write's, from the bypass register (lane 1 wants nothing yet).
    assign tail_d[p]      = clear_q[p] ? '0 : tail_moved[p];
    assign tail1_d[p]     = clear_q[p] ? AddrWidth'(1) : tail1_moved[p];
    // The lag after this cycle's takes is 0 when they take all it lags (lane l
    // takes only with a lag above l); then it stays 0 without a fresh broadcast.
    assign caught_d[p] = !fresh_take_o &&
                         (lag[p] == '0 ||
                          (lag[p] == LagWidth'(1) && take_o[p][0]) ||
                          (lag[p] == LagWidth'(2) && take2));
  end

  assign full_o       = |too_far;
  assign behind_take  = |behind;
  assign two_takes    = |two;
  assign fresh_take_o = enable_i && fresh_valid_i && !full_o;
  // A PE's flag is stale in the cycle after a clear, when its lag is 0.
  assign caught_up_o  = &(caught_q | clear_q);

  always_comb begin : proc_next
    head_d = head_q + AddrWidth'(fresh_take_o);
    // The fresh take is added a cycle later, through wr_q (= fresh_take_o && !clear_i).
    for (int p = 0; p < NumPe; p++) begin
      lag_d[p]  = lag_next[p];
      lag1_d[p] = lag1_next[p];
    end
    if (clear_i) head_d = '0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_regs
    if (!rst_ni) begin
      lag_q    <= '0;
      lag1_q   <= {NumPe{LagWidth'(1)}};
      head_q   <= '0;
      tail_q   <= '0;
      tail1_q  <= {NumPe{AddrWidth'(1)}};
      caught_q <= '1;
      lag_nz_q  <= '0;
      lag_gt1_q <= '0;
    end else begin
      lag_q    <= lag_d;
      lag1_q   <= lag1_d;
      head_q   <= head_d;
      tail_q   <= tail_d;
      tail1_q  <= tail1_d;
      caught_q <= caught_d;
      for (int p = 0; p < NumPe; p++) begin
        lag_nz_q[p]  <= lag_d[p] != '0;
        lag_gt1_q[p] <= lag_d[p] > LagWidth'(1);
      end
    end
  end

`ifndef SYNTHESIS
  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (rst_ni) begin
      for (int p = 0; p < NumPe; p++) begin
        assert (int'(lag[p]) <= HistoryDepth)
          else $fatal(1, "eie_bcast_history: PE %0d lags %0d broadcasts, more than the history",
                      p, lag[p]);
        // The state out of the cycle after a clear.
        if (!clear_q[p]) begin
          assert (lag1_q[p] == lag_q[p] + 1'b1 && lag_nz_q[p] == (lag_q[p] != '0) &&
                  lag_gt1_q[p] == (lag_q[p] > LagWidth'(1)))
            else $fatal(1, "eie_bcast_history: PE %0d's lag registers out of step", p);
          assert (tail_q[p] == head_q - AddrWidth'(lag[p]) && tail1_q[p] == tail_q[p] + 1'b1)
            else $fatal(1, "eie_bcast_history: PE %0d's read addresses out of step", p);
          assert (caught_q[p] == (lag[p] == '0))
            else $fatal(1, "eie_bcast_history: PE %0d's caught-up flag out of step", p);
        end
      end
    end
  end
`endif

endmodule

`default_nettype wire
