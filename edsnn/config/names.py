"""The names a parameter may be written with: full, short (unique field names) and aliases."""

from __future__ import annotations

import difflib

from edsnn.config.train import KINDS

from .parameters import fields

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
