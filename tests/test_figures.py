"""edsnn.figures: each figure has the expected axes and saves a PNG."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from edsnn.figures import (  # noqa: E402
    plot_confusion,
    plot_field_mosaic,
    plot_layer_heatmaps,
    plot_learning_curves,
)

PNG = b"\x89PNG\r\n\x1a\n"


def is_png(path):
    return path.is_file() and path.read_bytes()[:8] == PNG


def test_learning_curves(tmp_path):
    metrics = pd.DataFrame({
        "epoch": [1, 2, 3], "train_accuracy": [0.6, 0.8, 0.9], "test_accuracy": [0.5, 0.7, 0.75],
        "train_seconds": 1.0, "test_seconds": 0.5,
    })
    fig = plot_learning_curves(metrics, path=tmp_path / "sub" / "curves.png")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    accuracy, error = fig.axes
    assert error.get_yscale() == "log"
    test_line = accuracy.get_lines()[1]
    assert test_line.get_ydata().tolist() == pytest.approx([50, 70, 75])
    assert error.get_lines()[0].get_ydata().tolist() == pytest.approx([40, 20, 10])
    assert is_png(tmp_path / "sub" / "curves.png")
    with pytest.raises(ValueError, match="test_accuracy"):
        plot_learning_curves(metrics.drop(columns="test_accuracy"))
    with pytest.raises(ValueError, match="empty"):
        plot_learning_curves(metrics.iloc[:0])


def test_confusion(tmp_path):
    confusion = np.array([[5, 1, 0], [0, 4, 2], [1, 0, 6]])
    fig = plot_confusion(confusion, ["zero", "one", "two"], path=tmp_path / "confusion.png")
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["zero", "one", "two"]
    assert sorted(int(t.get_text()) for t in ax.texts) == sorted(confusion[confusion > 0].tolist())
    assert "accuracy 78.9 %" in ax.get_title()  # 15 / 19
    assert is_png(tmp_path / "confusion.png")
    with pytest.raises(ValueError, match="square"):
        plot_confusion(np.zeros((2, 3), int), ["a", "b"])
    with pytest.raises(ValueError, match="class_names has 2 names"):
        plot_confusion(confusion, ["a", "b"])


def test_layer_heatmaps(tmp_path):
    rng = np.random.default_rng(0)
    n = 3
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    hidden = rng.uniform(0, 80, (n, 10 * 256))  # rates in Hz, class network c at units 256c..256c+255
    hidden[1] = 0  # a silent presentation
    output = rng.uniform(0, 40, (n, 10))
    output[0, 7] = 90.0
    fig = plot_layer_heatmaps(images, {"hidden1": hidden, "output": output}, labels=[7, 2, 1],
                              path=tmp_path / "h.png")
    assert len(fig.axes) == n * 3 + 2  # + one colour bar per layer
    assert fig.axes[0].get_title() == "label 7" and fig.axes[1].get_title() == "hidden1 (256 neurons per net)"
    grid = fig.axes[1].get_images()[0].get_array()
    assert grid.shape == (10, 256) and grid[3, 5] == hidden[0, 3 * 256 + 5]  # row: class net, column: neuron
    assert fig.axes[2].get_images()[0].get_array().shape == (10, 1)  # outputs: one cell per class net
    assert fig.axes[2].patches[0].get_xy() == (-0.5, 6.5)  # the winner (net 7) framed
    assert [t.get_text() for t in fig.axes[4].texts] == ["no spikes"]  # hidden1 of presentation 1
    assert {ax.get_xlabel() for ax in fig.axes[-2:]} == {"rate (Hz)"}
    assert is_png(tmp_path / "h.png")
    with pytest.raises(ValueError, match=r"activities\['output'\] must have shape \(3, n_units\)"):
        plot_layer_heatmaps(images, {"output": rng.random((2, 10))}, labels=[7, 2, 1])
    with pytest.raises(ValueError, match="labels"):
        plot_layer_heatmaps(images, {"output": output}, labels=[7, 2])
    with pytest.raises(ValueError, match="not a multiple of the 10 class networks"):
        plot_layer_heatmaps(images, {"hidden1": hidden[:, :-1], "output": output}, labels=[7, 2, 1])


def test_figures_module_does_not_import_analysis():
    import ast
    import inspect

    import edsnn.figures as figures

    tree = ast.parse(inspect.getsource(figures))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    ]
    assert not any(name and "analysis" in name for name in imported)
    assert "matplotlib.pyplot" not in imported


def test_field_mosaic(tmp_path):
    signed = np.zeros((2, 3, 4, 4))
    signed[1, 2, 0, 0], signed[0, 0, 3, 3] = 2.0, -1.0
    fig = plot_field_mosaic(signed, row_labels=["net 0", "net 1"], column_labels=["a", "b", "c"],
                            path=tmp_path / "signed.png")
    image = fig.axes[0].images[0]
    mosaic = image.get_array()
    assert mosaic.shape == (2 * 4 + 1, 3 * 4 + 2)
    assert mosaic[5, 10] == 2.0 and mosaic[3, 3] == -1.0 and np.ma.getmaskarray(mosaic)[4, 0]  # row 1, column 2; a gap
    low, high = image.get_clim()
    assert low == -high and image.get_cmap().name.startswith("RdBu_r")  # diverging, centred on 0
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a", "b", "c"]
    assert is_png(tmp_path / "signed.png")
    fig = plot_field_mosaic(np.abs(signed).reshape(6, 4, 4))  # 6 fields: the near-square grid 2 x 3
    image = fig.axes[0].images[0]
    assert image.get_array().shape == (9, 14) and image.get_clim()[0] == 0.0
    assert image.get_cmap().name.startswith("hot_r")  # sequential from 0
    with pytest.raises(ValueError, match="row_labels needs a grid"):
        plot_field_mosaic(np.zeros((6, 4, 4)), row_labels=["x", "y"])
    with pytest.raises(ValueError, match=r"fields must have shape"):
        plot_field_mosaic(np.zeros((4, 4)))
