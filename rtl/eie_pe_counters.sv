// SPDX-License-Identifier: Apache-2.0
// Performance counters of one PE (PE_BUSY .. PE_PADDING, indexed by
// eie_pkg::PeCnt*). In the compute phase every cycle is exactly one of BUSY (an
// entry issued), STALLED (none issued, a column in the pointer stage or the
// queue), STARVED (nothing queued, the broadcast still running) or DRAINED
// (nothing queued, the broadcast over); QUEUE_FULL counts the cycles a column
// waited in the history for room, PADDING every padding entry, merged or not.
// No handshake: clear_i (START) zeroes every counter, and each increment is
// registered and added a cycle later (timing: an abort's flush reaches the
// issue flag, and the room flag, in the same cycle). The totals are the same;
// a counter read sees them one cycle late, and no register read can follow
// the end of a run that closely.

`default_nettype none

module eie_pe_counters (
  /// Clock.
  input  logic                             clk_i,
  /// Asynchronous reset, active low.
  input  logic                             rst_ni,
  /// Zero every counter (START); this cycle's events are not counted.
  input  logic                             clear_i,
  /// The compute phase of a layer.
  input  logic                             compute_i,
  /// The layer's broadcast is over.
  input  logic                             bcast_over_i,
  /// The PE issues an entry this cycle.
  input  logic                             issue_i,
  /// A column is in the PE's pointer stage or queue.
  input  logic                             has_work_i,
  /// A column for this PE waits in the history without room in the queue.
  input  logic                             wait_room_i,
  /// A padding entry leaves the sparse-matrix unit in its own issue slot.
  input  logic                             pad_i,
  /// A padding entry was merged into the issue slot of the entry leaving now.
  input  logic                             pad_merged_i,
  /// The counters, indexed by eie_pkg::PeCnt*.
  output logic [eie_pkg::NumPeCounters-1:0][eie_pkg::CounterWidth-1:0] counters_o
);

  localparam int NumCnt   = eie_pkg::NumPeCounters;
  localparam int CntWidth = eie_pkg::CounterWidth;

  // The coverage monitor (tb/random_coverage.py) samples cnt_inc and pad_merged.
  logic [NumCnt-1:0] cnt_inc, cnt_inc_d, cnt_inc_q;
  logic              pad_merged, pad_merged_d, pad_merged_q;
  logic              idle;

  assign idle       = compute_i && !issue_i;
  assign pad_merged = pad_merged_i;

  always_comb begin : proc_inc
    cnt_inc                         = '0;
    cnt_inc[eie_pkg::PeCntBusy]      = compute_i && issue_i;
    cnt_inc[eie_pkg::PeCntStarved]   = idle && !has_work_i && !bcast_over_i;
    cnt_inc[eie_pkg::PeCntStalled]   = idle && has_work_i;
    cnt_inc[eie_pkg::PeCntDrained]   = idle && !has_work_i && bcast_over_i;
    cnt_inc[eie_pkg::PeCntQueueFull] = compute_i && wait_room_i;
    cnt_inc[eie_pkg::PeCntPadding]   = pad_i;
  end

  assign cnt_inc_d    = clear_i ? '0 : cnt_inc;
  assign pad_merged_d = !clear_i && pad_merged;

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_inc_regs
    if (!rst_ni) begin
      cnt_inc_q    <= '0;
      pad_merged_q <= 1'b0;
    end else begin
      cnt_inc_q    <= cnt_inc_d;
      pad_merged_q <= pad_merged_d;
    end
  end

  for (genvar c = 0; c < NumCnt; c++) begin : g_counter
    // A merged padding is a second PE_PADDING increment in the same cycle.
    localparam logic TakesMerged = c == eie_pkg::PeCntPadding;

    logic [CntWidth-1:0] cnt_d, cnt_q;

    assign cnt_d = clear_i ? '0
                           : cnt_q + CntWidth'(cnt_inc_q[c]) +
                             CntWidth'(TakesMerged && pad_merged_q);

    always_ff @(posedge clk_i or negedge rst_ni) begin : proc_cnt
      if (!rst_ni) cnt_q <= '0;
      else         cnt_q <= cnt_d;
    end

    assign counters_o[c] = cnt_q;
  end

endmodule

`default_nettype wire
