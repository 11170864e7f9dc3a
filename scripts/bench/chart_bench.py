#!/usr/bin/env python3
"""Benchmark `helmpilot template` against Helm's `helm template` code path, chart by chart.

For each chart and values file below, both sides do the whole of ``helm template``'s
work per iteration, in process, on the same machine, in one run:

* helmpilot: the ``bench_chart`` example (release build): load the chart from disk,
  read and merge the values files, process dependencies, coalesce, validate the
  schema, render, sort and print the manifests. It has no warm-up: the first of its
  iterations counts. It uses mimalloc, the allocator the ``helmpilot`` binary ships.
* Helm (v4.2.3 through helm-python-sdk, Helm's Go SDK behind a C ABI): load the chart
  from disk (``Chart.load``), read each values file (``values_from_yaml``) and merge
  them in order, and ``Config(storage_driver="memory").install(..., dry_run="client")``,
  which is the action ``helm template`` runs. The Python interpreter's and the Go
  library's start-up are outside the timing; a warm-up comes first.

Before anything is timed, ``helmpilot template`` (release build) must print exactly what
Helm's ``helm template`` prints for the same arguments, as the chart conformance oracle
(``scripts/oracle/render_charts.py``) rebuilds it from the install manifest and hooks;
the in-process bench must produce as many bytes. Otherwise no figures are printed.

Each round runs, per case, one helmpilot process and one Python process doing the Helm
iterations, back to back, so that load from other processes hits both alike; figures are
medians over rounds. Peak memory is the maximum resident set size of each process.

    scripts/oracle/setup.sh && python3 scripts/bench/chart_bench.py
    python3 scripts/bench/chart_bench.py --iterations 50 --rounds 3 --only fraud-detector
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Shared with the engine benchmark and the chart oracle (same folder / scripts/oracle).
from template_bench import fail, import_helm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "oracle"))
from render_charts import merge_maps  # noqa: E402  (loader.MergeMaps, as -f files merge)

REPO = Path(__file__).resolve().parents[2]
CHARTS = REPO / "fixtures" / "charts"
RELEASE = "bench"
NAMESPACE = "default"
TARGET_RATIO = 5.0
SCAFFOLD = "scaffold"
TIME = "/usr/bin/time"  # GNU time, for the peak resident set size

# (chart, values files relative to the chart; none: the chart's own values.yaml only).
CASES: list[tuple[str, list[str]]] = [
    ("fraud-detector", []),
    ("fraud-detector", ["values-prod.yaml"]),
    ("ml-platform", ["values-prod.yaml"]),
    ("hooks-order", []),
    (SCAFFOLD, []),  # `helm create`'s chart, made by Helm in a temporary directory
]


@dataclass
class Case:
    chart: str
    chart_dir: Path
    values: list[Path]
    helmpilot: list[float] = field(default_factory=list)
    helm: list[float] = field(default_factory=list)
    helmpilot_rss_kib: int = 0
    helm_rss_kib: int = 0
    output_bytes: int = 0

    @property
    def values_label(self) -> str:
        return ", ".join(p.name for p in self.values) or "values.yaml"


def import_oracle() -> Any:
    """The chart conformance oracle, with its Helm version check."""
    import render_charts

    render_charts.helm = render_charts.import_helm()
    return render_charts


# --------------------------------------------------------------------------
# Helm side: a worker process (``--helm-worker``) so that its peak memory is its own
# --------------------------------------------------------------------------

def helm_template_once(helm: Any, chart_dir: str, value_files: list[str]) -> str:
    """One `helm template` worth of Helm work; returns the install manifest."""
    values: dict[str, Any] = {}
    for path in value_files:
        with open(path, encoding="utf-8") as f:
            values = merge_maps(values, helm.values_from_yaml(f.read()))
    chart = helm.Chart.load(chart_dir)
    config = helm.Config(storage_driver="memory")
    try:
        release = config.install(chart, RELEASE, values, namespace=NAMESPACE, dry_run="client")
    finally:
        chart.close()
        config.close()
    return str(release["manifest"])


def helm_worker(argv: list[str]) -> int:
    """``--helm-worker ITERATIONS WARMUP CHART [VALUES...]``: prints one JSON line."""
    iterations, warmup = int(argv[0]), int(argv[1])
    chart_dir, value_files = argv[2], argv[3:]
    helm = import_helm()
    manifest = ""
    for _ in range(warmup):
        manifest = helm_template_once(helm, chart_dir, value_files)
    start = time.perf_counter()
    for _ in range(iterations):
        manifest = helm_template_once(helm, chart_dir, value_files)
    seconds = (time.perf_counter() - start) / max(iterations, 1)
    print(json.dumps({"iterations": iterations, "seconds_per_render": seconds,
                      "manifest_bytes": len(manifest.encode())}))
    return 0


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def cargo_build(package: str, kind: str, name: str) -> Path:
    """Builds one target in release mode and returns its executable."""
    command = ["cargo", "build", "--release", "-p", package, f"--{kind}", name,
               "--message-format=json-render-diagnostics"]
    print(f"building: {' '.join(command[:6])}", file=sys.stderr)
    result = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        fail("cargo build failed")
    for line in result.stdout.splitlines():
        message = json.loads(line)
        target = message.get("target") or {}
        if (message.get("reason") == "compiler-artifact" and target.get("name") == name
                and message.get("executable")):
            return Path(message["executable"])
    fail(f"cargo did not report the {name} executable")
    raise AssertionError  # unreachable


def run_with_rusage(command: list[str]) -> tuple[str, int]:
    """Runs ``command``; returns its stdout and its own peak resident set size in KiB.

    The peak is measured by GNU time, which forks from a small process: a child spawned
    straight from this one would inherit, in ru_maxrss, the peak of this process (Python
    with Helm's Go library loaded) from before its exec."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rss:
        result = subprocess.run([TIME, "-f", "%M", "-o", rss.name, *command], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            fail(f"{' '.join(command)} exited with {result.returncode}:\n"
                 f"{result.stderr.strip()}")
        return result.stdout, int(rss.read().split()[-1])


def helmpilot_round(binary: Path, case: Case, iterations: int) -> tuple[dict[str, Any], int]:
    command = [str(binary), str(iterations), str(case.chart_dir), *map(str, case.values)]
    stdout, rss = run_with_rusage(command)
    return json.loads(stdout.strip().splitlines()[-1]), rss


def helm_round(case: Case, iterations: int, warmup: int) -> tuple[dict[str, Any], int]:
    command = [sys.executable, str(Path(__file__).resolve()), "--helm-worker",
               str(iterations), str(warmup), str(case.chart_dir), *map(str, case.values)]
    stdout, rss = run_with_rusage(command)
    return json.loads(stdout.strip().splitlines()[-1]), rss


def template_args(case: Case) -> list[str]:
    args = [RELEASE, str(case.chart_dir), "-n", NAMESPACE]
    for path in case.values:
        args += ["-f", str(path)]
    return args


def check_case(oracle: Any, helmpilot: Path, bench: Path, case: Case) -> None:
    """Refuses to go on unless helmpilot prints exactly what Helm prints."""
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        expected = oracle.helm_template(template_args(case))
    except oracle.HelmFailure as exc:
        fail(f"{case.chart} ({case.values_label}): Helm fails: {exc}")
    finally:
        os.chdir(cwd)
    result = subprocess.run([str(helmpilot), "template", *template_args(case)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    got = result.stdout.decode("utf-8", "replace")
    if result.returncode != 0 or got != expected:
        diff = "".join(list(difflib.unified_diff(
            expected.splitlines(True), got.splitlines(True), "helm", "helmpilot"))[:60])
        fail(f"{case.chart} ({case.values_label}): helmpilot template differs from Helm "
             f"(exit {result.returncode}); no figures printed.\n"
             f"{result.stderr.decode('utf-8', 'replace').strip()}\n{diff}")
    # The in-process bench must produce the same output as the command.
    report, _ = helmpilot_round(bench, case, 1)
    if report["bytes"] != len(expected.encode()):
        fail(f"{case.chart} ({case.values_label}): bench_chart renders {report['bytes']} "
             f"bytes, helm template prints {len(expected.encode())}")
    case.output_bytes = len(expected.encode())
    print(f"check: {case.chart} ({case.values_label}): {case.output_bytes:,} bytes, "
          f"byte-identical to Helm", file=sys.stderr)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f}"


def ratio_range(case: Case) -> str:
    """The lowest and highest ratio of one round (both sides of a round ran back to back)."""
    ratios = [t / o for t, o in zip(case.helm, case.helmpilot)]
    return f"{min(ratios):.1f}-{max(ratios):.1f}x"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--helm-worker"]:
        return helm_worker(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=200,
                        help="renders per round, each side, each case (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=7,
                        help="rounds; the median is reported (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=10,
                        help="untimed Helm renders before timing, per round (default: %(default)s)")
    parser.add_argument("--only", nargs="+", metavar="CHART",
                        help=f"only these charts ({', '.join(dict.fromkeys(c for c, _ in CASES))})")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("--iterations and --rounds must be positive, --warmup not negative")
    known = {chart for chart, _ in CASES}
    if args.only and set(args.only) - known:
        parser.error(f"unknown charts: {sorted(set(args.only) - known)}; known: {sorted(known)}")

    if not os.access(TIME, os.X_OK):
        fail(f"{TIME} (GNU time) is needed to measure peak memory; apt-get install time")
    helm = import_helm()
    oracle = import_oracle()
    bench = cargo_build("helmpilot-chart", "example", "bench_chart")
    helmpilot = cargo_build("helmpilot", "bin", "helmpilot")

    with tempfile.TemporaryDirectory(prefix="helmpilot-chart-bench-") as tmp:
        cases = []
        for chart, values in CASES:
            if args.only and chart not in args.only:
                continue
            if chart == SCAFFOLD:
                helm.Chart.create(SCAFFOLD, tmp).close()
                chart_dir = Path(tmp) / SCAFFOLD
            else:
                chart_dir = CHARTS / chart
            cases.append(Case(chart, chart_dir, [chart_dir / v for v in values]))

        for case in cases:
            check_case(oracle, helmpilot, bench, case)

        # Python + helm_python loaded, no render: the floor under the Helm memory figure.
        _, idle_rss = helm_round(cases[0], 0, 0)

        for round_index in range(args.rounds):
            for case in cases:
                ours, rss = helmpilot_round(bench, case, args.iterations)
                case.helmpilot.append(ours["seconds_per_render"])
                case.helmpilot_rss_kib = max(case.helmpilot_rss_kib, rss)
                theirs, rss = helm_round(case, args.iterations, args.warmup)
                case.helm.append(theirs["seconds_per_render"])
                case.helm_rss_kib = max(case.helm_rss_kib, rss)
            summary = ", ".join(f"{c.chart}/{c.values_label} {c.helm[-1] / c.helmpilot[-1]:.1f}x"
                                for c in cases)
            print(f"round {round_index + 1}/{args.rounds}: {summary}", file=sys.stderr)

    rows = []
    for case in cases:
        ours, theirs = statistics.median(case.helmpilot), statistics.median(case.helm)
        rows.append((case, ours, theirs, theirs / ours))

    print()
    print(f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()}; "
          f"Helm {helm.helm_sdk_version()} via helm-python-sdk {helm.__version__}")
    print(f"`helm template` work per render, in process; {args.iterations} renders per round, "
          f"{args.rounds} rounds, medians; peak memory: maximum RSS over the rounds")
    print()
    header = ("chart", "values", "helmpilot ms", "Helm ms", "Helm/helmpilot",
              "per-round ratios", "helmpilot MiB", "Helm MiB")
    table = [header] + [
        (c.chart, c.values_label, ms(o), ms(t), f"{r:.1f}x", ratio_range(c),
         mib(c.helmpilot_rss_kib), mib(c.helm_rss_kib))
        for c, o, t, r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        cells = [row[i].ljust(widths[i]) if i < 2 else row[i].rjust(widths[i])
                 for i in range(len(header))]
        print("| " + " | ".join(cells) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) if i < 2 else "-" * (w + 1) + ":"
                                 for i, w in enumerate(widths)) + "|")
    print()
    slowest = min(rows, key=lambda row: row[3])
    verdict = "met" if slowest[3] >= TARGET_RATIO else "NOT met"
    print(f"target >= {TARGET_RATIO:.0f}x on every chart: {verdict} (lowest: "
          f"{slowest[0].chart}/{slowest[0].values_label} {slowest[3]:.1f}x)")
    print()
    print("notes: both figures include loading the chart from disk and reading the values")
    print("  files. Helm MiB is a Python process: interpreter + helm-python-sdk + Go runtime")
    print(f"  ({mib(idle_rss)} MiB with the library loaded and nothing rendered). helmpilot MiB")
    print("  is the whole bench process (mimalloc, as in the helmpilot binary).")
    print("  Wall-clock times on a shared machine; Go's garbage collector may use a second")
    print("  core for Helm, helmpilot is single-threaded.")

    if args.json:
        figures = {
            "iterations": args.iterations, "rounds": args.rounds, "cpus": os.cpu_count(),
            "helm_version": helm.helm_sdk_version(), "helm_idle_rss_kib": idle_rss,
            "cases": [{
                "chart": c.chart, "values": [p.name for p in c.values],
                "output_bytes": c.output_bytes,
                "helmpilot_ms": o * 1e3, "helm_ms": t * 1e3, "ratio": r,
                "helmpilot_samples_ms": [s * 1e3 for s in c.helmpilot],
                "helm_samples_ms": [s * 1e3 for s in c.helm],
                "helmpilot_peak_rss_kib": c.helmpilot_rss_kib,
                "helm_peak_rss_kib": c.helm_rss_kib,
            } for c, o, t, r in rows],
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
