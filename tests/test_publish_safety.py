"""Fail-closed disclosure, per-cell timeout, and atomic publishing (a run killed mid-way)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import fixture_layout

from rd_methods.publish import runner, swap

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
DATA = FIXTURES / "data"
PERSONAL_NAMES = ("Zoé Martin-Lefèvre", "Jean Dupont")




def _previous_report(reports: Path) -> Path:
    """A previously published report of 'tiny' that must survive."""
    old = reports / "tiny"
    old.mkdir(parents=True)
    (old / "marker.txt").write_text("previous report", "utf-8")
    (old / "run.json").write_text(json.dumps({"campaign": "tiny", "title": "Ancienne", "period": [2020, 2024],
                                              "status": "ok", "run_at": "2026-01-01T10:00:00+01:00",
                                              "notebooks": []}), "utf-8")
    return old


@pytest.mark.slow
def test_leak_refuses_publication_and_timeout_is_reported(tmp_path, monkeypatch):
    reports = fixture_layout(monkeypatch, tmp_path, ["30_slow", "40_leak"])
    old = _previous_report(reports)
    lines: list[str] = []
    (run,) = runner.run(["tiny"], jobs=2, timeout=15, echo=lines.append)

    assert run.status == "refused", lines
    assert not run.published and not run.ok
    pages = {(f.page, f.cell) for f in run.findings}
    # the print() output of cell 4 (after the injected-parameters cell) in the executed
    # notebook and in both editions
    assert {("40_leak.ipynb", 4), ("40_leak.html", 4), ("40_leak.research.html", 4)} <= pages
    assert {f.actor_id for f in run.findings} == {"P001"}
    text = "\n".join(lines)
    assert "publication refusée" in text and "40_leak.html, cellule 4" in text
    assert not any(name.lower() in text.lower() for name in PERSONAL_NAMES)
    # nothing swapped in, nothing left behind
    assert (old / "marker.txt").read_text("utf-8") == "previous report"
    assert sorted(p.name for p in reports.iterdir()) == ["index.html", "references.html", "tiny"]
    assert "Ancienne" in (reports / "index.html").read_text("utf-8")  # the site index shows the kept report

    slow = next(o for o in run.notebooks if o.stem == "30_slow")
    assert slow.status == "failed" and slow.error["kind"] == "timeout"
    assert slow.describe_error() == "délai dépassé — délai dépassé (15 s pour une cellule)"
    assert slow.duration < 29  # the cell sleeps 30 s


def _wait_for(path: Path, needle: str, proc: subprocess.Popen, limit: float = 90) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if path.exists() and needle in path.read_text("utf-8", errors="replace"):
            return
        if proc.poll() is not None:
            raise AssertionError(f"run ended early: {path.read_text('utf-8', errors='replace')}")
        time.sleep(0.3)
    raise AssertionError(f"{needle!r} never appeared")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.slow
def test_killed_run_leaves_previous_report_intact(tmp_path, monkeypatch, sig):
    reports = fixture_layout(monkeypatch, tmp_path, ["10_ok", "30_slow"])
    old = _previous_report(reports)
    log = tmp_path / "out.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rd_methods.cli", "run", "tiny", "--jobs", "2"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=os.environ.copy(),
        )
    try:
        _wait_for(log, "30_slow                        démarré", proc)
        if sig == signal.SIGKILL:
            # let 10_ok finish and its pages land in the temporary folder
            _wait_for(log, "10_ok                          réussi", proc)
        assert any(p.name.startswith(".tiny.tmp-") for p in reports.iterdir())
        if sig == signal.SIGKILL:
            os.killpg(proc.pid, signal.SIGKILL)  # the runner and its workers and kernels
        else:
            proc.send_signal(signal.SIGTERM)  # the runner alone: it cleans up after itself
        t0 = time.monotonic()
        proc.wait(timeout=60)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert (old / "marker.txt").read_text("utf-8") == "previous report"
    assert sorted(p.name for p in old.iterdir()) == ["marker.txt", "run.json"]
    visible = sorted(p.name for p in reports.iterdir() if not p.name.startswith("."))
    assert visible == ["tiny"]
    if sig == signal.SIGTERM:
        assert took < 15, log.read_text("utf-8")  # not the 30 s of the notebook's cell
        assert proc.returncode != 0
        assert _left_in_group(proc.pid) == []  # the workers did not outlive the runner
        assert sorted(p.name for p in reports.iterdir()) == ["tiny"]  # no hidden leftover either
    # the next run (here: its first step) removes the leftovers of a killed run
    swap.clean_leftovers(reports, "tiny")
    assert sorted(p.name for p in reports.iterdir()) == ["tiny"]


def test_swap_is_recoverable_between_the_two_renames(tmp_path):
    reports = tmp_path
    # killed after "rename old away", before "rename new in": the old report is restored
    (reports / ".tiny.old-999999999-ab").mkdir()
    (reports / ".tiny.old-999999999-ab" / "marker.txt").write_text("old", "utf-8")
    (reports / ".tiny.tmp-999999999-cd").mkdir()
    swap.clean_leftovers(reports, "tiny")
    assert sorted(p.name for p in reports.iterdir()) == ["tiny"]
    assert (reports / "tiny" / "marker.txt").read_text("utf-8") == "old"
    # a normal swap: new content in, old gone, nothing hidden left
    new = reports / ".tiny.tmp-1-x"
    new.mkdir()
    (new / "marker.txt").write_text("new", "utf-8")
    swap.swap_in(new, reports / "tiny")
    assert sorted(p.name for p in reports.iterdir()) == ["tiny"]
    assert (reports / "tiny" / "marker.txt").read_text("utf-8") == "new"


@pytest.mark.slow
def test_kernel_that_cannot_start_is_retried_then_reported(tmp_path, monkeypatch):
    fixture_layout(monkeypatch, tmp_path, ["10_ok"])
    (run,) = runner.run(["tiny"], jobs=1, kernel="no-such-kernel", retries=2, echo=lambda _: None)
    (nb,) = run.notebooks
    assert nb.status == "failed" and nb.attempts == 3
    assert nb.error["kind"] == "kernel" and nb.error["ename"] == "NoSuchKernel"
    page = (tmp_path / "reports" / "tiny" / "10_ok.html").read_text("utf-8")
    assert "Échec de l&#39;exécution : NoSuchKernel" in page or "Échec de l'exécution : NoSuchKernel" in page


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _left_in_group(pgid: int, wait: float = 5.0) -> list[str]:
    """Live processes still in process group ``pgid`` (the runner's workers and forkserver)
    ``wait`` seconds at most after the runner exited."""
    import psutil

    end = time.monotonic() + wait
    while True:
        left = []
        for p in psutil.process_iter(["pid", "cmdline", "status"]):
            try:
                if os.getpgid(p.pid) == pgid and p.info["status"] != psutil.STATUS_ZOMBIE:
                    left.append(f"{p.pid} {' '.join(p.info['cmdline'] or [])[:100]}")
            except OSError:
                pass
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_stop_is_immediate_even_with_a_deaf_kernel(tmp_path, monkeypatch, how):
    """A kernel blocking SIGINT and SIGTERM (as one stuck in C code) with a child of its own:
    the run stops within seconds, no process is left behind, the previous report stays."""
    reports = fixture_layout(monkeypatch, tmp_path, ["10_ok", "35_stuck"])
    old = _previous_report(reports)
    marker = tmp_path / "stuck.pids"
    log = tmp_path / "out.log"
    env = dict(os.environ, RD_TEST_STUCK_MARKER=str(marker))
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rd_methods.cli", "run", "tiny", "--jobs", "2"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env,
        )
    try:
        end = time.monotonic() + 90
        while not (marker.exists() and marker.read_text().strip()):
            assert proc.poll() is None, log.read_text("utf-8")
            assert time.monotonic() < end, "the stuck cell never started"
            time.sleep(0.2)
        kernel, child = (int(x) for x in marker.read_text().split())
        assert _alive(kernel) and _alive(child)
        t0 = time.monotonic()
        if how == "SIGTERM":
            proc.send_signal(signal.SIGTERM)
        else:  # the terminal sends SIGINT to the whole foreground group: runner and workers
            os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    print(f"{how}: stopped in {took:.1f} s")
    assert took < 10, log.read_text("utf-8")
    assert proc.returncode != 0
    assert not _alive(kernel) and not _alive(child)
    assert _left_in_group(proc.pid) == []  # no worker left either
    assert "exécution interrompue" in log.read_text("utf-8")
    assert (old / "marker.txt").read_text("utf-8") == "previous report"
    assert sorted(p.name for p in reports.iterdir()) == ["tiny"]
