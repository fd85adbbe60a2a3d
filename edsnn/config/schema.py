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

The fields live in :mod:`~edsnn.config.parameters`, the command-line
options in :mod:`~edsnn.config.options`; use them from here.
"""

from __future__ import annotations

import dataclasses
import difflib

from edsnn.config.train import KINDS, PER_LAYER, TrainConfig, kind_of
from edsnn.units import UnitError

from .options import HelpFormatter, add_options, given_options
from .options import flags as flags  # outside __all__ as before
from .parameters import Field, field, fields, value_of

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
