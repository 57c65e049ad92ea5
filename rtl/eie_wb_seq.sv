// SPDX-License-Identifier: Apache-2.0
// Write-back sequencer of one PE. After wb_start_i it reads the PE's rows r with
// r*NumPe + pe_index_i < layer_out_i, one per cycle (rd_o, rd_row_o to the
// accumulators), takes the requantised value ActLatency cycles later (act_i) and writes it
// to the source activation file of the next layer through a register (wr_*_o),
// so the last row lands the cycle after busy_o falls. No handshake: the CCU starts
// it when a layer is drained, as the next layer starts; the next layer's entries
// go into the other accumulator bank meanwhile. It also watches the entries of
// each layer: a row touched beyond the rows written back is an image error.

`default_nettype none

module eie_wb_seq #(
  /// Number of PEs in the array.
  parameter int NumPe    = 4,
  /// Activations per file (local rows), >= 2.
  parameter int ActDepth = 64,
  /// Cycles from rd_o to its requantised value on act_i: 1, 2 or 3.
  parameter int ActLatency = 1,
  /// Width of a local row.
  localparam int RowWidth = $clog2(ActDepth),
  localparam int OutWidth = eie_pkg::LayerOutWidth,
  localparam int ActWidth = eie_pkg::ActWidth
) (
  /// Clock.
  input  logic                  clk_i,
  /// Asynchronous reset, active low.
  input  logic                  rst_ni,
  /// This PE's index, a constant (0 .. NumPe-1): it owns rows i with i mod NumPe ==
  /// pe_index_i.
  input  logic [eie_pkg::ColIdxWidth-1:0] pe_index_i,
  /// A run's first layer or abort: forget the rows the layer touched (a write-back's
  /// start does too: the PE's next layer starts with it).
  input  logic                  flush_i,
  /// Abort: stop writing back (nothing more is written).
  input  logic                  stop_i,
  /// Pulse: write back the rows of the layer just drained (flush_i comes with it).
  input  logic                  wb_start_i,
  /// Output features of the layer.
  input  logic [OutWidth-1:0]   layer_out_i,
  /// An entry of the layer reaches the accumulators.
  input  logic                  ent_valid_i,
  /// Its local row, one bit wider than a row so that an overflow shows.
  input  logic [RowWidth:0]     ent_row_i,
  /// The write-back runs.
  output logic                  busy_o,
  /// Read accumulator rd_row_o this cycle.
  output logic                  rd_o,
  /// The row to read (meaningful while busy_o).
  output logic [RowWidth-1:0]   rd_row_o,
  /// The requantised value of the row read in the previous cycle.
  input  logic [ActWidth-1:0]   act_i,
  /// Write wr_act_o to the destination file at wr_row_o.
  output logic                  wr_valid_o,
  /// Local row of the write.
  output logic [RowWidth-1:0]   wr_row_o,
  /// Activation to write.
  output logic [ActWidth-1:0]   wr_act_o,
  /// Pulse at the end of the write-back: the layer touched a row it did not cover.
  output logic                  err_row_o
);

  /// A global row index, one bit wider than the layer's outputs.
  localparam int GrowWidth = OutWidth + 1;

  initial begin : proc_check_params
    if (ActDepth < 2) $fatal(1, "eie_wb_seq: ActDepth must be >= 2, got %0d", ActDepth);
    if (ActLatency < 1 || ActLatency > 3) begin
      $fatal(1, "eie_wb_seq: ActLatency must be 1, 2 or 3, got %0d", ActLatency);
    end
  end

  logic                 busy_d, busy_q;
  logic                 pending_d, pending_q;
  // more_q: row row_q (global row grow_q) is one to write back, i.e. busy_q &&
  // grow_q < layer_out_i && row_q < ActDepth, computed a cycle ahead from the next
  // row so that no compare sits in front of the read (timing).
  logic                 more_d, more_q;
  logic [RowWidth:0]    row_d, row_q;  // one bit more: counts up to ActDepth
  // The rows read two and three cycles ago (pending_q: one cycle ago), and their
  // numbers (row_q2: one cycle ago).
  logic [RowWidth-1:0]  row_q2, row_q3, row_q4;
  logic                 pending2_q, pending3_q;
  // A row read ActLatency cycles ago: its value is on act_i now; rows still on their way.
  logic                 act_due, in_flight;
  logic [RowWidth-1:0]  act_row;
  logic [GrowWidth-1:0] grow_d, grow_q;
  logic [RowWidth:0]    max_row_d, max_row_q;
  logic                 seen_d, seen_q;
  // The rows the written-back layer touched, taken at the start: the next layer's
  // entries arrive while it runs.
  logic [RowWidth:0]    chk_max_d, chk_max_q;
  logic                 chk_seen_d, chk_seen_q;

  always_comb begin : proc_next
    busy_d    = busy_q;
    row_d     = row_q;
    grow_d    = grow_q;
    pending_d = more_q;
    more_d    = 1'b0;
    max_row_d = max_row_q;
    seen_d    = seen_q;
    chk_max_d  = chk_max_q;
    chk_seen_d = chk_seen_q;
    err_row_o = 1'b0;
    if (ent_valid_i) begin
      seen_d = 1'b1;
      if (!seen_q || ent_row_i > max_row_q) begin
        max_row_d = ent_row_i;
      end
    end
    if (wb_start_i) begin
      busy_d = 1'b1;
      chk_max_d  = max_row_q;
      chk_seen_d = seen_q;
      row_d  = '0;
      grow_d = GrowWidth'(pe_index_i);
      more_d = GrowWidth'(pe_index_i) < GrowWidth'(layer_out_i);
    end else if (more_q) begin
      row_d  = row_q + (RowWidth+1)'(1);
      grow_d = grow_q + GrowWidth'(NumPe);
      more_d = grow_q + GrowWidth'(NumPe) < GrowWidth'(layer_out_i) && 32'(row_q) + 1 < ActDepth;
    end else if (busy_q && !in_flight) begin
      // Every row this layer touched must be one the write-back covers.
      busy_d    = 1'b0;
      err_row_o = chk_seen_q && 32'(chk_max_q) >= 32'(row_q);
    end
    // A new layer: at a run's flush, or as the write-back starts (the PE is idle and
    // joins the next layer).
    if (flush_i || wb_start_i) begin
      seen_d    = 1'b0;
      max_row_d = '0;
    end
    if (stop_i) begin
      busy_d    = 1'b0;
      pending_d = 1'b0;
      more_d    = 1'b0;
      err_row_o = 1'b0;
    end
  end

  // The write stage: the requantised row is registered before the activation
  // file (timing: the requantisation and the file's write port and bitmap
  // update are not in one cycle). The last row lands the cycle after busy_o
  // falls, two cycles before the next layer's scan starts, so no cycle count
  // changes.
  logic                wr_valid_q;
  logic [RowWidth-1:0] wr_row_q;
  logic [ActWidth-1:0] wr_act_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_regs
    if (!rst_ni) begin
      busy_q     <= 1'b0;
      pending_q  <= 1'b0;
      more_q     <= 1'b0;
      row_q      <= '0;
      row_q2     <= '0;
      row_q3     <= '0;
      row_q4     <= '0;
      pending2_q <= 1'b0;
      pending3_q <= 1'b0;
      grow_q     <= '0;
      max_row_q  <= '0;
      seen_q     <= 1'b0;
      chk_max_q  <= '0;
      chk_seen_q <= 1'b0;
      wr_valid_q <= 1'b0;
      wr_row_q   <= '0;
      wr_act_q   <= '0;
    end else begin
      busy_q     <= busy_d;
      pending_q  <= pending_d;
      more_q     <= more_d;
      row_q      <= row_d;
      row_q2     <= row_q[RowWidth-1:0];
      row_q3     <= row_q2;
      row_q4     <= row_q3;
      pending2_q <= pending_q && !stop_i;
      pending3_q <= pending2_q && !stop_i;
      grow_q     <= grow_d;
      max_row_q  <= max_row_d;
      seen_q     <= seen_d;
      chk_max_q  <= chk_max_d;
      chk_seen_q <= chk_seen_d;
      wr_valid_q <= act_due && !stop_i;
      wr_row_q   <= act_row;
      wr_act_q   <= act_i;
    end
  end

  // Picked by index, not by a compare of ActLatency (a constant arm would be a branch
  // that no core builds).
  logic [2:0]               pending_by_age;
  logic [2:0][RowWidth-1:0] row_by_age;

  assign pending_by_age = {pending3_q, pending2_q, pending_q};
  assign row_by_age     = {row_q4, row_q3, row_q2};
  assign act_due        = pending_by_age[ActLatency-1];
  assign act_row        = row_by_age[ActLatency-1];
  assign in_flight      = (pending_by_age & 3'((1 << ActLatency) - 1)) != '0;

  assign busy_o     = busy_q;
  assign rd_o       = more_q;
  assign rd_row_o   = row_q[RowWidth-1:0];
  assign wr_valid_o = wr_valid_q;
  assign wr_row_o   = wr_row_q;
  assign wr_act_o   = wr_act_q;

`ifndef SYNTHESIS
  // A plain always: Icarus -Wall flags system tasks inside an always_ff.
  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (rst_ni) begin
      assert (32'(pe_index_i) < NumPe)
        else $fatal(1, "eie_wb_seq: pe_index_i %0d outside 0..%0d", pe_index_i, NumPe - 1);
    end
  end
`endif

endmodule

`default_nettype wire
