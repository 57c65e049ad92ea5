// SPDX-License-Identifier: Apache-2.0
// Write-back requantisation of one accumulator (combinational, no handshake):
// y = acc for shift 0, else (acc + 2^(shift-1)) >>> shift (round half up);
// saturate to the signed activation range; then max(y, 0) if relu_i.
// The software twin is eie.fixedpoint.requantize.

`default_nettype none

module eie_relu_quant (
  /// Exact accumulator, signed.
  input  logic [eie_pkg::AccWidth-1:0]   acc_i,
  /// Right shift s (the layer's weight fraction bits); any value 0..31.
  input  logic [eie_pkg::ShiftWidth-1:0] shift_i,
  /// Apply ReLU after saturation.
  input  logic                           relu_i,
  /// The requantised activation, signed.
  output logic [eie_pkg::ActWidth-1:0]   act_o
);

  localparam int AccWidth = eie_pkg::AccWidth;
  localparam int ActWidth = eie_pkg::ActWidth;
  /// One guard bit so that adding the rounding constant cannot overflow.
  localparam int SumWidth = AccWidth + 1;

  localparam logic signed [SumWidth-1:0] SumMax = SumWidth'((1 << (ActWidth - 1)) - 1);
  localparam logic signed [SumWidth-1:0] SumMin = -SumWidth'(1 << (ActWidth - 1));
  localparam logic        [ActWidth-1:0] ActMax = ActWidth'((1 << (ActWidth - 1)) - 1);
  localparam logic        [ActWidth-1:0] ActMin = ActWidth'(1 << (ActWidth - 1));

  logic signed [SumWidth-1:0] round, sum, shifted;
  logic        [ActWidth-1:0] sat;

  // The shifter sees the full 49-bit sum, so shifts of 16..31 are exact too.
  assign round   = (shift_i == '0) ? '0 : SumWidth'(1) << (shift_i - 1'b1);
  assign sum     = $signed({acc_i[AccWidth-1], acc_i}) + round;
  assign shifted = sum >>> shift_i;

  assign sat   = (shifted > SumMax) ? ActMax :
                 (shifted < SumMin) ? ActMin : shifted[ActWidth-1:0];
  assign act_o = (relu_i && sat[ActWidth-1]) ? '0 : sat;

endmodule

`default_nettype wire
