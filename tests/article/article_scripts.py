"""The root article's scripts and their helper module, imported as the workflow runs them
(``python figures/NAME.py`` puts ``figures/`` on ``sys.path``), for its tests."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "manuscript" / "data"
#: the data files of manuscript/data/, in the order the tests load them
DATA_FILES = ("summits.yaml", "membership.yaml", "bodies.yaml")

if str(ROOT / "figures") not in sys.path:
    sys.path.insert(0, str(ROOT / "figures"))
sco_data = importlib.import_module("sco_data")


def load_script(name: str):
    """The module of ``figures/<name>.py`` (not run as a script)."""
    spec = importlib.util.spec_from_file_location(
        name.replace("-", "_"), ROOT / "figures" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_dataset(folder: Path = DATA):
    """The article's dataset from every data file of ``folder`` (schemas: its schemas/)."""
    return sco_data.load([folder / name for name in DATA_FILES], folder / "schemas")
