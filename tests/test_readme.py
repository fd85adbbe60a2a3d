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
    commands = [line for line in script if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert commands == [two_commands()[1]]
    assert (REPO / ".ci" / "run").stat().st_mode & 0o111  # executable
    assert ".venv/" in (REPO / ".gitignore").read_text().split()


def test_readme_own_neuron_model_runs():
    """The README's own-neuron block builds both networks, and its model refuses a unitless tau_m."""
    readme = (REPO / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "class PerfectIF" in b)
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)
    from edsnn.model import EDNetwork
    from edsnn.units import UnitError

    assert isinstance(namespace["net"], EDNetwork)
    with pytest.raises(UnitError, match="tau_m must be a time"):
        namespace["PerfectIF"](tau_m=20)
