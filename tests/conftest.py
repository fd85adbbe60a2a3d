"""Shared test settings: where the full datasets are, if anywhere; standalone devices put back."""

import os
from pathlib import Path

import brian2
import numpy as np
import pytest

from edsnn.model import StandaloneRun


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


@pytest.fixture
def standalone_cleanup():
    """Brian2 back on the runtime device, in double precision, after a test that built a standalone program."""
    yield
    brian2.device.reinit()
    brian2.set_device("runtime")
    brian2.prefs.core.default_float_dtype = np.float64


@pytest.fixture
def cpp_run(tmp_path, standalone_cleanup):
    """A cpp_standalone device building in the test's own folder."""
    return StandaloneRun("cpp", str(tmp_path / "build"))


@pytest.fixture(autouse=True, scope="session")
def program_cache(tmp_path_factory):
    """Compiled standalone programs cached for this session only, not in the user's cache folder."""
    os.environ["EDSNN_CACHE"] = str(tmp_path_factory.mktemp("programs"))
    yield
    del os.environ["EDSNN_CACHE"]


@pytest.fixture(autouse=True, scope="session")
def numpy_default_device():
    """Runs that name no device train on Brian2's numpy target: the tests' networks are tiny, and
    numpy runs them faster than Cython compiles them (a fresh machine compiles every Cython code
    object).  The tests of the Cython and cpp devices name them; test_compiler.py tests the default."""
    os.environ["EDSNN_DEVICE"] = "numpy"
    yield
    del os.environ["EDSNN_DEVICE"]
