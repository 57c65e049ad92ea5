# RTL file list in compile order: read by the cocotb runner, make lint and synthesis.
eie_pkg.sv
eie_fifo.sv
eie_lzc.sv
eie_lnzd_node.sv
eie_lnzd_tree.sv
eie_ptr_read.sv
eie_spmat_read.sv
eie_arith.sv
eie_relu_quant.sv
eie_act_file.sv
eie_pe.sv
eie_axil_slave.sv
eie_csr.sv
eie_load_port.sv
eie_bcast_history.sv
eie_ccu.sv
eie_core.sv
