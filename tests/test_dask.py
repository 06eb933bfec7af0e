"""The Dask executor of the runner, on the tiny fixture campaign (kept small for CI):

- a 2-worker LocalCluster on loopback publishes the same results.json, statuses and pages as
  the local process pool;
- a worker process killed while it runs a notebook: the task reruns on another worker and
  the run completes; killed on every attempt: reported failed after one retry, the rest
  still published, exit status non-zero;
- a wrong scheduler address: one error line plus a hint within seconds, nothing written;
- ``rd-methods run --all`` / ``--executor`` / ``--scheduler`` options.

The demo-2024 identity check (minutes) runs only with ``RD_METHODS_TEST_DASK_DEMO=1``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("distributed")

from helpers import fixture_layout  # noqa: E402

from rd_methods.cli import main  # noqa: E402
from rd_methods.publish import runner  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
DATA = FIXTURES / "data"


def _setup(mp: pytest.MonkeyPatch, tmp: Path, notebooks: list[str]) -> Path:
    mp.delenv("RD_METHODS_SCHEDULER", raising=False)
    return fixture_layout(mp, tmp, notebooks)


def _published(folder: Path) -> dict:
    run = json.loads((folder / "run.json").read_text("utf-8"))
    return {
        "results": json.loads((folder / "results.json").read_text("utf-8")),
        "status": run["status"],
        "notebooks": {n["stem"]: (n["status"], n["error_text"], sorted(n["pages"])) for n in run["notebooks"]},
        "files": sorted(p.name for p in folder.iterdir()),
    }


# ----------------------------------------------------------------- identity with the local pool
@pytest.fixture(scope="module")
def both(tmp_path_factory):
    out = {}
    for executor in ("local", "dask"):
        tmp = tmp_path_factory.mktemp(executor)
        with pytest.MonkeyPatch.context() as mp:
            reports = _setup(mp, tmp, ["10_ok", "20_raising", "50_needs_survey", "90_synthesis"])
            lines: list[str] = []
            runs = runner.run(["tiny"], jobs=2, executor=executor, echo=lines.append)
        out[executor] = {"runs": runs, "lines": lines, "published": _published(reports / "tiny"),
                         "reports": reports}
    return out


@pytest.mark.slow
def test_dask_local_cluster_publishes_what_the_local_pool_publishes(both):
    local, dask = both["local"]["published"], both["dask"]["published"]
    assert dask == local
    # and what the local pool publishes is the fixture's known content
    assert dask["results"]["fixture.n_actors"]["value"] == 6
    assert dask["results"]["fixture.share_personal"]["ci"] == [0.25, 0.75]
    assert dask["results"]["synthesis.n_results"]["value"] == 2  # the synthesis ran last
    assert dask["notebooks"]["20_raising"][:2] == ("failed", "cellule In [5] : ValueError : échec volontaire du carnet de test")
    assert dask["notebooks"]["50_needs_survey"][0] == "not_applicable"
    (run,) = both["dask"]["runs"]
    assert run.published and run.status == "failed"
    assert any(x.startswith("rd-methods: exécution sur LocalCluster Dask de 2 processus (tcp://127.0.0.1:") for x in both["dask"]["lines"])
    # the pages were rendered on the workers and scanned: the personal name never appears
    public = (both["dask"]["reports"] / "tiny" / "10_ok.html").read_text("utf-8")
    assert "Personne 001" in public and "Zoé" not in public
    assert sorted(p.name for p in both["dask"]["reports"].iterdir()) == ["index.html", "references.html", "tiny"]


# ----------------------------------------------------------------- a worker dies
def _slow_notebook(folder: Path, stem: str, marker: Path, seconds: float) -> None:
    """30_slow with a short wait and a first cell that notes the pid of the worker process
    running it (the kernel's parent)."""
    nb = nbformat.read(FIXTURES / "30_slow.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace("slow_seconds: float = 30.0", f"slow_seconds: float = {seconds}")
    note = nbformat.v4.new_code_cell(
        f"import os\nwith open({str(marker)!r}, 'a') as f:\n    f.write(f'{{os.getppid()}}\\n')")
    i = next(k for k, c in enumerate(nb.cells) if "time.sleep" in c.source)
    nb.cells.insert(i, note)
    nbformat.write(nb, folder / f"{stem}.ipynb")


def _killer(markers: dict[Path, int], stop: threading.Event, killed: list[int]) -> None:
    """Kill (SIGKILL) the worker process named by each new line of each marker, up to
    ``markers[path]`` times per marker."""
    seen = {m: 0 for m in markers}
    while not stop.is_set():
        for marker, limit in markers.items():
            lines = marker.read_text().split() if marker.exists() else []
            while seen[marker] < len(lines):
                pid = int(lines[seen[marker]])
                seen[marker] += 1
                if seen[marker] <= limit:
                    time.sleep(1.0)  # inside the notebook's wait
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
        time.sleep(0.2)


@pytest.mark.slow
def test_killed_worker_task_is_retried_once_then_reported(tmp_path):
    with pytest.MonkeyPatch.context() as mp:
        reports = _setup(mp, tmp_path, ["10_ok"])
        nb_dir = tmp_path / "notebooks"
        once, always = tmp_path / "once.pids", tmp_path / "always.pids"
        _slow_notebook(nb_dir, "31_slow_once", once, 6.0)
        _slow_notebook(nb_dir, "32_slow_always", always, 6.0)
        stop, killed = threading.Event(), []
        thread = threading.Thread(target=_killer, args=({once: 1, always: 2}, stop, killed), daemon=True)
        thread.start()
        try:
            lines: list[str] = []
            (run,) = runner.run(["tiny"], jobs=2, executor="dask", echo=lines.append)
        finally:
            stop.set()
            thread.join(5)
    status = {o.stem: o.status for o in run.notebooks}
    assert status == {"10_ok": "ok", "31_slow_once": "ok", "32_slow_always": "failed"}
    # killed once: rerun on another worker process, completed
    pids_once = once.read_text().split()
    assert len(pids_once) == 2 and pids_once[0] != pids_once[1]
    # killed on both attempts: one retry, then a failure in plain French
    pids_always = always.read_text().split()
    assert len(pids_always) == 2 and len(killed) == 3
    failed = next(o for o in run.notebooks if o.stem == "32_slow_always")
    assert failed.error["ename"] == "WorkerDied" and "relancée une fois" in failed.error["evalue"]
    # the run still published the rest atomically, without the half-written notebook
    assert run.published and run.status == "failed"
    folder = reports / "tiny"
    results = json.loads((folder / "results.json").read_text("utf-8"))
    assert results["fixture.slept"] == {"value": 6.0, "label": "Attente", "unit": "s", "ci": None, "note": None,
                                        "notebook": "31_slow_once"}
    assert results["fixture.n_actors"]["value"] == 6
    assert not (folder / "32_slow_always.ipynb").exists()
    assert (folder / "31_slow_once.html").is_file()
    assert "le processus worker Dask est mort" in (folder / "index.html").read_text("utf-8")


# ----------------------------------------------------------------- command line
def _error_lines(err: str) -> list[str]:
    assert "Traceback" not in err
    return [x for x in err.strip().splitlines() if x.strip()]


def test_wrong_scheduler_address_is_one_clear_line_within_seconds(tmp_path, capsys):
    with pytest.MonkeyPatch.context() as mp:
        reports = _setup(mp, tmp_path, ["10_ok"])
        t0 = time.monotonic()
        code = main(["run", "tiny", "--scheduler", "tcp://127.0.0.1:9"])  # nothing listens on port 9
        elapsed = time.monotonic() - t0
    assert code == 1 and elapsed < 20, elapsed
    lines = _error_lines(capsys.readouterr().err)
    assert len(lines) == 2, lines
    assert lines[0] == "rd-methods: erreur : planificateur Dask injoignable à tcp://127.0.0.1:9 : aucune réponse en 5 s"
    assert lines[1].strip().startswith("piste : vérifier l'adresse (tcp://hôte:8786)")
    assert not reports.exists()  # failed before any campaign was touched


@pytest.mark.parametrize(
    "argv, env, message, hint",
    [
        (["run", "tiny", "--executor", "local", "--scheduler", "tcp://h:8786"], None,
         "--scheduler ne sert qu'avec l'exécuteur dask", "--executor dask --scheduler tcp://h:8786"),
        (["run"], None, "aucune campagne à exécuter", "--all"),
        (["run", "tiny", "--all"], None, "--all ou des campagnes nommées, pas les deux", "rd-methods run --all"),
        # the environment variable alone selects dask with that address
        (["run", "tiny"], "host:port", "planificateur Dask injoignable à tcp://host:port : adresse invalide",
         "dask scheduler"),
    ],
)
def test_run_option_mistakes(tmp_path, capsys, argv, env, message, hint):
    with pytest.MonkeyPatch.context() as mp:
        _setup(mp, tmp_path, ["10_ok"])
        if env:
            mp.setenv("RD_METHODS_SCHEDULER", env)
        assert main(argv) == 1
    lines = _error_lines(capsys.readouterr().err)
    assert len(lines) == 2 and message in lines[0] and hint in lines[1], lines


@pytest.mark.slow
def test_run_all_runs_every_campaign_of_the_data_folder(tmp_path, capsys):
    data = tmp_path / "data"
    for name in ("tiny", "tiny-bis"):
        shutil.copytree(DATA / "tiny", data / name)
        yml = data / name / "campaign.yml"
        yml.write_text(yml.read_text("utf-8").replace("id: tiny", f"id: {name}"), "utf-8")
    with pytest.MonkeyPatch.context() as mp:
        reports = _setup(mp, tmp_path, ["10_ok"])
        mp.setenv("RD_METHODS_DATA_DIR", str(data))
        assert main(["run", "--all", "--jobs", "1", "--edition", "public", "--executor", "local"]) == 0
    assert sorted(p.name for p in reports.iterdir()) == ["index.html", "references.html", "tiny", "tiny-bis"]
    for name in ("tiny", "tiny-bis"):
        assert json.loads((reports / name / "results.json").read_text("utf-8"))["fixture.n_actors"]["value"] == 6


# ----------------------------------------------------------------- demo campaign (opt-in: minutes)
@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("RD_METHODS_TEST_DASK_DEMO") != "1",
                    reason="minutes of notebooks: set RD_METHODS_TEST_DASK_DEMO=1")
def test_demo_2024_identical_on_dask_and_local(tmp_path):
    published = {}
    for executor in ("local", "dask"):
        with pytest.MonkeyPatch.context() as mp:
            mp.delenv("RD_METHODS_DATA_DIR", raising=False)
            mp.delenv("RD_METHODS_NOTEBOOKS_DIR", raising=False)
            mp.delenv("RD_METHODS_SCHEDULER", raising=False)
            mp.setenv("RD_METHODS_REPORTS_DIR", str(tmp_path / executor / "reports"))
            mp.setenv("RD_METHODS_PROCESSED_DIR", str(tmp_path / executor / "processed"))
            (run,) = runner.run(["demo-2024"], jobs=2, executor=executor, echo=lambda _: None)
            assert run.ok, [(o.stem, o.describe_error()) for o in run.notebooks if o.error]
            published[executor] = _published(tmp_path / executor / "reports" / "demo-2024")
    assert len(published["dask"]["results"]) > 30
    assert published["dask"] == published["local"]
