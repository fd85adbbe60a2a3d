"""Diehl & Cook's network from ``edsnn train``: options, run folder, evaluate, resume, refusals.

Tiny runs on the runtime device (Cython): 10 excitatory neurons, 10 images,
short presentations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from brian2 import ms, mV

from edsnn.cli import main
from edsnn.config import schema
from edsnn.protocols import TrainConfig, build_network, evaluate, train
from edsnn.runs import RunFolder

TINY = ["--model", "diehl-cook", "--neurons", "10", "--train", "10", "--test", "10", "--device", "cython",
        "--batch-size", "10", "--diehl-cook.presentation", "100 ms", "--diehl-cook.rest", "20 ms",
        "--diehl-cook.max-intensity", "4", "--dc-excitatory.d-theta", "0.1 mV", "--no-progress"]


def refused(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    assert exit_info.value.code == 2
    return capsys.readouterr().err


@pytest.fixture(scope="module")
def one_epoch(tmp_path_factory):
    """A one-epoch run from the command line."""
    out = tmp_path_factory.mktemp("dc") / "run"
    assert main(["train", *TINY, "--epochs", "1", "--out", str(out)]) == 0
    return out


def test_the_command_line_reaches_the_config(one_epoch):
    config = RunFolder(one_epoch).config()
    assert (config.model, config.n_excitatory, config.train, config.test) == ("diehl-cook", 10, 10, 10)
    assert config.diehl_cook.presentation == 100 * ms and config.diehl_cook.max_intensity == 4.0
    assert config.dc_excitatory.d_theta == 0.1 * mV and config.neuron == TrainConfig().neuron
    assert build_network(config).net.excitatory_model == config.dc_excitatory
    assert TrainConfig(model="diehl-cook").n_excitatory == 400
    assert schema.resolve_name("neurons") == "n_excitatory"


def test_the_run_folder_holds_weights_theta_assignments_and_figures(one_epoch):
    run = RunFolder(one_epoch)
    run.check(require=("config.json", "metrics.csv", "predictions.csv", "weights.npz"))
    saved = run.weights()
    assert saved.epoch == 1
    assert saved.arrays["w"].shape == (784, 10) and saved.arrays["theta"].shape == (10,)
    assert saved.arrays["assignments"].shape == (10,) and saved.arrays["assignments"].max() < 10
    assert np.all(saved.arrays["theta"] > 0.02)  # θ starts at 20 mV and grows per spike while learning
    metrics = run.metrics()
    assert list(metrics.columns)[5:8] == ["presentations", "excitatory_E_rate_hz", "excitatory_E_silent"]
    assert list(metrics.columns)[-1] == "inhibitory_I_saturated"
    assert metrics["presentations"].iloc[0] >= 10  # every image once, repeats on top
    predictions = run.predictions(1)
    assert len(predictions) == 10
    assert metrics["test_accuracy"].iloc[0] == pytest.approx(np.mean(predictions["label"] == predictions["prediction"]))
    for name in ("receptive_fields", "assignments", "learning_curves", "confusion"):
        assert (one_epoch / "figures" / f"{name}.png").stat().st_size > 0
    assert run.description().inputs == 784 and run.description().layers == ["excitatory", "inhibitory"]


def test_evaluate_reproduces_the_recorded_accuracy(one_epoch):
    result = evaluate(one_epoch, progress=False)
    assert result.epoch == 1
    assert result.accuracy == result.recorded_accuracy
    np.testing.assert_array_equal(result.predictions, RunFolder(one_epoch).predictions(1)["prediction"])


def test_an_existing_folder_is_refused_then_resumed(one_epoch, capsys, tmp_path):
    assert "already exists" in refused(capsys, "train", *TINY, "--epochs", "2", "--out", str(one_epoch))
    before = RunFolder(one_epoch).weights().arrays
    assert main(["train", *TINY, "--epochs", "2", "--out", str(one_epoch), "--resume"]) == 0
    run = RunFolder(one_epoch)
    assert run.metrics()["epoch"].tolist() == [1, 2] and run.weights().epoch == 2
    assert not np.array_equal(run.weights().arrays["w"], before["w"])  # it learned on from epoch 1's weights
    # the resumed run equals an uninterrupted one of two epochs, up to rounding: a resumed network
    # starts from each neuron's exact weight sum, the uninterrupted one from its running sum
    config = run.config()
    whole = train(config, tmp_path / "whole", progress=False, echo=lambda *a: None)
    np.testing.assert_allclose(whole.weights["w"], run.weights().arrays["w"], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(whole.weights["theta"], run.weights().arrays["theta"])
    assert whole.metrics["test_accuracy"].tolist() == run.metrics()["test_accuracy"].tolist()


@pytest.mark.parametrize("argv, words", [
    (["--neurons", "100"], "n_excitatory = 100 applies to model 'diehl-cook'"),
    (["--model", "diehl-cook", "--neurons", "0"], "must be a whole number >= 1"),
    (["--model", "diehl-cook", "--neurons", "ten"], "must be a whole number"),
])
def test_bad_neurons_are_refused(capsys, argv, words):
    assert words in refused(capsys, "train", *argv)


def test_analyze_gives_the_firing_statistics_of_both_populations(one_epoch, capsys):
    counts = RunFolder(one_epoch).counts()  # every epoch (the resume test may have added one)
    epochs = counts["epoch"].nunique()
    assert sorted(counts["layer"].unique()) == ["excitatory", "inhibitory"] and len(counts) == epochs * 10 * 2 * 10
    assert set(counts.loc[counts["layer"] == "inhibitory", "type"]) == {"I"}
    # an inhibitory neuron's only input is its excitatory partner: it spikes in a presentation
    # only if its partner did
    wide = counts.pivot_table(index=["epoch", "presentation", "neuron"], columns="layer", values="count")
    assert wide["inhibitory"].sum() > 0 and not ((wide["inhibitory"] > 0) & (wide["excitatory"] == 0)).any()
    assert main(["analyze", str(one_epoch), "--overwrite"]) == 0
    rates = pd.read_csv(one_epoch / "analysis" / "rates.csv")
    keys = ["epoch", "layer", "neuron", "label"]
    expected = counts.groupby(keys, observed=True)["count"].mean().rename("expected") / 0.1  # per 100 ms, Hz
    both = rates.set_index(keys).join(expected, how="inner")
    assert len(both) == len(expected) == len(rates)
    np.testing.assert_allclose(both["rate_hz"], both["expected"])
    assert (one_epoch / "analysis" / "fano.csv").is_file() and (one_epoch / "analysis" / "selectivity.csv").is_file()
