"""Benchmark: ``rd-methods run demo-2025`` against the naive baseline.

Naive baseline: each notebook run by the ``papermill`` command line, then converted by the
``jupyter nbconvert --to html`` command line, one after the other, without the processed
parquet cache (every notebook parses and validates the raw files). Same notebooks, same
campaign, same kernel; the recorded results of both must be identical.

Where the speed comes from: parallel kernels (``--jobs``), the processed parquet cache,
nbconvert called in-process by long-lived workers (no interpreter start and no repeated
imports per page).

    python benchmarks/bench_runner.py [--campaign demo-2025] [--jobs N]

``run()`` returns one dict per variant (for ``make bench``). Timings never go into tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORK = ROOT / "benchmarks" / "_work" / "runner"


def _timed(cmds: list[list[str]], env: dict[str, str]) -> tuple[float, float]:
    """Run commands one after the other in a helper process; wall seconds and peak RSS (MB)
    of the largest process of this variant alone."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", json.dumps(cmds)], env=env, check=True,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    return seconds, float(done.stdout.strip().splitlines()[-1])


def _child(cmds: list[list[str]]) -> None:
    for cmd in cmds:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def _results(folder: Path) -> dict:
    from rd_methods import results

    return results.to_json(results.collect(folder))


def run(campaign: str = "demo-2025", jobs: int | None = None) -> list[dict]:
    from rd_methods import paths
    from rd_methods.publish.runner import discover_notebooks

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("RD_METHODS_")}
    base_env["PATH"] = f"{BIN}{os.pathsep}{base_env.get('PATH', '')}"
    # notebooks comparing several campaigns (a `campaigns` parameter) do not run for one campaign
    specs = [s for s in discover_notebooks(paths.notebooks_dir()) if "campaigns" not in s.parameters]

    # naive: papermill CLI then nbconvert CLI per notebook, sequentially, no processed cache
    naive_dir = WORK / "naive"
    naive_dir.mkdir()
    env = dict(base_env, RD_METHODS_PROCESSED_DIR=str(WORK / "no-cache"))
    cmds = []
    for spec in specs:  # NN order: 90_synthesis (if any) comes last
        out = naive_dir / f"{spec.stem}.ipynb"
        cmd = [str(BIN / "papermill"), str(spec.path), str(out), "-k", "rd-methods",
               "-p", "campaign", campaign, "--cwd", str(spec.path.parent), "--no-progress-bar"]
        if "results_dir" in spec.parameters:  # the synthesis reads this run's results
            cmd += ["-p", "results_dir", str(naive_dir)]
        cmds.append(cmd)
        cmds.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)])
    naive_s, naive_mb = _timed(cmds, env)

    # rd-methods run: fresh processed cache and reports folder
    env = dict(base_env, RD_METHODS_PROCESSED_DIR=str(WORK / "processed"), RD_METHODS_REPORTS_DIR=str(WORK / "reports"))
    cmd = [str(BIN / "rd-methods"), "run", campaign, "--only", ",".join(s.stem for s in specs)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    ours_s, ours_mb = _timed([cmd], env)

    from rd_methods.reproduce import compare_results

    naive_res, ours_res = _results(naive_dir), _results(WORK / "reports" / campaign)
    table = compare_results(naive_res, ours_res)  # floats within the reproduce tolerance
    same = ("yes (exactly)" if naive_res == ours_res
            else "yes (within rtol)" if (table["status"] == "match").all()
            else "no: " + ", ".join(table.loc[table["status"] != "match", "key"]))
    n = len(specs)
    rows = [
        {"bench": "runner", "variant": "naive (papermill CLI + nbconvert CLI)", "campaign": campaign, "scale": 1,
         "notebooks": n, "seconds": round(naive_s, 1), "peak_mb": round(naive_mb), "ratio": 1.0,
         "identical_results": same},
        {"bench": "runner", "variant": f"rd-methods run (jobs={jobs or os.cpu_count()})", "campaign": campaign,
         "scale": 1, "notebooks": n, "seconds": round(ours_s, 1), "peak_mb": round(ours_mb),
         "ratio": round(ours_s / naive_s, 3), "identical_results": same},
    ]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaign", default="demo-2025")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(json.loads(args.child))
        return 0
    rows = run(args.campaign, args.jobs)
    print(f"{'variant':<42} {'scale':>5} {'notebooks':>9} {'seconds':>8} {'peak MB':>8} {'ratio':>6}  identical")
    for r in rows:
        print(f"{r['variant']:<42} {r['scale']:>5} {r['notebooks']:>9} {r['seconds']:>8.1f} {r['peak_mb']:>8} "
              f"{r['ratio']:>6.3f}  {r['identical_results']}")
    print(json.dumps(rows, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
