# SPDX-License-Identifier: Apache-2.0
"""The waveforms of ``eie sim --waves``: where the dump is, and a GTKWave view of it.

``VIEW`` (eie/sim/views/eie_core.gtkw, package data) is the saved signal view:
the AXI4-Lite bus, the load port, the CCU's broadcast and PE 0's pipeline, each
signal by its path in eie_core. A vector's width depends on the build's
parameters, and GTKWave names a vector with its range (``ld_addr_i[31:0]``), so
``write_view`` copies the view next to a dump with every range as that dump has it.
``dump_signals`` reads a dump's scope list: FST (what ``--waves`` writes on both
simulators) or VCD, with no waveform library.
"""

from __future__ import annotations

import gzip
import importlib.resources
import re
import struct
from pathlib import Path

from eie.errors import EieError

VIEW = Path(str(importlib.resources.files("eie.sim") / "views" / "eie_core.gtkw"))

# Where cocotb's runners write the dump, in the folder the simulator ran in.
_DUMP_NAMES = {"icarus": "eie_core.fst", "verilator": "dump.fst"}

# FST block types and hierarchy record tags (GTKWave's fstapi.h).
_FST_BL_HIER, _FST_BL_HIER_LZ4, _FST_BL_HIER_LZ4DUO = 4, 6, 7
_FST_SCOPE, _FST_UPSCOPE, _FST_ATTRBEGIN, _FST_ATTREND = 254, 255, 252, 253
_FST_VT_MAX = 29


def dump_file(sim: str, run_dir: Path) -> Path:
    """The waveform file a ``--waves`` run of ``sim`` wrote in ``run_dir``."""
    return Path(run_dir) / _DUMP_NAMES[sim]


def _split(name: str) -> tuple[str, str]:
    """'ld_addr_i [31:0]' -> ('ld_addr_i', '[31:0]'); a scalar has no range."""
    match = re.fullmatch(r"(\S+?)\s*(\[\d+:\d+\])?", name.strip())
    return (match.group(1), match.group(2) or "") if match else (name, "")


def _lz4_block(data: bytes, size: int) -> bytes:
    """Decode one LZ4 block (the format of LZ4_decompress_safe)."""
    out, i = bytearray(), 0
    while i < len(data):
        token = data[i]
        i += 1
        length = token >> 4
        if length == 15:
            while True:
                length += data[i]
                i += 1
                if data[i - 1] != 255:
                    break
        out += data[i:i + length]
        i += length
        if i >= len(data):
            break
        offset = data[i] | data[i + 1] << 8
        i += 2
        length = (token & 15) + 4
        if (token & 15) == 15:
            while True:
                length += data[i]
                i += 1
                if data[i - 1] != 255:
                    break
        if offset == 0 or offset > len(out):
            raise ValueError("corrupt LZ4 block")
        for _ in range(length):  # byte by byte: a match may overlap its own output
            out.append(out[-offset])
    if len(out) != size:
        raise ValueError("LZ4 block of the wrong size")
    return bytes(out)


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, i


def _fst_hierarchy(raw: bytes) -> bytes:
    pos = 0
    while pos + 9 <= len(raw):
        kind, length = raw[pos], struct.unpack(">Q", raw[pos + 1:pos + 9])[0]
        body = raw[pos + 9:pos + 1 + length]
        if kind in (_FST_BL_HIER, _FST_BL_HIER_LZ4, _FST_BL_HIER_LZ4DUO):
            size = struct.unpack(">Q", body[:8])[0]
            if kind == _FST_BL_HIER:
                return gzip.decompress(body[8:])
            if kind == _FST_BL_HIER_LZ4:
                return _lz4_block(body[8:], size)
            middle, start = _varint(body, 8)
            return _lz4_block(_lz4_block(body[start:], middle), size)
        if length == 0:
            break
        pos += 1 + length
    raise ValueError("no hierarchy block")


def _fst_signals(raw: bytes) -> dict[str, str]:
    data, signals, scope, i = _fst_hierarchy(raw), {}, [], 0

    def text(at: int) -> tuple[str, int]:
        end = data.index(b"\0", at)
        return data[at:end].decode(errors="replace"), end + 1

    while i < len(data):
        tag = data[i]
        i += 1
        if tag == _FST_SCOPE:
            name, i = text(i + 1)
            _, i = text(i)  # the component (module) name
            scope.append(name)
        elif tag == _FST_UPSCOPE:
            scope.pop()
        elif tag == _FST_ATTRBEGIN:
            _, i = text(i + 2)
            _, i = _varint(data, i)
        elif tag == _FST_ATTREND:
            pass
        elif tag <= _FST_VT_MAX:
            name, i = text(i + 1)
            _, i = _varint(data, i)  # width
            _, i = _varint(data, i)  # alias
            base, width = _split(name)
            signals[".".join([*scope, base])] = width
        else:
            raise ValueError(f"unknown hierarchy record {tag}")
    return signals


def _vcd_signals(text: str) -> dict[str, str]:
    signals, scope = {}, []
    header = text.split("$enddefinitions", 1)[0]
    for command in re.findall(r"\$(scope|upscope|var)\b(.*?)\$end", header, re.S):
        words = command[1].split()
        if command[0] == "scope":
            scope.append(words[1])
        elif command[0] == "upscope":
            scope.pop()
        else:  # $var type width id name [range]
            base, width = _split(" ".join(words[3:]))
            signals[".".join([*scope, base])] = width
    return signals


def dump_signals(path: Path) -> dict[str, str]:
    """Every signal in a FST or VCD dump: its full path (scopes joined by '.') and its
    range as the dump gives it ('[31:0]', or '' for a scalar)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EieError(f"cannot read the waveform file {path} ({exc.strerror})") from None
    try:
        if raw[:1] == b"$" or raw.lstrip()[:1] == b"$":
            return _vcd_signals(raw.decode(errors="replace"))
        return _fst_signals(raw)
    except (ValueError, IndexError, EOFError, OSError) as exc:
        raise EieError(f"{path} is not a FST or VCD dump that can be read ({exc})") from None


def view_signals(view: Path = VIEW) -> list[str]:
    """The signal paths a GTKWave save file shows, in order (ranges left out)."""
    return [_split(line)[0] for line in Path(view).read_text().splitlines()
            if line and line[0] not in "[*@-#"]


def write_view(dump: Path, view: Path = VIEW) -> tuple[Path, list[str]]:
    """The view with this dump's ranges, written next to it (``<dump>.gtkw``).

    Returns its path and the view's signals the dump does not have (left as they
    are; GTKWave skips them).
    """
    dump = Path(dump)
    have = dump_signals(dump)
    lines, missing = [], []
    for line in Path(view).read_text().splitlines():
        if line and line[0] not in "[*@-#":
            base = _split(line)[0]
            if base in have:
                line = base + have[base]
            else:
                missing.append(base)
        elif line.startswith("[dumpfile]"):
            line = f'[dumpfile] "{dump}"'
        lines.append(line)
    target = dump.with_suffix(".gtkw")
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text("\n".join(lines) + "\n")
        tmp.replace(target)
    except OSError as exc:
        raise EieError(f"cannot write the signal view {target} ({exc.strerror})") from None
    return target, missing
