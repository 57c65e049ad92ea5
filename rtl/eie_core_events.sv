// SPDX-License-Identifier: Apache-2.0
// Simulation-only core-wide event counters: the energy-relevant events of a run
// outside the PEs (python/eie/models/events.py CORE_EVENTS, one register <name>_q
// each, read by the testbench through VPI). eie_core instantiates it only outside
// synthesis. No handshake: clear_i (START) zeroes every count.

`default_nettype none

module eie_core_events #(
  /// Width of the per-cycle count of LNZD node loads.
  parameter int MovesWidth = 16
) (
  /// Clock.
  input  logic                  clk_i,
  /// Asynchronous reset, active low.
  input  logic                  rst_ni,
  /// Zero every count (START); this cycle's events are not counted.
  input  logic                  clear_i,
  /// A fresh broadcast goes out (eie_ccu fresh_take).
  input  logic                  bcast_i,
  /// The broadcast history's write enable (eie_bcast_history fresh_take_o).
  input  logic                  history_we_i,
  /// LNZD node registers loaded this cycle (eie_lnzd_tree node_moves).
  input  logic [MovesWidth-1:0] node_moves_i,
  /// A run is going on (STATUS.BUSY): INIT and compute cycles.
  input  logic                  busy_i
);

  localparam int CntWidth = 64;

  logic [CntWidth-1:0] broadcasts_d, broadcasts_q;
  logic [CntWidth-1:0] history_writes_d, history_writes_q;
  logic [CntWidth-1:0] lnzd_node_moves_d, lnzd_node_moves_q;
  logic [CntWidth-1:0] cycles_d, cycles_q;

  always_comb begin : proc_next
    broadcasts_d      = broadcasts_q + CntWidth'(bcast_i);
    history_writes_d  = history_writes_q + CntWidth'(history_we_i);
    lnzd_node_moves_d = lnzd_node_moves_q + CntWidth'(node_moves_i);
    cycles_d          = cycles_q + CntWidth'(busy_i);
    if (clear_i) begin
      broadcasts_d      = '0;
      history_writes_d  = '0;
      lnzd_node_moves_d = '0;
      cycles_d          = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin : proc_regs
    if (!rst_ni) begin
      broadcasts_q      <= '0;
      history_writes_q  <= '0;
      lnzd_node_moves_q <= '0;
      cycles_q          <= '0;
    end else begin
      broadcasts_q      <= broadcasts_d;
      history_writes_q  <= history_writes_d;
      lnzd_node_moves_q <= lnzd_node_moves_d;
      cycles_q          <= cycles_d;
    end
  end

endmodule

`default_nettype wire
