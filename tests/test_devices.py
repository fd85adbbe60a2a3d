"""Standalone devices: a fresh random stream per execution, reproducible seeds, bounded build folders, CUDA build."""

import os
import shutil
import time

import brian2
import numpy as np
import pytest
from brian2 import Hz, ms

from edsnn.data import SpikeCoding
from edsnn.model import EDNetwork, EDParameters, StandaloneRun


def _tiny_net(directory, kind="cpp", seed=5):
    return EDNetwork(
        n_inputs=8, n_classes=2, hidden=(4,), batch_size=3, seed=seed,
        ed=EDParameters(lr=0.3), coding=SpikeCoding(max_rate=400 * Hz, presentation=20 * ms),
        device=StandaloneRun(kind, str(directory)),
    )


_RATES = np.tile(np.repeat([0.9, 0.6, 0.3, 0.8], 2), (3, 1)) * 400 * Hz
_LABELS = np.array([0, 1, 0])


def _session(directory):
    """Two test executions with identical inputs, then a learning one: (counts, counts, weights, files)."""
    net = _tiny_net(directory)
    first = net.run(_RATES, _LABELS, learn=False)
    files = sorted(os.listdir(os.path.join(directory, "static_arrays")))
    second = net.run(_RATES, _LABELS, learn=False)
    net.run(_RATES, _LABELS, learn=True)
    assert sorted(os.listdir(os.path.join(directory, "static_arrays"))) == files, "build folder grew"
    return _spikes(first), _spikes(second), net.get_weights(), net


def _spikes(result):
    """All recorded counts of a batch, flattened."""
    return np.concatenate([c.ravel() for c in result.counts.values()])


@pytest.fixture
def standalone_cleanup():
    yield
    brian2.device.reinit()
    brian2.set_device("runtime")


def test_cpp_executions_draw_fresh_streams_and_seeds_reproduce(tmp_path, standalone_cleanup):
    build = tmp_path / "build"
    first, second, weights, net = _session(build)
    assert first.sum() > 0
    # identical inputs and weights (no learning): only the random stream differs
    assert not np.array_equal(first, second)
    assert len(set(net.device.execution_seeds)) == 3

    # a fresh network with the same seed, reusing the build folder, replays everything
    again_first, again_second, again_weights, again = _session(build)
    np.testing.assert_array_equal(again_first, first)
    np.testing.assert_array_equal(again_second, second)
    assert again.device.execution_seeds == net.device.execution_seeds
    for name in weights:
        np.testing.assert_array_equal(again_weights[name], weights[name])

    # brian2.seed after the build restarts the stream (as edsnn.protocols does per phase)
    brian2.seed(11)
    a = _spikes(again.run(_RATES, _LABELS, learn=False))
    brian2.seed(11)
    b = _spikes(again.run(_RATES, _LABELS, learn=False))
    np.testing.assert_array_equal(a, b)

    # weights set from Python reach the next execution
    zeroed = {k: v * 0.5 for k, v in again_weights.items()}
    again.set_weights(zeroed)
    again.run(_RATES, _LABELS, learn=False)
    for name in zeroed:
        np.testing.assert_array_equal(again.get_weights()[name], zeroed[name])


def test_configure_cuda_reports_missing_brian2cuda(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_brian2cuda(name, *args, **kwargs):
        if name == "brian2cuda":
            raise ImportError("No module named 'brian2cuda'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_brian2cuda)
    from edsnn.model.cuda import configure_cuda

    with pytest.raises(ImportError, match=r"pip install 'edsnn\[cuda\]'"):
        configure_cuda()


def test_configure_cuda_reports_missing_nvcc(monkeypatch, tmp_path):
    pytest.importorskip("brian2cuda", reason="brian2cuda not installed (pip install 'edsnn[cuda]')")
    from edsnn.model import cuda

    monkeypatch.setenv("CUDA_PATH", str(tmp_path))
    monkeypatch.setattr(cuda.shutil, "which", lambda name: None)
    monkeypatch.setattr(cuda.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(cuda.Path, "exists", lambda self: False)
    with pytest.raises(RuntimeError, match="nvcc"):
        cuda.find_cuda_path()


@pytest.mark.cuda
@pytest.mark.long
def test_cuda_program_compiles(tmp_path, standalone_cleanup):
    pytest.importorskip("brian2cuda", reason="brian2cuda not installed (pip install 'edsnn[cuda]')")
    if shutil.which("nvcc") is None and not os.environ.get("CUDA_PATH"):
        pytest.skip("no CUDA compiler (nvcc) on this machine")
    net = _tiny_net(tmp_path / "cuda", kind="cuda")
    start = time.perf_counter()
    assert net.device.build(net) > 0
    print(f"cuda_standalone build of the tiny net: {time.perf_counter() - start:.0f} s")
    assert (tmp_path / "cuda" / "main").exists()
