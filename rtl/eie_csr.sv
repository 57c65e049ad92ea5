// SPDX-License-Identifier: Apache-2.0
// Control and status registers of the EIE core (rtl/eie_regs.rdl, doc/registers.md).
// Decodes single-cycle write/read strobes from eie_axil_slave: holds the run
// configuration and layer descriptors, the sticky ERROR bits (write 1 to clear)
// and reads back status and performance counters. Configuration writes while
// the core is busy are refused (ERROR.REG_BUSY) so a running layer never changes.
// The decode is written by hand in eie_pkg's names; tests/test_regs_pkg.py checks
// those names and the sets of readable, writable and configuration registers
// below against the .rdl.

`default_nettype none

module eie_csr #(
  /// Number of processing elements.
  parameter int NumPe        = 4,
  /// Activation queue depth of every PE.
  parameter int QueueDepth   = 8,
  /// Broadcast history depth (read-only register HISTORY_DEPTH).
  parameter int HistoryDepth = 128,
  /// Sparse-matrix words per PE.
  parameter int SpmatDepth   = 1024,
  /// Entries per pointer bank.
  parameter int PtrBankDepth = 1024,
  /// Activations per PE and file.
  parameter int ActDepth     = 64,
  /// Layer descriptors and codebooks.
  parameter int MaxLayers    = 4,
  /// The PEs have performance counters (read-only FEATURES.PE_COUNTERS).
  parameter bit PeCounters   = 1'b0,
  /// Columns a PE takes from the history per cycle (read-only register TAKE_LANES).
  parameter int TakeLanes    = eie_pkg::TakeLanes,
  /// Width of a layer index.
  localparam int LayerWidth  = (MaxLayers > 1) ? $clog2(MaxLayers) : 1,
  /// Width of a pointer index.
  localparam int PtrIdxWidth = $clog2(PtrBankDepth) + 1,
  localparam int AddrWidth   = eie_pkg::RegAddrWidth,
  localparam int DataWidth   = eie_pkg::RegDataWidth,
  localparam int StrbWidth   = DataWidth / 8,
  localparam int NumErrors   = eie_pkg::NumErrors,
  localparam int CntWidth    = eie_pkg::CounterWidth,
  localparam int NumCnt      = eie_pkg::NumPeCounters
) (
  /// Clock.
  input  logic                                    clk_i,
  /// Asynchronous reset, active low.
  input  logic                                    rst_ni,
  /// Register write strobe from the bus slave (one cycle).
  input  logic                                    reg_we_i,
  /// Byte address of the write.
  input  logic [AddrWidth-1:0]                    reg_waddr_i,
  /// Write data.
  input  logic [DataWidth-1:0]                    reg_wdata_i,
  /// Byte strobes of the write.
  input  logic [StrbWidth-1:0]                    reg_wstrb_i,
  /// The write is refused (SLVERR): unmapped, read-only, or configuration while busy.
  output logic                                    reg_werr_o,
  /// Register read strobe (one cycle).
  input  logic                                    reg_re_i,
  /// Byte address of the read.
  input  logic [AddrWidth-1:0]                    reg_raddr_i,
  /// Read data, combinational.
  output logic [DataWidth-1:0]                    reg_rdata_o,
  /// The read address is unmapped (SLVERR).
  output logic                                    reg_rerr_o,
  /// CTRL.START, a one-cycle pulse the cycle after the write.
  output logic                                    start_o,
  /// CTRL.ABORT, a one-cycle pulse the cycle after the write.
  output logic                                    abort_o,
  /// CTRL.IMAGE_KEPT: the memories still hold an image (after a reset that kept
  /// them); a pulse the cycle after the write.
  output logic                                    image_kept_o,
  /// NUM_LAYERS: layers of the run.
  output logic [LayerWidth:0]                     num_layers_o,
  /// NUM_LAYERS as it will be next cycle (the CCU registers its START checks from it).
  output logic [LayerWidth:0]                     num_layers_next_o,
  /// ACT_FRAC: activation fraction bits.
  output logic [eie_pkg::ActFracWidth-1:0]        act_frac_o,
  /// INPUT_FILE: the activation file that holds the input.
  output logic                                    input_file_o,
  /// INPUT_FILE as it will be next cycle (the CCU registers its file select from it).
  output logic                                    input_file_next_o,
  /// LAYER_IN of every layer.
  output logic [MaxLayers-1:0][eie_pkg::LayerInWidth-1:0]  layer_in_o,
  /// LAYER_OUT of every layer.
  output logic [MaxLayers-1:0][eie_pkg::LayerOutWidth-1:0] layer_out_o,
  /// LAYER_PTR_BASE of every layer (the bits the core uses).
  output logic [MaxLayers-1:0][PtrIdxWidth-1:0]   layer_ptr_base_o,
  /// LAYER_FLAGS.BIAS of every layer.
  output logic [MaxLayers-1:0]                    layer_bias_o,
  /// LAYER_FLAGS.RELU of every layer.
  output logic [MaxLayers-1:0]                    layer_relu_o,
  /// LAYER_FLAGS.SHIFT of every layer.
  output logic [MaxLayers-1:0][eie_pkg::ShiftWidth-1:0] layer_shift_o,
  /// Per layer: its descriptor cannot run (one cycle behind the descriptor registers).
  output logic [MaxLayers-1:0]                    layer_bad_o,
  /// Layer 0's layer_bad_o as it will be next cycle (the CCU's START checks).
  output logic                                    layer0_bad_next_o,
  /// PE_SEL: the PE whose counters the PE_* registers show.
  output logic [eie_pkg::PeSelWidth-1:0]          pe_sel_o,
  /// STATUS.BUSY from the control unit.
  input  logic                                    busy_i,
  /// STATUS.DONE from the control unit.
  input  logic                                    done_i,
  /// STATUS.LAYER from the control unit.
  input  logic [LayerWidth-1:0]                   cur_layer_i,
  /// Error events in ERROR bit positions (set the sticky bits; REG_* are raised here).
  input  logic [NumErrors-1:0]                    err_set_i,
  /// CYCLES_HI and CYCLES_LO.
  input  logic [2*CntWidth-1:0]                   cycles_i,
  /// BCASTS.
  input  logic [CntWidth-1:0]                     bcasts_i,
  /// BCAST_STALLS.
  input  logic [CntWidth-1:0]                     bcast_stalls_i,
  /// LAYER_CYCLES of every layer.
  input  logic [MaxLayers-1:0][CntWidth-1:0]      layer_cycles_i,
  /// Counters of the selected PE, indexed by eie_pkg::PeCnt*.
  input  logic [NumCnt-1:0][CntWidth-1:0]         pe_counters_i
);

  // ---------------------------------------------------------------------------
  // Address decode helpers
  // ---------------------------------------------------------------------------
  // LAYER and LAYER_CYCLES each sit in a page of 256 bytes: the page first, then
  // the element index and (LAYER) the register inside the descriptor.
  localparam int PageLsb      = $clog2(eie_pkg::LayerStride * eie_pkg::MaxMaxLayers);
  localparam int PageWidth    = AddrWidth - PageLsb;
  localparam int LayerIdxLsb  = $clog2(eie_pkg::LayerStride);
  localparam int CyclesIdxLsb = $clog2(eie_pkg::LayerCyclesStride);
  localparam int WordLsb      = $clog2(StrbWidth);
  localparam logic [PageWidth-1:0] PageLayer  = PageWidth'(eie_pkg::AddrLayer >> PageLsb);
  localparam logic [PageWidth-1:0] PageCycles = PageWidth'(eie_pkg::AddrLayerCycles >> PageLsb);
  localparam logic [LayerIdxLsb-1:0] OffsetIn      = LayerIdxLsb'(eie_pkg::OffsetLayerIn);
  localparam logic [LayerIdxLsb-1:0] OffsetOut     = LayerIdxLsb'(eie_pkg::OffsetLayerOut);
  localparam logic [LayerIdxLsb-1:0] OffsetPtrBase = LayerIdxLsb'(eie_pkg::OffsetLayerPtrBase);
  localparam logic [LayerIdxLsb-1:0] OffsetFlags   = LayerIdxLsb'(eie_pkg::OffsetLayerFlags);
  /// One past the last PE counter register.
  localparam logic [AddrWidth-1:0] AddrPeCntEnd =
      eie_pkg::AddrPeBusy + AddrWidth'(StrbWidth * NumCnt);
  localparam int PeCntIdxWidth = $clog2(NumCnt);

  initial begin : proc_check_params
    if (MaxLayers < eie_pkg::MinMaxLayers || MaxLayers > eie_pkg::MaxMaxLayers) begin
      $fatal(1, "eie_csr: MaxLayers must be %0d..%0d", eie_pkg::MinMaxLayers,
             eie_pkg::MaxMaxLayers);
    end
    if (NumPe < eie_pkg::MinNumPe || NumPe > (1 << eie_pkg::PeSelWidth)) begin
      $fatal(1, "eie_csr: NumPe must be %0d..%0d", eie_pkg::MinNumPe, 1 << eie_pkg::PeSelWidth);
    end
    if (32'(eie_pkg::AddrLayer) % (1 << PageLsb) != 0 ||
        32'(eie_pkg::AddrLayerCycles) % (1 << PageLsb) != 0 ||
        eie_pkg::LayerCyclesStride * eie_pkg::MaxMaxLayers > (1 << PageLsb)) begin
      $fatal(1, "eie_csr: LAYER and LAYER_CYCLES must each fill an aligned page");
    end
  end

  logic [LayerWidth:0]                num_layers_d, num_layers_q;
  logic [eie_pkg::ActFracWidth-1:0]   act_frac_d, act_frac_q;
  logic                               input_file_d, input_file_q;
  logic [eie_pkg::PeSelWidth-1:0]     pe_sel_d, pe_sel_q;
  // One full word per descriptor register (every bit reads back): IN, OUT,
  // PTR_BASE, FLAGS as separate arrays (Icarus 11 cannot index the outer
  // dimension of a packed 3-D array at run time).
  logic [MaxLayers-1:0][DataWidth-1:0] lin_d, lin_q, lout_d, lout_q;
  logic [MaxLayers-1:0][DataWidth-1:0] lptr_d, lptr_q, lflags_d, lflags_q;
  logic [NumErrors-1:0]               errors_d, errors_q, errors_kept, bus_errors;

  logic [DataWidth-1:0]       wmask;
  logic                       wr_config, wr_known;
  logic [PageWidth-1:0]       wr_page, rd_page;
  logic [LayerIdxLsb-1:0]     rd_offset;
  logic [PageLsb-LayerIdxLsb-1:0]  wr_layer_idx, rd_layer_idx;
  logic [PageLsb-CyclesIdxLsb-1:0] rd_cycles_idx;
  logic [LayerWidth-1:0]      rd_layer, rd_cycles_layer;
  logic [PeCntIdxWidth-1:0]   rd_pe_idx;

  for (genvar b = 0; b < StrbWidth; b++) begin : g_wmask
    assign wmask[8*b +: 8] = {8{reg_wstrb_i[b]}};
  end

  assign wr_page         = reg_waddr_i[AddrWidth-1:PageLsb];
  assign rd_page         = reg_raddr_i[AddrWidth-1:PageLsb];
  assign rd_offset       = reg_raddr_i[LayerIdxLsb-1:0];
  assign wr_layer_idx    = reg_waddr_i[PageLsb-1:LayerIdxLsb];
  assign rd_layer_idx    = reg_raddr_i[PageLsb-1:LayerIdxLsb];
  assign rd_cycles_idx   = reg_raddr_i[PageLsb-1:CyclesIdxLsb];
  assign rd_layer        = LayerWidth'(rd_layer_idx);
  assign rd_cycles_layer = LayerWidth'(rd_cycles_idx);
  assign rd_pe_idx       = PeCntIdxWidth'((reg_raddr_i - eie_pkg::AddrPeBusy) >> WordLsb);

  // ---------------------------------------------------------------------------
  // Writes
  // ---------------------------------------------------------------------------
  function automatic logic [DataWidth-1:0] merge(logic [DataWidth-1:0] old,
                                                 logic [DataWidth-1:0] data,
                                                 logic [DataWidth-1:0] mask);
    merge = (old & ~mask) | (data & mask);
  endfunction

  // Continuous assignments, not an always_comb: Icarus 11 re-runs an always_comb
  // forever when it reads a variable it has just written.
  logic wr_ctrl, wr_layer_page, ctrl_we, start_d, abort_d, image_kept_d;
  assign wr_ctrl       = reg_waddr_i == eie_pkg::AddrCtrl;
  assign wr_layer_page = wr_page == PageLayer && 32'(wr_layer_idx) < MaxLayers &&
                         reg_waddr_i[WordLsb-1:0] == '0;
  // Configuration: refused while the core runs.
  assign wr_config     = reg_waddr_i == eie_pkg::AddrNumLayers ||
                         reg_waddr_i == eie_pkg::AddrActFrac ||
                         reg_waddr_i == eie_pkg::AddrInputFile ||
                         wr_layer_page;
  // Every writable register.
  assign wr_known      = wr_ctrl ||
                         reg_waddr_i == eie_pkg::AddrError ||
                         reg_waddr_i == eie_pkg::AddrPeSel ||
                         wr_config;
  assign ctrl_we       = wr_ctrl && reg_we_i;
  assign start_d       = ctrl_we && reg_wdata_i[eie_pkg::CtrlStartBit] &&
                         reg_wstrb_i[eie_pkg::CtrlStartBit / 8];
  assign abort_d       = ctrl_we && reg_wdata_i[eie_pkg::CtrlAbortBit] &&
                         reg_wstrb_i[eie_pkg::CtrlAbortBit / 8];
  assign image_kept_d  = ctrl_we && reg_wdata_i[eie_pkg::CtrlImageKeptBit] &&
                         reg_wstrb_i[eie_pkg::CtrlImageKeptBit / 8];

  // The commands are registered (timing: the bus's write decode then does not feed
  // the CCU's start and abort, whose flush reaches every PE). The core is busy two
  // cycles after a START's write; the bus cannot complete another write before that.
  logic start_q, abort_q, image_kept_q, busy;

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_ctrl_regs
    if (!rst_ni) begin
      start_q      <= 1'b0;
      abort_q      <= 1'b0;
      image_kept_q <= 1'b0;
    end else begin
      start_q      <= start_d;
      abort_q      <= abort_d;
      image_kept_q <= image_kept_d;
    end
  end

  // A START on its way to the CCU already counts as busy: STATUS, and the refusal
  // of configuration writes, look as if the CCU had taken it at once.
  assign busy         = busy_i || start_q;
  assign start_o      = start_q;
  assign abort_o      = abort_q;
  assign image_kept_o = image_kept_q;

  assign reg_werr_o = reg_we_i && (!wr_known || (wr_config && busy));

  // An accepted write lands a cycle later, from registered data, mask and the written
  // register's select, decoded from the address before the register (timing: neither
  // the bus's address decode nor a decode of a registered address then feeds the
  // enables of every descriptor bit, and a layer's word is merged with its own
  // old value, not with an 8:1 read of every layer's). eie_axil_slave accepts no read
  // in that cycle, so a read never sees the value from before a write whose response
  // has been given.
  logic                       apply_d;
  logic [DataWidth-1:0]       apply_data_q, apply_mask_q;
  // One-hot: the register the write lands in (all zero: no write).
  logic                       sel_error_d, sel_pe_sel_d, sel_num_layers_d, sel_act_frac_d;
  logic                       sel_input_file_d;
  logic                       sel_error_q, sel_pe_sel_q, sel_num_layers_q, sel_act_frac_q;
  logic                       sel_input_file_q;
  logic [MaxLayers-1:0]       sel_in_d, sel_out_d, sel_ptr_d, sel_flags_d;
  logic [MaxLayers-1:0]       sel_in_q, sel_out_q, sel_ptr_q, sel_flags_q;

  assign apply_d = reg_we_i && wr_known && !(wr_config && busy) && !wr_ctrl;

  assign sel_error_d      = apply_d && reg_waddr_i == eie_pkg::AddrError;
  assign sel_pe_sel_d     = apply_d && reg_waddr_i == eie_pkg::AddrPeSel;
  assign sel_num_layers_d = apply_d && reg_waddr_i == eie_pkg::AddrNumLayers;
  assign sel_act_frac_d   = apply_d && reg_waddr_i == eie_pkg::AddrActFrac;
  assign sel_input_file_d = apply_d && reg_waddr_i == eie_pkg::AddrInputFile;

  for (genvar l = 0; l < MaxLayers; l++) begin : g_sel_layer
    logic hit;
    assign hit            = apply_d && wr_layer_page && 32'(wr_layer_idx) == l;
    assign sel_in_d[l]    = hit && reg_waddr_i[LayerIdxLsb-1:0] == OffsetIn;
    assign sel_out_d[l]   = hit && reg_waddr_i[LayerIdxLsb-1:0] == OffsetOut;
    assign sel_ptr_d[l]   = hit && reg_waddr_i[LayerIdxLsb-1:0] == OffsetPtrBase;
    assign sel_flags_d[l] = hit && reg_waddr_i[LayerIdxLsb-1:0] == OffsetFlags;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_apply_sel
    if (!rst_ni) begin
      sel_error_q      <= 1'b0;
      sel_pe_sel_q     <= 1'b0;
      sel_num_layers_q <= 1'b0;
      sel_act_frac_q   <= 1'b0;
      sel_input_file_q <= 1'b0;
      sel_in_q         <= '0;
      sel_out_q        <= '0;
      sel_ptr_q        <= '0;
      sel_flags_q      <= '0;
    end else begin
      sel_error_q      <= sel_error_d;
      sel_pe_sel_q     <= sel_pe_sel_d;
      sel_num_layers_q <= sel_num_layers_d;
      sel_act_frac_q   <= sel_act_frac_d;
      sel_input_file_q <= sel_input_file_d;
      sel_in_q         <= sel_in_d;
      sel_out_q        <= sel_out_d;
      sel_ptr_q        <= sel_ptr_d;
      sel_flags_q      <= sel_flags_d;
    end
  end

  always_ff @(posedge clk_i) begin : proc_apply_regs
    if (apply_d) begin
      apply_data_q <= reg_wdata_i;
      apply_mask_q <= wmask;
    end
  end

  always_comb begin : proc_write
    pe_sel_d     = pe_sel_q;
    num_layers_d = num_layers_q;
    act_frac_d   = act_frac_q;
    input_file_d = input_file_q;
    lin_d        = lin_q;
    lout_d       = lout_q;
    lptr_d       = lptr_q;
    lflags_d     = lflags_q;
    // ERROR, like INPUT_FILE, takes the whole word whatever the strobes (rtl/eie_regs.rdl);
    // bits past its NumErrors are ignored.
    errors_kept  = sel_error_q ? (errors_q & ~apply_data_q[NumErrors-1:0]) | err_set_i
                               : errors_q | err_set_i;
    if (sel_pe_sel_q) begin
      pe_sel_d = eie_pkg::PeSelWidth'(merge(DataWidth'(pe_sel_q), apply_data_q, apply_mask_q));
    end
    if (sel_num_layers_q) begin
      num_layers_d = (LayerWidth+1)'(merge(DataWidth'(num_layers_q), apply_data_q,
                                          apply_mask_q));
    end
    if (sel_act_frac_q) begin
      act_frac_d = eie_pkg::ActFracWidth'(merge(DataWidth'(act_frac_q), apply_data_q,
                                               apply_mask_q));
    end
    // INPUT_FILE takes the whole word, whatever the strobes.
    if (sel_input_file_q) input_file_d = apply_data_q[eie_pkg::InputFileWidth-1:0];
    for (int l = 0; l < MaxLayers; l++) begin
      if (sel_in_q[l])    lin_d[l]    = merge(lin_q[l], apply_data_q, apply_mask_q);
      if (sel_out_q[l])   lout_d[l]   = merge(lout_q[l], apply_data_q, apply_mask_q);
      if (sel_ptr_q[l])   lptr_d[l]   = merge(lptr_q[l], apply_data_q, apply_mask_q);
      if (sel_flags_q[l]) lflags_d[l] = merge(lflags_q[l], apply_data_q, apply_mask_q);
    end
  end

  always_comb begin : proc_bus_errors
    bus_errors = '0;
    bus_errors[eie_pkg::ErrRegAddr] = (reg_we_i && !wr_known) || (reg_re_i && reg_rerr_o);
    bus_errors[eie_pkg::ErrRegBusy] = reg_we_i && wr_config && busy;
  end

  assign errors_d = errors_kept | bus_errors;

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_regs
    if (!rst_ni) begin
      num_layers_q <= (LayerWidth+1)'(eie_pkg::NumLayersReset);
      act_frac_q   <= eie_pkg::ActFracWidth'(eie_pkg::ActFracReset);
      input_file_q <= 1'b0;
      pe_sel_q     <= '0;
      lin_q        <= '0;
      lout_q       <= '0;
      lptr_q       <= '0;
      lflags_q     <= '0;
      errors_q     <= '0;
    end else begin
      num_layers_q <= num_layers_d;
      act_frac_q   <= act_frac_d;
      input_file_q <= input_file_d;
      pe_sel_q     <= pe_sel_d;
      lin_q        <= lin_d;
      lout_q       <= lout_d;
      lptr_q       <= lptr_d;
      lflags_q     <= lflags_d;
      errors_q     <= errors_d;
    end
  end

  // ---------------------------------------------------------------------------
  // Configuration outputs
  // ---------------------------------------------------------------------------
  assign num_layers_o = num_layers_q;
  assign act_frac_o   = act_frac_q;
  assign input_file_o = input_file_q;
  assign input_file_next_o = input_file_d;
  assign num_layers_next_o = num_layers_d;
  assign pe_sel_o     = pe_sel_q;

  for (genvar l = 0; l < MaxLayers; l++) begin : g_layer_fields
    assign layer_in_o[l]       = lin_q[l][eie_pkg::LayerInWidth-1:0];
    assign layer_out_o[l]      = lout_q[l][eie_pkg::LayerOutWidth-1:0];
    assign layer_ptr_base_o[l] = lptr_q[l][PtrIdxWidth-1:0];
    assign layer_bias_o[l]     = lflags_q[l][eie_pkg::LayerFlagsBiasBit];
    assign layer_relu_o[l]     = lflags_q[l][eie_pkg::LayerFlagsReluBit];
    assign layer_shift_o[l]    = lflags_q[l][eie_pkg::LayerFlagsShiftLsb +: eie_pkg::ShiftWidth];
  end

  // A descriptor the core cannot run: empty shapes, more activations than the
  // files hold, an odd pointer base, or a pointer table past the banks. Checked
  // here for every layer from the registered fields, not when a layer starts
  // (timing: the adds and compares sit between two registers instead of behind
  // the layer mux). A START reaches INIT a cycle after its own write, so the
  // bit a layer's INIT reads has seen every descriptor write before the START.
  logic [MaxLayers-1:0] layer_bad_d, layer_bad_q;

  // The pointer table's last index, base + in + bias, in as few bits as it needs
  // (a 32-bit sum would cost every layer a wide adder).
  localparam int PtrSumWidth =
      (PtrIdxWidth > eie_pkg::LayerInWidth ? PtrIdxWidth : eie_pkg::LayerInWidth) + 1;

  for (genvar l = 0; l < MaxLayers; l++) begin : g_layer_check
    logic [PtrSumWidth-1:0] ptr_last;

    assign ptr_last       = PtrSumWidth'(layer_ptr_base_o[l]) + PtrSumWidth'(layer_in_o[l]) +
                            PtrSumWidth'(layer_bias_o[l]);
    assign layer_bad_d[l] = layer_in_o[l] == '0 || layer_out_o[l] == '0 ||
                            32'(layer_in_o[l]) > ActDepth * NumPe ||
                            32'(layer_out_o[l]) > ActDepth * NumPe ||
                            layer_ptr_base_o[l][0] || 32'(ptr_last) >= 2 * PtrBankDepth;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_layer_bad
    if (!rst_ni) layer_bad_q <= '1;
    else         layer_bad_q <= layer_bad_d;
  end

  assign layer_bad_o       = layer_bad_q;
  assign layer0_bad_next_o = layer_bad_d[0];

  // ---------------------------------------------------------------------------
  // Reads
  // ---------------------------------------------------------------------------
  logic [DataWidth-1:0] status;

  always_comb begin : proc_status
    status = '0;
    status[eie_pkg::StatusBusyBit]  = busy;
    status[eie_pkg::StatusDoneBit]  = done_i && !start_q;
    status[eie_pkg::StatusErrorBit] = |errors_q;
    status[eie_pkg::StatusLayerLsb +: eie_pkg::StatusLayerWidth] =
        eie_pkg::StatusLayerWidth'(cur_layer_i);
  end

  // FEATURES: the options the core was built with (an assign: an always_comb that
  // reads only parameters has no sensitivity for Icarus).
  logic [DataWidth-1:0] features;
  assign features = DataWidth'(PeCounters) << eie_pkg::FeaturesPeCountersBit;

  logic rd_pe_cnt, rd_layer_page, rd_cycles_page;
  assign rd_pe_cnt      = reg_raddr_i >= eie_pkg::AddrPeBusy && reg_raddr_i < AddrPeCntEnd &&
                          reg_raddr_i[WordLsb-1:0] == '0;
  assign rd_layer_page  = rd_page == PageLayer && 32'(rd_layer_idx) < MaxLayers &&
                          reg_raddr_i[WordLsb-1:0] == '0;
  assign rd_cycles_page = rd_page == PageCycles && 32'(rd_cycles_idx) < MaxLayers &&
                          reg_raddr_i[WordLsb-1:0] == '0;

  always_comb begin : proc_read
    reg_rdata_o = '0;
    reg_rerr_o  = 1'b0;
    unique case (reg_raddr_i)
      eie_pkg::AddrId:           reg_rdata_o = eie_pkg::IdReset;
      eie_pkg::AddrNumPe:        reg_rdata_o = DataWidth'(NumPe);
      eie_pkg::AddrQueueDepth:   reg_rdata_o = DataWidth'(QueueDepth);
      eie_pkg::AddrSpmatDepth:   reg_rdata_o = DataWidth'(SpmatDepth);
      eie_pkg::AddrPtrDepth:     reg_rdata_o = DataWidth'(PtrBankDepth);
      eie_pkg::AddrActDepth:     reg_rdata_o = DataWidth'(ActDepth);
      eie_pkg::AddrMaxLayers:    reg_rdata_o = DataWidth'(MaxLayers);
      eie_pkg::AddrHistoryDepth: reg_rdata_o = DataWidth'(HistoryDepth);
      eie_pkg::AddrCtrl:         reg_rdata_o = '0;
      eie_pkg::AddrStatus:       reg_rdata_o = status;
      eie_pkg::AddrError:        reg_rdata_o = DataWidth'(errors_q);
      eie_pkg::AddrNumLayers:    reg_rdata_o = DataWidth'(num_layers_q);
      eie_pkg::AddrActFrac:      reg_rdata_o = DataWidth'(act_frac_q);
      eie_pkg::AddrInputFile:    reg_rdata_o = DataWidth'(input_file_q);
      eie_pkg::AddrFeatures:     reg_rdata_o = features;
      eie_pkg::AddrTakeLanes:    reg_rdata_o = DataWidth'(TakeLanes);
      eie_pkg::AddrCyclesLo:     reg_rdata_o = cycles_i[CntWidth-1:0];
      eie_pkg::AddrCyclesHi:     reg_rdata_o = cycles_i[2*CntWidth-1:CntWidth];
      eie_pkg::AddrBcasts:       reg_rdata_o = bcasts_i;
      eie_pkg::AddrBcastStalls:  reg_rdata_o = bcast_stalls_i;
      eie_pkg::AddrPeSel:        reg_rdata_o = DataWidth'(pe_sel_q);
      default: begin
        if (rd_pe_cnt) begin
          reg_rdata_o = pe_counters_i[rd_pe_idx];
        end else if (rd_layer_page) begin
          unique case (rd_offset)
            OffsetIn:      reg_rdata_o = lin_q[rd_layer];
            OffsetOut:     reg_rdata_o = lout_q[rd_layer];
            OffsetPtrBase: reg_rdata_o = lptr_q[rd_layer];
            OffsetFlags:   reg_rdata_o = lflags_q[rd_layer];
            default: ;
          endcase
        end else if (rd_cycles_page) begin
          reg_rdata_o = layer_cycles_i[rd_cycles_layer];
        end else begin
          reg_rerr_o = reg_re_i;
        end
      end
    endcase
  end

endmodule

`default_nettype wire
