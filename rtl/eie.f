# RTL file list in compile order, read by the cocotb runner, make lint, synthesis and eie.core.
# Paths are relative to the folder that holds rtl/ (the repository root, or the installed
# eie package): iverilog -g2012 -c rtl/eie.f, verilator -f rtl/eie.f from the root.
rtl/eie_pkg.sv
rtl/eie_fifo.sv
rtl/eie_lzc.sv
rtl/eie_lnzd_node.sv
rtl/eie_lnzd_tree.sv
rtl/eie_ptr_read.sv
rtl/eie_spmat_read.sv
rtl/eie_arith.sv
rtl/eie_relu_quant.sv
rtl/eie_act_file.sv
rtl/eie_wb_seq.sv
rtl/eie_pe_counters.sv
rtl/eie_pe_events.sv
rtl/eie_pe.sv
rtl/eie_axil_slave.sv
rtl/eie_csr.sv
rtl/eie_load_port.sv
rtl/eie_bcast_history.sv
rtl/eie_ccu.sv
rtl/eie_core_events.sv
rtl/eie_core.sv
