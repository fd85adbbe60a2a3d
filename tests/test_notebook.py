"""notebooks/firing_statistics.ipynb runs top to bottom on a synthetic run with known caps
(tests/fake_run.py) and on a small real run written by ``edsnn train``."""

import subprocess
import sys
from pathlib import Path

import nbformat
from fake_run import write_fake_run
from nbclient import NotebookClient

from edsnn.analysis import load_run
from edsnn.analysis import statistics as st

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "firing_statistics.ipynb"


def run_notebook(path):
    """Execute the notebook at ``path`` from the repository root; return its text output and number of images."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO)}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, errors
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                   for o in outputs)
    return text, sum("image/png" in o.get("data", {}) for o in outputs)


def execute_notebook(run_dir, monkeypatch):
    """Run the firing-statistics notebook on ``run_dir``."""
    monkeypatch.setenv("EDSNN_RUN", str(run_dir))  # the kernel inherits it
    return run_notebook(NOTEBOOK)


def test_firing_statistics_notebook_on_synthetic_run(tmp_path, monkeypatch):
    write_fake_run(tmp_path / "run", epochs=3, n_classes=3, n_per_class=10, hidden=(16,))
    text, images = execute_notebook(tmp_path / "run", monkeypatch)
    # 200 ms at 150 Hz: 30 spikes; 200 ms / (2 ms + 1 ms): 66 spikes
    assert "ED activity cap: 30 spikes | refractory limit: 66 spikes per presentation" in text
    assert "saturated_activity_cap_fraction" in text
    assert images >= 8  # every figure was displayed


def test_firing_statistics_notebook_on_real_run(tmp_path, monkeypatch):
    run_dir = tmp_path / "real"
    command = [sys.executable, "-m", "edsnn.cli", "train", "--train", "60", "--test", "30",
               "--hidden", "8", "--epochs", "2", "--record-spikes", "--no-progress",
               "--out", str(run_dir)]
    subprocess.run(command, check=True, cwd=tmp_path, capture_output=True, text=True)
    text, images = execute_notebook(run_dir, monkeypatch)
    # defaults: 100 ms at 200 Hz read as activity 1 (20 spikes); 100 ms / (2 ms + 1 ms): 33 spikes
    assert "ED activity cap: 20 spikes | refractory limit: 33 spikes per presentation" in text
    run = load_run(run_dir)
    assert run.epochs == [1, 2] and run.spikes is not None
    table = st.silent_saturated(run.count_summary, st.SaturationCaps.from_config(run.config))
    # 10 class networks of 8 hidden neurons (4 E, 4 I) and one output each
    assert table["n_neurons"].tolist() == [40, 40, 10] * 2
    assert images >= 8  # every figure was displayed, raster and PSTH included
