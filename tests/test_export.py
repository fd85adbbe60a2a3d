"""Export to Neo and NWB (edsnn.analysis.export), and edsnn's statistics against Elephant."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest
from brian2 import ms, second
from fake_run import write_fake_run

from edsnn.analysis import export_run, load_run, to_neo, to_nwb
from edsnn.analysis import statistics as st
from edsnn.cli import main
from edsnn.config import TrainConfig
from edsnn.data import SpikeCoding
from edsnn.networks.ed.layout import neuron_type
from edsnn.protocols import train

neo = pytest.importorskip("neo")
pynwb = pytest.importorskip("pynwb")
es = pytest.importorskip("elephant.statistics")
pq = pytest.importorskip("quantities")

N_CLASSES, N_PER_CLASS, HIDDEN, EPOCHS, T = 3, 8, (6,), 2, 0.2
N_TEST = N_CLASSES * N_PER_CLASS
N_NEURONS = N_CLASSES * (sum(HIDDEN) + 1)
KEY = ["epoch", "presentation", "layer", "class_net", "neuron"]
pytestmark = pytest.mark.filterwarnings("ignore:The 'copy' argument in Quantity is deprecated")


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "run"
    write_fake_run(path, epochs=EPOCHS, n_classes=N_CLASSES, n_per_class=N_PER_CLASS, hidden=HIDDEN,
                   presentation_s=T)
    return load_run(path)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """A tiny trained run with a rest after each image (spikes on the dt grid, period 30 ms)."""
    config = TrainConfig(hidden=(4,), train=20, test=30, epochs=2, batch_size=15, device="numpy",
                         record_spikes=True, coding=SpikeCoding(presentation=20 * ms, rest=10 * ms))
    path = tmp_path_factory.mktemp("export") / "real"
    train(config, path, progress=False, echo=lambda *a, **k: None)
    run = load_run(path)
    assert len(run.spikes) > 0 and (run.spikes["t"] >= 0.020).any()  # spikes in the rest too
    return run


def spike_dict(run) -> dict:
    """(epoch, presentation, layer, class_net, neuron) → sorted spike times (s) of spikes.parquet."""
    spikes = run.spikes.sort_values(KEY + ["t"])
    return {key: group["t"].to_numpy() for key, group in spikes.groupby(KEY)}


def train_key(segment, train) -> tuple:
    a, b = segment.annotations, train.annotations
    return (a["epoch"], a["presentation"], b["layer"], b["class_net"], b["neuron"])


# --- Neo -------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["fake", "real"])
def test_neo_trains_equal_spikes_parquet(which, request):
    run = request.getfixturevalue(which)
    block = to_neo(run)
    period = float(run.config.coding.period / second)
    expected, n_neurons = spike_dict(run), run.n_classes * (sum(run.config.hidden) + 1)
    predictions = run.predictions.set_index(["epoch", "presentation"])
    assert len(block.segments) == len(run.predictions)
    seen = 0
    for segment in block.segments:
        a = segment.annotations
        assert (a["label"], a["prediction"]) == tuple(predictions.loc[(a["epoch"], a["presentation"])])
        assert a["label_name"] == run.class_names[a["label"]]
        assert a["session_start_s"] == pytest.approx(
            ((a["epoch"] - 1) * run.config.test + a["presentation"]) * period, abs=1e-12)
        assert len(segment.spiketrains) == n_neurons
        for tr in segment.spiketrains:
            assert tr.units == pq.s and float(tr.t_start) == 0.0 and float(tr.t_stop) == pytest.approx(period)
            assert tr.annotations["type"] == neuron_type(tr.annotations["layer"], tr.annotations["neuron"])
            np.testing.assert_array_equal(tr.magnitude, expected.get(train_key(segment, tr), []))
            seen += len(tr)
    assert seen == len(run.spikes)
    assert len(block.groups) == n_neurons and all(len(g.spiketrains) == len(block.segments) for g in block.groups)
    assert block.annotations["coding.presentation"] == run.info["coding"]["presentation"]
    assert block.annotations["export_versions"]["neo"] == neo.__version__


def test_neo_one_epoch_and_pickle_file(fake, tmp_path):
    block = to_neo(fake, epoch=2)
    assert [s.annotations["epoch"] for s in block.segments] == [2] * N_TEST
    assert block.segments[0].annotations["session_start_s"] == pytest.approx(N_TEST * T)
    with pytest.raises(ValueError, match=r"epoch 3 is not in .*finished epochs: \[1, 2\]"):
        to_neo(fake, epoch=3)
    assert main(["export", str(fake.path), "--format", "neo", "--out", str(tmp_path / "b.pkl")]) == 0
    back = neo.io.PickleIO(str(tmp_path / "b.pkl")).read_block()
    assert len(back.segments) == EPOCHS * N_TEST
    expected = spike_dict(fake)
    for segment in back.segments[::7]:
        for tr in segment.spiketrains:
            np.testing.assert_array_equal(tr.magnitude, expected.get(train_key(segment, tr), []))


# --- NWB -------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["fake", "real"])
def test_nwb_round_trip(which, request, tmp_path):
    run = request.getfixturevalue(which)
    path = to_nwb(run, tmp_path / "run.nwb")
    assert pynwb.validate(path=str(path)) == []
    period = float(run.config.coding.period / second)
    n_test = run.config.test
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        trials = nwb.trials.to_dataframe().reset_index(drop=True)
        units = nwb.units.to_dataframe().reset_index(drop=True)
        weights = {k: v.to_dataframe() for k, v in nwb.processing["weights"].data_interfaces.items()}
        notes = json.loads(nwb.notes)
        subject, resolution = nwb.subject, nwb.units.resolution
    # trials equal predictions.csv, one period each, end to end
    pd.testing.assert_frame_equal(trials[["epoch", "presentation", "label", "prediction"]],
                                  run.predictions, check_dtype=False)
    offset = ((trials["epoch"] - 1) * n_test + trials["presentation"]).to_numpy() * period
    np.testing.assert_allclose(trials["start_time"], offset, atol=1e-12)
    np.testing.assert_allclose(trials["stop_time"] - trials["start_time"], period, atol=1e-12)
    # every neuron's spike times equal spikes.parquet after the offset; counts per trial equal counts.parquet
    counts = run.counts().set_index(["epoch", "presentation", "layer", "class_net", "neuron"])["count"]
    spikes = run.spikes
    assert len(units) == run.n_classes * (sum(run.config.hidden) + 1)
    for unit in units.itertuples():
        own = spikes[(spikes["layer"] == unit.layer) & (spikes["class_net"] == unit.class_net)
                     & (spikes["neuron"] == unit.neuron)]
        start = ((own["epoch"] - 1) * n_test + own["presentation"]).to_numpy() * period
        np.testing.assert_allclose(unit.spike_times, np.sort(start + own["t"].to_numpy()), rtol=0, atol=1e-9)
        per_trial = np.histogram(unit.spike_times, bins=np.r_[trials["start_time"], trials["stop_time"].iloc[-1]])[0]
        index = pd.MultiIndex.from_arrays([trials["epoch"], trials["presentation"], [unit.layer] * len(trials),
                                           [unit.class_net] * len(trials), [unit.neuron] * len(trials)])
        np.testing.assert_array_equal(per_trial, counts.reindex(index).to_numpy())
        assert unit.type == neuron_type(unit.layer, unit.neuron)
        np.testing.assert_allclose(unit.obs_intervals, [[(e - 1) * n_test * period, e * n_test * period]
                                                        for e in run.epochs])
    assert notes["config"] == json.loads(json.dumps(run.info))
    assert notes["export_versions"]["pynwb"] == pynwb.__version__
    for layer in ("hidden1", "output"):  # one row per (class net, postsynaptic neuron): its input weights
        table, saved = weights[layer], run.weights[layer]
        saved = saved[:, :, None] if layer == "output" else saved
        assert table["class_net"].tolist() == np.repeat(np.arange(run.n_classes), saved.shape[2]).tolist()
        assert table["neuron"].tolist() == np.tile(np.arange(saved.shape[2]), run.n_classes).tolist()
        for row in table.itertuples():
            np.testing.assert_array_equal(row.weights, saved[row.class_net, :, row.neuron])
    assert resolution == float(run.config.coding.dt / second)
    assert subject.subject_id == run.path.name and subject.species.endswith("NCBITaxon_32630")
    sizes = ", ".join(f"{layer} {size}" for layer, size in run.description.sizes().items())
    assert f"{run.n_classes} class network(s) of {sizes} neurons" in subject.description
    assert "'spiking' network" in subject.description


@pytest.mark.parametrize("which", ["fake", "real"])
def test_nwb_file_passes_the_nwb_inspector(which, request, tmp_path):
    inspector = pytest.importorskip("nwbinspector", reason="the NWB Inspector checks best practice: "
                                                           "pip install nwbinspector")
    path = to_nwb(request.getfixturevalue(which), tmp_path / "run.nwb")
    messages = list(inspector.inspect_nwbfile(nwbfile_path=str(path)))
    serious = [(m.check_function_name, m.message) for m in messages
               if m.importance.name in ("CRITICAL", "BEST_PRACTICE_VIOLATION", "ERROR", "PYNWB_VALIDATION")]
    assert serious == []
    # what is left are suggestions on facts a simulation lacks (experimenter, institution)
    assert {m.importance.name for m in messages} <= {"BEST_PRACTICE_SUGGESTION"}


def test_export_command(fake, tmp_path, capsys):
    out = tmp_path / "x.nwb"
    assert main(["export", str(fake.path), "--format", "nwb", "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out and pynwb.validate(path=str(out)) == []
    with pytest.raises(SystemExit):
        main(["export", str(fake.path), "--format", "nwb", "--out", str(out)])
    assert "--overwrite" in capsys.readouterr().err
    assert export_run(fake.path, "nwb", out, overwrite=True) == out


def test_run_without_spikes_is_refused(tmp_path, capsys):
    write_fake_run(tmp_path / "plain", n_per_class=3, record_spikes=False)
    write_fake_run(tmp_path / "ref", n_per_class=3, model="reference", record_spikes=False)
    with pytest.raises(ValueError, match="without --record-spikes.*edsnn train --record-spikes"):
        to_neo(tmp_path / "plain")
    with pytest.raises(ValueError, match="'reference' run \\(rate units, no spikes\\)"):
        to_nwb(tmp_path / "ref", tmp_path / "ref.nwb")
    with pytest.raises(SystemExit):
        main(["export", str(tmp_path / "plain"), "--format", "nwb"])
    assert "--record-spikes" in capsys.readouterr().err and not (tmp_path / "plain" / "export.nwb").exists()


@pytest.mark.parametrize("fmt, module", [("nwb", "pynwb"), ("neo", "neo")])
def test_missing_packages_say_what_to_install(fake, fmt, module, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, module, None)  # makes "import module" fail
    assert main(["export", str(fake.path), "--format", fmt]) == 1
    err = capsys.readouterr().err
    assert f"needs the package '{module}'" in err and "pip install 'edsnn[export]'" in err


# --- edsnn's statistics against Elephant -----------------------------------------------
def trains_by_neuron(block) -> dict:
    """(epoch, layer, class_net, neuron) → [(label, train) of every segment]."""
    out = {}
    for segment in block.segments:
        for tr in segment.spiketrains:
            a = tr.annotations
            key = (segment.annotations["epoch"], a["layer"], a["class_net"], a["neuron"])
            out.setdefault(key, []).append((segment.annotations["label"], tr))
    return out


@pytest.mark.parametrize("which", ["fake", "real"])
def test_mean_rate_fano_cv_equal_elephant(which, request):
    run = request.getfixturevalue(which)
    trains = trains_by_neuron(to_neo(run))
    scale = float(run.config.coding.period / run.presentation)  # Neo trains span the period
    rates = st.mean_rate(run.count_summary, run.presentation, by_class=False)
    assert len(rates) == len(trains)
    for row in rates.itertuples():
        own = [tr for _, tr in trains[(row.epoch, row.layer, row.class_net, row.neuron)]]
        elephant_hz = np.mean([float(es.mean_firing_rate(tr).rescale("Hz")) for tr in own])
        assert row.rate_hz == pytest.approx(elephant_hz * scale, rel=1e-12, abs=1e-12)

    # fano: edsnn var with ddof=1, elephant np.var (ddof=0): fano_edsnn = fano_elephant * n / (n - 1)
    fano = st.fano_factor(run.count_summary).dropna(subset=["fano"])
    assert len(fano) > 0
    for row in fano.itertuples():
        own = [tr for label, tr in trains[(row.epoch, row.layer, row.class_net, row.neuron)] if label == row.label]
        n = len(own)
        assert row.fano == pytest.approx(es.fanofactor(own) * n / (n - 1), rel=1e-12)

    # ISI CV: intervals within presentations, pooled per epoch, ddof=0 in both
    cv = st.isi_cv(run.spikes).dropna(subset=["cv"])
    assert len(cv) > 0
    for row in cv.itertuples():
        isis = np.concatenate([es.isi(tr.magnitude) for _, tr in trains[(row.epoch, row.layer, row.class_net,
                                                                           row.neuron)]])
        assert row.n_intervals == len(isis)
        assert row.cv == pytest.approx(es.cv(isis), rel=1e-12, abs=1e-12)


def test_known_fano_conversion():
    """Counts 0, 2, 4: var ddof=0 8/3, ddof=1 4, mean 2: Elephant 4/3, edsnn 2 = 4/3 * 3/2."""
    trains = [neo.SpikeTrain(np.linspace(0.01, 0.1, k) * pq.s, t_stop=0.2 * pq.s) for k in (0, 2, 4)]
    assert es.fanofactor(trains) == pytest.approx(4 / 3)
    counts = pd.DataFrame({"epoch": 1, "presentation": [0, 1, 2], "label": 0, "layer": "output",
                           "class_net": 0, "neuron": 0, "type": "E", "count": [0, 2, 4]})
    assert st.fano_factor(counts)["fano"].iloc[0] == pytest.approx(2.0)


@pytest.mark.parametrize("which, bin_width", [("fake", T / 7 * second), ("real", 5 * ms)])
def test_psth_equals_elephant_time_histogram(which, bin_width, request):
    """edsnn's psth of a population and class = Elephant's time_histogram(output="rate") of its
    trials; both bin [a, b).  The window is the period (with a rest, spikes come after the image)."""
    run = request.getfixturevalue(which)
    block = to_neo(run)
    period = run.config.coding.period
    table = st.psth(run.spikes, run.count_summary, bin_width, period)
    checked = 0
    for (epoch, layer, kind, label), rows in table.groupby(["epoch", "layer", "type", "label"]):
        population = [tr for s in block.segments if (s.annotations["epoch"], s.annotations["label"]) == (epoch, label)
                      for tr in s.spiketrains if (tr.annotations["layer"], tr.annotations["type"]) == (layer, kind)]
        histogram = es.time_histogram(population, bin_size=float(bin_width / second) * pq.s, output="rate")
        np.testing.assert_allclose(rows["rate_hz"], histogram.rescale("Hz").magnitude.ravel(), rtol=1e-12, atol=1e-9)
        checked += rows["n_spikes"].sum()
    assert checked == len(run.spikes)
