"""Recreate the embedded subsets ``edsnn/data/embedded/{mnist,fashion-mnist}.npz``.

Reproduces the files shipped with edsnn from the standard IDX files: for each
dataset a stratified sample (seed :data:`~edsnn.data.bundled.EMBEDDED_SEED`)
of 1000 training images (100 per class) and 500 test images (50 per class),
stored with their labels and their indices in the original files::

    python -m edsnn.data.make_embedded --data-dir DIR

``DIR`` holds ``mnist/`` and ``fashion-mnist/`` (or is searched as
:func:`edsnn.data.locate.locate` does; nothing is downloaded).  The script
prints the md5 table to paste into :data:`~edsnn.data.bundled.EMBEDDED_MD5`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from .bundled import EMBEDDED_SEED, EMBEDDED_SIZES, embedded_md5
from .catalog import DATASETS
from .idx import SPLITS, read_split
from .locate import locate
from .sampling import select_subset

__all__ = ["make_embedded", "main"]

#: Where the shipped files live.
PACKAGE_DIR = Path(__file__).resolve().parent / "embedded"


def make_embedded(data_dir, out_dir=PACKAGE_DIR, seed: int = EMBEDDED_SEED,
                  datasets=DATASETS) -> dict:
    """Write ``<out_dir>/<dataset>.npz`` for each dataset.

    Parameters
    ----------
    data_dir : str or pathlib.Path
        Folder with the full IDX files (see :func:`~edsnn.data.locate.locate`).
    out_dir : str or pathlib.Path
        Target folder (created if needed); default the package's ``embedded/``.
    seed : int
        Seed of the stratified sample.
    datasets : sequence of str
        Which datasets to write.

    Returns
    -------
    dict
        Dataset → split → :func:`~edsnn.data.bundled.embedded_md5` of what was written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = {}
    for name in datasets:
        arrays, table[name] = {}, {}
        for split in SPLITS:
            images, labels = read_split(*locate(name, split, data_dir, download=False), dataset=name)
            chosen = select_subset(labels, EMBEDDED_SIZES[split], "stratified", seed)
            arrays[f"{split}_images"] = images[chosen]
            arrays[f"{split}_labels"] = labels[chosen]
            arrays[f"{split}_indices"] = chosen.astype("<i8")
            table[name][split] = embedded_md5(images[chosen], labels[chosen], chosen)
        np.savez_compressed(out_dir / f"{name}.npz", seed=np.int64(seed), **arrays)
    return table


def main(argv=None) -> int:
    """Command line: ``python -m edsnn.data.make_embedded --data-dir DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="folder holding mnist/ and fashion-mnist/")
    parser.add_argument("--out", default=str(PACKAGE_DIR), help="target folder (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=EMBEDDED_SEED, help="sampling seed (default: %(default)s)")
    args = parser.parse_args(argv)
    table = make_embedded(args.data_dir, args.out, args.seed)
    print("EMBEDDED_MD5 = {")
    for name, splits in table.items():
        inner = ", ".join(f'"{split}": "{md5}"' for split, md5 in splits.items())
        print(f'    "{name}": {{{inner}}},')
    print("}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
