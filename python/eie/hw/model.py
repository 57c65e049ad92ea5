# SPDX-License-Identifier: Apache-2.0
"""What a register and a field are, for the constants generated into eie.hw.regs."""

from __future__ import annotations

from typing import NamedTuple


class Field(NamedTuple):
    """A field of a register: bits lsb .. lsb + width - 1, its software access and reset value."""

    name: str
    lsb: int
    width: int
    sw: str  # "r", "w" or "rw"
    onwrite: str | None  # "woclr": write 1 to clear
    reset: int | None  # None: the register reports eie_core parameter ``param``
    param: str | None = None

    @property
    def mask(self) -> int:
        return ((1 << self.width) - 1) << self.lsb

    def encode(self, value: int) -> int:
        """``value`` in this field's place of a register word."""
        if not 0 <= value < 1 << self.width:
            raise ValueError(f"{self.name}: {value} does not fit {self.width} bits")
        return value << self.lsb

    def decode(self, word: int) -> int:
        return (word & self.mask) >> self.lsb


class Register(NamedTuple):
    """A register, or an array of ``count`` of them ``stride`` bytes apart."""

    name: str
    offset: int
    count: int  # elements of an array (1: a single register)
    stride: int
    config: bool  # a write is refused while the core runs (SLVERR, ERROR.REG_BUSY)
    fields: tuple[Field, ...]

    def address(self, index: int = 0) -> int:
        if not 0 <= index < self.count:
            raise IndexError(f"{self.name} has {self.count} element(s), not {index}")
        return self.offset + index * self.stride

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def readable(self) -> bool:
        return any("r" in f.sw for f in self.fields)

    @property
    def writable(self) -> bool:
        return any("w" in f.sw for f in self.fields)

    @property
    def reset(self) -> int | None:
        """The value after reset, None if a field has none (a parameter)."""
        if any(f.reset is None for f in self.fields):
            return None
        return sum(f.reset << f.lsb for f in self.fields)
