"""MNIST and Fashion-MNIST for edsnn: loading, subsets and rate coding.

>>> from edsnn.data import load_dataset, SpikeCoding, rate_chunks
>>> train = load_dataset("mnist", "train")           # embedded 1000-image subset
>>> train.images.shape, train.labels.shape
((1000, 28, 28), (1000,))
>>> next(rate_chunks(train.images, SpikeCoding(), chunk_size=100)).shape
(100, 1568)

``source="full"`` reads the standard files from an explicit ``data_dir`` (and
refuses one that lacks them), or else searches ``$EDSNN_DATA/<dataset>/``,
``~/.cache/edsnn/<dataset>/`` and Debian's ``/usr/share/datasets/fashion-mnist/``,
downloading them into the cache when missing (see :mod:`edsnn.data.locate`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from . import locate as _locate
from .bundled import load_embedded
from .catalog import CLASS_NAMES, DATASETS, canonical_name
from .coding import PAIRS, SpikeCoding, ei_pairs, rate_chunks
from .idx import SPLITS, DatasetError, DownloadError, read_split
from .sampling import SAMPLING_METHODS, select_subset

__all__ = [
    "DATASETS",
    "SPLITS",
    "SOURCES",
    "SAMPLING_METHODS",
    "PAIRS",
    "Dataset",
    "DatasetError",
    "DownloadError",
    "load_dataset",
    "select_subset",
    "SpikeCoding",
    "ei_pairs",
    "rate_chunks",
]

#: Values of ``load_dataset(source=...)``.
SOURCES = ("embedded", "full")


@dataclasses.dataclass(frozen=True)
class Dataset:
    """One split of a dataset, in memory (arrays read-only).

    Attributes
    ----------
    images : numpy.ndarray
        uint8, shape (n, 28, 28), pixel values 0..255.
    labels : numpy.ndarray
        uint8, shape (n,), classes 0..9.
    name : str
        ``"mnist"`` or ``"fashion-mnist"``.
    split : str
        ``"train"`` or ``"test"``.
    source : str
        ``"embedded"`` or the folder the files were read from.
    n_classes : int
        Number of classes (10).
    class_names : tuple of str
        Name of each class, by label; default from the dataset name.
    """

    images: np.ndarray
    labels: np.ndarray
    name: str
    split: str
    source: str
    n_classes: int = 10
    class_names: tuple = ()

    def __post_init__(self):
        images = np.asarray(self.images).view()  # a view: the caller's array stays writeable
        labels = np.asarray(self.labels).view()
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
            raise ValueError(f"images must be uint8 of shape (n, 28, 28), got {images.dtype} {images.shape}")
        if labels.dtype != np.uint8 or labels.shape != (len(images),):
            raise ValueError(f"labels must be uint8 of shape ({len(images)},), got {labels.dtype} {labels.shape}")
        images.flags.writeable = False
        labels.flags.writeable = False
        object.__setattr__(self, "images", images)
        object.__setattr__(self, "labels", labels)
        if not self.class_names:
            object.__setattr__(self, "class_names", CLASS_NAMES[canonical_name(self.name)])
        if len(self.class_names) != self.n_classes:
            raise ValueError(f"{len(self.class_names)} class names for {self.n_classes} classes")

    def __len__(self) -> int:
        return len(self.labels)


def load_dataset(name: str = "mnist", split: str = "train", source: str = "embedded",
                 data_dir=None, download: bool = True) -> Dataset:
    """Load one split of MNIST or Fashion-MNIST.

    Parameters
    ----------
    name : str
        ``"mnist"`` or ``"fashion-mnist"`` (alias ``"fashion"``).
    split : str
        ``"train"`` or ``"test"``.
    source : str
        ``"embedded"``: the subset shipped with edsnn (1000 train / 500 test
        images, equal counts per class); ``"full"``: the standard files (60000
        / 10000 images), found or downloaded as :func:`edsnn.data.locate.locate` does.
    data_dir : str or pathlib.Path, optional
        For ``source="full"``: the folder holding the files (directly or in
        ``data_dir/<name>/``); no other folder is searched then.
    download : bool
        For ``source="full"`` without ``data_dir``: download missing files
        into the user cache.

    Returns
    -------
    Dataset
        ``images`` uint8 (n, 28, 28), ``labels`` uint8 (n,).

    Raises
    ------
    ValueError
        Unknown name, split or source (the message lists the valid ones).
    DatasetError
        ``data_dir`` missing or lacking the files; files missing (and
        ``download`` False), corrupt or truncated.
    DownloadError
        Downloading failed.
    """
    name = canonical_name(name)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; valid splits: {', '.join(SPLITS)}")
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; valid sources: {', '.join(SOURCES)}")
    if source == "embedded":
        images, labels, _ = load_embedded(name, split)
        origin = "embedded"
    else:
        images_path, labels_path = _locate.locate(name, split, data_dir, download=download)
        images, labels = read_split(images_path, labels_path, dataset=name)
        origin = str(images_path.parent)
    return Dataset(images=images, labels=labels, name=name, split=split, source=origin,
                   class_names=CLASS_NAMES[name])
