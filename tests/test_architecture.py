"""The packages form layers with no import cycle (docs/architecture.md): import-linter checks the contracts
in pyproject.toml, including imports inside functions, so a new upward import fails the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["core", "accounts", "inspections", "findings", "actions", "dashboards", "search", "api", "datasets", "config"]


def _lint_imports(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()",
         "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_packages_keep_their_layers_and_nothing_imports_config():
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contract_names_every_top_level_package_in_order():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    # Every package of the application (tests sit outside the layers and may import anything).
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert set(config["root_packages"]) == packages
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    assert list(reversed(layers)) == LAYERS


@pytest.fixture
def upward_import():
    """A function-level import from core up into actions, as a new helper might add; removed afterwards."""
    path = ROOT / "core" / "_upward_import_probe.py"
    path.write_text("def probe():\n    from actions.models import Action\n\n    return Action\n")
    yield path
    path.unlink()


def test_an_upward_import_inside_a_function_breaks_the_contract(upward_import):
    result = _lint_imports()
    assert result.returncode != 0
    assert "core._upward_import_probe -> actions.models" in result.stdout
