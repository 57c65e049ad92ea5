// SPDX-License-Identifier: Apache-2.0
// Load port: memory-mapped access to every PE memory in I/O mode (README
// "Load port"). Address {target[31:28], pe[27:20], index[19:0]}; a beat moves on
// ld_valid_i && ld_ready_o. Accesses while the core runs, or outside a memory,
// are dropped (reads answer 0) and raise an error event.
//
// For the clock, the request is decoded and registered before it reaches the
// PEs (the range compare and the per-PE selects then do not feed the memory
// enables of every PE), and the read answer is registered after the PE mux. A
// write lands in its memory the cycle after its beat, one per cycle; a read
// answers on the R side (ld_rvalid_o/ld_rready_i) four cycles after its beat
// (select register, memory, PE output register, answer register) and holds
// the port until it is taken. A write beat in the cycle the core starts lands
// in the first busy cycle, which only loads the layer descriptor: no PE memory
// is read or written by the run before the cycle after.

`default_nettype none

module eie_load_port #(
  /// Number of PEs.
  parameter int NumPe        = 4,
  /// Sparse-matrix words per PE.
  parameter int SpmatDepth   = 1024,
  /// Entries per pointer bank.
  parameter int PtrBankDepth = 1024,
  /// Activations per PE and file.
  parameter int ActDepth     = 64,
  /// Layers (16 codebook entries each).
  parameter int MaxLayers    = 4,
  localparam int PeWidth     = (NumPe > 1) ? $clog2(NumPe) : 1
) (
  /// Clock.
  input  logic                          clk_i,
  /// Asynchronous reset, active low.
  input  logic                          rst_ni,
  /// Request: write or read of one 64-bit word.
  input  logic                          ld_valid_i,
  output logic                          ld_ready_o,
  input  logic                          ld_write_i,
  input  logic [31:0]                   ld_addr_i,
  input  logic [63:0]                   ld_wdata_i,
  /// Read response.
  output logic                          ld_rvalid_o,
  input  logic                          ld_rready_i,
  output logic [63:0]                   ld_rdata_o,
  /// The core is running a layer (load accesses are misuse then).
  input  logic                          busy_i,
  /// Decoded access to the PEs: one-hot PE selects (codebook writes go to all).
  output logic [NumPe-1:0]              pe_we_o,
  output logic [NumPe-1:0]              pe_re_o,
  output logic [2:0]                    target_o,
  output logic [19:0]                   index_o,
  output logic [63:0]                   wdata_o,
  /// Read data of every PE (valid two cycles after pe_re_o: memory, PE register).
  input  logic [NumPe-1:0][63:0]        pe_rdata_i,
  /// Software says the memories kept their image across a reset (CTRL.IMAGE_KEPT).
  input  logic                          image_kept_i,
  /// A pointer has been written, or IMAGE_KEPT set, since reset.
  output logic                          loaded_o,
  /// Error events: access while busy, access outside every memory.
  output logic                          err_busy_o,
  output logic                          err_range_o
);

  localparam logic [3:0] TgtSpmat = 4'd0;
  localparam logic [3:0] TgtPtr   = 4'd1;
  localparam logic [3:0] TgtCb    = 4'd2;
  localparam logic [3:0] TgtAct0  = 4'd3;
  localparam logic [3:0] TgtAct1  = 4'd4;
  localparam logic [3:0] TgtResult = 4'd5;

  logic [3:0]  target;
  logic [7:0]  pe;
  logic [19:0] index;
  logic        beat, in_range, allowed;
  logic [31:0] depth;

  assign target = ld_addr_i[31:28];
  assign pe     = ld_addr_i[27:20];
  assign index  = ld_addr_i[19:0];
  assign beat   = ld_valid_i && ld_ready_o;

  always_comb begin
    unique case (target)
      TgtSpmat:         depth = 32'(SpmatDepth);
      TgtPtr:           depth = 32'(2 * PtrBankDepth);
      TgtCb:            depth = 32'(MaxLayers * eie_pkg::NumCodes);
      TgtAct0, TgtAct1: depth = 32'(ActDepth);
      TgtResult:        depth = 32'(ActDepth);
      default:          depth = '0;
    endcase
  end

  // Codebook writes ignore the PE field (every PE holds the same table); the
  // codebook is write-only and the result read-only.
  assign in_range = 32'(index) < depth &&
                    (target == TgtCb ? ld_write_i : 32'(pe) < NumPe) &&
                    !(target == TgtResult && ld_write_i);
  assign allowed  = beat && in_range && !busy_i;

  assign err_busy_o  = beat && busy_i;
  assign err_range_o = beat && !in_range;

  // ---------------------------------------------------------------------------
  // Request register: decoded PE selects, target, index and write data
  // ---------------------------------------------------------------------------
  logic [NumPe-1:0] pe_we_d, pe_we_q, pe_re_d, pe_re_q;
  logic [2:0]       target_q;
  logic [19:0]      index_q;
  logic [63:0]      wdata_q;

  for (genvar p = 0; p < NumPe; p++) begin : gen_pe_select
    assign pe_we_d[p] = allowed && ld_write_i && (target == TgtCb || 32'(pe) == p);
    assign pe_re_d[p] = allowed && !ld_write_i && 32'(pe) == p;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pe_we_q  <= '0;
      pe_re_q  <= '0;
      target_q <= '0;
      index_q  <= '0;
      wdata_q  <= '0;
    end else begin
      pe_we_q <= pe_we_d;
      pe_re_q <= pe_re_d;
      if (beat) begin
        target_q <= target[2:0];
        index_q  <= index;
        wdata_q  <= ld_wdata_i;
      end
    end
  end

  assign pe_we_o  = pe_we_q;
  assign pe_re_o  = pe_re_q;
  assign target_o = target_q;
  assign index_o  = index_q;
  assign wdata_o  = wdata_q;

  // ---------------------------------------------------------------------------
  // Read answer: one read in flight; its progress is a shift register (select
  // register, memory output, PE output register), then the PE mux is registered
  // ---------------------------------------------------------------------------
  logic               read_beat, pending_d, pending_q, rvalid_d, rvalid_q;
  logic               rzero_q, loaded_d, loaded_q;
  logic [2:0]         rstage_q;
  logic [PeWidth-1:0] rpe_q;
  logic [63:0]        rdata_q;

  assign read_beat = beat && !ld_write_i;
  assign loaded_d  = loaded_q || image_kept_i || (allowed && ld_write_i && target == TgtPtr);

  always_comb begin
    pending_d = pending_q;
    rvalid_d  = rvalid_q;
    if (read_beat) begin
      pending_d = 1'b1;
    end else if (rvalid_q && ld_rready_i) begin
      pending_d = 1'b0;
      rvalid_d  = 1'b0;
    end
    if (rstage_q[2]) rvalid_d = 1'b1;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pending_q <= 1'b0;
      rvalid_q  <= 1'b0;
      rstage_q  <= '0;
      rzero_q   <= 1'b0;
      rpe_q     <= '0;
      rdata_q   <= '0;
      loaded_q  <= 1'b0;
    end else begin
      pending_q <= pending_d;
      rvalid_q  <= rvalid_d;
      rstage_q  <= {rstage_q[1:0], read_beat};
      loaded_q  <= loaded_d;
      if (read_beat) begin
        rzero_q <= !allowed;
        rpe_q   <= PeWidth'(pe);
      end
      if (rstage_q[2]) rdata_q <= rzero_q ? 64'd0 : pe_rdata_i[rpe_q];
    end
  end

  assign ld_ready_o  = !pending_q;
  assign ld_rvalid_o = rvalid_q;
  assign ld_rdata_o  = rdata_q;
  assign loaded_o    = loaded_q;

`ifndef SYNTHESIS
  logic        wait_q;
  logic [31:0] addr_seen_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wait_q      <= 1'b0;
      addr_seen_q <= '0;
    end else begin
      if (wait_q) begin
        assert (ld_valid_i && ld_addr_i == addr_seen_q)
          else $fatal(1, "eie_load_port: request dropped or changed before it was taken");
      end
      wait_q      <= ld_valid_i && !ld_ready_o;
      addr_seen_q <= ld_addr_i;
    end
  end
`endif

  initial begin
    if (NumPe < 1 || NumPe > 256) $fatal(1, "eie_load_port: NumPe must be 1..256");
  end

endmodule

`default_nettype wire
