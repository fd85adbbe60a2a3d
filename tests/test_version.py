"""One version: pyproject.toml, the installed metadata, ``edsnn.__version__`` and ``edsnn --version``."""

import importlib.metadata
import re
from pathlib import Path

import pytest

import edsnn
from edsnn.cli import main

REPO = Path(__file__).resolve().parents[1]


def test_version_option_prints_the_package_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"edsnn {edsnn.__version__}"
    assert edsnn.__version__ == importlib.metadata.version("edsnn")


def test_installed_version_is_the_one_in_pyproject():
    installed = importlib.metadata.distribution("edsnn")
    source = installed.read_text("direct_url.json") or ""
    if REPO.as_uri() not in source:
        pytest.skip(f"the installed edsnn is not this checkout ({source or 'no direct_url.json'})")
    declared = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.M).group(1)
    assert edsnn.__version__ == declared
