"""Unit checking shared by every part of edsnn.

Physical values are Brian2 Quantities everywhere.  This module holds the two
things every public boundary needs:

* :func:`check_quantity` refuses a value whose dimensions are wrong (or a bare
  number where a physical value is expected) with a message that names the
  parameter and the expected unit, e.g. ``tau_m must be a time, e.g. 20*ms``;
* :func:`parse_quantity` reads text such as ``"20ms"``, ``"-60 mV"`` or
  ``"10Mohm"`` (command line, sweep files, ``config.json``) into a Quantity.

:class:`QuantityParameters` is the base of the frozen parameter sets: each field
declares its unit in ``field(metadata=...)`` (see :func:`physical`), and the
check runs on construction.
"""

from __future__ import annotations

import dataclasses
import re

import brian2
import brian2.units.allunits as allunits
from brian2 import Quantity, get_dimensions
from brian2.units.fundamentalunits import DIMENSIONLESS

__all__ = [
    "UnitError",
    "check_quantity",
    "parse_quantity",
    "format_quantity",
    "natural_text",
    "physical",
    "QuantityParameters",
]

#: Human names of the dimensions edsnn uses, for error messages.
_DIMENSION_NAMES = {
    "second": "a time",
    "volt": "a voltage",
    "ohm": "a resistance",
    "amp": "a current",
    "hertz": "a rate",
    "siemens": "a conductance",
    "farad": "a capacitance",
}


#: SI symbols that Brian2 spells out in full.
_UNIT_ALIASES = {"s": "second", "V": "volt", "A": "amp", "F": "farad", "S": "siemens"}


class UnitError(ValueError):
    """A physical parameter was given without a unit or with the wrong one."""


def _dimension_name(unit) -> str:
    for name, label in _DIMENSION_NAMES.items():
        if get_dimensions(unit) == get_dimensions(getattr(brian2, name)):
            return label
    return f"a quantity with the dimensions of {unit!r}"


def check_quantity(name: str, value, example: Quantity) -> Quantity:
    """Return ``value`` if it has the dimensions of ``example``, else raise.

    Parameters
    ----------
    name : str
        Parameter name used in the message (``"tau_m"``).
    value : Quantity
        The value to check.
    example : Quantity
        A typical value with the expected unit (``20*ms``); only its
        dimensions are used, and it appears in the message.

    Raises
    ------
    UnitError
        ``"tau_m must be a time, e.g. 20. ms (got 20)"``.
    """
    expected = get_dimensions(example)
    got = get_dimensions(value) if isinstance(value, Quantity) else DIMENSIONLESS
    if not isinstance(value, (Quantity, int, float)) or got != expected or (
        expected is not DIMENSIONLESS and not isinstance(value, Quantity)
    ):
        raise UnitError(
            f"{name} must be {_dimension_name(example)}, e.g. {format_quantity(example)} "
            f"(got {value!r})"
        )
    return value


_QUANTITY_TEXT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\*?\s*([A-Za-zΩµμ]+)?\s*$")


def parse_quantity(text: str, name: str, example: Quantity) -> Quantity:
    """Parse ``"20ms"``, ``"-60 mV"``, ``"10 MΩ"`` into a Quantity and check it.

    Raises
    ------
    UnitError
        If the text is not a number followed by a known Brian2 unit of the
        dimensions of ``example`` (the message names ``name``).
    """
    if isinstance(text, Quantity):
        return check_quantity(name, text, example)
    value = _read_quantity(str(text))
    if isinstance(value, str):  # what could not be read
        hint = f"{name} must be {_dimension_name(example)}, e.g. {format_quantity(example)}"
        raise UnitError(f"{hint} ({value})")
    if not isinstance(value, Quantity) and get_dimensions(example) is not DIMENSIONLESS:
        hint = f"{name} must be {_dimension_name(example)}, e.g. {format_quantity(example)}"
        raise UnitError(f"{hint} (got {text!r} without a unit)")
    return check_quantity(name, value, example)


def _read_quantity(text: str):
    """``text`` as a Quantity (or a float without a unit), or a str saying why it cannot be read."""
    match = _QUANTITY_TEXT.match(text)
    if not match:
        return f"could not read {text!r}"
    number, unit_name = match.groups()
    if unit_name is None:
        return float(number)
    unit_name = unit_name.replace("Ω", "ohm").replace("µ", "u").replace("μ", "u")
    # "s", "V", ... spelled out, also after an SI prefix ("ks" → "ksecond", as Brian2 writes 10⁴ s)
    unit_name = _UNIT_ALIASES.get(unit_name, unit_name[:-1] + _UNIT_ALIASES.get(unit_name[-1:], unit_name[-1:]))
    unit = getattr(brian2.units, unit_name, None) or getattr(allunits, unit_name, None)
    if not isinstance(unit, Quantity):
        return f"unknown unit {unit_name!r} in {text!r}"
    return float(number) * unit


def format_quantity(value) -> str:
    """Text for a Quantity that :func:`parse_quantity` reads back exactly.

    20 ms is written ``"20. ms"``.

    Brian2's own text (``"50. uV"``) is used when it reads back to the same
    float; otherwise the value is written in its SI base unit at full precision.
    """
    if isinstance(value, Quantity) and value.dim is not DIMENSIONLESS:
        text = str(value)
        read = _read_quantity(text)
        if isinstance(read, Quantity) and float(read) == float(value):
            return text
        return f"{float(value)!r} {brian2.get_unit(value.dim)}"
    return repr(float(value))


_PREFIXES = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}
#: Base unit → (prefix, from): the prefixes neuroscience writes, each used from ``from`` of its unit up.
_NATURAL = {"V": (("m", 0),), "s": (("m", 0), ("", 1)), "A": (("p", 0), ("n", 0.1), ("u", 1)),
            "S": (("n", 0), ("u", 1), ("m", 1), ("", 1)), "ohm": (("k", 0), ("M", 1), ("G", 1)),
            "Hz": (("", 0), ("k", 1))}


def natural_text(value, digits: int = 6) -> str:
    """``value`` as a reader writes it (``50 pA``, ``350 ms``, ``0.05 mV``, ``10000 s``), for help texts.

    Rounded to ``digits`` significant digits, so it may not read back
    exactly; :func:`format_quantity` does.
    """
    if not isinstance(value, Quantity) or value.dim is DIMENSIONLESS:
        return f"{float(value):.{digits}g}"
    symbol = str(brian2.get_unit(value.dim))
    if symbol not in _NATURAL:
        return format_quantity(value)
    x = float(value)
    prefix = [p for p, start in _NATURAL[symbol] if abs(x) >= start * _PREFIXES[p]][-1:] or [_NATURAL[symbol][0][0]]
    return f"{x / _PREFIXES[prefix[0]]:.{digits}g} {prefix[0]}{symbol}"


def physical(default: Quantity, doc: str = ""):
    """Declare a dataclass field that must have the unit of ``default``."""
    return dataclasses.field(
        default_factory=lambda: default, metadata={"example": default, "doc": doc}
    )


@dataclasses.dataclass(frozen=True)
class QuantityParameters:
    """Frozen parameter set whose :func:`physical` fields are unit-checked.

    Subclasses declare fields with :func:`physical`; text values (``"20ms"``)
    are parsed, everything else is checked against the field's unit.
    """

    def __post_init__(self):
        for f in dataclasses.fields(self):
            example = f.metadata.get("example")
            if example is None:
                continue
            value = getattr(self, f.name)
            checked = (
                parse_quantity(value, f.name, example)
                if isinstance(value, str)
                else check_quantity(f.name, value, example)
            )
            object.__setattr__(self, f.name, checked)

    def replace(self, **changes):
        """A copy with some fields changed (checked again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Field name → text (quantities as ``"20. ms"``), for ``config.json``."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = format_quantity(value) if "example" in f.metadata else value
        return out

    @classmethod
    def from_dict(cls, values: dict):
        """Inverse of :meth:`to_dict` (unknown keys are refused)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - names
        if unknown:
            raise TypeError(f"{cls.__name__} has no parameters {sorted(unknown)}")
        return cls(**values)
