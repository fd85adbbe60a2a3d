"""Single files of a run folder: atomic writes, and reads that name a damaged file.

Every write goes to a temporary file beside the target (``.NAME.PID.tmp``),
which then replaces it with :func:`os.replace` (atomic), so a reader never
sees half a file.  The CSV tables are appended instead (a line per row,
flushed); rows of an unfinished epoch are dropped when a run resumes.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .schema import RunFolderError

__all__ = [
    "append_csv",
    "damaged",
    "load_npz",
    "parquet_rows",
    "read_csv",
    "read_json",
    "read_parquet",
    "rewrite_csv",
    "save_npz",
    "temporary",
    "write_json",
    "write_parquet",
]

#: What to do about a damaged file (the commands refuse it and change nothing).
ADVICE = ("Nothing in the folder was changed. Restore the file from a copy of the run, or train "
          "the run again (another --out, or --overwrite to replace this one).")

_NPZ_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error)
_PARQUET_ERRORS = (OSError, ValueError, pa.ArrowException)


def temporary(path: Path) -> Path:
    """The temporary file a write of ``path`` goes through (hidden, per process)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def damaged(path, detail) -> RunFolderError:
    """The error for a truncated or corrupt run file: names it, says why and what to do."""
    return RunFolderError(f"{path} is truncated or corrupt ({detail}). {ADVICE}")


def _replace(tmp: Path, path: Path) -> None:
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
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


def append_csv(path: Path, frame: pd.DataFrame) -> None:
    """Append ``frame``'s rows (header on first write), flushed to disk."""
    new = not path.exists()
    with open(path, "a", newline="") as handle:
        frame.to_csv(handle, header=new, index=False)
        handle.flush()
        os.fsync(handle.fileno())


def rewrite_csv(path: Path, frame: pd.DataFrame) -> None:
    """Replace ``path`` by ``frame``, atomically."""
    tmp = temporary(path)
    frame.to_csv(tmp, index=False)
    _replace(tmp, path)


def read_csv(path: Path, columns: list) -> pd.DataFrame:
    """A numeric CSV table with exactly ``columns``; a damaged file raises :class:`RunFolderError`."""
    try:
        frame = pd.read_csv(path)
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise damaged(path, f"{type(err).__name__}: {err}".strip()) from err
    if list(frame.columns) != list(columns):
        raise damaged(path, f"columns {list(frame.columns)}, expected {list(columns)}")
    for column in columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise damaged(path, f"column {column!r} holds text")
    return frame


def save_npz(path: Path, arrays: dict) -> None:
    """Write the arrays as ``.npz``, atomically."""
    tmp = temporary(path).with_suffix(".npz")
    with open(tmp, "wb") as handle:
        np.savez(handle, **{k: np.asarray(v) for k, v in arrays.items()})
    _replace(tmp, path)


def load_npz(path: Path, keys=None) -> dict:
    """The arrays of an ``.npz`` file (only ``keys`` when given), every one read and CRC-checked."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in (npz.files if keys is None else keys)}
    except _NPZ_ERRORS as err:
        raise damaged(path, f"{type(err).__name__}: {err}") from err


def write_parquet(path: Path, tables, schema: pa.Schema) -> None:
    """Write ``tables`` (an iterable, consumed one at a time) as one parquet file, atomically."""
    tmp = temporary(path)
    with pq.ParquetWriter(tmp, schema, compression="zstd", write_page_checksum=True) as writer:
        for table in tables:
            if table.num_rows:
                writer.write_table(table)
    _replace(tmp, path)


def read_parquet(path: Path, schema: pa.Schema, columns=None, filters=None) -> pa.Table:
    """A parquet file's rows, cast to ``schema`` (its ``columns`` only, when given)."""
    names = list(columns or schema.names)
    try:
        table = pq.read_table(path, columns=names, filters=filters, page_checksum_verification=True)
        return table.select(names).cast(pa.schema([schema.field(n) for n in names]))
    except _PARQUET_ERRORS as err:
        raise damaged(path, f"{type(err).__name__}: {err}") from err


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
