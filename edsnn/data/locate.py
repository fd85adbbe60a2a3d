"""Find the full datasets on disk, or download them into the user cache.

An explicit ``data_dir`` is honoured: the files must be directly in it or in
``data_dir/<dataset>/``, else :func:`locate` refuses, naming the folder and the
missing files -- it never falls back on another copy, nor downloads.

Without ``data_dir``, the search order for the files of one split (first folder
holding both wins) is:

1. ``$EDSNN_DATA/<dataset>/``;
2. the user cache ``$XDG_CACHE_HOME/edsnn/<dataset>/`` (default ``~/.cache/edsnn/<dataset>/``);
3. Debian's ``/usr/share/datasets/fashion-mnist/`` (Fashion-MNIST only, :data:`DEBIAN_DIRS`).

Each file may be plain or ``.gz``.  When none holds them, the missing files are
downloaded into the cache from :data:`~edsnn.data.catalog.MIRRORS` (or from the
``mirror`` argument / ``EDSNN_MIRROR``), into a temporary file of the same
folder that is renamed only after the md5 of its decompressed content matches.
"""

from __future__ import annotations

import http.client
import os
import tempfile
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from . import idx
from .catalog import MIRRORS, canonical_name
from .idx import DatasetError, DownloadError, file_stems

__all__ = [
    "DEBIAN_DIRS",
    "cache_dir",
    "search_dirs",
    "find_file",
    "find_split",
    "mirror_url",
    "download_files",
    "locate",
]

#: Dataset → folder where a Debian package installs it.
DEBIAN_DIRS = {"fashion-mnist": Path("/usr/share/datasets/fashion-mnist")}

_CHUNK = 1 << 16  # bytes read per network read


def cache_dir(dataset: str) -> Path:
    """``$XDG_CACHE_HOME/edsnn/<dataset>`` (default ``~/.cache/edsnn/<dataset>``)."""
    dataset = canonical_name(dataset)
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root).expanduser() / "edsnn" / dataset


def search_dirs(dataset: str, data_dir=None) -> list[Path]:
    """Folders searched for ``dataset``, in order (see the module docstring).

    With ``data_dir``: only ``data_dir`` and ``data_dir/<dataset>``.
    """
    dataset = canonical_name(dataset)
    if data_dir is not None:
        return [Path(data_dir).expanduser(), Path(data_dir).expanduser() / dataset]
    folders = []
    if os.environ.get("EDSNN_DATA"):
        folders.append(Path(os.environ["EDSNN_DATA"]).expanduser() / dataset)
    folders.append(cache_dir(dataset))
    if dataset in DEBIAN_DIRS:
        folders.append(Path(DEBIAN_DIRS[dataset]))
    return folders


def find_file(folder, stem: str) -> Path | None:
    """``folder/stem`` or ``folder/stem.gz``, whichever exists first, else None."""
    for name in (stem, stem + ".gz"):
        path = Path(folder) / name
        if path.is_file():
            return path
    return None


def find_split(folder, split: str) -> tuple[Path, Path] | None:
    """Paths of the images and labels files of ``split`` in ``folder``, or None."""
    paths = tuple(find_file(folder, stem) for stem in file_stems(split))
    return paths if all(paths) else None


def mirror_url(dataset: str, mirror: str | None = None) -> str:
    """Base URL the files of ``dataset`` are downloaded from (ends in ``/``).

    ``mirror`` (else ``$EDSNN_MIRROR``, else :data:`MIRRORS`) may contain
    ``{dataset}``, replaced by the dataset name, so that one value serves both
    datasets (``http://127.0.0.1:8000/{dataset}/``).
    """
    dataset = canonical_name(dataset)
    base = mirror or os.environ.get("EDSNN_MIRROR") or MIRRORS[dataset]
    base = base.replace("{dataset}", dataset)
    return base if base.endswith("/") else base + "/"


def _fetch(url: str, target: Path, desc: str, progress: bool, timeout: float):
    """Stream ``url`` into the open-able path ``target`` with a progress bar."""
    request = urllib.request.Request(url, headers={"User-Agent": "edsnn"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        with open(target, "wb") as out, tqdm(
            total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc,
            disable=not progress, leave=True,
        ) as bar:
            while True:
                block = response.read(_CHUNK)
                if not block:
                    break
                out.write(block)
                bar.update(len(block))
        if total is not None and target.stat().st_size != total:
            raise http.client.IncompleteRead(b"", total - target.stat().st_size)


def download_files(dataset: str, stems, folder=None, mirror: str | None = None,
             progress: bool = True, timeout: float = 60.0) -> list[Path]:
    """Download ``<stem>.gz`` files of ``dataset`` into ``folder``, verified.

    Parameters
    ----------
    dataset : str
        ``"mnist"`` or ``"fashion-mnist"``.
    stems : iterable of str
        File names without ``.gz`` (``"t10k-labels-idx1-ubyte"``).
    folder : str or pathlib.Path, optional
        Target folder; default :func:`cache_dir`.  Created if needed.
    mirror : str, optional
        Base URL; see :func:`mirror_url`.
    progress : bool
        Show a tqdm progress bar per file (on stderr).
    timeout : float
        Seconds to wait for the server before giving up.

    Returns
    -------
    list of pathlib.Path
        The saved ``.gz`` files.

    Raises
    ------
    DownloadError
        Network failure, or content whose md5 differs from
        :data:`~edsnn.data.idx.CHECKSUMS`.  Nothing is left in ``folder`` for
        the file that failed; the message names the files, the URLs and the
        folder where they can be put by hand.
    """
    dataset = canonical_name(dataset)
    folder = Path(folder) if folder is not None else cache_dir(dataset)
    stems = list(stems)
    base = mirror_url(dataset, mirror)
    urls = [base + stem + ".gz" for stem in stems]
    by_hand = (
        "Download them by hand from:\n"
        + "".join(f"  {url}\n" for url in urls)
        + f"into {folder} (or a folder given as data_dir / --data-dir, or $EDSNN_DATA/{dataset}/), "
        "then run again."
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DownloadError(f"cannot create {folder} to download {dataset}: {error}. {by_hand}") from error
    saved = []
    for stem, url in zip(stems, urls):
        target = folder / (stem + ".gz")
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{stem}.", suffix=".part.gz")
        os.close(handle)
        tmp = Path(name)
        try:
            try:
                _fetch(url, tmp, f"{dataset}/{stem}.gz", progress, timeout)
            except (OSError, http.client.HTTPException) as error:
                raise DownloadError(
                    f"could not download {', '.join(s + '.gz' for s in stems)} of {dataset} "
                    f"from {base}: {url} failed ({error}). {by_hand}"
                ) from error
            md5, size = idx.CHECKSUMS[dataset][stem]
            try:
                data = idx.read_bytes(tmp)
            except DatasetError as error:
                raise DownloadError(
                    f"{url} gave a corrupt gzip file ({error.__cause__}); nothing was saved "
                    f"in {folder}. Try again later or another mirror (EDSNN_MIRROR). {by_hand}"
                ) from error
            got = idx.md5_of(data)
            if got != md5:
                raise DownloadError(
                    f"{url} gave content with md5 {got} ({len(data)} bytes), expected {md5} "
                    f"({size} bytes); nothing was saved in {folder}. Try again later or another "
                    f"mirror (EDSNN_MIRROR). {by_hand}"
                )
            idx.parse_idx(data, url)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        saved.append(target)
    return saved


def _explicit_folder_error(dataset: str, split: str, folders, mirror) -> DatasetError:
    """Refusal of a named ``data_dir`` (``folders[0]``) that lacks the files of ``split``.

    The missing files are those of whichever of ``data_dir`` and
    ``data_dir/<dataset>`` holds more of them (``data_dir`` on a tie).
    """
    stems = file_stems(split)
    folder = folders[0]
    advice = (
        f"Put the files there (plain or .gz; from {mirror_url(dataset, mirror)}), name the folder "
        "that holds them, or leave data_dir (--data-dir) unset to search $EDSNN_DATA and the "
        "cache and download them when missing."
    )
    if not folder.is_dir():
        return DatasetError(
            f"data_dir {folder} does not exist or is not a folder: it must hold the {dataset} "
            f"{split} files {', '.join(stems)}. {advice}"
        )
    best = max(folders, key=lambda f: sum(find_file(f, stem) is not None for stem in stems))
    missing = [stem for stem in stems if find_file(best, stem) is None]
    return DatasetError(
        f"data_dir {folder} lacks the {dataset} {split} file(s) {', '.join(missing)} "
        f"(looked in {folder} and {folders[1]}). {advice}"
    )


def locate(dataset: str, split: str, data_dir=None, download: bool = True,
           mirror: str | None = None, progress: bool = True) -> tuple[Path, Path]:
    """Images and labels files of one split, searching and downloading as needed.

    Parameters
    ----------
    dataset : str
        ``"mnist"`` or ``"fashion-mnist"`` (or an alias).
    split : str
        ``"train"`` or ``"test"``.
    data_dir : str or pathlib.Path, optional
        The folder holding the files (directly or in ``data_dir/<dataset>/``);
        when given, no other folder is searched and nothing is downloaded.
    download : bool
        Download missing files into :func:`cache_dir` when no folder holds them
        (searching without ``data_dir`` only).
    mirror : str, optional
        Base URL to download from; see :func:`mirror_url`.
    progress : bool
        Show download progress bars.

    Returns
    -------
    images_path, labels_path : pathlib.Path
        Existing files (not yet checked; :func:`~edsnn.data.idx.read_split` checks them).

    Raises
    ------
    DatasetError
        ``data_dir`` does not exist or lacks the files (the message names the
        folder and the missing files), or, without ``data_dir``, the files were
        not found and ``download`` is False (the message lists the folders searched).
    DownloadError
        Downloading failed.
    """
    dataset = canonical_name(dataset)
    stems = file_stems(split)
    folders = search_dirs(dataset, data_dir)
    for folder in folders:
        found = find_split(folder, split)
        if found:
            return found
    if data_dir is not None:
        raise _explicit_folder_error(dataset, split, folders, mirror)
    cache = cache_dir(dataset)
    if not download:
        raise DatasetError(
            f"{dataset} {split} files ({', '.join(stems)}, plain or .gz) not found in any of: "
            + ", ".join(str(f) for f in folders)
            + f". Pass download=True to fetch them into {cache}, or point data_dir "
            "(--data-dir) or EDSNN_DATA to a folder holding them."
        )
    missing = [stem for stem in stems if find_file(cache, stem) is None]
    download_files(dataset, missing, cache, mirror=mirror, progress=progress)
    return find_split(cache, split)
