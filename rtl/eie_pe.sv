// SPDX-License-Identifier: Apache-2.0
// One processing element. A broadcast (a_j, ptr index) that the PE takes reads
// p_j and p_{j+1} at once; only non-empty columns enter the activation queue, so
// an empty column costs this PE no cycle. The sparse-matrix read unit streams
// one entry per cycle into the arithmetic unit; at the end of a layer the
// write-back walks the PE's rows through ReLU/requantisation into the
// destination activation file. pe_room_o[l] promises room for l + 1 more
// broadcasts (the PE takes up to two a cycle); while it has none the PE falls
// behind in the CCU's broadcast history.

`default_nettype none

module eie_pe #(
  /// Number of PEs in the array.
  parameter int NumPe        = 4,
  /// This PE's index: it owns rows i with i mod NumPe == PeIndex.
  parameter int PeIndex      = 0,
  /// Activation queue depth (columns with work for this PE).
  parameter int QueueDepth   = 8,
  /// Sparse-matrix words.
  parameter int SpmatDepth   = 1024,
  /// Entries per pointer bank.
  parameter int PtrBankDepth = 1024,
  /// Activations per file (local rows).
  parameter int ActDepth     = 64,
  /// Layers (codebooks).
  parameter int MaxLayers    = 4,
  localparam int PtrWidth    = $clog2(SpmatDepth * eie_pkg::EntriesPerWord + 1),
  localparam int PtrIdxWidth = $clog2(PtrBankDepth) + 1,
  localparam int RowWidth    = $clog2(ActDepth),
  localparam int LayerWidth  = (MaxLayers > 1) ? $clog2(MaxLayers) : 1,
  localparam int ActWidth    = eie_pkg::ActWidth,
  localparam int Lanes       = eie_pkg::TakeLanes,
  localparam int LdIdxWidth  = 20
) (
  /// Clock.
  input  logic                          clk_i,
  /// Asynchronous reset, active low.
  input  logic                          rst_ni,
  /// Layer context from the CCU.
  input  logic [LayerWidth-1:0]         layer_i,
  input  logic [15:0]                   layer_out_i,
  input  logic                          layer_relu_i,
  input  logic [4:0]                    layer_shift_i,
  input  logic                          src_sel_i,
  input  logic                          scan_en_i,
  /// Flush queue and pipelines, clear accumulators' touched bits (new layer or abort).
  input  logic                          flush_i,
  /// Start the write-back of this layer's rows.
  input  logic                          wb_start_i,
  /// Clear the non-zero bitmap (abort).
  input  logic                          bitmap_clear_i,
  /// Broadcast, per take lane (lane 0 the oldest): the next columns this PE needs
  /// are in the CCU's history, this PE takes them this cycle (eie_bcast_history),
  /// their activations and pointer indices.
  input  logic [Lanes-1:0]                   bcast_valid_i,
  input  logic [Lanes-1:0]                   bcast_take_i,
  input  logic [Lanes-1:0][ActWidth-1:0]     bcast_act_i,
  input  logic [Lanes-1:0][PtrIdxWidth-1:0]  bcast_ptr_idx_i,
  /// Per lane l: room for l + 1 more broadcasts.
  output logic [Lanes-1:0]                   pe_room_o,
  /// Nothing in the queue or the pipelines.
  output logic                          idle_o,
  /// Write-back in progress.
  output logic                          wb_busy_o,
  /// LNZD leaf of this PE's source activations.
  output logic                          leaf_valid_o,
  input  logic                          leaf_ready_i,
  output logic [ActWidth-1:0]           leaf_act_o,
  output logic [eie_pkg::ColIdxWidth-1:0] leaf_col_o,
  output logic                          leaf_empty_o,
  /// Load port, already decoded for this PE: target 0 spmat, 1 pointer,
  /// 2 codebook (write only), 3 activation file 0, 4 activation file 1,
  /// 5 result (read only: the last layer's accumulator, requantised).
  input  logic                          ld_we_i,
  input  logic                          ld_re_i,
  input  logic [2:0]                    ld_target_i,
  input  logic [LdIdxWidth-1:0]         ld_index_i,
  input  logic [63:0]                   ld_wdata_i,
  /// Read data, two cycles after ld_re_i (memory, then this PE's output register).
  output logic [63:0]                   ld_rdata_o,
  /// Counter control and phase of the run.
  input  logic                          cnt_clear_i,
  input  logic                          compute_i,
  input  logic                          bcast_over_i,
  /// Counters: busy, starved, stalled, drained, queue-full, padding.
  output logic [5:0][31:0]              counters_o,
  /// Error events: [0] p_j > p_{j+1}, [1] entry beyond the sparse-matrix memory,
  /// [2] a row beyond the layer's rows of this PE.
  output logic [2:0]                    err_o
);

  localparam logic [2:0] TgtSpmat = 3'd0;
  localparam logic [2:0] TgtPtr   = 3'd1;
  localparam logic [2:0] TgtCb    = 3'd2;
  localparam logic [2:0] TgtAct0  = 3'd3;
  localparam logic [2:0] TgtAct1  = 3'd4;
  localparam logic [2:0] TgtResult = 3'd5;
  localparam int QueueWidth  = ActWidth + 2 * PtrWidth;
  localparam int CountWidth  = $clog2(QueueDepth + 1);
  /// The row of an entry is computed one bit wider so that an overflow is seen.
  localparam int EntRowWidth = RowWidth + 1;

  // ---------------------------------------------------------------------------
  // Pointer read unit: p_j and p_{j+1} of every broadcast this PE takes, two lanes
  // ---------------------------------------------------------------------------
  logic [Lanes-1:0]                ptr_valid, ptr_empty, ptr_err_order, ptr_full;
  logic [Lanes-1:0][ActWidth-1:0]  ptr_act;
  logic [Lanes-1:0][PtrWidth-1:0]  ptr_start, ptr_end;
  logic [PtrWidth-1:0]             ptr_ld_rdata;

  eie_ptr_read #(
    .PtrBankDepth (PtrBankDepth),
    .PtrWidth     (PtrWidth)
  ) u_ptr_read (
    .clk_i,
    .rst_ni,
    .ld_we_i     (ld_we_i && ld_target_i == TgtPtr),
    .ld_re_i     (ld_re_i && ld_target_i == TgtPtr),
    .ld_index_i  (PtrIdxWidth'(ld_index_i)),
    .ld_data_i   (PtrWidth'(ld_wdata_i)),
    .ld_rdata_o  (ptr_ld_rdata),
    .in_valid_i  (bcast_valid_i & bcast_take_i),
    .in_act_i    (bcast_act_i),
    .in_index_i  (bcast_ptr_idx_i),
    .out_valid_o (ptr_valid),
    .out_act_o   (ptr_act),
    .out_start_o (ptr_start),
    .out_end_o   (ptr_end),
    .out_empty_o (ptr_empty),
    .err_order_o (ptr_err_order)
  );

  // ---------------------------------------------------------------------------
  // Activation queue: only columns with entries for this PE, in order
  // ---------------------------------------------------------------------------
  // A lane's column goes into the queue if it has entries; the queue takes them
  // as a prefix, so lane 1's column moves to the first push lane when lane 0's
  // column is empty (or dropped as an image error).
  logic [Lanes-1:0]                  q_push, q_push_ready;
  logic [Lanes-1:0][QueueWidth-1:0]  lane_entry, q_push_data;
  logic                              q_pop_valid, q_pop_ready;
  logic [QueueWidth-1:0]             q_pop_data;
  logic [CountWidth-1:0]             q_count;

  for (genvar l = 0; l < Lanes; l++) begin : g_lane_entry
    assign ptr_full[l]   = ptr_valid[l] && !ptr_empty[l] && !ptr_err_order[l];
    assign lane_entry[l] = {ptr_act[l], ptr_start[l], ptr_end[l]};
  end

  assign q_push         = {ptr_full[0] && ptr_full[1], ptr_full[0] || ptr_full[1]};
  assign q_push_data[0] = ptr_full[0] ? lane_entry[0] : lane_entry[1];
  assign q_push_data[1] = lane_entry[1];

  eie_fifo #(
    .Width     (QueueWidth),
    .Depth     (QueueDepth),
    .PushLanes (Lanes)
  ) u_act_queue (
    .clk_i,
    .rst_ni,
    .clear_i      (flush_i),
    .push_valid_i (q_push),
    .push_ready_o (q_push_ready),
    .push_data_i  (q_push_data),
    .pop_valid_o  (q_pop_valid),
    .pop_ready_i  (q_pop_ready),
    .pop_data_o   (q_pop_data),
    .count_o      (q_count)
  );

  // Room for l + 1 more columns: the queue's entries plus the columns in the
  // pointer stage (they land in the queue next) leave l + 1 slots free. The
  // flags are registered, computed from next cycle's queue count and pointer
  // stage (timing: the add and compare are then not in front of the history's
  // takes and the array-wide "history full"); the same values, no cycle changes.
  // This cycle's pushes come last, from the pointer banks' read data: the flags
  // are computed for 0, 1 and 2 pushes ahead and the push count picks one.
  logic [CountWidth-1:0] q_kept;        // entries after this cycle's pop, before its pushes
  logic [1:0]            ptr_count_next, q_pushes;
  logic [2:0][Lanes-1:0] room_if;       // [k][l]: room for l + 1 after k pushes
  logic [Lanes-1:0]      room_d, room_q;

  // The queue is emptied by a flush, same-cycle pushes dropped (eie_fifo).
  assign q_kept         = flush_i ? '0 : q_count - CountWidth'(q_pop_valid && q_pop_ready);
  assign q_pushes       = flush_i ? 2'd0 : 2'(q_push[0]) + 2'(q_push[1]);
  assign ptr_count_next = 2'(bcast_valid_i[0] && bcast_take_i[0]) + 2'(bcast_valid_i[1] && bcast_take_i[1]);

  for (genvar k = 0; k <= 2; k++) begin : g_room_if
    for (genvar l = 0; l < Lanes; l++) begin : g_lane
      assign room_if[k][l] = 32'(q_kept) + 32'(ptr_count_next) + k + l < QueueDepth;
    end
  end

  assign room_d = room_if[q_pushes];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      // Empty queue and pointer stage.
      for (int l = 0; l < Lanes; l++) room_q[l] <= l < QueueDepth;
    end else begin
      room_q <= room_d;
    end
  end

  assign pe_room_o = room_q;

  // ---------------------------------------------------------------------------
  // Sparse-matrix read unit
  // ---------------------------------------------------------------------------
  logic                         ent_valid, ent_pad, ent_merged, spmat_busy, spmat_idle, spmat_err_range;
  logic [eie_pkg::CodeWidth-1:0] ent_code;
  logic [EntRowWidth-1:0]       ent_row;
  logic [ActWidth-1:0]          ent_act;
  logic [63:0]                  spmat_ld_rdata;

  eie_spmat_read #(
    .SpmatDepth (SpmatDepth),
    .PtrWidth   (PtrWidth),
    .RowWidth   (EntRowWidth)
  ) u_spmat_read (
    .clk_i,
    .rst_ni,
    .ld_we_i     (ld_we_i && ld_target_i == TgtSpmat),
    .ld_re_i     (ld_re_i && ld_target_i == TgtSpmat),
    .ld_addr_i   ($clog2(SpmatDepth)'(ld_index_i)),
    .ld_wdata_i  (ld_wdata_i),
    .ld_rdata_o  (spmat_ld_rdata),
    .flush_i     (flush_i),
    .col_valid_i (q_pop_valid),
    .col_ready_o (q_pop_ready),
    .col_act_i   (q_pop_data[QueueWidth-1 -: ActWidth]),
    .col_start_i (q_pop_data[2*PtrWidth-1 -: PtrWidth]),
    .col_end_i   (q_pop_data[PtrWidth-1:0]),
    .ent_valid_o (ent_valid),
    .ent_code_o  (ent_code),
    .ent_row_o   (ent_row),
    .ent_act_o   (ent_act),
    .ent_pad_o   (ent_pad),
    .ent_merged_o(ent_merged),
    .busy_o      (spmat_busy),
    .idle_o      (spmat_idle),
    .err_range_o (spmat_err_range)
  );

  // ---------------------------------------------------------------------------
  // Arithmetic unit: codebook, multiply, accumulate with bypass
  // ---------------------------------------------------------------------------
  logic                          row_overflow, arith_idle, wb_re;
  logic [RowWidth:0]             wb_row_d, wb_row_q;  // one bit more: counts up to ActDepth
  logic [RowWidth-1:0]           wb_row_q2;
  logic [eie_pkg::AccWidth-1:0]  wb_acc;

  assign row_overflow = ent_valid && ent_row[RowWidth];

  eie_arith #(
    .MaxLayers (MaxLayers),
    .ActDepth  (ActDepth)
  ) u_arith (
    .clk_i,
    .rst_ni,
    .cb_we_i     (ld_we_i && ld_target_i == TgtCb),
    .cb_addr_i   ($clog2(MaxLayers * eie_pkg::NumCodes)'(ld_index_i)),
    .cb_wdata_i  (ld_wdata_i[eie_pkg::WeightWidth-1:0]),
    .layer_i     (layer_i),
    .ent_valid_i (ent_valid && !row_overflow),
    .ent_code_i  (ent_code),
    .ent_row_i   (ent_row[RowWidth-1:0]),
    .ent_act_i   (ent_act),
    .clear_i     (flush_i),
    .wb_re_i     (wb_re),
    .wb_row_i    (wb_busy_q ? wb_row_q[RowWidth-1:0] : RowWidth'(ld_index_i)),
    .wb_acc_o    (wb_acc),
    .idle_o      (arith_idle)
  );

  assign idle_o = ptr_valid == '0 && !q_pop_valid && spmat_idle && arith_idle;

  // ---------------------------------------------------------------------------
  // Write-back: rows r with r*NumPe + PeIndex < out_features, one per cycle
  // ---------------------------------------------------------------------------
  logic                 wb_busy_d, wb_busy_q, wb_pending_d, wb_pending_q;
  logic [16:0]          wb_grow_d, wb_grow_q;
  // wb_more_q: row wb_row_q (global row wb_grow_q) is one to write back, i.e.
  // wb_busy_q && wb_grow_q < layer_out_i && wb_row_q < ActDepth, computed a cycle
  // ahead from the next row so that no compare sits in front of the read (timing).
  logic                 wb_more, wb_more_d, wb_more_q;
  logic [ActWidth-1:0]  wb_act;
  logic [RowWidth:0]    max_row_d, max_row_q;
  logic                 seen_d, seen_q, row_err;

  assign wb_more = wb_more_q;
  assign wb_re   = wb_more || (ld_re_i && ld_target_i == TgtResult);

  always_comb begin
    wb_busy_d    = wb_busy_q;
    wb_row_d     = wb_row_q;
    wb_grow_d    = wb_grow_q;
    wb_pending_d = wb_more;
    wb_more_d    = 1'b0;
    max_row_d    = max_row_q;
    seen_d       = seen_q;
    row_err      = 1'b0;
    if (ent_valid) begin
      seen_d = 1'b1;
      if (!seen_q || ent_row > max_row_q) begin
        max_row_d = ent_row;
      end
    end
    if (wb_start_i) begin
      wb_busy_d = 1'b1;
      wb_row_d  = '0;
      wb_grow_d = 17'(PeIndex);
      wb_more_d = 17'(PeIndex) < 17'(layer_out_i);
    end else if (wb_more) begin
      wb_row_d  = wb_row_q + (RowWidth+1)'(1);
      wb_grow_d = wb_grow_q + 17'(NumPe);
      wb_more_d = wb_grow_q + 17'(NumPe) < 17'(layer_out_i) && 32'(wb_row_q) + 1 < ActDepth;
    end else if (wb_busy_q && !wb_pending_q) begin
      // Every row this layer touched must be one the write-back covers.
      wb_busy_d = 1'b0;
      row_err   = seen_q && 32'(max_row_q) >= 32'(wb_row_q);
    end
    if (flush_i) begin
      seen_d    = 1'b0;
      max_row_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wb_busy_q    <= 1'b0;
      wb_pending_q <= 1'b0;
      wb_more_q    <= 1'b0;
      wb_row_q     <= '0;
      wb_row_q2    <= '0;
      wb_grow_q    <= '0;
      max_row_q    <= '0;
      seen_q       <= 1'b0;
    end else begin
      wb_busy_q    <= wb_busy_d;
      wb_pending_q <= wb_pending_d;
      wb_more_q    <= wb_more_d;
      wb_row_q     <= wb_row_d;
      wb_row_q2    <= wb_row_q[RowWidth-1:0];
      wb_grow_q    <= wb_grow_d;
      max_row_q    <= max_row_d;
      seen_q       <= seen_d;
    end
  end

  assign wb_busy_o = wb_busy_q;

  eie_relu_quant u_relu_quant (
    .acc_i   (wb_acc),
    .shift_i (layer_shift_i),
    .relu_i  (layer_relu_i),
    .act_o   (wb_act)
  );

  // The write stage: the requantised row is registered before the activation
  // file (timing: the requantisation and the file's write port and bitmap
  // update are not in one cycle). The last row lands the cycle after wb_busy_o
  // falls, two cycles before the next layer's scan starts, so no cycle count
  // changes.
  logic                wr_valid_q;
  logic [RowWidth-1:0] wr_row_q;
  logic [ActWidth-1:0] wr_act_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_valid_q <= 1'b0;
      wr_row_q   <= '0;
      wr_act_q   <= '0;
    end else begin
      wr_valid_q <= wb_pending_q;
      wr_row_q   <= wb_row_q2;
      wr_act_q   <= wb_act;
    end
  end

  // ---------------------------------------------------------------------------
  // Activation read/write unit: ping-pong files, bitmap, LNZD leaf
  // ---------------------------------------------------------------------------
  logic                ld_act, act_ld_file;
  logic [ActWidth-1:0] act_ld_rdata;

  assign ld_act      = ld_target_i == TgtAct0 || ld_target_i == TgtAct1;
  assign act_ld_file = ld_target_i == TgtAct1;

  eie_act_file #(
    .ActDepth (ActDepth),
    .NumPe    (NumPe),
    .PeIndex  (PeIndex)
  ) u_act_file (
    .clk_i,
    .rst_ni,
    .src_sel_i      (src_sel_i),
    .scan_en_i      (scan_en_i),
    .leaf_valid_o   (leaf_valid_o),
    .leaf_ready_i   (leaf_ready_i),
    .leaf_act_o     (leaf_act_o),
    .leaf_col_o     (leaf_col_o),
    .empty_o        (leaf_empty_o),
    .wb_valid_i     (wr_valid_q),
    .wb_row_i       (wr_row_q),
    .wb_act_i       (wr_act_q),
    .ld_we_i        (ld_we_i && ld_act),
    .ld_re_i        (ld_re_i && ld_act),
    .ld_file_i      (act_ld_file),
    .ld_addr_i      (RowWidth'(ld_index_i)),
    .ld_wdata_i     (ld_wdata_i[ActWidth-1:0]),
    .ld_rdata_o     (act_ld_rdata),
    .bitmap_clear_i (bitmap_clear_i)
  );

  // Load-port read data of the target read in the previous cycle, registered
  // (timing: the RESULT requantisation then does not feed the load port's PE mux).
  logic [2:0]  ld_target_q;
  logic        ld_re_q;
  logic [63:0] ld_rdata_d, ld_rdata_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ld_target_q <= '0;
      ld_re_q     <= 1'b0;
      ld_rdata_q  <= '0;
    end else begin
      ld_re_q <= ld_re_i;
      if (ld_re_i) ld_target_q <= ld_target_i;
      if (ld_re_q) ld_rdata_q <= ld_rdata_d;
    end
  end

  always_comb begin
    unique case (ld_target_q)
      TgtSpmat:         ld_rdata_d = spmat_ld_rdata;
      TgtPtr:           ld_rdata_d = 64'(ptr_ld_rdata);
      TgtAct0, TgtAct1: ld_rdata_d = 64'({{(64 - ActWidth){act_ld_rdata[ActWidth-1]}}, act_ld_rdata});
      TgtResult:        ld_rdata_d = 64'({{(64 - ActWidth){wb_act[ActWidth-1]}}, wb_act});
      default:          ld_rdata_d = '0;
    endcase
  end

  assign ld_rdata_o = ld_rdata_q;

  // ---------------------------------------------------------------------------
  // Performance counters (cleared at START, counting in compute phases)
  // ---------------------------------------------------------------------------
  logic        has_work;
  logic [5:0]  cnt_inc, cnt_inc_d, cnt_inc_q;
  logic        pad_merged, pad_merged_q;
  logic [5:0][31:0] cnt_d, cnt_q;

  assign has_work = ptr_valid != '0 || q_pop_valid;
  assign cnt_inc[0] = compute_i && spmat_busy;
  assign cnt_inc[1] = compute_i && !spmat_busy && !has_work && !bcast_over_i;
  assign cnt_inc[2] = compute_i && !spmat_busy && has_work;
  assign cnt_inc[3] = compute_i && !spmat_busy && !has_work && bcast_over_i;
  assign cnt_inc[4] = compute_i && bcast_valid_i[0] && !pe_room_o[0];
  assign cnt_inc[5] = ent_valid && ent_pad;
  // A padding merged into an entry's issue: PE_PADDING counts it too (a second increment).
  assign pad_merged = ent_valid && ent_merged;

  // The increments are registered and added a cycle later (timing: an abort's
  // flush reaches spmat_busy, and the stall bit pe_room_o, in the same cycle).
  // The totals are the same; a counter read sees them one cycle late, and no
  // register read can follow the end of a run that closely.
  assign cnt_inc_d = cnt_clear_i ? '0 : cnt_inc;

  always_comb begin
    for (int c = 0; c < 6; c++) begin
      cnt_d[c] = cnt_clear_i ? 32'd0 : cnt_q[c] + 32'(cnt_inc_q[c]) + 32'(c == 5 && pad_merged_q);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q        <= '0;
      cnt_inc_q    <= '0;
      pad_merged_q <= 1'b0;
    end else begin
      cnt_q        <= cnt_d;
      cnt_inc_q    <= cnt_inc_d;
      pad_merged_q <= !cnt_clear_i && pad_merged;
    end
  end

  assign counters_o = cnt_q;

  // The load index is 20 bits for every target; each memory uses its low bits.
  logic unused_ld_index;
  assign unused_ld_index = ^ld_index_i;
  // The error events are registered (timing: a pointer bank's clock-to-output and
  // the order compare would otherwise drive the CCU's abort and, through its flush,
  // every PE's read enables in the same cycle). The run aborts one cycle later; it
  // is still running then, since no error can fire in a layer's drained cycle.
  logic [2:0] err_d, err_q;
  assign err_d = {row_err || row_overflow, spmat_err_range, (ptr_valid & ptr_err_order) != '0};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      err_q <= '0;
    end else begin
      err_q <= err_d;
    end
  end

  assign err_o = err_q;

`ifndef SYNTHESIS
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
    end else begin
      assert ((q_push & ~q_push_ready) == '0)
        else $fatal(1, "eie_pe %0d: activation queue overflow", PeIndex);
      // The registered room flags equal the room of this cycle's queue and pointer stage.
      for (int l = 0; l < Lanes; l++) begin
        assert (room_q[l] == (int'(q_count) + int'(ptr_valid[0]) + int'(ptr_valid[1]) + l < QueueDepth))
          else $fatal(1, "eie_pe %0d: room flag %0d disagrees with the queue count", PeIndex, l);
      end
      if (wb_busy_q) begin
        assert (idle_o) else $fatal(1, "eie_pe %0d: write-back while the pipeline is busy", PeIndex);
      end
    end
  end
`endif

  initial begin
    if (PeIndex < 0 || PeIndex >= NumPe) $fatal(1, "eie_pe: PeIndex %0d outside 0..%0d", PeIndex, NumPe - 1);
    if (QueueDepth < 1) $fatal(1, "eie_pe: QueueDepth must be >= 1");
  end

endmodule

`default_nettype wire
