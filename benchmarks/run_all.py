"""The whole benchmark suite (``make bench``): runs every ``benchmarks/bench_*.py`` and writes
``benchmarks/RESULTS.md``.

Sections: each method at scale 1, 10 and 100 (seconds, peak MB and the growth exponent
``log(t2/t1) / log(n2/n1)`` between successive sizes: 1 = linear), the SROI Monte Carlo,
the national-scale fixed-effects comparison against pyfixest and linearmodels, the runner
against the naive baseline (papermill + nbconvert command lines), and N generated
territories (``rd-methods demo`` with different seeds, small scale) run through the local
process pool and through a 2-worker Dask ``LocalCluster`` (same run, same notebooks; the
results of both must be identical). Machine and versions are written at the top; every
ratio is measured within the same run. ``RESULTS.md`` is rewritten after each section, so
an interrupted run keeps what it measured; the raw rows go to
``benchmarks/_work/results.json``.

    .venv/bin/python benchmarks/run_all.py            # full suite (tens of minutes)
    .venv/bin/python benchmarks/run_all.py --quick    # small sizes, a few minutes, no runner bench
    .venv/bin/python benchmarks/run_all.py --only territories,sroi --out /tmp/R.md

Timings depend on the machine and on its load (the load average is written down);
they never go into tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

# cheap and headline sections first: RESULTS.md is rewritten after each one
SECTIONS = ("sroi", "twfe", "territories", "runner", "rerun", "value_chain", "pipeline", "survey", "demo", "resilience",
            "network", "scale")
TERRITORY_NOTEBOOKS = "00,50,55,60"  # overview, territorial effects, resilience, SROI
PACKAGES = ("rd_methods", "numpy", "pandas", "scipy", "statsmodels", "networkx", "pingouin", "papermill",
            "nbconvert", "nbclient", "ipykernel", "dask", "distributed", "pyfixest", "linearmodels")


# --------------------------------------------------------------------------- machine
def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    git = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True)
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": platform.node(),
        "os": f"{platform.system()} {platform.release()}",
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem,
        "python": platform.python_version(),
        "versions": versions,
        "commit": (git.stdout.strip() or "?") + (" (modified work tree)" if dirty.stdout.strip() else ""),
    }


def load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "?"


# --------------------------------------------------------------------------- sections
def _norm(rows: list[dict], *, bench: str, function: str, size: str | None) -> list[dict]:
    """Rows of one bench as (bench, function, scale, size, seconds, peak_mb)."""
    out = []
    for r in rows:
        out.append({
            "bench": bench,
            "function": r[function] if function in r else function,
            "scale": int(r["scale"]) if float(r["scale"]).is_integer() else r["scale"],
            "size": r.get(size) if size else None,
            "seconds": float(r["seconds"]),
            "peak_mb": float(r["peak_mb"]) if r.get("peak_mb") is not None else float("nan"),
        })
    return out


def sec_value_chain(quick: bool) -> list[dict]:
    rows = importlib.import_module("bench_value_chain").run((1, 3) if quick else (1, 10, 100))
    return _norm(rows, bench="value_chain", function="function", size="rows")


def sec_pipeline(quick: bool) -> list[dict]:
    rows = importlib.import_module("bench_pipeline").run((1, 3) if quick else (1, 10, 100))
    return _norm(rows, bench="pipeline", function="function", size="n_projects")


def sec_survey(quick: bool) -> list[dict]:
    rows = importlib.import_module("bench_survey").run((1, 3) if quick else (1, 10, 100))
    return _norm(rows, bench="survey", function="function", size="rows")


def sec_network(quick: bool) -> list[dict]:
    rows = importlib.import_module("bench_network").run((1, 3) if quick else (1, 10, 100))
    return _norm(rows, bench="network", function="step", size=None)


def sec_demo(quick: bool) -> list[dict]:
    rows = importlib.import_module("bench_demo").run((1, 3) if quick else (1, 10, 100))
    return _norm(rows, bench="demo", function="generate", size="actors")


def sec_resilience(quick: bool) -> list[dict]:
    mod = importlib.import_module("bench_resilience")
    rows = (mod.run(territories=(19, 200), actors=(500, 2000), betweenness_actors=(500,), random_actors=(500,))
            if quick else mod.run())
    return _norm(rows, bench="resilience", function="benchmark", size=None)


def sec_sroi(quick: bool) -> list[dict]:
    mod = importlib.import_module("bench_sroi")
    rows = mod.run(draws=(1_000, 10_000), repeat=1) if quick else mod.run()
    return [dict(r, bench="sroi", function=r["benchmark"]) for r in rows]


def sec_twfe(quick: bool) -> list[dict]:
    mod = importlib.import_module("bench_twfe")
    rows = mod.run(units=3_500, years=20, repeat=1) if quick else mod.run()
    return [dict(r, bench="twfe") for r in rows]


def sec_scale(quick: bool) -> list[dict]:
    """Full reports of campaigns generated at scales 1, 10 and 100 (quick: 1 and 10)."""
    rows = importlib.import_module("bench_scale").run((1, 10) if quick else (1, 10, 100))
    return [dict(r, bench="scale") for r in rows]


def _scale_section(rows: list[dict]) -> str:
    scales = sorted({r["scale"] for r in rows}, key=float)
    totals = {r["scale"]: r for r in rows if r["notebook"] == "(total)"}
    lines = []
    for stem in dict.fromkeys(r["notebook"] for r in rows):
        line = {"notebook": stem}
        growths = []
        for r in rows:
            if r["notebook"] == stem:
                s = _fmt(r["scale"])
                line[f"s{s}"] = r["seconds"] if r.get("status") in ("ok", None) or stem == "(total)" \
                    else f"{r['seconds']} ({r['status']})"
                if r.get("growth") is not None:
                    growths.append(r["growth"])
        line["growth"] = ", ".join(_fmt(float(g)) for g in growths) if growths else "–"
        lines.append(line)
    cols = [("notebook", "notebook")] + [(f"s at {_fmt(s)}", f"s{_fmt(s)}") for s in scales]
    cols += [("growth exponent", "growth")]
    head = table([{"scale": s, "seconds": totals[s]["seconds"], "peak_mb": totals[s]["peak_mb"],
                   "status": totals[s]["status"], "generate": totals[s].get("generate_seconds"),
                   "participations": (totals[s].get("tables") or {}).get("participations"),
                   "responses": (totals[s].get("tables") or {}).get("survey_responses"),
                   "load": totals[s].get("load_at_start")} for s in scales if s in totals],
                 [("scale", "scale"), ("full report s", "seconds"), ("peak MB (largest process)", "peak_mb"),
                  ("exit", "status"), ("generation s", "generate"), ("participations", "participations"),
                  ("survey responses", "responses"), ("load at start", "load")])
    return head + "\n\n" + table(lines, cols)


def sec_runner(quick: bool) -> list[dict]:
    if quick:
        return [{"bench": "runner", "skipped": "quick mode (the runner bench runs demo-2025 six times: 3 rounds of 2 variants)"}]
    rows = importlib.import_module("bench_runner").run("demo-2025", jobs=2)
    differing = _runner_differences()
    return [dict(r, bench="runner", differing_keys=differing) for r in rows]


def sec_rerun(quick: bool) -> list[dict]:
    if quick:
        return [{"bench": "rerun", "skipped": "quick mode (runs demo-2025 four times)"}]
    return importlib.import_module("bench_rerun").run("demo-2025", jobs=2)


def _runner_differences(campaign: str = "demo-2025") -> list[str]:
    """Result keys that differ between the two variants of bench_runner (its work folder)."""
    from rd_methods import results

    folder = WORK / "runner"
    a = results.to_json(results.collect(folder / "naive"))
    b = results.to_json(results.collect(folder / "reports" / campaign))
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


_TIMED_CHILD = (
    "import json, resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "print(json.dumps([rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))\n"
)


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) of the largest process of the command, exit status."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _TIMED_CHILD, *cmd], env=env, check=True, capture_output=True,
                          text=True)
    rc, peak = json.loads(done.stdout.strip().splitlines()[-1])
    return time.perf_counter() - t0, peak, rc


def sec_territories(quick: bool, n: int | None = None, notebooks: str = TERRITORY_NOTEBOOKS) -> list[dict]:
    """N generated territories through the local pool and a 2-worker LocalCluster."""
    n = n or (4 if quick else 20)
    base = WORK / "territories"
    shutil.rmtree(base, ignore_errors=True)
    data = base / "data"
    data.mkdir(parents=True)
    env0 = {k: v for k, v in os.environ.items() if not k.startswith("RD_METHODS_")}
    env0["PATH"] = f"{BIN}{os.pathsep}{env0.get('PATH', '')}"
    t0 = time.perf_counter()
    seeds: list[int] = []
    rejected: list[int] = []
    seed = 1000
    while len(seeds) < n and seed < 1000 + 3 * n:
        cid = f"territoire-{len(seeds) + 1:02d}"
        done = subprocess.run([str(BIN / "rd-methods"), "demo", "--seed", str(seed), "--scale", "0.1",
                               "--last-year", "2025", "--id", cid, "--out", str(data / cid)],
                              capture_output=True, text=True, env=env0)
        if done.returncode == 0:
            seeds.append(seed)
        else:  # the generator fails on some seeds at small scale: note it, take the next seed
            rejected.append(seed)
            shutil.rmtree(data / cid, ignore_errors=True)
        seed += 1
    generate_s = time.perf_counter() - t0
    rows = []
    published = {}
    for executor in ("local", "dask"):
        env = dict(env0, RD_METHODS_DATA_DIR=str(data), RD_METHODS_REPORTS_DIR=str(base / executor / "reports"),
                   RD_METHODS_PROCESSED_DIR=str(base / executor / "processed"))
        cmd = [str(BIN / "rd-methods"), "run", "--all", "--jobs", "2", "--executor", executor,
               "--edition", "public"]
        if notebooks != "all":
            cmd += ["--only", notebooks]
        seconds, peak, rc = _timed(cmd, env)  # rc 1 when a notebook failed: counted below
        reports = base / executor / "reports"
        runs = [json.loads(p.read_text("utf-8")) for p in sorted(reports.glob("*/run.json"))]
        published[executor] = {p.parent.name: json.loads(p.read_text("utf-8"))
                               for p in sorted(reports.glob("*/results.json"))}
        executions = sum(1 for r in runs for nb in r["notebooks"] if nb["status"] in ("ok", "failed"))
        failed = sum(1 for r in runs for nb in r["notebooks"] if nb["status"] == "failed")
        rows.append({"bench": "territories", "executor": executor, "territories": n, "campaigns_published": len(runs),
                     "notebooks": notebooks, "executions": executions, "failed": failed,
                     "exit_status": rc, "seconds": round(seconds, 1), "peak_mb": round(peak),
                     "generate_seconds": round(generate_s, 1), "seeds": seeds, "rejected_seeds": rejected})
    same = published["local"] == published["dask"] and len(published["local"]) == n
    local_s = rows[0]["seconds"]
    for r in rows:
        r["ratio"] = round(r["seconds"] / local_s, 3)
        r["identical_results"] = same
    return rows


# --------------------------------------------------------------------------- report
def growth(rows: list[dict]) -> dict[tuple[str, str], list[float]]:
    """Growth exponent per (bench, function) between successive sizes (size, else scale)."""
    out: dict[tuple[str, str], list[float]] = {}
    for key in dict.fromkeys((r["bench"], r["function"]) for r in rows):
        rs = sorted((r for r in rows if (r["bench"], r["function"]) == key), key=lambda r: float(r["scale"]))
        exps = []
        for a, b in zip(rs, rs[1:], strict=False):
            na = a["size"] if a.get("size") else float(a["scale"])
            nb = b["size"] if b.get("size") else float(b["scale"])
            if a["seconds"] > 0 and b["seconds"] > 0 and nb > na:
                exps.append(math.log(b["seconds"] / a["seconds"]) / math.log(nb / na))
            else:
                exps.append(float("nan"))
        out[key] = exps
    return out


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "**no**"
    if isinstance(v, float):
        if v != v:
            return "–"
        if abs(v) >= 100:
            return f"{v:,.0f}"
        if abs(v) >= 1:
            return f"{v:.2f}"
        return f"{v:.3g}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def table(rows: list[dict], cols: list[tuple[str, str]]) -> str:
    lines = ["| " + " | ".join(h for h, _ in cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(_fmt(r.get(k)) for _, k in cols) + " |")
    return "\n".join(lines)


METHOD_TITLES = {
    "value_chain": "Extended value chain (`rd_methods.value_chain`) — size: contribution rows",
    "pipeline": "R&D pipeline (`rd_methods.pipeline`) — size: projects",
    "survey": "Stakeholder survey (`rd_methods.survey`) — size: response rows (demo-2025 survey replicated)",
    "network": "Actor network (`rd_methods.network`) — size: demo scale",
    "demo": "Demo generator (`rd_methods.demo.generate`, fresh process per scale) — size: actors",
    "resilience": "Resilience (`rd_methods.resilience`) — scale: territories of the panel, or actors of the graph",
}


def _method_section(name: str, rows: list[dict]) -> str:
    exps = growth(rows)
    scales = sorted({r["scale"] for r in rows}, key=float)
    out = []
    for fn in dict.fromkeys(r["function"] for r in rows):
        line = {"function": fn}
        for r in rows:
            if r["function"] == fn:
                s = _fmt(r["scale"])
                line[f"s{s}"] = r["seconds"]
                line[f"m{s}"] = r["peak_mb"]
        e = [x for x in exps[(name, fn)] if x == x]
        line["growth"] = ", ".join(f"{x:.2f}" for x in exps[(name, fn)]) if e else "–"
        out.append(line)
    cols = [("function", "function")]
    cols += [(f"s at {_fmt(s)}", f"s{_fmt(s)}") for s in scales]
    cols += [(f"peak MB at {_fmt(s)}", f"m{_fmt(s)}") for s in scales]
    cols += [("growth exponent", "growth")]
    return table(out, cols)


def render(results: dict, info: dict, started: float | None, mode: str, load0: str, load1: str | None = None,
           total: float | None = None) -> str:
    v = info["versions"]
    parts = [
        "# Benchmark results",
        "",
        f"Generated by `benchmarks/run_all.py` ({mode} mode, `make bench`) on {info['date']}, "
        f"commit {info['commit']}; {total if total is not None else time.perf_counter() - started:,.0f} s in all. "
        "Do not edit by hand.",
        "",
        f"- machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, {info['os']} ({info['host']})",
        f"- load average (1/5/15 min) at start: {load0}; at the end: {load1 or load()} — a shared machine: "
        "timings are those of one run under that load",
        f"- Python {info['python']}; " + ", ".join(f"{k} {v[k]}" for k in PACKAGES),
        "- seconds: wall time of one call (best of several where the bench says so); peak MB: peak of memory "
        "traced by tracemalloc during a call (Python and numpy allocations), except the demo generator, the "
        "runner and the territories (peak resident memory of the largest process); growth exponent: "
        "log(t2/t1) / log(n2/n1) between successive sizes (1 = linear; unreliable where times are a few ms)",
        "",
    ]
    for name, title in METHOD_TITLES.items():
        if name in results:
            parts += [f"## {title}", "", _section_body(name, results[name]), ""]
    if "sroi" in results:
        rows = results["sroi"]
        parts += ["## SROI Monte Carlo (`rd_methods.sroi.monte_carlo`)", "", _error_or(rows, lambda: table(rows, [
            ("benchmark", "benchmark"), ("draws", "scale"), ("outcomes", "outcomes"), ("impact map", "source"),
            ("seconds", "seconds"), ("peak MB", "peak_mb")])), ""]
        ok = [r for r in rows if r.get("benchmark") == "sroi.monte_carlo"]
        if len(ok) >= 2:
            e = growth([dict(r, function="mc", size=None) for r in ok])[("sroi", "mc")]
            parts += ["Growth exponent in the number of draws: " + ", ".join(f"{x:.2f}" for x in e), ""]
    if "twfe" in results:
        rows = results["twfe"]
        parts += ["## National-scale two-way fixed effects: `rd_methods.counterfactual.twfe` against pyfixest and "
                  "linearmodels", "",
                  "Same panel, `y ~ d | unit + year`, standard errors clustered by unit; each method in a fresh "
                  "process; seconds = best of the repeats after a warm-up call; rel. diff. = relative difference "
                  "from rd_methods under the same small-sample convention.", "",
                  _error_or(rows, lambda: table(rows, [
                      ("method", "method"), ("panel", "scale"), ("rows", "rows"), ("seconds", "seconds"),
                      ("cold seconds", "cold_seconds"), ("peak MB", "peak_mb"), ("RSS MB", "rss_mb"),
                      ("estimate", "estimate"), ("std. error", "std_error"), ("rel. diff. estimate", "rel_diff_estimate"),
                      ("rel. diff. s.e.", "rel_diff_se")])), ""]
        base = next((r for r in rows if r.get("method") == "rd_methods"), None)
        if base:
            ratios = [f"{r['method']} {r['seconds'] / base['seconds']:.2f}×" for r in rows
                      if r.get("method") not in (None, "rd_methods") and base["seconds"]]
            parts += ["Time relative to rd_methods (same run): " + ", ".join(ratios), ""]
    if "scale" in results:
        rows = results["scale"]
        parts += ["## Full reports at scale: generated campaigns 1, 10 and 100 times the demo", "",
                  "`rd-methods demo --seed 7 --scale S` then `rd-methods run --force` into temporary folders "
                  "(`benchmarks/bench_scale.py`); peak MB = resident memory of the largest process of the run; "
                  "notebook seconds from `run.json`; growth exponent = log(t2/t1) / log(S2/S1) between "
                  "successive scales. Targets (issue #24): scale 10 ≤ 75 s, scale 100 ≤ 600 s and ≤ 8 GB, "
                  "every notebook's exponent ≤ 1.2 between 10 and 100.", "",
                  _error_or(rows, lambda: _scale_section(rows)), ""]
    if "runner" in results:
        rows = results["runner"]
        parts += ["## Runner against the naive baseline", "",
                  "`rd-methods run demo-2025 --jobs 2` (parallel kernels, processed parquet cache, in-process "
                  "nbconvert) against each notebook run by the papermill command line then converted by the "
                  "`jupyter nbconvert` command line, one after the other (`benchmarks/bench_runner.py`). Each "
                  "variant runs three times, alternating, each from a fresh start (no processed cache, no earlier "
                  "report); the ratio is that of the medians.", "",
                  _error_or(rows, lambda: table(rows, [
                      ("variant", "variant"), ("campaign", "campaign"), ("notebooks", "notebooks"),
                      ("seconds (median)", "seconds"), ("rounds (s)", "rounds"), ("peak MB", "peak_mb"),
                      ("time ratio", "ratio"),
                      ("identical results", "identical_results")]) if "skipped" not in rows[0]
                      else f"Skipped: {rows[0]['skipped']}."), ""]
        differing = rows[0].get("differing_keys") if rows else None
        if differing:
            why = (" — only the synthesis counts: the naive baseline runs `90_synthesis` without the run folder "
                   "where the other notebooks' results are collected, so it sees none of them"
                   if all(k.startswith("synthesis.") for k in differing) else "")
            parts += [f"Results that differ ({len(differing)}): " + ", ".join(f"`{k}`" for k in differing) + why,
                      ""]
    if "rerun" in results:
        rows = results["rerun"]
        parts += ["## Rerun: only what changed executes", "",
                  "`rd-methods run demo-2025 --jobs 2` on a copy of the campaign (`benchmarks/bench_rerun.py`): "
                  "cold, then again with nothing changed, then after one survey answer changed, then `--force` "
                  "on the changed data (its results must equal the cached run's); ratio = time / cold run.", "",
                  _error_or(rows, lambda: table(rows, [
                      ("step", "step"), ("seconds", "seconds"), ("time ratio", "ratio"),
                      ("executed", "n_executed"), ("reused", "n_reused"), ("notebooks executed", "executed"),
                      ("identical results", "identical_results")]) if "skipped" not in rows[0]
                      else f"Skipped: {rows[0]['skipped']}."), ""]
    if "territories" in results:
        rows = results["territories"]
        nbs = rows[0].get("notebooks", TERRITORY_NOTEBOOKS) if rows and "error" not in rows[0] else ""
        parts += ["## Generated territories: local process pool against a 2-worker Dask LocalCluster", "",
                  f"{rows[0].get('territories', '?') if rows else '?'} campaigns generated with `rd-methods demo "
                  f"--seed S --scale 0.1` (seeds {_seeds(rows)}), run by `rd-methods run --all --jobs 2 --only {nbs} "
                  "--edition public` with `--executor local` then `--executor dask` (a LocalCluster of 2 worker "
                  "processes on loopback, started inside the run and counted in its time); identical results = "
                  "every territory's results.json equal between the two.", "",
                  _error_or(rows, lambda: table(rows, [
                      ("executor", "executor"), ("territories", "territories"), ("notebook runs", "executions"),
                      ("failed", "failed"), ("seconds", "seconds"), ("peak MB (largest process)", "peak_mb"),
                      ("time ratio", "ratio"), ("identical results", "identical_results")])), ""]
    return "\n".join(parts).rstrip() + "\n"


def _seeds(rows: list[dict]) -> str:
    if not rows or "seeds" not in rows[0]:
        return "?"
    seeds, rejected = rows[0]["seeds"], rows[0]["rejected_seeds"]
    text = f"{seeds[0]}–{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else ", ".join(map(str, seeds))
    if rejected:
        text += "; skipped because `rd-methods demo` failed on them: " + ", ".join(map(str, rejected))
    return text


def _error_or(rows: list[dict], make) -> str:
    if rows and "error" in rows[0]:
        return f"Failed: `{rows[0]['error']}`"
    return make()


def _section_body(name: str, rows: list[dict]) -> str:
    return _error_or(rows, lambda: _method_section(name, rows))


# --------------------------------------------------------------------------- main
_ROWS = "@@ROWS@@ "


def _section(name: str, quick: bool, territories: int | None, territory_notebooks: str) -> list[dict]:
    """One section in this process (called in a fresh child process by :func:`run`)."""
    fn = globals()[f"sec_{name}"]
    return fn(quick, territories, territory_notebooks) if name == "territories" else fn(quick)


def _section_in_child(name: str, quick: bool, territories: int | None, territory_notebooks: str) -> list[dict]:
    """Each section in a fresh process: peak RSS figures (ru_maxrss, inherited across fork and
    exec on Linux) are then its own, not those of the sections measured before it."""
    cmd = [sys.executable, __file__, "--section", name, "--territory-notebooks", territory_notebooks]
    cmd += ["--quick"] if quick else []
    cmd += ["--territories", str(territories)] if territories else []
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)  # stderr (progress, tracebacks) passes through
    lines = [x for x in done.stdout.splitlines() if x.startswith(_ROWS)]
    if done.returncode != 0 or not lines:
        return [{"bench": name, "error": f"exit status {done.returncode}: " + done.stdout.strip()[-300:]}]
    return json.loads(lines[-1][len(_ROWS):])


def run(quick: bool = False, only: list[str] | None = None, out: Path | None = None,
        territories: int | None = None, territory_notebooks: str = TERRITORY_NOTEBOOKS,
        merge: bool = False, echo=print) -> dict:
    """Run the sections (each in a fresh process), rewrite RESULTS.md after each; return
    {section: rows}. ``merge``: keep the other sections of the previous run
    (``benchmarks/_work/results.json``) and note which ones were measured again."""
    out = out or HERE / "RESULTS.md"
    WORK.mkdir(parents=True, exist_ok=True)
    # raw rows: benchmarks/_work/results.json for RESULTS.md, next to any other --out
    raw = WORK / "results.json" if out.resolve() == (HERE / "RESULTS.md").resolve() else out.with_suffix(".json")
    info, started, load0 = machine(), time.perf_counter(), load()
    mode = "quick" if quick else "full"
    results: dict[str, list[dict]] = {}
    previous = {}
    if merge and raw.is_file():
        previous = json.loads(raw.read_text("utf-8"))
        results = dict(previous["results"])
        info, mode, load0 = previous["machine"], previous["mode"], previous.get("load_start", "?")
    remeasured = dict(previous.get("remeasured", {}))
    for name in only or SECTIONS:
        if name not in SECTIONS:
            raise SystemExit(f"unknown section {name!r}; sections: {', '.join(SECTIONS)}")
        echo(f"[bench] {name} …")
        t = time.perf_counter()
        results[name] = _section_in_child(name, quick, territories, territory_notebooks)
        if previous:
            commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True,
                                    text=True).stdout.strip()
            remeasured[name] = f"{dt.datetime.now().astimezone().isoformat(timespec='minutes')}, commit {commit}"
        echo(f"[bench] {name} done in {time.perf_counter() - t:,.0f} s")
        seconds = previous.get("seconds", 0.0) + time.perf_counter() - started
        doc = {"machine": info, "mode": mode, "load_start": load0, "load_end": load(), "seconds": seconds,
               "remeasured": remeasured, "results": results}
        raw.write_text(json.dumps(doc, indent=1, default=str), "utf-8")
        out.write_text(_render_doc(doc), "utf-8")
    echo(f"[bench] written {out}")
    return results


def _render_doc(doc: dict) -> str:
    text = render(doc["results"], doc["machine"], None, doc["mode"], doc.get("load_start", "?"),
                  doc.get("load_end", "?"), doc.get("seconds", float("nan")))
    if doc.get("remeasured"):
        note = "- measured again later on the same machine: " + ", ".join(
            f"{k} ({v})" for k, v in doc["remeasured"].items())
        text = text.replace("\n- machine:", f"\n{note}\n- machine:", 1)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (scale 1 and 3), 4 territories, no runner bench")
    parser.add_argument("--only", default=None, help="comma-separated sections: " + ",".join(SECTIONS))
    parser.add_argument("--territories", type=int, default=None, help="generated territories (default 20; quick 4)")
    parser.add_argument("--territory-notebooks", default=TERRITORY_NOTEBOOKS,
                        help=f"notebooks run for each territory, or 'all' (default {TERRITORY_NOTEBOOKS})")
    parser.add_argument("--out", type=Path, default=None, help="output file (default benchmarks/RESULTS.md)")
    parser.add_argument("--merge", action="store_true",
                        help="with --only: keep the other sections of the previous run (benchmarks/_work/results.json)")
    parser.add_argument("--section", help=argparse.SUPPRESS)
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite RESULTS.md from benchmarks/_work/results.json (no measurement)")
    args = parser.parse_args(argv)
    if args.section:  # child process of run(): one section, rows as JSON on the last line
        try:
            rows = _section(args.section, args.quick, args.territories, args.territory_notebooks)
        except Exception as exc:  # noqa: BLE001 - one broken bench must not lose the others
            traceback.print_exc()
            rows = [{"bench": args.section, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}]
        print(_ROWS + json.dumps(rows, default=str), flush=True)
        return 0
    if args.render_only:
        doc = json.loads((WORK / "results.json").read_text("utf-8"))
        if "runner" in doc["results"] and "differing_keys" not in doc["results"]["runner"][0] \
                and (WORK / "runner" / "naive").is_dir():
            diff = _runner_differences()
            doc["results"]["runner"] = [dict(r, differing_keys=diff) for r in doc["results"]["runner"]]
            (WORK / "results.json").write_text(json.dumps(doc, indent=1, default=str), "utf-8")
        (args.out or HERE / "RESULTS.md").write_text(_render_doc(doc), "utf-8")
        return 0
    only = [s.strip() for s in args.only.split(",") if s.strip()] if args.only else None
    results = run(args.quick, only, args.out, args.territories, args.territory_notebooks, args.merge)
    return 1 if any(rows and "error" in rows[0] for rows in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
