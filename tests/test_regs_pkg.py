# SPDX-License-Identifier: Apache-2.0
"""rtl/eie_pkg.sv and eie_csr.sv's decode against rtl/eie_regs.rdl (no simulator).

The package names every register, field and target after the .rdl (the naming
rule is in eie_pkg.sv's register-map banner); expected_constants() applies that
rule to the compiled .rdl, and every package constant it names must hold the
.rdl's value. Addresses, ERROR bits, PE counter indices and load-port targets
must all be there; field positions, widths and reset values are checked where
the package has them, and a stale one (a name the .rdl no longer gives) fails.
eie_csr.sv's hand-written decode must read, write and refuse-while-busy exactly
the registers whose access the .rdl gives them.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from systemrdl.node import RegfileNode, RegNode

from sv_pkg import localparams

REPO = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("gen_regs", REPO / "scripts" / "gen_regs.py")
gen_regs = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(gen_regs)

# Package constants with another name than the rule gives: (register, field, what).
ALIASES = {
    "ShiftWidth": ("LAYER_FLAGS", "SHIFT", "width"),
    "CounterWidth": ("PE_BUSY", "PE_BUSY", "width"),
}
# Register-map prefixes and field suffixes: a package name with one must be an expected constant.
MAP_PREFIXES = ("Addr", "Offset", "Err", "PeCnt", "LdTgt")
FIELD_SUFFIXES = ("Bit", "Lsb", "Reset", "Stride")
# Internal to the RTL, not in the .rdl.
NOT_IN_RDL = {"LdTgtCodeWidth"}


def camel(name: str) -> str:
    return "".join(word.capitalize() for word in name.split("_"))


def _field_prefix(reg: str, field: str) -> str:
    """The field's name is left out when it repeats the register's (or its last word)."""
    return camel(reg) if field == reg or reg.endswith("_" + field) else camel(reg) + camel(field)


def _fields(expected: dict, prefix: str, field) -> None:
    expected[prefix + "Lsb"] = field.lsb
    expected[prefix + "Width"] = field.width
    if field.width == 1:
        expected[prefix + "Bit"] = field.lsb
    reset = field.get_property("reset")
    if reset is not None:
        expected[prefix + "Reset"] = reset


@pytest.fixture(scope="module")
def rdl():
    return gen_regs.compile_rdl()


@pytest.fixture(scope="module")
def pkg():
    return localparams()


def expected_constants(regs_top, load_top) -> tuple[dict[str, int], set[str]]:
    """(every constant the rule derives from the .rdl, the names the package must have)."""
    expected: dict[str, int] = {"RegAddrWidth": regs_top.get_property("eie_addr_width")}
    required = {"RegAddrWidth", "RegDataWidth"}
    for child in regs_top.children(unroll=False):
        name = camel(child.inst_name)
        expected["Addr" + name] = child.raw_address_offset
        required.add("Addr" + name)
        if child.is_array:
            expected[name + "Stride"] = child.array_stride
            required.add(name + "Stride")
        regs = child.children(unroll=False) if isinstance(child, RegfileNode) else [child]
        for reg in regs:
            if reg is not child:
                expected["Offset" + camel(reg.inst_name)] = reg.raw_address_offset
                required.add("Offset" + camel(reg.inst_name))
            expected["RegDataWidth"] = reg.get_property("regwidth")
            for field in reg.fields():
                _fields(expected, _field_prefix(reg.inst_name, field.inst_name), field)
                if reg.inst_name == "ERROR":
                    expected["Err" + camel(field.inst_name)] = field.lsb
                    required.add("Err" + camel(field.inst_name))
    errors = next(r for r in regs_top.children() if r.inst_name == "ERROR")
    expected["NumErrors"] = len(errors.fields())
    counters = pe_counters(regs_top)
    for index, name in enumerate(counters):
        expected["PeCnt" + camel(name.removeprefix("PE_"))] = index
    expected["NumPeCounters"] = len(counters)
    required |= {n for n in expected if n.startswith("PeCnt")} | {"NumErrors", "NumPeCounters"}

    ld_addr = load_top.children()[0]
    expected["LdAddrWidth"] = ld_addr.get_property("regwidth")
    for field in ld_addr.fields():
        _fields(expected, "Ld" + camel(field.inst_name), field)
        required |= {"Ld" + camel(field.inst_name) + "Lsb", "Ld" + camel(field.inst_name) + "Width"}
        for member in field.get_property("encode") or ():
            expected["LdTgt" + camel(member.name)] = member.value
            required.add("LdTgt" + camel(member.name))
    return expected, required


def pe_counters(regs_top) -> list[str]:
    return [r.inst_name for r in regs_top.children()
            if isinstance(r, RegNode) and r.get_property("eie_pe_counter", default=False)]


def field_node(top, reg_name: str, field_name: str):
    reg = next(r for r in top.descendants() if getattr(r, "inst_name", None) == reg_name and hasattr(r, "fields"))
    return next(f for f in reg.fields() if f.inst_name == field_name)


def test_package_has_every_address_error_bit_counter_and_target(rdl, pkg):
    _, required = expected_constants(*rdl)
    missing = sorted(required - set(pkg))
    assert not missing, f"eie_pkg.sv lacks {missing} (rtl/eie_regs.rdl has them)"


def test_package_constants_equal_the_rdl(rdl, pkg):
    expected, _ = expected_constants(*rdl)
    wrong = {name: (pkg[name], value) for name, value in expected.items() if name in pkg and pkg[name] != value}
    assert not wrong, f"eie_pkg.sv (value, .rdl value): {wrong}"
    for name, (reg, field, what) in ALIASES.items():
        node = field_node(rdl[0], reg, field)
        assert pkg[name] == getattr(node, what), f"eie_pkg::{name} is not {reg}.{field}'s {what}"


def test_no_stale_register_constant(rdl, pkg):
    expected, _ = expected_constants(*rdl)
    stale = [name for name in pkg if name not in expected and name not in NOT_IN_RDL and
             (name.startswith(MAP_PREFIXES) or name.endswith(FIELD_SUFFIXES))]
    assert not stale, f"eie_pkg.sv names that rtl/eie_regs.rdl does not give: {stale}"


def test_pe_counters_follow_pe_busy(pkg):
    for name, index in pkg.items():
        if name.startswith("PeCnt"):
            address = pkg["AddrPe" + name.removeprefix("PeCnt")]
            assert address == pkg["AddrPeBusy"] + index * pkg["RegDataWidth"] // 8, f"{name} is out of order"


# ---------------------------------------------------------------------------
# eie_csr.sv's decode
# ---------------------------------------------------------------------------
CSR = (REPO / "rtl" / "eie_csr.sv").read_text()


def _assigned_names(signal: str) -> set[str]:
    match = re.search(rf"assign\s+{signal}\s*=([^;]*);", CSR)
    assert match, f"eie_csr.sv has no 'assign {signal} = ...'"
    return set(re.findall(r"eie_pkg::Addr(\w+)", match.group(1)))


def _block(name: str) -> str:
    start = CSR.index(f"begin : {name}")
    return CSR[start:CSR.index("\n  end\n", start)]


def _scalar_registers(top):
    return [r for r in top.children(unroll=False) if not r.is_array and hasattr(r, "fields")]


def _readable(reg) -> bool:
    return any(f.is_sw_readable for f in reg.fields())


def _writable(reg) -> bool:
    return any(f.is_sw_writable for f in reg.fields())


def test_csr_reads_every_register(rdl):
    regs_top = rdl[0]
    decoded = set(re.findall(r"eie_pkg::Addr(\w+):", _block("proc_read")))
    counters = {camel(name) for name in pe_counters(regs_top)}
    # Every register answers a read (a write-only one with 0); the PE counters by range from AddrPeBusy.
    assert decoded == {camel(r.inst_name) for r in _scalar_registers(regs_top)} - counters
    assert re.search(r"assign\s+rd_pe_cnt\s*=[^;]*eie_pkg::AddrPeBusy", CSR)
    write_only = {camel(r.inst_name) for r in _scalar_registers(regs_top) if not _readable(r)}
    for name in write_only:
        assert re.search(rf"eie_pkg::Addr{name}:\s*reg_rdata_o = '0;", CSR), f"{name} must read as 0"


def test_csr_writes_exactly_the_writable_registers(rdl):
    regs_top = rdl[0]
    writable = {camel(r.inst_name) for r in _scalar_registers(regs_top) if _writable(r)}
    config = {camel(r.inst_name) for r in _scalar_registers(regs_top)
              if any(f.get_property("eie_config", default=False) for f in r.fields())}
    decoded = _assigned_names("wr_known") | _assigned_names("wr_ctrl") | _assigned_names("wr_config")
    assert decoded == writable
    assert _assigned_names("wr_config") == config
    # Every layer descriptor field is configuration (or a spare kept with it).
    layer = next(r for r in regs_top.children(unroll=False) if r.inst_name == "LAYER")
    for reg in layer.children():
        assert all(f.get_property("eie_config", default=False) or f.inst_name.startswith("SPARE")
                   for f in reg.fields()), reg.inst_name
    assert re.search(r"assign\s+wr_config\s*=[^;]*wr_layer_page", CSR)


def test_csr_resets_configuration_to_the_rdl_values(rdl, pkg):
    for reg in _scalar_registers(rdl[0]):
        for field in reg.fields():
            reset = field.get_property("reset")
            if field.get_property("eie_config", default=False) and reset:
                name = _field_prefix(reg.inst_name, field.inst_name) + "Reset"
                assert pkg.get(name) == reset, f"eie_pkg::{name} must be {reset}"
                assert re.search(rf"_q\s*<=[^;]*eie_pkg::{name}\b", _block("proc_regs")), \
                    f"eie_csr.sv does not reset {reg.inst_name} to eie_pkg::{name}"


def test_error_register_is_write_one_to_clear(rdl):
    errors = next(r for r in rdl[0].children() if r.inst_name == "ERROR")
    assert all(f.get_property("onwrite").name == "woclr" for f in errors.fields())
    # Write one to clear, with the whole word whatever the byte strobes (the rdl's access rule).
    assert re.search(r"errors_q\s*&\s*~apply_data_q\[", _block("proc_write"))
