// SPDX-License-Identifier: Apache-2.0
// Central control unit. I/O mode (IDLE) lets the load port fill the memories;
// a START runs the layers: COMPUTE broadcasts (a_j, j) from the LNZD root (the
// bias column's constant one first), one per cycle, into a history of the last
// HistoryDepth broadcasts that every PE reads at its own pace (eie_bcast_history).
// Once a layer's broadcast is over (registered: over_q) the files swap and the next
// layer starts (advance_o), its first compute cycle following at once, while the
// PEs drain: each PE starts its write-back as soon as it is idle (wb_go_o, or on its
// own after advance_o), turning its accumulators into the next layer's activations
// (its LNZD leaf scans the rows as they are written) and starts the next layer with
// it (its entries add into the other accumulator bank). INIT only waits for the
// accumulator sweep or meets a bad descriptor. The last layer ends when every PE is
// idle; it stays in the accumulators (read back requantised through the load port).
// Any error event aborts to IDLE.

`default_nettype none

module eie_ccu #(
  /// Number of processing elements.
  parameter int NumPe        = 4,
  /// Entries per pointer bank.
  parameter int PtrBankDepth = 1024,
  /// Layer descriptors.
  parameter int MaxLayers    = 4,
  /// Broadcasts kept in the history (a power of two, >= 2).
  parameter int HistoryDepth = 128,
  /// Columns a PE takes from the history per cycle (1 or 2).
  parameter int TakeLanes    = eie_pkg::TakeLanes,
  localparam int LayerWidth  = (MaxLayers > 1) ? $clog2(MaxLayers) : 1,
  localparam int PtrIdxWidth = $clog2(PtrBankDepth) + 1,
  localparam int ActWidth    = eie_pkg::ActWidth,
  localparam int ColWidth    = eie_pkg::ColIdxWidth,
  localparam int Lanes       = TakeLanes,
  localparam int InWidth     = eie_pkg::LayerInWidth,
  localparam int OutWidth    = eie_pkg::LayerOutWidth,
  localparam int ShiftWidth  = eie_pkg::ShiftWidth,
  localparam int NumErrors   = eie_pkg::NumErrors,
  localparam int CntWidth    = eie_pkg::CounterWidth,
  /// Width of a pointer bank address.
  localparam int BankAddrWidth = PtrIdxWidth - 1,
  // A history entry: the activation, the column's pointer index and its even bank
  // address (16 + 9 + 8 = 33 bits for 256-entry banks: one DP16KD in 512 x 36 mode).
  localparam int EntryWidth  = ActWidth + PtrIdxWidth + BankAddrWidth
) (
  /// Clock.
  input  logic                                   clk_i,
  /// Asynchronous reset, active low.
  input  logic                                   rst_ni,
  /// CTRL.START pulse.
  input  logic                                   start_i,
  /// CTRL.ABORT pulse.
  input  logic                                   abort_i,
  /// NUM_LAYERS.
  input  logic [LayerWidth:0]                    num_layers_i,
  /// NUM_LAYERS next cycle (for the registered START checks).
  input  logic [LayerWidth:0]                    num_layers_next_i,
  /// ACT_FRAC: the bias column's 1.0 is 1 << act_frac_i.
  input  logic [eie_pkg::ActFracWidth-1:0]       act_frac_i,
  /// INPUT_FILE: the source file of the first layer.
  input  logic                                   input_file_i,
  /// INPUT_FILE next cycle (for the registered src_sel_o).
  input  logic                                   input_file_next_i,
  /// LAYER_IN of every layer.
  input  logic [MaxLayers-1:0][InWidth-1:0]      layer_in_i,
  /// LAYER_OUT of every layer.
  input  logic [MaxLayers-1:0][OutWidth-1:0]     layer_out_i,
  /// LAYER_PTR_BASE of every layer.
  input  logic [MaxLayers-1:0][PtrIdxWidth-1:0]  layer_ptr_base_i,
  /// LAYER_FLAGS.BIAS of every layer.
  input  logic [MaxLayers-1:0]                   layer_bias_i,
  /// LAYER_FLAGS.RELU of every layer.
  input  logic [MaxLayers-1:0]                   layer_relu_i,
  /// LAYER_FLAGS.SHIFT of every layer.
  input  logic [MaxLayers-1:0][ShiftWidth-1:0]   layer_shift_i,
  /// Per layer: eie_csr found its descriptor impossible to run.
  input  logic [MaxLayers-1:0]                   layer_bad_i,
  /// Layer 0's layer_bad_i next cycle (for the registered START checks).
  input  logic                                   layer0_bad_next_i,
  /// A pointer table has been loaded since reset.
  input  logic                                   loaded_i,
  /// loaded_i next cycle (for the registered START checks).
  input  logic                                   loaded_next_i,
  /// Error events from outside the CCU that abort a run (load port misuse, PE checks).
  input  logic                                   ext_abort_i,
  /// LNZD root: a next non-zero activation is offered.
  input  logic                                   root_valid_i,
  /// Its value.
  input  logic [ActWidth-1:0]                    root_act_i,
  /// Its global column.
  input  logic [ColWidth-1:0]                    root_col_i,
  /// The root item is taken.
  output logic                                   root_ready_o,
  /// The LNZD tree is done: every leaf is done (its write-back over) and every node empty.
  input  logic                                   tree_done_i,
  /// Per PE: room for 1 / 2 more columns (lanes 0 / 1).
  input  logic [NumPe-1:0][Lanes-1:0]            pe_room_i,
  /// Per PE: compute pipeline empty.
  input  logic [NumPe-1:0]                       pe_idle_i,
  /// Per PE and take lane: a column it has not taken is in the history.
  output logic [NumPe-1:0][Lanes-1:0]            bcast_valid_o,
  /// Per PE and take lane: it takes that column now.
  output logic [NumPe-1:0][Lanes-1:0]            bcast_take_o,
  /// Per PE and take lane: the column's activation.
  output logic [NumPe-1:0][Lanes-1:0][ActWidth-1:0] bcast_act_o,
  /// Per PE and take lane: the column's pointer index ptr_base + j.
  output logic [NumPe-1:0][Lanes-1:0][PtrIdxWidth-1:0] bcast_ptr_idx_o,
  /// Per PE and take lane: the even bank's address of its pointer pair,
  /// (ptr_base + j + 1) >> 1 (eie_ptr_read).
  output logic [NumPe-1:0][Lanes-1:0][BankAddrWidth-1:0] bcast_even_addr_o,
  /// The current layer (its codebook).
  output logic [LayerWidth-1:0]                  layer_o,
  /// Output features of the layer written back (in I/O mode: of the current layer).
  output logic [OutWidth-1:0]                    wb_out_o,
  /// ReLU flag of the layer written back (in I/O mode: of the current layer).
  output logic                                   wb_relu_o,
  /// Requantisation shift of the layer written back (in I/O mode: of the current layer).
  output logic [ShiftWidth-1:0]                  wb_shift_o,
  /// Per PE: the source activation file.
  output logic [NumPe-1:0]                       src_sel_o,
  /// Per PE: the LNZD leaves scan their source files.
  output logic [NumPe-1:0]                       scan_en_o,
  /// Pulse: flush the PE pipelines (a run's first layer or an abort).
  output logic                                   flush_o,
  /// Pulse: the next layer starts (each PE joins it once done with this one).
  output logic                                   advance_o,
  /// Per PE: the broadcast of a layer that is written back is over: the PE starts
  /// its write-back once idle (a register: over_q and the last-layer flag).
  output logic [NumPe-1:0]                       wb_go_o,
  /// Pulse: clear the non-zero bitmaps.
  output logic                                   bitmap_clear_o,
  /// The compute phase of a layer (for the PE counters).
  output logic                                   compute_o,
  /// The layer's broadcast is over (for the PE counters).
  output logic                                   bcast_over_o,
  /// STATUS.BUSY.
  output logic                                   busy_o,
  /// STATUS.DONE.
  output logic                                   done_o,
  /// Error events raised here, in ERROR bit positions.
  output logic [NumErrors-1:0]                   err_set_o,
  /// CYCLES of the last run.
  output logic [2*CntWidth-1:0]                  cycles_o,
  /// BCASTS of the last run.
  output logic [CntWidth-1:0]                    bcasts_o,
  /// BCAST_STALLS of the last run.
  output logic [CntWidth-1:0]                    bcast_stalls_o,
  /// LAYER_CYCLES of the last run.
  output logic [MaxLayers-1:0][CntWidth-1:0]     layer_cycles_o
);

  initial begin : proc_check_params
    if (MaxLayers < eie_pkg::MinMaxLayers || MaxLayers > eie_pkg::MaxMaxLayers) begin
      $fatal(1, "eie_ccu: MaxLayers must be %0d..%0d, got %0d", eie_pkg::MinMaxLayers,
             eie_pkg::MaxMaxLayers, MaxLayers);
    end
  end

  typedef enum logic [1:0] {
    StIdle,
    StInit,
    StCompute
  } state_e;

  state_e                state_d, state_q;
  logic [LayerWidth-1:0] layer_d, layer_q;
  logic                  src_sel_d, src_sel_q;
  logic                  bias_pending_d, bias_pending_q;
  logic                  fresh_valid, fresh_take, history_clear, history_full, caught_up;
  logic [ActWidth-1:0]   fresh_act;
  logic [PtrIdxWidth-1:0] fresh_ptr_idx;
  logic [BankAddrWidth-1:0] fresh_even_addr;
  logic [EntryWidth-1:0]  fresh_entry;
  logic [NumPe-1:0][Lanes-1:0][EntryWidth-1:0] pe_entry;
  // The layer's broadcast is over, registered and held until the layer ends (the
  // root, which may then hold the next layer's columns, is not taken meanwhile:
  // the last layer waits for the PEs to drain).
  logic                  over_d, over_q, bcast_over_now;
  // A run's first layer starts (a flush): from START or INIT.
  logic                  go;
  logic                  done_d, done_q;
  logic [2*CntWidth-1:0] cycles_d, cycles_q;
  logic [CntWidth-1:0]   bcasts_d, bcasts_q, stalls_d, stalls_q;
  logic [MaxLayers-1:0][CntWidth-1:0] layer_cycles_d, layer_cycles_q;
  // A fresh broadcast sent and one held back, counted a cycle later (timing: the
  // history-full OR over every PE then feeds no 32-bit adder).
  logic                  bcast_inc_d, bcast_inc_q, stall_inc_d, stall_inc_q;

  logic all_idle, layer_bad, layer_drained, last_layer, over_on_d, over_prev_q;
  // Error events and the abort they cause are continuous assignments, read but never
  // written by the always_comb below: Icarus 11 re-runs an always_comb forever when
  // it reads a variable it has just written.
  logic err_start_busy, err_not_loaded, err_bad_layer, err_col_range, err_col_range_q;
  logic root_past_inputs;
  logic start_ok, init_bad, root_take, abort;
  logic [ColWidth:0] in_cols;
  // The current layer's descriptor fields, registered so that no descriptor mux
  // sits in the PEs' write-back or the broadcast paths (timing). They always load
  // layer_d's descriptor: layer 0's at a START, the next layer's (read into next_q
  // a cycle ahead, timing: the layer's end then does not feed a descriptor mux)
  // when a layer ends, layer_q's otherwise. In a run that is what they hold
  // (eie_csr refuses descriptor writes while busy); in I/O mode they follow a
  // descriptor write one cycle later. (Icarus 11 cannot bit-select an indexed element.)
  // One layer's descriptor as one vector: {bad, in, out, ptr_base, bias, relu, shift}
  // (bad: eie_csr's check of the descriptor, ahead of the run).
  localparam int DescWidth = 1 + InWidth + OutWidth + PtrIdxWidth + 2 + ShiftWidth;
  logic [MaxLayers-1:0][DescWidth-1:0] desc;
  logic [DescWidth-1:0]   cur_d, cur_q, next_q;
  logic [InWidth-1:0]     cur_in_q;
  logic [OutWidth-1:0]    cur_out_q;
  logic [PtrIdxWidth-1:0] cur_ptr_base_q;
  logic                   cur_bad_q, cur_bias_q, cur_relu_q;
  logic [ShiftWidth-1:0]  cur_shift_q;
  logic [LayerWidth-1:0]  layer_next;
  logic                   advance;
  // The PEs' accumulator sweep (eie_arith), counted here: AccSweepCycles from reset, an
  // abort, or a run's first layer's start. A run's first layer waits for it in INIT
  // (uncounted: only a START soon after reset, an abort or a run shorter than the
  // sweep waits), its second layer too (counted: eie.models.perf's first layer lasts
  // at least that long).
  localparam int SweepCntWidth = $clog2(eie_pkg::AccSweepCycles + 1);
  logic [SweepCntWidth-1:0] sweep_left_d, sweep_left_q;
  logic                     sweep_done_d, sweep_done_q;

  for (genvar l = 0; l < MaxLayers; l++) begin : g_desc
    assign desc[l] = {layer_bad_i[l], layer_in_i[l], layer_out_i[l], layer_ptr_base_i[l],
                      layer_bias_i[l], layer_relu_i[l], layer_shift_i[l]};
  end

  // The layer after layer_q (wrapping past the last descriptor, which no run reaches).
  assign layer_next = 32'(layer_q) == MaxLayers - 1 ? '0 : layer_q + LayerWidth'(1);
  // A layer's broadcast is over and another follows: it starts at once, the PEs
  // joining it as they finish this one. (Not before the PEs' accumulator sweep is
  // over: the next layer adds into the swept bank.) A register loaded with the AND
  // of those registers' next values (timing: each PE's room flag for the next cycle
  // reads it; asserted against the AND of the registers).
  logic advance_q;
  assign advance    = advance_q;
  // The next layer's descriptor bits that its start needs (next_q: {bad, ..., bias, relu, shift}).
  logic next_bad, next_bias;
  assign next_bad  = next_q[DescWidth-1];
  assign next_bias = next_q[ShiftWidth+1];
  // advance picks last (timing: the layer's end then passes one mux, not three).
  assign cur_d      = advance ? next_q : start_ok ? desc[0] : desc[layer_q];

  always_ff @(posedge clk_i) begin : proc_next_layer
    next_q <= desc[layer_next];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_cur_layer
    if (!rst_ni) cur_q <= '0;
    else         cur_q <= cur_d;
  end

  assign {cur_bad_q, cur_in_q, cur_out_q, cur_ptr_base_q, cur_bias_q, cur_relu_q,
          cur_shift_q} = cur_q;

  // The fields the write-back uses, of the layer whose broadcast is over (taken then:
  // the write-back of the layer before is over by then, and the next layer's
  // descriptor is current while this one's write-back runs). In I/O mode they follow
  // the current layer's (the RESULT target requantises with the last layer's after a run).
  logic [OutWidth-1:0]   wb_out_d, wb_out_q;
  logic                  wb_relu_d, wb_relu_q;
  logic [ShiftWidth-1:0] wb_shift_d, wb_shift_q;

  always_comb begin : proc_wb_desc
    wb_out_d   = wb_out_q;
    wb_relu_d  = wb_relu_q;
    wb_shift_d = wb_shift_q;
    if (state_q == StIdle || (state_q == StCompute && bcast_over_now && !over_q)) begin
      wb_out_d   = cur_out_q;
      wb_relu_d  = cur_relu_q;
      wb_shift_d = cur_shift_q;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_wb_desc_regs
    if (!rst_ni) begin
      wb_out_q   <= '0;
      wb_relu_q  <= 1'b0;
      wb_shift_q <= '0;
    end else begin
      wb_out_q   <= wb_out_d;
      wb_relu_q  <= wb_relu_d;
      wb_shift_q <= wb_shift_d;
    end
  end

  assign all_idle    = &pe_idle_i;
  assign in_cols     = (ColWidth+1)'(cur_in_q);
  // The current layer is the run's last: registered, set at START and at each
  // advance (timing: no compare of the layer number in the state machine's path).
  logic last_layer_d, last_layer_q;

  always_comb begin : proc_last_layer
    last_layer_d = last_layer_q;
    if (start_ok) last_layer_d = start_one_layer_q;
    if (advance)  last_layer_d = 32'(layer_q) + 2 >= 32'(num_layers_i);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_last_layer_reg
    if (!rst_ni) last_layer_q <= 1'b0;
    else         last_layer_q <= last_layer_d;
  end

  assign last_layer  = last_layer_q;

  // eie_csr checks every descriptor ahead (timing); INIT reads the current layer's bit.
  assign layer_bad   = cur_bad_q;

  // What a START checks, each a register loaded with the next value of what it
  // checks, so it always equals the check of the current value (asserted below;
  // timing: the layer-count compares and layer 0's bad bit then pass no LUT between
  // START and the state registers, the run counters and the registers every PE reads).
  logic start_loaded_q, start_layers_fine_q, start_one_layer_q, start_layer0_bad_q;
  // A START now would go straight to COMPUTE (start_ok's checks, layer 0 fine, the
  // sweep over), one register for the per-PE copies below.
  logic start_go_q;
  // The next layer count is one the CCU can run (start_layers_fine_q's next value).
  logic start_layers_fine_d;
  assign start_layers_fine_d = num_layers_next_i != '0 && 32'(num_layers_next_i) <= MaxLayers;

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_start_check_regs
    if (!rst_ni) begin
      start_loaded_q      <= 1'b0;
      start_layers_fine_q <= eie_pkg::NumLayersReset != 0 && eie_pkg::NumLayersReset <= MaxLayers;
      start_one_layer_q   <= eie_pkg::NumLayersReset <= 1;
      start_layer0_bad_q  <= 1'b1;
      start_go_q          <= 1'b0;
    end else begin
      start_loaded_q      <= loaded_next_i;
      start_layers_fine_q <= start_layers_fine_d;
      start_one_layer_q   <= 32'(num_layers_next_i) <= 1;
      start_layer0_bad_q  <= layer0_bad_next_i;
      start_go_q          <= loaded_next_i && start_layers_fine_d && !layer0_bad_next_i &&
                             sweep_done_d;
    end
  end

  // START in idle: refused without an image or with an impossible layer count.
  assign err_not_loaded = state_q == StIdle && start_i && !start_loaded_q;
  assign err_bad_layer  = (state_q == StIdle && start_i && start_loaded_q &&
                           !start_layers_fine_q) || init_bad;
  assign start_ok       = state_q == StIdle && start_i && start_loaded_q && start_layers_fine_q;
  assign init_bad       = state_q == StInit && layer_bad;
  // The tree's root is taken whenever the history has room and no bias is due: a
  // column past the layer's inputs is taken too and dropped (it aborts the run), so
  // the ready into the root's registers waits for no compare (the tree's nodes
  // register their ready, so it goes no further).
  assign root_take      = state_q == StCompute && !bias_pending_q && !history_full && !over_q;
  // A root column past the layer's inputs is never broadcast: it raises the error
  // and aborts the run the cycle after it shows (registered, timing: the compare
  // then feeds neither the abort and, through the flush, every PE, nor eie_csr).
  assign root_past_inputs = (ColWidth+1)'(root_col_i) >= in_cols;
  assign err_col_range  = state_q == StCompute && !bias_pending_q && root_valid_i && !over_q &&
                          root_past_inputs && !err_col_range_q;
  assign err_start_busy = start_i && state_q != StIdle;
  assign abort          = err_start_busy || init_bad || err_col_range_q ||
                          ((abort_i || ext_abort_i) && state_q != StIdle);
  assign root_ready_o   = root_take;

  assign bcast_over_now = !bias_pending_q && tree_done_i && !root_valid_i && caught_up;
  assign bcast_over_o  = bcast_over_now || over_q;
  // over_q: the CCU sees the end of the broadcast a cycle late (timing: the tree's
  // done and the history's compare then feed no PE). The run's last layer is
  // drained when besides every PE is idle. The idle flags come registered
  // (eie_core), so they show the cycle before: the layer is drained when it was
  // over in that cycle too (over_prev_q), a cycle after it was drained.
  assign layer_drained = over_q && over_prev_q && all_idle;
  // (Held while the first layer waits for the sweep: the root may hold the next
  // layer's columns then.)
  assign over_d        = over_on_d && !(layer_drained && last_layer);
  // over_d but for the end of the run's last layer: what the registered outputs of
  // a layer that is not the last read (timing: the PEs' idle flags then feed only
  // the state, over_q and done_q; advance_q and wb_go_o are asserted below).
  assign over_on_d     = state_q == StCompute && !abort && !advance && (over_q || bcast_over_now);
  assign bcast_inc_d   = fresh_take;
  assign stall_inc_d   = fresh_valid && history_full && state_q == StCompute;

  // ---------------------------------------------------------------------------
  // Broadcast through the history. The bias column j = in_features carries the
  // constant 1.0 and goes first; then the LNZD root's columns.
  // ---------------------------------------------------------------------------
  assign fresh_valid   = bias_pending_q || (root_valid_i && !root_past_inputs && !over_q);
  assign fresh_act     = bias_pending_q ? ActWidth'(1) << act_frac_i : root_act_i;
  logic [PtrIdxWidth-1:0] fresh_col;
  logic [PtrIdxWidth:0]   fresh_next_x2;
  assign fresh_col     = PtrIdxWidth'(bias_pending_q ? ColWidth'(cur_in_q) : root_col_i);
  assign fresh_ptr_idx = cur_ptr_base_q + fresh_col;
  // (k + 1) >> 1 from an add of its own beside k's, not behind it: {base, 1} +
  // {col, 1} is 2 (base + col + 1), so its bits [PtrIdxWidth:2] are (k + 1) >> 1
  // (k + 1 <= 2 * PtrBankDepth - 1 fits PtrIdxWidth bits; eie_csr checks the base).
  assign fresh_next_x2   = {cur_ptr_base_q, 1'b1} + {fresh_col, 1'b1};
  assign fresh_even_addr = fresh_next_x2[PtrIdxWidth:2];
  // Bit 0 is the carry-in's constant 0, bit 1 the parity of k + 1 (k's is kept).
  logic unused_next_lsbs;
  assign unused_next_lsbs = ^fresh_next_x2[1:0];
  assign fresh_entry     = {fresh_act, fresh_ptr_idx, fresh_even_addr};
  // A run's first layer starts (go) in the cycle before its first compute cycle: a
  // START (layer 0 fine, sweep over) or INIT (done waiting); otherwise INIT waits or
  // meets the bad descriptor. A later layer follows the one before (advance), no
  // flush: the PEs still draining that one keep their pipelines.
  assign go = (start_ok && sweep_done_q && !start_layer0_bad_q) ||
              (state_q == StInit && !layer_bad && sweep_done_q);
  // The same condition as flush_o below (a new layer, or an abort), but as a
  // continuous assignment (the always_comb reads fresh_take).
  assign history_clear = go || abort;

  eie_bcast_history #(
    .NumPe        (NumPe),
    .HistoryDepth (HistoryDepth),
    .DataWidth    (EntryWidth),
    .TakeLanes    (TakeLanes)
  ) u_history (
    .clk_i,
    .rst_ni,
    .clear_i       (history_clear),
    .enable_i      (state_q == StCompute),
    .fresh_valid_i (fresh_valid),
    .fresh_data_i  (fresh_entry),
    .fresh_take_o  (fresh_take),
    .pe_room_i     (pe_room_i),
    .want_o        (bcast_valid_o),
    .take_o        (bcast_take_o),
    .data_o        (pe_entry),
    .full_o        (history_full),
    .caught_up_o   (caught_up)
  );

  for (genvar p = 0; p < NumPe; p++) begin : g_pe_entry
    for (genvar l = 0; l < Lanes; l++) begin : g_lane
      assign bcast_act_o[p][l]       = pe_entry[p][l][BankAddrWidth + PtrIdxWidth +: ActWidth];
      assign bcast_ptr_idx_o[p][l]   = pe_entry[p][l][BankAddrWidth +: PtrIdxWidth];
      assign bcast_even_addr_o[p][l] = pe_entry[p][l][BankAddrWidth-1:0];
    end
  end

  // ---------------------------------------------------------------------------
  // Layer sequencing
  // ---------------------------------------------------------------------------
  always_comb begin : proc_fsm
    state_d        = state_q;
    layer_d        = layer_q;
    src_sel_d      = src_sel_q;
    bias_pending_d = bias_pending_q && !fresh_take;
    done_d         = done_q;
    flush_o        = 1'b0;
    bitmap_clear_o = 1'b0;

    unique case (state_q)
      StIdle: begin
        if (start_ok) begin
          state_d        = StInit;
          if (go) state_d = StCompute;
          layer_d        = '0;
          src_sel_d      = input_file_i;
          done_d         = 1'b0;
          flush_o        = go;
          bias_pending_d = go && layer_bias_i[0];
        end
      end
      StInit: begin
        if (go) begin
          flush_o        = 1'b1;
          bias_pending_d = cur_bias_q;
          state_d        = StCompute;
        end
      end
      StCompute: begin
        if (layer_drained && last_layer) begin
          // The last layer needs no write-back: results are read through the
          // load port's RESULT target, requantised on the way out.
          state_d        = StIdle;
          done_d         = 1'b1;
          bitmap_clear_o = 1'b1;
        end else if (advance) begin
          // The files swap (a PE that started its write-back already swapped its own);
          // a bad next descriptor aborts in INIT.
          src_sel_d      = !src_sel_q;
          layer_d        = layer_q + LayerWidth'(1);
          if (next_bad) state_d = StInit;
          bias_pending_d = !next_bad && next_bias;
        end
      end
      default: state_d = StIdle;
    endcase

    if (abort) begin
      // Back to I/O mode with nothing left in flight; the input must be reloaded.
      state_d        = StIdle;
      bias_pending_d = 1'b0;
      done_d         = 1'b0;
      flush_o        = 1'b1;
      bitmap_clear_o = 1'b1;
    end
  end

  // The sweep restarts with every flush (a run's first layer, INIT's go only ever
  // comes at layer 0, asserted below, or an abort); done is formed from the count,
  // not from the count's next value (timing: START's checks then pass two LUTs, not
  // the count's mux and compare, on their way to these registers).
  always_comb begin : proc_sweep_left
    sweep_left_d = sweep_left_q - SweepCntWidth'(sweep_left_q != '0);
    if (history_clear) sweep_left_d = SweepCntWidth'(eie_pkg::AccSweepCycles);
  end

  assign sweep_done_d = !history_clear && sweep_left_q <= SweepCntWidth'(1);

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_sweep_left_regs
    if (!rst_ni) begin
      sweep_left_q <= SweepCntWidth'(eie_pkg::AccSweepCycles);
      sweep_done_q <= 1'b0;
    end else begin
      sweep_left_q <= sweep_left_d;
      sweep_done_q <= sweep_done_d;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_err_col_range
    if (!rst_ni) err_col_range_q <= 1'b0;
    else         err_col_range_q <= err_col_range;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_fsm_regs
    if (!rst_ni) begin
      state_q        <= StIdle;
      layer_q        <= '0;
      src_sel_q      <= 1'b0;
      bias_pending_q <= 1'b0;
      over_q         <= 1'b0;
      over_prev_q    <= 1'b0;
      done_q         <= 1'b0;
    end else begin
      state_q        <= state_d;
      layer_q        <= layer_d;
      src_sel_q      <= src_sel_d;
      bias_pending_q <= bias_pending_d;
      over_q         <= over_d;
      over_prev_q    <= over_q;
      done_q         <= done_d;
    end
  end

  // ---------------------------------------------------------------------------
  // Levels every PE reads, each a register loaded with its next value (timing: no
  // PE sees a LUT of the CCU's state; assertions check them against the state)
  // ---------------------------------------------------------------------------
  // wb_go: the broadcast of a layer that is written back is over. compute: the
  // compute phase (also the LNZD leaves' scan). src_sel: the source file; in I/O
  // mode the input file, so loading it keeps its bitmap.
  logic compute_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_pe_levels
    if (!rst_ni) begin
      advance_q     <= 1'b0;
      compute_q     <= 1'b0;
    end else begin
      // (over_d implies StCompute next and no advance now, so last_layer_d is
      // last_layer_q; over_d and over_on_d differ only when last_layer_q is set.
      // over_on_d means COMPUTE and no abort, where nothing clears the history, so
      // sweep_done_d is the count's compare alone: timing, the clear, whose net
      // reaches every PE's history, stays off this path; asserted below.)
      advance_q     <= over_on_d && !last_layer_q && sweep_left_q <= SweepCntWidth'(1);
      compute_q     <= scan_en_next;
    end
  end

  // The copies' next values, per state from registers and the abort (timing: they
  // pass neither state_d's case nor its abort override; asserted equal to
  // state_d == StCompute and to state_d != StIdle ? src_sel_d : input_file_next_i).
  // end_last_q: the run's last layer was over last cycle too (layer_drained && last_layer
  // is end_last_q && all_idle).
  logic end_last_q, scan_en_next, src_sel_next, stays;

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_end_last
    if (!rst_ni) end_last_q <= 1'b0;
    else         end_last_q <= over_d && over_q && last_layer_d;
  end

  assign scan_en_next = !abort &&
                        (state_q == StIdle    ? start_i && start_go_q :
                         state_q == StInit    ? !layer_bad && sweep_done_q :
                         state_q == StCompute ? !(end_last_q && all_idle) &&
                                                !(advance && next_bad) :
                                                1'b0);
  // The run goes on next cycle (state_d != StIdle).
  assign stays        = !abort &&
                        (state_q == StIdle    ? start_ok :
                         state_q == StInit    ? 1'b1 :
                         state_q == StCompute ? !(end_last_q && all_idle) :
                                                1'b0);
  assign src_sel_next = !stays               ? input_file_next_i :
                        state_q == StIdle    ? input_file_i :
                        state_q == StCompute ? src_sel_q ^ advance :
                                               src_sel_q;

  // wb_go, scan_en (= compute) and src_sel in one copy per PE (timing: a copy sits
  // between the CCU and its PE, so no register drives the pipelines of every PE
  // across the die). The process is kept: Yosys merges registers with one next
  // value even when their wires are kept (every copy became one, session 24).
  for (genvar p = 0; p < NumPe; p++) begin : g_pe_level_copy
    logic wb_go_copy_q, scan_en_copy_q, src_sel_copy_q;

    (* keep *) always_ff @(posedge clk_i or negedge rst_ni) begin : proc_copy
      if (!rst_ni) begin
        wb_go_copy_q   <= 1'b0;
        scan_en_copy_q <= 1'b0;
        src_sel_copy_q <= 1'b0;
      end else begin
        wb_go_copy_q   <= over_on_d && !last_layer_q;
        scan_en_copy_q <= scan_en_next;
        src_sel_copy_q <= src_sel_next;
      end
    end

    assign wb_go_o[p]   = wb_go_copy_q;
    assign scan_en_o[p] = scan_en_copy_q;
    assign src_sel_o[p] = src_sel_copy_q;
  end

  // ---------------------------------------------------------------------------
  // Run counters: cleared by an accepted START, counting compute cycles (INIT only
  // waits for the sweep or aborts)
  // ---------------------------------------------------------------------------
  always_comb begin : proc_run_counters
    cycles_d       = cycles_q;
    layer_cycles_d = layer_cycles_q;
    bcasts_d       = bcasts_q + CntWidth'(bcast_inc_q);
    stalls_d       = stalls_q + CntWidth'(stall_inc_q);
    if (state_q == StCompute) begin
      cycles_d                = cycles_q + (2*CntWidth)'(1);
      layer_cycles_d[layer_q] = layer_cycles_q[layer_q] + CntWidth'(1);
    end
    if (start_ok) begin
      cycles_d       = '0;
      layer_cycles_d = '0;
      bcasts_d       = '0;
      stalls_d       = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_run_counter_regs
    if (!rst_ni) begin
      cycles_q       <= '0;
      bcasts_q       <= '0;
      stalls_q       <= '0;
      layer_cycles_q <= '0;
      bcast_inc_q    <= 1'b0;
      stall_inc_q    <= 1'b0;
    end else begin
      cycles_q       <= cycles_d;
      bcasts_q       <= bcasts_d;
      stalls_q       <= stalls_d;
      layer_cycles_q <= layer_cycles_d;
      bcast_inc_q    <= bcast_inc_d;
      stall_inc_q    <= stall_inc_d;
    end
  end

  always_comb begin : proc_err_set
    err_set_o = '0;
    err_set_o[eie_pkg::ErrStartBusy] = err_start_busy;
    err_set_o[eie_pkg::ErrNotLoaded] = err_not_loaded;
    err_set_o[eie_pkg::ErrBadLayer]  = err_bad_layer;
    // Raised with the abort it causes, from the register (timing: the root's column
    // compare then feeds no error register in eie_csr).
    err_set_o[eie_pkg::ErrColRange]  = err_col_range_q;
  end

`ifndef SYNTHESIS
  // In a run the registered descriptor is the current layer's.
  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (rst_ni && state_q != StIdle) begin
      assert (cur_q == desc[layer_q])
        else $fatal(1, "eie_ccu: the registered descriptor is not layer %0d's", layer_q);
      assert (last_layer_q == (32'(layer_q) + 1 >= 32'(num_layers_i)))
        else $fatal(1, "eie_ccu: the last-layer flag is wrong at layer %0d", layer_q);
    end
    if (rst_ni) begin
      // The START checks' registers equal the checks of the current values.
      assert (start_loaded_q == loaded_i && start_layer0_bad_q == layer_bad_i[0] &&
              start_layers_fine_q == (num_layers_i != '0 && 32'(num_layers_i) <= MaxLayers) &&
              start_one_layer_q == (32'(num_layers_i) <= 1))
        else $fatal(1, "eie_ccu: the START checks' registers are out of step");
      // A flush is a run's first layer or an abort (the sweep's restart relies on it).
      assert (!flush_o || abort || layer_d == '0)
        else $fatal(1, "eie_ccu: a flush at layer %0d without an abort", layer_d);
      assert (flush_o == history_clear)
        else $fatal(1, "eie_ccu: the flush and the history's clear disagree");
      assert (start_go_q == (start_loaded_q && start_layers_fine_q && !start_layer0_bad_q &&
                             sweep_done_q))
        else $fatal(1, "eie_ccu: start_go_q out of step");
      assert (end_last_q == (over_q && over_prev_q && last_layer_q))
        else $fatal(1, "eie_ccu: end_last_q out of step");
      assert (scan_en_next == (state_d == StCompute))
        else $fatal(1, "eie_ccu: the copies' next scan_en disagrees with the next state");
      assert (src_sel_next == (state_d != StIdle ? src_sel_d : input_file_next_i))
        else $fatal(1, "eie_ccu: the copies' next src_sel disagrees with the next state");
      assert (!over_on_d || sweep_done_d == (sweep_left_q <= SweepCntWidth'(1)))
        else $fatal(1, "eie_ccu: the history clears while a layer's broadcast ends");
      // The registered outputs to the PEs agree with the state they copy.
      assert (advance_q == (state_q == StCompute && over_q && !last_layer_q && sweep_done_q))
        else $fatal(1, "eie_ccu: advance out of step");
      assert (wb_go_o == {NumPe{over_q && !last_layer_q}})
        else $fatal(1, "eie_ccu: wb_go_o out of step");
      assert (compute_q == (state_q == StCompute))
        else $fatal(1, "eie_ccu: compute_o out of step");
      assert (src_sel_o == {NumPe{busy_o ? src_sel_q : input_file_i}})
        else $fatal(1, "eie_ccu: src_sel_o out of step");
      assert (scan_en_o == {NumPe{compute_q}})
        else $fatal(1, "eie_ccu: scan_en_o out of step");
    end
  end
`endif

  assign layer_o         = layer_q;
  assign wb_out_o        = wb_out_q;
  assign wb_relu_o       = wb_relu_q;
  assign wb_shift_o      = wb_shift_q;
  assign advance_o       = advance;
  assign compute_o       = compute_q;
  assign busy_o          = state_q != StIdle;
  assign done_o          = done_q;
  assign cycles_o        = cycles_q;
  assign bcasts_o        = bcasts_q;
  assign bcast_stalls_o  = stalls_q;
  assign layer_cycles_o  = layer_cycles_q;

endmodule

`default_nettype wire
