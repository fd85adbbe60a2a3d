"""Sweep files: which training settings a parameter study varies, every value unit-checked.

A sweep file is TOML with these tables (only ``[base]`` and one of ``[grid]``,
``[random]`` or ``[repeat]`` are needed)::

    [base]                 # any TrainConfig setting; sections as tables
    dataset = "mnist"
    train = 100
    hidden = [16]
    [base.coding]
    presentation = "20 ms"

    [grid]                 # cartesian product of these lists
    "neuron.tau_m" = ["10 ms", "20 ms", "40 ms"]
    lr = [0.1, 0.15]       # short name of ed.lr

    [random]               # or: n samples (seeded) instead of a grid
    n = 8
    seed = 0
    tau_m = { min = "10 ms", max = "40 ms" }           # uniform
    lr = { min = 0.01, max = 1.0, log = true }         # log-uniform
    sign_rule = ["kaneko", "dale"]                     # choices

    [repeat]               # every point once per seed
    seeds = [1, 2, 3]      # or n = 3: seeds base.seed .. base.seed + 2

    [sweep]                # optional defaults of the run
    out = "sweeps/tau_m"
    workers = 2

Parameter names, their short forms and the checks of their values come from
the parameter schema (:mod:`edsnn.config.schema`): ``section.field``
(``neuron.tau_m``, ``coding.max_rate``, ``synapse.kind``) or a run setting
(``train``, ``hidden``); a field name alone where exactly one place has it
(``tau_m`` → ``neuron.tau_m``; the reference model's ``input_neuron`` is
reached by its full name only); the published program's symbols in
:data:`ALIASES` (``u1`` → ``ed.dif``).  Values have their TOML type: physical
values are text with a unit, numbers are not quoted.

:func:`load_spec` builds the :class:`~edsnn.protocols.TrainConfig` of every
point before anything runs.  A value that is refused is reported with its
place in the file::

    sweep.toml [grid] "neuron.tau_m"[1]: tau_m must be a time, e.g. 20. ms (got '20 mV')

The tables are checked in :mod:`edsnn.protocols.sweep_tables`, the points
built in :mod:`edsnn.protocols.sweep_points`; use them from here.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import tomllib

from edsnn.config import TrainConfig
from edsnn.config.schema import ALIASES, FULL_NAME_ONLY, resolve_name, short_names

from .sweep_points import SweepPoint, _build_points
from .sweep_tables import (
    TABLES,
    Parameter,
    SweepSpecError,
    _Errors,
    _parse_base,
    _parse_grid,
    _parse_random,
    _parse_repeat,
    _parse_settings,
)

__all__ = [
    "SweepSpecError", "Parameter", "SweepPoint", "SweepSpec", "load_spec", "parse_spec",
    "resolve_name", "short_names", "FULL_NAME_ONLY", "ALIASES",
]


@dataclasses.dataclass(frozen=True)
class SweepSpec:
    """A checked sweep file: its parameters and every point's TrainConfig.

    Attributes
    ----------
    source : str
        File name (or ``"<spec>"``) used in messages.
    text : str or None
        The file's text, copied to ``spec.toml`` of the sweep folder.
    data : dict
        The parsed TOML.
    base : TrainConfig
        Settings shared by every point.
    mode : {"grid", "random", "repeat"}
    parameters : tuple of Parameter
        Swept parameters in file order (the seed not included).
    seeds : tuple of int
        Seeds each parameter combination runs with.
    points : tuple of SweepPoint
    settings : dict
        The ``[sweep]`` table (``out``, ``workers``).
    """

    source: str
    text: str | None
    data: dict
    base: TrainConfig
    mode: str
    parameters: tuple
    seeds: tuple
    points: tuple
    settings: dict

    @property
    def stem(self) -> str:
        """File name without suffix (default sweep folder ``sweeps/<stem>``)."""
        return Path(self.source).stem if self.source != "<spec>" else "sweep"


def load_spec(path) -> SweepSpec:
    """Read and check a sweep file (see the module docstring for its tables).

    Parameters
    ----------
    path : str or Path
        The TOML file.

    Returns
    -------
    SweepSpec
        With the TrainConfig of every point built.

    Raises
    ------
    SweepSpecError
        Every refused value, with the file, table, key and list index.
    """
    path = Path(path)
    if not path.is_file():
        raise SweepSpecError(f"{path}: no such sweep file")
    return parse_spec(path.read_text(encoding="utf-8"), source=str(path))


def parse_spec(text_or_data, source: str = "<spec>") -> SweepSpec:
    """Check a sweep given as TOML text or as the dict TOML would give."""
    if isinstance(text_or_data, dict):
        data, text = text_or_data, None
    else:
        text = str(text_or_data)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise SweepSpecError(f"{source}: not valid TOML: {err}") from None
    errors = _Errors(source)
    unknown = [k for k in data if k not in TABLES]
    for key in unknown:
        errors.add(f"[{key}]", f"unknown table; a sweep file has {', '.join(f'[{t}]' for t in TABLES)}")
    for key in TABLES:
        if key in data and not isinstance(data[key], dict):
            errors.add(f"\"{key}\"", f"must be a table [{key}]")
    errors.raise_if_any()

    base = _parse_base(data.get("base", {}), errors)
    errors.raise_if_any()
    if "grid" in data and "random" in data:
        errors.add("[grid] [random]", "use either [grid] or [random], not both")
    if not any(t in data for t in ("grid", "random", "repeat")):
        errors.add("", "nothing to sweep: add a [grid], [random] or [repeat] table")
    errors.raise_if_any()

    seeds = _parse_repeat(data.get("repeat"), base, errors)
    if "random" in data:
        mode = "random"
        columns = _parse_random(data["random"], base, errors)
    elif "grid" in data:
        mode = "grid"
        columns = _parse_grid(data["grid"], base, errors)
    else:
        mode, columns = "repeat", []
    if seeds is not None and any(p.key == "seed" for p, _ in columns):
        errors.add("[repeat]", "the seed is swept in the [grid]/[random] table already; remove one of them")
    settings = _parse_settings(data.get("sweep", {}), errors)
    errors.raise_if_any()

    parameters = tuple(p for p, _ in columns)
    points = _build_points(base, mode, columns, seeds, errors)
    errors.raise_if_any()
    return SweepSpec(source=source, text=text, data=data, base=base, mode=mode, parameters=parameters,
                     seeds=tuple(seeds) if seeds is not None else (base.seed,), points=tuple(points),
                     settings=settings)
