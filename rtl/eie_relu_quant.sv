// SPDX-License-Identifier: Apache-2.0
// Write-back requantisation of one accumulator (no handshake):
// y = acc for shift 0, else (acc + 2^(shift-1)) >>> shift (round half up);
// saturate to the signed activation range; then max(y, 0) if relu_i.
// Combinational with Stages = 0; with Stages = 1 the shifted accumulator passes
// a register (timing: the barrel shift and the saturation compares are then
// not in one cycle), so act_o follows acc_i and shift_i a cycle later (relu_i
// still acts at once). The software twin is eie.fixedpoint.requantize.

`default_nettype none

module eie_relu_quant #(
  /// 0: combinational; 1: a register after the shift.
  parameter int Stages = 0
) (
  /// Clock (used with Stages = 1).
  input  logic                           clk_i,
  /// Exact accumulator, signed.
  input  logic [eie_pkg::AccWidth-1:0]   acc_i,
  /// Right shift s (the layer's weight fraction bits); any value 0..31.
  input  logic [eie_pkg::ShiftWidth-1:0] shift_i,
  /// Apply ReLU after saturation.
  input  logic                           relu_i,
  /// The requantised activation, signed.
  output logic [eie_pkg::ActWidth-1:0]   act_o
);

  localparam int AccWidth   = eie_pkg::AccWidth;
  localparam int ActWidth   = eie_pkg::ActWidth;
  localparam int ShiftWidth = eie_pkg::ShiftWidth;
  /// Twice the accumulator: one more bit.
  localparam int WideWidth = AccWidth + 1;
  /// The low bits of t + 1 that hold an in-range result (one above ActWidth).
  localparam int LowWidth  = ActWidth + 1;

  // The shift comes first and the rounding add after it, on 17 bits instead of
  // 49 (timing: no 49-bit carry chain in front of the barrel shifter). With
  // t = (2 * acc) >>> s = floor(acc / 2^(s-1)) the result is floor((t + 1) / 2),
  // which equals (acc + 2^(s-1)) >>> s for s >= 1 and acc for s = 0.
  // Only t's low WinWidth bits are shifted out (area: an 18-bit window, not a
  // 49-bit barrel shifter); t fits in them when the bits of 2 * acc from
  // WinWidth - 1 + s up are all equal to the sign, which the shifter's stages check.
  // Outside, the saturation follows the sign; inside, the compares see t exactly.
  localparam int WinWidth = ActWidth + 2;
  localparam logic signed [WinWidth-1:0] TMax = WinWidth'(2 * ((1 << (ActWidth - 1)) - 1));
  // The minus inside the cast: Yosys 0.70 reads -W'(x) as W'(x) (lint refuses that form).
  localparam logic signed [WinWidth-1:0] TMin = WinWidth'(-(2 * (1 << (ActWidth - 1)) + 1));

  logic        [WideWidth-1:0] wide;
  logic signed [WinWidth-1:0]  win_shift, t;
  logic                        fits_shift, fits, neg_shift, neg;
  logic        [LowWidth-1:0]  low;
  logic                        over, under;

  initial begin : proc_check_params
    if (WideWidth != WinWidth + (1 << ShiftWidth) - 1) begin
      $fatal(1, "eie_relu_quant: the shifter needs AccWidth = ActWidth + 2^ShiftWidth, got %0d",
             AccWidth);
    end
    if (Stages != 0 && Stages != 1) begin
      $fatal(1, "eie_relu_quant: Stages must be 0 or 1, got %0d", Stages);
    end
  end

  assign wide      = {acc_i, 1'b0};
  assign neg_shift = wide[WideWidth-1];

  // A logarithmic shifter, largest step first, each stage only as wide as the
  // window still needs (area: a 49-bit barrel shifter is ~3x the LUTs). A stage
  // that does not shift drops its top bits; t fits in its window when every
  // dropped bit, and the window's top bit, equal the sign (bit p of 2 * acc with
  // p >= WinWidth - 1 + s, as a mask over the shift would check).
  logic [ShiftWidth:0][WideWidth-1:0] stage;
  logic [ShiftWidth-1:0]              dropped;

  assign stage[ShiftWidth] = wide;
  for (genvar k = 0; k < ShiftWidth; k++) begin : g_stage
    localparam int Have = WinWidth + (2 << k) - 1;  // bits stage k+1 holds
    localparam int Keep = WinWidth + (1 << k) - 1;  // bits stage k holds
    assign stage[k]   = WideWidth'(shift_i[k] ? stage[k+1][Have-1:(1 << k)] : stage[k+1][Keep-1:0]);
    assign dropped[k] = !shift_i[k] && (stage[k+1][Have-1:Keep] != {(Have - Keep){neg_shift}});
  end
  assign win_shift  = stage[0][WinWidth-1:0];
  assign fits_shift = !(|dropped) && (win_shift[WinWidth-1] == neg_shift);

  if (Stages == 1) begin : g_reg
    logic signed [WinWidth-1:0] t_q;
    logic                       fits_q, neg_q;
    always_ff @(posedge clk_i) begin : proc_t
      t_q    <= win_shift;
      fits_q <= fits_shift;
      neg_q  <= neg_shift;
    end
    assign t    = t_q;
    assign fits = fits_q;
    assign neg  = neg_q;
  end else begin : g_comb
    logic unused_clk;
    assign unused_clk = clk_i;
    assign t    = win_shift;
    assign fits = fits_shift;
    assign neg  = neg_shift;
  end
  // With ActMax = 2^(ActWidth-1) - 1 and ActMin = -2^(ActWidth-1):
  // y > ActMax  <=>  t + 1 >= 2 * (ActMax + 1)  <=>  t > 2 * ActMax;
  // y < ActMin  <=>  t + 1 <  2 * ActMin        <=>  t < 2 * ActMin - 1.
  assign over  = fits ? t > TMax : !neg;
  assign under = fits ? t < TMin : neg;
  assign low   = t[LowWidth-1:0] + LowWidth'(1);

  // The output, as one select for the whole word: a constant (ActMax, ActMin or the
  // ReLU's zero, whose bits below the sign are all `over`) or the rounded value y.
  // The same as relu && sat < 0 ? 0 : sat with sat = over ? ActMax : under ? ActMin
  // : y, written so that each bit is one LUT4 (area: the nested form maps to a
  // five-input function per bit, two LUT4s and a PFUMX, one of them often constant).
  logic sat_neg, to_const;
  assign sat_neg  = under | (!over && low[LowWidth-1]);
  assign to_const = over | under | (relu_i && sat_neg);
  assign act_o[ActWidth-2:0] = to_const ? {(ActWidth - 1){over}} : low[LowWidth-2:1];
  assign act_o[ActWidth-1]   = sat_neg && !relu_i;

  // Bit 0 of t + 1 is the half that floor((t + 1) / 2) drops.
  logic unused_low;
  assign unused_low = low[0];

endmodule

`default_nettype wire
