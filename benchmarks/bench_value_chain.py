"""Timings of rd_methods.value_chain on demo campaigns of growing scale.

Usage: ``python benchmarks/bench_value_chain.py [scale ...]`` (default 1 10 100). Prints one
row per (scale, function): rows of the input, seconds, peak traced memory (MB), then the
growth exponent of each function between successive scales (``log(t2/t1) / log(n2/n1)``
on the number of contribution rows: 1 means linear). ``run()`` returns the rows as a list
of dicts for ``make bench``. The demo data are generated once per scale
(``rd_methods.demo.generate``), outside the timings. Seconds come from an untraced call;
the peak memory from a second, traced call.
"""

from __future__ import annotations

import math
import sys

from _timing import timed

from rd_methods import value_chain as vc
from rd_methods.demo import DemoOptions, generate

DEFAULT_SCALES = (1, 10, 100)


def _run_scale(scale: int, seed: int) -> list[dict]:
    tables, meta, _ = generate(DemoOptions(seed=seed, scale=scale, last_year=2025))
    contributions, actors = tables["contributions"], tables["actors"]
    org = meta["organisation"]
    valued, seconds, peak = timed(lambda: vc.monetise(contributions, meta["monetisation"]))
    n = len(contributions)
    rows = [{"scale": scale, "function": "monetise", "rows": n, "seconds": seconds, "peak_mb": peak}]
    graph = None

    def graph_step():
        nonlocal graph
        graph = vc.build_graph(valued, actors, tables["outcomes"], actor_level="category", organisation=org)
        return graph

    steps = {
        "contribution_matrix(category, resource)": lambda: vc.contribution_matrix(valued, actors),
        "contribution_matrix(actor, project)": lambda: vc.contribution_matrix(valued, by=("actor", "project")),
        "leverage": lambda: vc.leverage(valued, org),
        "co_construction": lambda: vc.co_construction(valued, actors, exclude=[org]),
        "support_share": lambda: vc.support_share(tables["activities"]),
        "value_created": lambda: vc.value_created(tables["outcomes"], tables["jobs"]),
        "regeneration": lambda: vc.regeneration(valued, tables["participations"], tables["events"], exclude=[org]),
        "build_graph(category)": graph_step,
        "flow_layout": lambda: vc.flow_layout(graph, max_nodes=10),
        "build_graph(actor)": lambda: vc.build_graph(valued, actors, tables["outcomes"]),
    }
    sizes = {"support_share": len(tables["activities"]), "value_created": len(tables["outcomes"]),
             "regeneration": len(tables["participations"])}
    for name, step in steps.items():
        _, seconds, peak = timed(step)
        rows.append({"scale": scale, "function": name, "rows": sizes.get(name, n), "seconds": seconds,
                     "peak_mb": peak})
    return rows


def growth(rows: list[dict]) -> dict[str, list[float]]:
    """Growth exponent per function between successive scales (1 = linear in the rows)."""
    out: dict[str, list[float]] = {}
    for name in dict.fromkeys(r["function"] for r in rows):
        rs = sorted((r for r in rows if r["function"] == name), key=lambda r: r["scale"])
        exps = []
        for a, b in zip(rs, rs[1:], strict=False):
            if a["seconds"] > 0 and b["rows"] > a["rows"]:
                exps.append(math.log(b["seconds"] / a["seconds"]) / math.log(b["rows"] / a["rows"]))
        out[name] = exps
    return out


def run(scales: tuple[int, ...] = DEFAULT_SCALES, seed: int = 2025) -> list[dict]:
    rows: list[dict] = []
    for scale in scales:
        rows += _run_scale(scale, seed)
    return rows


def main(argv: list[str]) -> int:
    scales = tuple(int(a) for a in argv) or DEFAULT_SCALES
    rows = run(scales)
    print(f"{'scale':>5}  {'function':<40} {'rows':>9} {'seconds':>9} {'peak MB':>8}")
    for r in rows:
        print(f"{r['scale']:>5}  {r['function']:<40} {r['rows']:>9} {r['seconds']:>9.3f} {r['peak_mb']:>8.1f}")
    print("\ngrowth exponent (log t ratio / log rows ratio; 1 = linear):")
    for name, exps in growth(rows).items():
        print(f"  {name:<40} " + "  ".join(f"{e:5.2f}" for e in exps))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
