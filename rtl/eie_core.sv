// SPDX-License-Identifier: Apache-2.0
// EIE core top level: AXI4-Lite registers, central control unit, LNZD quadtree,
// the PE array and the load port. Registers configure and start a run (README
// "Register map"); the load port fills every PE memory and reads the results
// in I/O mode (README "Load port"). All handshakes are valid/ready: valid never
// waits for ready, and a stalled beat keeps its data.

`default_nettype none

module eie_core #(
  /// Number of processing elements, 1..64 (any value, not only powers of two).
  parameter int NumPe        = 4,
  /// Activation queue depth per PE (columns with work), >= 1.
  parameter int QueueDepth   = 8,
  /// Broadcasts the CCU keeps in a history that every PE reads at its own pace
  /// (a power of two, >= 2).
  parameter int HistoryDepth = 128,
  /// Sparse-matrix SRAM words (64 bits, 8 entries) per PE.
  parameter int SpmatDepth   = 16384,
  /// Entries per pointer bank (even and odd) per PE.
  parameter int PtrBankDepth = 16384,
  /// Activations per PE in each ping-pong file.
  parameter int ActDepth     = 512,
  /// Layers one run can chain (descriptors and codebooks).
  parameter int MaxLayers    = 8,
  /// Per-PE performance counters PE_BUSY .. PE_PADDING (eie_pe_counters and the
  /// PE_SEL select): 1 builds them, 0 drops them (the registers read 0; FEATURES
  /// tells which). Off by default: they cost about 335-600 LUT4 + 201 FF per PE
  /// (ECP5, Yosys; doc/synthesis.md) and change no cycle; eie sim builds them for its
  /// report. The core-wide counters are always built.
  parameter bit PeCounters   = 1'b0,
  /// Columns a PE takes from the broadcast history per cycle, 1 or 2. Two (the default)
  /// let a PE that fell behind catch up at twice the broadcast rate (NT-We 4 % faster at
  /// N = 64); one saves about 170 LUT4 and a DP16KD per PE (README "Options").
  parameter int TakeLanes    = 2,
  localparam int LayerWidth  = (MaxLayers > 1) ? $clog2(MaxLayers) : 1,
  localparam int PtrIdxWidth = $clog2(PtrBankDepth) + 1,
  localparam int ActWidth    = eie_pkg::ActWidth,
  localparam int ColWidth    = eie_pkg::ColIdxWidth,
  localparam int Lanes       = TakeLanes,
  localparam int RegAddrW    = eie_pkg::RegAddrWidth,
  localparam int RegDataW    = eie_pkg::RegDataWidth,
  localparam int LdAddrW     = eie_pkg::LdAddrWidth,
  localparam int LdDataW     = eie_pkg::LdDataWidth
) (
  /// Clock.
  input  logic                  clk_i,
  /// Asynchronous reset, active low.
  input  logic                  rst_ni,
  /// AXI4-Lite write address.
  input  logic [RegAddrW-1:0]   s_axil_awaddr_i,
  /// AXI4-Lite write address valid.
  input  logic                  s_axil_awvalid_i,
  /// AXI4-Lite write address ready.
  output logic                  s_axil_awready_o,
  /// AXI4-Lite write data.
  input  logic [RegDataW-1:0]   s_axil_wdata_i,
  /// AXI4-Lite write strobes.
  input  logic [RegDataW/8-1:0] s_axil_wstrb_i,
  /// AXI4-Lite write data valid.
  input  logic                  s_axil_wvalid_i,
  /// AXI4-Lite write data ready.
  output logic                  s_axil_wready_o,
  /// AXI4-Lite write response (OKAY or SLVERR).
  output logic [1:0]            s_axil_bresp_o,
  /// AXI4-Lite write response valid.
  output logic                  s_axil_bvalid_o,
  /// AXI4-Lite write response ready.
  input  logic                  s_axil_bready_i,
  /// AXI4-Lite read address.
  input  logic [RegAddrW-1:0]   s_axil_araddr_i,
  /// AXI4-Lite read address valid.
  input  logic                  s_axil_arvalid_i,
  /// AXI4-Lite read address ready.
  output logic                  s_axil_arready_o,
  /// AXI4-Lite read data.
  output logic [RegDataW-1:0]   s_axil_rdata_o,
  /// AXI4-Lite read response (OKAY or SLVERR).
  output logic [1:0]            s_axil_rresp_o,
  /// AXI4-Lite read data valid.
  output logic                  s_axil_rvalid_o,
  /// AXI4-Lite read data ready.
  input  logic                  s_axil_rready_i,
  /// Load port: a beat is offered.
  input  logic                  ld_valid_i,
  /// Load port: the beat is taken.
  output logic                  ld_ready_o,
  /// Load port: write (1) or read (0).
  input  logic                  ld_write_i,
  /// Load port: address {target, pe, index}.
  input  logic [LdAddrW-1:0]    ld_addr_i,
  /// Load port: write data, one 64-bit word.
  input  logic [LdDataW-1:0]    ld_wdata_i,
  /// Load port: read answer valid.
  output logic                  ld_rvalid_o,
  /// Load port: read answer taken.
  input  logic                  ld_rready_i,
  /// Load port: read answer data.
  output logic [LdDataW-1:0]    ld_rdata_o,
  /// STATUS.BUSY as a wire, for an interrupt or a testbench.
  output logic                  busy_o,
  /// STATUS.DONE as a wire, for an interrupt or a testbench.
  output logic                  done_o
);

  initial begin : proc_check_params
    if (NumPe < eie_pkg::MinNumPe || NumPe > eie_pkg::MaxNumPe) begin
      $fatal(1, "eie_core: NumPe must be %0d..%0d, got %0d", eie_pkg::MinNumPe,
             eie_pkg::MaxNumPe, NumPe);
    end
    if (QueueDepth < eie_pkg::MinQueueDepth || QueueDepth > eie_pkg::MaxQueueDepth) begin
      $fatal(1, "eie_core: QueueDepth must be %0d..%0d, got %0d", eie_pkg::MinQueueDepth,
             eie_pkg::MaxQueueDepth, QueueDepth);
    end
    if (HistoryDepth < eie_pkg::MinHistoryDepth || HistoryDepth > eie_pkg::MaxHistoryDepth ||
        (HistoryDepth & (HistoryDepth - 1)) != 0) begin
      $fatal(1, "eie_core: HistoryDepth must be a power of two in %0d..%0d, got %0d",
             eie_pkg::MinHistoryDepth, eie_pkg::MaxHistoryDepth, HistoryDepth);
    end
    if (SpmatDepth < eie_pkg::MinSpmatDepth || SpmatDepth > eie_pkg::MaxSpmatDepth) begin
      $fatal(1, "eie_core: SpmatDepth must be %0d..%0d, got %0d", eie_pkg::MinSpmatDepth,
             eie_pkg::MaxSpmatDepth, SpmatDepth);
    end
    if (PtrBankDepth < eie_pkg::MinPtrBankDepth || PtrBankDepth > eie_pkg::MaxPtrBankDepth) begin
      $fatal(1, "eie_core: PtrBankDepth must be %0d..%0d, got %0d", eie_pkg::MinPtrBankDepth,
             eie_pkg::MaxPtrBankDepth, PtrBankDepth);
    end
    if (ActDepth < eie_pkg::MinActDepth || ActDepth > eie_pkg::MaxActDepth) begin
      $fatal(1, "eie_core: ActDepth must be %0d..%0d (row overflow detection), got %0d",
             eie_pkg::MinActDepth, eie_pkg::MaxActDepth, ActDepth);
    end
    if (MaxLayers < eie_pkg::MinMaxLayers || MaxLayers > eie_pkg::MaxMaxLayers) begin
      $fatal(1, "eie_core: MaxLayers must be %0d..%0d, got %0d", eie_pkg::MinMaxLayers,
             eie_pkg::MaxMaxLayers, MaxLayers);
    end
    if (TakeLanes < eie_pkg::MinTakeLanes || TakeLanes > eie_pkg::MaxTakeLanes) begin
      $fatal(1, "eie_core: TakeLanes must be %0d..%0d, got %0d", eie_pkg::MinTakeLanes,
             eie_pkg::MaxTakeLanes, TakeLanes);
    end
  end

  // ---------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------
  logic                  reg_we, reg_werr, reg_re, reg_rerr;
  logic [RegAddrW-1:0]   reg_waddr, reg_raddr;
  logic [RegDataW-1:0]   reg_wdata, reg_rdata;
  logic [RegDataW/8-1:0] reg_wstrb;

  eie_axil_slave #(
    .AddrWidth (RegAddrW),
    .DataWidth (RegDataW)
  ) u_axil_slave (
    .clk_i,
    .rst_ni,
    .s_axil_awaddr_i,
    .s_axil_awvalid_i,
    .s_axil_awready_o,
    .s_axil_wdata_i,
    .s_axil_wstrb_i,
    .s_axil_wvalid_i,
    .s_axil_wready_o,
    .s_axil_bresp_o,
    .s_axil_bvalid_o,
    .s_axil_bready_i,
    .s_axil_araddr_i,
    .s_axil_arvalid_i,
    .s_axil_arready_o,
    .s_axil_rdata_o,
    .s_axil_rresp_o,
    .s_axil_rvalid_o,
    .s_axil_rready_i,
    .reg_we_o    (reg_we),
    .reg_waddr_o (reg_waddr),
    .reg_wdata_o (reg_wdata),
    .reg_wstrb_o (reg_wstrb),
    .reg_werr_i  (reg_werr),
    .reg_re_o    (reg_re),
    .reg_raddr_o (reg_raddr),
    .reg_rdata_i (reg_rdata),
    .reg_rerr_i  (reg_rerr)
  );

  localparam int NumErrors = eie_pkg::NumErrors;
  localparam int CntWidth  = eie_pkg::CounterWidth;
  localparam int NumCnt    = eie_pkg::NumPeCounters;

  logic                                     start, abort, image_kept, input_file, busy, done;
  logic                                     input_file_next;
  logic [LayerWidth:0]                      num_layers, num_layers_next;
  logic [eie_pkg::ActFracWidth-1:0]         act_frac;
  logic [MaxLayers-1:0][eie_pkg::LayerInWidth-1:0]  layer_in;
  logic [MaxLayers-1:0][eie_pkg::LayerOutWidth-1:0] layer_out;
  logic [MaxLayers-1:0][PtrIdxWidth-1:0]    layer_ptr_base;
  logic [MaxLayers-1:0]                     layer_bias, layer_relu;
  logic [MaxLayers-1:0][eie_pkg::ShiftWidth-1:0] layer_shift;
  logic [MaxLayers-1:0]                     layer_bad;
  logic                                     layer0_bad_next;
  logic [eie_pkg::PeSelWidth-1:0]           pe_sel;
  logic [NumErrors-1:0]                     err_set, ccu_err, ld_err, pe_err_any, pe_err_q;
  logic [2*CntWidth-1:0]                    cycles;
  logic [CntWidth-1:0]                      bcasts, bcast_stalls;
  logic [MaxLayers-1:0][CntWidth-1:0]       layer_cycles;
  logic [NumCnt-1:0][CntWidth-1:0]          pe_counters_sel;
  logic [LayerWidth-1:0]                    cur_layer;

  eie_csr #(
    .NumPe        (NumPe),
    .QueueDepth   (QueueDepth),
    .HistoryDepth (HistoryDepth),
    .SpmatDepth   (SpmatDepth),
    .PtrBankDepth (PtrBankDepth),
    .ActDepth     (ActDepth),
    .MaxLayers    (MaxLayers),
    .PeCounters   (PeCounters),
    .TakeLanes    (TakeLanes)
  ) u_csr (
    .clk_i,
    .rst_ni,
    .reg_we_i         (reg_we),
    .reg_waddr_i      (reg_waddr),
    .reg_wdata_i      (reg_wdata),
    .reg_wstrb_i      (reg_wstrb),
    .reg_werr_o       (reg_werr),
    .reg_re_i         (reg_re),
    .reg_raddr_i      (reg_raddr),
    .reg_rdata_o      (reg_rdata),
    .reg_rerr_o       (reg_rerr),
    .start_o          (start),
    .abort_o          (abort),
    .image_kept_o     (image_kept),
    .num_layers_o     (num_layers),
    .num_layers_next_o (num_layers_next),
    .act_frac_o       (act_frac),
    .input_file_o     (input_file),
    .input_file_next_o (input_file_next),
    .layer_in_o       (layer_in),
    .layer_out_o      (layer_out),
    .layer_ptr_base_o (layer_ptr_base),
    .layer_bias_o     (layer_bias),
    .layer_relu_o     (layer_relu),
    .layer_shift_o    (layer_shift),
    .layer_bad_o      (layer_bad),
    .layer0_bad_next_o (layer0_bad_next),
    .pe_sel_o         (pe_sel),
    .busy_i           (busy),
    .done_i           (done),
    .cur_layer_i      (cur_layer),
    .err_set_i        (err_set),
    .cycles_i         (cycles),
    .bcasts_i         (bcasts),
    .bcast_stalls_i   (bcast_stalls),
    .layer_cycles_i   (layer_cycles),
    .pe_counters_i    (pe_counters_sel)
  );

  // ---------------------------------------------------------------------------
  // Load port
  // ---------------------------------------------------------------------------
  logic [NumPe-1:0]                  ld_pe_we, ld_pe_re, ld_pe_res_re;
  logic [NumPe-1:0][eie_pkg::LdTgtCodeWidth-1:0] ld_target;
  logic [NumPe-1:0][eie_pkg::LdIndexWidth-1:0]   ld_index;
  logic [NumPe-1:0][LdDataW-1:0]                ld_wdata;
  logic [NumPe-1:0][LdDataW-1:0]     ld_pe_rdata;
  logic                              loaded, loaded_next, ld_err_busy, ld_err_range;

  eie_load_port #(
    .NumPe        (NumPe),
    .SpmatDepth   (SpmatDepth),
    .PtrBankDepth (PtrBankDepth),
    .ActDepth     (ActDepth),
    .MaxLayers    (MaxLayers)
  ) u_load_port (
    .clk_i,
    .rst_ni,
    .ld_valid_i,
    .ld_ready_o,
    .ld_write_i,
    .ld_addr_i,
    .ld_wdata_i,
    .ld_rvalid_o,
    .ld_rready_i,
    .ld_rdata_o,
    // A START on its way to the CCU counts as busy (a request reaches its PE two
    // cycles after its beat: eie_load_port).
    .busy_i       (busy || start),
    .image_kept_i (image_kept),
    .pe_we_o      (ld_pe_we),
    .pe_re_o      (ld_pe_re),
    .pe_res_re_o  (ld_pe_res_re),
    .target_o     (ld_target),
    .index_o      (ld_index),
    .wdata_o      (ld_wdata),
    .pe_rdata_i   (ld_pe_rdata),
    .loaded_o     (loaded),
    .loaded_next_o (loaded_next),
    .err_busy_o   (ld_err_busy),
    .err_range_o  (ld_err_range)
  );

  // ---------------------------------------------------------------------------
  // Central control unit and LNZD quadtree
  // ---------------------------------------------------------------------------
  logic                          root_valid, root_ready, tree_done;
  logic [ActWidth+ColWidth-1:0]  root_data;
  logic [NumPe-1:0]              pe_idle, pe_idle_ok, leaf_valid, leaf_ready, leaf_done;
  logic [NumPe-1:0][ActWidth+ColWidth-1:0] leaf_data;
  logic [NumPe-1:0][NumErrors-1:0] pe_err;
  // Per PE and take lane (eie_bcast_history).
  logic [NumPe-1:0][Lanes-1:0]   pe_room, bcast_valid, bcast_take;
  logic [NumPe-1:0][Lanes-1:0][ActWidth-1:0]    bcast_act;
  logic [NumPe-1:0][Lanes-1:0][PtrIdxWidth-1:0] bcast_ptr_idx;
  logic [NumPe-1:0][Lanes-1:0][PtrIdxWidth-2:0] bcast_even_addr;
  logic [eie_pkg::LayerOutWidth-1:0] wb_out;
  logic                          wb_relu, flush, advance, bitmap_clear;
  logic [NumPe-1:0]              src_sel, scan_en, wb_go;
  logic                          compute, bcast_over;
  logic                          tree_flush_q;
  logic [eie_pkg::ShiftWidth-1:0] wb_shift;

  eie_lnzd_tree #(
    .NumLeaves (NumPe),
    .DataWidth (ActWidth + ColWidth)
  ) u_lnzd_tree (
    .clk_i,
    .rst_ni,
    // The registered abort (below: flush and bitmap clear): after an abort nothing
    // leaves the root (timing: a PE's error event, ORed over the array into the
    // abort, would otherwise reach every node register in the same cycle). A new
    // layer does not flush the tree: it holds the next layer's first columns,
    // scanned as the PEs' write-backs fill their leaves.
    .flush_i      (tree_flush_q),
    .leaf_valid_i (leaf_valid),
    .leaf_done_i  (leaf_done),
    .leaf_data_i  (leaf_data),
    .leaf_ready_o (leaf_ready),
    .root_valid_o (root_valid),
    .root_data_o  (root_data),
    .root_ready_i (root_ready),
    .done_o       (tree_done)
  );

  // Error events of every PE, in ERROR bit positions, ORed over the array and
  // registered: they raise ERROR and abort the run a cycle after a PE's event
  // (timing: the abort reaches every PE's flush copy below, so the OR across the
  // array and the flush's route across it are then two paths, not one). A PE with
  // an event is not idle to the CCU in that cycle, so its layer cannot end (DONE)
  // before the abort.
  for (genvar e = 0; e < NumErrors; e++) begin : g_pe_err_any
    logic [NumPe-1:0] per_pe;
    for (genvar p = 0; p < NumPe; p++) begin : g_pe
      assign per_pe[p] = pe_err[p][e];
    end
    assign pe_err_any[e] = |per_pe;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_pe_err
    if (!rst_ni) pe_err_q <= '0;
    else         pe_err_q <= pe_err_any;
  end

  // Each PE's idle flag, registered beside it before the AND over the array in the
  // CCU (timing: a PE's queue and pipeline then feed a register of their own, not the
  // route across the die into the CCU's state). The run's last layer ends a cycle
  // later (eie.models.perf's IDLE_FLAG_DELAY); a PE with an error event in the cycle
  // its flag is formed is not idle, so its layer cannot end before the abort.
  for (genvar p = 0; p < NumPe; p++) begin : g_pe_idle_ok
    (* keep *) logic idle_ok_q;

    always_ff @(posedge clk_i or negedge rst_ni) begin : proc_idle_ok
      if (!rst_ni) idle_ok_q <= 1'b1;
      else         idle_ok_q <= pe_idle[p] && pe_err[p] == '0;
    end

    assign pe_idle_ok[p] = idle_ok_q;
  end

  eie_ccu #(
    .NumPe        (NumPe),
    .PtrBankDepth (PtrBankDepth),
    .MaxLayers    (MaxLayers),
    .HistoryDepth (HistoryDepth),
    .TakeLanes    (TakeLanes)
  ) u_ccu (
    .clk_i,
    .rst_ni,
    .start_i          (start),
    .abort_i          (abort),
    .num_layers_i     (num_layers),
    .num_layers_next_i (num_layers_next),
    .act_frac_i       (act_frac),
    .input_file_i     (input_file),
    .input_file_next_i (input_file_next),
    .layer_in_i       (layer_in),
    .layer_out_i      (layer_out),
    .layer_ptr_base_i (layer_ptr_base),
    .layer_bias_i     (layer_bias),
    .layer_relu_i     (layer_relu),
    .layer_shift_i    (layer_shift),
    .layer_bad_i      (layer_bad),
    .layer0_bad_next_i (layer0_bad_next),
    .loaded_i         (loaded),
    .loaded_next_i    (loaded_next),
    .ext_abort_i      (ld_err_busy || (|pe_err_q)),
    .root_valid_i     (root_valid),
    .root_act_i       (root_data[ActWidth+ColWidth-1 -: ActWidth]),
    .root_col_i       (root_data[ColWidth-1:0]),
    .root_ready_o     (root_ready),
    .tree_done_i      (tree_done),
    .pe_room_i        (pe_room),
    .pe_idle_i        (pe_idle_ok),
    .bcast_valid_o    (bcast_valid),
    .bcast_take_o     (bcast_take),
    .bcast_act_o      (bcast_act),
    .bcast_ptr_idx_o  (bcast_ptr_idx),
    .bcast_even_addr_o (bcast_even_addr),
    .layer_o          (cur_layer),
    .wb_out_o         (wb_out),
    .wb_relu_o        (wb_relu),
    .wb_shift_o       (wb_shift),
    .src_sel_o        (src_sel),
    .scan_en_o        (scan_en),
    .flush_o          (flush),
    .wb_go_o          (wb_go),
    .advance_o        (advance),
    .bitmap_clear_o   (bitmap_clear),
    .compute_o        (compute),
    .bcast_over_o     (bcast_over),
    .busy_o           (busy),
    .done_o           (done),
    .err_set_o        (ccu_err),
    .cycles_o         (cycles),
    .bcasts_o         (bcasts),
    .bcast_stalls_o   (bcast_stalls),
    .layer_cycles_o   (layer_cycles)
  );

  // ERROR events of the load port; REG_ADDR and REG_BUSY are raised inside eie_csr.
  always_comb begin : proc_ld_err
    ld_err = '0;
    ld_err[eie_pkg::ErrLoadBusy]  = ld_err_busy;
    ld_err[eie_pkg::ErrLoadRange] = ld_err_range;
  end

  assign err_set = ccu_err | ld_err | pe_err_q;

  // ---------------------------------------------------------------------------
  // PE array
  // ---------------------------------------------------------------------------
  logic [NumPe-1:0][NumCnt-1:0][CntWidth-1:0] pe_counters;
  logic                                       cnt_clear;

  // The LNZD tree's flush (an abort: the one flush with a bitmap clear), registered
  // (timing: no tree node sees a net that the CCU's state machine or abort computes
  // in the same cycle). It comes with the PEs' own registered flush (g_pe below).
  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_tree_flush
    if (!rst_ni) tree_flush_q <= 1'b0;
    else         tree_flush_q <= flush && bitmap_clear;
  end

  assign cnt_clear = start && !busy;

  for (genvar p = 0; p < NumPe; p++) begin : g_pe
    logic [ActWidth-1:0] leaf_act;
    logic [ColWidth-1:0] leaf_col;
    logic                flush_q, bitmap_clear_q, advance_q;

    // The CCU's pulses, registered once per PE: a PE flushes in the first compute
    // cycle of a layer, before its first take, and a cycle after an abort; the next
    // layer's start (advance) reaches it in its first compute cycle. (Timing: the
    // register sits beside its PE, so no net from one register crosses the die to
    // every PE's pipeline; kept, or Yosys would merge the copies. wb_go is a CCU
    // register.)
    (* keep *) always_ff @(posedge clk_i or negedge rst_ni) begin : proc_ctrl_copy
      if (!rst_ni) begin
        flush_q        <= 1'b0;
        bitmap_clear_q <= 1'b0;
        advance_q      <= 1'b0;
      end else begin
        flush_q        <= flush;
        bitmap_clear_q <= bitmap_clear;
        advance_q      <= advance;
      end
    end

    eie_pe #(
      .NumPe        (NumPe),
      .QueueDepth   (QueueDepth),
      .SpmatDepth   (SpmatDepth),
      .PtrBankDepth (PtrBankDepth),
      .ActDepth     (ActDepth),
      .MaxLayers    (MaxLayers),
      .PeCounters   (PeCounters),
      .TakeLanes    (TakeLanes)
    ) u_pe (
      .clk_i,
      .rst_ni,
      .pe_index_i      (ColWidth'(p)),
      .layer_i         (cur_layer),
      .wb_out_i        (wb_out),
      .wb_relu_i       (wb_relu),
      .wb_shift_i      (wb_shift),
      .src_sel_i       (src_sel[p]),
      .scan_en_i       (scan_en[p]),
      .flush_i         (flush_q),
      .wb_go_i         (wb_go[p]),
      .advance_i       (advance_q),
      .advance_next_i  (advance),
      .bitmap_clear_i  (bitmap_clear_q),
      .bcast_valid_i   (bcast_valid[p]),
      .bcast_take_i    (bcast_take[p]),
      .bcast_act_i     (bcast_act[p]),
      .bcast_ptr_idx_i (bcast_ptr_idx[p]),
      .bcast_even_addr_i (bcast_even_addr[p]),
      .pe_room_o       (pe_room[p]),
      .idle_o          (pe_idle[p]),
      .leaf_valid_o    (leaf_valid[p]),
      .leaf_ready_i    (leaf_ready[p]),
      .leaf_act_o      (leaf_act),
      .leaf_col_o      (leaf_col),
      .leaf_done_o     (leaf_done[p]),
      .ld_we_i         (ld_pe_we[p]),
      .ld_re_i         (ld_pe_re[p]),
      .ld_res_re_i     (ld_pe_res_re[p]),
      .ld_target_i     (ld_target[p]),
      .ld_index_i      (ld_index[p]),
      .ld_wdata_i      (ld_wdata[p]),
      .ld_rdata_o      (ld_pe_rdata[p]),
      .cnt_clear_i     (cnt_clear),
      .compute_i       (compute),
      .bcast_over_i    (bcast_over),
      .counters_o      (pe_counters[p]),
      .err_o           (pe_err[p])
    );

    assign leaf_data[p] = {leaf_act, leaf_col};

`ifndef SYNTHESIS
    // eie sim's fast load (+eie_image_dir=DIR) at time 0: here, where the PE's index
    // is a constant (an initial block in the PE cannot rely on its input's value yet).
    initial begin : proc_image_preload
      string dir;
      if ($value$plusargs("eie_image_dir=%s", dir)) u_pe.preload_image(dir, p);
    end
`endif
  end

  if (PeCounters) begin : g_pe_sel
    assign pe_counters_sel = 32'(pe_sel) < NumPe ? pe_counters[pe_sel] : '0;
  end else begin : g_no_pe_sel
    // No counters to select: PE_SEL only reads back, PE_BUSY .. PE_PADDING read 0.
    logic unused_pe_sel;
    assign unused_pe_sel   = ^{pe_sel, pe_counters};
    assign pe_counters_sel = '0;
  end

  assign busy_o = busy;
  assign done_o = done;

`ifndef SYNTHESIS
  // Core-wide event counters of the energy model (simulation only), cleared with
  // the performance counters.
  eie_core_events u_events (
    .clk_i,
    .rst_ni,
    .clear_i      (cnt_clear),
    .bcast_i      (u_ccu.fresh_take),
    .history_we_i (u_ccu.u_history.fresh_take_o),
    .node_moves_i (16'(u_lnzd_tree.node_moves)),
    .busy_i       (busy)
  );

  // Every handshake and status output is known from the first cycle after reset,
  // and register read data whenever it is valid. (The load port's read data may
  // be X on a read of a never-written memory word, as an SRAM's would be garbage.)
  // Before the first reset everything may be X, so the check waits for one.
  // (Named vectors: Icarus 11's $isunknown misreads a concatenation.)
  logic                  reset_seen_q;
  logic [8:0]            handshake_out;
  logic [1:0]            bresp_out;
  logic [RegDataW+1:0]   rdata_out;
  assign handshake_out = {s_axil_awready_o, s_axil_wready_o, s_axil_bvalid_o, s_axil_arready_o,
                          s_axil_rvalid_o, ld_ready_o, ld_rvalid_o, busy_o, done_o};
  assign bresp_out     = s_axil_bresp_o;
  assign rdata_out     = {s_axil_rresp_o, s_axil_rdata_o};
  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (!rst_ni) begin
      reset_seen_q <= 1'b1;
    end else if (reset_seen_q) begin
      assert (!$isunknown(handshake_out))
        else $fatal(1, "eie_core: X/Z on a handshake or status output after reset: %b",
                    handshake_out);
      assert (!s_axil_bvalid_o || !$isunknown(bresp_out))
        else $fatal(1, "eie_core: X/Z on BRESP while BVALID");
      assert (!s_axil_rvalid_o || !$isunknown(rdata_out))
        else $fatal(1, "eie_core: X/Z on RRESP/RDATA while RVALID");
    end
  end
`endif

endmodule

`default_nettype wire
