eie_pkg.sv
