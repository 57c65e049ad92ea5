// SPDX-License-Identifier: Apache-2.0
// Synthesis-only top level (not in rtl/eie.f): eie_core behind four pins, so
// that place and route measures the core and not ~275 I/O pads. Every core
// input comes from a serial shift chain fed by si_i; every core output is
// registered and all of them are folded into so_o by a registered XOR, so
// Yosys can neither treat an input as constant nor drop an unobserved output.
// The chain, the output registers and the XOR tree are the wrapper's own
// cells; scripts/synth.py measures them alone and subtracts them.

`default_nettype none

module eie_synth_top #(
  /// eie_core parameters, passed through unchanged.
  parameter int NumPe        = 4,
  parameter int QueueDepth   = 8,
  parameter int SpmatDepth   = 512,
  parameter int PtrBankDepth = 256,
  parameter int ActDepth     = 64,
  parameter int MaxLayers    = 8,
  parameter bit PeCounters   = 1'b0,
  parameter int TakeLanes    = 2
) (
  /// Clock.
  input  logic clk_i,
  /// Asynchronous reset, active low (straight to the core, as in a system).
  input  logic rst_ni,
  /// Serial input: shifted through every core input bit.
  input  logic si_i,
  /// Serial output: the XOR of every registered core output bit.
  output logic so_o
);

  /// Core input bits: AXI4-Lite AW, W, B ready, AR, R ready, load port.
  localparam int InBits  = 12 + 1 + 32 + 4 + 1 + 1 + 12 + 1 + 1 + 1 + 1 + 32 + 64 + 1;
  /// Core output bits: AXI4-Lite ready/valid/response, load port, busy, done.
  localparam int OutBits = 1 + 1 + 2 + 1 + 1 + 32 + 2 + 1 + 1 + 1 + 64 + 1 + 1;

  logic [InBits-1:0]  in_q;
  logic [OutBits-1:0] out, out_q;
  logic               so_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      in_q  <= '0;
      out_q <= '0;
      so_q  <= 1'b0;
    end else begin
      in_q  <= {in_q[InBits-2:0], si_i};
      out_q <= out;
      so_q  <= ^out_q;
    end
  end

  assign so_o = so_q;

  eie_core #(
    .NumPe        (NumPe),
    .QueueDepth   (QueueDepth),
    .SpmatDepth   (SpmatDepth),
    .PtrBankDepth (PtrBankDepth),
    .ActDepth     (ActDepth),
    .MaxLayers    (MaxLayers),
    .PeCounters   (PeCounters),
    .TakeLanes    (TakeLanes)
  ) u_core (
    .clk_i,
    .rst_ni,
    .s_axil_awaddr_i  (in_q[11:0]),
    .s_axil_awvalid_i (in_q[12]),
    .s_axil_wdata_i   (in_q[44:13]),
    .s_axil_wstrb_i   (in_q[48:45]),
    .s_axil_wvalid_i  (in_q[49]),
    .s_axil_bready_i  (in_q[50]),
    .s_axil_araddr_i  (in_q[62:51]),
    .s_axil_arvalid_i (in_q[63]),
    .s_axil_rready_i  (in_q[64]),
    .ld_valid_i       (in_q[65]),
    .ld_write_i       (in_q[66]),
    .ld_addr_i        (in_q[98:67]),
    .ld_wdata_i       (in_q[162:99]),
    .ld_rready_i      (in_q[163]),
    .s_axil_awready_o (out[0]),
    .s_axil_wready_o  (out[1]),
    .s_axil_bresp_o   (out[3:2]),
    .s_axil_bvalid_o  (out[4]),
    .s_axil_arready_o (out[5]),
    .s_axil_rdata_o   (out[37:6]),
    .s_axil_rresp_o   (out[39:38]),
    .s_axil_rvalid_o  (out[40]),
    .ld_ready_o       (out[41]),
    .ld_rvalid_o      (out[42]),
    .ld_rdata_o       (out[106:43]),
    .busy_o           (out[107]),
    .done_o           (out[108])
  );

endmodule

`default_nettype wire
