"""Read and write IDX files, the format of MNIST and Fashion-MNIST.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number
of dimensions), one big-endian ``int32`` per dimension, then the data.  The
datasets use type ``0x08`` (unsigned byte) only: images are
``(n, 28, 28)`` and labels ``(n,)``.

Every known file is checked against the md5 of its **decompressed** bytes
(:data:`CHECKSUMS`), so a ``.gz`` file re-compressed by a mirror still passes
while a corrupt or truncated one is refused with :class:`DatasetError`; no
partial data is ever returned.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np

__all__ = [
    "DatasetError",
    "DownloadError",
    "SPLITS",
    "FILES",
    "CHECKSUMS",
    "file_stems",
    "stem_of",
    "md5_of",
    "read_bytes",
    "parse_idx",
    "read_idx",
    "write_idx",
    "read_split",
]

#: Splits of both datasets.
SPLITS = ("train", "test")

#: Split → (images file, labels file), without the ``.gz`` suffix.
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

#: Dataset → file → (md5 of the decompressed bytes, number of decompressed bytes).
#: Computed from the files published on the datasets' mirrors (their ``.gz``
#: md5s are the ones both projects publish).
CHECKSUMS = {
    "mnist": {
        "train-images-idx3-ubyte": ("6bbc9ace898e44ae57da46a324031adb", 47040016),
        "train-labels-idx1-ubyte": ("a25bea736e30d166cdddb491f175f624", 60008),
        "t10k-images-idx3-ubyte": ("2646ac647ad5339dbf082846283269ea", 7840016),
        "t10k-labels-idx1-ubyte": ("27ae3e4e09519cfbb04c329615203637", 10008),
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte": ("f4a8712d7a061bf5bd6d2ca38dc4d50a", 47040016),
        "train-labels-idx1-ubyte": ("9018921c3c673c538a1fc5bad174d6f9", 60008),
        "t10k-images-idx3-ubyte": ("8181f5470baa50b63fa0f6fddb340f0a", 7840016),
        "t10k-labels-idx1-ubyte": ("15d484375f8d13e6eb1aabb0c3f46965", 10008),
    },
}

#: IDX type code → numpy dtype (big-endian where it matters).
_IDX_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_WHAT_TO_DO = (
    "Delete it and run again to download it afresh, or point --data-dir "
    "(or EDSNN_DATA) to a folder with intact files."
)


class DatasetError(Exception):
    """A dataset file is missing, corrupt, truncated or cannot be downloaded."""


class DownloadError(DatasetError):
    """Downloading a dataset file failed (network error or bad content)."""


def file_stems(split: str) -> tuple[str, str]:
    """Names (without ``.gz``) of the images and labels files of ``split``.

    Raises
    ------
    ValueError
        If ``split`` is not one of :data:`SPLITS`.
    """
    if split not in FILES:
        raise ValueError(f"unknown split {split!r}; valid splits: {', '.join(SPLITS)}")
    return FILES[split]


def stem_of(path) -> str:
    """File name without a trailing ``.gz`` (``"t10k-labels-idx1-ubyte"``)."""
    name = Path(path).name
    return name[:-3] if name.endswith(".gz") else name


def md5_of(data: bytes) -> str:
    """Hex md5 of ``data``."""
    return hashlib.md5(data).hexdigest()


def read_bytes(path) -> bytes:
    """All (decompressed, if the name ends in ``.gz``) bytes of ``path``.

    Raises
    ------
    DatasetError
        If the file cannot be read or its gzip stream is truncated or corrupt;
        the message names the file and what to do.
    """
    path = Path(path)
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as stream:
                return stream.read()
        return path.read_bytes()
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise DatasetError(
            f"{path} is truncated or corrupt ({error}). {_WHAT_TO_DO}"
        ) from error
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error}") from error


def parse_idx(data: bytes, name: str = "IDX data") -> np.ndarray:
    """Array held by the bytes of an IDX file, after checking its header.

    Parameters
    ----------
    data : bytes
        Whole, decompressed file content.
    name : str
        Used in error messages (the file path).

    Returns
    -------
    numpy.ndarray
        Shape given by the header (``(n, 28, 28)`` images, ``(n,)`` labels),
        native byte order.

    Raises
    ------
    DatasetError
        Bad magic number, unknown type code, or a size that disagrees with the
        header (truncated or padded file).
    """
    if len(data) < 4:
        raise DatasetError(f"{name} is not an IDX file: only {len(data)} bytes. {_WHAT_TO_DO}")
    zero1, zero2, type_code, ndim = data[:4]
    if zero1 != 0 or zero2 != 0 or type_code not in _IDX_TYPES or ndim == 0:
        raise DatasetError(
            f"{name} is not an IDX file: bad magic number 0x{data[:4].hex()} "
            f"(expected 0x0000TTDD with a known type TT and DD >= 1 dimensions). {_WHAT_TO_DO}"
        )
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise DatasetError(f"{name} is truncated inside its header. {_WHAT_TO_DO}")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_TYPES[type_code]
    expected = header_size + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        state = "truncated" if len(data) < expected else "longer than its header says"
        raise DatasetError(
            f"{name} is {state}: header says shape {shape} ({expected} bytes), "
            f"file has {len(data)} bytes. {_WHAT_TO_DO}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path, md5: str | None = None) -> np.ndarray:
    """Read one IDX file (``.gz`` or not), checking its md5 first if given.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    md5 : str, optional
        Expected md5 of the decompressed bytes.

    Returns
    -------
    numpy.ndarray
        See :func:`parse_idx`.

    Raises
    ------
    DatasetError
        Corrupt, truncated, wrong checksum or bad header; the message names
        the file and what to do.
    """
    data = read_bytes(path)
    if md5 is not None:
        got = md5_of(data)
        if got != md5:
            raise DatasetError(
                f"{path} is corrupt or truncated: md5 of its content is {got}, "
                f"expected {md5} ({len(data)} bytes read). {_WHAT_TO_DO}"
            )
    return parse_idx(data, str(path))


def write_idx(path, array) -> Path:
    """Write ``array`` as an IDX file (gzip-compressed if ``path`` ends in ``.gz``).

    Parameters
    ----------
    path : str or pathlib.Path
        Target file.
    array : array_like
        uint8 data of any shape with at least one dimension.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim == 0:
        raise ValueError(f"write_idx writes uint8 arrays with >= 1 dimension, got {array.dtype} {array.shape}")
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    data = header + np.ascontiguousarray(array).tobytes()
    path = Path(path)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wb") as stream:
            stream.write(data)
    else:
        path.write_bytes(data)
    return path


def read_split(images_path, labels_path, dataset: str | None = None):
    """Images and labels of one split, checked against each other.

    Parameters
    ----------
    images_path, labels_path : str or pathlib.Path
        The two IDX files.
    dataset : str, optional
        ``"mnist"`` or ``"fashion-mnist"``: check the files' md5 against
        :data:`CHECKSUMS`.  None checks headers and sizes only.

    Returns
    -------
    images : numpy.ndarray
        uint8, shape (n, 28, 28).
    labels : numpy.ndarray
        uint8, shape (n,), values 0..9.

    Raises
    ------
    DatasetError
        A file is corrupt, or the two files do not belong together.
    """
    checksums = CHECKSUMS.get(dataset, {}) if dataset is not None else {}
    images = read_idx(images_path, checksums.get(stem_of(images_path), (None,))[0])
    labels = read_idx(labels_path, checksums.get(stem_of(labels_path), (None,))[0])
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DatasetError(f"{images_path} does not hold 28x28 uint8 images (shape {images.shape}, {images.dtype})")
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise DatasetError(f"{labels_path} does not hold uint8 labels (shape {labels.shape}, {labels.dtype})")
    if len(images) != len(labels):
        raise DatasetError(
            f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels"
        )
    if len(labels) and labels.max() > 9:
        raise DatasetError(f"{labels_path} has label {labels.max()}; expected 0..9")
    return images, labels
