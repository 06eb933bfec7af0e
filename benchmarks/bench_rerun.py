"""Benchmark: the researcher's loop — rerun after nothing changed, after one survey answer changed.

``rd-methods run demo-2025`` on a copy of the campaign: a cold run (fresh processed cache and
reports), a rerun with nothing changed (every notebook reused), then a rerun after one answer
of ``survey_responses.csv`` changed (only ``40_stakeholder_survey`` and the synthesis execute);
finally a ``--force`` run of the changed data, whose results must equal the cached run's.

    python benchmarks/bench_rerun.py [--campaign demo-2025] [--jobs 2]

``run()`` returns one dict per step (for ``make bench``). Timings never go into tests.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORK = ROOT / "benchmarks" / "_work" / "rerun"


def _change_one_answer(path: Path) -> str:
    """Move one Likert answer of the first response by one point (within its bounds)."""
    raw = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    header, first = rows[0], rows[1]
    items = [i for i, name in enumerate(header)
             if name not in ("respondent_id", "wave", "stakeholder_group", "actor_id", "submitted_on") and first[i]]
    i = items[0]
    first[i] = str(int(first[i]) - 1) if int(first[i]) > 1 else str(int(first[i]) + 1)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), "utf-8")
    return header[i]


def run(campaign: str = "demo-2025", jobs: int = 2) -> list[dict]:
    from rd_methods import paths

    shutil.rmtree(WORK, ignore_errors=True)
    data = WORK / "data"
    shutil.copytree(paths.raw_dir() / campaign, data / campaign)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RD_METHODS_")}
    env.update(RD_METHODS_DATA_DIR=str(data), RD_METHODS_REPORTS_DIR=str(WORK / "reports"),
               RD_METHODS_PROCESSED_DIR=str(WORK / "processed"))
    report = WORK / "reports" / campaign

    def step(name: str, *extra: str) -> dict:
        t0 = time.perf_counter()
        subprocess.run([str(BIN / "rd-methods"), "run", campaign, "--jobs", str(jobs), *extra], env=env,
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - t0
        record = json.loads((report / "run.json").read_text("utf-8"))
        executed = [n["stem"] for n in record["notebooks"] if n["status"] in ("ok", "failed") and not n.get("reused")]
        reused = [n["stem"] for n in record["notebooks"] if n.get("reused")]
        return {"bench": "rerun", "step": name, "seconds": round(seconds, 1), "executed": ", ".join(executed) or "—",
                "n_executed": len(executed), "n_reused": len(reused),
                "results": json.loads((report / "results.json").read_text("utf-8"))}

    rows = [step("cold run")]
    rows.append(step("rerun, nothing changed"))
    item = _change_one_answer(data / campaign / "survey_responses.csv")
    rows.append(step(f"rerun, one survey answer changed ({item})"))
    rows.append(step("--force on the changed data", "--force"))
    cold = rows[0]["seconds"]
    for r in rows:
        r["ratio"] = round(r["seconds"] / cold, 3)
    rows[1]["identical_results"] = rows[1]["results"] == rows[0]["results"]
    rows[2]["identical_results"] = rows[2]["results"] == rows[3]["results"]
    for r in rows:
        r.pop("results")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaign", default="demo-2025")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    rows = run(args.campaign, args.jobs)
    for r in rows:
        print(f"{r['step']:<55} {r['seconds']:>7.1f} s  ratio {r['ratio']:.3f}  executed: {r['executed']}"
              + (f"  identical: {r['identical_results']}" if "identical_results" in r else ""))
    print(json.dumps(rows, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
