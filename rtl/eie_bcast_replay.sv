// SPDX-License-Identifier: Apache-2.0
// Broadcast with replay. The CCU keeps the last HistoryDepth broadcasts of the
// layer; every PE has its own place in that sequence. Each cycle one broadcast
// is offered: a PE takes it if it is the next one it needs and it has room. A
// PE whose queue is full simply misses it, and the others carry on; the CCU
// later replays the column to it from the history. So one full queue no longer
// idles every other PE, which is what held the paper's layers 3-16 % over their
// bound (README "Numbers", scripts/broadcast_study.py).
//
// Which broadcast: the oldest one that a PE with room next cycle still needs
// (a maximum over the PEs' lags); if no such PE lags, a fresh one from the
// LNZD root, unless a PE lags a whole history behind (its next column would be
// overwritten). A PE's lag is how many broadcasts of the layer it has not taken
// yet; it never exceeds HistoryDepth.

`default_nettype none

module eie_bcast_replay #(
  /// Number of PEs.
  parameter int NumPe        = 4,
  /// Broadcasts kept for replay (a power of two, >= 2).
  parameter int HistoryDepth = 16,
  /// Width of a broadcast: activation and column.
  parameter int DataWidth    = 32,
  localparam int LagWidth    = $clog2(HistoryDepth) + 1,
  localparam int AddrWidth   = $clog2(HistoryDepth)
) (
  /// Clock.
  input  logic                   clk_i,
  /// Asynchronous reset, active low.
  input  logic                   rst_ni,
  /// New layer or abort: forget the history, nothing offered next cycle.
  input  logic                   clear_i,
  /// The layer's compute phase: broadcasts may be chosen.
  input  logic                   enable_i,
  /// Next fresh broadcast (bias column or LNZD root), taken with fresh_take_o.
  input  logic                   fresh_valid_i,
  input  logic [DataWidth-1:0]   fresh_data_i,
  output logic                   fresh_take_o,
  /// Per PE: room for a broadcast now, and in the next cycle.
  input  logic [NumPe-1:0]       pe_ready_i,
  input  logic [NumPe-1:0]       pe_ready_next_i,
  /// Per PE: the offered broadcast is the one it needs, and it takes it now.
  output logic [NumPe-1:0]       want_o,
  output logic [NumPe-1:0]       take_o,
  output logic [DataWidth-1:0]   offer_data_o,
  /// Nothing offered and every PE has taken every broadcast so far.
  output logic                   caught_up_o
);

  initial begin : proc_check_params
    if (NumPe < 1 || NumPe > 256) $fatal(1, "eie_bcast_replay: NumPe must be 1..256, got %0d", NumPe);
    if (HistoryDepth < 2 || (HistoryDepth & (HistoryDepth - 1)) != 0) begin
      $fatal(1, "eie_bcast_replay: HistoryDepth must be a power of two >= 2, got %0d", HistoryDepth);
    end
  end

  logic [DataWidth-1:0] history [HistoryDepth];

  logic [NumPe-1:0][LagWidth-1:0] lag_d, lag_q, lag_next;
  logic [NumPe*LagWidth-1:0]      cand_lag;
  logic [NumPe-1:0]               too_far;
  logic [LagWidth-1:0]            max_lag, offer_dist_d, offer_dist_q;
  logic [AddrWidth-1:0]           head_d, head_q, replay_addr;
  logic                           offer_valid_d, offer_valid_q, replay;
  logic [DataWidth-1:0]           offer_data_d, offer_data_q;

  // A PE wants the offer if the offer is as many broadcasts behind the newest
  // as the PE is: the register holds that distance (1 for a fresh broadcast).
  for (genvar p = 0; p < NumPe; p++) begin : g_pe
    assign want_o[p]   = offer_valid_q && lag_q[p] == offer_dist_q;
    assign take_o[p]   = want_o[p] && pe_ready_i[p];
    assign lag_next[p] = lag_q[p] - LagWidth'(take_o[p]);
    // Only PEs that lag and will have room next cycle ask for a replay.
    assign cand_lag[p*LagWidth +: LagWidth] = pe_ready_next_i[p] ? lag_next[p] : '0;
    // Its lag at HistoryDepth: a fresh broadcast would overwrite its next column.
    assign too_far[p]  = lag_next[p][LagWidth-1];
  end

  eie_max_tree #(
    .NumInputs (NumPe),
    .Width     (LagWidth)
  ) u_max_lag (
    .values_i (cand_lag),
    .max_o    (max_lag)
  );

  assign replay       = enable_i && max_lag != '0;
  assign fresh_take_o = enable_i && !replay && fresh_valid_i && !(|too_far);
  assign replay_addr  = head_q - AddrWidth'(max_lag);

  always_comb begin
    offer_valid_d = !clear_i && (replay || fresh_take_o);
    offer_dist_d  = replay ? max_lag : LagWidth'(1);
    offer_data_d  = replay ? history[replay_addr] : fresh_data_i;
    head_d        = head_q + AddrWidth'(fresh_take_o);
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
      lag_q         <= '0;
      head_q        <= '0;
      offer_valid_q <= 1'b0;
      offer_dist_q  <= '0;
      offer_data_q  <= '0;
    end else begin
      lag_q         <= lag_d;
      head_q        <= head_d;
      offer_valid_q <= offer_valid_d;
      offer_dist_q  <= offer_dist_d;
      offer_data_q  <= offer_data_d;
    end
  end

  assign offer_data_o = offer_data_q;
  assign caught_up_o  = !offer_valid_q && lag_q == '0;

`ifndef SYNTHESIS
  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (rst_ni) begin
      for (int p = 0; p < NumPe; p++) begin
        assert (int'(lag_q[p]) <= HistoryDepth)
          else $fatal(1, "eie_bcast_replay: PE %0d lags %0d broadcasts, more than the history", p, lag_q[p]);
        assert (!(take_o[p] && lag_q[p] == '0))
          else $fatal(1, "eie_bcast_replay: PE %0d took a broadcast it had already taken", p);
      end
      assert (!offer_valid_q || offer_dist_q != '0)
        else $fatal(1, "eie_bcast_replay: offer at distance 0");
    end
  end
`endif

endmodule

`default_nettype wire
