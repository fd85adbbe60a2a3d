"""Firing statistics against known answers (synthetic, seeded tables from tests/fake_run.py)."""

import doctest
import json
import re
import shutil

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from brian2 import Hz, ms, mV, second  # noqa: E402
from fake_run import (  # noqa: E402
    ACTIVITY_MAX_HZ,
    OUTPUT_HZ,
    SATURATED,
    SELECTIVE,
    SILENT,
    fake_tables,
    poisson_hz,
    write_fake_run,
)

from edsnn.analysis import RunFolderError, analyze_run, load_run, plots  # noqa: E402
from edsnn.analysis import run as run_module  # noqa: E402
from edsnn.analysis import statistics as st  # noqa: E402
from edsnn.analysis.balance import input_balance  # noqa: E402
from edsnn.config import TrainConfig  # noqa: E402
from edsnn.units import UnitError  # noqa: E402

T = 0.2  # presentation of the fake tables (s)


@pytest.fixture(scope="module")
def big():
    """Many presentations per class: tight estimates (read-only, shared)."""
    return fake_tables(epochs=1, n_classes=3, n_per_class=300, hidden=(8,), presentation_s=T, seed=3)


@pytest.fixture(scope="module")
def small():
    return fake_tables(epochs=2, n_classes=3, n_per_class=20, hidden=(6,), presentation_s=T, seed=4)


@pytest.fixture
def run_dir(tmp_path):
    write_fake_run(tmp_path / "run", epochs=2, n_classes=3, n_per_class=10, hidden=(6,))
    return tmp_path / "run"


def hidden(table, neuron):
    return table[(table["layer"] == "hidden1") & (table["neuron"] == neuron)]


# --- rates ---------------------------------------------------------------------------
def test_mean_rate_of_poisson_neurons_matches_known_rate(big):
    rates = st.mean_rate(big.counts, T * second)
    assert {"rate_hz", "mean_count", "n_presentations", "label"} <= set(rates.columns)
    assert rates["rate_hz"].dtype == float
    for j in range(3, 8):
        r = hidden(rates, j)["rate_hz"].to_numpy()
        expected = poisson_hz(j)
        # 300 presentations: standard error sqrt(rate/(n*T)) ~ 0.4..0.7 Hz; allow ~5 s.e.
        assert np.allclose(r, expected, atol=5 * np.sqrt(expected / (300 * T)))
    out = rates[rates["layer"] == "output"]
    own = out["label"] == out["class_net"]
    assert np.allclose(out.loc[own, "rate_hz"], OUTPUT_HZ[0], rtol=0.08)
    assert np.allclose(out.loc[~own, "rate_hz"], OUTPUT_HZ[1], rtol=0.2)


def test_mean_rate_without_classes_and_units_checked(small):
    rates = st.mean_rate(small.counts, 200 * ms, by_class=False)
    assert "label" not in rates.columns
    assert (rates["n_presentations"] == 60).all()
    sat = hidden(rates, SATURATED)["rate_hz"]
    assert np.allclose(sat, small.max_count / T)
    with pytest.raises(UnitError, match="presentation must be a time"):
        st.mean_rate(small.counts, 0.2)
    with pytest.raises(UnitError):
        st.mean_rate(small.counts, 5 * mV)
    with pytest.raises(ValueError, match="positive"):
        st.mean_rate(small.counts, 0 * ms)


def test_population_rate_exact_on_small_table():
    counts = pd.DataFrame({
        "epoch": 1, "presentation": [0, 0, 0, 1, 1, 1], "label": [0, 0, 0, 1, 1, 1],
        "layer": "hidden1", "class_net": 0, "neuron": [0, 1, 2] * 2,
        "type": ["E", "I", "E"] * 2, "count": [1, 4, 3, 3, 2, 5],
    })
    pop = st.population_rate(counts, 100 * ms)
    e = pop[pop["type"] == "E"].iloc[0]
    assert e["n_neurons"] == 2
    assert e["rate_hz"] == pytest.approx(30.0)  # neuron 0: 20 Hz, neuron 2: 40 Hz
    assert e["sd_hz"] == pytest.approx(np.std([20, 40], ddof=1))
    assert pop[pop["type"] == "I"]["rate_hz"].iloc[0] == pytest.approx(30.0)


def test_layers_sorted_in_network_order(small):
    t = fake_tables(epochs=1, n_classes=2, n_per_class=3, hidden=(4, 4, 4, 4, 4, 4, 4, 4, 4, 4))
    pop = st.population_rate(t.counts, T * second)
    layers = list(dict.fromkeys(pop["layer"]))
    assert layers == [f"hidden{i}" for i in range(1, 11)] + ["output"]


# --- silent / saturated -----------------------------------------------------------------
def caps_of(tables, activity_max_rate=ACTIVITY_MAX_HZ * Hz):
    return st.SaturationCaps(presentation=tables.presentation_s * second, dt=1 * ms,
                             tau_ref=2 * ms, activity_max_rate=activity_max_rate)


def test_silent_and_saturated_fractions_exact(small):
    caps = caps_of(small)
    assert (caps.activity_cap, caps.refractory_limit) == (30, small.max_count) == (30, 66)
    frac = st.silent_saturated(small.counts, caps)
    h = frac[frac["layer"] == "hidden1"].set_index(["epoch", "type"])
    # hidden1 of each class net: E = {0 selective, 2 saturated, 4}, I = {1 silent, 3, 5}
    for epoch in (1, 2):
        assert h.loc[(epoch, "I"), "silent_fraction"] == pytest.approx(1 / 3)
        assert h.loc[(epoch, "I"), "n_silent"] == 3  # one per class net
        assert h.loc[(epoch, "E"), "silent_fraction"] == 0  # the selective one fires for its class
        for cap in ("activity_cap", "refractory_limit"):  # neuron 2 fires 66 spikes: both caps
            assert h.loc[(epoch, "E"), f"saturated_{cap}_fraction"] == pytest.approx(1 / 3)
            assert h.loc[(epoch, "I"), f"n_saturated_{cap}"] == 0
    assert (frac[frac["layer"] == "output"]["silent_fraction"] == 0).all()
    assert (frac["activity_cap"] == 30).all() and (frac["refractory_limit"] == 66).all()


def test_saturation_at_activity_cap_below_refractory_limit():
    # 50 ms, 200 Hz: the rule reads 10 spikes as activity 1; the refractory limit is 16
    caps = st.SaturationCaps(presentation=50 * ms, activity_max_rate=200 * Hz, tau_ref=2 * ms,
                             dt=1 * ms)
    assert (caps.activity_cap, caps.refractory_limit) == (10, 16)
    counts = pd.DataFrame({  # I neurons at 190-220 Hz; one E neuron at the refractory limit
        "epoch": 1, "presentation": [0] * 4 + [1] * 4, "label": [0] * 4 + [1] * 4,
        "layer": "hidden1", "class_net": 0, "neuron": [1, 3, 5, 0] * 2,
        "type": ["I", "I", "I", "E"] * 2, "count": [10, 12, 9, 16, 11, 10, 10, 16],
    })
    frac = st.silent_saturated(counts, caps).set_index("type")
    assert frac.loc["I", "n_saturated_activity_cap"] == 2  # mean counts 10.5, 11 and 9.5
    assert frac.loc["I", "saturated_activity_cap_fraction"] == pytest.approx(2 / 3)
    assert frac.loc["I", "saturated_refractory_limit_fraction"] == 0
    assert frac.loc["E", "saturated_refractory_limit_fraction"] == 1
    # a cap that is not a whole count: 7.5 spikes -> 8 are needed
    assert st.SaturationCaps(presentation=50 * ms, activity_max_rate=150 * Hz, tau_ref=0 * ms,
                             dt=1 * ms).activity_cap == 8


def test_saturation_caps_from_config_and_refusals(run_dir):
    run = load_run(run_dir)
    caps = st.SaturationCaps.from_config(run.config)  # config.json as read back
    assert caps == st.SaturationCaps(presentation=200 * ms, activity_max_rate=150 * Hz,
                                     tau_ref=2 * ms, dt=1 * ms)
    from edsnn.config import TrainConfig  # the typed settings give the same caps

    config = TrainConfig()
    typed = st.SaturationCaps.from_config(config)
    assert typed.presentation == config.coding.presentation
    assert typed.activity_max_rate == config.ed.activity_max_rate
    assert typed.tau_ref == config.neuron.tau_ref and typed.dt == config.coding.dt
    assert st.max_count(50 * ms, 1 * ms) == 50
    assert st.max_count(50 * ms, 1 * ms, refractory=4 * ms) == 10
    with pytest.raises(UnitError, match=r"activity_max_rate must be a rate, e.g. 200. Hz \(got 200\)"):
        st.SaturationCaps(presentation=50 * ms, activity_max_rate=200, tau_ref=2 * ms, dt=1 * ms)
    with pytest.raises(UnitError, match="tau_ref must be a time"):
        st.SaturationCaps(presentation=50 * ms, activity_max_rate=200 * Hz, tau_ref=2, dt=1 * ms)
    with pytest.raises(ValueError, match="activity_max_rate must be positive"):
        st.SaturationCaps(presentation=50 * ms, activity_max_rate=0 * Hz, tau_ref=2 * ms, dt=1 * ms)
    with pytest.raises(TypeError, match="tau_ref"):  # no silent default for a cap
        st.SaturationCaps(presentation=50 * ms, activity_max_rate=200 * Hz, dt=1 * ms)
    with pytest.raises(TypeError, match="caps must be a SaturationCaps"):
        st.silent_saturated(run.count_summary, 66)
    config = json.loads((run_dir / "config.json").read_text())
    config["ed"]["activity_max_rate"] = "200"  # no unit
    (run_dir / "config.json").write_text(json.dumps(config))
    with pytest.raises(RunFolderError, match=r"config.json"):
        analyze_run(run_dir)
    assert not (run_dir / "analysis").exists()


# --- Fano factor ----------------------------------------------------------------------
def test_fano_factor_of_poisson_counts_is_one(big):
    fano = st.fano_factor(big.counts)
    poisson = fano[(fano["layer"] == "hidden1") & (fano["neuron"] >= 3)]["fano"]
    assert len(poisson) == 3 * 5 * 3  # nets x neurons x classes
    # 300 repeats: sd of one estimate ~ sqrt(2/299) = 0.08, of the mean of 45 ~ 0.012
    assert poisson.mean() == pytest.approx(1.0, abs=0.05)
    assert np.all(np.abs(poisson - 1) < 0.35)
    sat = hidden(fano, SATURATED)["fano"]
    assert (sat == 0).all()  # a regular neuron has no count variance
    assert hidden(fano, SILENT)["fano"].isna().all()  # undefined for a silent neuron


def test_fano_factor_exact_values():
    counts = pd.DataFrame({
        "epoch": 1, "presentation": [0, 1, 2, 3], "label": [0, 0, 1, 1], "layer": "output",
        "class_net": 0, "neuron": 0, "type": "E", "count": [2, 4, 5, 5],
    })
    fano = st.fano_factor(counts).set_index("label")
    assert fano.loc[0, "fano"] == pytest.approx(2.0 / 3.0)  # var 2 (ddof=1), mean 3
    assert fano.loc[1, "fano"] == 0
    single = counts.iloc[:1]
    assert np.isnan(st.fano_factor(single)["fano"].iloc[0])


# --- selectivity -------------------------------------------------------------------------
def test_neuron_firing_for_one_class_only_has_selectivity_one(small):
    sel = st.selectivity(small.counts)
    assert set(sel.columns) >= {"preferred_class", "selectivity", "n_classes"}
    one = hidden(sel, SELECTIVE)
    assert (one["selectivity"] == 1.0).all()
    assert (one["preferred_class"].astype(int) == one["class_net"]).all()
    silent = hidden(sel, SILENT)
    assert silent["selectivity"].isna().all() and silent["preferred_class"].isna().all()
    flat = hidden(sel, SATURATED)  # same count for every class
    assert (flat["selectivity"] == 0).all()
    assert (flat["preferred_class"] == 0).all()  # ties: lowest class
    values = sel["selectivity"].dropna()
    assert ((values >= 0) & (values <= 1)).all()


def test_selectivity_index_formula():
    counts = pd.DataFrame({
        "epoch": 1, "presentation": [0, 1, 2], "label": [0, 1, 2], "layer": "hidden1",
        "class_net": 0, "neuron": 0, "type": "E", "count": [2, 6, 4],
    })
    row = st.selectivity(counts).iloc[0]
    assert row["preferred_class"] == 1
    assert row["selectivity"] == pytest.approx((6 - 3) / (6 + 3))


# --- confusion ---------------------------------------------------------------------------
def test_confusion_matrix_exact():
    p = pd.DataFrame({
        "epoch": [1, 1, 2, 2, 2, 2, 2],
        "presentation": [0, 1, 0, 1, 2, 3, 4],
        "label": [0, 1, 0, 0, 1, 2, 2],
        "prediction": [1, 1, 0, 2, 1, 2, 0],
    })
    last = st.confusion_matrix(p)
    assert last.to_numpy().tolist() == [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
    assert last.index.name == "label" and last.columns.name == "prediction"
    first = st.confusion_matrix(p, epoch=1, n_classes=3)
    assert first.to_numpy().tolist() == [[0, 1, 0], [0, 1, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="epoch 7 is not in predictions"):
        st.confusion_matrix(p, epoch=7)
    with pytest.raises(ValueError, match="outside the classes"):
        st.confusion_matrix(p, n_classes=2)


def test_confusion_matrix_matches_fake_predictions(small):
    p = small.predictions
    matrix = st.confusion_matrix(p, epoch=2, n_classes=3).to_numpy()
    last = p[p["epoch"] == 2]
    assert matrix.sum() == len(last)
    assert np.trace(matrix) == int((last["label"] == last["prediction"]).sum())
    expected = pd.crosstab(last["label"], last["prediction"]).reindex(
        index=range(3), columns=range(3), fill_value=0).to_numpy()
    assert (matrix == expected).all()


# --- evolution ---------------------------------------------------------------------------
def test_evolution_has_one_row_per_epoch_layer_type(small):
    evo = st.evolution(small.counts, caps_of(small))
    assert list(evo.columns) == [
        "epoch", "layer", "type", "n_neurons", "rate_hz", "sd_hz", "silent_fraction",
        "activity_cap", "saturated_activity_cap_fraction", "refractory_limit",
        "saturated_refractory_limit_fraction", "fano", "selectivity",
    ]
    assert len(evo) == 2 * 3  # epochs x (hidden1 E, hidden1 I, output E)
    assert evo["epoch"].tolist() == [1, 1, 1, 2, 2, 2]


# --- spike times --------------------------------------------------------------------------
def poisson_train(rate_hz, duration_s, rng):
    n = rng.poisson(rate_hz * duration_s)
    return np.sort(rng.uniform(0, duration_s, n))


def test_isi_cv_of_poisson_train_is_one_and_regular_train_zero():
    rng = np.random.default_rng(7)
    t = poisson_train(50.0, 40.0, rng)  # ~2000 spikes in one long presentation
    regular = np.arange(0, 40.0, 0.02)
    spikes = pd.DataFrame({
        "epoch": 1, "presentation": 0, "layer": "hidden1", "class_net": 0,
        "neuron": np.r_[np.zeros(len(t), int), np.ones(len(regular), int)],
        "t": np.r_[t, regular],
    })
    cv = st.isi_cv(spikes).set_index("neuron")
    assert cv.loc[0, "cv"] == pytest.approx(1.0, abs=0.06)
    assert cv.loc[0, "mean_isi_s"] == pytest.approx(1 / 50.0, rel=0.06)
    assert cv.loc[1, "cv"] == pytest.approx(0.0, abs=1e-9)
    assert cv.loc[0, "type"] == "E" and cv.loc[1, "type"] == "I"


def test_isi_intervals_never_cross_presentations():
    spikes = pd.DataFrame({
        "epoch": 1, "presentation": [0, 0, 1, 1], "layer": "output", "class_net": 0,
        "neuron": 0, "t": [0.010, 0.020, 0.001, 0.011],
    })
    cv = st.isi_cv(spikes).iloc[0]
    assert cv["n_spikes"] == 4 and cv["n_intervals"] == 2
    assert cv["mean_isi_s"] == pytest.approx(0.010)
    assert np.isnan(st.isi_cv(spikes, min_intervals=3)["cv"].iloc[0])


def test_isi_cv_of_fake_run_poisson_neurons(small):
    cv = st.isi_cv(small.spikes)
    poisson = cv[(cv["layer"] == "hidden1") & (cv["neuron"] >= 3)]["cv"]
    # 200 ms windows censor long intervals: CV a little below 1
    assert poisson.mean() == pytest.approx(1.0, abs=0.1)
    assert hidden(cv, SATURATED)["cv"].max() < 1e-6


def test_psth_of_known_train():
    # two presentations of class 0, one of class 1; one hidden1 E population of 2 neurons
    counts = pd.DataFrame({
        "epoch": 1, "presentation": [0, 0, 1, 1, 2, 2], "label": [0, 0, 0, 0, 1, 1],
        "layer": "hidden1", "class_net": 0, "neuron": [0, 2] * 3, "type": "E", "count": 0,
    })
    spikes = pd.DataFrame({
        "epoch": 1, "presentation": [0, 0, 1, 2], "layer": "hidden1", "class_net": 0,
        "neuron": [0, 2, 0, 2], "t": [0.001, 0.012, 0.0149, 0.020],
    })
    h = st.psth(spikes, counts, 10 * ms, 20 * ms)
    assert len(h) == 2 * 2  # classes x bins
    c0 = h[h["label"] == 0]
    assert c0["n_spikes"].tolist() == [1, 2]
    assert c0["bin_start_s"].tolist() == pytest.approx([0.0, 0.01])
    # rate per neuron: spikes / (2 presentations x 2 neurons x 10 ms)
    assert c0["rate_hz"].tolist() == pytest.approx([25.0, 50.0])
    c1 = h[h["label"] == 1]
    assert c1["n_spikes"].tolist() == [0, 1]  # the spike at the very end is in the last bin
    assert c1["rate_hz"].tolist() == pytest.approx([0.0, 50.0])


def test_psth_of_fake_run_recovers_rates(small):
    h = st.psth(small.spikes, small.counts, 50 * ms, T * second)
    out = h[h["layer"] == "output"]
    mean = out.groupby("label")["rate_hz"].mean()
    # each class drives its own output net at 80 Hz, the others at 10 Hz: population mean 33 Hz
    expected = (OUTPUT_HZ[0] + 2 * OUTPUT_HZ[1]) / 3
    assert np.allclose(mean, expected, rtol=0.2)
    with pytest.raises(ValueError, match="outside the presentation|within the presentation"):
        st.psth(small.spikes, small.counts, 5 * ms, 50 * ms)
    with pytest.raises(UnitError, match="bin_width must be a time"):
        st.psth(small.spikes, small.counts, 5, T * second)


def test_spike_statistics_need_spikes(small):
    with pytest.raises(ValueError, match="no spike times"):
        st.isi_cv(None)
    with pytest.raises(ValueError, match="lacks the column"):
        st.isi_cv(small.spikes.drop(columns="t"))


# --- input errors -------------------------------------------------------------------------
def test_reference_model_counts_refused(tmp_path):
    write_fake_run(tmp_path / "ref", model="reference", n_per_class=3, record_spikes=False)
    run = load_run(tmp_path / "ref")
    assert run.counts()["count"].isna().all()
    for stat in (st.fano_factor, st.selectivity, lambda c: st.mean_rate(c, 50 * ms)):
        with pytest.raises(ValueError, match="reference-model"):
            stat(run.counts())
    with pytest.raises(ValueError, match="reference-model"):
        run.count_summary  # noqa: B018
    with pytest.raises(ValueError, match="reference"):
        run.require_spiking()
    with pytest.raises(ValueError, match="reference"):
        analyze_run(tmp_path / "ref")


def test_missing_columns_and_wrong_type_refused(small):
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['count'\]"):
        st.fano_factor(small.counts.drop(columns="count"))
    with pytest.raises(TypeError, match="DataFrame"):
        st.selectivity(small.counts.to_numpy())
    with pytest.raises(ValueError, match="empty"):
        st.selectivity(small.counts.iloc[:0])


# --- run folder ----------------------------------------------------------------------------
def test_load_run_gives_the_typed_config_and_tables(run_dir):
    run = load_run(run_dir)
    assert isinstance(run.config, TrainConfig) and run.config.hidden == (6,) and run.config.test == 30
    assert run.config.coding.presentation == 200 * ms
    assert run.config.coding.max_rate == 150 * Hz
    assert run.config.neuron.v_rest == -65 * mV
    assert run.config.ed.lr == 0.15
    assert run.info["class_names"] == ["0", "1", "2"] and run.class_names == ["0", "1", "2"]
    assert run.info["edsnn_version"] == "0.1.0" and run.n_classes == 3
    assert run.presentation == 200 * ms and run.dt == 1 * ms
    assert run.layers == ["hidden1", "output"] and run.epochs == [1, 2]
    assert run.counts(epoch=1)["count"].dtype == np.uint8 and set(run.counts(epoch=2)["epoch"]) == {2}
    assert run.weights["hidden1"].shape == (3, 1568, 6) and run.weights["epoch"] == 2
    assert run.spikes is not None and run.model == "spiking"
    assert "Run(" in repr(run)


def test_load_run_errors_name_the_missing_file(tmp_path, run_dir):
    with pytest.raises(RunFolderError, match="no run folder"):
        load_run(tmp_path / "nowhere")
    shutil.rmtree(run_dir / "counts")
    (run_dir / "weights.npz").unlink()
    with pytest.raises(RunFolderError, match="missing counts, weights.npz"):
        load_run(run_dir)
    assert issubclass(RunFolderError, FileNotFoundError)


def test_analyze_run_writes_expected_files(run_dir):
    written = analyze_run(run_dir)
    names = sorted(p.name for p in written)
    assert names == sorted([
        "rates.csv", "population_rate.csv", "silent_saturated.csv", "fano.csv",
        "selectivity.csv", "confusion.csv", "evolution.csv", "balance.csv", "isi_cv.csv", "psth.csv",
        "learning_curves.png", "confusion.png", "rate_histograms.png", "selectivity_map.png",
        "receptive_fields.png", "evolution.png", "balance.png", "raster.png", "psth.png",
    ])
    assert all(p.parent == run_dir / "analysis" and p.stat().st_size > 0 for p in written)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in written if p.suffix == ".png")
    rates = pd.read_csv(run_dir / "analysis" / "rates.csv")
    assert "rate_hz" in rates.columns
    saturated = pd.read_csv(run_dir / "analysis" / "silent_saturated.csv")
    assert (saturated["activity_cap"] == 30).all() and (saturated["refractory_limit"] == 66).all()
    e = saturated[(saturated["layer"] == "hidden1") & (saturated["type"] == "E")]
    assert np.allclose(e["saturated_activity_cap_fraction"], 1 / 3)
    confusion = pd.read_csv(run_dir / "analysis" / "confusion.csv", index_col=0)
    assert confusion.shape == (3, 3)
    balance = pd.read_csv(run_dir / "analysis" / "balance.csv")
    neurons = pd.read_csv(run_dir / "analysis" / "selectivity.csv").query("epoch == 1")
    assert len(balance) == len(neurons)  # one row per neuron
    with pytest.raises(FileExistsError, match="overwrite=True"):
        analyze_run(run_dir)


@pytest.mark.parametrize("damage, problem", [
    (lambda text: text.splitlines()[0] + "\n", "truncated or corrupt"),  # the header only
    (lambda text: "a,b\n1,2\n", r"columns \['a', 'b'\], expected \['epoch', 'presentation', 'label', 'prediction'\]"),
    (lambda text: text[:-3], r"epoch 2 has 29 rows, expected 30"),  # the last line cut short: dropped
    (lambda text: "", r"epoch 1 has 0 rows, expected 30"),
])
def test_failed_analysis_names_the_file_and_writes_nothing(run_dir, damage, problem):
    predictions = run_dir / "predictions.csv"
    predictions.write_text(damage(predictions.read_text()))
    before = sorted(p.name for p in run_dir.iterdir())
    with pytest.raises(RunFolderError, match=problem) as error:
        analyze_run(run_dir)
    assert f"{predictions} is truncated or corrupt" in str(error.value)
    assert sorted(p.name for p in run_dir.iterdir()) == before  # no empty analysis/ left


def test_failed_reanalysis_keeps_the_previous_one(run_dir):
    first = analyze_run(run_dir)
    metrics = run_dir / "metrics.csv"
    metrics.write_text(metrics.read_text().replace("test_accuracy", "accuracy"))
    with pytest.raises(RunFolderError, match=rf"{metrics} is truncated or corrupt \(columns"):
        analyze_run(run_dir, overwrite=True)
    assert all(p.is_file() for p in first)  # nothing was deleted


def test_analyze_run_without_spikes_and_overwrite(tmp_path):
    write_fake_run(tmp_path / "r", n_per_class=5, record_spikes=False)
    stale = tmp_path / "r" / "analysis" / "raster.png"
    stale.parent.mkdir()
    stale.write_bytes(b"old")
    with pytest.raises(FileExistsError, match="already holds an analysis"):
        analyze_run(tmp_path / "r")
    names = {p.name for p in analyze_run(tmp_path / "r", overwrite=True)}
    assert not stale.exists()  # old figures do not survive a new analysis
    assert "raster.png" not in names and "isi_cv.csv" not in names
    assert "selectivity.csv" in names
    with pytest.raises(ValueError, match="no spike times"):
        plots.plot_raster(load_run(tmp_path / "r"))


def test_analysis_plots_axes_and_png(run_dir, tmp_path):
    run = load_run(run_dir)
    T_ = run.presentation
    fig = plots.plot_raster(run, epoch=1, presentation=2, path=tmp_path / "raster.png")
    assert len(fig.axes) == 2  # hidden1, output
    fig = plots.plot_rate_histograms(st.mean_rate(run.count_summary, T_, by_class=False))
    assert len(fig.axes) == 3  # hidden1 E, hidden1 I, output E
    fig = plots.plot_selectivity_map(st.selectivity(run.count_summary), path=tmp_path / "sel.png")
    assert len(fig.axes) == 2  # neurons per preferred class, selectivity of each neuron
    matrix = fig.axes[0].get_images()[0].get_array()
    assert matrix.shape == (3, 3 + 1) and matrix[:, -1].tolist() == [1, 1, 1]  # neuron 1 of every net is silent
    assert matrix.sum() == 3 * 6
    red = np.asarray(fig.axes[1].collections[1].get_offsets())  # neurons preferring their network's class
    assert np.round(red[red[:, 0] == 1, 1]).tolist() == [0, 1, 2]  # neuron 0 of net c fires for class c only
    fig = plots.plot_balance(input_balance(run.weights), run.config.synapse.w_unit)
    assert "(× w_unit = 0.4 nA)" in fig.axes[0].get_xlabel()
    x, y = fig.axes[0].get_xlim(), fig.axes[0].get_ylim()
    assert x == y and x[0] > 0  # the same fitted range on both axes, not forced to the origin
    fig = plots.plot_receptive_fields(run.weights, neurons=[0, 1], path=tmp_path / "rf.png")
    mosaic = fig.axes[0].images[0].get_array()  # 3 class networks x neurons 0, 1, one pixel between
    assert mosaic.shape == (3 * 28 + 2, 2 * 28 + 1)
    np.testing.assert_array_equal(mosaic[29:57, 29:57], st.receptive_fields(run.weights["hidden1"])[1, 1])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["net 0", "net 1", "net 2"]
    evolution = st.evolution(run.count_summary, st.SaturationCaps.from_config(run.config))
    fig = plots.plot_evolution(evolution)
    assert [ax.get_title() for ax in fig.axes] == [
        "mean rate (Hz)", "silent fraction", "saturated at the ED activity cap (≥ 30 spikes)",
        "saturated at the refractory limit (≥ 66 spikes)", "mean selectivity", "mean Fano factor (dotted: Poisson)",
    ]
    assert [ax.get_ylim() for ax in fig.axes[1:5]] == [(-0.03, 1.03)] * 4  # fractions and selectivity
    assert len(plots.plot_evolution(evolution, run.metrics).axes) == 7  # + accuracy
    fig = plots.plot_psth(st.psth(run.spikes, run.count_summary, 10 * ms, T_), kind="I")
    assert len(fig.axes) == 1  # only hidden1 has I neurons
    for name in ("raster", "sel", "rf"):
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
    with pytest.raises(ValueError, match="epoch 9"):
        plots.plot_raster(run, epoch=9)


def test_receptive_fields_combine_e_and_i_inputs():
    w = np.zeros((2, 1568, 3))
    w[1, 2 * 30, 2] = 0.5  # E input of pixel 30 (row 1, column 2)
    w[1, 2 * 30 + 1, 2] = -0.2  # its I input
    rf = st.receptive_fields(w)
    assert rf.shape == (2, 3, 28, 28)
    assert rf[1, 2, 1, 2] == pytest.approx(0.3)
    assert np.count_nonzero(rf) == 1
    with pytest.raises(ValueError, match="E/I pairs"):
        st.receptive_fields(np.zeros((2, 784, 3)))


def test_docstring_examples():
    for module in (st, run_module):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, f"{module.__name__}: {result.failed} doctest(s) failed"


def test_refractory_period_comes_from_the_typed_config(run_dir):
    config = json.loads((run_dir / "config.json").read_text())
    config["neuron"]["tau_ref"] = "4. ms"
    (run_dir / "config.json").write_text(json.dumps(config))
    run = load_run(run_dir)
    assert run.refractory == 4 * ms
    assert run.max_count == 40  # 200 ms / (4 ms + 1 ms)


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.mark.parametrize("firing", ["silent", "saturated"])
def test_silent_and_saturated_networks_are_analysed(tmp_path, firing):
    write_fake_run(tmp_path / "r", n_per_class=4, firing=firing)
    written = analyze_run(tmp_path / "r")
    assert len([p for p in written if p.suffix == ".png"]) == 9
    evolution = pd.read_csv(tmp_path / "r" / "analysis" / "evolution.csv")
    run = load_run(tmp_path / "r")
    counts = run.count_summary
    figures = [
        plots.plot_raster(run), plots.plot_psth(st.psth(run.spikes, counts, 10 * ms, run.presentation)),
        plots.plot_rate_histograms(st.mean_rate(counts, run.presentation, by_class=False)),
        plots.plot_selectivity_map(st.selectivity(counts)), plots.plot_evolution(evolution),
    ]
    if firing == "silent":
        assert (evolution["rate_hz"] == 0).all() and (evolution["silent_fraction"] == 1).all()
        assert evolution["selectivity"].isna().all() and evolution["fano"].isna().all()
        assert all(any(text.startswith("no spikes") for text in _texts(fig)) for fig in figures)
    else:  # 66 spikes (2 ms refractory + 1 ms step) in 200 ms, the same for every class
        assert (evolution["rate_hz"] == 330).all() and (evolution["saturated_refractory_limit_fraction"] == 1).all()
        assert (evolution["selectivity"] == 0).all() and (evolution["fano"] == 0).all()
        assert not any(text.startswith("no spikes") for fig in figures for text in _texts(fig))


def test_tables_written_with_six_significant_digits(run_dir):
    from edsnn.runs import significant

    noisy = pd.DataFrame({"x": [59.987500000000004, 509.59000000000003, 0.0, np.nan, -2.2391594516394486e-15,
                                1234567.8], "n": range(6)})
    assert significant(noisy)["x"].tolist()[:3] == [59.9875, 509.59, 0.0]
    assert np.isnan(significant(noisy)["x"][3]) and significant(noisy)["x"].tolist()[4:] == [-2.23916e-15, 1234570.0]
    assert significant(noisy)["n"].tolist() == list(range(6))
    analyze_run(run_dir)
    run = load_run(run_dir)
    text = (run_dir / "analysis" / "rates.csv").read_text()
    written = pd.read_csv(run_dir / "analysis" / "rates.csv")["rate_hz"]
    exact = st.mean_rate(run.count_summary, run.presentation)["rate_hz"]
    assert np.allclose(written, exact, rtol=5e-6, atol=0)
    digits = [len(field.replace(".", "").replace("-", "").lstrip("0").split("e")[0].rstrip("0"))
              for field in text.replace("\n", ",").split(",") if re.fullmatch(r"-?\d+\.\d+(e-?\d+)?", field)]
    assert digits and max(digits) <= 6
