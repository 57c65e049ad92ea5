// SPDX-License-Identifier: Apache-2.0
// AXI4-Lite slave: turns the five AXI4-Lite channels into single-cycle register
// write and read strobes. AW and W are taken independently; the write is done
// once both are held and the B channel is free. One read is outstanding at a time.
// An error from the register block answers SLVERR instead of OKAY. The register
// block may apply a write a cycle after its strobe: no read is taken in that cycle.

`default_nettype none

module eie_axil_slave #(
  /// Byte address width of the register space.
  parameter int AddrWidth = eie_pkg::RegAddrWidth,
  /// Data width (32 or 64).
  parameter int DataWidth = eie_pkg::RegDataWidth,
  localparam int StrbWidth = DataWidth / 8
) (
  /// Clock.
  input  logic                 clk_i,
  /// Asynchronous reset, active low.
  input  logic                 rst_ni,
  /// Write address.
  input  logic [AddrWidth-1:0] s_axil_awaddr_i,
  /// Write address valid.
  input  logic                 s_axil_awvalid_i,
  /// Write address ready.
  output logic                 s_axil_awready_o,
  /// Write data.
  input  logic [DataWidth-1:0] s_axil_wdata_i,
  /// Write strobes, one per byte.
  input  logic [StrbWidth-1:0] s_axil_wstrb_i,
  /// Write data valid.
  input  logic                 s_axil_wvalid_i,
  /// Write data ready.
  output logic                 s_axil_wready_o,
  /// Write response: OKAY, or SLVERR when the register block refused the write.
  output logic [1:0]           s_axil_bresp_o,
  /// Write response valid.
  output logic                 s_axil_bvalid_o,
  /// Write response ready.
  input  logic                 s_axil_bready_i,
  /// Read address.
  input  logic [AddrWidth-1:0] s_axil_araddr_i,
  /// Read address valid.
  input  logic                 s_axil_arvalid_i,
  /// Read address ready.
  output logic                 s_axil_arready_o,
  /// Read data.
  output logic [DataWidth-1:0] s_axil_rdata_o,
  /// Read response: OKAY, or SLVERR when the register block refused the read.
  output logic [1:0]           s_axil_rresp_o,
  /// Read data valid.
  output logic                 s_axil_rvalid_o,
  /// Read data ready.
  input  logic                 s_axil_rready_i,
  /// Register write strobe (one cycle).
  output logic                 reg_we_o,
  /// Register write address.
  output logic [AddrWidth-1:0] reg_waddr_o,
  /// Register write data.
  output logic [DataWidth-1:0] reg_wdata_o,
  /// Register write byte strobes.
  output logic [StrbWidth-1:0] reg_wstrb_o,
  /// The register block refuses this write (unmapped or read-only address).
  input  logic                 reg_werr_i,
  /// Register read strobe (one cycle).
  output logic                 reg_re_o,
  /// Register read address.
  output logic [AddrWidth-1:0] reg_raddr_o,
  /// The register block's combinational answer to the read.
  input  logic [DataWidth-1:0] reg_rdata_i,
  /// The register block refuses this read (unmapped address).
  input  logic                 reg_rerr_i
);

  initial begin : proc_check_params
    if (DataWidth != 32 && DataWidth != 64) begin
      $fatal(1, "eie_axil_slave: DataWidth must be 32 or 64, got %0d", DataWidth);
    end
  end

  localparam logic [1:0] RespOkay   = 2'b00;
  localparam logic [1:0] RespSlvErr = 2'b10;

  logic                 aw_held_d, aw_held_q;
  logic [AddrWidth-1:0] awaddr_d, awaddr_q;
  logic                 w_held_d, w_held_q;
  logic [DataWidth-1:0] wdata_d, wdata_q;
  logic [StrbWidth-1:0] wstrb_d, wstrb_q;
  logic                 bvalid_d, bvalid_q;
  logic [1:0]           bresp_d, bresp_q;
  logic                 rvalid_d, rvalid_q;
  logic [DataWidth-1:0] rdata_d, rdata_q;
  logic [1:0]           rresp_d, rresp_q;
  logic                 we_q;

  // ---------------------------------------------------------------------------
  // Write path
  // ---------------------------------------------------------------------------
  assign s_axil_awready_o = !aw_held_q;
  assign s_axil_wready_o  = !w_held_q;
  assign reg_we_o    = aw_held_q && w_held_q && !bvalid_q;
  assign reg_waddr_o = awaddr_q;
  assign reg_wdata_o = wdata_q;
  assign reg_wstrb_o = wstrb_q;

  always_comb begin : proc_write
    aw_held_d = aw_held_q;
    awaddr_d  = awaddr_q;
    w_held_d  = w_held_q;
    wdata_d   = wdata_q;
    wstrb_d   = wstrb_q;
    bvalid_d  = bvalid_q;
    bresp_d   = bresp_q;
    if (s_axil_awvalid_i && s_axil_awready_o) begin
      aw_held_d = 1'b1;
      awaddr_d  = s_axil_awaddr_i;
    end
    if (s_axil_wvalid_i && s_axil_wready_o) begin
      w_held_d = 1'b1;
      wdata_d  = s_axil_wdata_i;
      wstrb_d  = s_axil_wstrb_i;
    end
    if (reg_we_o) begin
      aw_held_d = 1'b0;
      w_held_d  = 1'b0;
      bvalid_d  = 1'b1;
      bresp_d   = reg_werr_i ? RespSlvErr : RespOkay;
    end else if (bvalid_q && s_axil_bready_i) begin
      bvalid_d = 1'b0;
    end
  end

  // ---------------------------------------------------------------------------
  // Read path
  // ---------------------------------------------------------------------------
  assign s_axil_arready_o = !rvalid_q && !we_q;
  assign reg_re_o    = s_axil_arvalid_i && s_axil_arready_o;
  assign reg_raddr_o = s_axil_araddr_i;

  always_comb begin : proc_read
    rvalid_d = rvalid_q;
    rdata_d  = rdata_q;
    rresp_d  = rresp_q;
    if (reg_re_o) begin
      rvalid_d = 1'b1;
      rdata_d  = reg_rdata_i;
      rresp_d  = reg_rerr_i ? RespSlvErr : RespOkay;
    end else if (rvalid_q && s_axil_rready_i) begin
      rvalid_d = 1'b0;
    end
  end

  assign s_axil_bvalid_o = bvalid_q;
  assign s_axil_bresp_o  = bresp_q;
  assign s_axil_rvalid_o = rvalid_q;
  assign s_axil_rdata_o  = rdata_q;
  assign s_axil_rresp_o  = rresp_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_regs
    if (!rst_ni) begin
      aw_held_q <= 1'b0;
      awaddr_q  <= '0;
      w_held_q  <= 1'b0;
      wdata_q   <= '0;
      wstrb_q   <= '0;
      bvalid_q  <= 1'b0;
      bresp_q   <= RespOkay;
      rvalid_q  <= 1'b0;
      rdata_q   <= '0;
      rresp_q   <= RespOkay;
      we_q      <= 1'b0;
    end else begin
      aw_held_q <= aw_held_d;
      awaddr_q  <= awaddr_d;
      w_held_q  <= w_held_d;
      wdata_q   <= wdata_d;
      wstrb_q   <= wstrb_d;
      bvalid_q  <= bvalid_d;
      bresp_q   <= bresp_d;
      rvalid_q  <= rvalid_d;
      rdata_q   <= rdata_d;
      rresp_q   <= rresp_d;
      we_q      <= reg_we_o;
    end
  end

`ifndef SYNTHESIS
  // AXI4-Lite handshake rules (AMBA AXI spec A3.2.1): once valid is raised it
  // stays, with its payload, until the handshake. Checked on the master's inputs.
  logic                 awvalid_wait_q, wvalid_wait_q, arvalid_wait_q;
  logic [AddrWidth-1:0] awaddr_seen_q, araddr_seen_q;
  logic [DataWidth-1:0] wdata_seen_q;
  always @(posedge clk_i or negedge rst_ni) begin : proc_assert
    if (!rst_ni) begin
      awvalid_wait_q <= 1'b0;
      wvalid_wait_q  <= 1'b0;
      arvalid_wait_q <= 1'b0;
      awaddr_seen_q  <= '0;
      araddr_seen_q  <= '0;
      wdata_seen_q   <= '0;
    end else begin
      if (awvalid_wait_q) begin
        assert (s_axil_awvalid_i && s_axil_awaddr_i == awaddr_seen_q)
          else $fatal(1, "AXI4-Lite: AWVALID dropped or AWADDR changed before AWREADY");
      end
      if (wvalid_wait_q) begin
        assert (s_axil_wvalid_i && s_axil_wdata_i == wdata_seen_q)
          else $fatal(1, "AXI4-Lite: WVALID dropped or WDATA changed before WREADY");
      end
      if (arvalid_wait_q) begin
        assert (s_axil_arvalid_i && s_axil_araddr_i == araddr_seen_q)
          else $fatal(1, "AXI4-Lite: ARVALID dropped or ARADDR changed before ARREADY");
      end
      awvalid_wait_q <= s_axil_awvalid_i && !s_axil_awready_o;
      wvalid_wait_q  <= s_axil_wvalid_i && !s_axil_wready_o;
      arvalid_wait_q <= s_axil_arvalid_i && !s_axil_arready_o;
      awaddr_seen_q  <= s_axil_awaddr_i;
      wdata_seen_q   <= s_axil_wdata_i;
      araddr_seen_q  <= s_axil_araddr_i;
    end
  end
`endif

endmodule

`default_nettype wire
