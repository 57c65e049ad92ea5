// SPDX-License-Identifier: Apache-2.0
// eie_relu_quant_formal: properties of eie_relu_quant for formal/relu_quant.sby.
// acc_i, shift_i and relu_i are free; act_o must equal the write-back's definition
// (eie.fixedpoint.requantize): round half up, (acc + 2^(s-1)) >>> s for s >= 1 and
// acc for s = 0, saturated to 16 bits, then max(y, 0) with ReLU, computed here on
// the whole accumulator (not the DUT's shift-first window). With Stages = 1 the
// accumulator and shift are the previous cycle's and relu_i the current one's.

`default_nettype none

module eie_relu_quant_formal #(
  /// The DUT's register after the shift (0 or 1).
  parameter int Stages = 0
) (
  /// Clock.
  input  logic                           clk_i,
  /// Any accumulator.
  input  logic [eie_pkg::AccWidth-1:0]   acc_i,
  /// Any shift.
  input  logic [eie_pkg::ShiftWidth-1:0] shift_i,
  /// Any ReLU flag.
  input  logic                           relu_i
);

  localparam int AccWidth = eie_pkg::AccWidth;
  localparam int ActWidth = eie_pkg::ActWidth;
  // Room for the rounding add without overflow.
  localparam int SumWidth = AccWidth + 1;

  logic [ActWidth-1:0] act;

  eie_relu_quant #(
    .Stages (Stages)
  ) dut (
    .clk_i   (clk_i),
    .acc_i   (acc_i),
    .shift_i (shift_i),
    .relu_i  (relu_i),
    .act_o   (act)
  );

  // The operands the DUT's output stands for: this cycle's, or the last cycle's.
  logic [AccWidth-1:0]             f_acc, acc_q;
  logic [eie_pkg::ShiftWidth-1:0]  f_shift, shift_q;
  logic                            past_valid_q;

  initial past_valid_q = 1'b0;

  always @(posedge clk_i) begin : proc_past
    acc_q        <= acc_i;
    shift_q      <= shift_i;
    past_valid_q <= 1'b1;
  end

  assign f_acc   = (Stages == 1) ? acc_q : acc_i;
  assign f_shift = (Stages == 1) ? shift_q : shift_i;

  // The reference on the whole accumulator.
  logic signed [SumWidth-1:0] f_half, f_sum, f_y;
  logic signed [ActWidth-1:0] f_sat;
  logic        [ActWidth-1:0] f_act;

  assign f_half = (f_shift == '0) ? '0 : SumWidth'(1) << (f_shift - 1'b1);
  assign f_sum  = $signed({f_acc[AccWidth-1], f_acc}) + f_half;
  assign f_y    = f_sum >>> f_shift;
  localparam logic signed [SumWidth-1:0] YMax = SumWidth'((1 << (ActWidth - 1)) - 1);
  localparam logic signed [SumWidth-1:0] YMin = SumWidth'(-(1 << (ActWidth - 1)));
  assign f_sat  = (f_y > YMax) ? YMax[ActWidth-1:0] :
                  (f_y < YMin) ? YMin[ActWidth-1:0] : f_y[ActWidth-1:0];
  assign f_act  = (relu_i && f_sat[ActWidth-1]) ? '0 : f_sat;

  always @* begin : proc_assert
    if (Stages == 0 || past_valid_q) begin
      assert (act == f_act);
      // Saturation both ways, and a value that fits only after a large shift.
      cover (f_acc[AccWidth-1] == 1'b0 && act == ActWidth'((1 << (ActWidth - 1)) - 1));
      cover (f_acc[AccWidth-1] == 1'b1 && act == ActWidth'(1 << (ActWidth - 1)) && !relu_i);
      cover (f_shift == 5'd31 && f_acc[AccWidth-2] && act != '0);
    end
  end

endmodule

`default_nettype wire
