"""``RunFolder``: the one reader and writer of a run folder (layout in :mod:`edsnn.runs`)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from edsnn.config import TrainConfig
from edsnn.units import UnitError

from . import files
from .format import description
from .recording import recorded_presentations, records_epoch
from .schema import (
    CONFIG,
    COUNTS,
    COUNTS_SCHEMA,
    METRICS,
    METRICS_COLUMNS,
    PREDICTION_COLUMNS,
    PREDICTIONS,
    REQUIRED,
    RUN_FILES,
    SPIKES,
    SPIKES_SCHEMA,
    WEIGHTS,
    RunFolderError,
    count_type,
    counts_schema,
)

__all__ = ["RunFolder", "SavedWeights"]

_SCHEMAS = {COUNTS: COUNTS_SCHEMA, SPIKES: SPIKES_SCHEMA}
#: CSV table → (columns, integer columns).
_CSVS = {METRICS: (METRICS_COLUMNS, ["epoch"]), PREDICTIONS: (PREDICTION_COLUMNS, PREDICTION_COLUMNS)}
_PART = "epoch={:04d}.parquet"
#: Columns read in their stored integer type (``count``: uint8 in new folders, int64 in old ones).
_KEEP = {COUNTS: ("count",), SPIKES: ()}


@dataclass(frozen=True)
class SavedWeights:
    """``weights.npz``: the weights after epoch ``epoch`` and the run's ``seed`` (None if absent).

    Every random stream of epoch ``e`` derives from ``(seed, e)``, so these
    two numbers are all the random state a resumed run needs.
    """

    arrays: dict
    epoch: int
    seed: int | None


class RunFolder:
    """A run folder: reads its tables, writes its epochs.

    Readers show *finished* epochs only: ``weights.npz`` is written last in
    an epoch, so rows of later epochs (an interrupted write) are left out, and
    :meth:`truncate` removes them before a run resumes.  Every read of a
    truncated or corrupt file raises :class:`RunFolderError` naming it.

    Parameters
    ----------
    path : str or Path
    """

    def __init__(self, path):
        self.path = Path(path)

    def __repr__(self):
        return f"RunFolder({str(self.path)!r})"

    def file(self, name: str) -> Path:
        """Path of one of the folder's files (:mod:`edsnn.runs.schema` names)."""
        return self.path / name

    # --------------------------------------------------------------------- reading
    def info(self) -> dict:
        """``config.json`` as written: settings (text quantities), versions, dataset facts."""
        path = self.file(CONFIG)
        if not path.is_file():
            raise RunFolderError(f"{self.path} is not a run folder: it has no {CONFIG}")
        return files.read_json(path)

    def config(self) -> TrainConfig:
        """The run's settings, :meth:`TrainConfig.from_dict` of ``config.json``."""
        try:
            return TrainConfig.from_dict(self.info())
        except (TypeError, ValueError, UnitError) as err:
            raise files.damaged(self.file(CONFIG), f"its settings are not valid: {err}") from err

    def description(self):
        """The network's :class:`~edsnn.networks.Description` (populations, caps) from ``config.json``."""
        try:
            return description(self.info())
        except (KeyError, TypeError, ValueError, UnitError) as err:
            raise files.damaged(self.file(CONFIG), f"its network description is not valid: {err}") from err

    def settings(self) -> SimpleNamespace:
        """The run settings the folder's layout depends on (``test``, ``epochs``, ``record_counts``).

        Read from ``config.json`` as plain values, so that a folder whose
        network cannot be imported still checks and reads.
        """
        info = self.info()
        try:
            return SimpleNamespace(test=int(info["test"]), epochs=int(info["epochs"]),
                                   record_counts=str(info.get("record_counts", "all")))
        except (KeyError, TypeError, ValueError) as err:
            raise files.damaged(self.file(CONFIG), f"its run settings are not valid: {err}") from err

    def weights(self) -> SavedWeights:
        """``weights.npz``, every array read (and checksummed)."""
        arrays = files.load_npz(self._required(WEIGHTS))
        if "epoch" not in arrays:
            raise files.damaged(self.file(WEIGHTS), "it has no 'epoch' entry")
        epoch = int(arrays.pop("epoch"))
        seed = arrays.pop("seed", None)
        return SavedWeights(arrays, epoch, None if seed is None else int(seed))

    def finished_epoch(self) -> int:
        """The epoch ``weights.npz`` was saved after (0 when there is none yet)."""
        if not self.file(WEIGHTS).is_file():
            return 0
        return int(files.load_npz(self.file(WEIGHTS), ["epoch"])["epoch"])

    def metrics(self) -> pd.DataFrame:
        """``metrics.csv`` of finished epochs (:data:`METRICS_COLUMNS` and the network's own columns)."""
        return self._csv(METRICS)

    def predictions(self, epoch: int | None = None) -> pd.DataFrame:
        """``predictions.csv`` of the finished epochs (or of ``epoch`` only)."""
        frame = self._csv(PREDICTIONS)
        return frame if epoch is None else frame[frame["epoch"] == epoch].reset_index(drop=True)

    def counts(self, epoch: int | None = None, columns=None) -> pd.DataFrame:
        """Spike counts and activities of the finished epochs (or of ``epoch`` only).

        The types are compact (:data:`COUNTS_SCHEMA`): ``layer`` and ``type``
        categorical, ``count`` the unsigned type it was written in (int64 in
        folders written before; nullable Int64 holding NA for the reference
        model), ``activity`` float32.  All epochs of a full-size run do not
        fit in memory: read one ``epoch`` at a time, or stream
        :meth:`count_batches`.  An epoch without counts
        (:attr:`TrainConfig.record_counts`) gives no rows.
        """
        return _nullable(self._table(COUNTS, epoch, columns))

    def count_epochs(self) -> list[int]:
        """The finished epochs that hold counts (all of them unless ``record_counts`` keeps fewer)."""
        done, epochs = self.finished_epoch(), set(self._parts(COUNTS))
        legacy = self._legacy(COUNTS)
        if legacy.is_file():  # written before record_counts: every epoch
            epochs |= files.parquet_values(legacy, "epoch")
        return sorted(e for e in epochs if e <= done)

    def count_batches(self, epoch: int, columns=None, rows: int = 1 << 20):
        """Yield epoch ``epoch``'s counts as DataFrames of at most ``rows`` rows (types of :meth:`counts`).

        Memory follows ``rows``, not the run's size: the statistics of
        :mod:`edsnn.analysis` read a run this way.
        """
        if epoch not in self.count_epochs():
            return
        legacy, part = self._legacy(COUNTS), self._parts(COUNTS).get(epoch)
        path, equal = (part, None) if part is not None else (legacy, ("epoch", epoch))
        for table in files.parquet_batches(path, COUNTS_SCHEMA, columns, equal, _KEEP[COUNTS], rows):
            yield _nullable(table.to_pandas())

    def spikes(self, epoch: int | None = None) -> pd.DataFrame | None:
        """Spike times (``t`` in s from the presentation's start), or None if not recorded."""
        if not self._parts(SPIKES) and not self._legacy(SPIKES).is_file():
            return None
        return self._table(SPIKES, epoch)

    def check(self, require=REQUIRED) -> None:
        """Read every file enough to know it is whole; raise :class:`RunFolderError` if not.

        Parameters
        ----------
        require : sequence of str
            Files that must exist (:data:`edsnn.runs.REQUIRED` by default);
            the others are checked when present.

        Raises
        ------
        RunFolderError
            Naming the missing, truncated or corrupt file.  Nothing is changed.
        """
        if not self.path.is_dir():
            raise RunFolderError(f"no run folder at {self.path}: it does not exist or is not a folder")
        present = {CONFIG: self.file(CONFIG).is_file(), WEIGHTS: self.file(WEIGHTS).is_file(),
                   METRICS: self.file(METRICS).is_file(), PREDICTIONS: self.file(PREDICTIONS).is_file(),
                   COUNTS: bool(self._parts(COUNTS)) or self._legacy(COUNTS).is_file()}
        missing = [name for name in require if not present.get(name, True)]
        if COUNTS in missing and present[CONFIG] and present[WEIGHTS] and not any(
                records_epoch(self.settings(), e) for e in range(1, self.finished_epoch() + 1)):
            missing.remove(COUNTS)  # no finished epoch keeps counts yet (record_counts)
        if missing:
            raise RunFolderError(f"{self.path} is not a complete run folder written by 'edsnn train': "
                                 f"missing {', '.join(missing)}")
        config = self.settings()
        done = self.weights().epoch if present[WEIGHTS] else 0
        if present[METRICS]:
            epochs = self.metrics()["epoch"].tolist()
            if epochs != list(range(1, done + 1)):
                raise files.damaged(self.file(METRICS), f"its epochs are {epochs}, but {WEIGHTS} holds "
                                                         f"epoch {done}: rows are missing")
        if present[PREDICTIONS]:
            per_epoch = self.predictions().groupby("epoch").size().reindex(range(1, done + 1), fill_value=0)
            short = per_epoch[per_epoch != config.test]
            if len(short):
                raise files.damaged(self.file(PREDICTIONS), f"epoch {short.index[0]} has {short.iloc[0]} "
                                                             f"rows, expected {config.test}")
        units = self.description().units
        recorded = [e for e in range(1, done + 1) if records_epoch(config, e)]
        self._check_parts(COUNTS, done, recorded, len(recorded_presentations(config)) * units)
        self._check_parts(SPIKES, done, [], None)

    def _check_parts(self, name: str, done: int, recorded: list, rows: int | None) -> None:
        """Each part of a finished epoch is whole (``rows`` rows when given); each ``recorded`` epoch has one."""
        schema, parts, legacy = _SCHEMAS[name], self._parts(name), self._legacy(name)
        if legacy.is_file():
            n = files.parquet_rows(legacy, schema)
            if rows and n % rows:
                raise files.damaged(legacy, f"{n} rows, not a whole number of epochs of {rows}")
        for epoch, path in parts.items():
            if epoch <= done:
                n = files.parquet_rows(path, schema)
                if rows and epoch in recorded and n != rows:
                    raise files.damaged(path, f"{n} rows, expected {rows}")
        if not legacy.is_file():
            absent = [e for e in recorded if e not in parts]
            if absent:
                raise RunFolderError(f"{self.path / name} has no part for epoch {absent[0]} "
                                     f"({_PART.format(absent[0])}). {files.ADVICE}")

    def _required(self, name: str) -> Path:
        path = self.file(name)
        if not path.is_file():
            raise RunFolderError(f"{self.path} has no {name}")
        return path

    def _columns(self, name: str) -> tuple:
        """(columns, integer columns) of a CSV table; a network's own metrics columns are counts."""
        if name == METRICS and self.file(CONFIG).is_file():
            description = self.description()
            extra = list(description.metrics)
            return [*METRICS_COLUMNS, *extra, *description.firing_columns()], ["epoch", *extra]
        return _CSVS[name]

    def _csv(self, name: str) -> pd.DataFrame:
        path, (columns, integers) = self.file(name), self._columns(name)
        frame = files.read_csv(path, columns) if path.is_file() else None
        if frame is None:
            return pd.DataFrame({c: pd.Series(dtype=np.int64 if c in integers else float) for c in columns})
        frame = frame[frame["epoch"] <= self.finished_epoch()].reset_index(drop=True)
        if frame.isna().any().any():
            raise files.damaged(path, "a row of a finished epoch has empty fields")
        return frame.astype({c: np.int64 for c in integers})

    def _parts(self, name: str) -> dict:
        """Epoch → part file of the per-epoch table ``name`` (``counts`` or ``spikes``)."""
        folder = self.path / name
        if not folder.is_dir():
            return {}
        parts = {}
        for path in folder.glob("epoch=*.parquet"):
            number = path.name[len("epoch="):-len(".parquet")]
            if number.isdigit():
                parts[int(number)] = path
        return dict(sorted(parts.items()))

    def _legacy(self, name: str) -> Path:
        """The single file of folders written before the per-epoch parts."""
        return self.path / f"{name}.parquet"

    def _table(self, name: str, epoch: int | None, columns=None) -> pd.DataFrame:
        schema, done = _SCHEMAS[name], self.finished_epoch()
        wanted = [e for e in range(1, done + 1) if epoch is None or e == epoch]
        tables, keep = [], _KEEP[name]
        legacy = self._legacy(name)
        if legacy.is_file() and wanted:
            tables.append(files.read_parquet(legacy, schema, columns,
                                             [("epoch", ">=", wanted[0]), ("epoch", "<=", wanted[-1])], keep))
        parts = self._parts(name)
        tables += [files.read_parquet(parts[e], schema, columns, keep=keep) for e in wanted if e in parts]
        names = list(columns or schema.names)
        empty = pa.schema([schema.field(n) for n in names]).empty_table()
        table = pa.concat_tables(tables, promote_options="permissive") if tables else empty
        return table.to_pandas()

    # --------------------------------------------------------------------- writing
    def write_info(self, info: dict) -> None:
        """Write ``config.json`` (atomically); ``info`` holds :meth:`TrainConfig.to_dict` and more."""
        self.path.mkdir(parents=True, exist_ok=True)
        files.write_json(self.file(CONFIG), info)

    def write_epoch(self, epoch: int, *, counts, predictions, metrics: dict, weights: dict, seed: int,
                    spikes: pa.Table | None = None) -> None:
        """Append one finished epoch; ``weights.npz`` is written last, marking it finished.

        The test hook (:mod:`edsnn.runs.files`) can kill the process at these
        points, in order: ``counts-torn``, ``counts-replace``, ``counts``,
        ``predictions-torn``, ``predictions``, ``metrics-torn``, ``metrics``,
        ``weights-torn``, ``weights-replace``, ``weights`` (``-torn``: half
        written; ``-replace``: temporary file whole, not renamed; bare: done).

        Parameters
        ----------
        epoch : int
        counts : iterable of pyarrow.Table
            :func:`~edsnn.runs.counts_table` of each test batch, consumed one at
            a time (a 10 000-presentation epoch never sits in memory as one table).
        predictions : (labels, predictions)
            Arrays of int, one entry per test presentation in order.
        metrics : dict
            ``train_accuracy``, ``test_accuracy`` (fractions), ``train_seconds``,
            ``test_seconds``.
        weights : dict of str to ndarray
            :meth:`EDNetwork.get_weights` after the epoch.
        seed : int
        spikes : pyarrow.Table, optional
            :func:`~edsnn.runs.spikes_table` of the epoch (``record_spikes`` only).

        Only the counts ``config.json``'s ``record_counts`` keeps are written
        (:mod:`edsnn.runs.recording`), ``count`` in the smallest unsigned type
        that holds a spike per time step of the presentation period.  Each
        table is written and dropped before the next is drawn: memory does not
        grow with the epoch or with the run (nothing written is read back).
        """
        config = self.settings()
        schemas = {COUNTS: counts_schema(count_type(self.description().period_steps)), SPIKES: SPIKES_SCHEMA}
        if counts is not None:
            keep = recorded_presentations(config)
            keep = None if len(keep) == config.test else pa.array(keep, pa.uint32())
            counts = (_recorded(t, schemas[COUNTS], keep) for t in counts) if records_epoch(config, epoch) else None
        for name, tables in ((COUNTS, counts), (SPIKES, None if spikes is None else [spikes])):
            if tables is not None:
                (self.path / name).mkdir(parents=True, exist_ok=True)
                files.write_parquet(self.path / name / _PART.format(epoch), tables, schemas[name], name, epoch)
                files.crash_point(name, epoch)
        labels, predicted = (np.asarray(a, dtype=np.int64) for a in predictions)
        files.append_csv(self.file(PREDICTIONS), pd.DataFrame({
            "epoch": np.full(len(labels), int(epoch), dtype=np.int64),
            "presentation": np.arange(len(labels), dtype=np.int64),
            "label": labels, "prediction": predicted}), "predictions", epoch)
        files.crash_point("predictions", epoch)
        columns, integers = self._columns(METRICS)
        row = {"epoch": int(epoch), **{k: float(metrics[k]) for k in columns[1:]}}
        row["train_seconds"], row["test_seconds"] = round(row["train_seconds"], 3), round(row["test_seconds"], 3)
        frame = pd.DataFrame([row], columns=columns).astype({c: np.int64 for c in integers})
        files.append_csv(self.file(METRICS), frame, "metrics", epoch)
        files.crash_point("metrics", epoch)
        files.save_npz(self.file(WEIGHTS), {**weights, "epoch": np.int64(epoch), "seed": np.int64(seed)},
                       "weights", epoch)
        files.crash_point("weights", epoch)

    def truncate(self, epoch: int) -> None:
        """Drop every row of epochs after ``epoch`` and leftover temporary files (before resuming).

        Also removes a half-appended last line, so that the next append starts
        on a line of its own.
        """
        for name in _CSVS:
            path, (columns, integers) = self.file(name), self._columns(name)
            if not path.is_file():
                continue
            frame = files.read_csv(path, columns)
            if frame is None:  # not even the header was written whole
                path.unlink()
                continue
            keep = frame["epoch"] <= epoch
            if not keep.all() or files.torn(path):
                files.rewrite_csv(path, frame[keep].astype({c: np.int64 for c in integers}))
        for name in _SCHEMAS:
            for number, path in self._parts(name).items():
                if number > epoch:
                    path.unlink()
            legacy = self._legacy(name)
            if legacy.is_file() and pq.read_table(legacy, columns=["epoch"],
                                                  filters=[("epoch", ">", epoch)]).num_rows:
                with pq.ParquetFile(legacy) as old:
                    groups = (old.read_row_group(g) for g in range(old.num_row_groups))
                    files.write_parquet(legacy, (g.filter(pc.less_equal(g["epoch"], epoch)) for g in groups),
                                        old.schema_arrow)
        for folder in (self.path, self.path / COUNTS, self.path / SPIKES):
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink()

    def clear(self) -> None:
        """Delete the files of a run (``--overwrite``); other files in the folder stay."""
        for name in RUN_FILES:
            path = self.path / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def _nullable(frame: pd.DataFrame) -> pd.DataFrame:
    """The reference model's null counts as nullable Int64 (pandas would make them float NaN)."""
    if "count" in frame and frame["count"].isna().any():
        frame["count"] = frame["count"].astype("Int64")
    return frame


def _recorded(table: pa.Table, schema: pa.Schema, keep: pa.Array | None) -> pa.Table:
    """A batch's rows of the ``keep`` presentations (None: all), cast to ``schema`` (its compact ``count``)."""
    if keep is not None:
        table = table.filter(pc.is_in(table["presentation"].cast(pa.uint32()), value_set=keep))
    try:
        return table.cast(schema)
    except pa.ArrowInvalid as err:
        raise ValueError(f"spike counts do not fit in {schema.field('count').type}, the type a presentation "
                         f"of this run allows (one spike per time step): {err}") from err
