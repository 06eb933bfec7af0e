"""Benchmark of the demo generator: rd_methods.demo.generate at scale 1, 10 and 100.

Prints a table (scale, actors, participations, seconds, peak MB) and exposes
``run() -> list[dict]`` for ``make bench``. Each scale runs in a fresh Python process so
that the peak resident memory (``ru_maxrss``) and the time are its own.

    .venv/bin/python benchmarks/bench_demo.py [SCALE ...]
"""

from __future__ import annotations

import json
import subprocess
import sys

SCALES = (1, 10, 100)


_CHILD = """
import json, resource, sys, time
from rd_methods.demo import DemoOptions, generate
t0 = time.perf_counter()
tables, _m, _t = generate(DemoOptions(seed=int(sys.argv[2]), scale=float(sys.argv[1])))
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB -> MB (Linux)
print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak, 1),
                  **{k: len(tables[k]) for k in ("actors", "projects", "participations", "survey_responses")}}))
"""


def run(scales=SCALES, seed: int = 2025) -> list[dict]:
    """Generate one campaign per scale, each in a fresh process; one row per scale."""
    rows = []
    for scale in scales:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(scale), str(seed)], check=True, capture_output=True, text=True
        )
        rows.append({"bench": "demo.generate", "scale": scale, **json.loads(out.stdout.strip().splitlines()[-1])})
    return rows


def main(argv: list[str]) -> int:
    scales = tuple(float(a) for a in argv) or SCALES
    rows = run(scales)
    cols = ["scale", "actors", "projects", "participations", "survey_responses", "seconds", "peak_mb"]
    print("  ".join(f"{c:>16}" for c in cols))
    for r in rows:
        print("  ".join(f"{r[c]!s:>16}" for c in cols))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
