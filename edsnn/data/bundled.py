"""The small real subsets of MNIST and Fashion-MNIST shipped inside edsnn.

``edsnn/data/embedded/<dataset>.npz`` holds, for each split, a stratified
sample of the standard files (1000 training images, 100 per class; 500 test
images, 50 per class) as arrays ``<split>_images`` (uint8, (n, 28, 28)),
``<split>_labels`` (uint8, (n,)) and ``<split>_indices`` (int64, (n,): the
positions in the original IDX files).  :mod:`edsnn.data.make_embedded`
recreates them; :data:`EMBEDDED_MD5` guards their content.
"""

from __future__ import annotations

import hashlib
from importlib import resources

import numpy as np

from .catalog import canonical_name
from .idx import DatasetError, file_stems

__all__ = ["EMBEDDED_SIZES", "EMBEDDED_SEED", "EMBEDDED_MD5", "embedded_md5", "load_embedded"]

#: Images per split in the embedded subsets (equal counts per class).
EMBEDDED_SIZES = {"train": 1000, "test": 500}

#: Seed of the stratified sample (:func:`edsnn.data.select_subset`).
EMBEDDED_SEED = 20240501

#: Dataset → split → :func:`embedded_md5` of the shipped arrays
#: (printed by ``python -m edsnn.data.make_embedded``).
EMBEDDED_MD5 = {
    "mnist": {"train": "627f7225583c15d7274c2d28b0d280cc", "test": "84ccfbec676c97b991b019b23a25f12c"},
    "fashion-mnist": {"train": "bdb23a88958cd1ab5b4901701cc0ea54", "test": "8d2739c6ec593d6e7f247b9bd9f4ea2d"},
}


def embedded_md5(images, labels, indices) -> str:
    """md5 of one split's arrays: uint8 images, uint8 labels, little-endian int64 indices."""
    digest = hashlib.md5()
    digest.update(np.ascontiguousarray(images, dtype=np.uint8).tobytes())
    digest.update(np.ascontiguousarray(labels, dtype=np.uint8).tobytes())
    digest.update(np.ascontiguousarray(indices, dtype="<i8").tobytes())
    return digest.hexdigest()


def load_embedded(name: str, split: str):
    """Arrays of one split of the embedded subset, md5-checked.

    Parameters
    ----------
    name : str
        ``"mnist"`` or ``"fashion-mnist"``.
    split : str
        ``"train"`` or ``"test"``.

    Returns
    -------
    images : numpy.ndarray
        uint8, shape (n, 28, 28).
    labels : numpy.ndarray
        uint8, shape (n,).
    indices : numpy.ndarray
        int64, shape (n,): positions in the original IDX files.

    Raises
    ------
    DatasetError
        The shipped file is missing or its content does not match
        :data:`EMBEDDED_MD5` (reinstall edsnn).
    """
    name = canonical_name(name)
    file_stems(split)  # validates split
    resource = resources.files("edsnn.data") / "embedded" / f"{name}.npz"
    try:
        with resources.as_file(resource) as path, np.load(path, allow_pickle=False) as npz:
            arrays = tuple(npz[f"{split}_{key}"] for key in ("images", "labels", "indices"))
    except (OSError, KeyError, ValueError) as error:
        raise DatasetError(
            f"embedded subset {resource} is missing or unreadable ({error}); reinstall edsnn "
            "or run python -m edsnn.data.make_embedded --data-dir DIR"
        ) from error
    got = embedded_md5(*arrays)
    if got != EMBEDDED_MD5[name][split]:
        raise DatasetError(
            f"embedded subset {resource} ({split}) has md5 {got}, expected "
            f"{EMBEDDED_MD5[name][split]}; reinstall edsnn or recreate it with "
            "python -m edsnn.data.make_embedded --data-dir DIR"
        )
    images, labels, indices = arrays
    return images.astype(np.uint8), labels.astype(np.uint8), indices.astype(np.int64)
