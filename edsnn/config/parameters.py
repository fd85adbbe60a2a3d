"""The parameters of :class:`TrainConfig`, walked from its dataclasses: each :class:`Field`, its doc,
choices and default, and the conversion of a value written as text or TOML."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re

from brian2 import Quantity

from edsnn.config.train import KINDS, PER_LAYER, TrainConfig, kind_of, section_classes
from edsnn.units import UnitError, format_quantity, natural_text, parse_quantity


@functools.cache
def _docstring(cls) -> dict:
    """Field name → (type text, first sentence) from the numpy ``Parameters`` (else ``Attributes``) section."""
    lines = inspect.cleandoc(cls.__doc__ or "").splitlines()
    out, name, inside, seen = {}, None, False, set()
    for k, line in enumerate(lines):
        if k + 1 < len(lines) and set(lines[k + 1].strip()) == {"-"}:  # a section's header
            inside, name, seen = line.strip() in ("Parameters", "Attributes"), None, seen | set(out)
            continue
        if set(line.strip()) == {"-"}:
            continue
        entry = re.match(r"^(\w+(?:\s*,\s*\w+)*)\s*:\s*(.*)$", line) if inside else None
        if entry:
            name = [n.strip() for n in entry.group(1).split(",") if n.strip() not in seen]
            for n in name:
                out[n] = [entry.group(2), ""]
        elif inside and name and line.startswith(" "):
            for n in name:
                out[n][1] = f"{out[n][1]} {line.strip()}".strip()
    for entry in out.values():
        text = re.sub(r":\w+:`~?([^`]+)`", r"\1", entry[1]).replace("``", "")
        entry[1] = re.split(r"(?<!e\.g)(?<!i\.e)\.(?:\s|$)", text, maxsplit=1)[0]
    return {n: tuple(entry) for n, entry in out.items()}


def _python_type(cls, attr):
    """The type a non-physical field holds: float where annotated so, else its default's type."""
    if attr == "kind":
        return str
    f = next(f for f in dataclasses.fields(cls) if f.name == attr)
    if str(f.type).startswith("float"):
        return float
    if str(f.type).startswith("int"):
        return int
    default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
    return str if default is None else type(default)


@dataclasses.dataclass(frozen=True)
class Field:
    """One parameter: a run setting or a field of a section's parameter classes.

    Attributes
    ----------
    name : str
        Full name (``"neuron.tau_m"``, ``"train"``, ``"synapse.kind"``).
    section : str or None
        Section of :class:`TrainConfig` (None for a run setting).
    attr : str
        Field name inside its class (``"tau_m"``).
    classes : tuple of type
        Classes that have the field (:class:`TrainConfig` for a run setting).
    """

    name: str
    section: str | None
    attr: str
    classes: tuple

    def example(self, cls):
        """The Quantity whose unit a value needs, or None for a non-physical field."""
        for f in dataclasses.fields(cls):
            if f.name == self.attr:
                return f.metadata.get("example")
        return None

    def kind_name(self, cls) -> str:
        """``cls``'s name in :data:`KINDS`, else the class name."""
        return kind_of(self.section, cls) if self.section in KINDS else cls.__name__

    def choices(self) -> tuple:
        """Allowed values as documented (registered kinds for ``kind``); () if open."""
        if self.attr == "kind":
            return tuple(KINDS[self.section])
        for cls in self.classes:
            type_text = _docstring(cls).get(self.attr, ("", ""))[0]
            if type_text.startswith("{"):
                return tuple(re.findall(r'"([^"]*)"', type_text))
        return ()

    def doc(self) -> str:
        """Description for ``--help``; per kind where the kinds describe it differently."""
        if self.attr == "kind":
            return f"kind of {self.section}"
        docs = {}
        for cls in self.classes:
            meta = next(f for f in dataclasses.fields(cls) if f.name == self.attr).metadata
            docs[self.kind_name(cls)] = meta.get("doc") or _docstring(cls).get(self.attr, ("", ""))[1]
        if len(set(docs.values())) == 1:
            return next(iter(docs.values()))
        return "; ".join(f"{kind}: {doc}" for kind, doc in docs.items())

    def default_text(self, config: TrainConfig) -> str:
        """The default as text (one per kind for a field of several kinds)."""
        if self.section is None or self.attr == "kind":
            value = value_of(config, self.name)
            return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
        current = getattr(config, self.section)
        texts = {self.kind_name(cls): _text(getattr(current if type(current) is cls else cls(), self.attr))
                 for cls in self.classes}
        if len(set(texts.values())) == 1:
            return next(iter(texts.values()))
        return ", ".join(f"{text} ({kind})" for kind, text in texts.items())

    def convert(self, value, label: str, cls, text: bool):
        """``value`` checked for ``cls``'s field: a Quantity, number, flag, text or sizes.

        ``text`` True: a command-line string; False: a TOML (or Python) value of
        the field's own type.  Messages name the parameter ``label``.
        """
        example = self.example(cls)
        if example is not None:
            return _quantity(value, label, example, text)
        kind = _python_type(cls, self.attr)
        if isinstance(value, bool) and kind is bool:
            return value
        return (_from_text if text else _from_toml)(kind, value, label)


def _text(value) -> str:
    return natural_text(value) if isinstance(value, Quantity) else str(value)


def _quantity(value, label, example, text):
    if not isinstance(value, Quantity):
        if not text and (isinstance(value, bool) or not isinstance(value, (str, int, float))):
            raise UnitError(f"{label} must be text with a unit, e.g. \"{format_quantity(example)}\" (got {value!r})")
        value = value if isinstance(value, str) else repr(value)
    try:
        return parse_quantity(value, label, example)
    except UnitError as err:
        message = str(err)
        if isinstance(value, str) and "without a unit" not in message:  # quote the value as written
            message = re.sub(r"\(got [^()]*\)$", f"(got {value!r})", message)
        raise UnitError(message) from None


def _from_text(kind, text: str, label: str):
    try:
        if kind is bool:
            return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}[text.lower()]
        if kind is tuple:
            return tuple(int(part) for part in text.split(","))
        return kind(text)
    except (KeyError, ValueError):
        what = {bool: "true or false", int: "a whole number", float: "a number",
                tuple: "whole numbers separated by commas, e.g. 256 or 256,128"}[kind]
        raise ValueError(f"{label} must be {what} (got {text!r})") from None


def _from_toml(kind, value, label: str):
    if kind is tuple:
        sizes = list(value) if isinstance(value, (list, tuple)) else [value]
        if not sizes or not all(isinstance(v, int) and not isinstance(v, bool) for v in sizes):
            raise ValueError(f"{label} must be a whole number or a list of them, e.g. [16] or [32, 16] "
                             f"(got {value!r})")
        return tuple(sizes)
    if kind is bool:
        ok, what = isinstance(value, bool), "true or false"
    elif kind is int:
        ok, what = isinstance(value, int) and not isinstance(value, bool), "a whole number without quotes"
    elif kind is float:
        ok, what = isinstance(value, (int, float)) and not isinstance(value, bool), "a number without quotes"
    else:
        ok, what = isinstance(value, str), "text in quotes"
    if not ok:
        raise ValueError(f"{label} must be {what} (got {value!r})")
    return float(value) if kind is float else value


def fields() -> list[Field]:
    """Every parameter: run settings, then each section's fields (its ``kind`` first)."""
    sections = section_classes()
    out = [Field(f.name, None, f.name, (TrainConfig,)) for f in dataclasses.fields(TrainConfig)
           if f.name not in sections and f.name not in PER_LAYER]
    for section, classes in sections.items():
        attrs = ["kind"] if section in KINDS else []
        for cls in classes:
            attrs += [f.name for f in dataclasses.fields(cls) if f.name not in attrs]
        for attr in attrs:
            owners = classes if attr == "kind" else tuple(
                c for c in classes if attr in {f.name for f in dataclasses.fields(c)})
            out.append(Field(f"{section}.{attr}", section, attr, owners))
    return out


def field(name: str) -> Field:
    """The :class:`Field` of a full name (KeyError if there is none)."""
    for f in fields():
        if f.name == name:
            return f
    raise KeyError(f"unknown parameter {name!r}")


def value_of(config: TrainConfig, name: str):
    """The value of a full name in ``config`` (``"synapse.kind"`` → ``"exponential"``)."""
    if "." not in name:
        return getattr(config, name)
    section, attr = name.split(".", 1)
    value = getattr(config, section)
    return kind_of(section, type(value)) if attr == "kind" else getattr(value, attr)
