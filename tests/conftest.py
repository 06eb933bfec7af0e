"""Shared pytest fixtures (keep small): the mini campaign, an isolated data layout, the demo site."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
MINI = TESTS / "fixtures" / "mini"
BROKEN = TESTS / "broken"


@pytest.fixture(autouse=True)
def _restore_rd_methods_environment():
    """No test may leak RD_METHODS_* locations into the next one (they decide where data lives)."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("RD_METHODS_")}
    yield
    for key in [k for k in os.environ if k.startswith("RD_METHODS_")]:
        if key not in saved:
            del os.environ[key]
    os.environ.update(saved)


@pytest.fixture
def mini_path() -> Path:
    """The committed minimal valid campaign (every table, a few rows). Do not modify it."""
    return MINI


@pytest.fixture
def isolated_dirs(tmp_path, monkeypatch) -> dict[str, Path]:
    """Point data/raw, data/processed and reports at empty temporary folders."""
    dirs = {name: tmp_path / name for name in ("raw", "processed", "reports")}
    for folder in dirs.values():
        folder.mkdir()
    monkeypatch.setenv("RD_METHODS_DATA_DIR", str(dirs["raw"]))
    monkeypatch.setenv("RD_METHODS_PROCESSED_DIR", str(dirs["processed"]))
    monkeypatch.setenv("RD_METHODS_REPORTS_DIR", str(dirs["reports"]))
    return dirs


@pytest.fixture
def mini_copy(isolated_dirs) -> Path:
    """A writable copy of the mini campaign at <isolated raw dir>/mini."""
    target = isolated_dirs["raw"] / "mini"
    shutil.copytree(MINI, target)
    return target


ROOT = TESTS.parent


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """Both demo campaigns run once per test session with every committed notebook.

    Returns the reports folder (``index.html``, ``demo-2024/``, ``demo-2025/``, ``comparison/``).
    Tests that use it are slow: mark them ``@pytest.mark.slow``.
    """
    from rd_methods.publish import runner

    if not all((ROOT / "data" / "raw" / c / "campaign.yml").exists() for c in ("demo-2024", "demo-2025")):
        pytest.skip("demo campaigns not generated")
    tmp = tmp_path_factory.mktemp("demo_site")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("RD_METHODS_DATA_DIR", raising=False)
        mp.setenv("RD_METHODS_REPORTS_DIR", str(tmp / "reports"))
        mp.setenv("RD_METHODS_PROCESSED_DIR", str(tmp / "processed"))
        mp.setenv("RD_METHODS_NOTEBOOKS_DIR", str(ROOT / "notebooks"))
        runs = runner.run(["demo-2024", "demo-2025"], jobs=2, echo=lambda _: None)
    failed = [(o.stem, o.describe_error()) for run in runs for o in run.notebooks if o.status == "failed"]
    assert all(run.ok for run in runs), failed
    return tmp / "reports"
