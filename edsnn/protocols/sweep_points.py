"""The points of a sweep: the grid's cartesian product (or the random draws) times the seeds,
each with its TrainConfig, folder name and ``sweep.csv`` values."""

from __future__ import annotations

import dataclasses
import itertools
import re

from brian2 import Quantity, get_dimensions
from brian2.units.fundamentalunits import DIMENSIONLESS

from edsnn.config import TrainConfig, schema
from edsnn.units import parse_quantity

from .sweep_tables import Parameter, _physical_parts


def _number_text(x: float) -> str:
    return f"{x:.6g}"


@dataclasses.dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep.

    Attributes
    ----------
    name : str
        Folder name under ``points/`` (``"tau_m=10ms_lr=0.1_seed=1"``).
    config : TrainConfig
        What the run computes.
    texts : dict of str to str
        Parameter label → value as text (``"10 ms"``), seed included.
    numbers : dict of str to float
        Numeric ``sweep.csv`` columns: SI values of physical parameters,
        numbers of the dimensionless ones.
    """

    name: str
    config: TrainConfig
    texts: dict
    numbers: dict


def _text_of(parameter: Parameter, written, actual) -> tuple[str, str, float | None]:
    """(text for sweep.csv, text for the folder name, number for the numeric column)."""
    if isinstance(actual, Quantity) and get_dimensions(actual) is not DIMENSIONLESS:
        parts = _physical_parts(written) if isinstance(written, str) else None
        unit = parts[1] if parts else parameter.unit
        scale = float(parse_quantity(f"1 {unit}", parameter.label, actual))
        number = _number_text(float(actual) / scale)
        return f"{number} {unit}", f"{number}{unit}", float(actual)
    if isinstance(actual, bool):
        return str(actual).lower(), str(actual).lower(), None
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
        text = str(actual) if isinstance(actual, int) else _number_text(float(actual))
        return text, text, float(actual)
    if isinstance(actual, tuple):
        return ",".join(map(str, actual)), "-".join(map(str, actual)), None
    return str(actual), re.sub(r"[^A-Za-z0-9._+-]", "-", str(actual)), None


def _build_points(base, mode, columns, seeds, errors):
    if mode == "random":
        n = len(columns[0][1]) if columns else 0
        rows = [[(p, values[i]) for p, values in columns] for i in range(n)]
    else:
        rows = [list(zip([p for p, _ in columns], combo))
                for combo in itertools.product(*[values for _, values in columns])]
    points, names = [], {}
    width = len(str(len(rows)))
    for r, row in enumerate(rows):
        for seed in (seeds if seeds is not None else [None]):
            changes = {p.key: written for p, (written, _) in row}
            texts, numbers, name_parts = {}, {}, []
            if mode == "random":
                name_parts.append(f"s{r:0{width}d}")
            for p, (written, actual) in row:
                text, short, number = _text_of(p, written, actual)
                texts[p.label] = text
                if number is not None:
                    numbers[p.numeric_column or p.label] = number
                name_parts.append(f"{p.label}={short}")
            if seed is not None:
                changes["seed"] = seed
                name_parts.append(f"seed={seed}")
            try:
                config = schema.apply(base, changes)
            except schema.ParameterError as err:
                values = ", ".join(f"{p.written}={texts[p.label]}" for p, _ in row)
                errors.add(f"[{mode}] point ({values}{f', seed={seed}' if seed is not None else ''})", str(err))
                continue
            texts.setdefault("seed", str(config.seed))
            numbers["seed"] = config.seed
            name = "_".join(name_parts) or f"seed={config.seed}"
            if name in names:
                errors.add(f"[{mode}]", f"two points would share the folder name {name!r}")
                continue
            names[name] = True
            points.append(SweepPoint(name=name, config=config, texts=texts, numbers=numbers))
    return points
