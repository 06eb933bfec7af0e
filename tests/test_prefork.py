"""Kernels forked from a preloaded worker (rd_methods.publish.prefork): same notebook, same
outputs, a kernel of its own that is cleaned up, and the usual launch when switched off."""

import json
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest

from rd_methods.publish import prefork

PROBE = [
    "import json, os, sys\n"
    "print(json.dumps({'preloaded': 'pandas' in sys.modules, 'pid': os.getpid(), 'ppid': os.getppid(),\n"
    "                  'leader': os.getpgid(0) == os.getpid(), 'cwd': os.getcwd(), 'tag': os.environ.get('PROBE_TAG'),\n"
    "                  'seed': int(__import__('numpy').random.randint(1 << 30))}))",
    "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()",
]

# one worker's life: what the runner's forkserver imports, then one notebook
WORKER = textwrap.dedent("""
    import json, os, sys
    import rd_methods.publish._preload  # noqa: F401 - as the forkserver does
    from rd_methods.publish import prefork
    from rd_methods.publish.tasks import NotebookTask
    task = NotebookTask(**json.loads(sys.argv[1]))
    out = prefork._run_in_worker(task)  # what KernelPool runs in each of its workers
    nb = json.load(open(os.path.join(task.out_dir, task.stem + ".ipynb")))
    texts = ["".join(o["text"]) for c in nb["cells"] for o in c.get("outputs", []) if o.get("name") == "stdout"]
    probe = json.loads(texts[0]) if out.status == "ok" else None
    alive = None
    if probe:
        try:
            os.kill(probe["pid"], 0)
            alive = True
        except ProcessLookupError:
            alive = False
    kinds = [k for c in nb["cells"] for o in c.get("outputs", []) for k in o.get("data", {})]
    print(json.dumps({"status": out.status, "error": out.error, "probe": probe, "worker": os.getpid(),
                      "kernel_alive_after": alive, "png": "image/png" in kinds}))
""")


def _run(tmp_path, cells, *, prefork_on=True, timeout=60):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "rd-methods", "display_name": "rd-methods", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path = tmp_path / "10_probe.ipynb"
    nbformat.write(nb, path)
    out_dir = tmp_path / "out"
    out_dir.mkdir(exist_ok=True)
    from rd_methods.publish.runner import detect_kernel

    task = {"campaign": "t", "stem": "10_probe", "path": str(path), "out_dir": str(out_dir), "parameters": {},
            "kernel": detect_kernel(), "timeout": timeout, "cwd": str(tmp_path), "editions": [], "names": {},
            "retries": 0, "context": {}, "env": None}
    env = dict(os.environ, PROBE_TAG="x1", RD_METHODS_PREFORK="1" if prefork_on else "0")
    done = subprocess.run([sys.executable, "-c", WORKER, json.dumps(task)], env=env, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_kernel_command_lines_that_can_be_forked():
    py = sys.executable
    assert prefork._kernel_args([py, "-m", "ipykernel_launcher", "-f", "c.json"]) == ["-f", "c.json"]
    assert prefork._kernel_args([py, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"]) == [
        "-f", "c.json"]
    assert prefork._kernel_args([py, "-Xdev", "-m", "ipykernel_launcher", "-f", "c.json"]) is None
    assert prefork._kernel_args(["/usr/bin/R", "--slave", "-e", "IRkernel::main()"]) is None
    assert prefork._kernel_args(["/some/other/python", "-m", "ipykernel_launcher"]) is None


@pytest.mark.slow
def test_forked_kernel_has_the_stack_loaded_and_behaves_like_a_new_kernel(tmp_path):
    a = _run(tmp_path, PROBE)
    assert a["status"] == "ok", a["error"]
    p = a["probe"]
    assert p["preloaded"]  # forked from the preloaded worker: pandas was already imported
    assert p["ppid"] == a["worker"] and p["pid"] != a["worker"]  # a process of its own, child of the worker
    assert p["leader"]  # its own process group, as jupyter_client starts kernels (signals, kill)
    assert p["cwd"] == str(tmp_path) and p["tag"] == "x1"  # the notebook's folder and environment
    assert a["png"]  # figures are inline images, as in a kernel started the usual way
    assert a["kernel_alive_after"] is False  # shut down and reaped when the notebook is done
    b = _run(tmp_path, PROBE)
    assert b["probe"]["seed"] != p["seed"]  # NumPy's global random state is not shared between kernels


@pytest.mark.slow
def test_switched_off_it_launches_kernels_the_usual_way(tmp_path):
    a = _run(tmp_path, PROBE, prefork_on=False)
    assert a["status"] == "ok", a["error"]
    assert not a["probe"]["preloaded"] and a["probe"]["ppid"] == a["worker"] and a["png"]


@pytest.mark.parametrize("prefork_on", [True, False])
@pytest.mark.slow
def test_timeout_kills_the_kernel(tmp_path, prefork_on):
    cells = ["import os\nprint('{\"pid\": %d}' % os.getpid())", "import time\ntime.sleep(120)"]
    a = _run(tmp_path, cells, prefork_on=prefork_on, timeout=3)
    assert a["status"] == "failed" and a["error"]["kind"] == "timeout"
    nb = json.loads((tmp_path / "out" / "10_probe.ipynb").read_text("utf-8"))
    pid = json.loads(next("".join(o["text"]) for c in nb["cells"] for o in c.get("outputs", []) if "text" in o))["pid"]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_the_preload_spares_the_iri_grammar_and_leaves_it_importable():
    # jsonschema is imported without rfc3987-syntax (a second of grammar building), and the
    # module is importable again afterwards (no lasting block in sys.modules)
    code = textwrap.dedent("""
        import importlib.util, json, sys
        import rd_methods.publish._preload  # noqa: F401
        state = {"jsonschema": "jsonschema" in sys.modules, "loaded": "rfc3987_syntax" in sys.modules}
        if importlib.util.find_spec("rfc3987_syntax") is not None:
            import rfc3987_syntax  # noqa: F401
            state["importable"] = True
        print(json.dumps(state))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state["jsonschema"] and not state["loaded"]
    assert state.get("importable", True)


def test_kill_stops_busy_workers_without_waiting_for_them():
    """KernelPool.kill kills workers busy with a long task: none is left, and the pool's
    manager thread (which the interpreter joins at exit) ends instead of waiting for them."""
    import multiprocessing
    import time
    from concurrent.futures import ProcessPoolExecutor

    import psutil

    pool = prefork.KernelPool(2)
    pool._pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    futures = [pool._pool.submit(time.sleep, 60) for _ in range(2)]
    end = time.monotonic() + 30
    while not all(f.running() for f in futures):
        assert time.monotonic() < end, "the workers never started"
        time.sleep(0.05)
    workers = [psutil.Process(pid) for pid in pool._pool._processes]
    manager = pool._pool._executor_manager_thread
    pool.kill()
    manager.join(timeout=10)
    assert not manager.is_alive()
    assert all(f.done() for f in futures)

    def running(p: psutil.Process) -> bool:  # never reaps (psutil.wait_procs would)
        try:
            return p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    assert not [p.pid for p in workers if running(p)]


def test_forked_kernels_get_a_client_ready_without_the_iopub_flush():
    from rd_methods.publish.runner import detect_kernel

    km = prefork.PreforkKernelManager(kernel_name=detect_kernel())
    assert isinstance(km.client(), prefork.ReadyClient)


@pytest.mark.slow
@pytest.mark.parametrize("fails", [False, True])
def test_the_runner_engine_writes_the_executed_notebook_once_with_every_cell(tmp_path, monkeypatch, fails):
    """papermill writes the output notebook at the start and end of every cell; the runner's
    engine once, at the end, also when a cell raises (what worker._started reads back)."""
    import papermill as pm
    import papermill.engines
    from papermill.exceptions import PapermillExecutionError

    from rd_methods.publish import worker
    from rd_methods.publish.runner import detect_kernel

    writes = []
    real = papermill.engines.write_ipynb
    monkeypatch.setattr(papermill.engines, "write_ipynb", lambda nb, path: (writes.append(path), real(nb, path)))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in
                ["print('one')", "1 / 0" if fails else "print('two')", "print('three')"]]
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    run = lambda: pm.execute_notebook(str(src), str(out), kernel_name=detect_kernel(), progress_bar=False,  # noqa: E731
                                      engine_name=worker.ENGINE)
    if fails:
        with pytest.raises(PapermillExecutionError):
            run()
    else:
        run()
    assert writes == [str(out)]
    done = nbformat.read(out, as_version=4)
    counts = [c.get("execution_count") for c in done.cells if c.cell_type == "code"]
    assert counts == ([1, 2, None] if fails else [1, 2, 3])
    assert worker._started(out)
