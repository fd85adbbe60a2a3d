"""Shared test settings: where the full datasets are, if anywhere."""

import os
from pathlib import Path

import pytest


def full_data_dir():
    """Folder with ``mnist/`` and ``fashion-mnist/`` IDX files, or None.

    Tests that need the full datasets read ``EDSNN_DATA`` and skip when it is unset.
    """
    root = os.environ.get("EDSNN_DATA")
    if root and (Path(root) / "mnist" / "train-images-idx3-ubyte.gz").exists():
        return Path(root)
    return None


@pytest.fixture
def full_data():
    root = full_data_dir()
    if root is None:
        pytest.skip("full datasets absent: set EDSNN_DATA to a folder holding mnist/ and fashion-mnist/")
    return root
