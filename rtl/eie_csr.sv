// SPDX-License-Identifier: Apache-2.0
// Control and status registers of the EIE core (README "Register map").
// Decodes single-cycle write/read strobes from eie_axil_slave: holds the run
// configuration and layer descriptors, the sticky ERROR bits (write 1 to clear)
// and reads back status and performance counters. Configuration writes while
// the core is busy are refused (ERR_REG_BUSY) so a running layer never changes.

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
  /// Number of ERROR bits.
  parameter int NumErrors    = 11,
  /// Register byte-address width.
  parameter int AddrWidth    = 12,
  /// Width of a layer index.
  localparam int LayerWidth  = (MaxLayers > 1) ? $clog2(MaxLayers) : 1,
  /// Width of a pointer index.
  localparam int PtrIdxWidth = $clog2(PtrBankDepth) + 1
) (
  /// Clock.
  input  logic                                    clk_i,
  /// Asynchronous reset, active low.
  input  logic                                    rst_ni,
  /// Register write strobe from the bus slave, and whether it is refused.
  input  logic                                    reg_we_i,
  input  logic [AddrWidth-1:0]                    reg_waddr_i,
  input  logic [31:0]                             reg_wdata_i,
  input  logic [3:0]                              reg_wstrb_i,
  output logic                                    reg_werr_o,
  /// Register read strobe and its combinational answer.
  input  logic                                    reg_re_i,
  input  logic [AddrWidth-1:0]                    reg_raddr_i,
  output logic [31:0]                             reg_rdata_o,
  output logic                                    reg_rerr_o,
  /// CTRL.START and CTRL.ABORT, one-cycle pulses.
  output logic                                    start_o,
  output logic                                    abort_o,
  /// CTRL.IMAGE_KEPT: the memories still hold an image (after a reset that kept them).
  output logic                                    image_kept_o,
  /// Run configuration.
  output logic [LayerWidth:0]                     num_layers_o,
  output logic [3:0]                              act_frac_o,
  output logic                                    input_file_o,
  /// Layer descriptors, one element per layer.
  output logic [MaxLayers-1:0][15:0]              layer_in_o,
  output logic [MaxLayers-1:0][15:0]              layer_out_o,
  output logic [MaxLayers-1:0][PtrIdxWidth-1:0]   layer_ptr_base_o,
  output logic [MaxLayers-1:0]                    layer_bias_o,
  output logic [MaxLayers-1:0]                    layer_relu_o,
  output logic [MaxLayers-1:0][4:0]               layer_shift_o,
  /// Per layer: its descriptor cannot run (one cycle behind the descriptor registers).
  output logic [MaxLayers-1:0]                    layer_bad_o,
  /// PE whose counters the PE_* registers show.
  output logic [7:0]                              pe_sel_o,
  /// Status from the control unit.
  input  logic                                    busy_i,
  input  logic                                    done_i,
  input  logic [LayerWidth-1:0]                   cur_layer_i,
  /// Error events (set the sticky ERROR bits) and the bus-side ones raised here.
  input  logic [NumErrors-1:0]                    err_set_i,
  output logic [NumErrors-1:0]                    errors_o,
  /// Performance counters.
  input  logic [63:0]                             cycles_i,
  input  logic [31:0]                             bcasts_i,
  input  logic [31:0]                             bcast_stalls_i,
  input  logic [MaxLayers-1:0][31:0]              layer_cycles_i,
  /// Counters of the selected PE: busy, starved, stalled, drained, queue-full, padding.
  input  logic [5:0][31:0]                        pe_counters_i
);

  // ---------------------------------------------------------------------------
  // Address map (byte addresses; README "Register map")
  // ---------------------------------------------------------------------------
  localparam logic [11:0] AddrId          = 12'h000;
  localparam logic [11:0] AddrNumPe       = 12'h004;
  localparam logic [11:0] AddrQueueDepth  = 12'h008;
  localparam logic [11:0] AddrSpmatDepth  = 12'h00C;
  localparam logic [11:0] AddrPtrDepth    = 12'h010;
  localparam logic [11:0] AddrActDepth    = 12'h014;
  localparam logic [11:0] AddrMaxLayers   = 12'h018;
  localparam logic [11:0] AddrHistory     = 12'h01C;
  localparam logic [11:0] AddrCtrl        = 12'h020;
  localparam logic [11:0] AddrStatus      = 12'h024;
  localparam logic [11:0] AddrError       = 12'h028;
  localparam logic [11:0] AddrNumLayers   = 12'h02C;
  localparam logic [11:0] AddrActFrac     = 12'h030;
  localparam logic [11:0] AddrInputFile   = 12'h034;
  localparam logic [11:0] AddrCyclesLo    = 12'h040;
  localparam logic [11:0] AddrCyclesHi    = 12'h044;
  localparam logic [11:0] AddrBcasts      = 12'h048;
  localparam logic [11:0] AddrBcastStalls = 12'h04C;
  localparam logic [11:0] AddrPeSel       = 12'h050;
  localparam logic [11:0] AddrPeFirst     = 12'h054;  // PE_BUSY .. PE_PADDING
  localparam logic [3:0]  PageLayers      = 4'h1;     // 0x1L0 + 4*field
  localparam logic [3:0]  PageLayerCycles = 4'h2;     // 0x200 + 4*layer
  localparam logic [31:0] IdValue         = 32'hE1E0_0100;

  /// ERROR bits raised by register accesses (the rest come from err_set_i).
  localparam int ErrRegAddr = 9;
  localparam int ErrRegBusy = 10;

  logic [LayerWidth:0]                   num_layers_d, num_layers_q;
  logic [3:0]                            act_frac_d, act_frac_q;
  logic                                  input_file_d, input_file_q;
  logic [7:0]                            pe_sel_d, pe_sel_q;
  // Four 32-bit words per layer: IN, OUT, PTR_BASE, FLAGS (separate arrays:
  // Icarus 11 cannot index the outer dimension of a packed 3-D array at run time).
  logic [MaxLayers-1:0][31:0]            lin_d, lin_q, lout_d, lout_q, lptr_d, lptr_q, lflags_d, lflags_q;
  logic [NumErrors-1:0]                  errors_d, errors_q, errors_kept, bus_errors;

  logic [11:0] waddr, raddr;
  logic [31:0] wmask, wdata_masked;
  logic        wr_config, wr_known;
  logic [3:0]  wr_layer_idx, rd_layer_idx;
  logic [5:0]  rd_cycles_idx;
  logic [LayerWidth-1:0] wr_layer, rd_layer, rd_cycles_layer;
  logic [2:0]  rd_pe_idx;

  assign waddr = 12'(reg_waddr_i);
  assign raddr = 12'(reg_raddr_i);
  assign wdata_masked = reg_wdata_i & wmask;
  // ERROR has NumErrors bits; the rest of a write to it is ignored.
  logic unused_wdata_masked;
  assign unused_wdata_masked = ^wdata_masked[31:NumErrors];
  assign wmask = {{8{reg_wstrb_i[3]}}, {8{reg_wstrb_i[2]}}, {8{reg_wstrb_i[1]}}, {8{reg_wstrb_i[0]}}};
  assign wr_layer_idx  = waddr[7:4];
  assign rd_layer_idx  = raddr[7:4];
  assign rd_cycles_idx = raddr[7:2];
  assign wr_layer        = LayerWidth'(wr_layer_idx);
  assign rd_layer        = LayerWidth'(rd_layer_idx);
  assign rd_cycles_layer = LayerWidth'(rd_cycles_idx);
  assign rd_pe_idx     = 3'((raddr - AddrPeFirst) >> 2);

  // ---------------------------------------------------------------------------
  // Writes
  // ---------------------------------------------------------------------------
  function automatic logic [31:0] merge(logic [31:0] old, logic [31:0] data, logic [31:0] mask);
    merge = (old & ~mask) | (data & mask);
  endfunction

  // Continuous assignments, not an always_comb: Icarus 11 re-runs an always_comb
  // forever when it reads a variable it has just written.
  logic wr_ctrl, wr_layer_page;
  assign wr_ctrl       = waddr == AddrCtrl;
  assign wr_layer_page = waddr[11:8] == PageLayers && 32'(wr_layer_idx) < MaxLayers && waddr[1:0] == 2'b00;
  assign wr_config     = waddr == AddrNumLayers || waddr == AddrActFrac || waddr == AddrInputFile ||
                         wr_layer_page;
  assign wr_known      = wr_ctrl || waddr == AddrError || waddr == AddrPeSel || wr_config;
  assign start_o       = wr_ctrl && reg_we_i && reg_wdata_i[0] && reg_wstrb_i[0];
  assign abort_o       = wr_ctrl && reg_we_i && reg_wdata_i[1] && reg_wstrb_i[0];
  assign image_kept_o  = wr_ctrl && reg_we_i && reg_wdata_i[2] && reg_wstrb_i[0];

  assign reg_werr_o = reg_we_i && (!wr_known || (wr_config && busy_i));

  always_comb begin
    num_layers_d = num_layers_q;
    act_frac_d   = act_frac_q;
    input_file_d = input_file_q;
    pe_sel_d     = pe_sel_q;
    lin_d    = lin_q;
    lout_d   = lout_q;
    lptr_d   = lptr_q;
    lflags_d = lflags_q;
    errors_kept = errors_q | err_set_i;
    if (reg_we_i && wr_known && !(wr_config && busy_i)) begin
      unique case (waddr)
        AddrError:     errors_kept = (errors_q & ~wdata_masked[NumErrors-1:0]) | err_set_i;
        AddrPeSel:     pe_sel_d = 8'(merge(32'(pe_sel_q), reg_wdata_i, wmask));
        AddrNumLayers: num_layers_d = (LayerWidth+1)'(merge(32'(num_layers_q), reg_wdata_i, wmask));
        AddrActFrac:   act_frac_d = 4'(merge(32'(act_frac_q), reg_wdata_i, wmask));
        AddrInputFile: input_file_d = reg_wdata_i[0];
        default: begin
          if (waddr[11:8] == PageLayers) begin
            unique case (waddr[3:2])
              2'd0:    lin_d[wr_layer]    = merge(lin_q[wr_layer], reg_wdata_i, wmask);
              2'd1:    lout_d[wr_layer]   = merge(lout_q[wr_layer], reg_wdata_i, wmask);
              2'd2:    lptr_d[wr_layer]   = merge(lptr_q[wr_layer], reg_wdata_i, wmask);
              default: lflags_d[wr_layer] = merge(lflags_q[wr_layer], reg_wdata_i, wmask);
            endcase
          end
        end
      endcase
    end
  end

  assign errors_d = errors_kept | bus_errors;

  assign bus_errors = NumErrors'({reg_we_i && wr_config && busy_i,
                                  (reg_we_i && !wr_known) || (reg_re_i && reg_rerr_o)}) << ErrRegAddr;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      num_layers_q <= (LayerWidth+1)'(1);
      act_frac_q   <= 4'd8;
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
  assign pe_sel_o     = pe_sel_q;
  assign errors_o     = errors_q;

  for (genvar l = 0; l < MaxLayers; l++) begin : gen_layer_fields
    assign layer_in_o[l]       = lin_q[l][15:0];
    assign layer_out_o[l]      = lout_q[l][15:0];
    assign layer_ptr_base_o[l] = lptr_q[l][PtrIdxWidth-1:0];
    assign layer_bias_o[l]     = lflags_q[l][0];
    assign layer_relu_o[l]     = lflags_q[l][1];
    assign layer_shift_o[l]    = lflags_q[l][12:8];
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
  localparam int PtrSumWidth = (PtrIdxWidth > 16 ? PtrIdxWidth : 16) + 1;

  for (genvar l = 0; l < MaxLayers; l++) begin : gen_layer_check
    logic [PtrSumWidth-1:0] ptr_last;

    assign ptr_last       = PtrSumWidth'(layer_ptr_base_o[l]) + PtrSumWidth'(layer_in_o[l]) +
                            PtrSumWidth'(layer_bias_o[l]);
    assign layer_bad_d[l] = layer_in_o[l] == '0 || layer_out_o[l] == '0 ||
                            32'(layer_in_o[l]) > ActDepth * NumPe || 32'(layer_out_o[l]) > ActDepth * NumPe ||
                            layer_ptr_base_o[l][0] || 32'(ptr_last) >= 2 * PtrBankDepth;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) layer_bad_q <= '1;
    else         layer_bad_q <= layer_bad_d;
  end

  assign layer_bad_o = layer_bad_q;

  // ---------------------------------------------------------------------------
  // Reads
  // ---------------------------------------------------------------------------
  always_comb begin
    reg_rdata_o = '0;
    reg_rerr_o  = 1'b0;
    unique case (raddr)
      AddrId:          reg_rdata_o = IdValue;
      AddrNumPe:       reg_rdata_o = 32'(NumPe);
      AddrQueueDepth:  reg_rdata_o = 32'(QueueDepth);
      AddrSpmatDepth:  reg_rdata_o = 32'(SpmatDepth);
      AddrPtrDepth:    reg_rdata_o = 32'(PtrBankDepth);
      AddrActDepth:    reg_rdata_o = 32'(ActDepth);
      AddrMaxLayers:   reg_rdata_o = 32'(MaxLayers);
      AddrHistory:     reg_rdata_o = 32'(HistoryDepth);
      AddrCtrl:        reg_rdata_o = '0;
      AddrStatus:      reg_rdata_o = {20'(cur_layer_i), 9'd0, |errors_q, done_i, busy_i};
      AddrError:       reg_rdata_o = 32'(errors_q);
      AddrNumLayers:   reg_rdata_o = 32'(num_layers_q);
      AddrActFrac:     reg_rdata_o = 32'(act_frac_q);
      AddrInputFile:   reg_rdata_o = 32'(input_file_q);
      AddrCyclesLo:    reg_rdata_o = cycles_i[31:0];
      AddrCyclesHi:    reg_rdata_o = cycles_i[63:32];
      AddrBcasts:      reg_rdata_o = bcasts_i;
      AddrBcastStalls: reg_rdata_o = bcast_stalls_i;
      AddrPeSel:       reg_rdata_o = 32'(pe_sel_q);
      default: begin
        if (raddr >= AddrPeFirst && raddr < AddrPeFirst + 12'd24 && raddr[1:0] == 2'b00) begin
          reg_rdata_o = pe_counters_i[rd_pe_idx];
        end else if (raddr[11:8] == PageLayers && 32'(rd_layer_idx) < MaxLayers && raddr[1:0] == 2'b00) begin
          unique case (raddr[3:2])
            2'd0:    reg_rdata_o = lin_q[rd_layer];
            2'd1:    reg_rdata_o = lout_q[rd_layer];
            2'd2:    reg_rdata_o = lptr_q[rd_layer];
            default: reg_rdata_o = lflags_q[rd_layer];
          endcase
        end else if (raddr[11:8] == PageLayerCycles && 32'(rd_cycles_idx) < MaxLayers && raddr[1:0] == 2'b00) begin
          reg_rdata_o = layer_cycles_i[rd_cycles_layer];
        end else begin
          reg_rerr_o = reg_re_i;
        end
      end
    endcase
  end

  initial begin
    if (MaxLayers < 1 || MaxLayers > 16) $fatal(1, "eie_csr: MaxLayers must be 1..16");
    if (NumPe < 1 || NumPe > 256) $fatal(1, "eie_csr: NumPe must be 1..256");
    if (NumErrors <= ErrRegBusy) $fatal(1, "eie_csr: NumErrors too small");
  end

endmodule

`default_nettype wire
