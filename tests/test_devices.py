"""Standalone devices: a fresh random stream per execution, reproducible seeds, bounded build folders,
generated code, CUDA."""

import os
import re
import shutil
from pathlib import Path

import brian2
import numpy as np
import pytest
from brian2 import Hz, ms
from ed_oracle import replay

from edsnn.data import SpikeCoding
from edsnn.model import EDParameters, StandaloneRun, device_run
from edsnn.networks import EDNetwork


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

    # a runtime network in between (a notebook switching devices): the cpp device builds again
    EDNetwork(n_inputs=8, n_classes=2, hidden=(4,), batch_size=3, device=device_run("numpy")).run(
        _RATES, _LABELS, learn=False)
    after_runtime, _, _, _ = _session(tmp_path / "build-after-runtime")
    np.testing.assert_array_equal(after_runtime, first)


def test_zero_delay_pathways_read_each_event_in_place_bit_for_bit(tmp_path, standalone_cleanup, monkeypatch):
    """Without the spike queue's copy, the synaptic code visits the synapses in the queue's order:
    the same spikes and weights as Brian2's generic pathway, bit for bit."""
    def session(build):
        net = _tiny_net(build)
        before = net.get_weights()
        learning = _spikes(net.run(_RATES, _LABELS, learn=True))
        testing = _spikes(net.run(_RATES, _LABELS, learn=False))
        files = [p for p in Path(build, "code_objects").glob("w_*.cpp") if "push_spikes" not in p.name]
        return before, (learning, testing), net.get_weights(), " ".join(p.read_text() for p in files)

    before, counts, weights, code = session(tmp_path / "fast")
    assert code.count("_queue->synapses[") >= 3  # the forward and learning pathways
    monkeypatch.setattr(StandaloneRun, "zero_delay_code", None)
    _, generic_counts, generic_weights, generic_code = session(tmp_path / "generic")
    assert "_queue->synapses[" not in generic_code
    for a, b in zip(counts, generic_counts):
        assert a.sum() > 0
        np.testing.assert_array_equal(a, b)
    assert weights.keys() == generic_weights.keys()
    for name in weights:
        assert not np.array_equal(weights[name], before[name]), name
        np.testing.assert_array_equal(weights[name], generic_weights[name])


def _zero_delay_sums(build, codeobj_class):
    """Every event of a spike train summed onto its targets over synapses that mix ramps and others."""
    brian2.device.reinit()
    brian2.set_device("cpp_standalone", directory=str(build), build_on_run=True)
    source = brian2.SpikeGeneratorGroup(5, [0, 1, 2, 3, 4, 0, 2, 4], [0, 0, 0, 0, 0, 2, 3, 3] * ms)
    target = brian2.NeuronGroup(6, "v : 1")
    synapses = brian2.Synapses(source, target, "w : 1", on_pre="v_post += w", codeobj_class=codeobj_class)
    # 0: all six targets in order (a ramp); 1: the same, its synapses interleaved with source 4's;
    # 2: every other target; 3: three targets in reverse.
    pre = [0] * 6 + [1] * 3 + [4] + [1] * 3 + [4, 2, 2, 2, 3, 3, 3]
    post = list(range(6)) + [0, 1, 2, 0, 3, 4, 5, 5, 0, 2, 4, 5, 4, 3]
    synapses.connect(i=pre, j=post)
    synapses.w = "1.0 / (1 + i + 7 * j)"
    brian2.run(5 * ms)
    events = {0: 2, 1: 1, 2: 2, 3: 1, 4: 2}
    expected = np.zeros(6)
    for i, j in zip(pre, post):
        expected[j] += events[i] / (1 + i + 7 * j)
    return np.array(target.v[:]), expected


def test_zero_delay_ramps_and_other_synapses_sum_every_event(tmp_path, standalone_cleanup):
    """Sources whose synapses form a ramp (consecutive synapses onto consecutive targets) are walked
    by counting, the others through their lists; both give every event's weight to its targets."""
    from edsnn.model.zero_delay import ZeroDelayCodeObject

    fast, expected = _zero_delay_sums(tmp_path / "fast", ZeroDelayCodeObject)
    generic, _ = _zero_delay_sums(tmp_path / "generic", None)
    code = (tmp_path / "fast" / "code_objects" / "synapses_pre_codeobject.cpp").read_text()
    assert "_ramp_target" in code
    np.testing.assert_allclose(fast, expected, rtol=1e-15)
    np.testing.assert_array_equal(fast, generic)


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


def _learning_synapses(net):
    """The network's synapses with a weight ``w`` (one per layer fed)."""
    return [obj for obj in net.network.objects if isinstance(obj, brian2.Synapses) and "w" in obj.variables]


def _timed_arrays(net):
    """The TimedArrays the groups read (the per-batch inputs), by name."""
    return {value.name: value for obj in net.network.objects
            for value in getattr(obj, "namespace", {}).values() if isinstance(value, brian2.TimedArray)}


def _skip_without_cuda_codegen():
    pytest.importorskip("brian2cuda", reason="brian2cuda not installed (pip install 'edsnn[cuda]'): "
                                             "no CUDA code can be generated")
    if shutil.which("nvcc") is None and not os.environ.get("CUDA_PATH"):
        pytest.skip("no CUDA compiler (nvcc): brian2cuda 1.0a7 needs it to generate code")


@pytest.mark.parametrize("kind, ext", [("cpp", "cpp"), ("cuda", "cu")])
def test_generated_code_holds_the_rule_and_lower_case_names(kind, ext, tmp_path, standalone_cleanup):
    """The program a standalone device builds contains the ED rule and the run_args it is handed.

    Generation only (no compiler run, no GPU).  brian2cuda lower-cases every
    ``run_args`` value (the file paths), so the names in those paths, and the
    build folder, must be lower-case.
    """
    if kind == "cuda":
        _skip_without_cuda_codegen()
    directory = tmp_path / "build"
    net = _tiny_net(directory, kind)
    net.network.run(net.batch_size * net.coding.period + net.coding.dt)
    device = brian2.get_device()
    device.build(directory=str(directory), compile=False, run=False)

    def source(name):  # Brian2 suffixes _1, _2 … to names still held by objects of earlier tests
        files = [f for f in (directory / "code_objects").glob(f"{name}*.{ext}")
                 if re.fullmatch(rf"{name}(_\d+)?\.{ext}", f.name)]
        assert len(files) == 1, f"code object {name}: {files}"
        return files[0].read_text()

    synapses = _learning_synapses(net)
    assert sorted(s.target.name for s in synapses) == sorted(net.layers)
    update = re.compile(r"\bw\s*(\+=|=\s*w\s*\+)\s*\(?s_exc_pre \* g_plus_post\)? \+ \(?s_inh_pre \* g_minus_post\)?")
    # a fused E/I pair's synapse updates both its weights, each from its own amine's gain
    pair_update = [re.compile(rf"\b{w}\s*(\+=|=\s*{w}\s*\+)\s*\(?s_pre \* {g}_post\)?")
                   for w, g in (("w_e", "g_plus"), ("w_i", "g_minus"))]
    assert net.fused_pairs
    for syn in synapses:
        code = source(f"{syn.name}_learn_codeobject")
        fused = syn.source is net.input_group
        assert all(u.search(code) for u in pair_update) if fused else update.search(code), f"no ED update in {syn.name}"
        assert re.search(r"_cond = learn_now > 0", source(f"{syn.source.name}_learn_thresholder_codeobject")), (
            f"no learn event in {syn.source.name}")
        gains = source(f"{syn.target.name}_factors_codeobject")
        assert "g_plus = " in gains and "g_minus = " in gains, f"no postsynaptic gains in {syn.target.name}"

    # every run_args name exists in the program, and every path handed over is lower-case
    objects = (directory / f"objects.{ext}").read_text()
    inputs = _timed_arrays(net)
    learned = list(net.learned_arrays().values())
    assert sorted(f"{obj.name}.{var}" for obj, var in learned) == [
        "w_hidden1.w", "w_hidden1.w_e", "w_hidden1.w_i", "w_output.w"]
    # the learning rate, diffusion factor, rates and prior counts are handed over at run time, not compiled in
    assert sorted(net.device.parameters) == sorted([
        "amine_hidden1.factor", "input.R_max", "retina.R_max",
        *(f"{layer}.{name}" for layer in ("hidden1", "output") for name in ("c0", "c0y", "lr", "n_max"))])
    names = [f"{name}.values" for name in inputs] + [f"{obj.name}.{var}" for obj, var in learned]
    paths = [directory / "static_arrays" / f"edsnn_{name}.dat" for name in inputs] + [
        Path(device.results_dir) / device.get_array_filename(obj.variables[var]) for obj, var in learned]
    for text in [*names, *map(str, paths), *(obj.name for obj in net.network.objects)]:
        assert text == text.lower(), f"{text!r} is not lower-case: brian2cuda would not find it"
    for name in [*names, *net.device.parameters]:
        assert f'name == "{name}"' in objects, f"{name} cannot be set by run_args"
    assert sorted(inputs) == ["label_ta", "learn_ta", "rates_ta"]


_RATES_20 = np.tile(np.repeat([0.9, 0.6, 0.3, 0.8], 2), (20, 1)) * 400 * Hz


def _test_counts(net, executions):
    """Spike counts of ``executions`` test batches of ``_RATES_20``: layer → (presentations, units)."""
    counts = [net.run(_RATES_20, np.zeros(20, dtype=int), learn=False).counts for _ in range(executions)]
    return {layer: np.concatenate([c[layer] for c in counts]) for layer in counts[0]}


@pytest.mark.cuda
def test_cuda_runs_the_tiny_network_like_cpp(tmp_path, standalone_cleanup):
    """On a GPU: the same counts as cpp_standalone within noise, and the rule equal to the oracle."""
    _skip_without_cuda_codegen()
    from edsnn.model.cuda import gpu_compute_capability

    if gpu_compute_capability() is None:
        pytest.skip("no GPU visible (nvidia-smi)")
    counts = {}
    for kind in ("cpp", "cuda"):
        net = EDNetwork(
            n_inputs=8, n_classes=2, hidden=(4,), batch_size=20, seed=5, ed=EDParameters(lr=0.3),
            coding=SpikeCoding(max_rate=400 * Hz, presentation=20 * ms),
            device=StandaloneRun(kind, str(tmp_path / kind)),
        )
        counts[kind] = _test_counts(net, executions=2)  # 40 presentations of one pattern
    for layer, cpp in counts["cpp"].items():
        cuda = counts["cuda"][layer]
        assert cuda.sum() > 0
        # random streams differ (cuRAND): means per neuron agree within 4 standard errors
        sem = np.sqrt((cpp.var(axis=0) + cuda.var(axis=0)) / len(cpp))
        gap = np.abs(cuda.mean(axis=0) - cpp.mean(axis=0))
        assert np.all(gap <= 4 * sem + 1e-9), (layer, cpp.mean(0), cuda.mean(0))

    # the rule on the GPU: a learning batch replayed by the oracle from the counts cuda recorded
    w_start = net.get_weights()
    labels = np.arange(20) % 2
    result = net.run(_RATES_20, labels, learn=True)
    pixels = np.asarray(_RATES_20[:, ::2] / (400 * Hz))
    expected, activity = replay(net, pixels, labels, np.ones(20, dtype=bool), w_start, result.counts)
    for name, got in net.get_weights().items():
        np.testing.assert_allclose(result.activity[name], activity[name], rtol=0, atol=1e-12)
        np.testing.assert_allclose(got, expected[name], rtol=0, atol=1e-9)  # fused multiply-adds on the GPU
        assert not np.allclose(got, w_start[name])


def test_an_execution_refuses_missing_or_upper_case_inputs(tmp_path):
    """brian2cuda lower-cases run_args paths and ignores files it cannot open: both are caught before."""
    present = tmp_path / "inputs.dat"
    present.write_bytes(b"\0" * 8)
    upper = tmp_path / "Inputs.dat"
    upper.write_bytes(b"\0" * 8)
    cuda, cpp = StandaloneRun("cuda", str(tmp_path / "cuda")), StandaloneRun("cpp", str(tmp_path / "cpp"))
    cuda._check_args([f"rates_ta.values={present}"])
    cpp._check_args([f"rates_ta.values={upper}"])  # cpp keeps the case
    with pytest.raises(ValueError, match="must be lower-case"):
        cuda._check_args([f"rates_ta.values={upper}"])
    with pytest.raises(FileNotFoundError, match="w_output.w of the execution is missing"):
        cpp._check_args([f"w_output.w={tmp_path / 'gone.dat'}"])
