"""One parameter schema: the fields of :class:`TrainConfig` and its parameter sets, walked once.

The command-line options of ``edsnn train``, the parameter names of sweep
files and the checks of their values are all generated here from the
dataclasses themselves (:func:`dataclasses.fields`): a field added to a
parameter set, or a kind registered in :data:`~edsnn.config.train.KINDS`,
becomes an option and a sweep name with no other edit.

Names
    A run setting is its field name (``train``, ``hidden``); a field of a
    parameter set is ``section.field`` (``neuron.tau_m``, ``ed.lr``,
    ``coding.max_rate``) and, for a polymorphic section, ``synapse.kind``
    (also written ``synapse``).  A field name alone is a short name when
    exactly one place has it, the sections in :data:`FULL_NAME_ONLY` aside
    (``tau_m`` → ``neuron.tau_m``); :data:`ALIASES` keeps the published
    program's symbols and older option names.  The command line spells a
    name with hyphens: ``--tau-m``, ``--neuron.tau-m``.
Docs and choices
    From the field's :func:`~edsnn.units.physical` description, else from its
    entry in the class's numpy ``Parameters`` section, whose type
    ``{"a", "b"}`` lists the choices shown in ``--help`` (the dataclass itself
    refuses other values).
Values
    Physical values are text with a unit (``"20 ms"``); the message of a
    refused value names the parameter as it was written (``--tau-m must be a
    time, e.g. 20. ms (got '20' without a unit)``).  TOML values must have
    their type (a quoted number is refused); command-line values are text.

>>> resolve_name("tau-m"), resolve_name("u1"), resolve_name("synapse")
('neuron.tau_m', 'ed.dif', 'synapse.kind')
>>> config = apply(TrainConfig(), {"neuron.tau_m": "10 ms", "ed.lr": 0.1, "synapse.kind": "delta"})
>>> config.neuron.tau_m, config.ed.lr, config.synapse.w_unit
(10. * msecond, 0.1, 0.5 * mvolt)
>>> apply(TrainConfig(), {"neuron.tau_m": 20})
Traceback (most recent call last):
...
edsnn.config.schema.ParameterError: tau_m must be a time, e.g. 20. ms (got '20' without a unit)
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import functools
import inspect
import re

from brian2 import Quantity

from edsnn.config.train import KINDS, PER_LAYER, RUN_FIELDS, TrainConfig, kind_of, section_classes
from edsnn.networks import network_class
from edsnn.units import UnitError, format_quantity, natural_text, parse_quantity

__all__ = [
    "Field", "ParameterError", "fields", "field", "names", "short_names", "resolve_name", "value_of",
    "apply", "add_options", "given_options", "HelpFormatter", "ALIASES", "FULL_NAME_ONLY",
]

#: Other names of some parameters: the published program's symbols and older option names.
ALIASES = {
    "R_max": "coding.max_rate", "spike_max_rate": "coding.max_rate",
    "alpha": "ed.lr", "beta": "ed.ami", "u1": "ed.dif", "u0": "ed.sig", "coding": "coding.code",
    "neurons": "n_excitatory",
}

#: Sections reached by their full names only: the reference model's input neuron
#: shares every field name with ``neuron``; Diehl & Cook's sections share
#: ``presentation``, ``rest``, ``dt``, … with ``coding`` (``--diehl-cook.rest``) and
#: ``tau_m``, ``d_theta``, … with ``neuron`` (``--dc-excitatory.d-theta``).
FULL_NAME_ONLY = ("input_neuron", "stdp", "diehl_cook", "dc_excitatory")

_ERRORS = (UnitError, ValueError, TypeError)


class ParameterError(ValueError):
    """Refused values: ``problems`` lists (full name, message); the name is None
    where only the combination of the values is refused."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(message for _, message in self.problems))


# --------------------------------------------------------------------------- fields


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


# --------------------------------------------------------------------------- names


def short_names() -> tuple[dict, dict]:
    """Other names → full name, derived from the dataclasses.

    Returns
    -------
    unique : dict of str to str
        Field names that belong to exactly one place, the section name of a
        polymorphic section (``synapse`` → ``synapse.kind``), and :data:`ALIASES`.
    ambiguous : dict of str to list of str
        Field names found in several places (refused).
    """
    owners: dict[str, list[str]] = {}
    for f in fields():
        if f.section not in FULL_NAME_ONLY:
            owners.setdefault(f.attr, []).append(f.name)
    unique = {name: places[0] for name, places in owners.items() if len(places) == 1}
    unique.update({section: f"{section}.kind" for section in KINDS if section not in owners})
    unique.update(ALIASES)
    return unique, {name: places for name, places in owners.items() if len(places) > 1}


def names() -> dict:
    """Every name a parameter may be written with → its full name."""
    return {**short_names()[0], **{f.name: f.name for f in fields()}}


def resolve_name(name: str) -> str:
    """The full name (``neuron.tau_m``) of a name as written (``tau_m``, ``tau-m``, ``u1``).

    Raises
    ------
    KeyError
        Unknown or ambiguous name (the message lists the candidates).
    """
    text = name.strip().lstrip("-").replace("-", "_")
    every, ambiguous = names(), short_names()[1]
    if text in every:
        return every[text]
    if text in ambiguous:
        raise KeyError(f"{name!r} is ambiguous: write one of {', '.join(ambiguous[text])}")
    folded = [full for written, full in every.items() if written.lower() == text.lower()]
    if len(set(folded)) == 1:
        return folded[0]
    close = difflib.get_close_matches(text, list(every), n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise KeyError(f"unknown parameter {name!r}{hint} (names are TrainConfig settings such as "
                   f"'train', 'hidden', or section.field such as 'neuron.tau_m', 'ed.lr', 'coding.max_rate')")


def value_of(config: TrainConfig, name: str):
    """The value of a full name in ``config`` (``"synapse.kind"`` → ``"exponential"``)."""
    if "." not in name:
        return getattr(config, name)
    section, attr = name.split(".", 1)
    value = getattr(config, section)
    return kind_of(section, type(value)) if attr == "kind" else getattr(value, attr)


# --------------------------------------------------------------------------- values


def _apply(config, changes, text, labels):
    top, sections = {}, {}
    for name, value in changes.items():
        f = field(name)
        label = labels.get(name, f.attr)
        if f.section is None:
            top[f.attr] = f.convert(value, label, TrainConfig, text)
        else:
            sections.setdefault(f.section, {})[f] = (value, label)
    for section, given in sections.items():
        current = getattr(config, section)
        cls = type(current)
        kind = next((f for f in given if f.attr == "kind"), None)
        if kind is not None:
            value, label = given.pop(kind)
            value = kind.convert(value, label, cls, text)
            if value not in KINDS[section]:
                raise ValueError(f"{label} must be one of {tuple(KINDS[section])} (got {value!r})")
            cls = KINDS[section][value]
        values = {}
        for f, (value, label) in given.items():
            if cls not in f.classes:
                owners = " and ".join(f.kind_name(c) for c in f.classes)
                raise ValueError(f"{label} applies to {owners} {section}s only "
                                 f"(this run's {section} is {f.kind_name(cls)})")
            values[f.attr] = f.convert(value, label, cls, text)
        top[section] = dataclasses.replace(current if type(current) is cls else cls(), **values)
    return dataclasses.replace(config, **top)


def apply(config: TrainConfig, changes: dict, *, text: bool = False, labels: dict | None = None) -> TrainConfig:
    """``config`` with ``changes`` (full name → value) applied, every value checked.

    Parameters
    ----------
    config : TrainConfig
    changes : dict
        Full name → value (see :meth:`Field.convert` for ``text``).
    text : bool
        Values are command-line text (True) or TOML/Python values (False).
    labels : dict, optional
        Full name → the name messages use (default: the field name).

    Raises
    ------
    ParameterError
        The refusals of the parameter sets (each message names its parameter):
        one per value refused on its own, else the one of the combination.
    """
    labels = labels or {}
    try:
        return _apply(config, changes, text, labels)
    except _ERRORS as combined:
        problems = [(next(iter(changes), None), _message(combined))] if len(changes) < 2 else []
        for name, value in changes.items() if len(changes) > 1 else ():
            try:
                _apply(config, {name: value}, text, labels)
            except _ERRORS as err:
                problems.append((name, _message(err)))
        raise ParameterError(problems or [(None, _message(combined))]) from None


def apply_per_layer(config: TrainConfig, name: str, table: dict) -> TrainConfig:
    """``config`` with the per-layer field ``name`` (``"neurons"``) set from a TOML table.

    Each layer's value is a kind (``"izhikevich"``) or a table with ``kind``
    and that kind's parameters, checked as the section's own
    (``neuron.tau_m``), with messages naming ``neurons.<layer>.<parameter>``.

    Raises
    ------
    ParameterError
        A value refused; ValueError for a table without ``kind``.
    """
    section, models = PER_LAYER[name], {}
    for layer, value in table.items():
        given = {"kind": value} if isinstance(value, str) else dict(value)
        if "kind" not in given:
            raise ValueError(f"{name}.{layer} needs a kind, e.g. kind = \"{next(iter(KINDS[section]))}\"")
        changes = {f"{section}.{attr}": v for attr, v in given.items()}
        labels = {full: f"{name}.{layer}.{full.split('.', 1)[1]}" for full in changes}
        # The kind's defaults first, then its parameters (checked against that kind).
        kind = apply(TrainConfig(), {f"{section}.kind": changes.pop(f"{section}.kind")}, labels=labels)
        cls = type(getattr(kind, section))
        have = [f.name for f in dataclasses.fields(cls)]
        unknown = [full.split(".", 1)[1] for full in changes if full.split(".", 1)[1] not in have]
        if unknown:
            raise ValueError(f"{name}.{layer}: {kind_of(section, cls)} has no parameter {unknown[0]!r} "
                             f"(it has {', '.join(have)})")
        models[layer] = getattr(apply(kind, changes, labels=labels), section)
    return config.replace(**{name: {**getattr(config, name), **models}})


def _message(err: Exception) -> str:
    return str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)


# --------------------------------------------------------------------------- command line


class _Store(argparse.Action):
    """Stores the text and which option string gave it (messages name the option as typed)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        _note(namespace, self.dest, option_string)


def _note(namespace, dest, option_string):
    if not hasattr(namespace, "_typed"):
        namespace._typed = {}
    namespace._typed[dest] = option_string


class _Flag(argparse.BooleanOptionalAction):
    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, values, option_string)
        _note(namespace, self.dest, option_string)


def flags(f: Field) -> list[str]:
    """Option strings of a parameter: short name, full name, then aliases."""
    rank = {f.section: 0, f.attr: 1, f.name: 2}
    written = sorted((n for n, full in names().items() if full == f.name), key=lambda n: rank.get(n, 3))
    return ["--" + n.replace("_", "-") for n in written]


def add_options(parser: argparse.ArgumentParser, default: TrainConfig | None = None, model: str | None = None) -> None:
    """Add one option per parameter, grouped by section, with its doc and default.

    Each stores its text under the full name (``args.__dict__["neuron.tau_m"]``);
    :func:`given_options` collects them.  The help lists the run settings and
    the options of network ``model`` (default: the default model's); the
    other networks' options still parse, so that :class:`TrainConfig` can
    refuse them with a message naming their network.
    """
    default = default or TrainConfig()
    reads = set(RUN_FIELDS) | set(network_class(model or default.model).options)
    titles = {s: _docstring(TrainConfig).get(s, ("", s))[1] for s in section_classes()}
    groups = {None: parser.add_argument_group("run settings")}
    for f in fields():
        shown = (f.section or f.name) in reads
        if f.section not in groups and shown:
            groups[f.section] = parser.add_argument_group(f"{f.section}: {titles[f.section]}")
        group = groups.get(f.section, parser)
        cls = f.classes[0]
        physical = f.example(cls) is not None
        doc = f.doc() + (", with a unit" if physical else "")
        kwargs = {"dest": f.name, "default": None,
                  "help": f"{doc} (default: {f.default_text(default)})" if shown else argparse.SUPPRESS}
        if f.attr != "kind" and _python_type(cls, f.attr) is bool:
            group.add_argument(*flags(f), action=_Flag, **kwargs)
            continue
        choices = f.choices()
        metavar = ("{" + ",".join(choices) + "}" if choices else "Q" if physical else
                   {int: "N", float: "X", tuple: "N[,N,...]"}.get(_python_type(cls, f.attr), "TEXT"))
        group.add_argument(*flags(f), action=_Store, metavar=metavar, **kwargs)


def given_options(args: argparse.Namespace) -> tuple[dict, dict]:
    """(full name → text given, full name → the option typed) of the options :func:`add_options` made."""
    given = {f.name: getattr(args, f.name) for f in fields() if getattr(args, f.name, None) is not None}
    typed = getattr(args, "_typed", {})
    return given, {name: typed.get(name) or flags(field(name))[0] for name in given}


class HelpFormatter(argparse.HelpFormatter):
    """Writes ``--tau-m, --neuron.tau-m Q`` (the value's name once, after all spellings)."""

    def _format_action_invocation(self, action):
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        return f"{', '.join(action.option_strings)} {self._format_args(action, action.dest.upper())}"
