"""Per-class sums of a count table: all that the count statistics need, a few rows per neuron.

Every count statistic of :mod:`edsnn.analysis.statistics` is a function of,
per (epoch, neuron, stimulus class): the number of presentations, the sum and
the sum of squares of the spike counts, and the largest count.  A
:class:`CountSummary` holds these, and which class each presentation showed.
It is built in one pass over the long table, batch by batch, and the sums of
two batches add up: so a run of 514 million rows is summarised in the memory
of one batch (:meth:`edsnn.analysis.Run.count_summary`), and the statistics
come out the same as from the whole table (the sums are exact integers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["COUNT_COLUMNS", "CountSummary", "require_columns", "summarize"]

#: Columns of a count table that the statistics read.
COUNT_COLUMNS = ["epoch", "presentation", "label", "layer", "class_net", "neuron", "type", "count"]
#: Columns that identify a row of :attr:`CountSummary.classes`.
KEYS = ["epoch", "layer", "class_net", "neuron", "type", "label"]
_SUMS = ["n_presentations", "total", "total_sq"]
#: Batches reduced before their partial sums are merged.
_MERGE_EVERY = 8


def require_columns(table, columns, name):
    """Raise TypeError unless ``table`` is a DataFrame, ValueError naming the ``columns`` it lacks."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame (got {type(table).__name__})")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {missing}; expected at least {list(columns)}")


@dataclass(frozen=True)
class CountSummary:
    """The sufficient statistics of a count table; every count statistic accepts one.

    Attributes
    ----------
    classes : DataFrame
        One row per (epoch, neuron, stimulus class): ``epoch, layer,
        class_net, neuron, type, label, n_presentations, total, total_sq,
        highest`` -- ``total`` the sum of the neuron's spike counts over the
        class's presentations, ``total_sq`` the sum of their squares (spikes²),
        ``highest`` the largest count; all int64.
    presentations : DataFrame
        ``epoch, presentation, label``: one row per test presentation.
    """

    classes: pd.DataFrame
    presentations: pd.DataFrame

    @property
    def epochs(self) -> list[int]:
        """The epochs summarised, ascending."""
        return sorted(int(e) for e in self.presentations["epoch"].unique())

    @staticmethod
    def concat(summaries) -> CountSummary:
        """One summary of several with no epoch in common (a run's epochs, summarised one by one)."""
        summaries = list(summaries)
        return CountSummary(pd.concat([s.classes for s in summaries], ignore_index=True),
                            pd.concat([s.presentations for s in summaries], ignore_index=True))


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..k-1 of a key column and the k values they stand for (integers: value − min)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(np.int64), column.cat.categories.to_numpy(dtype=object)
    if pd.api.types.is_integer_dtype(column.dtype):
        values = column.to_numpy(np.int64)
        low, high = int(values.min()), int(values.max())
        return values - low, np.arange(low, high + 1, dtype=np.int64)
    codes, values = pd.factorize(column)
    return codes.astype(np.int64), np.asarray(values, dtype=object)


def _check(frame: pd.DataFrame) -> None:
    require_columns(frame, COUNT_COLUMNS, "counts")
    if frame["count"].isna().any():
        raise ValueError(
            "counts has no spike counts (the 'count' column is NA): this is a reference-model "
            "run, whose hidden and output units are sigmoid rate units, so firing statistics "
            "do not apply; analyse a run trained with model 'spiking'"
        )
    empty = [c for c in KEYS + ["presentation"] if frame[c].isna().any()]
    if empty:
        raise ValueError(f"counts has empty values in the column(s) {empty} (a truncated or damaged table)")
    if len(frame) and (frame["count"].to_numpy(np.int64) < 0).any():
        raise ValueError("counts has negative spike counts")


def _mixed_radix(codes, values) -> tuple[np.ndarray, int]:
    """One integer per row from its key codes (mixed radix), and the number of possible integers."""
    key, span = np.zeros(len(codes[0]), dtype=np.int64), 1
    for code, value in zip(codes, values):
        key *= len(value)
        key += code
        span *= len(value)
    return key, span


def _decode(key: np.ndarray, names, values) -> dict:
    """The key columns back from :func:`_mixed_radix` integers (text as ``str`` arrays)."""
    out = {}
    for name, value in reversed(list(zip(names, values))):
        column = value[key % len(value)]
        out[name] = pd.array(column, dtype="str") if column.dtype == object else column
        key = key // len(value)
    return {name: out[name] for name in names}


def _reduce(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The :attr:`CountSummary.classes` rows of one batch (exact integer sums), and its presentations."""
    codes, values = zip(*(_codes(frame[k]) for k in KEYS))
    key, span = _mixed_radix(codes, values)
    groups = None
    if span > max(4 * len(key), 1 << 20):  # sparse keys: number the ones present (a sort)
        groups, key = np.unique(key, return_inverse=True)
        span = len(groups)
    count = frame["count"].to_numpy(np.int64)
    n, total, total_sq, highest = (np.zeros(span, dtype=np.int64) for _ in range(4))
    np.add.at(n, key, 1)
    np.add.at(total, key, count)
    np.add.at(total_sq, key, count * count)
    np.maximum.at(highest, key, count)
    present = np.flatnonzero(n)
    classes = pd.DataFrame({**_decode(present if groups is None else groups[present], KEYS, values),
                            "n_presentations": n[present], "total": total[present],
                            "total_sq": total_sq[present], "highest": highest[present]})
    shown = [(codes[0], values[0]), _codes(frame["presentation"]), (codes[-1], values[-1])]
    key, _ = _mixed_radix(*zip(*shown))
    presentations = pd.DataFrame(_decode(pd.unique(key), ["epoch", "presentation", "label"], [v for _, v in shown]))
    return classes, presentations


def _merge(parts: list) -> pd.DataFrame:
    """Partial sums of the same rows added up (largest counts: the largest)."""
    if len(parts) == 1:
        return parts[0]
    grouped = pd.concat(parts, ignore_index=True).groupby(KEYS, sort=True)
    return grouped[_SUMS].sum().join(grouped["highest"].max()).reset_index()


def summarize(batches) -> CountSummary:
    """The :class:`CountSummary` of a count table given as DataFrames (one, or batches of it).

    Parameters
    ----------
    batches : DataFrame or iterable of DataFrame
        Count table(s) with at least :data:`COUNT_COLUMNS`; ``layer`` and
        ``type`` text or categorical, the others integers.  Batches are read
        one at a time.

    Raises
    ------
    ValueError
        If a column is missing, ``count`` is NA (reference model) or
        negative, a key is empty, or there are no rows.
    """
    if isinstance(batches, pd.DataFrame):
        batches = [batches]
    parts, shown = [], []
    for frame in batches:
        _check(frame)
        if not len(frame):
            continue
        classes, presentations = _reduce(frame)
        parts.append(classes)
        shown.append(presentations)
        if len(parts) >= _MERGE_EVERY:
            parts = [_merge(parts)]
    if not parts:
        raise ValueError("counts is empty: no test presentations were recorded")
    presentations = (pd.concat(shown, ignore_index=True).drop_duplicates(["epoch", "presentation"])
                     .astype(np.int64).sort_values(["epoch", "presentation"]).reset_index(drop=True))
    return CountSummary(_merge(parts).sort_values(KEYS).reset_index(drop=True), presentations)
