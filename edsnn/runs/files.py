"""Single files of a run folder: atomic writes, and reads that name a damaged file.

Every write goes to a temporary file beside the target (``.NAME.PID.tmp``),
which then replaces it with :func:`os.replace` (atomic), so a reader never
sees half a file.  The CSV tables are appended instead (a line per row,
flushed); a last line without its newline is an interrupted append, which
readers leave out, and rows of an unfinished epoch are dropped when a run
resumes.

Test hook: with ``EDSNN_CRASH_AT=<point>:<epoch>`` set, the writer kills its
own process with SIGKILL at that point of the epoch's writes (points in
:meth:`RunFolder.write_epoch`), so tests can crash a real training anywhere.
Unset, as it always is outside those tests, it does nothing.
"""

from __future__ import annotations

import io
import json
import os
import signal
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schema import RunFolderError

__all__ = [
    "append_csv",
    "crash_point",
    "damaged",
    "load_npz",
    "parquet_batches",
    "parquet_rows",
    "parquet_values",
    "read_csv",
    "read_json",
    "read_parquet",
    "rewrite_csv",
    "save_npz",
    "temporary",
    "torn",
    "write_json",
    "write_parquet",
]

#: What to do about a damaged file (the commands refuse it and change nothing).
ADVICE = ("Nothing in the folder was changed. Restore the file from a copy of the run, or train "
          "the run again (another --out, or --overwrite to replace this one).")

_NPZ_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error)
_PARQUET_ERRORS = (OSError, ValueError, pa.ArrowException)

#: Environment variable of the test hook (module docstring).
CRASH_AT = "EDSNN_CRASH_AT"


def _armed(name: str, epoch: int | None) -> bool:
    return epoch is not None and os.environ.get(CRASH_AT) == f"{name}:{epoch}"


def crash_point(name: str, epoch: int | None) -> None:
    """Test hook: die by SIGKILL here when ``EDSNN_CRASH_AT`` is ``"<name>:<epoch>"``."""
    if _armed(name, epoch):
        os.kill(os.getpid(), signal.SIGKILL)


def _sync(handle) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def temporary(path: Path) -> Path:
    """The temporary file a write of ``path`` goes through (hidden, per process)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def damaged(path, detail) -> RunFolderError:
    """The error for a truncated or corrupt run file: names it, says why and what to do."""
    return RunFolderError(f"{path} is truncated or corrupt ({detail}). {ADVICE}")


def _replace(tmp: Path, path: Path, point: str | None = None, epoch: int | None = None) -> None:
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    crash_point(f"{point}-replace", epoch)  # test hook: the whole temporary file, not yet renamed
    os.replace(tmp, path)


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as indented JSON, atomically."""
    tmp = temporary(path)
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    _replace(tmp, path)


def read_json(path: Path) -> dict:
    """A JSON object from ``path``; a damaged file raises :class:`RunFolderError`."""
    try:
        data = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise damaged(path, err) from err
    if not isinstance(data, dict):
        raise damaged(path, f"it holds a {type(data).__name__}, not an object")
    return data


def append_csv(path: Path, frame: pd.DataFrame, point: str | None = None, epoch: int | None = None) -> None:
    """Append ``frame``'s rows (header on first write), flushed to disk.

    ``point`` and ``epoch`` name the write for the test hook: at
    ``<point>-torn`` half the text reaches the disk, then the process dies.
    """
    text = frame.to_csv(header=not path.exists(), index=False)
    tear = _armed(f"{point}-torn", epoch)
    with open(path, "a", newline="") as handle:
        handle.write(text[: len(text) // 2] if tear else text)
        _sync(handle)
    crash_point(f"{point}-torn", epoch)


def torn(path: Path) -> bool:
    """True when the file's last line lacks its newline: an append was interrupted."""
    with open(path, "rb") as handle:
        if handle.seek(0, os.SEEK_END) == 0:
            return False
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) != b"\n"


def rewrite_csv(path: Path, frame: pd.DataFrame) -> None:
    """Replace ``path`` by ``frame``, atomically."""
    tmp = temporary(path)
    frame.to_csv(tmp, index=False)
    _replace(tmp, path)


def read_csv(path: Path, columns: list) -> pd.DataFrame | None:
    """A numeric CSV table with exactly ``columns``; a damaged file raises :class:`RunFolderError`.

    A last line without its newline (an interrupted append) is left out;
    None when no line is complete (the first append was interrupted).
    """
    data = path.read_bytes()
    data = data[: data.rfind(b"\n") + 1]
    if not data:
        return None
    try:
        frame = pd.read_csv(io.BytesIO(data))
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise damaged(path, f"{type(err).__name__}: {err}".strip()) from err
    if list(frame.columns) != list(columns):
        raise damaged(path, f"columns {list(frame.columns)}, expected {list(columns)}")
    for column in columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise damaged(path, f"column {column!r} holds text")
    return frame


def save_npz(path: Path, arrays: dict, point: str | None = None, epoch: int | None = None) -> None:
    """Write the arrays as ``.npz``, atomically (``point``, ``epoch``: test hook, :func:`append_csv`)."""
    tmp = temporary(path)
    tear = _armed(f"{point}-torn", epoch)
    with open(tmp, "wb") as handle:
        np.savez(handle, **{k: np.asarray(v) for k, v in arrays.items()})
        if tear:
            handle.truncate(handle.tell() // 2)
            _sync(handle)
    crash_point(f"{point}-torn", epoch)
    _replace(tmp, path, point, epoch)


def load_npz(path: Path, keys=None) -> dict:
    """The arrays of an ``.npz`` file (only ``keys`` when given), every one read and CRC-checked."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in (npz.files if keys is None else keys)}
    except _NPZ_ERRORS as err:
        raise damaged(path, f"{type(err).__name__}: {err}") from err


def write_parquet(path: Path, tables, schema: pa.Schema, point: str | None = None,
                  epoch: int | None = None) -> None:
    """Write ``tables`` (an iterable, consumed one at a time) as one parquet file, atomically.

    ``point``, ``epoch``: test hook (:func:`append_csv`); ``<point>-torn``
    dies after the first table, the temporary file lacking its footer.
    """
    tmp = temporary(path)
    with pq.ParquetWriter(tmp, schema, compression="zstd", write_page_checksum=True) as writer:
        for table in tables:
            if table.num_rows:
                writer.write_table(table)
                crash_point(f"{point}-torn", epoch)
    _replace(tmp, path, point, epoch)


def _read_schema(stored: pa.Schema, schema: pa.Schema, names, keep) -> pa.Schema:
    """The types ``names`` are read as: ``schema``'s, but a ``keep`` column keeps its stored integer type."""
    fields = []
    for name in names:
        field, kind = schema.field(name), stored.field(name).type
        fields.append(field.with_type(kind) if name in keep and pa.types.is_integer(kind) else field)
    return pa.schema(fields)


def read_parquet(path: Path, schema: pa.Schema, columns=None, filters=None, keep=()) -> pa.Table:
    """A parquet file's rows, cast to ``schema`` (its ``columns`` only, when given).

    Columns named in ``keep`` keep their stored integer type (``count``:
    uint8 in new folders, int64 in old ones).
    """
    names = list(columns or schema.names)
    try:
        table = pq.read_table(path, columns=names, filters=filters, page_checksum_verification=True)
        return table.select(names).cast(_read_schema(table.schema, schema, names, keep))
    except _PARQUET_ERRORS as err:
        raise damaged(path, f"{type(err).__name__}: {err}") from err


def parquet_batches(path: Path, schema: pa.Schema, columns=None, equal=None, keep=(), rows: int = 1 << 20):
    """Yield a parquet file's rows as tables of at most ``rows`` rows, cast as :func:`read_parquet` does.

    The file is read one row group at a time (the writer makes them at most
    2**20 rows), so memory follows a row group, not the file.  ``equal``,
    ``(column, value)``, keeps the rows where the column holds the value and
    skips the row groups whose statistics exclude it (pushdown).  Measured on
    a 12.85 M-row epoch: a :mod:`pyarrow.dataset` scan with the least
    read-ahead still buffered in proportion to the file (116 MiB of Arrow
    memory, 72 MiB for 5.14 M rows); these reads stay at 42 MiB.
    """
    names = list(columns or schema.names)
    read = names if equal is None or equal[0] in names else [*names, equal[0]]
    try:
        with pq.ParquetFile(path, pre_buffer=False, page_checksum_verification=True) as file:
            target = _read_schema(file.schema_arrow, schema, names, keep)
            for group in range(file.num_row_groups):
                if equal is not None and _excludes(file.metadata.row_group(group), file.schema_arrow, *equal):
                    continue
                table = file.read_row_group(group, columns=read)
                if equal is not None:
                    table = table.filter(pc.equal(table[equal[0]], equal[1]))
                for batch in table.select(names).to_batches(max_chunksize=rows):
                    if batch.num_rows:
                        yield pa.Table.from_batches([batch]).cast(target)
    except _PARQUET_ERRORS as err:
        raise damaged(path, f"{type(err).__name__}: {err}") from err


def _excludes(group, arrow_schema: pa.Schema, column: str, value) -> bool:
    """True when a row group's statistics show that ``column`` never equals ``value`` in it."""
    stats = group.column(arrow_schema.get_field_index(column)).statistics
    return stats is not None and stats.has_min_max and not stats.min <= value <= stats.max


def parquet_values(path: Path, column: str) -> set:
    """Distinct values of an integer column: from the row groups' statistics, reading only a row group without.

    A folder's ``counts.parquet`` holds a row group per test batch, one epoch
    each, so its epochs come from the footer, whatever the file's size.
    """
    values = set()
    try:
        with pq.ParquetFile(path) as file:
            index = file.schema_arrow.get_field_index(column)
            for group in range(file.num_row_groups):
                stats = file.metadata.row_group(group).column(index).statistics
                if stats is not None and stats.has_min_max and stats.min == stats.max:
                    values.add(int(stats.min))
                else:
                    values |= set(file.read_row_group(group, columns=[column])[column].unique().to_pylist())
    except _PARQUET_ERRORS as err:
        raise damaged(path, f"{type(err).__name__}: {err}") from err
    return values


def parquet_rows(path: Path, schema: pa.Schema) -> int:
    """Rows of a parquet file, from its footer; a damaged file or other columns raise."""
    try:
        with pq.ParquetFile(path) as file:
            names, rows = file.schema_arrow.names, file.metadata.num_rows
    except _PARQUET_ERRORS as err:
        raise damaged(path, f"{type(err).__name__}: {err}") from err
    missing = [n for n in schema.names if n not in names]
    if missing:
        raise damaged(path, f"it lacks the column(s) {missing}")
    return rows
