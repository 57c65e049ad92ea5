// SPDX-License-Identifier: Apache-2.0
// Broadcast history. Instead of holding every PE while one PE's queue is full,
// the CCU writes each broadcast (activation and pointer index) into a history
// of the layer's last HistoryDepth broadcasts, one per cycle, and every PE
// reads the history at its own place: a PE with room takes the next column it
// has not taken yet, however far behind the newest that is. A PE whose queue
// is full simply falls behind and catches up later, while the others carry on;
// a full queue no longer idles the array, which is what held the paper's
// layers 1-16 % over their bound (README "Numbers", scripts/broadcast_study.py).
//
// A PE's lag is how many of the layer's broadcasts it has not taken yet; it
// never exceeds HistoryDepth. A fresh broadcast waits only while some PE lags
// a whole history behind (it would overwrite that PE's next column).
//
// Each PE reads its own entry (N read ports of one small memory: Yosys maps it
// to a LUT RAM copy per PE); the read address is the write pointer minus the
// PE's lag, and the read is combinational, so a column written in one cycle is
// taken in the next, as a registered broadcast would be.

`default_nettype none

module eie_bcast_history #(
  /// Number of PEs.
  parameter int NumPe        = 4,
  /// Broadcasts kept in the history (a power of two, >= 2).
  parameter int HistoryDepth = 16,
  /// Width of a broadcast: activation and pointer index.
  parameter int DataWidth    = 32,
  localparam int LagWidth    = $clog2(HistoryDepth) + 1,
  localparam int AddrWidth   = $clog2(HistoryDepth)
) (
  /// Clock.
  input  logic                          clk_i,
  /// Asynchronous reset, active low.
  input  logic                          rst_ni,
  /// New layer or abort: every PE is caught up with an empty history next cycle.
  input  logic                          clear_i,
  /// The layer's compute phase: fresh broadcasts may be written.
  input  logic                          enable_i,
  /// Next fresh broadcast (bias column or LNZD root), taken with fresh_take_o.
  input  logic                          fresh_valid_i,
  input  logic [DataWidth-1:0]          fresh_data_i,
  output logic                          fresh_take_o,
  /// Per PE: room for a broadcast this cycle.
  input  logic [NumPe-1:0]              pe_ready_i,
  /// Per PE: a column it has not taken is in the history, and it takes it now.
  output logic [NumPe-1:0]              want_o,
  output logic [NumPe-1:0]              take_o,
  /// Per PE: that column.
  output logic [NumPe-1:0][DataWidth-1:0] data_o,
  /// A PE a whole history behind holds the fresh broadcasts (coverage, counters).
  output logic                          full_o,
  /// Every PE has taken every broadcast so far.
  output logic                          caught_up_o
);

  initial begin : proc_check_params
    if (NumPe < 1 || NumPe > 256) $fatal(1, "eie_bcast_history: NumPe must be 1..256, got %0d", NumPe);
    if (HistoryDepth < 2 || (HistoryDepth & (HistoryDepth - 1)) != 0) begin
      $fatal(1, "eie_bcast_history: HistoryDepth must be a power of two >= 2, got %0d", HistoryDepth);
    end
  end

  logic [DataWidth-1:0] history [HistoryDepth];

  logic [NumPe-1:0][LagWidth-1:0] lag_d, lag_q, lag_next;
  logic [NumPe-1:0]               too_far;
  logic [AddrWidth-1:0]           head_d, head_q;
  // Some PE takes a column older than the newest: read by the testbench's
  // coverage only, hence the waiver.
  logic [NumPe-1:0]               behind;
  // verilator lint_off UNUSEDSIGNAL
  logic                           behind_take;
  // verilator lint_on UNUSEDSIGNAL

  for (genvar p = 0; p < NumPe; p++) begin : g_pe
    logic [AddrWidth-1:0] read_addr;

    assign want_o[p]    = lag_q[p] != '0;
    assign take_o[p]    = want_o[p] && pe_ready_i[p];
    assign read_addr    = head_q - AddrWidth'(lag_q[p]);
    // Zero while nothing is wanted: the history is not reset (LUT RAM).
    assign data_o[p]    = want_o[p] ? history[read_addr] : '0;
    assign lag_next[p]  = lag_q[p] - LagWidth'(take_o[p]);
    assign behind[p]    = take_o[p] && lag_q[p] > LagWidth'(1);
    // A whole history behind (the lag's top bit: it never exceeds HistoryDepth)
    // and not taking now: a fresh broadcast would overwrite its next column.
    // The same as the top bit of lag_next, without the subtract in the path
    // from the PE's room to the fresh write (timing).
    assign too_far[p]   = lag_q[p][LagWidth-1] && !pe_ready_i[p];
  end

  assign full_o       = |too_far;
  assign behind_take  = |behind;
  assign fresh_take_o = enable_i && fresh_valid_i && !full_o;
  assign caught_up_o  = lag_q == '0;

  always_comb begin
    head_d = head_q + AddrWidth'(fresh_take_o);
    for (int p = 0; p < NumPe; p++) begin
      lag_d[p] = lag_next[p] + LagWidth'(fresh_take_o);
    end
    if (clear_i) begin
      head_d = '0;
      lag_d  = '0;
    end
  end

  always_ff @(posedge clk_i) begin : proc_history
    if (fresh_take_o) history[head_q] <= fresh_data_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_regs
    if (!rst_ni) begin
      lag_q  <= '0;
      head_q <= '0;
    end else begin
      lag_q  <= lag_d;
      head_q <= head_d;
    end
  end

`ifndef SYNTHESIS
  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (rst_ni) begin
      for (int p = 0; p < NumPe; p++) begin
        assert (int'(lag_q[p]) <= HistoryDepth)
          else $fatal(1, "eie_bcast_history: PE %0d lags %0d broadcasts, more than the history", p, lag_q[p]);
      end
    end
  end
`endif

endmodule

`default_nettype wire
