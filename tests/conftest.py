"""Shared pytest fixtures (keep small): the mini campaign and an isolated data layout."""

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


@pytest.fixture(scope="session")
def demo_2025_site(tmp_path_factory) -> Path:
    """The demo-2025 campaign run ONCE per test session with every committed notebook.

    Returns the reports folder (``<tmp>/reports``: ``index.html``, ``references.html``,
    ``demo-2025/…``). Tests must not modify it (copy it first). Starts kernels: use it from
    tests marked ``slow``.
    """
    from rd_methods.publish import runner

    root = TESTS.parent
    if not (root / "data" / "raw" / "demo-2025" / "campaign.yml").exists():
        pytest.skip("demo-2025 campaign not generated yet")
    tmp = tmp_path_factory.mktemp("demo-2025-site")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("RD_METHODS_DATA_DIR", raising=False)
        mp.setenv("RD_METHODS_NOTEBOOKS_DIR", str(root / "notebooks"))
        mp.setenv("RD_METHODS_REPORTS_DIR", str(tmp / "reports"))
        mp.setenv("RD_METHODS_PROCESSED_DIR", str(tmp / "processed"))
        (run,) = runner.run(["demo-2025"], jobs=2, echo=lambda _: None)
    assert run.ok, [(o.stem, o.describe_error()) for o in run.notebooks if o.status == "failed"]
    return tmp / "reports"
