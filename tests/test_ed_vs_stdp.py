"""ED and Diehl & Cook side by side: :mod:`edsnn.analysis.comparison` and notebooks/ed_vs_stdp.ipynb
on two small runs written by ``edsnn train`` on the same test images."""

from __future__ import annotations

import numpy as np
import pytest
from test_diehl_cook_cli import TINY
from test_notebook import REPO, run_notebook

from edsnn.analysis import load_run
from edsnn.analysis import statistics as st
from edsnn.analysis.comparison import (
    compare_runs,
    plot_receptive_fields_side_by_side,
    receptive_field_images,
    same_test_images,
)
from edsnn.cli import main

ED = ["--train", "30", "--test", "10", "--hidden", "8", "--epochs", "1", "--device", "cython", "--no-progress"]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("evs")
    assert main(["train", *ED, "--out", str(root / "ed")]) == 0
    assert main(["train", *TINY, "--epochs", "1", "--out", str(root / "dc")]) == 0
    return {"ED": load_run(root / "ed"), "Diehl & Cook": load_run(root / "dc")}


def test_the_table_counts_sizes_and_rates_of_both_models(two_runs):
    table = compare_runs(two_runs).set_index("run")
    assert same_test_images(two_runs)
    ed, dc = table.loc["ED"], table.loc["Diehl & Cook"]
    # 10 class networks of 8 hidden neurons and one output; 10 E and 10 I neurons
    assert (ed["neurons"], dc["neurons"]) == (90, 20)
    assert (ed["inputs"], dc["inputs"]) == (1568, 784)
    assert ed["learned_weights"] == 10 * 1568 * 8 + 10 * 8 and dc["learned_weights"] == 784 * 10
    assert (ed["images_seen"], dc["images_seen"]) == (30, 10) and dc["presentations"] >= 10
    # the E rate is the mean count of the E neurons over the test images, over the stimulus duration
    for label, presentation_s in (("ED", 0.1), ("Diehl & Cook", 0.1)):  # ED: the default 100 ms
        counts = two_runs[label].counts(1)
        e = counts[(counts["type"] == "E") & (counts["layer"] != "output")]
        assert table.loc[label, "E_rate_hz"] == pytest.approx(e["count"].mean() / presentation_s)
    assert 0 <= dc["I_silent"] <= 1 and table["test_accuracy"].between(0, 1).all()


def test_receptive_fields_are_the_first_layer_weights(two_runs, tmp_path):
    dc = receptive_field_images(two_runs["Diehl & Cook"])
    np.testing.assert_array_equal(dc[3], two_runs["Diehl & Cook"].weights["w"][:, 3].reshape(28, 28))
    ed = receptive_field_images(two_runs["ED"])
    np.testing.assert_array_equal(ed, st.receptive_fields(two_runs["ED"].weights["hidden1"])[0])
    plot_receptive_fields_side_by_side(two_runs, path=tmp_path / "fields.png")
    assert (tmp_path / "fields.png").stat().st_size > 0


def test_different_test_images_are_told(two_runs, tmp_path):
    other = tmp_path / "ed5"
    assert main(["train", *ED[:2], "--test", "5", *ED[4:], "--out", str(other)]) == 0
    assert not same_test_images({**two_runs, "other": load_run(other)})


def test_the_notebook_compares_the_two_runs(two_runs, monkeypatch):
    monkeypatch.setenv("EDSNN_ED_RUN", str(two_runs["ED"].path))
    monkeypatch.setenv("EDSNN_DC_RUN", str(two_runs["Diehl & Cook"].path))
    text, images = run_notebook(REPO / "notebooks" / "ed_vs_stdp.ipynb")
    assert "same test images: True" in text
    assert "learned_weights" in text and "diehl-cook" in text
    assert images >= 7  # receptive fields, two rate histograms, two learning curves, two confusions
