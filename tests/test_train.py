"""Training protocol: run folder contents, determinism, resume, evaluate (tiny networks, numpy target)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from brian2 import ms, mV
from run_checks import assert_same_run, run_quietly

from edsnn.analysis import load_run
from edsnn.data import SpikeCoding
from edsnn.model import AdaptiveLIF
from edsnn.networks import SpikingED
from edsnn.protocols import TrainConfig, TrainError, evaluate, run_start
from edsnn.runs import RunFolder

HIDDEN, TRAIN, TEST, EPOCHS = 8, 30, 20, 2


def tiny(**changes) -> TrainConfig:
    config = TrainConfig(hidden=(HIDDEN,), train=TRAIN, test=TEST, epochs=EPOCHS, batch_size=16,
                         coding=SpikeCoding(presentation=20 * ms), device="numpy", record_spikes=True)
    return config.replace(**changes)




@pytest.fixture(scope="module")
def direct(tmp_path_factory):
    """A 2-epoch run, uninterrupted."""
    out = tmp_path_factory.mktemp("runs") / "direct"
    run_quietly(tiny(), out)
    return out




def test_folder_files_and_schemas(direct):
    names = {p.name for p in direct.iterdir()}
    assert {"config.json", "metrics.csv", "counts", "predictions.csv", "spikes", "weights.npz", "figures"} <= names
    for table in ("counts", "spikes"):  # one part per epoch, no temporary file left
        assert sorted(p.name for p in (direct / table).iterdir()) == ["epoch=0001.parquet", "epoch=0002.parquet"]
    assert {p.name for p in (direct / "figures").iterdir()} == {
        "learning_curves.png", "confusion.png", "layer_heatmaps.png"}

    metrics = pd.read_csv(direct / "metrics.csv")
    firing = [f"{layer}_{kind}_{name}" for layer, kinds in (("hidden1", "EI"), ("output", "E")) for kind in kinds
              for name in ("rate_hz", "silent", "saturated")]
    assert list(metrics.columns) == ["epoch", "train_accuracy", "test_accuracy", "train_seconds", "test_seconds",
                                     *firing]
    assert metrics["epoch"].tolist() == [1, 2]
    assert metrics[["train_accuracy", "test_accuracy"]].apply(lambda c: c.between(0, 1)).all().all()

    counts = pd.read_parquet(direct / "counts")  # the parts read as one table
    pd.testing.assert_frame_equal(counts, RunFolder(direct).counts())
    epoch_2 = counts[counts["epoch"] == 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(RunFolder(direct).counts(epoch=2), epoch_2)
    assert list(counts.columns) == ["epoch", "presentation", "label", "layer", "class_net", "neuron", "type",
                                    "count", "activity"]
    assert len(counts) == EPOCHS * TEST * (10 * HIDDEN + 10)
    compact = {"epoch": np.uint16, "presentation": np.uint32, "label": np.uint16, "class_net": np.uint16,
               "neuron": np.uint32, "count": np.uint8, "activity": np.float32}  # count: <= 255 steps a presentation
    assert {column: counts[column].dtype for column in compact} == compact
    assert counts["activity"].between(0, 1).all()
    hidden = counts[counts["layer"] == "hidden1"]
    assert set(hidden["neuron"]) == set(range(HIDDEN)) and set(hidden["class_net"]) == set(range(10))
    assert (hidden["type"] == np.where(hidden["neuron"] % 2 == 0, "E", "I")).all()
    assert (counts.loc[counts["layer"] == "output", "type"] == "E").all()

    predictions = pd.read_csv(direct / "predictions.csv")
    assert list(predictions.columns) == ["epoch", "presentation", "label", "prediction"]
    assert len(predictions) == EPOCHS * TEST
    # counts are written batch by batch (batch_size 16 < TEST): presentations keep their epoch index
    assert sorted(counts["presentation"].unique()) == list(range(TEST))
    label_of = counts.drop_duplicates(["epoch", "presentation"]).set_index(["epoch", "presentation"])["label"]
    assert (label_of.loc[list(zip(predictions["epoch"], predictions["presentation"]))].to_numpy()
            == predictions["label"].to_numpy()).all()
    last = predictions[predictions["epoch"] == 2]
    assert np.mean(last["label"] == last["prediction"]) == pytest.approx(metrics["test_accuracy"].iloc[-1])
    # the count table's labels are the predictions' labels
    labels = counts[(counts["layer"] == "output") & (counts["class_net"] == 0)]
    np.testing.assert_array_equal(labels["label"].to_numpy(), predictions["label"].to_numpy())

    spikes = pd.read_parquet(direct / "spikes")
    assert list(spikes.columns) == ["epoch", "presentation", "layer", "class_net", "neuron", "t"]
    assert len(spikes) > 0 and spikes["t"].between(0, 0.020, inclusive="left").all()
    # spike times agree with the counts
    per_neuron = spikes.groupby(["epoch", "presentation", "layer", "class_net", "neuron"]).size()
    key = counts.set_index(["epoch", "presentation", "layer", "class_net", "neuron"])["count"]
    np.testing.assert_array_equal(key.reindex(per_neuron.index).to_numpy(), per_neuron.to_numpy())
    assert key.sum() == len(spikes)

    with np.load(direct / "weights.npz") as w:
        assert w["hidden1"].shape == (10, 1568, HIDDEN) and w["output"].shape == (10, HIDDEN)
        assert int(w["epoch"]) == 2 and int(w["seed"]) == 0

    config = json.loads((direct / "config.json").read_text())
    for key in ("coding", "neuron", "synapse", "ed", "edsnn_version", "brian2_version", "numpy_version", "seed",
                "device", "command_line", "dataset", "data_source", "class_names", "n_classes",
                "hidden", "model", "record_spikes", "format_version", "network"):
        assert key in config, key
    assert config["format_version"] == 2
    assert config["network"]["populations"]["hidden1"] == {"size": HIDDEN, "types": "EI"}
    assert not {"stdp", "diehl_cook", "dc_excitatory", "transfer", "input_neuron", "n_excitatory"} & set(config)
    assert config["coding"]["presentation"] == "20. ms" and config["neuron"]["tau_m"] == "20. ms"
    assert TrainConfig.from_dict(config) == tiny()

    run = load_run(direct)  # the analysis reads the folder
    assert run.epochs == [1, 2] and run.layers == ["hidden1", "output"]


def test_resume_equals_uninterrupted_run(direct, tmp_path):
    out = tmp_path / "resumed"
    run_quietly(tiny(epochs=1), out)
    assert pd.read_csv(out / "metrics.csv")["epoch"].tolist() == [1]
    run_quietly(tiny(), out, resume=True)
    assert_same_run(direct, out)
    assert json.loads((out / "config.json").read_text())["epochs"] == 2


def test_interrupt_leaves_finished_epochs_and_resumes(direct, tmp_path, monkeypatch):
    out = tmp_path / "interrupted"
    real_learn = SpikingED.learn

    def learn_then_interrupt(self, images, labels, epoch, *args, **kwargs):
        if epoch == 2:
            raise KeyboardInterrupt
        return real_learn(self, images, labels, epoch, *args, **kwargs)

    monkeypatch.setattr(SpikingED, "learn", learn_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        run_quietly(tiny(), out)
    monkeypatch.setattr(SpikingED, "learn", real_learn)
    run = load_run(out)
    assert run.epochs == [1] and run.metrics["epoch"].tolist() == [1] and run.weights["epoch"] == 1
    run_quietly(tiny(), out, resume=True)
    assert_same_run(direct, out)


def test_same_seed_same_run(direct, tmp_path):
    run_quietly(tiny(), tmp_path / "again")
    assert_same_run(direct, tmp_path / "again")


def test_different_seeds_differ(direct, tmp_path):
    run_quietly(tiny(seed=1, epochs=1), tmp_path / "seed1")
    with np.load(direct / "weights.npz") as a, np.load(tmp_path / "seed1" / "weights.npz") as b:
        assert not np.array_equal(a["hidden1"], b["hidden1"])
    counts0 = RunFolder(direct).counts(epoch=1)["count"].to_numpy()
    counts1 = RunFolder(tmp_path / "seed1").counts()["count"].to_numpy()
    assert not np.array_equal(counts0, counts1)


def test_evaluate_reproduces_last_test_accuracy(direct):
    result = evaluate(direct, progress=False)
    metrics = pd.read_csv(direct / "metrics.csv")
    assert result.epoch == 2
    assert result.accuracy == metrics["test_accuracy"].iloc[-1] == result.recorded_accuracy
    predictions = pd.read_csv(direct / "predictions.csv").query("epoch == 2")
    np.testing.assert_array_equal(result.predictions, predictions["prediction"].to_numpy())


def test_existing_folder_refused_unless_resume_or_overwrite(direct, tmp_path):
    with pytest.raises(TrainError, match="already exists and is not empty"):
        run_quietly(tiny(), direct)
    with pytest.raises(TrainError, match="different settings for ed"):
        run_quietly(tiny(ed=tiny().ed.replace(lr=0.5)), direct, resume=True)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    (other / "evaluation.csv").write_text("epoch,images,test_set,accuracy,device,date\n")  # the earlier run's
    with pytest.raises(TrainError, match="already exists"):
        run_quietly(tiny(epochs=1), other)
    run_quietly(tiny(epochs=1, record_spikes=False), other, overwrite=True)
    assert (other / "notes.txt").read_text() == "mine"  # --overwrite removes run files only
    assert not (other / "evaluation.csv").exists()
    assert not (other / "spikes").exists()


def test_sizes_beyond_the_data_refused(tmp_path):
    with pytest.raises(TrainError, match="more than the 1000 train images"):
        run_quietly(tiny(train=1001), tmp_path / "big")
    assert not (tmp_path / "big").exists()


def test_reference_model_runs(tmp_path):
    out = tmp_path / "reference"
    with pytest.raises(ValueError, match="record_spikes = True applies to model 'spiking'"):
        tiny(model="reference")  # rate units have no spikes to record
    result = run_quietly(tiny(model="reference", epochs=1, record_spikes=False), out)
    assert result.metrics["epoch"].tolist() == [1]
    counts = RunFolder(out).counts()
    assert counts["count"].isna().all() and counts["count"].dtype == "Int64"
    assert counts["activity"].between(0, 1).all()
    assert not (out / "spikes").exists() and RunFolder(out).spikes() is None  # no spikes in rate units
    run = load_run(out)
    with pytest.raises(ValueError, match="reference"):
        run.require_spiking()


def test_kept_state_is_saved_resumed_and_train_returns_the_network(tmp_path):
    config = tiny(neuron=AdaptiveLIF(d_theta=0.5 * mV, tau_theta=1e7 * ms))
    result = run_quietly(config, tmp_path / "direct")
    theta = result.weights["hidden1.theta"]
    assert theta.shape == (10, HIDDEN) and theta.max() > 0
    np.testing.assert_array_equal(result.network.get_state()["hidden1.theta"], theta)
    np.testing.assert_array_equal(RunFolder(tmp_path / "direct").weights().arrays["hidden1.theta"], theta)
    run_quietly(config.replace(epochs=1), tmp_path / "resumed")
    resumed = run_quietly(config, tmp_path / "resumed", resume=True)
    np.testing.assert_array_equal(resumed.weights["hidden1.theta"], theta)
    assert_same_run(tmp_path / "direct", tmp_path / "resumed")


@pytest.fixture
def short_test_file(monkeypatch):
    """The embedded test file cut to its first 40 images, so a run can be tested on all of it cheaply."""
    real = run_start.load_dataset

    def load(name, split, *args):
        data = real(name, split, *args)
        if split != "test":
            return data
        return dataclasses.replace(data, images=data.images[:40], labels=data.labels[:40])

    monkeypatch.setattr(run_start, "load_dataset", load)
    return 40


def test_evaluate_all_test_presents_the_whole_test_file(short_test_file, tmp_path):
    """A run tested on every image of the file: ``all_test`` presents the same images, same result;
    a run tested on a selection is scored on the whole file."""
    whole = tmp_path / "whole"
    run_quietly(tiny(test=short_test_file, epochs=1, record_spikes=False), whole)
    recorded = evaluate(whole, progress=False)
    result = evaluate(whole, progress=False, all_test=True)
    assert len(result.labels) == short_test_file and result.recorded_accuracy is None
    assert result.accuracy == recorded.accuracy == recorded.recorded_accuracy
    np.testing.assert_array_equal(result.predictions, recorded.predictions)
    part = tmp_path / "part"
    run_quietly(tiny(test=10, epochs=1, record_spikes=False), part)
    result = evaluate(part, progress=False, all_test=True)
    assert len(result.labels) == short_test_file and result.accuracy == np.mean(result.predictions == result.labels)


def test_cpp_spike_times_cover_the_shown_presentations_only(tmp_path):
    """A standalone program runs its batch to the batch size; the padding's spikes are not the run's."""
    run_quietly(tiny(device="cpp", epochs=1), tmp_path / "cpp")
    spikes, counts = RunFolder(tmp_path / "cpp").spikes(), RunFolder(tmp_path / "cpp").counts(1)
    assert spikes["presentation"].max() < TEST
    assert len(spikes) == int(counts["count"].sum()) > 0
