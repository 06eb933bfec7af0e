"""Full reports of generated campaigns at growing scale: wall time, peak memory, per notebook.

For each scale S, ``rd-methods demo --seed 7 --scale S`` writes a campaign into a temporary
data folder, then ``rd-methods run <campaign> --force`` publishes it into a temporary
reports folder (``RD_METHODS_DATA_DIR``, ``RD_METHODS_REPORTS_DIR`` and
``RD_METHODS_PROCESSED_DIR`` point there: nothing of the project is touched). Recorded per
scale: the generator's and the run's wall seconds, the peak resident memory of the largest
process of the run (the runner, its pool workers and the kernels: ``psutil`` polling of the
process tree from a helper process that only runs the command), every
notebook's seconds (``run.json``), the rows of the campaign's tables (what
:mod:`rd_methods.budget` reads), and the growth exponent per notebook between successive
scales: ``log(t2 / t1) / log(S2 / S1)``.

    python benchmarks/bench_scale.py                 # scales 1, 10, 100 (about 10 minutes)
    python benchmarks/bench_scale.py --quick         # scales 1 and 10
    python benchmarks/bench_scale.py --scales 1 10 --timeout 1200 --json out.json
    python benchmarks/bench_scale.py --scales 1 10 100 --model src/rd_methods/data/time_model.json

``--model`` writes the per-notebook growth model (:func:`rd_methods.budget.fit_model`) that
:func:`rd_methods.budget.estimate` reads. ``run()`` returns one dict per (scale, notebook)
plus one ``"(total)"`` row per scale, for ``make bench``. Timings never go into tests.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CAMPAIGN = "scale-bench"


def _timed(cmd: list[str], env: dict[str, str], log: Path) -> tuple[float, float, int]:
    """Run ``cmd`` in a helper process: wall seconds, peak RSS (MB) of its largest
    descendant, exit code. Output goes to ``log``."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", json.dumps(cmd), str(log)], env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"helper failed: {done.stderr[-2000:]}")
    rc, peak = lines[-1].split()
    return seconds, float(peak), int(rc)


def _child(cmd: list[str], log: str) -> None:
    """Run ``cmd``; print its exit code and the peak resident memory (MB) of its largest
    process: ``psutil`` polls the whole process tree every 0.2 s (kernels are started by
    pool workers and killed by process group, so ``RUSAGE_CHILDREN`` misses them), and
    ``ru_maxrss`` of the reaped children covers processes too short for the polling."""
    import psutil

    peak = 0
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                tree = []
            for p in tree:
                try:
                    peak = max(peak, p.memory_info().rss)
                except psutil.Error:
                    pass
            time.sleep(0.2)
        rc = proc.returncode
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(rc, max(peak / 2**20, reaped))


def table_rows(campaign_dir: Path) -> dict[str, int]:
    """Rows of every table of a generated campaign (data lines of its CSV files)."""
    rows = {}
    for path in sorted(campaign_dir.glob("*.csv")):
        with path.open("rb") as f:
            rows[path.stem] = max(sum(1 for _ in f) - 1, 0)
    return rows


def growth(t1: float, t2: float, s1: float, s2: float) -> float:
    """``log(t2 / t1) / log(s2 / s1)``: 1 = linear; NaN when a time is missing or zero."""
    if not (t1 and t2) or t1 <= 0 or t2 <= 0 or s1 == s2:
        return float("nan")
    return math.log(t2 / t1) / math.log(s2 / s1)


def run(scales=(1, 10, 100), *, seed: int = 7, jobs: int | None = None, timeout: int = 3000,
        work: Path | None = None, keep: bool = False) -> list[dict]:
    """Generate and publish one campaign per scale; rows per (scale, notebook) and totals."""
    base = Path(work) if work else Path(tempfile.mkdtemp(prefix="rd-scale-"))
    # the data, processed and reports folders are the benchmark's own; RD_METHODS_ROOT (or
    # PYTHONPATH) may point the run at another copy of the project's code and notebooks
    own = ("RD_METHODS_DATA_DIR", "RD_METHODS_PROCESSED_DIR", "RD_METHODS_REPORTS_DIR")
    env = {k: v for k, v in os.environ.items() if k not in own}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    rows: list[dict] = []
    try:
        for scale in scales:
            folder = base / f"s{scale:g}"
            shutil.rmtree(folder, ignore_errors=True)
            data, reports, processed = folder / "data", folder / "reports", folder / "processed"
            for d in (data, reports, processed):
                d.mkdir(parents=True)
            run_env = dict(env, RD_METHODS_DATA_DIR=str(data), RD_METHODS_REPORTS_DIR=str(reports),
                           RD_METHODS_PROCESSED_DIR=str(processed))
            gen_s, gen_mb, rc = _timed(
                [str(BIN / "rd-methods"), "demo", "--seed", str(seed), "--scale", f"{scale:g}",
                 "--out", str(data / CAMPAIGN)], run_env, folder / "demo.log")
            if rc:
                raise RuntimeError(f"demo generation failed at scale {scale}: see {folder / 'demo.log'}")
            sizes = table_rows(data / CAMPAIGN)
            cmd = [str(BIN / "rd-methods"), "run", CAMPAIGN, "--force", "--timeout", str(timeout)]
            if jobs:
                cmd += ["--jobs", str(jobs)]
            load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
            run_s, run_mb, rc = _timed(cmd, run_env, folder / "run.log")
            record = {}
            run_json = reports / CAMPAIGN / "run.json"
            if run_json.is_file():
                record = json.loads(run_json.read_text("utf-8"))
            for nb in record.get("notebooks", []):
                rows.append({"scale": scale, "notebook": nb["stem"], "status": nb.get("status"),
                             "seconds": float(nb.get("duration") or float("nan")), "peak_mb": float("nan")})
            rows.append({"scale": scale, "notebook": "(total)", "status": "ok" if rc == 0 else f"exit {rc}",
                         "seconds": round(run_s, 1), "peak_mb": round(run_mb), "generate_seconds": round(gen_s, 1),
                         "generate_peak_mb": round(gen_mb), "load_at_start": load, "tables": sizes})
            print(f"scale {scale:g}: run {run_s:.1f} s, peak {run_mb:.0f} MB, exit {rc} (load {load})",
                  file=sys.stderr, flush=True)
    finally:
        if not keep and work is None:
            shutil.rmtree(base, ignore_errors=True)
    # growth exponent of each notebook between successive scales
    by = {(r["scale"], r["notebook"]): r for r in rows}
    ordered = sorted(set(scales))
    for r in rows:
        i = ordered.index(r["scale"])
        if i:
            prev = by.get((ordered[i - 1], r["notebook"]))
            if prev:
                r["growth"] = growth(prev["seconds"], r["seconds"], ordered[i - 1], r["scale"])
    return rows


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        _child(json.loads(argv[1]), argv[2])
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scales", type=float, nargs="+", default=None)
    p.add_argument("--quick", action="store_true", help="scales 1 and 10 only")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--timeout", type=int, default=3000, help="seconds per notebook cell")
    p.add_argument("--work", type=Path, default=None, help="keep the campaigns and reports here")
    p.add_argument("--json", type=Path, default=None, help="write the rows here")
    p.add_argument("--model", type=Path, default=None, help="write the fitted time model here")
    args = p.parse_args(argv)
    scales = args.scales or ([1, 10] if args.quick else [1, 10, 100])
    scales = [int(s) if float(s).is_integer() else s for s in scales]
    rows = run(scales, seed=args.seed, jobs=args.jobs, timeout=args.timeout, work=args.work)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str), "utf-8")
    if args.model:
        sys.path.insert(0, str(ROOT / "src"))
        from rd_methods import budget

        model = budget.fit_model(rows)
        args.model.write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"{'scale':>6} {'notebook':<28} {'seconds':>8} {'growth':>7} {'peak MB':>8}")
    for r in rows:
        g = r.get("growth")
        g = f"{g:7.2f}" if isinstance(g, float) and g == g else " " * 7
        mb = f"{r['peak_mb']:8.0f}" if r["peak_mb"] == r["peak_mb"] else " " * 8
        print(f"{r['scale']:>6g} {r['notebook']:<28} {r['seconds']:8.1f} {g} {mb}")


if __name__ == "__main__":
    main(sys.argv[1:])
