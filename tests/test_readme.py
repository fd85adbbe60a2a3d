"""The README's two first-use commands: a virtual environment (PEP 668), and CI runs the second."""

import re
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def two_commands():
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Two commands on a fresh machine", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_readme_commands_use_a_virtual_environment():
    install, tests = two_commands()
    for command in (install, tests):
        steps = [shlex.split(step) for step in command.split("&&")]
        assert steps[0] == ["python3", "-m", "venv", ".venv"]
        # nothing is installed into (or run from) the system Python, which PEP 668 refuses
        assert all(step[0].startswith(".venv/bin/") for step in steps[1:])
    assert ".venv/bin/pip install -e . " in install and install.endswith("--out runs/readme")


def test_ci_runs_exactly_the_readme_test_command():
    script = (REPO / ".ci" / "run").read_text().splitlines()
    setup = ("#", "set ", "cd ", "export EDSNN_DATA=")
    commands = [line for line in script if line.strip() and not line.startswith(setup)]
    assert commands == [two_commands()[1]]
    assert (REPO / ".ci" / "run").stat().st_mode & 0o111  # executable
    assert ".venv/" in (REPO / ".gitignore").read_text().split()


def test_readme_own_neuron_model_runs(tmp_path, monkeypatch):
    """The README's own-neuron block registers its model and trains with it, as printed."""
    readme = (REPO / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "class PerfectIF" in b)
    monkeypatch.chdir(tmp_path)  # the block writes runs/perfect-if
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)
    import edsnn
    from edsnn.units import UnitError

    result = namespace["result"]
    assert edsnn.TrainConfig(neuron="perfect-if").neuron == namespace["PerfectIF"]()
    assert (tmp_path / "runs" / "perfect-if" / "weights.npz").is_file()
    assert list(result.metrics["epoch"]) == [1]
    assert result.network.net.neurons["hidden1"] == namespace["PerfectIF"]()
    with pytest.raises(UnitError, match="tau_m must be a time"):
        namespace["PerfectIF"](tau_m=20)
