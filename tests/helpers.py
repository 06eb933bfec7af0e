"""Helpers shared by the runner tests (importable: pyproject sets pytest's pythonpath to tests/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
DATA = FIXTURES / "data"


def fixture_layout(mp: pytest.MonkeyPatch, tmp: Path, notebooks: list[str], data: Path = DATA) -> Path:
    """Copy some fixture notebooks to ``tmp/notebooks`` and point every RD_METHODS_* folder at ``tmp``.

    The data folder is the fixture campaigns' (``tiny``) unless ``data`` says otherwise.
    Returns the reports folder (``tmp/reports``, not created).
    """
    nb_dir = tmp / "notebooks"
    nb_dir.mkdir(parents=True, exist_ok=True)
    for name in notebooks:
        shutil.copy(FIXTURES / f"{name}.ipynb", nb_dir)
    mp.setenv("RD_METHODS_DATA_DIR", str(data))
    mp.setenv("RD_METHODS_NOTEBOOKS_DIR", str(nb_dir))
    mp.setenv("RD_METHODS_REPORTS_DIR", str(tmp / "reports"))
    mp.setenv("RD_METHODS_PROCESSED_DIR", str(tmp / "processed"))
    return tmp / "reports"
