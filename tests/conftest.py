"""Shared pytest fixtures (keep small): the mini campaign, an isolated data layout, and the
guard of the fast loop: a test not marked ``slow`` may not start a Jupyter kernel; the demo site."""

from __future__ import annotations

import os
import shutil
import subprocess
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


# --------------------------------------------------------------------------- the fast loop
#: what a command line that starts kernels looks like (a notebook run, the runner, a kernel)
_KERNEL_WORDS = ("ipykernel", "papermill", "run_notebook", "_run_in_worker")
_RUNNER_COMMANDS = ("run", "reproduce")


def _starts_kernels(args) -> bool:
    words = [str(a) for a in args] if isinstance(args, (list, tuple)) else str(args).split()
    text = " ".join(words)
    if any(w in text for w in _KERNEL_WORDS) or ("nbconvert" in text and "--execute" in words):
        return True
    cli = next((i for i, w in enumerate(words) if w.endswith(("rd-methods", "rd_methods.cli"))), None)
    return cli is not None and any(w in _RUNNER_COMMANDS for w in words[cli + 1:])


def _guard(nodeid: str) -> pytest.MonkeyPatch:
    """Patches that make launching a kernel (or what would launch one) fail ``nodeid``."""

    def refuse(what: str):
        pytest.fail(f"{nodeid} {what}: marquer le test @pytest.mark.slow "
                    "(-m 'not slow' ne démarre aucun noyau)", pytrace=False)

    async def no_launch(self, *args, **kwargs):
        refuse("démarre un noyau Jupyter")

    def no_submit(self, *args, **kwargs):
        refuse("confie un notebook au pool du lanceur")

    def no_cluster(self, *args, **kwargs):
        refuse("démarre un cluster Dask")

    real_popen = subprocess.Popen.__init__

    def guarded_popen(self, args, *rest, **kwargs):
        if _starts_kernels(args):
            refuse(f"lance une commande qui démarre des noyaux ({' '.join(map(str, args))[:120]})")
        real_popen(self, args, *rest, **kwargs)

    from jupyter_client.provisioning import LocalProvisioner

    from rd_methods.publish import executors, prefork

    mp = pytest.MonkeyPatch()
    mp.setattr(LocalProvisioner, "launch_kernel", no_launch)
    mp.setattr(prefork.PreforkProvisioner, "launch_kernel", no_launch)
    mp.setattr(prefork.KernelPool, "submit", no_submit)
    mp.setattr(executors.DaskExecutor, "submit", no_submit)
    try:  # a LocalCluster's workers (a wrong scheduler address alone starts nothing)
        import distributed

        mp.setattr(distributed.LocalCluster, "__init__", no_cluster)
    except ImportError:
        pass
    mp.setattr(subprocess.Popen, "__init__", guarded_popen)
    return mp


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """``pytest -m "not slow"`` is the fast loop: it must start no kernel. A test not marked
    ``slow`` fails at once when it (or a fixture it uses, module-scoped ones included) launches
    a kernel in this process, submits a notebook to the runner's pool, starts a Dask cluster,
    or runs a command that would do one of these."""
    if item.get_closest_marker("slow") is None:
        item.stash[_GUARD] = _guard(item.nodeid)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    guard = item.stash.get(_GUARD, None)
    if guard is not None:
        guard.undo()


_GUARD = pytest.StashKey[pytest.MonkeyPatch]()
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
