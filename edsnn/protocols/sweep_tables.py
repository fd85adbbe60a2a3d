"""The tables of a sweep file, each checked: ``[base]`` into a TrainConfig, ``[grid]`` and ``[random]``
into the swept parameters with their values, ``[repeat]`` into seeds, ``[sweep]`` into settings.

Refusals are collected with their place in the file (:class:`_Errors`) and raised together.
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
from brian2 import Quantity, get_dimensions, get_unit
from brian2.units.fundamentalunits import DIMENSIONLESS

from edsnn.config import TrainConfig, schema
from edsnn.config.schema import resolve_name
from edsnn.config.train import PER_LAYER
from edsnn.units import format_quantity, parse_quantity

#: Tables a sweep file may hold.
TABLES = ("base", "grid", "random", "repeat", "sweep")

#: Significant digits kept of a randomly drawn value (so its text reads back exactly).
RANDOM_DIGITS = 3

_QUANTITY_TEXT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\*?\s*([A-Za-zΩµμ]+)\s*$")


class SweepSpecError(ValueError):
    """A sweep file that cannot run; the message names the place of each problem."""


def _physical_parts(text) -> tuple[float, str] | None:
    """``"10 ms"`` → ``(10.0, "ms")``; None for text without a unit."""
    match = _QUANTITY_TEXT.match(str(text))
    if not match:
        return None
    unit = match.group(2).replace("Ω", "ohm").replace("µ", "u").replace("μ", "u")
    return float(match.group(1)), unit


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One swept parameter.

    Attributes
    ----------
    key : str
        Full name (``"neuron.tau_m"``).
    label : str
        Name in point names, ``sweep.csv`` columns and figures (``"tau_m"``).
    written : str
        The name as the file writes it.
    unit : str or None
        Display unit of a physical parameter (``"ms"``, the unit of its first
        value); None otherwise.
    si_unit : str or None
        SI unit of the numeric ``sweep.csv`` column (``"s"``).
    scale : float
        SI value of one display unit (``0.001`` for ms).
    log : bool
        Drawn log-uniformly (figures use a log axis).
    """

    key: str
    label: str
    written: str
    unit: str | None = None
    si_unit: str | None = None
    scale: float = 1.0
    log: bool = False

    @property
    def numeric_column(self) -> str | None:
        """``sweep.csv`` column of the SI value (``"tau_m [s]"``); None for non-physical values."""
        return f"{self.label} [{self.si_unit}]" if self.si_unit else None


class _Errors:
    """Collects refusals with their place in the file, raised together."""

    def __init__(self, source: str):
        self.source = source
        self.lines: list[str] = []

    def add(self, place: str, message) -> None:
        self.lines.append(f"{self.source} {place}: {message}")

    def raise_if_any(self) -> None:
        if self.lines:
            more = f"\n... and {len(self.lines) - 20} more" if len(self.lines) > 20 else ""
            raise SweepSpecError("\n".join(self.lines[:20]) + more)


def _place(table: str, name: str, index=None) -> str:
    where = f"[{table}] \"{name}\""
    if index is None:
        return where
    return where + (f"[{index}]" if isinstance(index, int) else f".{index}")


def _parse_base(table: dict, errors: _Errors) -> TrainConfig:
    changes, places, per_layer = {}, {}, {}
    sections = {f.section for f in schema.fields()}
    for key, value in table.items():
        # a whole number is the option of the same name (neurons = 400: diehl-cook's n_excitatory)
        if key in PER_LAYER and not (key in schema.ALIASES and isinstance(value, int)):
            if isinstance(value, dict):
                per_layer[key] = value
            else:
                also = f" (or, for {schema.ALIASES[key]}, a whole number)" if key in schema.ALIASES else ""
                errors.add(f"[base] \"{key}\"", f"must be a table of layers, e.g. {key}.hidden1 = \"lif\"{also}")
            continue
        if key in sections and isinstance(value, dict):
            attrs = [f.attr for f in schema.fields() if f.section == key]
            for attr, inner in value.items():
                place = f"[base.{key}] \"{attr}\""
                if attr not in attrs:
                    errors.add(place, f"{key} has no parameter {attr!r} (it has {', '.join(attrs)})")
                else:
                    _note_base(f"{key}.{attr}", inner, place, changes, places, errors)
            continue
        try:
            _note_base(resolve_name(key), value, _place("base", key), changes, places, errors)
        except KeyError as err:
            errors.add(_place("base", key), err.args[0])
    try:
        base = schema.apply(TrainConfig(), changes)
    except schema.ParameterError as err:
        for name, message in err.problems:
            errors.add(places.get(name, "[base]"), message)
        return TrainConfig()
    for key, layers in per_layer.items():
        try:
            base = schema.apply_per_layer(base, key, layers)
        except (ValueError, TypeError) as err:
            errors.add(f"[base.{key}]", str(err))
    return base


def _note_base(full, value, place, changes, places, errors):
    if full in changes:
        errors.add(place, f"{full} is set twice in [base] (also at {places[full]})")
    else:
        changes[full], places[full] = value, place


def _fix_labels(columns):
    """Use full names where two swept parameters share a field name."""
    labels = [p.label for p, _ in columns]
    return [(dataclasses.replace(p, label=p.key) if labels.count(p.label) > 1 else p, values)
            for p, values in columns]


def _resolve(table: str, key: str, seen: dict, errors: _Errors) -> str | None:
    try:
        full = resolve_name(key)
    except KeyError as err:
        errors.add(_place(table, key), err.args[0])
        return None
    if full in seen:
        errors.add(_place(table, key), f"{full} is swept twice (also as \"{seen[full]}\")")
        return None
    seen[full] = key
    return full


def _check_value(base, full, value, place, errors):
    """The value and whether it passed (refusals noted with ``place``)."""
    try:
        schema.apply(base, {full: value})
        return value, True
    except schema.ParameterError as err:
        errors.add(place, str(err))
        return value, False


def _parse_grid(table: dict, base: TrainConfig, errors: _Errors):
    if not table:
        errors.add("[grid]", "is empty: list at least one parameter with its values, "
                             "e.g. \"neuron.tau_m\" = [\"10 ms\", \"20 ms\"]")
        return []
    columns, seen = [], {}
    for key, values in table.items():
        full = _resolve("grid", key, seen, errors)
        if full is None:
            continue
        if not isinstance(values, list):
            errors.add(_place("grid", key), f"must be a list of values, e.g. [{_example(full, base)}] (got {values!r})")
            continue
        if not values:
            errors.add(_place("grid", key), "lists no values")
            continue
        checked = []
        for i, value in enumerate(values):
            value, ok = _check_value(base, full, value, _place("grid", key, i), errors)
            if ok:
                checked.append((i, value))
        columns.append((full, key, checked))
    return _finish_columns(columns, base, errors, "grid")


def _example(full, base):
    value = schema.value_of(base, full)
    return f"\"{format_quantity(value)}\"" if isinstance(value, Quantity) else repr(value)


def _finish_columns(columns, base, errors, table):
    """Parameters with their display units, values as (text, number, value); duplicates refused."""
    out = []
    for full, key, checked in columns:
        parameter = Parameter(key=full, label=full.rsplit(".", 1)[-1], written=key)
        entries = []
        seen_values = {}
        for i, value in checked:
            actual = _value_at(base, full, value)
            marker = float(actual) if isinstance(actual, Quantity) else actual
            if marker in seen_values:
                errors.add(_place(table, key, i), f"repeats the value at index {seen_values[marker]}")
                continue
            seen_values[marker] = i
            entries.append((value, actual))
        if entries and isinstance(entries[0][1], Quantity) and get_dimensions(entries[0][1]) is not DIMENSIONLESS:
            first_text = entries[0][0]
            parts = _physical_parts(first_text)
            unit = parts[1] if parts else str(get_unit(get_dimensions(entries[0][1])))
            scale = float(parse_quantity(f"1 {unit}", parameter.label, entries[0][1]))
            si_unit = str(get_unit(get_dimensions(entries[0][1])))
            parameter = dataclasses.replace(parameter, unit=unit, si_unit=si_unit, scale=scale)
        out.append((parameter, entries))
    return _fix_labels(out)


def _value_at(base, full, value):
    return schema.value_of(schema.apply(base, {full: value}), full)


def _parse_random(table: dict, base: TrainConfig, errors: _Errors):
    table = dict(table)
    n = table.pop("n", None)
    seed = table.pop("seed", 0)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        errors.add("[random] \"n\"", f"must be the number of samples, a whole number >= 1 (got {n!r})")
        n = 0
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        errors.add("[random] \"seed\"", f"must be a whole number >= 0 (got {seed!r})")
        seed = 0
    if not table:
        errors.add("[random]", "names no parameter: add e.g. tau_m = { min = \"10 ms\", max = \"40 ms\" }")
        return []
    rng = np.random.default_rng(seed)
    columns, seen = [], {}
    log_keys = set()
    for key, rule in table.items():
        full = _resolve("random", key, seen, errors)
        if full is None:
            continue
        if isinstance(rule, list):
            if not rule:
                errors.add(_place("random", key), "lists no choices")
                continue
            choices = [_check_value(base, full, v, _place("random", key, i), errors) for i, v in enumerate(rule)]
            if not all(ok for _, ok in choices):
                continue
            picks = rng.integers(0, len(choices), size=n) if n else []
            columns.append((full, key, [(i, choices[int(k)][0]) for i, k in enumerate(picks)]))
            continue
        if not isinstance(rule, dict) or not {"min", "max"} <= set(rule) or set(rule) - {"min", "max", "log"}:
            errors.add(_place("random", key), "must be a list of choices or a range "
                                              "{ min = ..., max = ..., log = false } "
                                              f"(got {rule!r})")
            continue
        low, ok_low = _check_value(base, full, rule["min"], _place("random", key, "min"), errors)
        high, ok_high = _check_value(base, full, rule["max"], _place("random", key, "max"), errors)
        log = rule.get("log", False)
        if not isinstance(log, bool):
            errors.add(_place("random", key, "log"), f"must be true or false (got {log!r})")
            continue
        if not (ok_low and ok_high):
            continue
        samples = _draw(base, full, key, low, high, log, n, rng, errors)
        if samples is None:
            continue
        if log:
            log_keys.add(full)
        columns.append((full, key, list(enumerate(samples))))
    out = []  # random draws may repeat a value: every draw is kept
    for full, key, values in columns:
        finished = _finish_columns([(full, key, values[:1])], base, errors, "random")[0][0]
        entries = []
        for _, value in values:
            entries.append((value, _value_at(base, full, value)))
        out.append((dataclasses.replace(finished, log=full in log_keys), entries))
    return _fix_labels(out)


def _draw(base, full, key, low, high, log, n, rng, errors):
    """n values between low and high (texts for physical values, rounded to RANDOM_DIGITS)."""
    lo_v, hi_v = _value_at(base, full, low), _value_at(base, full, high)
    if isinstance(lo_v, (bool, str, tuple)):
        errors.add(_place("random", key), "a range needs numbers or quantities; give a list of choices instead")
        return None
    lo, hi = float(lo_v), float(hi_v)
    if not lo < hi:
        errors.add(_place("random", key), f"min must be below max (got {low!r} and {high!r})")
        return None
    if log and lo <= 0:
        errors.add(_place("random", key, "log"), f"a log-uniform range needs min > 0 (got {low!r})")
        return None
    if isinstance(lo_v, int) and isinstance(hi_v, int):
        if log:
            draws = np.exp(rng.uniform(math.log(lo), math.log(hi + 1), size=n))
            return [int(min(hi, math.floor(x))) for x in draws]
        return [int(x) for x in rng.integers(lo_v, hi_v, size=n, endpoint=True)]
    draws = np.exp(rng.uniform(math.log(lo), math.log(hi), size=n)) if log else rng.uniform(lo, hi, size=n)
    parts = _physical_parts(low) if isinstance(lo_v, Quantity) and isinstance(low, str) else None
    out = []
    for x in draws:
        if parts is not None:
            scale = float(parse_quantity(f"1 {parts[1]}", key, lo_v))
            out.append(f"{_round(x / scale)} {parts[1]}")
        else:
            out.append(_round(x))
    return out


def _round(x: float) -> float:
    if x == 0:
        return 0.0
    return float(f"{x:.{RANDOM_DIGITS}g}")


def _parse_repeat(table, base, errors):
    if table is None:
        return None
    unknown = set(table) - {"seeds", "n"}
    for key in sorted(unknown):
        errors.add(_place("repeat", key), "unknown key; [repeat] takes seeds = [1, 2, 3] or n = 3")
    if ("seeds" in table) == ("n" in table):
        errors.add("[repeat]", "give either seeds = [1, 2, 3] or n = 3")
        return None
    if "n" in table:
        n = table["n"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            errors.add(_place("repeat", "n"), f"must be a whole number >= 1 (got {n!r})")
            return None
        return list(range(base.seed, base.seed + n))
    seeds = table["seeds"]
    if not isinstance(seeds, list) or not seeds:
        errors.add(_place("repeat", "seeds"), f"must list at least one seed, e.g. [1, 2, 3] (got {seeds!r})")
        return None
    out = []
    for i, seed in enumerate(seeds):
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            errors.add(_place("repeat", "seeds", i), f"must be a whole number in 0..2**32-1 (got {seed!r})")
        elif seed in out:
            errors.add(_place("repeat", "seeds", i), f"repeats the seed at index {out.index(seed)}")
        else:
            out.append(seed)
    return out


def _parse_settings(table: dict, errors: _Errors) -> dict:
    settings = {}
    for key, value in table.items():
        good_out = key == "out" and isinstance(value, str) and value
        good_workers = key == "workers" and isinstance(value, int) and not isinstance(value, bool) and value >= 1
        if good_out or good_workers:
            settings[key] = value
        elif key in ("out", "workers"):
            errors.add(_place("sweep", key), "out must be a folder name, workers a whole number >= 1 "
                                             f"(got {value!r})")
        else:
            errors.add(_place("sweep", key), "unknown key; [sweep] takes out = \"folder\" and workers = N")
    return settings
