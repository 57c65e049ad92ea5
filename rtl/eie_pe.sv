// SPDX-License-Identifier: Apache-2.0
// One processing element: the wiring of its units. A broadcast (a_j, ptr index)
// that the PE takes reads p_j and p_{j+1} at once (eie_ptr_read); only non-empty
// columns enter the activation queue (eie_fifo), so an empty column costs this
// PE no cycle. The sparse-matrix read unit (eie_spmat_read) streams one entry per
// cycle into the arithmetic unit (eie_arith); once this PE is done with a layer
// (idle, the broadcast over) the write-back sequencer (eie_wb_seq) walks its rows
// through ReLU/requantisation (eie_relu_quant) into the next layer's source
// activation file (eie_act_file) while the PE runs the next layer: its entries add
// into the other of the two accumulator banks, and its LNZD leaf scans the rows as
// they are written. Each PE makes that step on its own, the others still draining.
// eie_pe_counters keeps the PE's performance counters (if PeCounters).
// pe_room_o[l] promises room for l + 1 more broadcasts (the PE takes up to two a
// cycle); while it has none the PE falls behind in the CCU's broadcast history.

`default_nettype none

module eie_pe #(
  /// Number of PEs in the array.
  parameter int NumPe        = 4,
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
  /// Build the performance counters (eie_core's PeCounters); without them
  /// counters_o is 0.
  parameter bit PeCounters   = 1'b0,
  /// Columns taken from the history per cycle (eie_core's TakeLanes, 1 or 2).
  parameter int TakeLanes    = eie_pkg::TakeLanes,
  localparam int PtrWidth    = $clog2(SpmatDepth * eie_pkg::EntriesPerWord + 1),
  localparam int PtrIdxWidth = $clog2(PtrBankDepth) + 1,
  localparam int RowWidth    = $clog2(ActDepth),
  localparam int LayerWidth  = (MaxLayers > 1) ? $clog2(MaxLayers) : 1,
  localparam int ActWidth    = eie_pkg::ActWidth,
  localparam int Lanes       = TakeLanes,
  localparam int TgtWidth    = eie_pkg::LdTgtCodeWidth,
  localparam int LdIdxWidth  = eie_pkg::LdIndexWidth,
  localparam int LdDataWidth = eie_pkg::LdDataWidth,
  localparam int PeIdxWidth  = eie_pkg::ColIdxWidth
) (
  /// Clock.
  input  logic                                  clk_i,
  /// Asynchronous reset, active low.
  input  logic                                  rst_ni,
  /// This PE's index, a constant (0 .. NumPe-1): it owns rows i with i mod NumPe ==
  /// pe_index_i. An input, not a parameter, so that all PEs are one module (one copy
  /// of the PE's code in a Verilator model); synthesis propagates the constant.
  input  logic [PeIdxWidth-1:0]                 pe_index_i,
  /// The current layer (its codebook; its parity is its accumulator bank).
  input  logic [LayerWidth-1:0]                 layer_i,
  /// Output features of the layer written back (in I/O mode: of the current layer).
  input  logic [eie_pkg::LayerOutWidth-1:0]     wb_out_i,
  /// ReLU flag of the layer written back (in I/O mode: of the current layer).
  input  logic                                  wb_relu_i,
  /// Requantisation shift of the layer written back (in I/O mode: of the current layer).
  input  logic [eie_pkg::ShiftWidth-1:0]        wb_shift_i,
  /// The source activation file.
  input  logic                                  src_sel_i,
  /// The LNZD leaf scans the source file.
  input  logic                                  scan_en_i,
  /// Flush queue and pipelines (new layer, or an abort with bitmap_clear_i).
  input  logic                                  flush_i,
  /// The broadcast of a layer that is written back is over (eie_ccu's wb_go_o): the
  /// first cycle this PE is idle it starts the write-back of its rows.
  input  logic                                  wb_go_i,
  /// Pulse: the CCU started the next layer (in its first compute cycle); a PE not yet
  /// done with this one joins it when idle.
  input  logic                                  advance_i,
  /// advance_i's value next cycle (a CCU register): the room flags are registered
  /// with the hold a lagging PE puts on them.
  input  logic                                  advance_next_i,
  /// Clear the non-zero bitmap and stop a write-back (abort, end of a run).
  input  logic                                  bitmap_clear_i,
  /// Per take lane (lane 0 the oldest): the next column this PE needs is in the
  /// CCU's history (eie_bcast_history).
  input  logic [Lanes-1:0]                      bcast_valid_i,
  /// Per take lane: this PE takes that column this cycle.
  input  logic [Lanes-1:0]                      bcast_take_i,
  /// Per take lane: the column's activation.
  input  logic [Lanes-1:0][ActWidth-1:0]        bcast_act_i,
  /// Per take lane: the column's pointer index ptr_base + j.
  input  logic [Lanes-1:0][PtrIdxWidth-1:0]     bcast_ptr_idx_i,
  /// Per take lane: the even pointer bank's address (ptr_base + j + 1) >> 1.
  input  logic [Lanes-1:0][PtrIdxWidth-2:0]     bcast_even_addr_i,
  /// Per lane l: room for l + 1 more broadcasts.
  output logic [Lanes-1:0]                      pe_room_o,
  /// Nothing in the queue or the pipelines.
  output logic                                  idle_o,
  /// LNZD leaf: a non-zero source activation is offered.
  output logic                                  leaf_valid_o,
  /// LNZD leaf: the node takes it.
  input  logic                                  leaf_ready_i,
  /// LNZD leaf: its value.
  output logic [ActWidth-1:0]                   leaf_act_o,
  /// LNZD leaf: its global column.
  output logic [eie_pkg::ColIdxWidth-1:0]       leaf_col_o,
  /// LNZD leaf: nothing to offer now or later in this layer.
  output logic                                  leaf_done_o,
  /// Load port, decoded for this PE: write ld_wdata_i to target ld_target_i.
  input  logic                                  ld_we_i,
  /// Load port: read target ld_target_i.
  input  logic                                  ld_re_i,
  /// Load port: a RESULT read, ld_re_i with target RESULT, from a register.
  input  logic                                  ld_res_re_i,
  /// Load port target (eie_pkg::LdTgt*).
  input  logic [TgtWidth-1:0]                   ld_target_i,
  /// Load port index within the target.
  input  logic [LdIdxWidth-1:0]                 ld_index_i,
  /// Load port write data.
  input  logic [LdDataWidth-1:0]                ld_wdata_i,
  /// Read data, in the one cycle three cycles after ld_re_i (memory, the register
  /// behind it, then this PE's output register); zero in every other cycle.
  output logic [LdDataWidth-1:0]                ld_rdata_o,
  /// Zero the performance counters (START).
  input  logic                                  cnt_clear_i,
  /// The compute phase of a layer.
  input  logic                                  compute_i,
  /// The layer's broadcast is over.
  input  logic                                  bcast_over_i,
  /// Performance counters, indexed by eie_pkg::PeCnt*.
  output logic [eie_pkg::NumPeCounters-1:0][eie_pkg::CounterWidth-1:0] counters_o,
  /// Error events in ERROR bit positions: PTR_ORDER, PTR_RANGE, ROW_RANGE.
  output logic [eie_pkg::NumErrors-1:0]         err_o
);

  // One C++ class for every PE in a Verilator model, never inlined into eie_core (-O3
  // inlines every module otherwise): the PEs then share one copy of the code, fetched
  // once a cycle instead of 64 copies (doc/bench_model.md, session 22).
  /* verilator no_inline_module */

  /// A queued column: {a_j, p_j, p_j+1, the column issues, p_j+1 - p_j is 1, is 2}
  /// (see eie_spmat_read's col_ok_i, col_len1_i, col_len2_i).
  localparam int QueueWidth  = ActWidth + 2 * PtrWidth + 3;
  /// Entries the sparse-matrix SRAM holds.
  localparam int SpmatEntries = SpmatDepth * eie_pkg::EntriesPerWord;
  localparam int CountWidth  = $clog2(QueueDepth + 1);
  /// The row of an entry is computed one bit wider so that an overflow is seen.
  localparam int EntRowWidth = RowWidth + 1;

  initial begin : proc_check_params
    if (QueueDepth < eie_pkg::MinQueueDepth) begin
      $fatal(1, "eie_pe: QueueDepth must be >= %0d", eie_pkg::MinQueueDepth);
    end
  end

  // ---------------------------------------------------------------------------
  // Pointer read unit: p_j and p_{j+1} of every broadcast this PE takes, per lane
  // ---------------------------------------------------------------------------
  logic [Lanes-1:0]                ptr_mid, ptr_valid, ptr_empty, ptr_err_order, ptr_full;
  logic [Lanes-1:0][ActWidth-1:0]  ptr_act;
  logic [Lanes-1:0][PtrWidth-1:0]  ptr_start, ptr_end;
  logic [PtrWidth-1:0]             ptr_ld_rdata;

  eie_ptr_read #(
    .PtrBankDepth (PtrBankDepth),
    .PtrWidth     (PtrWidth),
    .TakeLanes    (TakeLanes)
  ) u_ptr_read (
    .clk_i,
    .rst_ni,
    .ld_we_i     (ld_we_i && ld_target_i == eie_pkg::LdTgtPtr),
    .ld_re_i     (ld_re_i && ld_target_i == eie_pkg::LdTgtPtr),
    .ld_index_i  (PtrIdxWidth'(ld_index_i)),
    .ld_data_i   (PtrWidth'(ld_wdata_i)),
    .ld_rdata_o  (ptr_ld_rdata),
    .flush_i     (flush_i),
    .in_valid_i  (bcast_valid_i & bcast_take_i),
    .in_act_i    (bcast_act_i),
    .in_index_i  (bcast_ptr_idx_i),
    .in_even_addr_i (bcast_even_addr_i),
    .mid_valid_o (ptr_mid),
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
    // A reversed column (an image error, start > end) goes in too: the read unit
    // issues nothing for it and the run aborts (timing: the order compare's carry
    // chain then does not feed the pushes and the room flags).
    assign ptr_full[l]   = ptr_valid[l] && !ptr_empty[l];
    logic [PtrWidth-1:0] len;
    assign len           = ptr_end[l] - ptr_start[l];
    assign lane_entry[l] = {ptr_act[l], ptr_start[l], ptr_end[l],
                            !ptr_err_order[l] && 32'(ptr_end[l]) <= SpmatEntries,
                            len == PtrWidth'(1), len == PtrWidth'(2)};
  end

  if (Lanes == 2) begin : g_push2
    assign q_push         = {ptr_full[0] && ptr_full[1], ptr_full[0] || ptr_full[1]};
    assign q_push_data[0] = ptr_full[0] ? lane_entry[0] : lane_entry[1];
    assign q_push_data[1] = lane_entry[1];
  end else begin : g_push1
    assign q_push      = ptr_full;
    assign q_push_data = lane_entry;
  end

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

  // Room for l + 1 more columns: the columns the PE holds (queued, or in the two
  // pointer stages) leave l + 1 places free. The flags are registered (timing:
  // no add or compare sits between the history's takes and the next takes).
  // occ_q counts the columns held; next cycle it loses this cycle's pop and the
  // stage-2 columns without entries and gains this cycle's takes. Whether
  // occ_q + delta leaves room is known a cycle ahead for every delta this cycle
  // can bring (fits), so the pop, the empty columns and the takes, the last
  // signals to settle, only pick a flag.
  localparam int LaneCntWidth = $clog2(Lanes + 1);
  localparam int OccWidth     = $clog2(QueueDepth + 1) + 1;
  /// occ_q changes by -MaxDrop .. +Lanes in a cycle; room for l + 1 adds l.
  localparam int MaxDrop      = Lanes + 1;
  localparam int NumDeltas    = MaxDrop + 2 * Lanes;
  // Empty queue and pointer stages: room for l + 1 columns while l < QueueDepth.
  localparam int               RoomLanes = QueueDepth < Lanes ? QueueDepth : Lanes;
  localparam logic [Lanes-1:0] RoomReset = Lanes'((1 << RoomLanes) - 1);

  logic [OccWidth-1:0]     occ_q, occ_d;
  logic [LaneCntWidth-1:0] takes;
  logic [LaneCntWidth:0]   drops;   // the pop and the empty stage-2 columns
  localparam int DeltaWidth   = $clog2(NumDeltas);
  logic [NumDeltas-1:0]    fits;    // [i]: occ_q + i - MaxDrop < QueueDepth
  logic [DeltaWidth-1:0]   delta [Lanes];
  logic [Lanes-1:0]        room_d, room_q;

  if (Lanes == 2) begin : g_counts2
    assign takes = LaneCntWidth'(bcast_valid_i[0] && bcast_take_i[0]) +
                   LaneCntWidth'(bcast_valid_i[1] && bcast_take_i[1]);
    assign drops = (LaneCntWidth+1)'(q_pop_valid && q_pop_ready) +
                   (LaneCntWidth+1)'(ptr_valid[0] && ptr_empty[0]) +
                   (LaneCntWidth+1)'(ptr_valid[1] && ptr_empty[1]);
  end else begin : g_counts1
    assign takes = bcast_valid_i[0] && bcast_take_i[0];
    assign drops = (LaneCntWidth+1)'(q_pop_valid && q_pop_ready) +
                   (LaneCntWidth+1)'(ptr_valid[0] && ptr_empty[0]);
  end

  for (genvar i = 0; i < NumDeltas; i++) begin : g_fits
    assign fits[i] = 32'(occ_q) + i < QueueDepth + MaxDrop;
  end

  for (genvar l = 0; l < Lanes; l++) begin : g_delta
    assign delta[l] = DeltaWidth'(takes) + DeltaWidth'(l + MaxDrop) - DeltaWidth'(drops);
  end

  // A flush empties the queue and the pointer stages and drops this cycle's takes.
  always_comb begin : proc_room_next
    occ_d  = occ_q - OccWidth'(drops) + OccWidth'(takes);
    room_d = '0;
    for (int l = 0; l < Lanes; l++) begin
      room_d[l] = fits[delta[l]];
    end
    if (flush_i) begin
      occ_d  = '0;
      room_d = RoomReset;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_room
    if (!rst_ni) begin
      occ_q  <= '0;
      room_q <= RoomReset;
    end else begin
      occ_q  <= occ_d;
      room_q <= room_d;
    end
  end

  // The flags the history reads, held low while the PE lags (below): one register
  // per lane, loaded with next cycle's room and lag (timing: the core's advance
  // register and the PE's write-back start reach the history's takes through no
  // gate in the same cycle).
  logic [Lanes-1:0] pe_room_q;
  logic             lagging_next;  // lag_d || (advance_next_i && !begun_d), below

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_pe_room
    if (!rst_ni) pe_room_q <= RoomReset;
    else         pe_room_q <= room_d & {Lanes{!lagging_next}};
  end

  assign pe_room_o = pe_room_q;

  // ---------------------------------------------------------------------------
  // Sparse-matrix read unit
  // ---------------------------------------------------------------------------
  logic                                ent_valid, ent_pad, ent_merged;
  logic                                spmat_busy, spmat_idle, spmat_err_range;
  logic [eie_pkg::CodeWidth-1:0]       ent_code;
  logic [EntRowWidth-1:0]              ent_row;
  logic [ActWidth-1:0]                 ent_act;
  logic [eie_pkg::SpmatWordWidth-1:0]  spmat_ld_rdata;

  eie_spmat_read #(
    .SpmatDepth (SpmatDepth),
    .PtrWidth   (PtrWidth),
    .RowWidth   (EntRowWidth)
  ) u_spmat_read (
    .clk_i,
    .rst_ni,
    .ld_we_i     (ld_we_i && ld_target_i == eie_pkg::LdTgtSpmat),
    .ld_re_i     (ld_re_i && ld_target_i == eie_pkg::LdTgtSpmat),
    .ld_addr_i   ($clog2(SpmatDepth)'(ld_index_i)),
    .ld_wdata_i  (eie_pkg::SpmatWordWidth'(ld_wdata_i)),
    .ld_rdata_o  (spmat_ld_rdata),
    // Also the cycle after the write-back's start (the PE is idle): the word register
    // then keeps no word across layers (the cycle model counts reads layer by layer).
    .flush_i     (flush_i || wb_begin_q),
    .col_valid_i (q_pop_valid),
    .col_ready_o (q_pop_ready),
    .col_act_i   (q_pop_data[QueueWidth-1 -: ActWidth]),
    .col_start_i (q_pop_data[2*PtrWidth+2 -: PtrWidth]),
    .col_end_i   (q_pop_data[PtrWidth+2:3]),
    .col_ok_i    (q_pop_data[2]),
    .col_len1_i  (q_pop_data[1]),
    .col_len2_i  (q_pop_data[0]),
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
  logic                          row_overflow, arith_idle, res_re;
  logic [eie_pkg::AccWidth-1:0]  wb_acc;
  logic                          wb_busy, wb_rd, wr_valid, row_err;
  logic [RowWidth-1:0]           wb_row, wr_row;
  logic [ActWidth-1:0]           wb_act, wr_act;

  assign row_overflow = ent_valid && ent_row[RowWidth];

  // The write-back starts on this PE's own: the first cycle it is idle once the
  // layer's broadcast is over (wb_go_i, a CCU register, until the CCU starts the
  // next layer; lagging after that), so a PE that is done early writes back while
  // others still drain; it joins the next layer then too (its own codebook layer,
  // accumulator bank, takes). Started before the CCU's advance (begun_q) its files
  // are swapped here ahead of the CCU's src_sel_i (the new source is the file the
  // write-back fills) and its leaf scans the new file, the LNZD tree filling before
  // the next layer starts. Until it starts (hold) its leaf neither scans nor is done
  // (the tree keeps the leaves' order) and, lagging, it takes no broadcast of the
  // next layer (its room flags are held low).
  logic wb_begin, begun_d, begun_q, lag_d, lag_q, lagging, hold, ahead, wb_sel_q, act_src_sel;
  logic                  wb_begin_q;
  logic [LayerWidth-1:0] cb_layer_d, cb_layer_q;

  assign lagging     = lag_q || (advance_i && !begun_q);
  assign wb_begin    = idle_o && ((wb_go_i && !begun_q) || lagging);
  assign begun_d     = !flush_i && !advance_i && (begun_q || (wb_begin && !lagging));
  assign lag_d       = !flush_i && lagging && !wb_begin;
  assign ahead       = begun_q && !advance_i;
  assign hold        = (wb_go_i && !begun_q) || lagging;
  assign act_src_sel = ahead ? wb_sel_q : src_sel_i;

  // Next cycle's lagging (for the room flags): lag_d || (advance_next_i && !begun_d),
  // picked by idle_o between its values for an idle and a busy PE (timing: idle_o,
  // an AND over the PE's pipeline, settles last; the pick keeps it one LUT from the
  // room flags; asserted below). An idle PE that lags starts its write-back and stops lagging.
  logic begun_if_idle, lagging_next_idle, lagging_next_busy;
  assign begun_if_idle     = !flush_i && !advance_i && (begun_q || (wb_go_i && !lagging));
  assign lagging_next_idle = advance_next_i && !begun_if_idle;
  assign lagging_next_busy = (!flush_i && lagging) ||
                             (advance_next_i && !(!flush_i && !advance_i && begun_q));
  assign lagging_next      = idle_o ? lagging_next_idle : lagging_next_busy;

  // The layer whose codebook this PE's entries use: the run's first at its flush,
  // the next one from its write-back's start.
  always_comb begin : proc_cb_layer
    cb_layer_d = cb_layer_q;
    if (wb_begin) cb_layer_d = cb_layer_q + LayerWidth'(1);
    if (flush_i)  cb_layer_d = layer_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_flip
    if (!rst_ni) begin
      begun_q    <= 1'b0;
      lag_q      <= 1'b0;
      wb_sel_q   <= 1'b0;
      wb_begin_q <= 1'b0;
      cb_layer_q <= '0;
    end else begin
      begun_q    <= begun_d;
      lag_q      <= lag_d;
      wb_begin_q <= wb_begin;
      cb_layer_q <= cb_layer_d;
      if (wb_begin) wb_sel_q <= !src_sel_i;
    end
  end

  // The accumulator banks: each layer adds into the other bank than the layer before
  // (whose sums the write-back reads and zeroes meanwhile): the bank swaps as the
  // write-back starts, and at a run's first layer's flush. An
  // abort sweeps both banks (reset too, inside eie_arith); a run's first layer takes
  // the bank the run before did not end in, and the one it ended in (its results,
  // readable until this START) is swept during the first layer (the CCU holds the
  // second layer until it is clean).
  logic       layer_start, acc_bank_d, acc_bank_q;
  logic [1:0] acc_sweep;

  assign layer_start = flush_i && !bitmap_clear_i;
  assign acc_bank_d  = acc_bank_q ^ layer_start ^ wb_begin;
  assign acc_sweep   = (flush_i && bitmap_clear_i) ? 2'b11 :
                       (layer_start && layer_i == '0) ? 2'(1) << acc_bank_q : 2'b00;

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_acc_bank
    if (!rst_ni) acc_bank_q <= 1'b0;
    else         acc_bank_q <= acc_bank_d;
  end
  // The write-back reads the previous layer's bank; the RESULT target (I/O mode,
  // no write-back running) the current one's. (The load port decodes the RESULT
  // read before its register: timing, the strobe steers the read address mux.)
  assign res_re = ld_res_re_i;

  eie_arith #(
    .MaxLayers (MaxLayers),
    .ActDepth  (ActDepth)
  ) u_arith (
    .clk_i,
    .rst_ni,
    .cb_we_i     (ld_we_i && ld_target_i == eie_pkg::LdTgtCodebook),
    .cb_addr_i   ($clog2(MaxLayers * eie_pkg::NumCodes)'(ld_index_i)),
    .cb_wdata_i  (ld_wdata_i[eie_pkg::WeightWidth-1:0]),
    .layer_i     (cb_layer_q),
    .acc_bank_i  (acc_bank_q),
    .ent_valid_i (ent_valid && !row_overflow),
    .ent_code_i  (ent_code),
    .ent_row_i   (ent_row[RowWidth-1:0]),
    .ent_act_i   (ent_act),
    .clear_i     (flush_i),
    .sweep_i     (acc_sweep),
    .wb_re_i     (wb_rd),
    .wb_row_i    (wb_row),
    .res_re_i    (res_re),
    .res_row_i   (RowWidth'(ld_index_i)),
    .wb_acc_o    (wb_acc),
    .idle_o      (arith_idle)
  );

  assign idle_o = ptr_mid == '0 && ptr_valid == '0 && !q_pop_valid && spmat_idle && arith_idle;

  // ---------------------------------------------------------------------------
  // Write-back: the rows through ReLU/requantisation into the destination file
  // ---------------------------------------------------------------------------
  // The requantisation has a register after its shift (timing): the write-back
  // takes its rows' values AccReadLatency + RequantStages cycles after their read (the
  // accumulators' block RAM and its register, then that register), and so does the
  // RESULT read-back.
  eie_relu_quant #(
    .Stages (eie_pkg::RequantStages)
  ) u_relu_quant (
    .clk_i,
    .acc_i   (wb_acc),
    .shift_i (wb_shift_i),
    .relu_i  (wb_relu_i),
    .act_o   (wb_act)
  );

  eie_wb_seq #(
    .NumPe      (NumPe),
    .ActDepth   (ActDepth),
    .ActLatency (eie_pkg::AccReadLatency + eie_pkg::RequantStages)
  ) u_wb_seq (
    .clk_i,
    .rst_ni,
    .pe_index_i  (pe_index_i),
    .flush_i     (flush_i),
    .stop_i      (bitmap_clear_i),
    .wb_start_i  (wb_begin),
    .layer_out_i (wb_out_i),
    .ent_valid_i (ent_valid),
    .ent_row_i   (ent_row),
    .busy_o      (wb_busy),
    .rd_o        (wb_rd),
    .rd_row_o    (wb_row),
    .act_i       (wb_act),
    .wr_valid_o  (wr_valid),
    .wr_row_o    (wr_row),
    .wr_act_o    (wr_act),
    .err_row_o   (row_err)
  );

  // From the cycle after the start to the cycle of the last write (which lands the
  // cycle after busy falls); in the start's cycle the leaf is held not done anyway
  // (timing: this PE's idle then reaches no LNZD node through its leaf).
  logic wb_pending;
  assign wb_pending = wb_busy || wr_valid;

  // ---------------------------------------------------------------------------
  // Activation read/write unit: ping-pong files, bitmap, LNZD leaf
  // ---------------------------------------------------------------------------
  logic                ld_act, act_ld_file, act_done;

  assign leaf_done_o = act_done && !hold;
  logic [ActWidth-1:0] act_ld_rdata;

  assign ld_act      = ld_target_i == eie_pkg::LdTgtAct0 || ld_target_i == eie_pkg::LdTgtAct1;
  assign act_ld_file = ld_target_i == eie_pkg::LdTgtAct1;

  eie_act_file #(
    .ActDepth (ActDepth),
    .NumPe    (NumPe)
  ) u_act_file (
    .clk_i,
    .rst_ni,
    .pe_index_i     (pe_index_i),
    .src_sel_i      (act_src_sel),
    .scan_en_i      (scan_en_i && !hold),
    .leaf_valid_o   (leaf_valid_o),
    .leaf_ready_i   (leaf_ready_i),
    .leaf_act_o     (leaf_act_o),
    .leaf_col_o     (leaf_col_o),
    .done_o         (act_done),
    .wb_pending_i   (wb_pending),
    .wb_valid_i     (wr_valid),
    .wb_row_i       (wr_row),
    .wb_act_i       (wr_act),
    .ld_we_i        (ld_we_i && ld_act),
    .ld_re_i        (ld_re_i && ld_act),
    .ld_file_i      (act_ld_file),
    .ld_addr_i      (RowWidth'(ld_index_i)),
    .ld_wdata_i     (ld_wdata_i[ActWidth-1:0]),
    .ld_rdata_o     (act_ld_rdata),
    .bitmap_clear_i (bitmap_clear_i)
  );

  // Load-port read data of the target read three cycles before (the RESULT read's
  // requantised sum is ready then), registered (timing: the RESULT requantisation
  // then does not feed the load port's PE mux). The pointer and sparse-matrix words
  // come from the registers behind their block RAMs; the activation files and the
  // accumulators hold theirs until then.
  logic                   ld_re_q, ld_re_q2, ld_re_q3;
  logic [TgtWidth-1:0]    ld_target_d, ld_target_q;
  logic [LdDataWidth-1:0] ld_rdata_sel, ld_rdata_d, ld_rdata_q;
  // The activation file's word, registered in the cycle after its read, when its
  // block RAM first shows it (timing: the block RAM's 5.8 ns clock-to-output then
  // feeds a register, not the target mux; the word is taken a cycle later anyway).
  logic [ActWidth-1:0]    act_ld_q;

  always_ff @(posedge clk_i) begin : proc_act_ld
    if (ld_re_q) act_ld_q <= act_ld_rdata;
  end

  always_comb begin : proc_ld_rdata
    unique case (ld_target_q)
      eie_pkg::LdTgtSpmat:  ld_rdata_sel = LdDataWidth'(spmat_ld_rdata);
      eie_pkg::LdTgtPtr:    ld_rdata_sel = LdDataWidth'(ptr_ld_rdata);
      eie_pkg::LdTgtAct0,
      eie_pkg::LdTgtAct1:   ld_rdata_sel = {{(LdDataWidth - ActWidth){act_ld_q[ActWidth-1]}},
                                            act_ld_q};
      eie_pkg::LdTgtResult: ld_rdata_sel = {{(LdDataWidth - ActWidth){wb_act[ActWidth-1]}}, wb_act};
      default:              ld_rdata_sel = '0;
    endcase
  end

  assign ld_target_d = ld_re_i ? ld_target_i : ld_target_q;
  // Zero but in the cycle the load port takes it: the load port ORs every PE's (area).
  assign ld_rdata_d  = ld_re_q3 ? ld_rdata_sel : '0;

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_ld_regs
    if (!rst_ni) begin
      ld_target_q <= '0;
      ld_re_q     <= 1'b0;
      ld_re_q2    <= 1'b0;
      ld_re_q3    <= 1'b0;
      ld_rdata_q  <= '0;
    end else begin
      ld_target_q <= ld_target_d;
      ld_re_q     <= ld_re_i;
      ld_re_q2    <= ld_re_q;
      ld_re_q3    <= ld_re_q2;
      ld_rdata_q  <= ld_rdata_d;
    end
  end

  assign ld_rdata_o = ld_rdata_q;

  // ---------------------------------------------------------------------------
  // Performance counters (cleared at START, counting in compute phases), if built
  // ---------------------------------------------------------------------------
  if (PeCounters) begin : g_counters
    eie_pe_counters u_counters (
      .clk_i,
      .rst_ni,
      .clear_i      (cnt_clear_i),
      .compute_i    (compute_i),
      .bcast_over_i (bcast_over_i),
      .issue_i      (spmat_busy),
      .has_work_i   (ptr_mid != '0 || ptr_valid != '0 || q_pop_valid),
      .wait_room_i  (bcast_valid_i[0] && !pe_room_o[0]),
      .pad_i        (ent_valid && ent_pad),
      .pad_merged_i (ent_valid && ent_merged),
      .counters_o   (counters_o)
    );
  end else begin : g_no_counters
    // Only the counters read these.
    logic unused_cnt;
    assign unused_cnt = ^{cnt_clear_i, compute_i, bcast_over_i, spmat_busy, ent_pad, ent_merged};
    assign counters_o = '0;
  end

  // ---------------------------------------------------------------------------
  // Error events
  // ---------------------------------------------------------------------------
  // The load index is LdIdxWidth bits for every target; each memory uses its low bits.
  logic unused_ld_index;
  assign unused_ld_index = ^ld_index_i;
  // The error events are registered (timing: a pointer bank's clock-to-output and
  // the order compare would otherwise drive the CCU's abort and, through its flush,
  // every PE's read enables in the same cycle). The run aborts one cycle later; it
  // is still running then, since no error can fire in a layer's drained cycle.
  logic err_order_d, err_order_q, err_range_q, err_row_d, err_row_q;
  assign err_order_d = (ptr_valid & ptr_err_order) != '0;
  assign err_row_d   = row_err || row_overflow;

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_err_regs
    if (!rst_ni) begin
      err_order_q <= 1'b0;
      err_range_q <= 1'b0;
      err_row_q   <= 1'b0;
    end else begin
      err_order_q <= err_order_d;
      err_range_q <= spmat_err_range;
      err_row_q   <= err_row_d;
    end
  end

  always_comb begin : proc_err
    err_o = '0;
    err_o[eie_pkg::ErrPtrOrder] = err_order_q;
    err_o[eie_pkg::ErrPtrRange] = err_range_q;
    err_o[eie_pkg::ErrRowRange] = err_row_q;
  end

`ifndef SYNTHESIS
  // ---------------------------------------------------------------------------
  // Event counters of the energy model (simulation only): the units' real enables
  // ---------------------------------------------------------------------------
  eie_pe_events u_events (
    .clk_i,
    .rst_ni,
    .clear_i     (cnt_clear_i),
    .spmat_re_i  (u_spmat_read.sram_re_issue),
    .ptr_re_i    (4'({u_ptr_read.odd_re, u_ptr_read.even_re})),
    .cb_re_i     (u_arith.cb_re),
    .mul_i       (u_arith.s1_valid_q),
    .acc_re_i    ({u_arith.g_bank[1].re, u_arith.g_bank[0].re}),
    .acc_we_i    ({u_arith.g_bank[1].we, u_arith.g_bank[0].we}),
    .bypass_i    (u_arith.bypass_d),
    .act_re_i    ({u_act_file.g_file[1].re, u_act_file.g_file[0].re}),
    .act_we_i    ({u_act_file.g_file[1].we, u_act_file.g_file[0].we}),
    .q_push_i    (2'(q_push & q_push_ready)),
    .q_pop_i     (q_pop_valid && q_pop_ready),
    .take_i      (2'(bcast_valid_i & bcast_take_i)),
    .compute_i   (compute_i),
    .issue_i     (spmat_busy),
    .ld_access_i (ld_we_i || ld_re_i)
  );

  // A plain always: Icarus -Wall flags system tasks inside an always_ff. $fatal,
  // not $error: Icarus carries on after $error and the cocotb test would pass.
  int room_count;
  assign room_count = int'(q_count) + $countones(ptr_mid) + $countones(ptr_valid);

  // src_sel_i a cycle ago, for the write-back file's assertion below.
  logic src_sel_prev_q;

  always @(posedge clk_i or negedge rst_ni) begin : proc_src_sel_prev
    if (!rst_ni) src_sel_prev_q <= 1'b0;
    else         src_sel_prev_q <= src_sel_i;
  end

  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (rst_ni) begin
      assert (32'(pe_index_i) < NumPe)
        else $fatal(1, "eie_pe: pe_index_i %0d outside 0..%0d", pe_index_i, NumPe - 1);
      assert ((q_push & ~q_push_ready) == '0)
        else $fatal(1, "eie_pe %0d: activation queue overflow", pe_index_i);
      // The columns held and the registered room flags agree with the queue and pointer stages.
      assert (int'(occ_q) == room_count)
        else $fatal(1, "eie_pe %0d: %0d columns held, the queue and pointer stages have %0d",
                    pe_index_i, occ_q, room_count);
      for (int l = 0; l < Lanes; l++) begin
        assert (room_q[l] == (room_count + l < QueueDepth))
          else $fatal(1, "eie_pe %0d: room flag %0d disagrees with the queue count", pe_index_i, l);
      end
      assert (lagging_next == (lag_d || (advance_next_i && !begun_d)))
        else $fatal(1, "eie_pe %0d: the idle pick of next cycle's lagging is wrong", pe_index_i);
      // The CCU's src_sel_i holds from the cycle before a write-back starts until the
      // advance, so ahead of it wb_sel_q is the file src_sel_i does not name.
      assert (!wb_begin || lagging || src_sel_i == src_sel_prev_q)
        else $fatal(1, "eie_pe %0d: src_sel_i changed as the write-back started", pe_index_i);
      assert (!ahead || wb_sel_q == !src_sel_i)
        else $fatal(1, "eie_pe %0d: ahead of the advance, wb_sel_q names the source file",
                    pe_index_i);
      assert (pe_room_q == (room_q & {Lanes{!lagging}}))
        else $fatal(1, "eie_pe %0d: the registered room flags disagree with room and lag",
                    pe_index_i);
      // The load port takes no access while the core runs, and a run ends after its
      // write-backs: a RESULT read never meets one.
      assert (!(res_re && wb_busy))
        else $fatal(1, "eie_pe %0d: RESULT read while the write-back runs", pe_index_i);
      assert (ld_res_re_i == (ld_re_i && ld_target_i == eie_pkg::LdTgtResult))
        else $fatal(1, "eie_pe %0d: the RESULT read strobe disagrees with the read's target",
                    pe_index_i);
    end
  end

  // eie sim's fast load (+eie_image_dir=DIR): PE pe's pointer banks and SRAM from the
  // image folder's files. eie_core calls it at time 0 with the index as a constant,
  // since an initial block here cannot rely on pe_index_i's value at time 0.
  task automatic preload_image(input string dir, input int pe);
    u_ptr_read.preload(dir, pe);
    u_spmat_read.preload(dir, pe);
  endtask
`endif

endmodule

`default_nettype wire
