"""Benchmark: ``rd-methods run demo-2025`` against the naive baseline.

Naive baseline: each notebook run by the ``papermill`` command line, then converted by the
``jupyter nbconvert --to html`` command line, one after the other, without the processed
parquet cache (every notebook parses and validates the raw files). Same notebooks, same
campaign, same kernel; the recorded results of both must be identical.

Where the speed comes from: parallel kernels (``--jobs``), the processed parquet cache,
nbconvert called in-process by long-lived workers started (and warmed up) while the
campaign is validated, no interpreter start and no repeated imports per page, kernels shut
down without waiting. Each variant runs ``--rounds`` times (default 3), alternating, each
from a fresh start; the medians are compared.

    python benchmarks/bench_runner.py [--campaign demo-2025] [--jobs N] [--rounds 3]

``run()`` returns one dict per variant (for ``make bench``). Timings never go into tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
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


def run(campaign: str = "demo-2025", jobs: int | None = None, rounds: int = 3) -> list[dict]:
    """Both variants ``rounds`` times, alternating (naive, ours, naive, ours…), each from a
    fresh start (no processed cache, no earlier report); the median of each variant's
    rounds and the ratio of the medians. On a shared machine one round can be 20 % off."""
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
    naive_env = dict(base_env, RD_METHODS_PROCESSED_DIR=str(WORK / "no-cache"))
    naive_cmds = []
    for spec in specs:  # NN order: 90_synthesis (if any) comes last
        out = naive_dir / f"{spec.stem}.ipynb"
        cmd = [str(BIN / "papermill"), str(spec.path), str(out), "-k", "rd-methods",
               "-p", "campaign", campaign, "--cwd", str(spec.path.parent), "--no-progress-bar"]
        if "results_dir" in spec.parameters:  # the synthesis reads this run's results
            cmd += ["-p", "results_dir", str(naive_dir)]
        naive_cmds.append(cmd)
        naive_cmds.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)])

    # rd-methods run: fresh processed cache and reports folder
    ours_env = dict(base_env, RD_METHODS_PROCESSED_DIR=str(WORK / "processed"),
                    RD_METHODS_REPORTS_DIR=str(WORK / "reports"))
    ours_cmd = [str(BIN / "rd-methods"), "run", campaign, "--only", ",".join(s.stem for s in specs)]
    if jobs:
        ours_cmd += ["--jobs", str(jobs)]

    naive_runs, ours_runs = [], []
    for _ in range(max(1, rounds)):
        for folder in (naive_dir, WORK / "no-cache", WORK / "processed", WORK / "reports"):
            shutil.rmtree(folder, ignore_errors=True)
        naive_dir.mkdir()
        naive_runs.append(_timed(naive_cmds, naive_env))
        ours_runs.append(_timed([ours_cmd], ours_env))
    naive_s = statistics.median(s for s, _ in naive_runs)
    ours_s = statistics.median(s for s, _ in ours_runs)

    from rd_methods.reproduce import compare_results

    naive_res, ours_res = _results(naive_dir), _results(WORK / "reports" / campaign)
    table = compare_results(naive_res, ours_res)  # floats within the reproduce tolerance
    same = ("yes (exactly)" if naive_res == ours_res
            else "yes (within rtol)" if (table["status"] == "match").all()
            else "no: " + ", ".join(table.loc[table["status"] != "match", "key"]))
    n = len(specs)

    def row(variant: str, seconds: float, runs: list[tuple[float, float]], ratio: float) -> dict:
        return {"bench": "runner", "variant": variant, "campaign": campaign, "scale": 1, "notebooks": n,
                "seconds": round(seconds, 1), "rounds": " / ".join(f"{s:.1f}" for s, _ in runs),
                "peak_mb": round(max(mb for _, mb in runs)), "ratio": round(ratio, 3), "identical_results": same}

    return [
        row("naive (papermill CLI + nbconvert CLI)", naive_s, naive_runs, 1.0),
        row(f"rd-methods run (jobs={jobs or os.cpu_count()})", ours_s, ours_runs, ours_s / naive_s),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaign", default="demo-2025")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each variant (median reported)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(json.loads(args.child))
        return 0
    rows = run(args.campaign, args.jobs, args.rounds)
    print(f"{'variant':<42} {'notebooks':>9} {'median s':>8} {'rounds (s)':>20} {'peak MB':>8} {'ratio':>6}  identical")
    for r in rows:
        print(f"{r['variant']:<42} {r['notebooks']:>9} {r['seconds']:>8.1f} {r['rounds']:>20} {r['peak_mb']:>8} "
              f"{r['ratio']:>6.3f}  {r['identical_results']}")
    print(json.dumps(rows, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
