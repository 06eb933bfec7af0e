"""Timings of rd_methods.network on demo campaigns of growing scale.

Generates a demo campaign in memory with :func:`rd_methods.demo.generate` at each scale,
then times: building the yearly networks, ``metrics_over_time`` (per year), and
``broker_profile``, ``dependence`` (n_baseline=200, bipartite curveball null and projected
rewiring) and ``brokerage_roles`` of the organisation on the last year's network. Peak MB is the process's maximum resident set size so far (Linux).

Usage: ``python benchmarks/bench_network.py [scale ...]`` (default 1 10 100).

Before the array rewrite (commit 0587a38), scale 100 (666k participations; last year 57k
actors, 374k ties) took: graphs_over_time 59 s, metrics_over_time 370 s, broker_profile 61 s,
dependence 244 s. After, on the same shared 2-core machine under load (about 5):
metrics_over_time 54 s, broker_profile 3.9 s (scale 1: metrics 15 s -> 1 s per granularity).
"""

from __future__ import annotations

import resource
import sys
import time

from rd_methods import demo
from rd_methods import network as nw


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(rows: list[dict], scale: float, step: str, size: str, fn):
    start = time.perf_counter()
    out = fn()
    rows.append(
        {
            "scale": scale,
            "step": step,
            "size": size,
            "seconds": round(time.perf_counter() - start, 2),
            "peak_mb": round(_peak_mb()),
        }
    )
    return out


def run(scales=(1, 10, 100), seed: int = 2025) -> list[dict]:
    """Time the network pipeline at each scale; one dict per (scale, step)."""
    rows: list[dict] = []
    for scale in scales:
        options = demo.DemoOptions(seed=seed, scale=float(scale), last_year=2025)
        tables, meta, _ = _timed(
            rows, scale, "generate demo", "", lambda o=options: demo.generate(o)
        )
        args = (tables["actors"], tables["participations"], tables["events"], tables.get("ties"))
        size = f"{len(tables['participations']):,} participations"
        graphs = _timed(
            rows, scale, "graphs_over_time (year)", size, lambda a=args: nw.graphs_over_time(*a)
        )
        last = graphs[max(graphs)]
        metrics = _timed(
            rows,
            scale,
            "metrics_over_time (year)",
            size,
            lambda g=graphs: nw.metrics_over_time(graphs=g, seed=1),
        )
        gsize = f"{last.number_of_nodes():,} actors, {last.number_of_edges():,} ties"
        org = meta["organisation"]
        _timed(
            rows,
            scale,
            "broker_profile (last year)",
            gsize,
            lambda g=last, o=org: nw.broker_profile(g, o),
        )
        _timed(
            rows,
            scale,
            "dependence n=200 bipartite (last)",
            gsize,
            lambda g=last, o=org: nw.dependence(g, o, n_baseline=200, seed=1),
        )
        _timed(
            rows,
            scale,
            "dependence n=200 projected (last)",
            gsize,
            lambda g=last, o=org: nw.dependence(g, o, null="projected", n_baseline=200, seed=1),
        )
        _timed(
            rows,
            scale,
            "brokerage_roles (last year)",
            gsize,
            lambda g=last: nw.brokerage_roles(g),
        )
        rows[-5]["note"] = "betweenness: " + ", ".join(sorted(set(metrics["betweenness_method"])))
    return rows


def main(argv: list[str]) -> None:
    scales = [float(a) for a in argv] or [1, 10, 100]
    rows = run(scales)
    print(f"{'scale':>6} {'step':<30} {'seconds':>8} {'peak MB':>8}  size")
    for r in rows:
        note = f"  [{r['note']}]" if r.get("note") else ""
        print(
            f"{r['scale']:>6g} {r['step']:<30} {r['seconds']:>8.2f} {r['peak_mb']:>8}  {r['size']}{note}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
