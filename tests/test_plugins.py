"""Networks and parts of a user's own, registered as plugins, go through the same functions and commands.

``plugin_network.py`` (a third network) and ``plugin_parts.py`` (a neuron
model) live here, not in ``edsnn/``: nothing of edsnn is edited for them.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from brian2 import ms, nA

import edsnn
from edsnn.data import SpikeCoding
from edsnn.runs import RunFolder

HERE = Path(__file__).parent
#: Short presentations: the perceptron presents images one by one from Python.
CODING = SpikeCoding(presentation=50 * ms)
SMALL = dict(train=50, test=30, device="numpy", seed=4)


def _edsnn(*args, plugins=True, cwd=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE)] if plugins else [])
    return subprocess.run([sys.executable, "-m", "edsnn.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd)


@pytest.fixture(scope="module")
def perceptron_run(tmp_path_factory):
    from plugin_network import SpikingPerceptron

    assert edsnn.NETWORKS["test-perceptron"] is SpikingPerceptron
    out = tmp_path_factory.mktemp("plugin") / "run"
    config = edsnn.TrainConfig(model="test-perceptron", epochs=2, coding=CODING, record_spikes=True, **SMALL)
    return edsnn.train(config, out=out, progress=False, echo=lambda *a: None)


def test_a_third_network_trains_above_chance_and_evaluates_to_its_record(perceptron_run):
    metrics = perceptron_run.metrics
    assert list(metrics["epoch"]) == [1, 2]
    assert metrics["test_accuracy"].iloc[-1] >= 0.3  # 10 classes: chance is 0.1
    info = json.loads((perceptron_run.path / "config.json").read_text())
    assert info["network_class"] == "plugin_network:SpikingPerceptron"
    assert set(info) >= {"coding", "record_spikes", "format_version", "network"}
    assert not set(info) & {"hidden", "neuron", "ed", "stdp", "diehl_cook", "dc_excitatory"}
    result = edsnn.evaluate(perceptron_run.path, progress=False)
    assert result.accuracy == result.recorded_accuracy == metrics["test_accuracy"].iloc[-1]


def test_a_third_network_is_analysed_and_exported(perceptron_run):
    run = edsnn.load_run(perceptron_run.path)
    assert run.model == "test-perceptron" and run.layers == ["output"]
    counts = run.counts(2)
    assert len(counts) == SMALL["test"] * 10 and set(counts["type"]) == {"E"}
    assert run.max_count == 50  # 50 ms at 1 ms, no refractory period
    written = {Path(p).name for p in edsnn.analyze_run(perceptron_run.path)}
    assert {"rates.csv", "silent_saturated.csv", "isi_cv.csv", "raster.png"} <= written
    rates = pd.read_csv(perceptron_run.path / "analysis" / "rates.csv")
    assert set(rates["layer"]) == {"output"} and rates["class_net"].nunique() == 10
    pytest.importorskip("pynwb")
    path = edsnn.export_run(perceptron_run.path, "nwb")
    assert path.is_file()


def test_options_of_another_network_are_refused_naming_it():
    import plugin_network  # noqa: F401

    with pytest.raises(ValueError, match=r"hidden = \(64,\) applies to model 'spiking' or 'reference'"):
        edsnn.TrainConfig(model="test-perceptron", hidden=(64,))
    with pytest.raises(ValueError, match="not to this run's model 'spiking'"):
        edsnn.TrainConfig(model="spiking", n_excitatory=100)


def test_a_user_neuron_trains_from_python_and_its_run_evaluates(tmp_path):
    from plugin_parts import PerfectIF

    config = edsnn.TrainConfig(neuron=PerfectIF(), hidden=8, epochs=1, **SMALL)
    assert edsnn.TrainConfig(neuron="test-perfect-if", hidden=8, epochs=1, **SMALL) == config
    result = edsnn.train(config, out=tmp_path / "run", progress=False, echo=lambda *a: None)
    info = json.loads((tmp_path / "run" / "config.json").read_text())
    assert info["neuron"]["kind"] == "test-perfect-if" and info["neuron"]["class"] == "plugin_parts:PerfectIF"
    again = edsnn.evaluate(tmp_path / "run", progress=False)
    assert again.accuracy == again.recorded_accuracy == result.metrics["test_accuracy"].iloc[-1]


def test_the_command_line_trains_a_plugin_and_names_it_when_it_cannot_be_imported(tmp_path):
    run = tmp_path / "run"
    done = _edsnn("--plugin", "plugin_network", "train", "--model", "test-perceptron", "--train", "30", "--test",
                  "20", "--epochs", "1", "--device", "numpy", "--presentation", "50ms", "--no-progress",
                  "--out", str(run))
    assert done.returncode == 0, done.stderr
    recorded = float(np.round(RunFolder(run).metrics()["test_accuracy"].iloc[-1] * 100, 1))
    evaluated = _edsnn("evaluate", str(run), "--no-progress")  # imported from the recorded path
    assert evaluated.returncode == 0, evaluated.stderr
    assert f"test accuracy {recorded:.1f} %" in evaluated.stdout
    missing = _edsnn("evaluate", str(run), "--no-progress", plugins=False)
    assert missing.returncode != 0
    assert "plugin_network:SpikingPerceptron" in missing.stderr and "--plugin plugin_network" in missing.stderr
    refused = _edsnn("--plugin", "plugin_network", "train", "--model", "test-perceptron", "--hidden", "64",
                     "--out", str(tmp_path / "other"))
    assert refused.returncode == 2 and "applies to model 'spiking' or 'reference'" in refused.stderr
    assert not (tmp_path / "other").exists()
    helped = _edsnn("--plugin", "plugin_network", "train", "--model", "test-perceptron", "--help")
    assert "--presentation" in helped.stdout and "--hidden" not in helped.stdout


def test_a_user_neuron_is_chosen_by_its_kind_on_the_command_line_and_in_a_sweep_file():
    from plugin_parts import PerfectIF

    from edsnn.cli import _join_values, build_parser, config_from_args
    from edsnn.protocols.sweep_spec import parse_spec

    parser = build_parser()
    args = parser.parse_args(_join_values(parser, ["train", "--neuron", "test-perfect-if", "--tau-m", "10 ms"]))
    assert config_from_args(args).neuron == PerfectIF(tau_m=10 * ms)
    spec = parse_spec('[base]\nhidden = [8]\nneuron = "test-perfect-if"\n\n'
                      '[grid]\n"neuron.I_bias" = ["0.5 nA", "1 nA"]\n')
    assert [point.config.neuron for point in spec.points] == [PerfectIF(I_bias=0.5 * nA), PerfectIF(I_bias=1 * nA)]
