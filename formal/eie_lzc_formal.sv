// SPDX-License-Identifier: Apache-2.0
// eie_lzc_formal: properties of eie_lzc for formal/lzc.sby. bits_i is free; the
// index must be the lowest set bit and empty_o must say that no bit is set. The
// block is combinational, so every property is checked in every step.

`default_nettype none

module eie_lzc_formal #(
  /// Bits searched, passed to the DUT.
  parameter int Width = 8
) (
  /// Clock; the DUT's port only.
  input  logic             clk_i,
  /// Reset; the DUT's port only.
  input  logic             rst_ni,
  /// Any bit pattern.
  input  logic [Width-1:0] bits_i
);

  localparam int IdxWidth = (Width > 1) ? $clog2(Width) : 1;

  logic [IdxWidth-1:0] index;
  logic                empty;

  eie_lzc #(
    .Width (Width)
  ) dut (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .bits_i  (bits_i),
    .index_o (index),
    .empty_o (empty)
  );

  // The reference: the lowest set bit, searched from bit Width - 1 down.
  logic [IdxWidth-1:0] f_first;

  always_comb begin : proc_reference
    f_first = '0;
    for (int i = Width - 1; i >= 0; i--) begin
      if (bits_i[i]) f_first = IdxWidth'(i);
    end
  end

  always @* begin : proc_assert
    assert (empty == (bits_i == '0));
    assert (index == f_first);
    if (!empty) begin
      assert (32'(index) < Width);
      assert (bits_i[index]);
    end
    // The last bit as the only one set: the longest path through the tree.
    cover (bits_i == Width'(1) << (Width - 1));
  end

endmodule

`default_nettype wire
