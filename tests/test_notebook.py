"""notebooks/firing_statistics.ipynb runs top to bottom on a synthetic run (tests/fake_run.py)."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from fake_run import write_fake_run

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "firing_statistics.ipynb"


def test_firing_statistics_notebook_runs(tmp_path, monkeypatch):
    write_fake_run(tmp_path / "run", epochs=3, n_classes=3, n_per_class=10, hidden=(16,))
    monkeypatch.setenv("EDSNN_RUN", str(tmp_path / "run"))  # the kernel inherits it
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO)}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                   for o in outputs)
    assert "max count per presentation: 66" in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 8  # every figure was displayed
