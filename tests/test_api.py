"""The Python API speaks the command line's vocabulary: names, kinds, scalars, short reprs."""

import subprocess
import sys

import pytest
from brian2 import ms

import edsnn
from edsnn.model import Izhikevich, LIFParameters


def test_import_edsnn_gives_the_main_api_without_importing_brian2_first():
    code = "import sys, edsnn; print('brian2' in sys.modules, edsnn.__version__ != '')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]
    for name in ("TrainConfig", "train", "evaluate", "load_run", "analyze_run", "export_run", "register",
                 "Network", "NeuronModel", "LIF", "EDNetwork"):
        assert name in dir(edsnn) and getattr(edsnn, name) is not None


def test_a_config_from_the_command_line_names():
    config = edsnn.TrainConfig.from_options(lr=0.1, tau_m=10 * ms, hidden=32, max_rate="100 Hz")
    assert (config.ed.lr, config.neuron.tau_m, config.hidden, float(config.coding.max_rate)) == (
        0.1, 10 * ms, (32,), 100.0)
    assert edsnn.TrainConfig.from_options(neuron="izhikevich").neuron == Izhikevich()
    assert edsnn.TrainConfig.from_options(model="diehl-cook", neurons=100).n_excitatory == 100
    with pytest.raises(TypeError, match="did you mean"):
        edsnn.TrainConfig.from_options(hiden=32)
    with pytest.raises(ValueError, match="tau_m must be a time"):
        edsnn.TrainConfig.from_options(tau_m=20)


def test_kinds_and_scalars_where_the_command_line_takes_them():
    assert edsnn.TrainConfig(neuron="izhikevich", hidden=16) == edsnn.TrainConfig(neuron=Izhikevich(), hidden=(16,))
    assert edsnn.TrainConfig(synapse="delta").synapse.kind == "delta"
    with pytest.raises(ValueError, match="neuron must be one of .*'lif'.*edsnn.register"):
        edsnn.TrainConfig(neuron="hodgkin")
    assert edsnn.EDNetwork(n_inputs=8, n_classes=2, hidden=3, neuron=LIFParameters(), batch_size=2).hidden == (3,)


def test_results_have_short_reprs(tmp_path):
    config = edsnn.TrainConfig(hidden=4, train=20, test=10, epochs=1, device="numpy")
    result = edsnn.train(config, out=tmp_path / "run", progress=False, echo=lambda *a: None)
    text = repr(result)
    assert text.startswith(f"TrainResult({str(tmp_path / 'run')!r}, 'spiking' network, test accuracy ")
    assert text.endswith("weights: hidden1, output)") and len(text) < 300
    evaluated = repr(edsnn.evaluate(tmp_path / "run", progress=False))
    assert evaluated.startswith("EvaluationResult(accuracy ") and "on 10 presentations, weights of epoch 1" in evaluated
