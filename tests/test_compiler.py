"""The default device follows the compilers found."""

import shutil

import pytest

from edsnn.config import TrainConfig
from edsnn.model import compiler


@pytest.fixture
def fresh_default():
    compiler.default_device.cache_clear()
    yield
    compiler.default_device.cache_clear()


def test_cpp_is_the_default_where_a_compiler_works(fresh_default, monkeypatch):
    if not (shutil.which("make") and compiler.compiler_works("g++")):
        pytest.skip("no g++ and make here")
    monkeypatch.delenv("CXX", raising=False)
    monkeypatch.delenv("EDSNN_DEVICE", raising=False)
    assert TrainConfig().device == "cpp"
    monkeypatch.setenv("EDSNN_DEVICE", "numpy")
    assert TrainConfig().device == "numpy"  # a machine or session may pin it
    assert TrainConfig(device="numpy").device == "numpy"


def test_without_a_cpp_compiler_the_runtime_device_with_a_note(fresh_default, monkeypatch, capsys):
    monkeypatch.setenv("CXX", "/bin/false")
    expected = "runtime" if compiler.compiler_works("cc", "c") else "numpy"
    assert compiler.default_device() == expected
    assert capsys.readouterr().err.count("note: no working C++ compiler (/bin/false)") == 1
    assert compiler.default_device() == expected and capsys.readouterr().err == ""  # said once


def test_a_compiler_that_fails_or_is_missing_does_not_work():
    assert not compiler.compiler_works("/bin/false")
    assert not compiler.compiler_works("edsnn-no-such-compiler")
